"""Organisation units (a tree) and users with one role each."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Length, Substr
from simple_history.models import HistoricalRecords

from shuangyong.fields import DOCUMENT, NOTE, TEXT, BoundedTextField

PATH_STEP = 7  # digits per level of the materialised path: "0000001.0000012."


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）双拥办"
    TOWNSHIP = "township", "乡镇、街道"
    MEMBER_UNIT = "member", "成员单位"
    VILLAGE = "village", "村、社区"
    TROOP = "troop", "驻地部队"


#: Units with a 双拥办 of their own (office staff and leaders). Each office publishes work points and
#: runs campaigns for the units directly under it: its member units and the offices one level down
#: (a city for its counties, a county for its townships, a street office for its villages).
#: One code path for every level: code asks "is this an office unit", never "is this the county".
OFFICE_KINDS: frozenset[str] = frozenset(
    {OrgUnitKind.PROVINCE, OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.TOWNSHIP}
)
#: The office kinds from the top of the tree down: each office breaks down the work of the one above.
OFFICE_LEVELS: tuple[str, ...] = (OrgUnitKind.PROVINCE, OrgUnitKind.CITY, OrgUnitKind.COUNTY, OrgUnitKind.TOWNSHIP)
assert set(OFFICE_LEVELS) == OFFICE_KINDS
#: The levels of government whose offices report up as a whole (docs/levels.md): an office above
#: them reads each as one line of its summaries (a city its counties, the province its cities),
#: not as the thousands of units inside them (``shuangyong.access.lines_one_level_down``).
LEVEL_KINDS: frozenset[str] = frozenset({OrgUnitKind.PROVINCE, OrgUnitKind.CITY, OrgUnitKind.COUNTY})
#: Personal data (the ledger, names in visit records, contact logs, ID numbers) never leaves the
#: county (PIPL minimum-necessary): offices above it see tables, returns and task progress only.
PERSONAL_DATA_BOUNDARY: str = OrgUnitKind.COUNTY


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def below(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        """The unit and every unit under it, at any depth, in one query."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def active(self) -> OrgUnitQuerySet:
        return self.filter(is_active=True)


