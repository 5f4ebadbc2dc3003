"""The leaders' dashboard: the leader's home, charts with tables, last year beside this year."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import TaskStatus
from tests.factories import OrgUnitFactory
from tests.reports.conftest import ON_TIME, make_campaign
from tests.reports.helpers import make_record, make_return
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from visits.models import ReturnStatus, TableRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(county, township_a_unit, township_b_unit, member_unit, after_deadline):
    """2027 春节 (A accepted, B submitted, member unit silent) and 2026 春节 (A accepted)."""
    this = make_campaign(county, [township_a_unit, township_b_unit, member_unit], year=2027)
    last = make_campaign(county, [township_a_unit, township_b_unit], year=2026)
    a = make_return(this, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(a, people_visited=40, money_amount=Decimal("12000.00"), money_recipients=40)
    b = make_return(this, township_b_unit, status=ReturnStatus.SUBMITTED, submitted_at=ON_TIME)
    make_record(b, row=TableRow.TROOPS, people_visited=25, goods_spending=Decimal("3000.00"))
    old = make_return(last, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME.replace(year=2026))
    make_record(old, people_visited=31, money_amount=Decimal("9000.00"), money_recipients=31)
    return this, last


@pytest.fixture
def tasks_of_the_year(county, office_user, township_a_unit, troop_unit):
    plan = WorkPlanFactory(owner_unit=county, year=2027, created_by=office_user)
    TaskFactory(plan=plan, lead_unit=township_a_unit, status=TaskStatus.DONE, deadline=dt.date(2027, 2, 1))
    TaskFactory(plan=plan, lead_unit=township_a_unit, title="组织军地联欢", deadline=dt.date(2027, 2, 1))  # overdue
    DualListItemFactory(
        year=2027,
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="协调营区周边道路维修",
        deadline=dt.date(2027, 2, 1),
        created_by=office_user,
    )


def _charts(html: str) -> list[str]:
    return re.findall(r'<figure class="sy-chart".*?</figure>', html, flags=re.S)


def test_leader_home_is_the_dashboard(client_for, leader, two_years, tasks_of_the_year):
    html = client_for(leader).get(reverse("home")).content.decode()
    assert 'data-testid="dashboard"' in html
    charts = _charts(html)
    assert len(charts) == 5  # tasks, 双清单, returns, people, money
    for chart in charts:
        assert "<svg" in chart and 'role="img"' in chart and "<table" in chart
    assert "领导看板" in html  # the nav item
    this, _ = two_years
    assert reverse("reports:county_workbook", args=[this.pk, "accepted"]) in html
    assert reverse("reports:task_closure", args=[2027]) in html
    # The dashboard already lists overdue work and the returns by unit: no second copy as panels.
    assert 'data-testid="panel-overdue"' not in html and 'data-testid="panel-returns-overview"' not in html


def test_dashboard_numbers_this_year_beside_last_year(client_for, leader, two_years, tasks_of_the_year):
    html = client_for(leader).get(reverse("reports:dashboard")).content.decode()
    people = next(c for c in _charts(html) if "走访慰问人数" in c)
    table = people[people.index("<table") :]
    assert "2027年（人）" in table and "2026年（人）" in table
    row_a = re.search(r"<th scope=\"row\">巴川街道</th><td>(\d+)</td><td>(\d+)</td>", table)
    assert row_a and row_a.groups() == ("40", "31")
    money = next(c for c in _charts(html) if "慰问金和慰问品合计" in c)
    assert re.search(r"<th scope=\"row\">东城街道</th><td>0\.3000</td><td>0\.0000</td>", money)
    comparison = html[html.index('data-testid="comparison-table"') :]
    assert re.search(r"走访慰问人数（人）</th>\s*<td>65</td>\s*<td>31</td>", comparison)
    assert re.search(r"发放慰问金（万元）</th>\s*<td>1\.2000</td>\s*<td>0\.9000</td>", comparison)


def test_dashboard_return_status_and_overdue_lists(client_for, leader, two_years, tasks_of_the_year):
    html = client_for(leader).get(reverse("reports:dashboard")).content.decode()
    status = html[html.index('data-testid="return-status-table"') :]
    status = status[: status.index("</table>")]
    assert re.search(r"巴川街道</th>\s*<td>已审核</td>", status)
    assert re.search(r"东城街道</th>\s*<td>已提交</td>", status)
    assert re.search(r"区教育委员会</th>\s*<td>未提交</td>\s*<td><span class=\"badge text-bg-danger\">逾期", status)
    returns_chart = next(c for c in _charts(html) if "报表报送情况" in c)
    assert re.search(r"<th scope=\"row\">未提交</th><td>1</td>", returns_chart)
    assert "逾期任务（1 项）" in html and "组织军地联欢" in html
    assert "逾期“双清单”事项（1 项）" in html and "协调营区周边道路维修" in html


def test_campaign_can_be_chosen(client_for, leader, two_years):
    _, last = two_years
    html = client_for(leader).get(reverse("reports:dashboard"), {"campaign": last.pk}).content.decode()
    assert "2026年春节走访慰问" in html and "上年同期没有该活动的数据" in html


def test_township_and_office_homes(client_for, township_a, office_user, two_years):
    html = client_for(township_a).get(reverse("home")).content.decode()
    assert 'data-testid="dashboard"' not in html and "领导看板" not in html
    html = client_for(office_user).get(reverse("home")).content.decode()
    assert 'data-testid="county-downloads"' in html and 'data-testid="dashboard"' not in html


def test_dashboard_costs_the_same_queries_for_more_units(client_for, leader, county, two_years, tasks_of_the_year):
    this, last = two_years
    client = client_for(leader)
    url = reverse("reports:dashboard")
    counts = []
    for batch in range(2):
        for n in range(4):
            unit = OrgUnitFactory(name=f"新镇{batch}-{n}", parent=county)
            this.expected_units.add(unit)
            last.expected_units.add(unit)
            for campaign in (this, last):
                ret = make_return(campaign, unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
                make_record(ret, lead_leader=f"领导{n}")
            TaskFactory(
                plan=WorkPlanFactory(owner_unit=county, year=2027), lead_unit=unit, deadline=dt.date(2027, 1, 1)
            )
        cache.clear()  # the cost of computing the dashboard, not of the cached copy
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # About thirty (two campaign reports, task and 双清单 figures, overdue lists, session): fixed.
    assert counts[0] == counts[1] <= 36, counts


def test_dashboard_without_any_campaign_or_task(client_for, leader):
    html = client_for(leader).get(reverse("home")).content.decode()
    assert "暂无走访慰问活动" in html
    assert 'data-testid="download-county-accepted"' not in html
    assert html.count("暂无数据") == 2  # tasks and 双清单 charts, nothing to draw


def _task_table(html: str) -> dict[str, list[int]]:
    table = re.search(r'<table[^>]*data-testid="task-table".*?</table>', html, flags=re.S).group(0)
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', table)
    return {name: [int(n) for n in numbers] for name, *numbers in rows}


def test_the_leaders_dashboard_counts_the_demo_overdue_tasks(client):
    """The demo's plan is dated 2022, today is later: the figures count the tasks open or due in
    the chosen year (this year by default), so the overdue tasks the page lists are in them."""
    from shuangyong.demo import seed_all
    from shuangyong.models import User
    from tasks.selectors import overdue_tasks_for

    seed_all()
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    overdue = list(overdue_tasks_for(leader))
    assert overdue, "the demo has overdue tasks"
    html = client.get(reverse("reports:dashboard")).content.decode()
    figures = _task_table(html)
    assert sum(row[2] for row in figures.values()) == len(overdue)
    for task in overdue:
        name = task.lead_unit.name if task.lead_unit else "未指定牵头单位"
        assert figures[name][2] >= 1 and task.title in html
    # Every open task of the current plan is counted, those without a lead unit included.
    open_tasks = [t for t in overdue[0].plan.tasks.all() if t.status != TaskStatus.DONE]
    assert sum(row[0] for row in figures.values()) >= len(open_tasks)
    assert "未指定牵头单位" in figures
    # The chart of completion rates has data (it said 暂无数据).
    assert "暂无数据" not in _charts(html)[0]


def test_the_dashboard_year_can_be_chosen(client_for, leader, county, office_user, township_a_unit, after_deadline):
    plan = WorkPlanFactory(owner_unit=county, year=2025, created_by=office_user)
    TaskFactory(
        plan=plan,
        lead_unit=township_a_unit,
        status=TaskStatus.DONE,
        deadline=dt.date(2025, 6, 1),
        completed_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
    )
    client = client_for(leader)
    # Finished in 2025: not a task of 2027 (this year), one of 2025 when 2025 is chosen.
    assert _task_table(client.get(reverse("reports:dashboard")).content.decode()) == {}
    html = client.get(reverse("reports:dashboard"), {"year": 2025}).content.decode()
    assert _task_table(html) == {"巴川街道": [1, 1, 0]}
