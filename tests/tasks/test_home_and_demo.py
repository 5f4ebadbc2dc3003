"""Home panels (what is waiting for me), navigation entries and the idempotent demo seeder."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangyong.demo import seed_core
from tasks.demo import seed_tasks_demo
from tasks.models import DualListItem, DualListState, ProgressReport, Task, WorkPlan, today_shanghai
from tasks.panels import PANEL_ROWS, overdue_panel
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_home_shows_my_overdue_tasks(client_for, county, township_a_unit, township_a, township_b, office_user):
    TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        lead_unit=township_a_unit,
        title="逾期的任务",
        deadline=dt.date(2022, 8, 1),
    )
    page = client_for(township_a).get(reverse("home")).content.decode()
    assert 'data-testid="panel-overdue"' in page and "逾期的任务" in page
    assert "逾期的任务" not in client_for(township_b).get(reverse("home")).content.decode()
    assert "逾期的任务" in client_for(office_user).get(reverse("home")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_overdue_panel_counts_everything_and_lists_the_first_five(
    county, township_a_unit, troop_unit, office_user, django_assert_num_queries
):
    plan = TaskFactory(plan__owner_unit=county, plan__created_by=office_user, deadline=dt.date(2022, 12, 31)).plan
    for day in range(1, 8):
        TaskFactory(plan=plan, lead_unit=township_a_unit, title=f"逾期{day}", deadline=dt.date(2022, 8, day))
    DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, deadline=dt.date(2022, 8, 20))
    with django_assert_num_queries(2):  # first rows and total together, for tasks and for items
        panel = overdue_panel(office_user)
    assert panel is not None
    assert panel["task_count"] == 7 and [t.title for t in panel["tasks"]] == [f"逾期{d}" for d in range(1, 6)]
    assert len(panel["tasks"]) == PANEL_ROWS
    assert panel["item_count"] == 1 and len(panel["items"]) == 1


@time_machine.travel(NOW, tick=False)
def test_no_overdue_panel_when_nothing_is_late(county, office_user):
    TaskFactory(plan__owner_unit=county, plan__created_by=office_user, deadline=dt.date(2022, 12, 31))
    assert overdue_panel(office_user) is None


def test_home_shows_items_awaiting_my_confirmation(
    client_for, troop_unit, township_a_unit, troop_liaison, office_user, township_a
):
    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="待确认的事项",
        state=DualListState.CLOSE_REQUESTED,
        deadline=dt.date(2099, 1, 1),
    )
    assert "待确认的事项" in client_for(troop_liaison).get(reverse("home")).content.decode()
    assert "待确认的事项" in client_for(office_user).get(reverse("home")).content.decode()
    assert "待确认的事项" not in client_for(township_a).get(reverse("home")).content.decode()


def test_nav_entries_per_role(client_for, township_a, office_user, leader):
    township_page = client_for(township_a).get(reverse("home")).content.decode()
    assert reverse("tasks:my_tasks") in township_page and reverse("tasks:plan_list") not in township_page
    office_page = client_for(office_user).get(reverse("home")).content.decode()
    assert reverse("tasks:plan_list") in office_page and reverse("tasks:completion") in office_page
    assert reverse("tasks:completion") in client_for(leader).get(reverse("home")).content.decode()


def test_demo_seeder_is_idempotent():
    seed_core()
    seed_tasks_demo()
    # The county's plan (the demo also has a city above the county, with a plan of its own).
    year = today_shanghai().year
    plan = WorkPlan.objects.get(title=f"{year}年铜梁区双拥工作要点")
    assert plan.year == year and plan.owner_unit.code == "tl" and "丰都" not in plan.original_text
    # Its 12 work points, and the county's breakdown (任务分解) of the city's task: linked tasks.
    county_tasks = Task.objects.filter(plan=plan, parent_task__isnull=True)
    assert county_tasks.count() == 12
    assert county_tasks.filter(lead_unit__isnull=False).count() == 6
    assert ProgressReport.objects.filter(task__plan=plan).count() == 1 and DualListItem.objects.count() == 5
    # The demo city's task for the county, broken down into two tasks of the county's plan.
    city_task = Task.objects.get(plan__owner_unit__code="cq", parent_task__isnull=True, lead_unit__code="tl")
    assert {t.plan for t in city_task.linked_tasks.all()} == {plan} and city_task.linked_tasks.count() == 2
    # Title year = plan year = the tasks' year, at every level.
    assert city_task.plan.title == f"{year}年重庆市双拥工作要点（演示）" and city_task.plan.year == year
    assert all(p.title.startswith(f"{p.year}年") for p in WorkPlan.objects.all())
    # A realistic mix whatever the day: one task done, one late, one item waiting for sign-off.
    assert county_tasks.get(number="（七）").status == "done"
    assert [t.number for t in county_tasks if t.is_overdue] == ["（六）"]
    assert DualListItem.objects.filter(state=DualListState.CLOSE_REQUESTED).count() == 1
    counts = (WorkPlan.objects.count(), Task.objects.count(), ProgressReport.objects.count())
    seed_tasks_demo()
    assert (WorkPlan.objects.count(), Task.objects.count(), ProgressReport.objects.count()) == counts
    assert county_tasks.count() == 12 and DualListItem.objects.count() == 5


def test_an_older_demo_gets_its_plans_titled_and_dated_anew():
    """A demo seeded before: the county's plan named after 丰都县 in 2022, the city's titled 2022
    in the demo's year. Seeding again renames them (tasks kept), and adds no plan."""
    seed_core()
    seed_tasks_demo()
    year = today_shanghai().year
    county_plan = WorkPlan.objects.get(title=f"{year}年铜梁区双拥工作要点")
    city_plan = WorkPlan.objects.get(title=f"{year}年重庆市双拥工作要点（演示）")
    WorkPlan.objects.filter(pk=county_plan.pk).update(title="2022年丰都县双拥工作要点", year=2022)
    WorkPlan.objects.filter(pk=city_plan.pk).update(title="2022年重庆市双拥工作要点（演示）")
    counts = (WorkPlan.objects.count(), Task.objects.count())
    seed_tasks_demo()
    assert (WorkPlan.objects.count(), Task.objects.count()) == counts
    county_plan.refresh_from_db()
    city_plan.refresh_from_db()
    assert (county_plan.title, county_plan.year) == (f"{year}年铜梁区双拥工作要点", year)
    assert (city_plan.title, city_plan.year) == (f"{year}年重庆市双拥工作要点（演示）", year)
