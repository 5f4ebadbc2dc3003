"""The beneficiary ledger (联系工作台账), holiday campaigns, visit records and returns (填报).

One deployment may serve a whole province (docs/levels.md), and an identity number is registered
once in the whole deployment: a plain unique constraint on ``Beneficiary.id_number``. A person
who moves county is transferred (``BeneficiaryTransfer``: 迁出 → 迁入), never registered twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalChanges, HistoricalRecords

from shuangyong.fields import LONG_TEXT, NOTE, TEXT, BoundedTextField, InRangeDateField
from shuangyong.models import OFFICE_KINDS, OrgUnit, OrgUnitKind
from visits.validators import mask_id_number, normalize_id_number, validate_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message="金额不能为负数。")]


class TableRow(models.TextChoices):
    """The rows of the official statistics table, in the table's order."""

    ENTITLED = "entitled", "重点优抚对象"
    HARDSHIP = "hardship", "困难退役军人等优抚对象"
    TROOPS = "troops", "驻地部队基层官兵"
    BORDER = "border", "边海防官兵"


class CampaignKind(models.TextChoices):
    SPRING = "spring", "春节"
    ARMY_DAY = "army_day", "八一"


class EarlySubmission(models.TextChoices):
    """What happens when a unit submits its return before the visiting window opens (the office
    chooses per campaign)."""

    WARN = "warn", "提醒后允许提交"
    REFUSE = "refuse", "不允许提交"


class ReturnStatus(models.TextChoices):
    # One word for "not sent to the office yet", whether or not records were entered (未填报 was
    # a second word for the same state).
    DRAFT = "draft", "未提交"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已审核"


#: A unit may change its visit records only while its return is in one of these states.
EDITABLE_STATUSES = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})

#: Units that enter visit records themselves (their villages' records count for them).
RECORD_KINDS: frozenset[str] = frozenset({OrgUnitKind.TOWNSHIP, OrgUnitKind.MEMBER_UNIT})
#: Office units whose figures roll up (docs/levels.md): a county under its city, a city under the
#: province. Each has a campaign of its own linked under the campaign above, and its return to
#: the level above carries the snapshot of its table, not records.
ROLLUP_KINDS: frozenset[str] = frozenset(OFFICE_KINDS - RECORD_KINDS)


def rolls_up(unit: OrgUnit) -> bool:
    """Whether the unit's line in a campaign above comes from its own linked campaign."""
    return unit.has_office and unit.kind in ROLLUP_KINDS


class DifficultyKind(models.TextChoices):
    SCHOOLING = "schooling", "子女入学"
    EMPLOYMENT = "employment", "家属就业"
    HOUSING = "housing", "住房改造"
    MEDICAL = "medical", "看病就医"
    LEGAL = "legal", "法律援助"
    LIVING = "living", "生活困难"
    OTHER = "other", "其他"


class DifficultyState(models.TextChoices):
    OPEN = "open", "待解决"
    IN_PROGRESS = "in_progress", "解决中"
    RESOLVED = "resolved", "已解决"


class ContactWay(models.TextChoices):
    HOME_VISIT = "home_visit", "登门看望"
    TALK = "talk", "座谈交流"
    PHONE = "phone", "电话问候"
    LETTER = "letter", "慰问信"


class BeneficiaryCategory(models.Model):
    """An editable list of beneficiary categories, each counted in one row of the official table."""

    name = models.CharField("类别名称", max_length=50, unique=True)
    table_row = models.CharField("统计表行", max_length=16, choices=TableRow.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "优抚对象类别"
        verbose_name_plural = "优抚对象类别"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class IdNumberField(models.CharField):
    """The identity number. django-simple-history copies this field into the history table, where
    it is stored masked (500224********123X): the history never keeps a full number, also not through
    ``bulk_create_with_history`` (``pre_save`` runs for every insert, bulk or not)."""

    def to_python(self, value: object) -> str | None:
        # full_clean() stores what this returns: the number folded to ASCII (normalize_id_number).
        text = super().to_python(value)
        return normalize_id_number(text) if text else text

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = super().pre_save(model_instance, add)
        if value:
            # Every write path (a service, an import's bulk_create, the admin) stores the folded form.
            historical = isinstance(model_instance, HistoricalChanges)
            value = mask_id_number(value) if historical else normalize_id_number(value)
            setattr(model_instance, self.attname, value)
        return value


class Beneficiary(models.Model):
    """A person in a township's ledger. Only the person's township and the office may see it."""

    name = models.CharField("姓名", max_length=50)
    category = models.ForeignKey(BeneficiaryCategory, verbose_name="类别", on_delete=models.PROTECT)
    id_number = IdNumberField("身份证号", max_length=18, validators=[validate_id_number])
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属乡镇（村、社区）", on_delete=models.PROTECT, related_name="beneficiaries"
    )
    notes = BoundedTextField("备注（意见建议等）", blank=True, max_length=TEXT)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系对象"
        verbose_name_plural = "联系对象"
        ordering = ["org_unit__path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                name="beneficiary_id_number_unique_in_county",  # the name predates the province scope
                violation_error_message="该身份证号已登记在台账中，同一身份证号在全系统只能登记一次。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class ContactLog(models.Model):
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="联系对象", on_delete=models.CASCADE, related_name="contacts"
    )
    date = InRangeDateField("联系日期")
    way = models.CharField("联系方式", max_length=16, choices=ContactWay.choices)
    contacted_by = models.CharField("联系人", max_length=50)
    content = BoundedTextField("联系内容（谈了什么、意见建议）", max_length=TEXT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_way_display()}"


