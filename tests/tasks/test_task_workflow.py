"""Progress reports, closure and extension requests (service level)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tasks.models import Evidence, ProgressReport, RequestState, TaskStatus
from tasks.services import (
    closure_request_create,
    closure_request_decide,
    extension_request_create,
    extension_request_decide,
    progress_report_create,
    task_update,
)
from tests.tasks.factories import TaskFactory
from tests.tasks.helpers import exe_as_pdf, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(county, township_a_unit, member_unit, office_user):
    return TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        lead_unit=township_a_unit,
        cooperating_units=[member_unit],
    )


def test_lead_and_cooperating_units_report_progress(task, township_a, member_liaison):
    progress_report_create(
        user=township_a, task=task, report_date=dt.date(2022, 6, 1), text="已召开推进会", files=[pdf()]
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    progress_report_create(user=member_liaison, task=task, report_date=dt.date(2022, 6, 2), text="已配合")
    assert ProgressReport.objects.filter(task=task).count() == 2
    evidence = Evidence.objects.get()
    assert evidence.original_name == "证明.pdf" and evidence.uploaded_by == township_a
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".pdf")


@pytest.mark.parametrize("who", ["township_b", "office_user", "troop_liaison", "leader"])
def test_other_units_cannot_report(request, task, who):
    with pytest.raises(PermissionDenied):
        progress_report_create(user=request.getfixturevalue(who), task=task, report_date=dt.date(2022, 6, 1), text="x")
    assert not ProgressReport.objects.exists()


def test_bad_file_stores_nothing(task, township_a):
    with pytest.raises(ValidationError):
        progress_report_create(
            user=township_a, task=task, report_date=dt.date(2022, 6, 1), text="x", files=[pdf(), exe_as_pdf("b.pdf")]
        )
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_closure_accepted_by_office(task, township_a, office_user):
    request = closure_request_create(user=township_a, task=task, note="全部完成")
    with pytest.raises(ValidationError, match="等待双拥办审核"):
        closure_request_create(user=township_a, task=task, note="again")
    closure_request_decide(user=office_user, request=request, accept=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and request.decided_by == office_user


def test_closure_returned_needs_a_reason(task, township_a, office_user):
    request = closure_request_create(user=township_a, task=task, note="完成")
    with pytest.raises(ValidationError):
        closure_request_decide(user=office_user, request=request, accept=False, reason="")
    closure_request_decide(user=office_user, request=request, accept=False, reason="缺少佐证材料")
    task.refresh_from_db()
    request.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED and request.reason == "缺少佐证材料"


def test_only_lead_asks_closure_and_only_office_decides(task, member_liaison, township_a):
    with pytest.raises(PermissionDenied):
        closure_request_create(user=member_liaison, task=task, note="x")
    request = closure_request_create(user=township_a, task=task, note="x")
    with pytest.raises(PermissionDenied):
        closure_request_decide(user=township_a, request=request, accept=True)


def test_extension_keeps_original_deadline(task, township_a, office_user):
    request = extension_request_create(
        user=township_a, task=task, requested_deadline=dt.date(2023, 3, 31), reason="场地审批未完成"
    )
    assert request.original_deadline == dt.date(2022, 12, 31)
    task.refresh_from_db()
    assert task.deadline == dt.date(2022, 12, 31)  # nothing moves before approval
    extension_request_decide(user=office_user, request=request, approve=True)
    task.refresh_from_db()
    assert task.deadline == dt.date(2023, 3, 31) and task.original_deadline == dt.date(2022, 12, 31)
    second = extension_request_create(
        user=township_a, task=task, requested_deadline=dt.date(2023, 6, 30), reason="再延"
    )
    extension_request_decide(user=office_user, request=second, approve=True)
    task.refresh_from_db()
    assert task.deadline == dt.date(2023, 6, 30) and task.original_deadline == dt.date(2022, 12, 31)


def test_extension_must_be_later_and_refusal_needs_reason(task, township_a, office_user):
    with pytest.raises(ValidationError):
        extension_request_create(user=township_a, task=task, requested_deadline=dt.date(2022, 12, 1), reason="x")
    request = extension_request_create(user=township_a, task=task, requested_deadline=dt.date(2023, 1, 31), reason="x")
    with pytest.raises(ValidationError):
        extension_request_decide(user=office_user, request=request, approve=False, note="")
    extension_request_decide(user=office_user, request=request, approve=False, note="不符合延期条件")
    task.refresh_from_db()
    assert task.deadline == dt.date(2022, 12, 31) and task.original_deadline is None


def test_task_update_by_office_records_history(task, office_user, township_b_unit, member_unit):
    task_update(
        user=office_user,
        task=task,
        title="新标题",
        text=task.text,
        lead_unit=township_b_unit,
        cooperating_units=[member_unit, township_b_unit],
        deadline=dt.date(2022, 11, 30),
    )
    task.refresh_from_db()
    assert task.lead_unit == township_b_unit and list(task.cooperating_units.all()) == [member_unit]
    assert task.history.count() >= 2 and task.history.first().title == "新标题"


def test_task_update_refused_for_township(task, township_a):
    with pytest.raises(PermissionDenied):
        task_update(user=township_a, task=task, title="x", text="", lead_unit=None, cooperating_units=[], deadline=None)


def test_workflow_steps_notify_the_other_side(task, township_a, office_user):
    from shuangyong.models import Notification

    request = closure_request_create(user=township_a, task=task, note="全部完成")
    assert list(Notification.objects.filter(recipient=office_user).values_list("title", flat=True)) == [
        f"完成申请：{task.number}{task.title}"
    ]
    closure_request_decide(user=office_user, request=request, accept=False, reason="缺少佐证")
    note = Notification.objects.get(recipient=township_a)
    assert note.title.startswith("完成申请被退回") and note.body == "缺少佐证"
    assert note.url == f"/tasks/{task.pk}/"
