"""Above the county, the summaries by unit (task completion, 双清单) have one line per county (city)
below, with the units inside it, not one line per township, member unit or troop of the whole
subtree (a province has thousands): the county office still sees its own units one by one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangyong.models import OrgUnitKind, Role
from tasks.models import DualListDirection, DualListState, TaskStatus
from tasks.selectors import dual_list_summary, task_completion_by_unit
from tests.factories import OrgUnitFactory, UserFactory
from tests.levels import build_city
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def cq(county, township_a_unit, township_b_unit, member_unit, office_user, troop_unit):
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit, troop_unit):
        unit.refresh_from_db()
    return city


@pytest.fixture
def tasks(cq, county, township_a_unit, township_b_unit, office_user):
    """The county's plan (its townships lead), the other county's plan and the city's own plan."""
    tl = {"plan__owner_unit": county, "plan__created_by": office_user, "plan__year": 2022}
    first = TaskFactory(**tl, lead_unit=township_a_unit, status=TaskStatus.DONE)
    TaskFactory(plan=first.plan, lead_unit=township_a_unit, deadline=dt.date(2022, 8, 1))  # late
    TaskFactory(plan=first.plan, lead_unit=township_b_unit, deadline=dt.date(2022, 12, 1))
    yc = TaskFactory(plan__owner_unit=cq.yc, plan__created_by=cq.yc_office, plan__year=2022, lead_unit=cq.yc_a)
    TaskFactory(plan=yc.plan, lead_unit=cq.yc_b, status=TaskStatus.DONE)
    city = TaskFactory(plan__owner_unit=cq.city, plan__created_by=cq.city_office, plan__year=2022, lead_unit=county)
    TaskFactory(plan=city.plan, lead_unit=cq.city_member, deadline=dt.date(2022, 7, 1))  # late
    TaskFactory(plan=city.plan, lead_unit=None)
    return first.plan


def test_the_city_sees_one_task_line_per_county_and_its_own_member_units(
    tasks, cq, county, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(3):
        stats = task_completion_by_unit(user=cq.city_leader, year=2022)
    got = [(s.unit_name, s.total, s.completed, s.overdue) for s in stats]
    assert got == [
        # 铜梁: the city's task given to the county and the three tasks its townships lead.
        ("铜梁区双拥办（含所属单位）", 4, 1, 1),
        ("永川区双拥办（含所属单位）", 2, 1, 0),
        ("市教育委员会", 1, 0, 1),
        ("未指定牵头单位", 1, 0, 0),
    ]
    assert sum(s.total for s in stats) == 8  # every task once
    assert stats[0].rate == pytest.approx(1 / 4)


def test_the_county_office_still_sees_its_units_one_by_one(
    tasks, cq, county, office_user, township_a_unit, township_b_unit
):
    with time_machine.travel(NOW, tick=False):
        stats = task_completion_by_unit(user=office_user, year=2022)
    assert [(s.unit, s.total, s.with_units_below) for s in stats] == [
        (county, 1, False),  # the city's task given to the county itself
        (township_a_unit, 2, False),
        (township_b_unit, 1, False),
    ]


def test_the_province_sees_one_line_per_city(tasks, cq):
    province = OrgUnitFactory(name="四川省双拥办", code="sc", kind=OrgUnitKind.PROVINCE)
    cq.city.parent = province
    cq.city.save()
    province_leader = UserFactory(username="sc_leader", org_unit=province, role=Role.LEADER)
    with time_machine.travel(NOW, tick=False):
        stats = task_completion_by_unit(user=province_leader, year=2022)
    # The city's task without a lead unit is the city's to do: on the city's line at the province.
    assert [(s.unit_name, s.total, s.completed, s.overdue) for s in stats] == [
        ("重庆市双拥工作领导小组办公室（含所属单位）", 8, 2, 2),
    ]


def test_dual_list_lines_per_county_above_the_county(cq, county, troop_unit, township_a_unit, office_user):
    yc_troop = OrgUnitFactory(name="驻永某部", code="yc-bd", kind=OrgUnitKind.TROOP, parent=cq.yc)
    other_troop = OrgUnitFactory(name="武警中队", code="tl-wj", kind=OrgUnitKind.TROOP, parent=county)
    DualListItemFactory(troop_unit=troop_unit, state=DualListState.CLOSED)
    DualListItemFactory(troop_unit=other_troop, deadline=dt.date(2022, 8, 1))  # late
    DualListItemFactory(troop_unit=troop_unit, direction=DualListDirection.TO_LOCALITY, responsible_unit=troop_unit)
    DualListItemFactory(troop_unit=yc_troop)
    with time_machine.travel(NOW, tick=False):
        city_rows = dual_list_summary(user=cq.city_leader, year=2022)
        county_rows = dual_list_summary(user=office_user, year=2022)
    assert [(r.unit_name, r.direction, r.total, r.closed, r.overdue) for r in city_rows] == [
        ("铜梁区双拥办（含驻地部队）", "to_troops", 2, 1, 1),
        ("铜梁区双拥办（含驻地部队）", "to_locality", 1, 0, 0),
        ("永川区双拥办（含驻地部队）", "to_troops", 1, 0, 0),
    ]
    assert {r.unit_name for r in county_rows} == {"驻铜某部一营", "武警中队"}  # the county: troop by troop


def test_the_city_pages_show_the_county_lines(tasks, cq, client_for):
    with time_machine.travel(NOW, tick=False):
        completion = client_for(cq.city_leader).get(reverse("tasks:completion") + "?year=2022")
        dashboard = client_for(cq.city_leader).get(reverse("reports:dashboard"))
    assert completion.status_code == 200 and dashboard.status_code == 200
    assert "铜梁区双拥办（含所属单位）" in completion.content.decode()
    assert "巴川街道" not in completion.content.decode()
    assert "铜梁区双拥办（含所属单位）" in dashboard.content.decode()
