"""axe-core (WCAG 2.1 A/AA) on every page the query-budget test walks, for every role that may
open it, at a desktop width and at a phone width in 大字模式 (where no page may scroll sideways);
and on the pages a POST renders: the two import previews (a notice, an Excel file) and the return's
confirmation.

axe-core comes from the npm registry (package.json / package-lock.json at the repository root,
installed by scripts/bootstrap.sh into node_modules), never from a CDN. The world is the
query-budget test's (``generate``): every kind of row exists, so every panel, list and history
renders. One browser context per role and width, logged in once and reused for all its pages.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from shuangyong.models import Notification, Reminder, Role, User
from shuangyong.services import user_create, user_set_large_text
from tasks.models import Task
from tests.hardening import test_query_budget as budget
from tests.visits.test_import import HEADER, visit_row, xlsx
from visits.models import BeneficiaryCategory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PASSWORD = "Shuangyong@2026"  # generate_scale_data's password
NOTICE = (Path(__file__).parents[1] / "tasks" / "data" / "notice_000.txt").read_text(encoding="utf-8")
# Every role of the portal: the query budget's five, and the system administrator.
ADMIN_USERNAME = "sc-x01-admin"


def axe_available() -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/bootstrap.sh (it runs `npm ci` from package-lock.json)")


def start_axe(page: Any) -> None:
    """Start axe-core on the page as it is now, without waiting: the desktop and the phone page of
    a role are checked at the same time (two renderer processes, two cores)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    page.evaluate(
        """(tags) => {
            window.__syAxe = axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
                .then(result => result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)})),
                })));
        }""",
        WCAG_TAGS,
    )


