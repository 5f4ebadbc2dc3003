"""Task pages through the client: scope, roles, status changes, history, fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tasks.models import ClosureRequest, ExtensionRequest, Milestone, ProgressReport, TaskStatus
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(county, township_a_unit, member_unit, office_user):
    return TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        title="全力服务部队练兵备战",
        lead_unit=township_a_unit,
        cooperating_units=[member_unit],
        deadline=dt.date(2022, 12, 31),
    )


def test_task_page_for_units_in_scope_and_404_for_others(
    client_for, task, township_a, member_liaison, township_b, troop_liaison, leader
):
    url = reverse("tasks:task_detail", args=[task.pk])
    for user in (township_a, member_liaison, leader):
        assert client_for(user).get(url).status_code == 200
    for user in (township_b, troop_liaison):
        assert client_for(user).get(url).status_code == 404


def test_township_reports_progress_through_the_page(client_for, task, township_a):
    client = client_for(township_a)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="progress-form"' in page
    response = client.post(
        reverse("tasks:progress_create", args=[task.pk]), {"report_date": "2022-06-01", "text": "已召开推进会"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert "已召开推进会" in page and "进展已报送" in page


def test_other_township_cannot_report(client_for, task, township_b):
    response = client_for(township_b).post(
        reverse("tasks:progress_create", args=[task.pk]), {"report_date": "2022-06-01", "text": "x"}
    )
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


def test_leader_sees_no_form_and_cannot_post(client_for, task, leader):
    client = client_for(leader)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="progress-form"' not in page and "分配 / 修改" not in page
    response = client.post(reverse("tasks:progress_create", args=[task.pk]), {"report_date": "2022-06-01", "text": "x"})
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_office_cannot_report_for_a_unit(client_for, task, office_user):
    response = client_for(office_user).post(
        reverse("tasks:progress_create", args=[task.pk]), {"report_date": "2022-06-01", "text": "x"}
    )
    assert response.status_code == 403


def test_closure_flow_through_pages(client_for, task, township_a, office_user):
    response = client_for(township_a).post(reverse("tasks:closure_request", args=[task.pk]), {"note": "全部完成"})
    assert response.status_code == 302
    closure = ClosureRequest.objects.get()
    office = client_for(office_user)
    response = office.post(reverse("tasks:closure_decide", args=[closure.pk]), {"decision": "return", "reason": ""})
    closure.refresh_from_db()
    assert closure.state == "pending"  # a return without a reason is refused at the field
    office.post(reverse("tasks:closure_decide", args=[closure.pk]), {"decision": "accept", "reason": ""})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_township_cannot_decide_closure(client_for, task, township_a):
    closure = ClosureRequest.objects.create(task=task, note="x", requested_by=township_a)
    response = client_for(township_a).post(reverse("tasks:closure_decide", args=[closure.pk]), {"decision": "accept"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED


def test_extension_flow_keeps_original_deadline_on_the_page(client_for, task, township_a, office_user):
    client_for(township_a).post(
        reverse("tasks:extension_request", args=[task.pk]), {"requested_deadline": "2023-03-31", "reason": "审批未完"}
    )
    extension = ExtensionRequest.objects.get()
    office = client_for(office_user)
    office.post(reverse("tasks:extension_decide", args=[extension.pk]), {"decision": "accept"})
    task.refresh_from_db()
    assert task.deadline == dt.date(2023, 3, 31) and task.original_deadline == dt.date(2022, 12, 31)
    page = office.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert "原定 2022-12-31" in page


def test_office_assigns_units_and_history_shows_who(client_for, task, office_user, township_b_unit):
    client = client_for(office_user)
    response = client.post(
        reverse("tasks:task_edit", args=[task.pk]),
        {
            "title": task.title,
            "text": "",
            "lead_unit": township_b_unit.pk,
            "deadline": "2022-11-30",
            "past_deadline_ok": "on",
            "version": task.version,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.lead_unit == township_b_unit and task.cooperating_units.count() == 0
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="history"' in page
    assert "巴川街道 → 东城街道" in page and office_user.display_name in page


def test_township_cannot_open_assignment(client_for, task, township_a):
    assert client_for(township_a).get(reverse("tasks:task_edit", args=[task.pk])).status_code == 403


def test_milestones(client_for, task, township_a, member_liaison):
    client = client_for(township_a)
    client.post(
        reverse("tasks:milestone_create", args=[task.pk]), {"title": "6月底前完成调研", "deadline": "2022-06-30"}
    )
    milestone = Milestone.objects.get()
    client.post(reverse("tasks:milestone_toggle", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done
    assert client_for(member_liaison).post(reverse("tasks:milestone_toggle", args=[milestone.pk])).status_code == 403


def test_two_people_ticking_one_milestone_both_leave_it_done(client_for, task, township_a, office_user):
    """Both pages showed ☐ and both clicked: the second click must not undo the first."""
    milestone = Milestone.objects.create(task=task, title="组织座谈", deadline=dt.date(2022, 6, 30))
    url = reverse("tasks:milestone_toggle", args=[milestone.pk])
    client_for(township_a).post(url, {"done": "1"})
    response = client_for(office_user).post(url, {"done": "1"}, follow=True)
    milestone.refresh_from_db()
    assert milestone.done
    assert "已是已完成状态" in response.content.decode()
    client_for(office_user).post(url, {"done": "0"})
    milestone.refresh_from_db()
    assert not milestone.done


def _many_tasks(plan, units, n=12):
    for i in range(n):
        TaskFactory(plan=plan, section=None, lead_unit=units[i % len(units)], cooperating_units=units[:2])


@time_machine.travel(NOW, tick=False)
def test_board_filters_and_fixed_query_count(
    client_for, task, office_user, township_a_unit, township_b_unit, member_unit, django_assert_max_num_queries
):
    late = TaskFactory(plan=task.plan, section=task.section, lead_unit=township_b_unit, deadline=dt.date(2022, 8, 1))
    client = client_for(office_user)
    url = reverse("tasks:task_board")
    page = client.get(url, {"status": "overdue"}).content.decode()
    assert late.title in page and task.title not in page
    page = client.get(url, {"unit": member_unit.pk}).content.decode()
    assert task.title in page and late.title not in page
    page = client.get(url, {"section": "一"}).content.decode()
    assert task.title in page and late.title in page
    assert late.title not in client.get(url, {"section": "二"}).content.decode()
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    _many_tasks(task.plan, [township_a_unit, township_b_unit, member_unit], n=25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_board_is_scoped(client_for, task, township_b):
    assert task.title not in client_for(township_b).get(reverse("tasks:task_board")).content.decode()


def test_my_tasks_lists_lead_and_cooperating(client_for, task, township_a, member_liaison, township_b):
    assert task.title in client_for(township_a).get(reverse("tasks:my_tasks")).content.decode()
    assert task.title in client_for(member_liaison).get(reverse("tasks:my_tasks")).content.decode()
    assert task.title not in client_for(township_b).get(reverse("tasks:my_tasks")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_completion_page(client_for, task, office_user, leader):
    task.status = TaskStatus.DONE
    task.save()
    page = client_for(leader).get(reverse("tasks:completion"), {"year": 2022}).content.decode()
    assert "巴川街道" in page and '<span class="text-nowrap" data-testid="rate">100%</span>' in page
    assert 'aria-valuenow="100"' in page  # the bar tells a screen reader its value too


def test_a_small_rate_is_readable_beside_its_bar(client_for, task, leader):
    """7% inside a 7%-wide bar was cut to nothing: the rate stands beside the bar."""
    page = client_for(leader).get(reverse("tasks:completion"), {"year": 2022}).content.decode()
    assert '<span class="text-nowrap" data-testid="rate">0%</span>' in page
    assert 'class="progress-bar bg-success sy-pct-0"></div>' in page


def test_plan_pages(client_for, task, township_a, township_b):
    page = client_for(township_a).get(reverse("tasks:plan_detail", args=[task.plan.pk])).content.decode()
    assert task.title in page
    # 东城 sees the county's plan but not 巴川's task in it.
    page = client_for(township_b).get(reverse("tasks:plan_detail", args=[task.plan.pk])).content.decode()
    assert task.title not in page


def test_completion_defaults_to_the_latest_plan_year(client_for, task, leader):
    page = client_for(leader).get(reverse("tasks:completion")).content.decode()
    assert "2022年完成情况" in page and "巴川街道" in page
