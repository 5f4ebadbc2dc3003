"""Pages of work plans and tasks: the office's board, 我的任务, a task's page and its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from import_export.resources import ModelResource

from shuangyong.access import require_role
from shuangyong.forms import apply_service_errors
from shuangyong.models import Role
from shuangyong.spreadsheets import xlsx_response
from shuangyong.tables import CellError, UploadRefused, upload_bytes
from shuangyong.types import AuthedRequest
from tasks import policy, selectors, services
from tasks.forms import (
    BreakdownPlanForm,
    BreakdownTaskFormSet,
    ClosureRequestForm,
    CompleteOnBehalfForm,
    DecisionForm,
    ExcelUploadForm,
    ExtensionRequestForm,
    MilestoneForm,
    ProgressForm,
    TaskBoardFilterForm,
    TaskEditForm,
    task_units_for,
)
from tasks.history import history_rows
from tasks.models import ClosureRequest, ExtensionRequest, Milestone, Task, today_shanghai
from tasks.policy import is_task_lead, is_task_unit
from tasks.resources import SheetImport, TaskResource, export_xlsx, import_errors, import_table

PAGE_SIZE = 30
OFFICE_ROLES = (Role.OFFICE, Role.ADMIN)
# Every field a person edits or a workflow moves (order and plan are bookkeeping).
TASK_HISTORY_FIELDS = [
    "number",
    "title",
    "text",
    "section",
    "lead_unit",
    "cooperating_units",
    "deadline",
    "original_deadline",
    "status",
]


def _error_messages(request: AuthedRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ------------------------------------------------------------------------------------------
# Lists


def task_board(request: AuthedRequest) -> HttpResponse:
    """Every task in the user's scope, filtered by plan, unit, status (incl. 逾期) and section."""
    units = task_units_for(request.user)
    plans = selectors.plans_for(request.user)
    form = TaskBoardFilterForm(request.GET or None, plans=plans, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.task_board(
        request.user,
        plan=filters.get("plan"),
        unit=filters.get("unit"),
        status=filters.get("status") or "",
        section_number=filters.get("section") or "",
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tasks/task_board.html", {"form": form, "page": page, "title": "工作任务"})


def my_tasks(request: AuthedRequest) -> HttpResponse:
    tasks = selectors.my_tasks(request.user).order_by("deadline", "plan_id", "order")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tasks/my_tasks.html", {"page": page})


def completion(request: AuthedRequest) -> HttpResponse:
    """Completion rate per lead unit, and the 双清单 summary, for a year (default: the latest plan's)."""
    years = selectors.years_for(request.user)
    year = _year_param(request, default=years[0] if years else today_shanghai().year)
    return render(
        request,
        "tasks/completion.html",
        {
            "year": year,
            "years": sorted({*years, today_shanghai().year, year}, reverse=True),
            "stats": selectors.task_completion_by_unit(user=request.user, year=year),
            "dual": selectors.dual_list_summary(user=request.user, year=year),
        },
    )


def _year_param(request: AuthedRequest, *, default: int) -> int:
    try:
        return int(request.GET.get("year") or default)
    except ValueError:
        return default


def plan_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.plans_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tasks/plan_list.html", {"page": page})


def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for(request.user, pk)
    tasks = selectors.tasks_for(request.user).filter(plan=plan).order_by("order", "id")
    sections = plan.sections.all()
    by_section: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_section.setdefault(task.section_id, []).append(task)
    history = history_rows(
        plan.history.select_related("history_user").order_by("history_date", "history_id"),
        type(plan),
        ["title", "doc_number", "issue_date", "default_deadline"],
    )
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "sections": [(s, by_section.get(s.pk, [])) for s in sections],
            # Tasks outside the notice's outline: those of a 任务分解 (linked to a task from above).
            "other_tasks": by_section.get(None, []),
            "runs_plan": policy.runs_plan(request.user, plan),
            "history": history,
        },
    )


# ------------------------------------------------------------------------------------------
# One task


