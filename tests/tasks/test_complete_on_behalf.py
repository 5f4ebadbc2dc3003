"""代为办结: the office closes a task whose lead unit has nobody who could ask for closure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangyong.models import Notification
from tasks.models import ClosureRequest, Evidence, ProgressReport, RequestState, TaskStatus
from tasks.services import task_complete_on_behalf
from tests.tasks.factories import TaskFactory
from tests.tasks.helpers import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(county, township_b_unit, member_unit, office_user):
    """Led by 东城街道, which has no account here; the member unit (with its liaison) cooperates."""
    return TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        title="建好联系工作台账",
        lead_unit=township_b_unit,
        cooperating_units=[member_unit],
        deadline=dt.date(2022, 12, 31),
    )


def test_office_completes_for_a_lead_unit_without_accounts(task, office_user, member_liaison):
    closure = task_complete_on_behalf(user=office_user, task=task, note="台账已建立，电话核实", files=[pdf()])
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at == closure.decided_at
    assert closure.state == RequestState.ACCEPTED and closure.decided_by == office_user
    assert "代为办结" in closure.note and "台账已建立" in closure.note
    report = ProgressReport.objects.get(task=task)
    assert report.unit == task.lead_unit and report.author == office_user and "台账已建立" in report.text
    assert Evidence.objects.get().progress_report == report
    last = task.history.order_by("-history_date", "-history_id").first()
    assert last.status == TaskStatus.DONE and last.completed_at is not None
    assert Notification.objects.filter(recipient=member_liaison).exists()


def test_refused_when_the_lead_unit_can_ask_itself(task, township_b, office_user):
    with pytest.raises(ValidationError):
        task_complete_on_behalf(user=office_user, task=task, note="完成")
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED and not ClosureRequest.objects.exists()


def test_a_note_is_required(task, office_user):
    with pytest.raises(ValidationError):
        task_complete_on_behalf(user=office_user, task=task, note="  ")
    assert not ClosureRequest.objects.exists()


@pytest.mark.parametrize("who", ["leader", "member_liaison", "levels_city_office", "levels_county2_office"])
def test_only_the_plans_office_completes(request, task, who):
    user = request.getfixturevalue(who)
    task.refresh_from_db()
    with pytest.raises(PermissionDenied):
        task_complete_on_behalf(user=user, task=task, note="完成")
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED


def test_one_click_on_the_task_page_with_a_confirmation(client_for, task, office_user):
    url = reverse("tasks:task_detail", args=[task.pk])
    page = client_for(office_user).get(url).content.decode()
    assert 'data-testid="complete-on-behalf"' in page and "data-confirm=" in page
    response = client_for(office_user).post(
        reverse("tasks:complete_on_behalf", args=[task.pk]), {"behalf-note": "已完成走访"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    page = client_for(office_user).get(url).content.decode()
    assert "代为办结" in page and 'data-testid="complete-on-behalf"' not in page


def test_not_offered_to_the_leader(client_for, task, leader):
    url = reverse("tasks:task_detail", args=[task.pk])
    assert 'data-testid="complete-on-behalf"' not in client_for(leader).get(url).content.decode()
    response = client_for(leader).post(reverse("tasks:complete_on_behalf", args=[task.pk]), {"behalf-note": "x"})
    assert response.status_code == 403


def test_not_offered_when_the_lead_unit_has_staff(client_for, task, township_b, office_user):
    url = reverse("tasks:task_detail", args=[task.pk])
    assert 'data-testid="complete-on-behalf"' not in client_for(office_user).get(url).content.decode()
