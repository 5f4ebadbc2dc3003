"""任务分解 (issue 15 point 4): a county breaks a city task down into tasks of its own plan, and the
city sees the linked tasks' progress rolled up: done when every linked task is done, late when
one of them is late (docs/levels.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tasks import selectors
from tasks.models import Task, TaskStatus, WorkPlan
from tasks.services import BreakdownDraft, closure_request_create, closure_request_decide, task_breakdown
from tests.tasks.factories import TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2022, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def city_task(levels_city, county, levels_county2, levels_city_office):
    """A task of the city's plan, led by the county (铜梁) with 永川 cooperating."""
    return TaskFactory(
        plan__owner_unit=levels_city,
        plan__created_by=levels_city_office,
        title="全力服务部队练兵备战",
        lead_unit=county,
        cooperating_units=[levels_county2],
        deadline=dt.date(2022, 12, 31),
    )


@pytest.fixture
def county_plan(county, office_user):
    return WorkPlanFactory(owner_unit=county, created_by=office_user, title="2022年铜梁区双拥工作要点")


def _break_down(user, parent, plan, *drafts):
    return task_breakdown(user=user, parent=parent, plan=plan, drafts=list(drafts))


def _shown(user, task) -> str:
    return selectors.get_task_for(user, task.pk).display_status


def test_closing_the_countys_linked_tasks_closes_the_citys_view(
    city_task, county_plan, office_user, levels_county2_office, township_a_unit, township_a, levels_city_office
):
    first, second = _break_down(
        office_user,
        city_task,
        county_plan,
        BreakdownDraft(title="巴川街道落实练兵备战保障", lead_unit=township_a_unit, deadline=dt.date(2022, 11, 30)),
        BreakdownDraft(title="区双拥办统筹协调"),
    )
    assert first.parent_task == city_task and second.plan == county_plan
    assert second.deadline == city_task.deadline  # no deadline given: the parent's
    yc_plan = WorkPlanFactory(owner_unit=levels_county2_office.org_unit, created_by=levels_county2_office)
    (yc_task,) = _break_down(levels_county2_office, city_task, yc_plan, BreakdownDraft(title="永川区落实"))
    assert _shown(levels_city_office, city_task) == TaskStatus.NOT_STARTED  # nothing below has started
    Task.objects.filter(pk=yc_task.pk).update(status=TaskStatus.IN_PROGRESS)
    assert _shown(levels_city_office, city_task) == TaskStatus.IN_PROGRESS

    # The township closes its part through the county office; the county closes its own.
    closure_request_decide(
        user=office_user, request=closure_request_create(user=township_a, task=first, note="已完成"), accept=True
    )
    Task.objects.filter(pk__in=[second.pk, yc_task.pk]).update(status=TaskStatus.DONE)
    assert Task.objects.get(pk=city_task.pk).status == TaskStatus.NOT_STARTED  # nothing re-entered above
    assert _shown(levels_city_office, city_task) == TaskStatus.DONE

    page = _client_page(levels_city_office, city_task)
    assert 'data-status="done"' in page and page.count('data-testid="linked-task"') == 3


def test_a_county_that_has_not_broken_it_down_keeps_it_open(
    city_task, county_plan, office_user, levels_city_office, levels_county2
):
    (task,) = _break_down(office_user, city_task, county_plan, BreakdownDraft(title="区双拥办统筹协调"))
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    # 永川 cooperates but has not broken its part down: the city task is not done yet.
    assert _shown(levels_city_office, city_task) == TaskStatus.IN_PROGRESS
    page = _client_page(levels_city_office, city_task)
    assert "尚未分解：永川区双拥办" in page


def test_a_late_linked_task_makes_the_city_task_late(city_task, county_plan, office_user, levels_city_office):
    _break_down(office_user, city_task, county_plan, BreakdownDraft(title="按期完成", deadline=dt.date(2022, 12, 1)))
    _break_down(office_user, city_task, county_plan, BreakdownDraft(title="已逾期", deadline=dt.date(2022, 5, 1)))
    assert Task.objects.get(pk=city_task.pk).deadline > TODAY.date()  # the city's own deadline is not passed
    assert _shown(levels_city_office, city_task) == TaskStatus.OVERDUE
    board = _client_get(levels_city_office, reverse("tasks:task_board"))
    assert 'data-status="overdue"' in board


