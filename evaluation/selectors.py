"""Reads of the evaluation binder, always narrowed to what the user may see (evaluation/policy.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from evaluation import policy
from evaluation.models import (
    BudgetProof,
    DocumentDue,
    DocumentRequest,
    Evaluation,
    EvidenceLink,
    ItemAssessment,
    ItemFile,
    Meeting,
    ScoringItem,
    ScoringTable,
    UnitDocument,
)
from shuangyong.access import scoped
from shuangyong.history import Change, HistoryEntry, changed_by, history_entries
from shuangyong.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from shuangyong.models import User


def tables_for(user: User) -> QuerySet[ScoringTable]:
    if not policy.may_read_evaluations(user):
        return ScoringTable.objects.none()
    return scoped(ScoringTable.objects.select_related("owner_unit"), user, "owner_unit")


def get_table_for(user: User, pk: int) -> ScoringTable:
    return get_object_or_404(tables_for(user), pk=pk)


def items_of(table: ScoringTable) -> QuerySet[ScoringItem]:
    return ScoringItem.objects.filter(table=table).select_related("parent").order_by("sort_order", "id")


def get_item_for(user: User, pk: int) -> ScoringItem:
    return get_object_or_404(ScoringItem.objects.filter(table__in=tables_for(user).values("pk")), pk=pk)


def evaluations_for(user: User) -> QuerySet[Evaluation]:
    if not policy.may_read_evaluations(user):
        return Evaluation.objects.none()
    return scoped(Evaluation.objects.select_related("owner_unit", "table"), user, "owner_unit")


def get_evaluation_for(user: User, pk: int) -> Evaluation:
    return get_object_or_404(evaluations_for(user), pk=pk)


def assessments_of(evaluation: Evaluation) -> QuerySet[ItemAssessment]:
    """Every assessment of the evaluation with its item, files and linked records: four queries."""
    return (
        ItemAssessment.objects.filter(evaluation=evaluation)
        .select_related("item", "item__parent")
        .prefetch_related(
            Prefetch("files", queryset=ItemFile.objects.order_by("id")),
            Prefetch(
                "links",
                queryset=EvidenceLink.objects.select_related(
                    "meeting", "unit_document", "unit_document__unit", "budget_proof"
                ).order_by("id"),
            ),
        )
        .order_by("item__sort_order", "item__id")
    )


def get_assessment_for(user: User, pk: int) -> ItemAssessment:
    return get_object_or_404(
        ItemAssessment.objects.filter(evaluation__in=evaluations_for(user).values("pk")).select_related(
            "evaluation", "evaluation__owner_unit", "item"
        ),
        pk=pk,
    )


def meetings_for(user: User) -> QuerySet[Meeting]:
    if not policy.may_read_evaluations(user):
        return Meeting.objects.none()
    return scoped(Meeting.objects.select_related("owner_unit"), user, "owner_unit")


def get_meeting_for(user: User, pk: int) -> Meeting:
    return get_object_or_404(meetings_for(user), pk=pk)


def budget_proofs_for(user: User) -> QuerySet[BudgetProof]:
    if not policy.may_read_evaluations(user):
        return BudgetProof.objects.none()
    return scoped(BudgetProof.objects.select_related("owner_unit"), user, "owner_unit")


def get_budget_proof_for(user: User, pk: int) -> BudgetProof:
    return get_object_or_404(budget_proofs_for(user), pk=pk)


def unit_documents_for(user: User) -> QuerySet[UnitDocument]:
    """A unit sees its own documents only (a member unit: not another's); the office and leaders
    those of the units below them."""
    return scoped(UnitDocument.objects.select_related("unit", "uploaded_by"), user, "unit")


def get_unit_document_for(user: User, pk: int) -> UnitDocument:
    return get_object_or_404(unit_documents_for(user), pk=pk)


def item_files_for(user: User) -> QuerySet[ItemFile]:
    return ItemFile.objects.filter(assessment__evaluation__in=evaluations_for(user).values("pk"))


def get_item_file_for(user: User, pk: int) -> ItemFile:
    return get_object_or_404(item_files_for(user), pk=pk)


def document_requests_for(user: User) -> QuerySet[DocumentRequest]:
    """The office's requests in scope; a member unit's: those asking it."""
    if not policy.may_see_unit_documents(user):
        return DocumentRequest.objects.none()
    if policy.may_upload_unit_document(user):
        return DocumentRequest.objects.filter(dues__unit=user.org_unit_id).order_by("-year", "kind")
    return scoped(DocumentRequest.objects.all(), user, "owner_unit").order_by("-year", "kind")


def member_units_of(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The active member units (成员单位) of the leading group of ``unit``: its direct member units."""
    return OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.MEMBER_UNIT, is_active=True).order_by(
        "sort_order", "name"
    )


