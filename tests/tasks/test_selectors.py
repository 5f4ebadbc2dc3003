"""The contract selectors: scoped, right numbers, fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tasks.models import DualListDirection, DualListState, TaskStatus
from tasks.selectors import dual_list_summary, task_completion_by_unit, tasks_for
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def tasks(county, township_a_unit, township_b_unit, member_unit, office_user):
    plan_kwargs = {"plan__owner_unit": county, "plan__created_by": office_user}
    first = TaskFactory(**plan_kwargs, lead_unit=township_a_unit, status=TaskStatus.DONE)
    plan = first.plan
    TaskFactory(plan=plan, lead_unit=township_a_unit, deadline=dt.date(2022, 8, 1))  # late
    TaskFactory(plan=plan, lead_unit=township_a_unit, deadline=dt.date(2022, 12, 1), cooperating_units=[member_unit])
    TaskFactory(plan=plan, lead_unit=township_b_unit, status=TaskStatus.DONE, deadline=dt.date(2022, 1, 1))
    TaskFactory(plan=plan, lead_unit=None)
    return plan


def test_completion_by_unit_for_office(tasks, office_user, township_a_unit, township_b_unit, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(2):
        stats = task_completion_by_unit(user=office_user, year=2022)
    by_unit = {s.unit: s for s in stats}
    # The task without a lead unit is counted on a line of its own, last: totals = the tasks.
    assert set(by_unit) == {township_a_unit, township_b_unit, None} and stats[-1].unit is None
    assert stats[-1].unit_name == "未指定牵头单位" and stats[-1].total == 1
    assert sum(s.total for s in stats) == 5
    a = by_unit[township_a_unit]
    assert (a.total, a.completed, a.overdue) == (3, 1, 1) and a.rate == pytest.approx(1 / 3)
    b = by_unit[township_b_unit]
    assert (b.total, b.completed, b.overdue, b.rate) == (1, 1, 0, 1.0)
    assert task_completion_by_unit(user=office_user, year=2021) == []


def test_completion_is_scoped(tasks, township_b, township_b_unit, member_liaison):
    with time_machine.travel(NOW, tick=False):
        assert [s.unit for s in task_completion_by_unit(user=township_b, year=2022)] == [township_b_unit]
        # 教育局 cooperates on one of 巴川's tasks: it sees that task, hence 巴川's line with that task only.
        stats = task_completion_by_unit(user=member_liaison, year=2022)
    assert [(s.unit.name, s.total) for s in stats] == [("巴川街道", 1)]


def test_tasks_for_cooperating_unit(tasks, member_liaison, township_b):
    assert tasks_for(member_liaison).count() == 1
    assert tasks_for(township_b).count() == 1


def test_dual_list_summary(
    county, troop_unit, township_a_unit, office_user, troop_liaison, township_b, django_assert_num_queries
):
    from tests.factories import OrgUnitFactory

    other_troop = OrgUnitFactory(name="武警中队", kind="troop", parent=county)
    DualListItemFactory(troop_unit=troop_unit, state=DualListState.CLOSED, deadline=dt.date(2022, 1, 1))
    DualListItemFactory(
        troop_unit=troop_unit,
        deadline=dt.date(2022, 8, 1),
        responsible_unit=township_a_unit,
        state=DualListState.IN_PROGRESS,
    )
    DualListItemFactory(troop_unit=troop_unit, direction=DualListDirection.TO_LOCALITY, responsible_unit=troop_unit)
    DualListItemFactory(troop_unit=other_troop)
    DualListItemFactory(troop_unit=troop_unit, year=2021)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(2):
        rows = dual_list_summary(user=office_user, year=2022)
    got = [(r.troop_unit.name, r.direction, r.total, r.closed, r.overdue) for r in rows]
    assert got == [
        ("驻铜某部一营", "to_troops", 2, 1, 1),
        ("驻铜某部一营", "to_locality", 1, 0, 0),
        ("武警中队", "to_troops", 1, 0, 0),
    ]
    with time_machine.travel(NOW, tick=False):
        assert [r.troop_unit for r in dual_list_summary(user=troop_liaison, year=2022)] == [troop_unit, troop_unit]
        # 东城街道 is responsible for nothing: it sees no line.
        assert dual_list_summary(user=township_b, year=2022) == []