def test_the_board_rolls_up_without_a_query_per_task(
    city_task, county_plan, office_user, levels_city_office, levels_city, django_assert_max_num_queries
):
    _break_down(office_user, city_task, county_plan, BreakdownDraft(title="一"))
    client = _client(levels_city_office)
    url = reverse("tasks:task_board")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(12):
        parent = TaskFactory(plan=city_task.plan, lead_unit=city_task.lead_unit, title=f"市任务{i}")
        _break_down(office_user, parent, county_plan, BreakdownDraft(title=f"分解{i}", deadline=dt.date(2022, 5, 1)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-status="overdue"') >= 12


def test_breakdown_is_all_or_nothing(city_task, county_plan, office_user, township_a_unit, levels_county2):
    with pytest.raises(ValidationError) as error:
        _break_down(
            office_user,
            city_task,
            county_plan,
            BreakdownDraft(title="可以", lead_unit=township_a_unit),
            BreakdownDraft(title="单位不对", lead_unit=levels_county2),  # another county: not the county's to task
            BreakdownDraft(title="时限太晚", deadline=dt.date(2023, 1, 31)),
        )
    assert "第2项" in str(error.value) and "第3项" in str(error.value)
    assert not Task.objects.filter(parent_task=city_task).exists()


def test_only_a_receiving_office_breaks_down_into_its_own_plan(
    city_task, county_plan, office_user, levels_city_office, leader, township_a, levels_county2_office
):
    for user in (levels_city_office, leader, township_a):  # the plan's owner, a reader, a township
        with pytest.raises(PermissionDenied):
            _break_down(user, city_task, county_plan, BreakdownDraft(title="x"))
    with pytest.raises(PermissionDenied):  # 永川 received the task, but this is 铜梁's plan
        _break_down(levels_county2_office, city_task, county_plan, BreakdownDraft(title="x"))
    assert not Task.objects.filter(parent_task=city_task).exists()


def test_breakdown_page_creates_linked_tasks_in_a_new_plan(city_task, office_user, township_a_unit, client):
    client.force_login(office_user)
    detail = client.get(reverse("tasks:task_detail", args=[city_task.pk])).content.decode()
    assert 'data-testid="breakdown-link"' in detail
    url = reverse("tasks:task_breakdown", args=[city_task.pk])
    assert client.get(url).status_code == 200
    data = {
        "plan": "",
        "new_plan_title": "铜梁区落实市双拥工作要点任务分解",
        "tasks-TOTAL_FORMS": "2",
        "tasks-INITIAL_FORMS": "1",
        "tasks-MIN_NUM_FORMS": "1",
        "tasks-MAX_NUM_FORMS": "20",
        "tasks-0-title": "巴川街道落实",
        "tasks-0-lead_unit": str(township_a_unit.pk),
        "tasks-0-deadline": "2022-10-31",
        "tasks-1-title": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    plan = WorkPlan.objects.get(title="铜梁区落实市双拥工作要点任务分解")
    (task,) = Task.objects.filter(parent_task=city_task)
    assert task.plan == plan and plan.owner_unit == office_user.org_unit and task.lead_unit == township_a_unit
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="parent-task"' in page
    plan_page = client.get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    assert "巴川街道落实" in plan_page


def test_breakdown_page_refuses_a_late_deadline_at_the_row(city_task, county_plan, office_user, client):
    client.force_login(office_user)
    url = reverse("tasks:task_breakdown", args=[city_task.pk])
    data = {
        "plan": str(county_plan.pk),
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        "tasks-MIN_NUM_FORMS": "1",
        "tasks-MAX_NUM_FORMS": "20",
        "tasks-0-title": "太晚",
        "tasks-0-deadline": "2023-03-01",
    }
    page = client.post(url, data).content.decode()
    assert "完成时限不能晚于上级任务的时限（2022-12-31）" in page
    assert not Task.objects.filter(parent_task=city_task).exists()


def test_breakdown_offers_only_plans_of_the_parents_year(city_task, county_plan, office_user, client):
    """A linked task counts in its parent's year: another year's plan is not offered, and a posted
    one is refused at the field (the service refuses it too)."""
    old_plan = WorkPlanFactory(owner_unit=office_user.org_unit, created_by=office_user, year=2021, title="2021年要点")
    client.force_login(office_user)
    url = reverse("tasks:task_breakdown", args=[city_task.pk])
    page = client.get(url).content.decode()
    assert county_plan.title in page and "2021年要点" not in page
    data = {
        "plan": str(old_plan.pk),
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        "tasks-MIN_NUM_FORMS": "1",
        "tasks-MAX_NUM_FORMS": "20",
        "tasks-0-title": "分解",
    }
    page = client.post(url, data).content.decode()
    assert "只能选择本单位2022年度的工作要点" in page
    assert not Task.objects.filter(parent_task=city_task).exists()
    with pytest.raises(ValidationError) as refused:
        _break_down(office_user, city_task, old_plan, BreakdownDraft(title="分解"))
    assert "plan" in refused.value.message_dict


def test_the_city_office_and_others_get_no_breakdown_page(city_task, levels_city_office, township_a, client):
    url = reverse("tasks:task_breakdown", args=[city_task.pk])
    client.force_login(levels_city_office)
    assert client.get(url).status_code == 403
    client.force_login(township_a)
    assert client.get(url).status_code == 404  # the city task is not the township's


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _client_get(user, url) -> str:
    response = _client(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _client_page(user, task) -> str:
    return _client_get(user, reverse("tasks:task_detail", args=[task.pk]))


def test_breakdown_page_costs_fixed_queries(
    city_task, county_plan, office_user, township_a_unit, levels_city, django_assert_max_num_queries
):
    """The form's unit lists and the office's plans are each one query, whatever their size."""
    client = _client(office_user)
    url = reverse("tasks:task_breakdown", args=[city_task.pk])
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    from tests.factories import OrgUnitFactory

    for i in range(10):
        OrgUnitFactory(name=f"新街道{i}", parent=office_user.org_unit)
        WorkPlanFactory(owner_unit=office_user.org_unit, created_by=office_user, title=f"要点{i}")
        _break_down(office_user, city_task, county_plan, BreakdownDraft(title=f"分解{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "新街道9" in page and "要点9" in page


def test_the_board_filters_by_the_rolled_up_status(city_task, county_plan, office_user, levels_city_office):
    city_task.cooperating_units.clear()  # the county alone received it
    (linked,) = _break_down(office_user, city_task, county_plan, BreakdownDraft(title="分解"))
    client = _client(levels_city_office)
    url = reverse("tasks:task_board")

    def listed(status: str) -> bool:
        return city_task.title in client.get(url, {"status": status}).content.decode()

    # Nothing below has started: 未启动, as the page shows it.
    assert listed("not_started") and not listed("in_progress") and not listed("done")
    Task.objects.filter(pk=linked.pk).update(status=TaskStatus.IN_PROGRESS)
    assert listed("in_progress") and not listed("not_started") and not listed("done")
    Task.objects.filter(pk=linked.pk).update(status=TaskStatus.DONE)
    assert listed("done") and not listed("in_progress")
    Task.objects.filter(pk=linked.pk).update(status=TaskStatus.IN_PROGRESS, deadline=dt.date(2022, 5, 1))
    assert listed("overdue") and not listed("in_progress") and not listed("done")


def test_the_demo_breaks_a_city_task_down_when_the_demo_has_a_city(db):
    from shuangyong.models import OrgUnitKind, Role
    from tasks.demo import _seed_city_breakdown, city_plan_title
    from tests.factories import OrgUnitFactory, UserFactory

    city = OrgUnitFactory(code="cq", kind=OrgUnitKind.CITY, name="重庆市双拥工作领导小组办公室")
    county = OrgUnitFactory(code="tl", kind=OrgUnitKind.COUNTY, parent=city, name="铜梁区双拥办")
    OrgUnitFactory(code="tl-bc", kind=OrgUnitKind.TOWNSHIP, parent=county, name="巴川街道")
    OrgUnitFactory(code="yc", kind=OrgUnitKind.COUNTY, parent=city, name="永川区双拥办")
    UserFactory(username="city_office", org_unit=city, role=Role.OFFICE)
    UserFactory(username="office", org_unit=county, role=Role.OFFICE)
    _seed_city_breakdown(TODAY.date())
    _seed_city_breakdown(TODAY.date())  # idempotent
    parent = Task.objects.get(plan__title=city_plan_title(TODAY.year))
    assert parent.plan.year == TODAY.year
    assert {t.plan.year for t in parent.linked_tasks.all()} == {TODAY.year}
    assert parent.linked_tasks.count() == 2
    assert {t.plan.owner_unit for t in parent.linked_tasks.all()} == {county}


def test_the_roll_up_follows_every_level_down(
    levels_province, levels_province_office, levels_city, levels_city_office, county, office_user, member_unit
):
    """Province → city → county: what the county does shows at the province, typed nowhere above."""
    province_task = TaskFactory(
        plan__owner_unit=levels_province,
        plan__created_by=levels_province_office,
        title="深化全民国防教育",
        lead_unit=levels_city,
        deadline=dt.date(2022, 12, 31),
    )
    city_plan = WorkPlanFactory(owner_unit=levels_city, created_by=levels_city_office, title="2022年市双拥工作要点")
    (city_part,) = _break_down(
        levels_city_office,
        province_task,
        city_plan,
        BreakdownDraft(title="各区县落实国防教育", lead_unit=county, deadline=dt.date(2022, 12, 1)),
    )
    (county_part,) = _break_down(
        office_user,
        city_part,
        WorkPlanFactory(owner_unit=county, created_by=office_user),
        BreakdownDraft(title="区教委开展国防教育进校园", lead_unit=member_unit, deadline=dt.date(2022, 11, 30)),
    )
    assert _shown(levels_province_office, province_task) == TaskStatus.NOT_STARTED
    not_started = selectors.tasks_for(levels_province_office).with_shown_status(TaskStatus.NOT_STARTED)
    assert province_task.pk in set(not_started.values_list("pk", flat=True))

    # Started at the bottom: 推进中 two levels up, in Python and in SQL.
    Task.objects.filter(pk=county_part.pk).update(status=TaskStatus.IN_PROGRESS)
    assert _shown(levels_province_office, province_task) == TaskStatus.IN_PROGRESS
    in_progress = selectors.tasks_for(levels_province_office).with_shown_status(TaskStatus.IN_PROGRESS)
    assert province_task.pk in set(in_progress.values_list("pk", flat=True))
    Task.objects.filter(pk=county_part.pk).update(status=TaskStatus.NOT_STARTED)

    # Late at the bottom: late at every level above, though no deadline above has passed.
    Task.objects.filter(pk=county_part.pk).update(deadline=dt.date(2022, 5, 1))
    assert _shown(levels_city_office, city_part) == TaskStatus.OVERDUE
    assert _shown(levels_province_office, province_task) == TaskStatus.OVERDUE

    # The county closes its part: done for the city and for the province.
    Task.objects.filter(pk=county_part.pk).update(status=TaskStatus.DONE)
    assert _shown(levels_city_office, city_part) == TaskStatus.DONE
    assert _shown(levels_province_office, province_task) == TaskStatus.DONE
    assert set(Task.objects.filter(pk__in=[province_task.pk, city_part.pk]).values_list("status", flat=True)) == {
        TaskStatus.NOT_STARTED
    }  # nothing re-entered above
    done = selectors.tasks_for(levels_province_office).with_shown_status(TaskStatus.DONE)
    assert province_task.pk in set(done.values_list("pk", flat=True))
    board = _client_get(levels_province_office, reverse("tasks:task_board") + "?status=done")
    assert "深化全民国防教育" in board


def test_a_linked_task_stays_due_no_later_than_the_task_above(
    city_task, county_plan, office_user, township_a_unit, township_a
):
    from tasks.services import extension_request_create, extension_request_decide, task_update

    (linked,) = _break_down(
        office_user,
        city_task,
        county_plan,
        BreakdownDraft(title="巴川街道落实", lead_unit=township_a_unit, deadline=dt.date(2022, 11, 30)),
    )
    edit = {"title": linked.title, "text": "", "lead_unit": township_a_unit, "cooperating_units": []}
    with pytest.raises(ValidationError) as no_deadline:
        task_update(user=office_user, task=linked, deadline=None, **edit)
    assert "须填写完成时限" in str(no_deadline.value.message_dict["deadline"])
    with pytest.raises(ValidationError) as too_late:
        task_update(user=office_user, task=linked, deadline=dt.date(2023, 1, 15), **edit)
    assert "不能晚于上级任务的时限（2022-12-31）" in str(too_late.value.message_dict["deadline"])
    assert Task.objects.get(pk=linked.pk).deadline == dt.date(2022, 11, 30)
    task_update(user=office_user, task=Task.objects.get(pk=linked.pk), deadline=dt.date(2022, 12, 31), **edit)

    # An extension past the city's deadline is the city's to grant, not the county's.
    ask = extension_request_create(
        user=township_a, task=Task.objects.get(pk=linked.pk), requested_deadline=dt.date(2023, 2, 1), reason="天气"
    )
    with pytest.raises(ValidationError):
        extension_request_decide(user=office_user, request=ask, approve=True)
    assert Task.objects.get(pk=linked.pk).deadline == dt.date(2022, 12, 31)


def test_moving_the_city_deadline_earlier_brings_the_linked_tasks_with_it(
    city_task, county_plan, office_user, township_a_unit, levels_city_office, township_a
):
    from shuangyong.models import Notification
    from tasks.services import task_update

    (linked,) = _break_down(
        office_user,
        city_task,
        county_plan,
        BreakdownDraft(title="巴川街道落实", lead_unit=township_a_unit, deadline=dt.date(2022, 11, 30)),
    )
    task_update(
        user=levels_city_office,
        task=city_task,
        title=city_task.title,
        text="",
        lead_unit=city_task.lead_unit,
        cooperating_units=list(city_task.cooperating_units.all()),
        deadline=dt.date(2022, 9, 30),
    )
    linked.refresh_from_db()
    assert linked.deadline == dt.date(2022, 9, 30)  # never later than the task above
    assert linked.history.first().deadline == dt.date(2022, 9, 30)
    assert linked.history.count() >= 2  # the earlier deadline is kept in its history
    assert Notification.objects.filter(recipient=township_a, title__startswith="时限提前").exists()


def test_the_completion_table_counts_each_piece_of_work_once(
    city_task, county_plan, office_user, levels_city_office, levels_county2, levels_county2_office, township_a_unit
):
    """The 完成率 table, chart and workbook count a task broken down through its linked tasks, not a
    second time itself: the city's task 铜梁 broke down is 铜梁's linked tasks on 铜梁's line, done
    when they are done; 永川's part is on 永川's line once 永川 broke it down."""
    (linked, coordination) = _break_down(
        office_user,
        city_task,
        county_plan,
        BreakdownDraft(title="分解", lead_unit=township_a_unit),
        BreakdownDraft(title="区双拥办统筹协调"),  # no lead unit: the county's own line
    )
    yc_plan = WorkPlanFactory(owner_unit=levels_county2, created_by=levels_county2_office)
    (yc_task,) = _break_down(levels_county2_office, city_task, yc_plan, BreakdownDraft(title="永川区落实"))

    def lines(user):
        return {
            s.unit_name: (s.total, s.completed, s.overdue)
            for s in selectors.task_completion_by_unit(user=user, year=TODAY.year)
        }

    assert lines(levels_city_office) == {"铜梁区双拥办（含所属单位）": (2, 0, 0), "永川区双拥办": (1, 0, 0)}
    Task.objects.filter(pk=linked.pk).update(deadline=dt.date(2022, 5, 1))
    assert lines(levels_city_office)["铜梁区双拥办（含所属单位）"] == (2, 0, 1)
    Task.objects.filter(pk__in=[linked.pk, coordination.pk, yc_task.pk]).update(status=TaskStatus.DONE)
    assert lines(levels_city_office) == {"铜梁区双拥办（含所属单位）": (2, 2, 0), "永川区双拥办": (1, 1, 0)}
    assert Task.objects.get(pk=city_task.pk).status == TaskStatus.NOT_STARTED  # nothing re-entered above
    # The county sees its own pieces by unit, and the city's task it broke down not a second time.
    assert lines(office_user) == {"巴川街道": (1, 1, 0), "未指定牵头单位": (1, 1, 0)}


def test_a_task_not_broken_down_yet_counts_itself(city_task, levels_city_office):
    city_task.cooperating_units.clear()
    stats = selectors.task_completion_by_unit(user=levels_city_office, year=TODAY.year)
    assert [(s.unit_name, s.total) for s in stats] == [("铜梁区双拥办", 1)]


def test_a_cooperating_county_counts_only_the_linked_tasks_it_is_shown(
    city_task, county_plan, office_user, levels_county2_office, levels_city_office
):
    """永川 cooperates on the city task: its page lists its own linked task, and its count says so,
    not 铜梁's done ones it cannot see; the city's page counts every county's."""
    done_here = _break_down(
        office_user, city_task, county_plan, BreakdownDraft(title="铜梁一"), BreakdownDraft(title="铜梁二")
    )
    Task.objects.filter(pk__in=[t.pk for t in done_here]).update(status=TaskStatus.DONE)
    yc_plan = WorkPlanFactory(owner_unit=levels_county2_office.org_unit, created_by=levels_county2_office)
    _break_down(levels_county2_office, city_task, yc_plan, BreakdownDraft(title="永川区落实"))

    page = _client_page(levels_county2_office, city_task)
    assert page.count('data-testid="linked-task"') == 1
    assert "（0/1 项已完成）" in page
    page = _client_page(levels_city_office, city_task)
    assert page.count('data-testid="linked-task"') == 3 and "（2/3 项已完成）" in page
