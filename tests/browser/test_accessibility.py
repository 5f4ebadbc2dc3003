"""axe-core (WCAG 2.1 A/AA) on every page the query-budget test walks, for every role that may
open it, at a desktop and a phone width; and on the two import previews (a notice, an Excel file).

axe-core comes from the npm registry (package.json / package-lock.json at the repository root,
installed by scripts/bootstrap.sh into node_modules), never from a CDN. The world is the
query-budget test's (``generate``): every kind of row exists, so every panel, list and history
renders. One browser context per role and width, logged in once and reused for all its pages.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from shuangyong.models import Role
from shuangyong.services import user_create
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


def run_axe(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                          summary: n.failureSummary.slice(0, 300)})),
            }));
        }""",
        WCAG_TAGS,
    )


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
    return {**budget.USERS, "admin": ADMIN_USERNAME}


def test_every_page_of_every_role_has_no_wcag_violation(browser, live_server, world):
    axe_available()
    started = time.monotonic()
    base = live_server.url
    urls = {name: url for name, url in budget.urls_to_walk().items() if budget.BUDGET[name].html}
    problems: list[str] = []
    opened: dict[str, set[str]] = {name: set() for name in urls}
    checked = 0
    timing = {"goto": 0.0, "axe": 0.0}
    for role, username in world.items():
        for width_name, viewport in WIDTHS.items():
            phone = width_name == "phone"
            context = browser.new_context(
                locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport, is_mobile=phone, has_touch=phone
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            login(page, base, username)
            for name, url in urls.items():
                t0 = time.monotonic()
                response = page.goto(f"{base}{url}")
                t1 = time.monotonic()
                if response is None or response.status != 200:
                    continue  # refused for this role: the access matrix checks that
                opened[name].add(role)
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue  # JSON for a page's script (the person search), not a page
                checked += 1
                problems += describe(f"{role} {width_name} {name} {url}", run_axe(page))
                timing["goto"] += t1 - t0
                timing["axe"] += time.monotonic() - t1
            if role == "office":
                problems += notice_import_preview(page, base, width_name)
            if role == "township":
                problems += visits_import_preview(page, base, width_name)
            context.close()
    elapsed = time.monotonic() - started
    print(
        f"\naxe-core: {checked} page views in {elapsed:.0f} s (loading {timing['goto']:.0f} s, axe {timing['axe']:.0f} s)"
    )
    assert all(opened.values()), f"pages no role could open: {[n for n, r in opened.items() if not r]}"
    assert not problems, f"{len(problems)} WCAG 2.1 A/AA violation(s):\n" + "\n".join(problems)


def notice_import_preview(page: Any, base: str, width_name: str) -> list[str]:
    page.goto(base + reverse("tasks:plan_import"))
    page.fill("#id_text", NOTICE)
    page.click("button:has-text('解析并预览')")
    page.wait_for_selector("[data-testid=item]")
    assert page.locator("[data-testid=item]").count() == 12
    return describe(f"office {width_name} notice import preview", run_axe(page))


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
    page.wait_for_load_state()
    assert page.locator("text=走访慰问人数").count() > 0, page.content()[:2000]
    return describe(f"township {width_name} visit import preview", run_axe(page))


def test_axe_finds_what_it_should(page, live_server, login, office_user):
    """The check is real: a page with an unnamed select and pale text fails it."""
    axe_available()
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