class OrgUnit(models.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path of zero-padded primary keys ("0000001.0000004."), so
    "this unit and everything below it" is one ``path LIKE 'x%'`` query at any depth, and a
    city or province can be put above a county later by re-rooting paths, not by a rewrite.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.SlugField(
        "代码", max_length=30, unique=True, help_text="简短唯一代码，如 fd-xs（字母、数字、连字符）"
    )
    kind = models.CharField("类型", max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField("排序", default=0)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    troop_name = models.CharField(
        "驻地部队称谓",
        max_length=20,
        blank=True,
        help_text="区县填写：八一统计表标题中的部队称谓，如“驻铜部队”（不填则为“驻地部队”）",
    )
    version = models.PositiveIntegerField(
        "版本号", default=1, editable=False
    )  # optimistic locking (shuangyong/concurrency.py)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="orgunit_not_own_parent"),
        ]
        indexes = [
            # Scope filters are "path LIKE 'x%'": on PostgreSQL only a pattern-ops index serves
            # them under a non-C collation (other databases ignore opclasses).
            models.Index(fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._would_be_own_descendant():
            raise ValueError("不能把单位移到它自己或它的下级单位之下")
        old_path = self.path
        super().save(*args, **kwargs)
        prefix = self.parent.path if self.parent_id and self.parent else ""
        new_path = f"{prefix}{self.pk:0{PATH_STEP}d}."
        if new_path != old_path:
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Moving a unit moves its whole subtree: rewrite the descendants' prefix in one UPDATE.
                type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(new_path), Substr("path", Length(models.Value(old_path)) + 1))
                )
            self.path = new_path

    def clean(self) -> None:
        if self._would_be_own_descendant():
            raise ValidationError({"parent": "不能把单位移到它自己或它的下级单位之下。"})

    def _would_be_own_descendant(self) -> bool:
        return bool(self.path and self.parent_id and self.parent and self.parent.path.startswith(self.path))

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def has_office(self) -> bool:
        """Whether the unit is a level with a 双拥办 of its own (OFFICE_KINDS)."""
        return self.kind in OFFICE_KINDS

    def is_below(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)

    def ancestor_pks(self) -> list[int]:
        return [int(step) for step in self.path.strip(".").split(".") if step]


class Role(models.TextChoices):
    TOWNSHIP_STAFF = "township_staff", "乡镇填报员"
    MEMBER_LIAISON = "member_liaison", "成员单位联络员"
    TROOP_LIAISON = "troop_liaison", "部队联络员"
    OFFICE = "office", "双拥办工作人员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


READ_ONLY_ROLES = frozenset({Role.LEADER})


class User(AbstractUser):
    """A portal user: exactly one unit, exactly one role."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="users", null=True
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.TOWNSHIP_STAFF)
    is_unit_head = models.BooleanField("单位负责人", default=False, help_text="逾期升级提醒发送给单位负责人")
    phone = models.CharField("手机号", max_length=20, blank=True)
    large_text = models.BooleanField(
        "大字模式", default=False, help_text="页面文字和按钮放大（页头的“大字模式”开关），在任何设备登录都保持"
    )
    # A display preference is not part of the account's history.
    history = HistoricalRecords(excluded_fields=["password", "last_login", "large_text"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    @property
    def is_office(self) -> bool:
        """双拥办 staff and system administrators run the county."""
        return self.role in (Role.OFFICE, Role.ADMIN)


# --- Notifications and deadline reminders (shuangyong/notifications.py, shuangyong/reminders.py) ---


def _validate_days_before(value: str) -> None:
    if not re.fullmatch(r"\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*", value or ""):
        raise ValidationError("请填写用英文逗号分隔的天数，如 7,3,1。")
    if any(int(part) < 1 for part in value.split(",")):
        raise ValidationError("提前天数必须大于 0（到期当天另有开关）。")


class ReminderPolicy(models.Model):
    """Reminder settings. The row without an owner is the site default (``ReminderPolicy.load()``);
    an office may have its own row (``owner_unit``), which applies to the items of every unit
    under it, down to the next office below that has its own (``shuangyong.reminders``).
    The digest hour and the retry interval are the site's (one scan, one outbox): only the
    default row's count."""

    owner_unit = models.OneToOneField(
        OrgUnit,
        verbose_name="所属双拥办",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_policy",
        help_text="不填为全站默认设置；填写后适用于该单位及其下级单位（下级双拥办另有设置的除外）",
    )
    days_before = models.CharField(
        "提前提醒天数",
        max_length=50,
        default="7,3,1",
        validators=[_validate_days_before],
        help_text="到期前第几天提醒，用英文逗号分隔，如 7,3,1",
    )
    remind_on_due_day = models.BooleanField("到期当天提醒", default=True)
    remind_overdue = models.BooleanField("逾期提醒", default=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        "逾期几天后升级",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="逾期达到该天数时，提醒责任单位负责人；双拥办在每日逾期汇总中看到已升级事项",
    )
    close_confirm_after_days = models.PositiveSmallIntegerField(
        "申请销号待确认几天后提醒",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    digest_hour = models.PositiveSmallIntegerField(
        "每日提醒时间（时）",
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="当天该时刻之后的第一次扫描发送每日提醒邮件、逾期汇总和群消息（北京时间）",
    )
    retry_after_minutes = models.PositiveSmallIntegerField(
        "发送失败重试间隔（分钟）",
        default=10,
        validators=[MinValueValidator(1)],
        help_text="认领后超过该时间仍未发出的邮件等消息，下次扫描重新发送",
    )
    version = models.PositiveIntegerField(
        "版本号", default=1, editable=False
    )  # optimistic locking (shuangyong/concurrency.py)
    history = HistoricalRecords()

    #: What an office sets for the units under it (the retry interval is site-wide).
    OFFICE_FIELDS = (
        "days_before",
        "remind_on_due_day",
        "remind_overdue",
        "escalate_after_days",
        "close_confirm_after_days",
        "digest_hour",
    )

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self) -> str:
        return f"提醒设置（{self.owner_unit}）" if self.owner_unit_id else "提醒设置（全站默认）"

    def clean(self) -> None:
        if self.owner_unit is not None and not self.owner_unit.has_office:
            raise ValidationError({"owner_unit": "只能为双拥办（省、市、区县、乡镇街道）单位设置提醒。"})
        if self.owner_unit_id is None:
            others = type(self).objects.filter(owner_unit__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"owner_unit": "全站默认设置已有一份，请选择所属双拥办。"})

    @classmethod
    def load(cls) -> ReminderPolicy:
        """The site default row (no owner)."""
        policy = cls.objects.filter(owner_unit__isnull=True).order_by("pk").first()
        return policy or cls.objects.create()

    @property
    def days_before_list(self) -> list[int]:
        """Distinct positive days, largest first: [7, 3, 1]."""
        return sorted({int(part) for part in self.days_before.split(",") if part.strip()}, reverse=True)


