"""City and province offices and leaders have a home of their own (issue 15): their plans with
progress, the units they give work to (rolled up from the breakdown below), their campaigns; the
page costs a fixed number of queries whatever the number of plans, tasks and units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from shuangyong.models import OrgUnitKind, Role
from shuangyong.navigation import menu_for
from tasks.models import TaskStatus
from tasks.services import BreakdownDraft, task_breakdown
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db


def _add_work(city, city_office, county, county_office, n: int, start: int = 0) -> None:
    """n city tasks given to n new counties (and the test county), each broken down below."""
    plan = WorkPlanFactory(owner_unit=city, created_by=city_office, title=f"市要点{start}")
    county_plan = WorkPlanFactory(owner_unit=county, created_by=county_office, title=f"区要点{start}")
    for i in range(start, start + n):
        other = OrgUnitFactory(name=f"第{i}区双拥办", kind=OrgUnitKind.COUNTY, parent=city)
        TaskFactory(plan=plan, lead_unit=other, title=f"市任务{i}", status=TaskStatus.DONE)
        parent = TaskFactory(plan=plan, lead_unit=county, title=f"给铜梁{i}", deadline=dt.date(2099, 1, 1))
        task_breakdown(
            user=county_office,
            parent=parent,
            plan=county_plan,
            drafts=[BreakdownDraft(title=f"分解{i}", deadline=dt.date(2020, 1, 1))],  # late
        )


def _home(user) -> tuple[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(reverse("home"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


@pytest.mark.parametrize(
    "who", ["levels_city_office", "levels_city_leader", "levels_province_office", "levels_province_leader"]
)
def test_city_and_province_homes_render_with_fixed_queries(request, who, levels_city, county, office_user):
    request.getfixturevalue("levels_province")
    user = request.getfixturevalue(who)
    city_office = UserFactory(username="city_office_w", org_unit=levels_city, role=Role.OFFICE)
    _add_work(levels_city, city_office, county, office_user, 2)
    page, few = _home(user)
    _add_work(levels_city, city_office, county, office_user, 6, start=10)
    page, more = _home(user)
    assert more == few, f"{who}: {few} queries, then {more} with more plans, tasks and units"
    assert few <= 32
    if user.org_unit == levels_city:
        assert page.count('data-testid="level-plan"') == 2 and "市要点10" in page
        # The test county's line: every task it leads is late through its breakdown.
        assert "铜梁区双拥办" in page and 'data-testid="level-unit"' in page
    else:
        assert 'data-testid="panel-levels"' in page and "本级工作要点" in page


def test_the_city_office_home_rolls_the_breakdown_up(levels_city, levels_city_office, county, office_user):
    plan = WorkPlanFactory(owner_unit=levels_city, created_by=levels_city_office, title="2022年重庆市双拥工作要点")
    parent = TaskFactory(plan=plan, lead_unit=county, deadline=dt.date(2099, 1, 1))
    county_plan = WorkPlanFactory(owner_unit=county, created_by=office_user)
    (linked,) = task_breakdown(user=office_user, parent=parent, plan=county_plan, drafts=[BreakdownDraft(title="分解")])
    linked.status = TaskStatus.DONE
    linked.save()
    page, _ = _home(levels_city_office)
    row = page.split('data-testid="level-unit"')[1].split("</tr>")[0]
    assert "铜梁区双拥办" in row and '<td data-label="已完成">1</td>' in row


def test_city_office_and_leader_get_the_office_menus(levels_city_office, levels_city_leader):
    for user in (levels_city_office, levels_city_leader):
        names = {getattr(e, "url_name", None) for e in menu_for(user)} | {
            i.url_name for e in menu_for(user) for i in getattr(e, "items", [])
        }
        assert {"tasks:plan_list", "tasks:task_board", "reports:dashboard"} <= names
