"""Writes of the evaluation binder. Each checks the role (evaluation/policy.py) itself, runs in
one transaction, cleans the row before saving it; an edit of an existing row claims its version
first (shuangyong/concurrency.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q

from evaluation import policy
from evaluation.models import (
    BudgetProof,
    DocumentDue,
    DocumentRequest,
    Evaluation,
    EvidenceLink,
    FigureKey,
    ItemAssessment,
    ItemFile,
    ItemKind,
    Meeting,
    ScoringItem,
    ScoringTable,
    UnitDocument,
)
from evaluation.selectors import member_units_of
from shuangyong.access import unit_in_scope
from shuangyong.concurrency import Version, claim_version
from shuangyong.models import OrgUnit
from shuangyong.tables import CellError, UploadRefused, column_limits, read_table
from shuangyong.uploads import validate_upload

if TYPE_CHECKING:
    from shuangyong.models import User

NOT_OFFICE = "只有本级双拥办可以修改考评资料。"


def _require_editor(user: User, owner_unit: OrgUnit | None) -> None:
    if user.is_read_only:
        raise PermissionDenied("领导账号只能查看和下载，不能修改。")
    if not policy.may_edit_for(user, owner_unit):
        raise PermissionDenied(NOT_OFFICE)


def _office_unit(user: User) -> OrgUnit:
    unit = user.org_unit
    _require_editor(user, unit)
    assert unit is not None
    return unit


def _file_fields(user: User, upload: File) -> dict[str, Any]:
    validate_upload(upload)
    return {"file": upload, "original_name": upload.name or "", "size": upload.size or 0, "uploaded_by": user}


# ------------------------------------------------------------------------------------------
# The scoring table and its import

COLUMNS = {
    "序号": "number",
    "层级": "kind",
    "上级序号": "parent",
    "考评内容": "content",
    "分值": "points",
    "评分标准": "scoring_rule",
    "所需材料": "evidence_asked",
    "一票否决": "is_veto",
    "加分项": "is_bonus",
    "关联数据": "figure_keys",
}
REQUIRED_COLUMNS = ["序号", "层级", "上级序号", "考评内容", "分值"]
KIND_WORDS = {
    "考评项目": ItemKind.HEADING,
    "项目": ItemKind.HEADING,
    "一级": ItemKind.HEADING,
    "考评内容": ItemKind.ITEM,
    "条目": ItemKind.ITEM,
    "二级": ItemKind.ITEM,
    "细项": ItemKind.SUB_ITEM,
    "三级": ItemKind.SUB_ITEM,
}
PARENT_KIND = {ItemKind.ITEM: ItemKind.HEADING, ItemKind.SUB_ITEM: ItemKind.ITEM}
YES = {"是", "√", "Y", "y", "yes", "1", "TRUE", "true"}
NO = {"", "否", "×", "N", "n", "no", "0", "FALSE", "false"}
FIGURE_BY_LABEL = {label: key for key, label in FigureKey.choices}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _flag(value: Any, column: str, row: int, errors: list[CellError]) -> bool:
    text = _text(value)
    if text in YES:
        return True
    if text not in NO:
        errors.append(CellError(row, column, f"“{text}”无法识别，请填写“是”或“否”。"))
    return False


@dataclass
class ItemDraft:
    row: int
    number: str
    kind: str
    parent: str
    content: str
    points: Decimal
    scoring_rule: str
    evidence_asked: str
    is_veto: bool
    is_bonus: bool
    figure_keys: list[str]


def _draft(table_row: dict[str, Any], row: int, errors: list[CellError]) -> ItemDraft:
    number = _text(table_row.get("序号"))
    if not number:
        errors.append(CellError(row, "序号", "序号不能为空。"))
    parent = _text(table_row.get("上级序号"))
    kind_text = _text(table_row.get("层级"))
    if kind_text:
        kind = KIND_WORDS.get(kind_text, "")
        if not kind:
            errors.append(CellError(row, "层级", f"层级“{kind_text}”无法识别，请填写考评项目、考评内容或细项。"))
    else:
        kind = ItemKind.ITEM if parent else ItemKind.HEADING
    content = _text(table_row.get("考评内容"))
    if not content:
        errors.append(CellError(row, "考评内容", "考评内容不能为空。"))
    points_text = _text(table_row.get("分值"))
    points = Decimal("0")
    if points_text:
        try:
            points = Decimal(points_text.removesuffix("分"))
            if not points.is_finite() or points < 0 or points >= 10_000 or points != round(points, 2):
                raise InvalidOperation
        except InvalidOperation:
            errors.append(CellError(row, "分值", f"分值“{points_text}”不是有效的数字（0 至 9999.99，最多两位小数）。"))
            points = Decimal("0")
    keys = []
    for label in filter(None, re.split(r"[、,，;；\s]+", _text(table_row.get("关联数据")))):
        if label in FIGURE_BY_LABEL:
            keys.append(FIGURE_BY_LABEL[label])
        elif label in FigureKey.values:
            keys.append(label)
        else:
            errors.append(
                CellError(row, "关联数据", f"“{label}”不是可关联的数据（可选：{'、'.join(FigureKey.labels)}）。")
            )
    return ItemDraft(
        row=row,
        number=number,
        kind=kind,
        parent=parent,
        content=content,
        points=points,
        scoring_rule=_text(table_row.get("评分标准")),
        evidence_asked=_text(table_row.get("所需材料")),
        is_veto=_flag(table_row.get("一票否决"), "一票否决", row, errors),
        is_bonus=_flag(table_row.get("加分项"), "加分项", row, errors),
        figure_keys=keys,
    )


def _check_tree(drafts: list[ItemDraft], errors: list[CellError]) -> None:
    seen: dict[str, ItemDraft] = {}
    for d in drafts:
        if d.number and d.number in seen:
            errors.append(CellError(d.row, "序号", f"序号“{d.number}”与第 {seen[d.number].row} 行重复。"))
        elif d.number:
            seen[d.number] = d
    for d in drafts:
        if not d.kind:
            continue
        if d.kind == ItemKind.HEADING:
            if d.parent:
                errors.append(CellError(d.row, "上级序号", "考评项目是最上一级，不应填写上级序号。"))
            continue
        label = ItemKind(d.kind).label
        if not d.parent:
            errors.append(CellError(d.row, "上级序号", f"{label}必须填写上级序号。"))
            continue
        parent = seen.get(d.parent)
        if parent is None or parent.row >= d.row:
            errors.append(CellError(d.row, "上级序号", f"上级序号“{d.parent}”在本行之前不存在，{label}缺少上级。"))
        elif parent.kind and parent.kind != PARENT_KIND[ItemKind(d.kind)]:
            want = ItemKind(PARENT_KIND[ItemKind(d.kind)]).label
            errors.append(
                CellError(
                    d.row, "上级序号", f"{label}的上级必须是{want}（“{d.parent}”是{ItemKind(parent.kind).label}）。"
                )
            )


@transaction.atomic
def scoring_table_import(*, user: User, name: str, file_name: str, content: bytes) -> ScoringTable:
    """A new scoring table from an .xlsx/.csv: every row checked first, one bad row imports nothing."""
    unit = _office_unit(user)
    limits = column_limits(
        ScoringItem, {h: f for h, f in COLUMNS.items() if f not in ("parent", "kind", "figure_keys")}
    )
    table = read_table(name=file_name, content=content, columns=REQUIRED_COLUMNS, max_chars=limits)
    errors: list[CellError] = []
    drafts = [
        _draft(dict(zip(table.header, values, strict=True)), row, errors)
        for values, row in zip(table.rows, table.row_numbers, strict=True)
    ]
    _check_tree(drafts, errors)
    if errors:
        raise UploadRefused(sorted(errors, key=lambda e: e.row))
    scoring_table = ScoringTable(owner_unit=unit, name=name)
    scoring_table.full_clean()
    scoring_table.save()
    saved: dict[str, ScoringItem] = {}
    for order, d in enumerate(drafts, 1):
        item = ScoringItem(
            table=scoring_table,
            parent=saved.get(d.parent) if d.parent else None,
            number=d.number,
            kind=d.kind,
            content=d.content,
            points=d.points,
            scoring_rule=d.scoring_rule,
            evidence_asked=d.evidence_asked,
            is_veto=d.is_veto,
            is_bonus=d.is_bonus,
            figure_keys=d.figure_keys,
            sort_order=order * 10,
        )
        try:
            item.full_clean(exclude=["table", "parent"])
        except ValidationError as e:
            fields = {v: k for k, v in COLUMNS.items()}
            raise UploadRefused(
                [CellError(d.row, fields.get(f, ""), "；".join(m)) for f, m in e.message_dict.items()]
            ) from None
        item.save()
        saved[d.number] = item
    return scoring_table


CHILD_KIND: dict[str | None, str] = {
    None: ItemKind.HEADING,
    ItemKind.HEADING: ItemKind.ITEM,
    ItemKind.ITEM: ItemKind.SUB_ITEM,
}


@transaction.atomic
def scoring_item_create(*, user: User, table: ScoringTable, parent: ScoringItem | None, **fields: Any) -> ScoringItem:
    """An item added by hand, placed after its parent's last descendant; every evaluation that
    uses the table gets it to assess."""
    _require_editor(user, table.owner_unit)
    if parent is not None and parent.table_id != table.pk:
        raise ValidationError({"parent": "上级必须是本考评标准中的条目。"})
    kind = CHILD_KIND.get(parent.kind if parent is not None else None)
    if kind is None:
        raise ValidationError({"parent": "细项下不能再加下级。"})
    items = ScoringItem.objects.select_for_update().filter(table=table)
    if parent is None:
        after = max(items.values_list("sort_order", flat=True), default=0)
    else:
        subtree = items.filter(Q(pk=parent.pk) | Q(parent=parent) | Q(parent__parent=parent))
        after = max(subtree.values_list("sort_order", flat=True))
        items.filter(sort_order__gt=after).update(sort_order=F("sort_order") + 10)
    item = ScoringItem(table=table, parent=parent, kind=kind, sort_order=after + 10, **fields)
    item.full_clean()
    item.save()
    ItemAssessment.objects.bulk_create(
        ItemAssessment(evaluation=e, item=item) for e in Evaluation.objects.filter(table=table)
    )
    return item


@transaction.atomic
def scoring_item_update(*, user: User, item: ScoringItem, version: Version, **fields: Any) -> ScoringItem:
    _require_editor(user, item.table.owner_unit)
    claim_version(item, expected_version=version)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


# ------------------------------------------------------------------------------------------
# Evaluations and self-assessment


@transaction.atomic
def evaluation_create(
    *, user: User, table: ScoringTable, title: str, kind: str, first_year: int, last_year: int
) -> Evaluation:
    unit = _office_unit(user)
    if table.owner_unit_id != unit.pk:
        raise ValidationError({"table": "只能使用本单位的考评标准。"})
    evaluation = Evaluation(
        owner_unit=unit, table=table, title=title, kind=kind, first_year=first_year, last_year=last_year
    )
    evaluation.full_clean()
    evaluation.save()
    ItemAssessment.objects.bulk_create(
        ItemAssessment(evaluation=evaluation, item=item) for item in ScoringItem.objects.filter(table=table)
    )
    return evaluation


def _assessment_of(evaluation: Evaluation, item: ScoringItem) -> ItemAssessment:
    assessment, _ = ItemAssessment.objects.get_or_create(evaluation=evaluation, item=item)
    return assessment


@transaction.atomic
def assessment_update(
    *, user: User, assessment: ItemAssessment, version: Version, self_score: Decimal | None, reason: str
) -> ItemAssessment:
    _require_editor(user, assessment.evaluation.owner_unit)
    if assessment.item.kind == ItemKind.HEADING and self_score is not None:
        raise ValidationError({"self_score": "考评项目按其下各条目计分，不单独打分。"})
    claim_version(assessment, expected_version=version)
    assessment.self_score = self_score
    assessment.reason = reason
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def item_files_add(*, user: User, assessment: ItemAssessment, files: Sequence[File]) -> list[ItemFile]:
    """Validate every file first, then store them: one bad file stores none."""
    _require_editor(user, assessment.evaluation.owner_unit)
    for f in files:
        validate_upload(f)
    created = []
    for f in files:
        row = ItemFile(assessment=assessment, **_file_fields(user, f))
        row.full_clean(exclude=["file"])
        row.save()
        created.append(row)
    return created


@transaction.atomic
def evidence_link_create(
    *, user: User, assessment: ItemAssessment, target: Meeting | UnitDocument | BudgetProof
) -> EvidenceLink:
    """Link a record of the evaluated unit (its meeting, proof or member unit's document)."""
    owner = assessment.evaluation.owner_unit
    _require_editor(user, owner)
    field = {Meeting: "meeting", UnitDocument: "unit_document", BudgetProof: "budget_proof"}[type(target)]
    unit = target.unit if isinstance(target, UnitDocument) else target.owner_unit
    if not unit_in_scope(user, unit):
        raise ValidationError("该材料不属于本单位。")
    existing = EvidenceLink.objects.filter(assessment=assessment, **{field: target}).first()
    if existing:
        return existing
    link = EvidenceLink(assessment=assessment, **{field: target})
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def evidence_link_delete(*, user: User, link: EvidenceLink) -> None:
    _require_editor(user, link.assessment.evaluation.owner_unit)
    link.delete()


@transaction.atomic
def item_file_delete(*, user: User, item_file: ItemFile) -> None:
    _require_editor(user, item_file.assessment.evaluation.owner_unit)
    item_file.delete()


# ------------------------------------------------------------------------------------------
# Work records: meetings, budget proofs, member units' documents


@transaction.atomic
def meeting_create(
    *,
    user: User,
    date: dt.date,
    kind: str,
    title: str,
    attendees: str = "",
    decisions: str = "",
    minutes: File | None = None,
) -> Meeting:
    unit = _office_unit(user)
    meeting = Meeting(owner_unit=unit, date=date, kind=kind, title=title, attendees=attendees, decisions=decisions)
    _set_minutes(meeting, minutes)
    meeting.full_clean(exclude=["minutes"])
    meeting.save()
    return meeting


def _set_minutes(meeting: Meeting, minutes: File | None) -> None:
    if minutes is not None:
        validate_upload(minutes)
        meeting.minutes = minutes  # type: ignore[assignment]
        meeting.minutes_name = minutes.name or ""
        meeting.minutes_size = minutes.size or 0


@transaction.atomic
def meeting_update(
    *,
    user: User,
    meeting: Meeting,
    version: Version,
    date: dt.date,
    kind: str,
    title: str,
    attendees: str = "",
    decisions: str = "",
    minutes: File | None = None,
) -> Meeting:
    _require_editor(user, meeting.owner_unit)
    claim_version(meeting, expected_version=version)
    meeting.date, meeting.kind, meeting.title = date, kind, title
    meeting.attendees, meeting.decisions = attendees, decisions
    _set_minutes(meeting, minutes)
    meeting.full_clean(exclude=["minutes"])
    meeting.save()
    return meeting


def meeting_decisions(meeting: Meeting) -> list[str]:
    return [line.strip() for line in meeting.decisions.splitlines() if line.strip()]


@transaction.atomic
def meeting_decision_to_dual_list(
    *, user: User, meeting: Meeting, index: int, direction: str, troop_unit: OrgUnit, responsible_unit: OrgUnit | None
) -> Any:
    """A decision of the meeting (one line of 议定事项) becomes a 双清单 item of the meeting's year,
    through the tasks app's own service (its rules, its notifications)."""
    from tasks.dual_list_services import dual_list_item_create

    _require_editor(user, meeting.owner_unit)
    decisions = meeting_decisions(meeting)
    if not 0 <= index < len(decisions):
        raise ValidationError("该议定事项不存在。")
    return dual_list_item_create(
        user=user,
        year=meeting.date.year,
        direction=direction,
        content=decisions[index],
        troop_unit=troop_unit,
        responsible_unit=responsible_unit,
    )


@transaction.atomic
def budget_proof_create(*, user: User, year: int, kind: str, amount: Decimal, note: str, file: File) -> BudgetProof:
    unit = _office_unit(user)
    proof = BudgetProof(owner_unit=unit, year=year, kind=kind, amount=amount, note=note, **_file_fields(user, file))
    proof.full_clean(exclude=["file"])
    proof.save()
    return proof


@transaction.atomic
def document_request_create(*, user: User, year: int, kind: str, deadline: dt.date) -> DocumentRequest:
    """Ask every active member unit for a document; the reminders chase the units until they upload."""
    unit = _office_unit(user)
    request = DocumentRequest(owner_unit=unit, year=year, kind=kind, deadline=deadline)
    try:
        request.full_clean()
    except ValidationError as e:
        if "__all__" in e.message_dict:
            raise ValidationError({"kind": "该年度已布置过这类材料。"}) from None
        raise
    request.save()
    DocumentDue.objects.bulk_create(DocumentDue(request=request, unit=u) for u in member_units_of(unit))
    return request


@transaction.atomic
def unit_document_upload(*, user: User, year: int, kind: str, file: File) -> UnitDocument:
    """A member-unit liaison uploads its own unit's plan, summary or 述职 report."""
    if user.is_read_only or not policy.may_upload_unit_document(user):
        raise PermissionDenied("只有成员单位联络员可以上传本单位的计划、总结和述职报告。")
    document = UnitDocument(unit=user.org_unit, year=year, kind=kind, **_file_fields(user, file))
    document.full_clean(exclude=["file"])
    document.save()
    return document
