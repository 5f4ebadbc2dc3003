"""Daily pages read on a phone (390×844) without zoom or sideways scrolling: no horizontal
overflow and no table cell narrower than three characters on the task list, 我的任务, a 双清单
item and the return page; the troop's 确认销号 comes before the history. The menu fits one line
at 1280 px for every role."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangyong.models import Role
from tasks.models import DualListState
from tests.factories import UserFactory
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.visits.factories import CampaignFactory, VisitRecordFactory
from visits.models import Return, ReturnStatus

pytestmark = pytest.mark.django_db(transaction=True)

# Every cell a reader sees at least three characters wide (in its own font size), and the page no
# wider than the viewport. (A header kept only for screen readers is a 1-px box: not seen.)
LAYOUT = """() => {
  const unseen = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const b = e.getBoundingClientRect();
      if (b.width <= 1 || b.height <= 1) return true;
    }
    return false;
  };
  const narrow = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const box = cell.getBoundingClientRect();
    if (!box.width || !cell.innerText.trim() || unseen(cell)) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    if (box.width < 3 * em) narrow.push(cell.innerText.trim().slice(0, 12) + " " + Math.round(box.width));
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, narrow};
}"""


def _assert_reads_on_a_phone(page, url):
    page.goto(url)
    layout = page.evaluate(LAYOUT)
    assert layout["scrollWidth"] <= layout["viewport"] == 390, (url, layout)
    assert layout["narrow"] == [], (url, layout)


@pytest.fixture
def busy_county(county, office_user, township_a, township_a_unit, township_b_unit, member_unit, troop_unit):
    """Tasks with long titles and several cooperating units, a 双清单 item with history, a return."""
    plan = TaskFactory(plan__owner_unit=county, plan__created_by=office_user, deadline=dt.date(2027, 3, 1)).plan
    for n, title in enumerate(["全力服务部队练兵备战", "组织开展多种形式拥军活动", "支持乡村振兴工作"]):
        task = TaskFactory(plan=plan, number=f"（{n + 1}）", title=title, lead_unit=township_a_unit)
        task.cooperating_units.set([township_b_unit, member_unit])
    item = DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="协调解决驻训期间训练场地临时用地问题，落实水电保障",
        state=DualListState.CLOSE_REQUESTED,
        created_by=office_user,
    )
    for n in range(6):  # a long change log
        item.quality_requirement = f"第{n}次修改的质量要求"
        item.save()
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, lead_leader="张镇长")
    Return.objects.filter(org_unit=township_a_unit).update(status=ReturnStatus.SUBMITTED, summary="已走访。")
    return {"item": item, "campaign": campaign}


def test_daily_pages_read_on_a_phone(
    phone_page, live_server, login, busy_county, township_a, township_a_unit, office_user
):
    page = login(phone_page, township_a)
    for path in ("/tasks/", "/tasks/mine/", f"/tasks/dual/{busy_county['item'].pk}/"):
        _assert_reads_on_a_phone(page, f"{live_server.url}{path}")
    campaign = busy_county["campaign"]
    _assert_reads_on_a_phone(page, f"{live_server.url}/visits/campaigns/{campaign.pk}/units/{township_a_unit.pk}/")


def test_the_office_return_page_and_campaign_read_on_a_phone(
    browser, live_server, login, busy_county, office_user, township_a_unit
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = login(context.new_page(), office_user)
    campaign = busy_county["campaign"]
    _assert_reads_on_a_phone(page, f"{live_server.url}/visits/campaigns/{campaign.pk}/units/{township_a_unit.pk}/")
    _assert_reads_on_a_phone(page, f"{live_server.url}/visits/campaigns/{campaign.pk}/")
    context.close()


def test_the_troop_confirms_before_the_history(phone_page, live_server, login, busy_county, troop_liaison):
    page = login(phone_page, troop_liaison)
    page.goto(f"{live_server.url}/tasks/dual/{busy_county['item'].pk}/")
    confirm = page.get_by_role("button", name="确认销号")
    send_back = page.get_by_role("button", name="退回")
    history = page.locator("[data-testid=history]")
    assert confirm.bounding_box()["y"] < history.bounding_box()["y"]
    assert send_back.bounding_box()["y"] < history.bounding_box()["y"]
    assert page.locator("[data-testid=transitions]").bounding_box()["y"] > send_back.bounding_box()["y"]
    assert confirm.bounding_box()["y"] + confirm.bounding_box()["height"] <= 844 * 2  # reached in one swipe
    _assert_reads_on_a_phone(page, page.url)


@pytest.mark.parametrize(
    "role", [Role.OFFICE, Role.LEADER, Role.TOWNSHIP_STAFF, Role.MEMBER_LIAISON, Role.TROOP_LIAISON, Role.ADMIN]
)
def test_the_menu_fits_one_line_at_1280(browser, live_server, login, county, township_a_unit, role):
    unit = township_a_unit if role == Role.TOWNSHIP_STAFF else county
    user = UserFactory(org_unit=unit, role=role, full_name="欧阳建国", is_staff=role == Role.ADMIN)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = login(context.new_page(), user)
    bar = page.locator("[data-testid=menu-bar]").bounding_box()
    links = page.locator("[data-testid=menu-bar] .navbar-nav > .nav-item")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    heights = {round(links.nth(i).bounding_box()["height"]) for i in range(links.count())}
    context.close()
    assert bar["height"] <= 60, bar  # one line: Bootstrap's bar is 56 px high
    assert len(tops) == 1 and max(heights) <= 44, (tops, heights)  # no entry wraps (领导看/板)


def test_chart_labels_are_not_cut(browser):
    from reports.svg_charts import BarChart, Series, render_svg

    names = ["铜梁区双拥工作领导小组办公室", "驻铜某部一营", "巴川街道"]
    svg = render_svg(BarChart("走访人数", names, [Series("人数", [3, 2, 1])]), chart_id="c1")
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    lefts = page.evaluate("() => [...document.querySelectorAll('text[text-anchor=end]')].map(t => t.getBBox().x)")
    page.close()
    assert min(lefts) >= 0, lefts