def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    user = request.user
    is_lead = is_task_lead(user, task)
    linked = list(selectors.linked_tasks_for(user, task)) if task.is_broken_down else []
    context = {
        "task": task,
        "milestones": task.milestones.all(),
        "reports": task.progress_reports.select_related("unit", "author").prefetch_related("evidence"),
        "closures": task.closure_requests.select_related("requested_by", "decided_by"),
        "extensions": task.extension_requests.select_related("requested_by", "decided_by"),
        "history": history_rows(
            task.history.select_related("history_user").order_by("history_date", "history_id"),
            Task,
            TASK_HISTORY_FIELDS,
        ),
        "can_report": is_task_unit(user, task) and task.status != "done",
        "is_lead": is_lead and task.status != "done",
        "is_office": policy.runs_task(user, task),
        "may_complete_on_behalf": (
            policy.runs_task(user, task) and task.status != "done" and not selectors.lead_unit_can_ask_closure(task)
        ),
        "may_break_down": policy.may_break_down(user, task),
        "linked_tasks": linked,
        # The counts of what this viewer is listed, not of every linked task (another county's).
        "linked_summary": selectors.summarize_linked(linked),
        "pending_breakdown": selectors.pending_breakdown_units(task) if task.is_broken_down else [],
        "parent_task": selectors.visible_parent_task(user, task),
        "progress_form": ProgressForm(initial={"report_date": today_shanghai()}),
        "closure_form": ClosureRequestForm(),
        "on_behalf_form": CompleteOnBehalfForm(prefix="behalf"),
        "extension_form": ExtensionRequestForm(),
        "decision_form": DecisionForm(),
        "milestone_form": MilestoneForm(),
    }
    return render(request, "tasks/task_detail.html", context)


def task_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    if not policy.runs_task(request.user, task):
        raise PermissionDenied("只有制定该工作要点的双拥办可以分配、修改任务（上级双拥办只能查看）。")
    units = task_units_for(request.user)
    initial = {
        "title": task.title,
        "text": task.text,
        "deadline": task.deadline,
        "lead_unit": task.lead_unit_id and str(task.lead_unit_id),
        "cooperating_units": [str(u.pk) for u in task.cooperating_units.all()],
        "version": task.version,
    }
    form = TaskEditForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(user=request.user, task=task, **form.task_fields)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "任务已保存。")
            return redirect("tasks:task_detail", pk=task.pk)
    return render(request, "tasks/task_edit.html", {"task": task, "form": form})


def task_breakdown(request: AuthedRequest, pk: int) -> HttpResponse:
    """任务分解: the office that received a task from above creates linked tasks in its own plan."""
    parent = selectors.get_task_for(request.user, pk)
    if not policy.may_break_down(request.user, parent):
        raise PermissionDenied("只有承接该任务的双拥办可以分解任务。")
    plans = selectors.own_plans_for(request.user)
    units = task_units_for(request.user)
    data = request.POST if request.method == "POST" else None
    year = parent.plan.year
    plan_form = BreakdownPlanForm(data, plans=plans, year=year, initial={"plan": plans.filter(year=year).first()})
    rows = BreakdownTaskFormSet(
        data,
        prefix="tasks",
        form_kwargs={"units": units, "latest": parent.deadline},
        initial=[{"title": parent.title, "text": parent.text, "deadline": parent.deadline}],
    )
    if request.method == "POST" and plan_form.is_valid() and rows.is_valid():
        drafts = [
            services.BreakdownDraft(**row)
            for row in rows.cleaned_data
            if row and row.get("title")  # blank extra rows are left out
        ]
        try:
            created = services.task_breakdown(
                user=request.user,
                parent=parent,
                plan=plan_form.cleaned_data.get("plan"),
                new_plan_title=plan_form.cleaned_data.get("new_plan_title") or "",
                drafts=drafts,
            )
        except ValidationError as e:
            apply_service_errors(plan_form, e)
        else:
            messages.success(request, f"已分解为 {len(created)} 项本单位任务。")
            return redirect("tasks:task_detail", pk=parent.pk)
    return render(request, "tasks/task_breakdown.html", {"task": parent, "plan_form": plan_form, "rows": rows})


def _task_action(
    request: AuthedRequest,
    task: Task,
    form_class: Callable[..., forms.BaseForm],
    action: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """Validate the posted form, call the service, report the outcome on the task page."""
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as e:
            _error_messages(request, e)
        else:
            messages.success(request, success)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else str(error))
    return redirect("tasks:task_detail", pk=task.pk)


