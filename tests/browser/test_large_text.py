"""大字模式 on a phone: one switch in the header; then body text is at least 18 px, every control
at least 44 px high, the visit entry form and the return page fit 390 px without sideways
scrolling, and the choice is still there at the next login (another browser, same account)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.visits.factories import CampaignFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# What a finger presses: buttons, fields, menu entries, page links, the menu button.
CONTROLS = ".btn, .form-control, .form-select, .nav-link, .page-link, .navbar-toggler, .form-check"


def _phone(browser: Any) -> Any:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _is_large(page: Any) -> bool:
    return page.evaluate("document.documentElement.classList.contains('sy-large-text')")


def _body_px(page: Any) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def _small_controls(page: Any) -> list[str]:
    """Visible controls lower than 44 px (the ones a finger must hit)."""
    return page.evaluate(
        """(css) => Array.from(document.querySelectorAll(css))
            .filter(el => el.offsetParent !== null && el.type !== 'hidden')
            .filter(el => el.getBoundingClientRect().height < 44)
            .map(el => `${el.outerHTML.slice(0, 90)} ${el.getBoundingClientRect().height}px`)""",
        CONTROLS,
    )


def _overflow(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_large_text_on_a_phone_fits_and_is_kept_across_logins(
    browser, live_server, login, county, township_a, township_b_unit
):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a.org_unit, township_b_unit])
    for day in (1, 2):
        VisitRecordFactory(
            campaign=campaign, org_unit=township_a.org_unit, lead_leader="张镇长", visit_date=f"2027-02-0{day}"
        )
    base = live_server.url
    return_url = f"{base}/visits/campaigns/{campaign.pk}/units/{township_a.org_unit.pk}/"
    form_url = f"{return_url}records/new/"

    phone = login(_phone(browser), township_a)
    assert not _is_large(phone) and _body_px(phone) < 18
    # The switch is in the header bar itself, not hidden in the phone's menu.
    switch = phone.locator("[data-testid=large-text-switch] button")
    assert switch.is_visible() and switch.get_attribute("aria-pressed") == "false"
    switch.click()
    phone.wait_for_selector("html.sy-large-text")
    assert phone.url == f"{base}/"  # back on the page where it was pressed
    assert phone.locator("[data-testid=large-text-switch] button").get_attribute("aria-pressed") == "true"
    township_a.refresh_from_db()
    assert township_a.large_text

    for url in (form_url, return_url):
        phone.goto(url)
        assert _is_large(phone)
        assert _body_px(phone) >= 18, url
        # Small print and form labels are no smaller than the body text.
        labels = phone.eval_on_selector_all(
            "main label, main .small, main .form-text", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert labels and min(labels) >= 18, (url, min(labels))
        assert _small_controls(phone) == [], url
        assert _overflow(phone) <= PHONE["width"], (url, _overflow(phone))
        phone.click(".navbar-toggler")  # the opened menu fits too, with big entries
        phone.wait_for_selector("#mainNav.show")
        assert _small_controls(phone) == [], url
        assert _overflow(phone) <= PHONE["width"], (url, _overflow(phone))

    # Log out, log in again on another phone: still large, from the first page on.
    phone.locator("button:has-text('退出')").click()
    phone.wait_for_url(f"{base}/accounts/login/")
    assert not _is_large(phone)  # the login page is nobody's
    other = login(_phone(browser), township_a)
    assert _is_large(other) and _body_px(other) >= 18
    # And it can be switched off again.
    other.click("[data-testid=large-text-switch] button")
    other.wait_for_selector("[data-testid=large-text-switch] button[aria-pressed=false]")
    assert not _is_large(other) and _body_px(other) < 18