class Reminder(models.Model):
    """The claim of one reminder: inserted before anything is sent, unique per object, recipient,
    threshold and deadline, so that a re-run, a second worker or a restart after a crash cannot
    produce it twice. The deadline is part of the key on purpose: a moved deadline is a new
    deadline and gets its own reminders; the daily digest uses the digest's date."""

    # The scan writes 100,000s of claims in one go: every index and every foreign-key check of
    # this table is paid per claim. So no index of its own for the content type (the unique
    # constraint's index starts with it) or the recipient (the digest index has it, after the
    # day), and no database-level check of the content type, recipient, unit, delegation and
    # snooze references, whose rows are static or deleted only through the ORM (which applies
    # ``on_delete`` itself, tests/reminders/test_orm_integrity.py): PostgreSQL checks deferred
    # foreign keys one row at a time at commit (the backlog's commit: ~1 s for these checks).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    object_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(
        "User", on_delete=models.CASCADE, related_name="+", verbose_name="接收人", db_index=False, db_constraint=False
    )
    threshold = models.CharField("提醒节点", max_length=32)
    deadline = models.DateField("时限")
    claim_token = models.UUIDField(db_index=True, editable=False)
    claimed_at = models.DateTimeField("生成时间", auto_now_add=True)
    # The unit whose item it is (a return is one campaign for many units), the delegation that
    # sent it to a colleague instead of the unit's users, the day's e-mail digest that listed it
    # (NULL: not yet e-mailed) and the snooze that muted it before that.
    # Never looked up by these three (deleting a unit, delegation or snooze is rare): unindexed,
    # so that the scan's bulk claims maintain fewer indexes.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    delegation = models.ForeignKey(
        "ReminderDelegation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委托",
        db_index=False,
        db_constraint=False,
    )
    digest_day = models.DateField("列入每日提醒", null=True, blank=True)
    snooze = models.ForeignKey(
        "ReminderSnooze",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="暂停",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "recipient", "threshold", "deadline"],
                name="reminder_once_per_object_recipient_threshold",
            )
        ]
        indexes = [
            # Who is waiting for a digest (digest_day IS NULL) and one person's reminders of a day.
            models.Index(fields=["digest_day", "recipient"], name="reminder_digest_day"),
            # The few claims a snooze muted, released when it ends (``reminders.release_snoozed``);
            # partial: the scan's bulk claims (no snooze) never enter it.
            models.Index(fields=["snooze"], condition=Q(snooze__isnull=False), name="reminder_snoozed"),
        ]

    def __str__(self) -> str:
        return f"{self.threshold} {self.deadline} → {self.recipient_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    IN_DIGEST = "digest", "随每日提醒发送"


TITLE_MAX_LENGTH = 200


def one_line_title(text: str) -> str:
    """A notification title on one line: titles become e-mail subjects, where a line break is
    refused (BadHeaderError), and list rows, where it breaks the layout. Users' text (a 双清单
    item's content) often carries line breaks, so every title is folded here, once."""
    folded = " ".join(text.split())
    return folded if len(folded) <= TITLE_MAX_LENGTH else folded[: TITLE_MAX_LENGTH - 1] + "…"