@require_POST
def progress_create(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    return _task_action(
        request,
        task,
        ProgressForm,
        lambda d: services.progress_report_create(
            user=request.user, task=task, report_date=d["report_date"], text=d["text"], files=d["attachments"]
        ),
        "进展已报送。",
    )


@require_POST
def closure_request(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    return _task_action(
        request,
        task,
        ClosureRequestForm,
        lambda d: services.closure_request_create(user=request.user, task=task, note=d["note"]),
        "完成申请已提交，等待双拥办审核。",
    )


@require_POST
def complete_on_behalf(request: AuthedRequest, pk: int) -> HttpResponse:
    """代为办结: the office closes a task whose lead unit has nobody to ask for it."""
    task = selectors.get_task_for(request.user, pk)
    if not policy.runs_task(request.user, task):
        raise PermissionDenied("只有制定该工作要点的双拥办可以代为办结（上级双拥办和领导只能查看）。")
    return _task_action(
        request,
        task,
        lambda data, files: CompleteOnBehalfForm(data, files, prefix="behalf"),
        lambda d: services.task_complete_on_behalf(
            user=request.user, task=task, note=d["note"], files=d["attachments"]
        ),
        "已代牵头单位办结该任务。",
    )


@require_POST
def closure_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(selectors.requests_for(request.user, ClosureRequest), pk=pk)
    require_role(request.user, *OFFICE_ROLES, message="只有双拥办可以审核完成申请。")
    return _task_action(
        request,
        closure.task,
        DecisionForm,
        lambda d: services.closure_request_decide(
            user=request.user, request=closure, accept=d["decision"] == "accept", reason=d["reason"]
        ),
        "已审核完成申请。",
    )


@require_POST
def extension_request(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    return _task_action(
        request,
        task,
        ExtensionRequestForm,
        lambda d: services.extension_request_create(
            user=request.user, task=task, requested_deadline=d["requested_deadline"], reason=d["reason"]
        ),
        "延期申请已提交，等待双拥办审核。",
    )


@require_POST
def extension_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(selectors.requests_for(request.user, ExtensionRequest), pk=pk)
    require_role(request.user, *OFFICE_ROLES, message="只有双拥办可以审批延期。")
    return _task_action(
        request,
        extension.task,
        DecisionForm,
        lambda d: services.extension_request_decide(
            user=request.user, request=extension, approve=d["decision"] == "accept", note=d["reason"]
        ),
        "已审核延期申请。",
    )


@require_POST
def milestone_create(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for(request.user, pk)
    return _task_action(
        request,
        task,
        MilestoneForm,
        lambda d: services.milestone_create(user=request.user, task=task, title=d["title"], deadline=d["deadline"]),
        "节点已添加。",
    )


@require_POST
def milestone_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.filter(task__in=selectors.tasks_for(request.user).values("pk")).select_related("task"),
        pk=pk,
    )
    # The form says which state the user chose (not "toggle"): two people ticking the same
    # milestone at once both get it done, instead of the second click undoing the first.
    wanted = request.POST.get("done")
    done = not milestone.done if wanted not in ("0", "1") else wanted == "1"
    if done == milestone.done:
        messages.info(request, f"节点“{milestone.title}”已是{'已完成' if done else '未完成'}状态（可能刚被他人修改）。")
        return redirect("tasks:task_detail", pk=milestone.task_id)
    try:
        services.milestone_set_done(user=request.user, milestone=milestone, done=done)
    except ValidationError as e:
        _error_messages(request, e)
    return redirect("tasks:task_detail", pk=milestone.task_id)


def evidence_download(request: AuthedRequest, pk: int) -> FileResponse:
    """Evidence is never routed as a static file: only users who may see its task or item get it."""
    evidence = selectors.get_evidence_for(request.user, pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


# ------------------------------------------------------------------------------------------
# Excel


def tasks_export(request: AuthedRequest) -> HttpResponse:
    content = export_xlsx(TaskResource(user=request.user))
    return xlsx_response(content, f"工作任务_{today_shanghai():%Y%m%d}.xlsx")


def excel_import(
    request: AuthedRequest, resource: ModelResource, *, title: str, back: str, done: Callable[[SheetImport], str]
) -> HttpResponse:
    """The upload page of an all-or-nothing import (.xlsx or .csv): a refused file at the file
    field, errors by row and column in the list, or the ``done`` message and back to the list."""
    form = ExcelUploadForm(request.POST or None, request.FILES or None)
    errors: list[CellError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_table(resource, name=upload.name, content=upload_bytes(upload))
        except UploadRefused as e:
            if e.whole_file:
                form.add_error("file", str(e))
            errors = [] if e.whole_file else e.errors
        else:
            errors = import_errors(result, resource)
            if not errors:
                messages.success(request, done(result))
                return redirect(back)
    return render(request, "tasks/excel_import.html", {"form": form, "errors": errors, "title": title, "back": back})


def tasks_import(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *OFFICE_ROLES, message="只有双拥办可以导入任务。")
    return excel_import(
        request,
        TaskResource(user=request.user),
        title="导入任务分配（Excel）",
        back="tasks:task_board",
        done=lambda result: f"已更新 {result.totals.get('update', 0)} 项任务。",
    )