class Difficulty(models.Model):
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="联系对象", on_delete=models.CASCADE, related_name="difficulties"
    )
    kind = models.CharField("困难类型", max_length=16, choices=DifficultyKind.choices)
    description = BoundedTextField("困难情况", max_length=NOTE)
    state = models.CharField("状态", max_length=16, choices=DifficultyState.choices, default=DifficultyState.OPEN)
    resolution = BoundedTextField("化解情况", blank=True, max_length=NOTE)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking
    raised_on = InRangeDateField("提出日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "困难问题"
        verbose_name_plural = "困难问题"
        ordering = ["state", "-raised_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_state_display()}）"


class TransferState(models.TextChoices):
    PENDING = "pending", "待迁入"
    ACCEPTED = "accepted", "已迁入"
    REFUSED = "refused", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤回"


class BeneficiaryTransfer(models.Model):
    """A person of the ledger moving county (迁出 → 迁入).

    The person's township or county office starts it, naming the destination county; the
    destination county's office accepts it (choosing the township: the ledger entry moves there
    with its history, contact logs and difficulties) or refuses it with a reason; the origin may
    withdraw it while it waits. One pending transfer per person (a constraint).
    """

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="联系对象", on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="迁出单位",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="发起迁出时所在的乡镇（村、社区）",
    )
    to_county = models.ForeignKey(OrgUnit, verbose_name="迁入区县", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name="迁入单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=16, choices=TransferState.choices, default=TransferState.PENDING)
    reason = BoundedTextField("迁出原因", blank=True, max_length=NOTE)
    refusal_reason = BoundedTextField("拒绝理由", blank=True, max_length=NOTE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking
    history = HistoricalRecords()

    class Meta:
        verbose_name = "人员迁移"
        verbose_name_plural = "人员迁移"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(state="pending"),
                name="transfer_one_pending_per_person",
                violation_error_message="该联系对象已有待迁入的迁移申请。",
            ),
            models.CheckConstraint(
                condition=Q(to_unit__isnull=True) | Q(state="accepted"),
                name="transfer_to_unit_only_when_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary.name} 迁往 {self.to_county.name}（{self.get_state_display()}）"

    @property
    def is_pending(self) -> bool:
        return self.state == TransferState.PENDING


class IdentityAccess(models.TextChoices):
    VIEW = "view", "查看联系对象档案"
    SHOW = "show", "查看完整身份证号"
    EXPORT_FULL = "export_full", "导出完整身份证号"
    EXPORT_MASKED = "export_masked", "导出台账（身份证号已遮蔽）"
    # Someone tried to register a number already in another township's ledger (a possible probe).
    FOREIGN_ID_NUMBER = "foreign_id", "登记其他单位台账中的身份证号"


class IdentityAccessLog(models.Model):
    """Who read whose record or full identity number, when, and how (domain.md §4: every read is logged)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT)
    beneficiary = models.ForeignKey(Beneficiary, verbose_name="联系对象", on_delete=models.CASCADE)
    action = models.CharField("操作", max_length=16, choices=IdentityAccess.choices)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "联系对象查看记录"
        verbose_name_plural = "联系对象查看记录"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class Campaign(models.Model):
    year = models.PositiveIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField("类型", max_length=16, choices=CampaignKind.choices)
    title = models.CharField("名称", max_length=100)
    visit_start = InRangeDateField("走访开始日期")
    visit_end = InRangeDateField("走访结束日期")
    return_deadline = InRangeDateField("报送截止日期", help_text="当日（北京时间）24 时前提交为按时")
    early_submission = models.CharField(
        "走访开始前提交填报",
        max_length=8,
        choices=EarlySubmission.choices,
        default=EarlySubmission.WARN,
        help_text="单位在走访开始日期之前提交填报时：提醒后允许，或不允许。",
    )
    expected_units = models.ManyToManyField(OrgUnit, verbose_name="应报送单位", related_name="expected_campaigns")
    owner_unit = models.ForeignKey(OrgUnit, verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级活动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_campaigns",
        help_text="上级双拥办的同类活动：本级的统计表计算后报送到该活动。",
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking
    history = HistoricalRecords(m2m_fields=[expected_units])

    class Meta:
        verbose_name = "走访慰问活动"
        verbose_name_plural = "走访慰问活动"
        ordering = ["-year", "-visit_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "year", "kind"],
                name="campaign_one_per_kind_and_year",
                violation_error_message="本年度已有同类活动（春节或八一每年各一次）。",
            ),
            models.CheckConstraint(
                condition=Q(visit_start__lte=models.F("visit_end")),
                name="campaign_window_order",
                violation_error_message="走访结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def in_window(self, day: dt.date) -> bool:
        return self.visit_start <= day <= self.visit_end

    def early_submission_message(self, day: dt.date) -> str:
        """What a unit submitting its return on ``day`` is told, when the visiting has not started."""
        if day >= self.visit_start:
            return ""
        if self.early_submission == EarlySubmission.REFUSE:
            return f"走访慰问从 {self.visit_start:%Y-%m-%d} 开始，开始前不能提交填报。"
        return f"走访慰问从 {self.visit_start:%Y-%m-%d} 开始，现在还没有开始：请确认确实要提前提交。"

    def refuses_submission_on(self, day: dt.date) -> bool:
        return day < self.visit_start and self.early_submission == EarlySubmission.REFUSE


class Return(models.Model):
    """One unit's return (填报) for one campaign: its visit records plus a short summary."""

    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="returns")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="填报单位", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField("状态", max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    no_visits = models.BooleanField("本期无走访", default=False)
    summary = BoundedTextField("书面小结", blank=True, max_length=LONG_TEXT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = BoundedTextField("退回原因", blank=True, max_length=NOTE)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    # The return of an office unit to the level above (docs/levels.md): its table as submitted,
    # computed from its own campaign's accepted returns, stored exactly (money as decimal strings)
    # so that what the level above accepted never changes under it. Null for a record unit.
    figures = models.JSONField("上报统计数据", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "填报"
        verbose_name_plural = "填报"
        ordering = ["campaign", "org_unit__sort_order", "org_unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org_unit"],
                name="return_one_per_unit",
                violation_error_message="该单位在本次活动中已有填报。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.org_unit}"

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline day (Asia/Shanghai); an unsubmitted return is late once the day is past."""
        if self.submitted_at is not None:
            return self.submitted_at.astimezone(SHANGHAI).date() > self.campaign.return_deadline
        from django.utils import timezone

        return timezone.now().astimezone(SHANGHAI).date() > self.campaign.return_deadline

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def submitted_early(self) -> bool:
        """Submitted before the visiting window opened (allowed only where the campaign warns)."""
        return (
            self.submitted_at is not None and self.submitted_at.astimezone(SHANGHAI).date() < self.campaign.visit_start
        )


class VisitRecord(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="records")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="走访单位", on_delete=models.PROTECT, related_name="+")
    unit_return = models.ForeignKey(Return, verbose_name="所属填报", on_delete=models.PROTECT, related_name="records")
    visit_date = models.DateField("走访日期")  # within the campaign window (services), itself within range
    table_row = models.CharField("统计表对象类别", max_length=16, choices=TableRow.choices)
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name="联系对象", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    troop_unit = models.ForeignKey(
        OrgUnit, verbose_name="慰问部队", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_leader = models.CharField("带队领导", max_length=100, blank=True)
    people_visited = models.PositiveIntegerField("走访慰问人数（人）", default=0)
    money_amount = models.DecimalField(
        "慰问金金额（元）", max_digits=14, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE
    )
    money_recipients = models.PositiveIntegerField("慰问金发放人数（人）", default=0)
    goods_spending = models.DecimalField(
        "慰问品支出（元）", max_digits=14, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE
    )
    goods_count = models.PositiveIntegerField("慰问品数量（件）", default=0)
    goods_recipients = models.PositiveIntegerField("慰问品发放人数（人）", default=0)
    way = models.CharField("走访方式", max_length=16, choices=ContactWay.choices, default=ContactWay.HOME_VISIT)
    notes = BoundedTextField("备注", blank=True, max_length=NOTE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visit_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(money_recipients__lte=models.F("people_visited"))
                & Q(goods_recipients__lte=models.F("people_visited")),
                name="visit_recipients_within_people_visited",
            ),
            models.CheckConstraint(
                condition=Q(money_amount__gte=0) & Q(goods_spending__gte=0), name="visit_money_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.visit_date} {self.get_table_row_display()}"

    @property
    def total_amount(self) -> Decimal:
        return self.money_amount + self.goods_spending


class VisitDifficulty(models.Model):
    """A practical difficulty solved during a visit (解决实际困难): kind, how many, a note."""

    record = models.ForeignKey(
        VisitRecord, verbose_name="走访记录", on_delete=models.CASCADE, related_name="difficulties"
    )
    kind = models.CharField("困难类型", max_length=16, choices=DifficultyKind.choices)
    count = models.PositiveIntegerField("解决件数", validators=[MinValueValidator(1)])
    note = models.CharField("说明", max_length=200, blank=True)
    # Kept with the visit record's history (visits.history.record_history): added and removed lines.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "解决实际困难"
        verbose_name_plural = "解决实际困难"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.count} 件"


# What a user enters on a visit record: the service validates these, the history page shows them.
RECORD_FIELDS = (
    "visit_date",
    "table_row",
    "beneficiary",
    "troop_unit",
    "lead_leader",
    "people_visited",
    "money_amount",
    "money_recipients",
    "goods_spending",
    "goods_count",
    "goods_recipients",
    "way",
    "notes",
)
