"""双拥模范城（县）考评: the scoring table, an evaluation's self-assessment, and the work records
the table asks for that no other app keeps (meetings, member units' annual documents, budget
proofs). Files are private like task evidence: stored under MEDIA_ROOT with a name of ours and
served only by scoped views (evaluation/views.py)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from shuangyong.fields import NOTE, TEXT, BoundedTextField, InRangeDateField
from shuangyong.models import OrgUnit

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def evaluation_upload_to(instance: Any, filename: str) -> str:
    # The stored name is ours (no user-chosen path); the original name is kept in the row.
    suffix = Path(filename).suffix.lower()
    return f"evaluation/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class FigureKey(models.TextChoices):
    """What the portal can prove for an item by itself, per year of the window (evaluation/figures.py).
    The meeting, document and budget keys also say what is missing (the gap list)."""

    DUAL_LIST = "dual_list", "双清单办结率"
    TASKS = "tasks", "工作任务完成情况"
    RETURNS = "returns", "走访慰问按时报送"
    VISITS = "visits", "走访慰问人数和金额"
    MEETING_MILITARY = "meeting_military", "议军会议"
    MEETING_JOINT = "meeting_joint", "军地联席会议"
    MEETING_LEADING = "meeting_leading", "领导小组全体会议"
    MEETING_FORUM = "meeting_forum", "军政座谈会"
    UNIT_PLANS = "unit_plans", "成员单位年度计划"
    UNIT_SUMMARIES = "unit_summaries", "成员单位年度总结"
    UNIT_REPORTS = "unit_reports", "成员单位述职报告"
    BUDGET = "budget", "经费预算"
    PAYMENTS = "payments", "经费拨付凭证"


def validate_figure_keys(value: Any) -> None:
    if not isinstance(value, list) or any(k not in FigureKey.values for k in value):
        raise ValidationError("关联数据只能从列表中选择。")


class ScoringTable(models.Model):
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属双拥办", on_delete=models.PROTECT, related_name="scoring_tables"
    )
    name = models.CharField("名称", max_length=100)
    is_example = models.BooleanField("示例", default=False, help_text="演示用的示例考评标准，不是正式文件")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考评标准"
        verbose_name_plural = "考评标准"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（示例）" if self.is_example else self.name


class ItemKind(models.TextChoices):
    HEADING = "heading", "考评项目"
    ITEM = "item", "考评内容"
    SUB_ITEM = "sub_item", "细项"


class ScoringItem(models.Model):
    """A row of the scoring table: a heading (一、组织领导坚强有力), an item under it, or a sub-item."""

    table = models.ForeignKey(ScoringTable, verbose_name="考评标准", on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    number = models.CharField("序号", max_length=20)
    kind = models.CharField("层级", max_length=10, choices=ItemKind.choices)
    content = BoundedTextField("考评内容", max_length=TEXT)
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    scoring_rule = BoundedTextField("评分标准", max_length=TEXT, blank=True)
    evidence_asked = BoundedTextField("所需材料", max_length=NOTE, blank=True)
    is_veto = models.BooleanField("一票否决", default=False)
    is_bonus = models.BooleanField("加分项", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    figure_keys = models.JSONField("关联数据", default=list, blank=True, validators=[validate_figure_keys])
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考评条目"
        verbose_name_plural = "考评条目"
        ordering = ["table", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="scoring_item_number_unique_in_table"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.content[:30]}"

    @property
    def figure_labels(self) -> list[str]:
        labels = dict(FigureKey.choices)
        return [labels[k] for k in self.figure_keys if k in labels]


class EvaluationKind(models.TextChoices):
    TERM = "term", "届期考评"
    MID_TERM = "mid_term", "届中考评"


class Evaluation(models.Model):
    """One evaluation of the owning unit: the years of its window (届期 four, 届中 two)."""

    owner_unit = models.ForeignKey(OrgUnit, verbose_name="参评单位", on_delete=models.PROTECT, related_name="+")
    table = models.ForeignKey(ScoringTable, verbose_name="考评标准", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=EvaluationKind.choices, default=EvaluationKind.TERM)
    first_year = models.PositiveIntegerField("起始年度", validators=YEAR_VALIDATORS)
    last_year = models.PositiveIntegerField("截止年度", validators=YEAR_VALIDATORS)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考评"
        verbose_name_plural = "考评"
        ordering = ["-last_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="evaluation_years_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.first_year and self.last_year:
            if self.last_year < self.first_year:
                raise ValidationError({"last_year": "截止年度不能早于起始年度。"})
            if self.kind == EvaluationKind.MID_TERM and self.last_year - self.first_year != 1:
                raise ValidationError({"last_year": "届中考评的考评期为两年。"})
            if self.last_year - self.first_year > 3:
                raise ValidationError({"last_year": "届期考评的考评期最长四年。"})

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class ItemAssessment(models.Model):
    """The office's self-assessment of one item: score, reason, and the evidence linked to it."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name="考评", on_delete=models.CASCADE, related_name="assessments"
    )
    item = models.ForeignKey(ScoringItem, verbose_name="考评条目", on_delete=models.CASCADE, related_name="+")
    self_score = models.DecimalField(
        "自评得分", max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    reason = BoundedTextField("自评说明", max_length=NOTE, blank=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "条目自评"
        verbose_name_plural = "条目自评"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="assessment_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} {self.item.number}"

    def clean(self) -> None:
        if self.self_score is not None and self.item_id and self.self_score > self.item.points:
            raise ValidationError({"self_score": f"自评得分不能超过该条目的分值（{self.item.points} 分）。"})


class MeetingKind(models.TextChoices):
    MILITARY_AFFAIRS = "military", "议军会议"
    JOINT = "joint", "军地联席会议"
    LEADING_GROUP = "leading", "领导小组全体会议"
    FORUM = "forum", "军政座谈会"


class Meeting(models.Model):
    owner_unit = models.ForeignKey(OrgUnit, verbose_name="所属双拥办", on_delete=models.PROTECT, related_name="+")
    date = InRangeDateField("会议日期")
    kind = models.CharField("会议类型", max_length=10, choices=MeetingKind.choices)
    title = models.CharField("会议名称", max_length=100)
    attendees = BoundedTextField("参会人员", max_length=NOTE, blank=True)
    decisions = BoundedTextField("议定事项", max_length=TEXT, blank=True, help_text="每行一项，可转为工作任务")
    minutes = models.FileField("会议纪要", upload_to=evaluation_upload_to, max_length=255, blank=True)
    minutes_name = models.CharField("纪要文件名", max_length=255, blank=True)
    minutes_size = models.PositiveBigIntegerField("纪要大小（字节）", default=0)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    # The stored name is ours and says nothing: the history keeps the file's own name and size.
    history = HistoricalRecords(excluded_fields=["minutes"])

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class DocumentKind(models.TextChoices):
    PLAN = "plan", "年度计划"
    SUMMARY = "summary", "年度总结"
    REPORT = "report", "述职报告"


class DocumentRequest(models.Model):
    """The office asks its member units for a document of a year by a deadline."""

    owner_unit = models.ForeignKey(OrgUnit, verbose_name="所属双拥办", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    kind = models.CharField("材料类型", max_length=10, choices=DocumentKind.choices)
    deadline = InRangeDateField("报送截止日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "成员单位材料报送要求"
        verbose_name_plural = "成员单位材料报送要求"
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["owner_unit", "year", "kind"], name="document_request_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}"


class DocumentDue(models.Model):
    """A member unit asked for a requested document: the row the reminders chase until it uploads."""

    request = models.ForeignKey(DocumentRequest, verbose_name="报送要求", on_delete=models.CASCADE, related_name="dues")
    unit = models.ForeignKey(OrgUnit, verbose_name="成员单位", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "应报送单位"
        verbose_name_plural = "应报送单位"
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="document_due_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.request}"


class UnitDocument(models.Model):
    """A member unit's annual plan, summary or 述职 report for a year; only that unit and the office see it."""

    unit = models.ForeignKey(OrgUnit, verbose_name="成员单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    kind = models.CharField("材料类型", max_length=10, choices=DocumentKind.choices)
    file = models.FileField("文件", upload_to=evaluation_upload_to, max_length=255)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = "成员单位材料"
        verbose_name_plural = "成员单位材料"
        ordering = ["-year", "unit__path", "kind", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年{self.get_kind_display()}"


class BudgetProofKind(models.TextChoices):
    BUDGET = "budget", "预算安排"
    PAYMENT = "payment", "拨付凭证"


class BudgetProof(models.Model):
    owner_unit = models.ForeignKey(OrgUnit, verbose_name="所属双拥办", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    kind = models.CharField("类型", max_length=10, choices=BudgetProofKind.choices)
    amount = models.DecimalField(
        "金额（元）", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField("文件", upload_to=evaluation_upload_to, max_length=255)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = "经费凭证"
        verbose_name_plural = "经费凭证"
        ordering = ["-year", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()} {self.original_name}"


class ItemFile(models.Model):
    """A file the office attaches to one item directly (a development plan, a work report …)."""

    assessment = models.ForeignKey(
        ItemAssessment, verbose_name="条目自评", on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField("文件", upload_to=evaluation_upload_to, max_length=255)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = "条目材料"
        verbose_name_plural = "条目材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class EvidenceLink(models.Model):
    """A work record linked to an item as its evidence: a meeting, a member unit's document or a budget proof."""

    assessment = models.ForeignKey(
        ItemAssessment, verbose_name="条目自评", on_delete=models.CASCADE, related_name="links"
    )
    meeting = models.ForeignKey(Meeting, verbose_name="会议", null=True, blank=True, on_delete=models.CASCADE)
    unit_document = models.ForeignKey(
        UnitDocument, verbose_name="成员单位材料", null=True, blank=True, on_delete=models.CASCADE
    )
    budget_proof = models.ForeignKey(
        BudgetProof, verbose_name="经费凭证", null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField("关联时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "佐证关联"
        verbose_name_plural = "佐证关联"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, unit_document__isnull=True, budget_proof__isnull=True)
                | Q(meeting__isnull=True, unit_document__isnull=False, budget_proof__isnull=True)
                | Q(meeting__isnull=True, unit_document__isnull=True, budget_proof__isnull=False),
                name="evidence_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> Meeting | UnitDocument | BudgetProof:
        return self.meeting or self.unit_document or self.budget_proof  # type: ignore[return-value]