def axe_result(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations found by the run start_axe() began."""
    return page.evaluate("() => window.__syAxe")


def run_axe(page: Any) -> list[dict[str, Any]]:
    start_axe(page)
    return axe_result(page)


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{where}: [{v['id']}/{v['impact']}] {v['help']} @ {node['target']}\n    {node['html']}")
    return lines


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def world(settings, tmp_path) -> dict[str, str]:
    """The query budget's small world; returns role -> username."""
    settings.MEDIA_ROOT = tmp_path
    categories = list(BeneficiaryCategory.objects.all())
    budget.generate(budget.SMALL, categories, budget.SMALL_K)
    county = budget._township().parent
    user_create(username=ADMIN_USERNAME, password=PASSWORD, org_unit=county, role=Role.ADMIN, full_name="管理员")
    _unread_reminder_for(User.objects.get(username=budget.USERS["township"]))
    return {**budget.USERS, "admin": ADMIN_USERNAME}


def _unread_reminder_for(user: User) -> None:
    """An unread reminder of a task in the township's notification centre: the entry shows its
    暂停提醒 button on the unread (yellow) background."""
    task = Task.objects.filter(lead_unit=user.org_unit).exclude(deadline=None).order_by("pk").first()
    assert task is not None, "the world has no task led by the township"
    content_type = ContentType.objects.get_for_model(Task)
    reminder = Reminder.objects.create(
        content_type=content_type, object_id=task.pk, recipient=user, threshold="before_3",
        deadline=task.deadline, claim_token=uuid.uuid4(), unit=user.org_unit,
    )  # fmt: skip
    Notification.objects.create(
        recipient=user, title=f"任务“{task.title}”3天后到期", body="请按时完成。", url=f"/tasks/{task.pk}/",
        content_type=content_type, object_id=task.pk, reminder=reminder,
    )  # fmt: skip


def prepare(page: Any, where: str, *, phone: bool) -> list[str]:
    """Open every <details> (the charts' data tables, the forms folded away) and start axe-core;
    on a phone (in 大字模式) the page must not scroll sideways."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    problems = []
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTHS["phone"]["width"]:
            problems.append(f"{where}: the page is {width} px wide on a 390 px phone in large text")
    start_axe(page)
    return problems


def check(page: Any, where: str, *, phone: bool) -> list[str]:
    return prepare(page, where, phone=phone) + describe(where, axe_result(page))


def charts_have_text_and_table(page: Any) -> list[str]:
    """Every chart of the dashboard: a named image (role=img) and a table with its numbers."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.sy-chart')).filter(f => f.querySelector('svg'))
            .filter(f => {
                const svg = f.querySelector('svg');
                const named = svg.getAttribute('role') === 'img'
                    && (svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby') || '').trim();
                return !(named && f.querySelector('table caption') && f.querySelectorAll('table td').length);
            }).map(f => 'chart without text alternative or data table: ' + f.id)"""
    )


def new_context(browser: Any, width_name: str) -> Any:
    # bypass_csp: axe-core is injected as a script of the test; the pages' Content-Security-Policy
    # (script-src 'self') would refuse it, and the policy has its own test.
    phone = width_name == "phone"
    return browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=WIDTHS[width_name],
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,
    )


def open_context(browser: Any, base: str, user: User, width_name: str) -> Any:
    phone = width_name == "phone"
    user_set_large_text(user=user, enabled=phone)
    context = new_context(browser, width_name)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, base, user.username)
    assert page.evaluate("document.documentElement.classList.contains('sy-large-text')") == phone
    return page


def test_every_page_of_every_role_has_no_wcag_violation(browser, live_server, world):
    """Desktop (1366×768) as it comes; phone (390×844) in 大字模式, where it must not scroll sideways."""
    axe_available()
    started = time.monotonic()
    base = live_server.url
    urls = {name: url for name, url in budget.urls_to_walk().items() if budget.BUDGET[name].html}
    problems: list[str] = []
    opened: dict[str, set[str]] = {name: set() for name in urls}
    checked, charts = 0, 0
    for role, username in world.items():
        user = User.objects.get(username=username)
        # One logged-in page per width, reused for every URL (the large-text choice is read at login).
        pages = {width_name: open_context(browser, base, user, width_name) for width_name in WIDTHS}
        for name, url in urls.items():
            running = []
            for width_name, page in pages.items():
                response = page.goto(f"{base}{url}")
                if response is None or response.status != 200:
                    continue  # refused for this role: the access matrix checks that
                opened[name].add(role)
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue  # JSON for a page's script (the person search), not a page
                where = f"{role} {width_name} {name} {url}"
                problems += prepare(page, where, phone=width_name == "phone")
                running.append((where, page))
                if name == "reports:dashboard":
                    charts += page.locator("figure.sy-chart svg").count()
                    problems += charts_have_text_and_table(page)
            for where, page in running:
                problems += describe(where, axe_result(page))
                checked += 1
        for width_name, page in pages.items():
            if role == "office":
                problems += notice_import_preview(page, base, width_name)
            if role == "township":
                problems += visits_import_preview(page, base, width_name)
                problems += return_confirmation(page, base, width_name)
            page.context.close()
    elapsed = time.monotonic() - started
    print(f"\naxe-core: {checked} page views and 6 pages rendered by a POST in {elapsed:.0f} s")
    assert all(opened.values()), f"pages no role could open: {[n for n, r in opened.items() if not r]}"
    assert charts >= 4 * 2, "the dashboard showed no charts: the world has no campaign data"
    assert not problems, f"{len(problems)} WCAG 2.1 A/AA violation(s):\n" + "\n".join(problems)


def notice_import_preview(page: Any, base: str, width_name: str) -> list[str]:
    page.goto(base + reverse("tasks:plan_import"))
    page.fill("#id_text", NOTICE)
    page.click("button:has-text('解析并预览')")
    page.wait_for_selector("[data-testid=item]")
    assert page.locator("[data-testid=item]").count() == 12
    return check(page, f"office {width_name} notice import preview", phone=width_name == "phone")


def visits_import_preview(page: Any, base: str, width_name: str) -> list[str]:
    """A file with one good and one bad row: the preview lists the bad cell."""
    township = budget._township()
    campaign = budget._campaign()
    day = campaign.visit_start.isoformat()
    content = xlsx(
        HEADER, [visit_row(unit=township.name, 走访日期=day), visit_row(unit=township.name, 走访慰问人数=-1)]
    )
    page.goto(base + reverse("visits:import_upload", kwargs={"kind": "visits"}))
    page.set_input_files(
        "#id_file", files=[{"name": "走访.xlsx", "mimeType": "application/octet-stream", "buffer": content}]
    )
    if page.locator("#id_campaign").count():
        page.select_option("#id_campaign", str(campaign.pk))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("[data-testid=import-error]")
    assert "走访慰问人数" in page.locator("[data-testid=import-error]").first.inner_text()
    return check(page, f"township {width_name} visit import preview", phone=width_name == "phone")


def return_confirmation(page: Any, base: str, width_name: str) -> list[str]:
    """The page that shows what a return sends before it is submitted (rendered by a POST)."""
    page.goto(base + reverse("visits:unit_return", kwargs=budget.UNIT_RETURN()))
    page.fill("#id_summary", "春节期间走访慰问重点优抚对象。")
    page.click("[data-testid=submit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm-summary]")
    return check(page, f"township {width_name} return confirmation", phone=width_name == "phone")


def test_axe_finds_what_it_should(browser, live_server, login, office_user):
    """The check is real: a page with an unnamed select and pale text fails it."""
    axe_available()
    page = new_context(browser, "desktop").new_page()
    login(page, office_user)
    page.evaluate(
        """() => {
            const s = document.createElement('select'); document.querySelector('main').appendChild(s);
            const p = document.createElement('p'); p.textContent = '浅色文字'; p.style.color = '#ddd';
            document.querySelector('main').appendChild(p);
        }"""
    )
    ids = {v["id"] for v in run_axe(page)}
    assert {"select-name", "color-contrast"} <= ids, json.dumps(sorted(ids))
