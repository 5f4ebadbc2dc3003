"""A clerk who cannot use a mouse: logs in, adds a visit record and submits the return with the
keyboard alone (Tab, Shift+Tab, Enter, typing, arrow keys). Every element the keyboard lands on
shows a focus ring; the skip link jumps over the menu; a wrong entry puts the keyboard on the
field, whose error is linked to it; the saved/submitted messages are announced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.visits.factories import CampaignFactory
from visits.models import Return, ReturnStatus, TableRow, VisitRecord

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = "document.activeElement"


def _focus_ring(page: Any) -> str | None:
    """None when the focused element shows a visible ring, else a description of it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return 'nothing focused';
            // The calendar button inside a date field: the browser draws its own ring there (its
            // shadow part is out of reach of CSS, and the field itself is then not :focus).
            if (el.type === 'date' && !el.matches(':focus')) return null;
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            return outline ? null : `${el.outerHTML.slice(0, 100)}: outline ${s.outlineStyle} ${s.outlineWidth}`;
        }"""
    )


def tab_to(page: Any, css: str, *, limit: int = 80, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches css; every stop shows a ring."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        problem = _focus_ring(page)
        assert problem is None, f"no visible focus ring on {problem}"
        if page.evaluate(f"(css) => {FOCUSED}.matches(css)", css):
            return
    raise AssertionError(f"{css} not reached with {limit} presses of Tab")


def type_into(page: Any, css: str, text: str) -> None:
    tab_to(page, css)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_clerk_enters_a_visit_and_submits_the_return_with_the_keyboard_alone(
    page, live_server, county, township_a, township_b_unit, password
):
    CampaignFactory(owner_unit=county, expected_units=[township_a.org_unit, township_b_unit])
    base = live_server.url
    page.goto(f"{base}/accounts/login/")

    # Log in: the user name field has the focus, Tab to the password, Enter sends the form.
    assert page.evaluate(f"{FOCUSED}.id") == "id_username"
    page.keyboard.type(township_a.username)
    tab_to(page, "#id_password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")

    # The first Tab shows the skip link; Enter jumps over the menu to the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.textContent") == "跳到正文"
    assert page.locator(".sy-skip-link").is_visible()
    assert _focus_ring(page) is None
    page.keyboard.press("Enter")
    assert page.evaluate(f"{FOCUSED}.id") == "main"

    # From the content, the first stops are the home panels: the return's "add a record".
    tab_to(page, "[data-testid=panel-my-return] a.btn", limit=20)
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_visit_date")

    # A first try with a mistake (more recipients than people visited).
    tab_to(page, "#id_visit_date")
    page.keyboard.type("02032027")  # Debian chromium's date field reads mm/dd/yyyy
    tab_to(page, "#id_table_row")  # a select: the arrow keys choose
    page.keyboard.press("ArrowDown")  # from 重点优抚对象 to the next row of the table
    type_into(page, "#id_lead_leader", "张镇长")
    type_into(page, "#id_people_visited", "2")
    type_into(page, "#id_money_amount", "500")
    type_into(page, "#id_money_recipients", "3")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=form-errors]")
    assert VisitRecord.objects.count() == 0
    # The keyboard is put on the wrong field; its error is linked to it and the summary is an alert.
    assert page.evaluate(f"{FOCUSED}.id") == "id_money_recipients"
    assert page.evaluate(f"{FOCUSED}.getAttribute('aria-invalid')") == "true"
    described = page.evaluate(f"{FOCUSED}.getAttribute('aria-describedby')").split()
    errors = [page.locator(f"[id='{i}']").inner_text() for i in described]
    assert any("不能多于走访慰问人数" in e for e in errors), errors
    assert page.locator("[data-testid=form-errors]").get_attribute("role") == "alert"
    assert page.input_value("#id_visit_date") == "2027-02-03"  # what was typed is kept

    # Correct it where the keyboard already is, and save.
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=submit-form]")
    record = VisitRecord.objects.get()
    assert (record.people_visited, record.money_recipients, record.lead_leader) == (2, 2, "张镇长")
    assert record.table_row == TableRow.HARDSHIP
    page.wait_for_function("document.getElementById('sy-announce').textContent.includes('走访记录已保存')")

    # The return: the summary, then the submit button.
    type_into(page, "#id_summary", "春节期间走访慰问重点优抚对象。")
    tab_to(page, "[data-testid=submit-form] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=填报已提交")
    page.wait_for_function("document.getElementById('sy-announce').textContent.includes('填报已提交')")
    ret = Return.objects.get()
    assert ret.status == ReturnStatus.SUBMITTED and ret.submitted_by == township_a
    # The status is said in words, not only by the badge's colour.
    assert page.locator("[data-testid=return-status]").inner_text() == "已提交"
