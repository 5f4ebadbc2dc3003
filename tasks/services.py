"""Writes of work plans, tasks, progress, closure and extension requests.

Who may do what (the objects reach a service already fetched through a scoped selector):
- the office (双拥办) imports plans, assigns units and deadlines, accepts or returns closure
  requests, approves or refuses extensions;
- the lead unit (牵头单位) and the cooperating units (配合单位) report progress;
- the lead unit asks for closure and for a deadline extension.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shuangyong.access import unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, User
from shuangyong.selectors import units_run_for
from shuangyong.uploads import validate_upload
from shuangyong.validators import validate_date_in_range
from tasks import policy
from tasks.models import (
    SHANGHAI,
    ClosureRequest,
    Evidence,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    RequestState,
    Section,
    Task,
    TaskStatus,
    WorkPlan,
)
from tasks.notifying import office_users, tell, unit_users
from tasks.policy import is_task_lead, is_task_unit
from tasks.selectors import lead_unit_can_ask_closure

OFFICE_ONLY = "只有双拥办可以执行此操作。"
OWNER_ONLY = "只有制定该工作要点的双拥办可以执行此操作（上级双拥办只能查看）。"


def _require_office(user: User) -> None:
    if not user.is_office:
        raise PermissionDenied(OFFICE_ONLY)


def _require_plan_office(user: User, plan: WorkPlan) -> None:
    """Only the office owning the plan runs it: an office above reads it (docs/levels.md)."""
    if not policy.runs_plan(user, plan):
        raise PermissionDenied(OWNER_ONLY)


def _require_lead(user: User, task: Task) -> None:
    if not is_task_lead(user, task):
        raise PermissionDenied("只有牵头单位可以执行此操作。")


def _require_task_unit(user: User, task: Task) -> None:
    if not is_task_unit(user, task):
        raise PermissionDenied("只有牵头单位或配合单位可以报送进展。")


def _check_units_in_scope(user: User, units: Iterable[OrgUnit | None]) -> None:
    for unit in units:
        if unit is not None and not unit_in_scope(user, unit):
            raise ValidationError(f"单位“{unit.name}”不在您的管辖范围内。")


def evidence_create_many(*, user: User, files: Sequence[UploadedFile], **owner: Any) -> list[Evidence]:
    """Validate every file first, then store them: one bad file stores none."""
    for f in files:
        validate_upload(f)
    created = []
    for f in files:
        evidence = Evidence(file=f, original_name=f.name or "", size=f.size or 0, uploaded_by=user, **owner)
        evidence.full_clean(exclude=["file"])
        evidence.save()
        created.append(evidence)
    return created


# ------------------------------------------------------------------------------------------
# Work plans and their import


@dataclass
class SectionDraft:
    number: str
    heading: str
    intro: str = ""
    is_task_section: bool = True


@dataclass
class TaskDraft:
    section_index: int
    number: str
    title: str
    text: str
    lead_unit: OrgUnit | None = None
    cooperating_units: list[OrgUnit] = field(default_factory=list)
    deadline: dt.date | None = None


@transaction.atomic
def work_plan_import(
    *,
    user: User,
    year: int,
    title: str,
    doc_number: str = "",
    issuing_unit: str = "",
    issue_date: dt.date | None = None,
    recipients: str = "",
    original_text: str = "",
    default_deadline: dt.date | None = None,
    sections: Sequence[SectionDraft],
    tasks: Sequence[TaskDraft],
    allow_duplicate: bool = False,
) -> WorkPlan:
    """Create a plan with its sections and tasks, all or nothing. A notice already imported (same
    文号, or same title and year) is refused unless the office says it is a new one.

    Items of sections marked as not tasks (指导思想, 工作要求) are kept in the section's text,
    not turned into tasks.
    """
    _require_office(user)
    assert user.org_unit is not None
    same = WorkPlan.same_notice(doc_number=doc_number, title=title, year=year)
    existing = WorkPlan.objects.filter(same, owner_unit=user.org_unit).first()
    if existing is not None and not allow_duplicate:
        number = f"（文号 {existing.doc_number}）" if existing.doc_number else ""
        raise ValidationError(
            f"这份通知已经导入过：《{existing.title}》{number}。请打开已有的工作要点，或确认不是重复后再导入。"
        )
    plan = WorkPlan(
        year=year,
        title=title,
        doc_number=doc_number,
        issuing_unit=issuing_unit,
        issue_date=issue_date,
        recipients=recipients,
        original_text=original_text,
        default_deadline=default_deadline,
        owner_unit=user.org_unit,
        created_by=user,
    )
    plan.full_clean()
    plan.save()
    saved_sections: list[Section] = []
    for i, draft in enumerate(sections):
        section = Section(
            plan=plan,
            number=draft.number,
            heading=draft.heading,
            intro=draft.intro,
            order=i,
            is_task_section=draft.is_task_section,
        )
        section.full_clean()
        section.save()
        saved_sections.append(section)
    order = 0
    for draft_task in tasks:
        if not 0 <= draft_task.section_index < len(saved_sections):
            raise ValidationError(f"任务“{draft_task.title}”所属的部分不存在。")
        section = saved_sections[draft_task.section_index]
        if not section.is_task_section:
            section.intro = "\n".join(filter(None, [section.intro, f"{draft_task.number}{draft_task.text}"]))
            section.save(update_fields=["intro"])
            continue
        _check_units_in_scope(user, [draft_task.lead_unit, *draft_task.cooperating_units])
        order += 1
        task = Task(
            plan=plan,
            section=section,
            number=draft_task.number,
            order=order,
            title=draft_task.title,
            text=draft_task.text,
            lead_unit=draft_task.lead_unit,
            deadline=draft_task.deadline or default_deadline,
        )
        task.full_clean()
        task.save()
        if draft_task.cooperating_units:
            task.cooperating_units.set(draft_task.cooperating_units)
    return plan


def parent_deadline_error(task: Task, deadline: dt.date | None) -> str | None:
    """A task breaking down a task from above (``parent_task``) is due no later than it: the
    office above counts on it. None when ``deadline`` is fine."""
    parent = task.parent_task
    if parent is None or parent.deadline is None:
        return None
    if deadline is None:
        return f"该任务分解自上级任务，须填写完成时限（不晚于 {parent.deadline:%Y-%m-%d}）。"
    if deadline > parent.deadline:
        return f"完成时限不能晚于上级任务的时限（{parent.deadline:%Y-%m-%d}），如需延期请先向上级申请。"
    return None


def _pull_in_linked_deadlines(task: Task) -> None:
    """``task``'s deadline moved earlier: the linked tasks below it (任务分解, at every level) due
    later are brought to it, each saved with its history, and their units told. The rule "a
    linked task is due no later than the task above" holds whoever moves which deadline."""
    frontier = [task]
    while frontier:
        parent = frontier.pop()
        for child in Task.objects.select_for_update().filter(parent_task=parent).select_related("plan__owner_unit"):
            if parent.deadline is not None and (child.deadline is None or child.deadline > parent.deadline):
                claim_version(child, expected_version=CURRENT)
                child.deadline = parent.deadline
                child.save(update_fields=["deadline", "version"])
                tell(
                    unit_users([u for u in [child.lead_unit, child.plan.owner_unit] if u is not None]),
                    title=f"时限提前：{child.number}{child.title}",
                    body=f"上级任务的时限改为 {parent.deadline:%Y-%m-%d}，本任务的时限随之提前。",
                    url_name="tasks:task_detail",
                    pk=child.pk,
                    obj=child,
                )
            frontier.append(child)