class Notification(models.Model):
    """A message in a user's notification centre; also the outbox of the other channels (e-mail …).

    The row is written in the same transaction as the event (or the reminder claim); the
    channels send it afterwards and record what went out, so a crash never loses a message.
    """

    # Indexes cost the reminder scan's backlog (100,000s of rows in one go): the recipient is the
    # first column of both composite indexes below, so its own foreign-key index is not kept, and
    # nothing looks entries up by content type or by time alone. For the same reason the recipient
    # and the reminder have no database-level check: users and claims are deleted only through
    # the ORM, which applies ``on_delete`` itself (tests/reminders/test_orm_integrity.py).
    recipient = models.ForeignKey(
        "User",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
        db_index=False,
        db_constraint=False,
    )
    title = models.CharField("标题", max_length=200)
    subject = models.CharField("事项", max_length=200, blank=True, help_text="提醒所说的事项，每日提醒汇总按它列出")
    # A day's digest lists up to 500 items (shuangyong.reminders.DIGEST_MAX_LINES), ~60,000 characters.
    body = BoundedTextField("内容", blank=True, max_length=DOCUMENT)
    url = models.CharField("链接", max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification", db_constraint=False
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    delivery_state = models.CharField(
        "外发状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    delivered_via = models.JSONField("已发送渠道", default=list, blank=True)
    delivery_token = models.UUIDField(null=True, blank=True, editable=False)
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    delivery_error = BoundedTextField("发送错误", blank=True, max_length=TEXT)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(
                fields=["delivery_state", "delivery_claimed_at"],
                condition=Q(delivery_state="pending"),
                name="notification_outbox",
            ),
            # Only rows being delivered carry a token; reminder entries (most rows) stay out of it.
            models.Index(
                fields=["delivery_token"],
                condition=Q(delivery_token__isnull=False),
                name="notification_delivery_token",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# --- Snooze, delegation and the offices' group chats (shuangyong/reminder_services.py, chat.py) ---

SNOOZE_MAX_DAYS = 7


class ReminderSnooze(models.Model):
    """A person mutes the reminders of one item until a day (at most 7 days ahead), with a reason
    the office sees. Cancelling it (or its end) lets the scan remind them again."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="reminder_snoozes", verbose_name="暂停人")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="reminder_snoozes", verbose_name="事项所属单位"
    )
    subject = models.CharField("事项", max_length=200)
    url = models.CharField("链接", max_length=500, blank=True)
    until = models.DateField("暂停至（含）")
    # The first day of an unbroken run of snoozes of the item (a snooze replacing a running one
    # keeps it): the run lasts SNOOZE_MAX_DAYS at most. Empty on snoozes set before it was kept.
    muted_since = models.DateField("连续暂停起始日", null=True, blank=True)
    reason = models.CharField("理由", max_length=200)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提醒暂停"
        verbose_name_plural = "提醒暂停"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "user"], name="snooze_item_user")]

    def __str__(self) -> str:
        return f"{self.user}：{self.subject}（至{self.until}）"

    def is_active_on(self, day: Any) -> bool:
        return self.cancelled_at is None and day <= self.until


class ReminderDelegation(models.Model):
    """A unit head hands the unit's reminders (and their own escalations) to a colleague of the
    same unit for a period: meanwhile the scan reminds the colleague instead."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="reminder_delegations", verbose_name="单位"
    )
    delegator = models.ForeignKey("User", on_delete=models.CASCADE, related_name="+", verbose_name="委托人")
    delegate = models.ForeignKey("User", on_delete=models.CASCADE, related_name="+", verbose_name="受托人")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期（含）")
    reason = models.CharField("事由", max_length=200)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提醒委托"
        verbose_name_plural = "提醒委托"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegate=models.F("delegator")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}：{self.delegator} → {self.delegate}（{self.starts_on}至{self.ends_on}）"

    def is_active_on(self, day: Any) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class ChatKind(models.TextChoices):
    WECOM = "wecom", "企业微信 / 政务微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class ChatChannel(models.Model):
    """An office's group-chat robot: the daily overdue summary is posted to it. The webhook
    address and the signing secret are stored encrypted (shuangyong.crypto)."""

    office_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="chat_channels", verbose_name="双拥办（单位）"
    )
    kind = models.CharField("类型", max_length=16, choices=ChatKind.choices)
    name = models.CharField("名称", max_length=100, help_text="如：双拥办工作群")
    webhook_encrypted = BoundedTextField("Webhook 地址（加密）", editable=False, max_length=TEXT)
    secret_encrypted = BoundedTextField("加签密钥（加密）", blank=True, editable=False, max_length=NOTE)
    enabled = models.BooleanField("启用", default=True)
    history = HistoricalRecords(excluded_fields=["webhook_encrypted", "secret_encrypted"])

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"

    def __str__(self) -> str:
        return f"{self.office_unit}：{self.name}"


class ChatPost(models.Model):
    """One day's summary for one channel: unique per channel and day (posted once), retried
    with backoff until it is accepted or given up."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="posts", verbose_name="群机器人")
    day = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    text = BoundedTextField("内容", max_length=DOCUMENT)
    state = models.CharField("状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送", null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = BoundedTextField("最近错误", blank=True, max_length=NOTE)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "群消息"
        verbose_name_plural = "群消息"
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="chat_post_once_per_channel_day")]

    def __str__(self) -> str:
        return self.title
