"""Pages of the evaluation binder: thin views (scoped getter, form, service, redirect)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from evaluation import exports, policy, selectors, services
from evaluation.binder import binder_for, evidence_of
from evaluation.figures import EvaluationFigures
from evaluation.forms import (
    AssessmentForm,
    BudgetProofForm,
    DecisionToDualListForm,
    DecisionToTaskForm,
    DocumentRequestForm,
    EvaluationForm,
    ItemFilesForm,
    LinkForm,
    MeetingForm,
    ScoringItemCreateForm,
    ScoringItemForm,
    TableImportForm,
    UnitDocumentForm,
)
from evaluation.models import BudgetProof, EvidenceLink, ItemKind, Meeting, ScoringItem, UnitDocument
from shuangyong.access import units_in_scope
from shuangyong.forms import apply_service_errors
from shuangyong.history import history_entries
from shuangyong.models import OrgUnitKind, User
from shuangyong.spreadsheets import xlsx_response
from shuangyong.tables import CellError, UploadRefused, upload_bytes
from shuangyong.types import AuthedRequest
from tasks import selectors as task_selectors
from tasks.forms import task_units_for

PAGE_SIZE = 30


def _require_reader(request: AuthedRequest) -> None:
    if not policy.may_read_evaluations(request.user):
        raise PermissionDenied("您的角色无权查看考评资料。")


def _require_office(request: AuthedRequest) -> None:
    _require_reader(request)
    if not policy.may_keep_records(request.user):
        raise PermissionDenied(services.NOT_OFFICE)


def _save(form: Any, action: Callable[[dict[str, Any]], object]) -> bool:
    """Run the service with the form's data; its errors go onto the form."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as e:
        apply_service_errors(form, e)
        return False
    return True


def _download(file: Any, name: str) -> FileResponse:
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


# ------------------------------------------------------------------------------------------
# Evaluations