def outstanding_dues(today: dt.date | None = None) -> QuerySet[DocumentDue]:
    """(request, member unit) pairs whose document of that year and kind is not uploaded yet."""
    uploaded = UnitDocument.objects.filter(
        unit=OuterRef("unit"), year=OuterRef("request__year"), kind=OuterRef("request__kind")
    )
    return DocumentDue.objects.filter(~Exists(uploaded))


def my_outstanding_dues(user: User) -> QuerySet[DocumentDue]:
    if not policy.may_upload_unit_document(user):
        return DocumentDue.objects.none()
    return (
        outstanding_dues().filter(unit=user.org_unit_id).select_related("request").order_by("request__deadline", "pk")
    )


def outstanding_dues_for(user: User) -> QuerySet[DocumentDue]:
    """The office's view of who still owes a requested document (first by deadline)."""
    if not policy.may_read_evaluations(user):
        return DocumentDue.objects.none()
    return (
        scoped(outstanding_dues(), user, "request__owner_unit")
        .select_related("unit", "request")
        .order_by("request__deadline", "unit__sort_order", "unit__name")
    )


def item_history(assessment: ItemAssessment, *, limit: int = 20) -> list[HistoryEntry]:
    """The item page's history, newest first: the self-score and reason changed, evidence linked
    or unlinked, files uploaded or deleted (who, when, what). Six queries, however long."""
    entries = history_entries(assessment.history.all(), ItemAssessment, ["self_score", "reason"], limit=limit)
    links = list(
        EvidenceLink.history.filter(assessment_id=assessment.pk)
        .exclude(history_type="~")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    targets: dict[tuple[str, int], str] = {}
    sources: tuple[tuple[str, QuerySet[Any]], ...] = (
        ("meeting", Meeting.objects.all()),
        ("unit_document", UnitDocument.objects.select_related("unit")),  # its name says the unit
        ("budget_proof", BudgetProof.objects.all()),
    )
    for field, rows in sources:
        ids = {getattr(row, f"{field}_id") for row in links} - {None}
        targets.update(((field, pk), str(obj)) for pk, obj in rows.in_bulk(ids).items())
    for row in links:
        field, pk = next((f, getattr(row, f"{f}_id")) for f in EVIDENCE_FIELDS if getattr(row, f"{f}_id"))
        label = str(getattr(EvidenceLink._meta.get_field(field), "verbose_name", field))
        name = targets.get((field, pk), "（已删除）")
        entries.append(_evidence_entry(row, "关联佐证" if row.history_type == "+" else "取消关联", label, name))
    files = (
        ItemFile.history.filter(assessment_id=assessment.pk)
        .exclude(history_type="~")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    for row in files:
        action = "上传文件" if row.history_type == "+" else "删除文件"
        entries.append(_evidence_entry(row, action, "文件", row.original_name))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


EVIDENCE_FIELDS = ("meeting", "unit_document", "budget_proof")


def _evidence_entry(row: Any, action: str, label: str, name: str) -> HistoryEntry:
    return HistoryEntry(
        when=row.history_date,
        who=changed_by(row),
        action=action,
        changes=[Change(label=str(label), old="", new=name)],
        is_event=True,
    )