@transaction.atomic
def task_update(
    *,
    user: User,
    task: Task,
    title: str,
    text: str,
    lead_unit: OrgUnit | None,
    cooperating_units: Iterable[OrgUnit],
    deadline: dt.date | None,
    version: Version = CURRENT,
) -> Task:
    """The office assigns units and the deadline (and fixes the wording).

    ``version`` is the task's version the office user loaded: a save based on an older one is
    refused before anything is written or anyone is told (shuangyong/concurrency.py).
    """
    _require_plan_office(user, task.plan)
    claim_version(task, expected_version=version)
    problem = parent_deadline_error(task, deadline)
    if problem:
        raise ValidationError({"deadline": problem})
    cooperating = [u for u in cooperating_units if u != lead_unit]
    _check_units_in_scope(user, [lead_unit, *cooperating])
    newly_assigned = {u for u in [lead_unit, *cooperating] if u is not None} - {
        u for u in [task.lead_unit, *task.cooperating_units.all()] if u is not None
    }
    task.title = title
    task.text = text
    task.lead_unit = lead_unit
    task.deadline = deadline
    task.full_clean()
    task.save()
    _pull_in_linked_deadlines(task)
    task.cooperating_units.set(cooperating)
    tell(
        unit_users(newly_assigned),
        title=f"新任务：{task.number}{task.title}",
        body=f"牵头单位：{lead_unit.name if lead_unit else '未定'}；完成时限：{deadline or '未定'}",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return task


@transaction.atomic
def task_create(
    *,
    user: User,
    plan: WorkPlan,
    title: str,
    text: str = "",
    lead_unit: OrgUnit | None = None,
    cooperating_units: Iterable[OrgUnit] = (),
    deadline: dt.date | None = None,
) -> Task:
    """One task added at the end of a plan the office runs (e.g. a meeting's decision), given to
    units the office may assign (``units_run_for``, as in 任务分解); those units are told."""
    _require_plan_office(user, plan)
    cooperating = [u for u in cooperating_units if u != lead_unit]
    allowed = {u.pk for u in units_run_for(user) if u.is_active}
    errors: dict[str, list[str]] = {}
    if lead_unit is not None and lead_unit.pk not in allowed:
        errors["lead_unit"] = [f"单位“{lead_unit.name}”不是本单位可以交办的单位。"]
    outside = [u.name for u in cooperating if u.pk not in allowed]
    if outside:
        errors["cooperating_units"] = [f"单位“{'、'.join(outside)}”不是本单位可以交办的单位。"]
    try:
        validate_date_in_range(deadline)
    except ValidationError as e:
        errors["deadline"] = e.messages
    if errors:
        raise ValidationError(errors)
    last = Task.objects.filter(plan=plan).order_by("-order").values_list("order", flat=True).first() or 0
    task = Task(plan=plan, order=last + 1, title=title, text=text, lead_unit=lead_unit, deadline=deadline)
    task.full_clean()
    task.save()
    if cooperating:
        task.cooperating_units.set(cooperating)
    tell(
        unit_users([u for u in [lead_unit, *cooperating] if u is not None and u.pk != user.org_unit_id]),
        title=f"新任务：{task.title}",
        body=f"牵头单位：{lead_unit.name if lead_unit else '未定'}；完成时限：{deadline or '未定'}",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return task


@transaction.atomic
def progress_report_create(
    *, user: User, task: Task, report_date: dt.date, text: str, files: Sequence[UploadedFile] = ()
) -> ProgressReport:
    _require_task_unit(user, task)
    if task.status == TaskStatus.DONE:
        raise ValidationError("任务已完成，不能再报送进展。")
    assert user.org_unit is not None
    report = ProgressReport(task=task, unit=user.org_unit, author=user, report_date=report_date, text=text)
    report.full_clean()
    report.save()
    evidence_create_many(user=user, files=files, progress_report=report)
    if task.status == TaskStatus.NOT_STARTED:
        task.status = TaskStatus.IN_PROGRESS
        task.save(update_fields=["status"])
    return report


def _lock_task(task: Task) -> Task:
    """The task, locked until the transaction ends: two requests for the same task at the same
    moment are checked one after the other ("already one pending"), never both inserted into the
    one-pending-per-task constraint (an IntegrityError, a 500)."""
    return Task.objects.select_for_update(of=("self",)).select_related("plan__owner_unit").get(pk=task.pk)


@transaction.atomic
def closure_request_create(*, user: User, task: Task, note: str) -> ClosureRequest:
    _require_lead(user, task)
    task = _lock_task(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError("任务已完成。")
    if task.closure_requests.filter(state=RequestState.PENDING).exists():
        raise ValidationError("已有一份完成申请等待双拥办审核。")
    request = ClosureRequest(task=task, note=note, requested_by=user)
    request.full_clean()
    request.save()
    tell(
        office_users(task.plan.owner_unit),
        title=f"完成申请：{task.number}{task.title}",
        body=f"{user.org_unit.name if user.org_unit else ''}申请完成任务：{note}",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return request


@transaction.atomic
def closure_request_decide(*, user: User, request: ClosureRequest, accept: bool, reason: str = "") -> ClosureRequest:
    """The office accepts (the task becomes 已完成) or returns it with a reason."""
    _require_plan_office(user, request.task.plan)
    request = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.PENDING:
        raise ValidationError("该申请已经审核过了。")
    if not accept and not reason.strip():
        raise ValidationError({"reason": "退回时请写明理由。"})
    request.state = RequestState.ACCEPTED if accept else RequestState.RETURNED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.reason = reason.strip()
    request.save()
    task = request.task
    if accept:
        task.status = TaskStatus.DONE
        task.completed_at = request.decided_at
        task.save(update_fields=["status", "completed_at"])
    tell(
        [request.requested_by],
        title=f"完成申请{'已同意' if accept else '被退回'}：{task.number}{task.title}",
        body=request.reason or "双拥办已确认任务完成。",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return request


@transaction.atomic
def task_complete_on_behalf(*, user: User, task: Task, note: str, files: Sequence[UploadedFile] = ()) -> ClosureRequest:
    """代为办结: the office running the task's plan records that the work is done, for a lead unit
    nobody of which can ask (``selectors.lead_unit_can_ask_closure``). The same outcome as an accepted
    closure request: the note (and the evidence, as a progress report of the lead unit) kept on
    the task, status 已完成 with its completion time (in the task's history), the units told."""
    _require_plan_office(user, task.plan)
    task = _lock_task(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError("任务已完成。")
    if task.closure_requests.filter(state=RequestState.PENDING).exists():
        raise ValidationError("已有一份完成申请等待审核，请审核该申请。")
    if lead_unit_can_ask_closure(task):
        raise ValidationError("牵头单位有账号，请由牵头单位提交完成申请，再由双拥办审核。")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请写明完成情况。"})
    now = timezone.now()
    closure = ClosureRequest(
        task=task,
        note=f"（双拥办代为办结）{note}",
        requested_by=user,
        state=RequestState.ACCEPTED,
        decided_by=user,
        decided_at=now,
    )
    closure.full_clean()
    closure.save()
    report = ProgressReport(
        task=task,
        unit=task.lead_unit or task.plan.owner_unit,
        author=user,
        report_date=now.astimezone(SHANGHAI).date(),
        text=f"双拥办代为办结：{note}",
    )
    report.full_clean()
    report.save()
    evidence_create_many(user=user, files=files, progress_report=report)
    claim_version(task, expected_version=CURRENT)
    task.status = TaskStatus.DONE
    task.completed_at = now
    task.save(update_fields=["status", "completed_at", "version"])
    tell(
        unit_users([u for u in task.cooperating_units.all() if u.pk != user.org_unit_id]),
        title=f"任务已办结：{task.number}{task.title}",
        body=f"双拥办代{task.lead_unit.name if task.lead_unit else '牵头单位'}办结：{note}",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return closure


@transaction.atomic
def extension_request_create(*, user: User, task: Task, requested_deadline: dt.date, reason: str) -> ExtensionRequest:
    _require_lead(user, task)
    task = _lock_task(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError("任务已完成，无需延期。")
    if task.deadline and requested_deadline <= task.deadline:
        raise ValidationError({"requested_deadline": "申请的时限必须晚于现在的时限。"})
    if task.extension_requests.filter(state=RequestState.PENDING).exists():
        raise ValidationError("已有一份延期申请等待双拥办审核。")
    request = ExtensionRequest(
        task=task,
        original_deadline=task.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        requested_by=user,
    )
    request.full_clean()
    request.save()
    tell(
        office_users(task.plan.owner_unit),
        title=f"延期申请：{task.number}{task.title}",
        body=f"申请延期至 {requested_deadline:%Y-%m-%d}：{reason}",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return request


@transaction.atomic
def extension_request_decide(
    *, user: User, request: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approving moves the deadline; the deadline first set stays in ``task.original_deadline``."""
    _require_plan_office(user, request.task.plan)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RequestState.PENDING:
        raise ValidationError("该申请已经审核过了。")
    if not approve and not note.strip():
        raise ValidationError({"note": "不同意延期时请写明理由。"})
    problem = parent_deadline_error(request.task, request.requested_deadline) if approve else None
    if problem:
        raise ValidationError({"note": f"不能同意：{problem}"})
    request.state = RequestState.ACCEPTED if approve else RequestState.RETURNED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    task = request.task
    if approve:
        if task.original_deadline is None:
            task.original_deadline = task.deadline
        task.deadline = request.requested_deadline
        task.save(update_fields=["original_deadline", "deadline"])
    tell(
        [request.requested_by],
        title=f"延期申请{'已同意' if approve else '未同意'}：{task.number}{task.title}",
        body=request.decision_note or f"时限已延至 {request.requested_deadline:%Y-%m-%d}。",
        url_name="tasks:task_detail",
        pk=task.pk,
        obj=task,
    )
    return request


@transaction.atomic
def milestone_create(*, user: User, task: Task, title: str, deadline: dt.date) -> Milestone:
    if not policy.runs_task(user, task):
        _require_lead(user, task)
    task = _lock_task(task)  # a closure accepted meanwhile is seen
    if task.status == TaskStatus.DONE:
        raise ValidationError("任务已完成，不能再添加节点。")
    milestone = Milestone(task=task, title=title, deadline=deadline)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_set_done(*, user: User, milestone: Milestone, done: bool) -> Milestone:
    if not policy.runs_task(user, milestone.task):
        _require_lead(user, milestone.task)
    if _lock_task(milestone.task).status == TaskStatus.DONE:
        raise ValidationError("任务已完成，节点不能再修改。")
    milestone.done = done
    milestone.save(update_fields=["done"])
    return milestone


# ------------------------------------------------------------------------------------------
# 任务分解: an office breaks a task received from above into tasks of its own plan


@dataclass
class BreakdownDraft:
    title: str
    text: str = ""
    lead_unit: OrgUnit | None = None
    cooperating_units: list[OrgUnit] = field(default_factory=list)
    deadline: dt.date | None = None


@transaction.atomic
def task_breakdown(
    *,
    user: User,
    parent: Task,
    plan: WorkPlan | None,
    drafts: Sequence[BreakdownDraft],
    new_plan_title: str = "",
) -> list[Task]:
    """Create the linked tasks (``parent_task``) in one of the office's own plans (or in a new
    plan of the parent's year titled ``new_plan_title``), all or nothing.

    The parent task's progress is then rolled up from them (``TaskQuerySet.with_rollup``). A
    linked task is given to units the office runs, and is due no later than the parent task.
    """
    if not policy.may_break_down(user, parent):
        raise PermissionDenied("只有承接该任务的双拥办可以分解任务。")
    if not drafts:
        raise ValidationError("请至少填写一项分解任务。")
    if plan is None:
        if not new_plan_title.strip():
            raise ValidationError({"plan": "请选择本单位的工作要点，或填写新工作要点的标题。"})
        plan = work_plan_import(
            user=user,
            year=parent.plan.year,
            title=new_plan_title.strip(),
            issuing_unit=user.org_unit.name if user.org_unit else "",
            sections=[],
            tasks=[],
        )
    _require_plan_office(user, plan)
    if plan.year != parent.plan.year:
        raise ValidationError(
            {"plan": f"只能分解到本单位{parent.plan.year}年度的工作要点（与上级任务同一年度），或新建一份。"}
        )
    allowed = {u.pk for u in units_run_for(user)}
    errors: list[str] = []
    for i, draft in enumerate(drafts, start=1):
        units = [u for u in [draft.lead_unit, *draft.cooperating_units] if u is not None]
        outside = [u.name for u in units if u.pk not in allowed]
        if outside:
            errors.append(f"第{i}项：单位“{'、'.join(outside)}”不是本单位可以交办的单位。")
        if parent.deadline and draft.deadline and draft.deadline > parent.deadline:
            errors.append(f"第{i}项：完成时限不能晚于上级任务的时限（{parent.deadline:%Y-%m-%d}）。")
    if errors:
        raise ValidationError(errors)
    last = Task.objects.filter(plan=plan).order_by("-order").values_list("order", flat=True).first() or 0
    created = []
    for i, draft in enumerate(drafts, start=1):
        task = Task(
            plan=plan,
            order=last + i,
            title=draft.title,
            text=draft.text,
            lead_unit=draft.lead_unit,
            deadline=draft.deadline or parent.deadline,
            parent_task=parent,
        )
        task.full_clean()
        task.save()
        cooperating = [u for u in draft.cooperating_units if u != draft.lead_unit]
        if cooperating:
            task.cooperating_units.set(cooperating)
        tell(
            unit_users([u for u in [draft.lead_unit, *cooperating] if u is not None and u.pk != user.org_unit_id]),
            title=f"新任务：{task.title}",
            body=(
                f"{plan.owner_unit.name}分解上级任务“{parent.number}{parent.title}”；"
                f"完成时限：{task.deadline or '未定'}"
            ),
            url_name="tasks:task_detail",
            pk=task.pk,
            obj=task,
        )
        created.append(task)
    return created