def index(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    evaluations = Paginator(selectors.evaluations_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    tables = selectors.tables_for(request.user)[:50]
    return render(
        request,
        "evaluation/index.html",
        {"page": evaluations, "tables": tables, "can_edit": policy.may_keep_records(request.user)},
    )


def evaluation_create(request: AuthedRequest) -> HttpResponse:
    _require_office(request)
    tables = selectors.tables_for(request.user).filter(owner_unit=request.user.org_unit)
    form = EvaluationForm(request.POST or None, tables=tables)
    created: list[Any] = []
    if request.method == "POST" and _save(
        form, lambda d: created.append(services.evaluation_create(user=request.user, **d))
    ):
        return redirect("evaluation:detail", pk=created[0].pk)
    return render(request, "evaluation/form.html", {"form": form, "title": "新建考评"})


def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The one page six weeks before: per item what is proven, what is missing, the score."""
    evaluation = selectors.get_evaluation_for(request.user, pk)
    binder = binder_for(evaluation)
    return render(
        request,
        "evaluation/detail.html",
        {
            "evaluation": evaluation,
            "binder": binder,
            "can_edit": policy.may_edit_for(request.user, evaluation.owner_unit),
            "expected_bytes": exports.expected_bytes(binder),
        },
    )


def _link_choices(request: AuthedRequest, evaluation: Any) -> list[tuple[str, Any]]:
    years = evaluation.years
    unit = evaluation.owner_unit
    meetings = Meeting.objects.filter(owner_unit=unit, date__year__in=years).order_by("date")
    documents = UnitDocument.objects.filter(unit__parent=unit, year__in=years).select_related("unit")
    proofs = BudgetProof.objects.filter(owner_unit=unit, year__in=years)
    return [
        ("会议", [(f"meeting:{m.pk}", f"{m.date:%Y-%m-%d} {m.get_kind_display()} {m.title}") for m in meetings]),
        (
            "成员单位材料",
            [(f"document:{d.pk}", f"{d.unit.name} {d.year}年{d.get_kind_display()}") for d in documents],
        ),
        ("经费凭证", [(f"budget:{p.pk}", f"{p.year}年{p.get_kind_display()} {p.original_name}") for p in proofs]),
    ]


def item(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, pk)
    evaluation = assessment.evaluation
    can_edit = policy.may_edit_for(request.user, evaluation.owner_unit)
    figures = EvaluationFigures(evaluation).figures(assessment.item.figure_keys)
    form = AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(services.NOT_OFFICE)
        if _save(
            form,
            lambda d: services.assessment_update(
                user=request.user,
                assessment=assessment,
                version=d.get("version"),
                self_score=d["self_score"],
                reason=d["reason"],
            ),
        ):
            messages.success(request, "已保存自评。")
            return redirect("evaluation:item", pk=assessment.pk)
    full = selectors.assessments_of(evaluation).get(pk=assessment.pk)
    return render(
        request,
        "evaluation/item.html",
        {
            "assessment": assessment,
            "evaluation": evaluation,
            "item": assessment.item,
            "form": form,
            "can_edit": can_edit,
            "is_heading": assessment.item.kind == ItemKind.HEADING,
            "files": evidence_of(full),
            "figures": figures,
            "gaps": [g for f in figures for g in f.gaps],
            "link_form": LinkForm(choices=_link_choices(request, evaluation)) if can_edit else None,
            "files_form": ItemFilesForm() if can_edit else None,
            "history": selectors.item_history(assessment),
        },
    )


@require_POST
def item_link(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, pk)
    evaluation = assessment.evaluation
    form = LinkForm(request.POST, choices=_link_choices(request, evaluation))
    if not form.is_valid():
        if not policy.may_edit_for(request.user, evaluation.owner_unit):
            raise PermissionDenied(services.NOT_OFFICE)
        messages.error(request, "请选择要关联的材料。")
        return redirect("evaluation:item", pk=assessment.pk)
    kind, _, target_pk = form.cleaned_data["target"].partition(":")
    # Through the user's scope like every other object (the form's choices are a second guard).
    getters: dict[str, Callable[[User, int], Meeting | UnitDocument | BudgetProof]] = {
        "meeting": selectors.get_meeting_for,
        "document": selectors.get_unit_document_for,
        "budget": selectors.get_budget_proof_for,
    }
    target = getters[kind](request.user, int(target_pk))
    try:
        services.evidence_link_create(user=request.user, assessment=assessment, target=target)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "已关联。")
    return redirect("evaluation:item", pk=assessment.pk)


@require_POST
def link_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        EvidenceLink.objects.filter(
            assessment__evaluation__in=selectors.evaluations_for(request.user).values("pk")
        ).select_related("assessment__evaluation__owner_unit"),
        pk=pk,
    )
    services.evidence_link_delete(user=request.user, link=link)
    messages.success(request, "已取消关联。")
    return redirect("evaluation:item", pk=link.assessment_id)


@require_POST
def item_files(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, pk)
    if not policy.may_edit_for(request.user, assessment.evaluation.owner_unit):
        raise PermissionDenied(services.NOT_OFFICE)
    form = ItemFilesForm(request.POST, request.FILES)
    if _save(form, lambda d: services.item_files_add(user=request.user, assessment=assessment, files=d["uploads"])):
        messages.success(request, "已上传。")
    else:
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    return redirect("evaluation:item", pk=assessment.pk)


@require_POST
def item_file_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item_file = selectors.get_item_file_for(request.user, pk)
    services.item_file_delete(user=request.user, item_file=item_file)
    messages.success(request, "已删除。")
    return redirect("evaluation:item", pk=item_file.assessment_id)


def item_file_download(request: AuthedRequest, pk: int) -> FileResponse:
    f = selectors.get_item_file_for(request.user, pk)
    return _download(f.file, f.original_name)


def export_index(request: AuthedRequest, pk: int) -> HttpResponse:
    evaluation = selectors.get_evaluation_for(request.user, pk)
    binder = binder_for(evaluation)
    return xlsx_response(exports.index_xlsx(binder), exports.export_filename(binder, "目录.xlsx"))


def export_zip(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The binder streamed as it is zipped (several hundred files never sit in memory)."""
    evaluation = selectors.get_evaluation_for(request.user, pk)
    binder = binder_for(evaluation)
    response = StreamingHttpResponse(exports.binder_zip(binder), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, exports.export_filename(binder, ".zip"))
    response["X-Expected-Bytes"] = str(exports.expected_bytes(binder))
    return response


# ------------------------------------------------------------------------------------------
# The scoring table


def table_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    table = selectors.get_table_for(request.user, pk)
    page = Paginator(selectors.items_of(table), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/table_detail.html",
        {"table": table, "page": page, "can_edit": policy.may_edit_for(request.user, table.owner_unit)},
    )


def table_import(request: AuthedRequest) -> HttpResponse:
    _require_office(request)
    form = TableImportForm(request.POST or None, request.FILES or None)
    errors: list[CellError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = services.scoring_table_import(
                user=request.user, name=form.cleaned_data["name"], file_name=upload.name, content=upload_bytes(upload)
            )
        except UploadRefused as e:
            if e.whole_file:
                form.add_error("file", str(e))
            errors = [] if e.whole_file else e.errors
        else:
            messages.success(request, f"已导入考评标准“{table.name}”，共 {table.items.count()} 条。")
            return redirect("evaluation:table_detail", pk=table.pk)
    return render(request, "evaluation/table_import.html", {"form": form, "errors": errors})


def item_create(request: AuthedRequest, pk: int) -> HttpResponse:
    table = selectors.get_table_for(request.user, pk)
    if not policy.may_edit_for(request.user, table.owner_unit):
        raise PermissionDenied(services.NOT_OFFICE)
    form = ScoringItemCreateForm(request.POST or None, table=table)
    if request.method == "POST" and _save(
        form, lambda d: services.scoring_item_create(user=request.user, table=table, **d)
    ):
        messages.success(request, "已新增条目。")
        return redirect("evaluation:table_detail", pk=table.pk)
    return render(request, "evaluation/form.html", {"form": form, "title": f"新增考评条目：{table}"})


def table_template(request: AuthedRequest) -> HttpResponse:
    _require_office(request)
    return xlsx_response(exports.template_xlsx(list(services.COLUMNS)), "考评标准导入模板.xlsx")


def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    scoring_item = selectors.get_item_for(request.user, pk)
    if not policy.may_edit_for(request.user, scoring_item.table.owner_unit):
        raise PermissionDenied(services.NOT_OFFICE)
    form = ScoringItemForm(request.POST or None, instance=scoring_item)
    if request.method == "POST":
        fields = list(ScoringItemForm.Meta.fields)
        if _save(
            form,
            lambda d: services.scoring_item_update(
                user=request.user, item=scoring_item, version=d.get("version"), **{f: d[f] for f in fields}
            ),
        ):
            messages.success(request, "已保存。")
            return redirect("evaluation:table_detail", pk=scoring_item.table_id)
        scoring_item.refresh_from_db()
    return render(
        request,
        "evaluation/form.html",
        {
            "form": form,
            "title": f"修改考评条目 {scoring_item.number}",
            "history": history_entries(scoring_item.history.all(), ScoringItem, ScoringItemForm.Meta.fields, limit=20),
        },
    )


# ------------------------------------------------------------------------------------------
# Meetings and budget proofs


def meeting_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    page = Paginator(selectors.meetings_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "evaluation/meeting_list.html", {"page": page, "can_edit": policy.may_keep_records(request.user)}
    )


def meeting_create(request: AuthedRequest) -> HttpResponse:
    _require_office(request)
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _save(
        form,
        lambda d: services.meeting_create(
            user=request.user, minutes=d.pop("minutes_upload"), **{k: v for k, v in d.items() if k != "version"}
        ),
    ):
        messages.success(request, "已登记会议。")
        return redirect("evaluation:meeting_list")
    return render(request, "evaluation/form.html", {"form": form, "title": "登记会议", "multipart": True})


def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request.user, pk)
    can_edit = policy.may_edit_for(request.user, meeting.owner_unit)
    form = MeetingForm(request.POST or None, request.FILES or None, instance=meeting)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(services.NOT_OFFICE)
        if _save(
            form,
            lambda d: services.meeting_update(
                user=request.user,
                meeting=meeting,
                minutes=d.pop("minutes_upload"),
                **d,
            ),
        ):
            messages.success(request, "已保存。")
            return redirect("evaluation:meeting_detail", pk=meeting.pk)
        meeting.refresh_from_db()
    units = units_in_scope(request.user)
    return render(
        request,
        "evaluation/meeting_detail.html",
        {
            "meeting": meeting,
            "form": form,
            "can_edit": can_edit,
            "decisions": services.meeting_decisions(meeting),
            "decision_form": DecisionToDualListForm(
                troops=units.filter(kind=OrgUnitKind.TROOP), units=units.exclude(kind=OrgUnitKind.TROOP)
            )
            if can_edit
            else None,
            "task_form": _decision_task_form(request, meeting) if can_edit else None,
            "history": history_entries(
                meeting.history.all(),
                Meeting,
                ["date", "kind", "title", "attendees", "decisions", "minutes_name"],
                limit=20,
            ),
        },
    )


@require_POST
def meeting_decision(request: AuthedRequest, pk: int) -> HttpResponse:
    """A decision of the meeting becomes a 双清单 item (through the tasks app's service)."""
    meeting = selectors.get_meeting_for(request.user, pk)
    if not policy.may_edit_for(request.user, meeting.owner_unit):
        raise PermissionDenied(services.NOT_OFFICE)
    units = units_in_scope(request.user)
    form = DecisionToDualListForm(
        request.POST, troops=units.filter(kind=OrgUnitKind.TROOP), units=units.exclude(kind=OrgUnitKind.TROOP)
    )
    created: list[Any] = []
    if _save(
        form, lambda d: created.append(services.meeting_decision_to_dual_list(user=request.user, meeting=meeting, **d))
    ):
        messages.success(request, "已转为双清单事项。")
        return redirect("tasks:dual_item_detail", pk=created[0].pk)
    messages.error(request, "；".join(m for errors in form.errors.values() for m in errors) or "请检查填写的内容。")
    return redirect("evaluation:meeting_detail", pk=meeting.pk)


def _decision_task_form(request: AuthedRequest, meeting: Meeting, data: Any = None) -> DecisionToTaskForm:
    return DecisionToTaskForm(
        data,
        plans=list(task_selectors.own_plans_for(request.user).filter(year=meeting.date.year)),
        units=task_units_for(request.user),
    )


@require_POST
def meeting_decision_task(request: AuthedRequest, pk: int) -> HttpResponse:
    """A decision of the meeting becomes a work-point task (through the tasks app's service)."""
    meeting = selectors.get_meeting_for(request.user, pk)
    if not policy.may_edit_for(request.user, meeting.owner_unit):
        raise PermissionDenied(services.NOT_OFFICE)
    form = _decision_task_form(request, meeting, request.POST)
    created: list[Any] = []
    if _save(
        form, lambda d: created.append(services.meeting_decision_to_task(user=request.user, meeting=meeting, **d))
    ):
        messages.success(request, "已转为工作任务。")
        return redirect("tasks:task_detail", pk=created[0].pk)
    messages.error(
        request,
        "；".join(
            f"{form.fields[name].label}：{m}" if name in form.fields else m
            for name, errors in form.errors.items()
            for m in errors
        )
        or "请检查填写的内容。",
    )
    return redirect("evaluation:meeting_detail", pk=meeting.pk)


def meeting_minutes(request: AuthedRequest, pk: int) -> FileResponse:
    meeting = selectors.get_meeting_for(request.user, pk)
    if not meeting.minutes:
        raise Http404("该会议没有上传纪要。")
    return _download(meeting.minutes, meeting.minutes_name)


def budget_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    can_edit = policy.may_keep_records(request.user)
    form = BudgetProofForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _require_office(request)
        if _save(form, lambda d: services.budget_proof_create(user=request.user, file=d.pop("upload"), **d)):
            messages.success(request, "已上传经费凭证。")
            return redirect("evaluation:budget_list")
    page = Paginator(selectors.budget_proofs_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/budget_list.html", {"page": page, "form": form, "can_edit": can_edit})


def budget_download(request: AuthedRequest, pk: int) -> FileResponse:
    proof = selectors.get_budget_proof_for(request.user, pk)
    return _download(proof.file, proof.original_name)


# ------------------------------------------------------------------------------------------
# Member units' annual documents


def documents(request: AuthedRequest) -> HttpResponse:
    """A member unit uploads its own documents and sees only those; the office sets the requests."""
    if not policy.may_see_unit_documents(request.user):
        raise PermissionDenied("您的角色无权查看成员单位材料。")
    can_upload = policy.may_upload_unit_document(request.user)
    can_request = policy.may_keep_records(request.user)
    upload_form = UnitDocumentForm(request.POST or None, request.FILES or None) if can_upload else None
    request_form = DocumentRequestForm(request.POST or None) if can_request else None
    if request.method == "POST":
        if upload_form is not None and _save(
            upload_form,
            lambda d: services.unit_document_upload(
                user=request.user, year=d["year"], kind=d["kind"], file=d["upload"]
            ),
        ):
            messages.success(request, "已上传。")
            return redirect("evaluation:documents")
        if request_form is not None and _save(
            request_form, lambda d: services.document_request_create(user=request.user, **d)
        ):
            messages.success(request, "已布置，成员单位将按期收到提醒。")
            return redirect("evaluation:documents")
        if upload_form is None and request_form is None:
            raise PermissionDenied("您的角色不能上传或布置成员单位材料。")
    page = Paginator(selectors.unit_documents_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/documents.html",
        {
            "page": page,
            "requests": selectors.document_requests_for(request.user)[:20],
            "outstanding": selectors.outstanding_dues_for(request.user)[:200],
            "upload_form": upload_form,
            "request_form": request_form,
        },
    )


def document_download(request: AuthedRequest, pk: int) -> FileResponse:
    """Another unit's document is 404: a member unit sees its own only."""
    document = selectors.get_unit_document_for(request.user, pk)
    return _download(document.file, document.original_name)
