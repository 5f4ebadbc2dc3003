"""Tasks, milestones and 双清单 items: who is reminded of what, when."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shuangyong.models import Notification, Reminder, Role
from shuangyong.reminders import registered_sources, run_scan
from tasks.models import DualListDirection, DualListState, Milestone, TaskStatus
from tasks.reminders import DualListSource, TaskSource
from tests.factories import UserFactory
from tests.reminders.conftest import SHANGHAI, at
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
D = dt.date(2027, 6, 30)


def reminded(user) -> list[str]:
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


def test_the_tasks_app_registers_its_sources():
    kinds = {type(s) for s in registered_sources()}
    assert {TaskSource, DualListSource} <= kinds


@pytest.fixture
def plan(county, office_user):
    return WorkPlanFactory(year=2027, owner_unit=county, created_by=office_user)


@pytest.fixture
def task(plan, township_a_unit, member_unit):
    return TaskFactory(
        plan=plan,
        number="（四）",
        title="全力服务部队练兵备战",
        lead_unit=township_a_unit,
        deadline=D,
        cooperating_units=[member_unit],
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(D - 7 * DAY, ["before_7"]), (D - 1 * DAY, ["before_1"]), (D, ["due"]), (D + 1 * DAY, ["overdue"])],
)
def test_a_task_reminds_the_lead_units_users_only(
    travel, task, township_a, township_a_head, township_b, member_liaison, moment, expected
):
    travel(at(moment))
    run_scan()
    assert reminded(township_a) == expected and reminded(township_a_head) == expected
    assert reminded(township_b) == [] and reminded(member_liaison) == []  # a cooperating unit is not the lead
    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a)
    assert note.title.startswith("工作任务“（四）全力服务部队练兵备战”")
    assert note.url == reverse("tasks:task_detail", args=[task.pk])
    assert f"http://127.0.0.1:8000{note.url}" in note.body and "2027年6月30日" in note.body
    assert run_scan().reminders_created == 0


def test_a_done_task_is_not_reminded(travel, task, township_a):
    task.status = TaskStatus.DONE
    task.save()
    travel(at(D))
    run_scan()
    assert reminded(township_a) == []


def test_a_task_the_lead_office_broke_down_reminds_through_its_linked_tasks(
    travel, levels_city, levels_city_office, county, office_user, township_a_unit, township_a
):
    """The city gives the county a task; the county breaks it down for 巴川街道: the street is
    reminded of its linked task, the county office not of the city's task (its page shows the
    roll-up, 已完成 once the linked tasks are closed)."""
    from tasks.services import BreakdownDraft, task_breakdown

    city_task = TaskFactory(
        plan__owner_unit=levels_city,
        plan__created_by=levels_city_office,
        plan__year=2027,
        lead_unit=county,
        deadline=D,
        title="市任务",
    )
    county_plan = WorkPlanFactory(year=2027, owner_unit=county, created_by=office_user)
    travel(at(D - 7 * DAY))
    run_scan()
    assert reminded(office_user) == ["before_7"]  # not broken down yet: the county is reminded
    (linked,) = task_breakdown(
        user=office_user,
        parent=city_task,
        plan=county_plan,
        drafts=[BreakdownDraft(title="巴川街道落实", lead_unit=township_a_unit, deadline=D - 2 * DAY)],
    )
    travel(at(D + DAY))
    run_scan()
    assert reminded(office_user) == ["before_7"]  # nothing more about the broken-down task
    assert Reminder.objects.filter(recipient=township_a, object_id=linked.pk, threshold="overdue").exists()


def test_a_breakdown_given_to_no_unit_leaves_the_county_reminded(
    travel, levels_city, levels_city_office, county, office_user
):
    from tasks.services import BreakdownDraft, task_breakdown

    city_task = TaskFactory(
        plan__owner_unit=levels_city,
        plan__created_by=levels_city_office,
        plan__year=2027,
        lead_unit=county,
        deadline=D,
        title="市任务",
    )
    task_breakdown(
        user=office_user,
        parent=city_task,
        plan=WorkPlanFactory(year=2027, owner_unit=county, created_by=office_user),
        drafts=[BreakdownDraft(title="区双拥办统筹协调")],  # no lead unit: nobody below is reminded of it
    )
    travel(at(D + DAY))
    run_scan()
    assert reminded(office_user) == ["overdue"]


def test_a_milestone_has_its_own_reminders(travel, task, township_a):
    Milestone.objects.create(task=task, title="完成场地协调", deadline=D - 20 * DAY)
    Milestone.objects.create(task=task, title="已完成的节点", deadline=D - 20 * DAY, done=True)
    travel(at(D - 21 * DAY))
    run_scan()
    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a)
    assert note.title == "工作任务“（四）全力服务部队练兵备战”的节点“完成场地协调”还有1天到期"
    assert note.url == reverse("tasks:task_detail", args=[task.pk])


def test_an_overdue_task_escalates_to_heads_and_is_in_the_digest(travel, task, township_a_head, office_user):
    travel(at(D + 3 * DAY))
    run_scan()
    assert reminded(township_a_head) == ["escalation", "overdue"]
    digest = Notification.objects.get(recipient=office_user, reminder__threshold="digest")
    assert "工作任务“（四）全力服务部队练兵备战”｜巴川街道｜时限2027年6月30日｜逾期3天（已升级）" in digest.body


@pytest.fixture
def dual_item(township_a_unit, troop_unit, office_user):
    return DualListItemFactory(
        year=2027,
        content="协调解决驻地部队训练场地问题",
        responsible_unit=township_a_unit,
        troop_unit=troop_unit,
        deadline=D,
        state=DualListState.IN_PROGRESS,
        created_by=office_user,
    )


def test_a_dual_list_item_reminds_the_responsible_unit_before_and_on_the_deadline(
    travel, dual_item, township_a, troop_liaison, township_b
):
    travel(at(D - 3 * DAY))
    run_scan()
    travel(at(D))
    run_scan()
    travel(at(D + 1 * DAY))
    run_scan()
    assert reminded(township_a) == ["before_3", "due"]  # not nagged after the deadline
    assert reminded(troop_liaison) == [] and reminded(township_b) == []
    titles = list(Notification.objects.filter(recipient=township_a).values_list("title", flat=True))
    assert "双清单（地方为部队办实事）事项“协调解决驻地部队训练场地问题”今天到期" in titles


@pytest.mark.parametrize("state", [DualListState.PROPOSED, DualListState.CLOSED])
def test_proposed_or_closed_items_are_not_reminded(travel, dual_item, township_a, state):
    dual_item.state = state
    dual_item.save()
    travel(at(D))
    run_scan()
    assert reminded(township_a) == []


def close_requested(item, day: dt.date) -> None:
    item.state = DualListState.CLOSE_REQUESTED
    item.close_requested_at = dt.datetime(day.year, day.month, day.day, 16, 0, tzinfo=SHANGHAI)
    item.save()


def test_a_close_request_waiting_three_days_reminds_the_confirming_side(
    travel, dual_item, township_a, troop_liaison, office_user
):
    close_requested(dual_item, D - 10 * DAY)
    travel(at(D - 8 * DAY))
    run_scan()
    assert reminded(troop_liaison) == [] and reminded(office_user) == []

    travel(at(D - 7 * DAY))
    run_scan()
    run_scan()
    assert reminded(troop_liaison) == ["close_confirm"] and reminded(office_user) == ["close_confirm"]
    assert reminded(township_a) == []  # the unit that asked is waiting, not reminded
    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=troop_liaison)
    assert note.title == "双清单（地方为部队办实事）事项“协调解决驻地部队训练场地问题”申请销号已3天，等待您确认"
    assert "巴川街道于2027年6月20日申请销号" in note.body


def test_a_side_that_has_confirmed_is_not_reminded(travel, dual_item, troop_liaison, office_user):
    dual_item.receiver_confirmed_by = troop_liaison
    dual_item.receiver_confirmed_at = at(D - 9 * DAY)
    dual_item.save()
    close_requested(dual_item, D - 10 * DAY)
    travel(at(D - 5 * DAY))
    run_scan()
    assert reminded(troop_liaison) == [] and reminded(office_user) == ["close_confirm"]


def test_for_troop_to_locality_items_both_confirmations_are_the_offices(
    travel, dual_item, troop_liaison, office_user, county
):
    second_office = UserFactory(org_unit=county, role=Role.OFFICE)
    dual_item.direction = DualListDirection.TO_LOCALITY
    dual_item.office_confirmed_by = office_user
    dual_item.office_confirmed_at = at(D - 9 * DAY)
    dual_item.save()
    close_requested(dual_item, D - 10 * DAY)
    travel(at(D - 5 * DAY))
    run_scan()
    # office_user has confirmed; the receiving confirmation must come from another office user.
    assert reminded(second_office) == ["close_confirm"]
    assert reminded(office_user) == [] and reminded(troop_liaison) == []


def test_a_new_close_request_after_a_send_back_is_reminded_again(travel, dual_item, troop_liaison):
    close_requested(dual_item, D - 10 * DAY)
    travel(at(D - 6 * DAY))
    run_scan()
    close_requested(dual_item, D - 4 * DAY)  # sent back, then asked again
    travel(at(D))
    run_scan()
    assert reminded(troop_liaison) == ["close_confirm", "close_confirm"]


def test_sources_cost_a_fixed_number_of_queries(
    travel, plan, township_a_unit, township_a, troop_unit, office_user, django_assert_max_num_queries
):
    for i in range(30):
        task = TaskFactory(plan=plan, lead_unit=township_a_unit, deadline=D + (i % 5) * DAY)
        Milestone.objects.create(task=task, title=f"节点{i}", deadline=D)
        DualListItemFactory(
            responsible_unit=township_a_unit,
            troop_unit=troop_unit,
            deadline=D,
            state=DualListState.ASSIGNED,
            created_by=office_user,
        )
    travel(at(D, hour=7))
    specs = [*TaskSource().deadline_specs(), *DualListSource().deadline_specs()]
    keys = [set(spec.rows(D).values_list("pk", flat=True)) for spec in specs]
    with django_assert_max_num_queries(3):  # one query per kind names all its items
        named = [spec.describe(k) for spec, k in zip(specs, keys, strict=True)]
    assert [len(n) for n in named] == [30, 30, 30]
    with django_assert_max_num_queries(40):  # per kind: 2 INSERT … SELECT, read-back, names, entries
        assert run_scan(deliver=False).reminders_created == 90
