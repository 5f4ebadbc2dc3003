"""Annual work points (工作要点) turned into tracked tasks, and the dual list (双清单).

逾期 is never stored: a task or a 双清单 item is overdue when its deadline has passed in
Asia/Shanghai and it is not finished (``is_overdue``, ``TaskQuerySet.overdue()``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone
from simple_history.models import HistoricalRecords

from shuangyong.fields import DOCUMENT, LONG_TEXT, NOTE, TEXT, BoundedTextField
from shuangyong.models import OFFICE_KINDS, OFFICE_LEVELS, OrgUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_shanghai() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    DONE = "done", "已完成"
    # Never stored: shown when the deadline has passed and the task is not done.
    OVERDUE = "overdue", "逾期"


STORED_TASK_STATUSES = [(s.value, s.label) for s in TaskStatus if s != TaskStatus.OVERDUE]


class WorkPlan(models.Model):
    """One year's 工作要点 notice."""

    year = models.PositiveIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issuing_unit = models.CharField("发文单位", max_length=100, blank=True)
    issue_date = models.DateField("印发日期", null=True, blank=True)
    recipients = BoundedTextField("主送", blank=True, max_length=NOTE)
    original_text = BoundedTextField("原文", blank=True, max_length=DOCUMENT)
    default_deadline = models.DateField("统一完成时限", null=True, blank=True)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name="制定单位", on_delete=models.PROTECT, related_name="work_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def same_notice(*, doc_number: str, title: str, year: int | None) -> Q:
        """Plans imported from the same notice: the same 文号 (spaces ignored), or the same title in
        the same year (a notice pasted twice). Matches nothing when neither is known."""
        number = "".join((doc_number or "").split())
        same = Q(pk__in=[])
        if number:
            same |= Q(doc_number=number)
        if title and title.strip() and year:
            same |= Q(title=title.strip(), year=year)
        return same


class Section(models.Model):
    plan = models.ForeignKey(WorkPlan, verbose_name="工作要点", on_delete=models.CASCADE, related_name="sections")
    number = models.CharField("序号", max_length=10)
    heading = models.CharField("标题", max_length=300)
    intro = BoundedTextField("说明", blank=True, max_length=LONG_TEXT)
    order = models.PositiveIntegerField("排序", default=0)
    is_task_section = models.BooleanField("包含任务", default=True)

    class Meta:
        verbose_name = "部分"
        verbose_name_plural = "部分"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number}、{self.heading}"


#: How many levels of breakdown a roll-up follows: a province task broken down by a city, by its
#: counties, by their street offices (one level per office level below the top).
ROLLUP_DEPTH = len(OFFICE_LEVELS) - 1


def rollup_depth_below(unit: OrgUnit) -> int:
    """How many levels of breakdown can lie below the tasks of ``unit``'s own plans: a county's
    are broken down by its street offices only (whose villages have no office), a city's twice."""
    return len(OFFICE_LEVELS) - 1 - OFFICE_LEVELS.index(unit.kind) if unit.kind in OFFICE_LEVELS else 0


def _offices_pending() -> Any:
    """For the task of the current query: the office units it was given to (lead or cooperating)
    that have not broken it down into a task of their own plan yet."""
    count = Func(F("pk"), function="COUNT")
    breaking_down = Task.objects.filter(parent_task=OuterRef(OuterRef("pk"))).values("plan__owner_unit")
    cooperating = Task.cooperating_units.through.objects.filter(
        task_id=OuterRef("pk"), orgunit__kind__in=OFFICE_KINDS
    ).exclude(orgunit_id__in=breaking_down)
    pending_cooperating = Subquery(
        cooperating.order_by().values("task_id").annotate(n=count).values("n"),  # type: ignore[misc]
        output_field=models.IntegerField(),
    )
    lead_pending = Case(
        When(
            Q(lead_unit__kind__in=OFFICE_KINDS)
            & ~Q(Exists(Task.objects.filter(parent_task=OuterRef("pk"), plan__owner_unit=OuterRef("lead_unit")))),
            then=Value(1),
        ),
        default=Value(0),
    )
    return lead_pending + Coalesce(pending_cooperating, 0)


def shown_late_q(today: dt.date, depth: int) -> Q:
    """The task of the current query shows 逾期 (``Task.display_status``): not done, and past its
    deadline or one of its linked tasks shows 逾期, followed ``depth`` levels down."""
    late = Q(deadline__lt=today)
    if depth > 0:
        late |= Q(Exists(Task.objects.filter(Q(parent_task=OuterRef("pk")) & shown_late_q(today, depth - 1))))
    return ~Q(status=TaskStatus.DONE) & late


def shown_started_q(today: dt.date, depth: int) -> Q:
    """The task of the current query shows something other than 未启动: its own status is not
    未启动, it is late, or one of its linked tasks shows it started (``depth`` levels down)."""
    started = ~Q(status=TaskStatus.NOT_STARTED) | Q(deadline__lt=today)
    if depth > 0:
        started |= Q(Exists(Task.objects.filter(Q(parent_task=OuterRef("pk")) & shown_started_q(today, depth - 1))))
    return started


def shown_done_q(today: dt.date, depth: int) -> Q:
    """The task of the current query shows 已完成: done itself, or broken down, every linked task
    showing 已完成, none late, and every office it was given to has broken it down."""
    done = Q(status=TaskStatus.DONE)
    if depth <= 0:
        return done
    children = Task.objects.filter(parent_task=OuterRef("pk"))
    rolled = (
        Q(Exists(children)) & ~Q(Exists(children.filter(~shown_done_q(today, depth - 1)))) & ~shown_late_q(today, depth)
    )
    return done | (rolled & Q(Exact(_offices_pending(), 0)))


class TaskQuerySet(models.QuerySet["Task"]):
    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.filter(deadline__lt=today or today_shanghai()).exclude(status=TaskStatus.DONE)

    def not_overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        today = today or today_shanghai()
        return self.filter(Q(status=TaskStatus.DONE) | Q(deadline__isnull=True) | Q(deadline__gte=today))

    def with_board_status(self, today: dt.date | None = None) -> TaskQuerySet:
        """Annotate ``board_status``: the stored status, or 逾期 when the deadline has passed."""
        today = today or today_shanghai()
        return self.annotate(
            board_status=Case(
                When(Q(deadline__lt=today) & ~Q(status=TaskStatus.DONE), then=Value(TaskStatus.OVERDUE.value)),
                default="status",
                output_field=models.CharField(),
            )
        )

    def with_rollup(self, today: dt.date | None = None, *, depth: int = ROLLUP_DEPTH) -> TaskQuerySet:
        """Annotate the progress of the tasks that break each task down (任务分解, ``parent_task``):
        ``linked_total``, ``linked_done``, ``linked_late`` and ``linked_started`` (counted by the
        linked tasks' *shown* status, itself rolled up from the level below: a province task's city part is done when
        the city's counties have closed theirs), and ``offices_pending``, the office units the
        task was given to that have not broken it down yet. Subqueries of the same statement: a
        list page costs no query per task (``Task.display_status`` reads them). ``depth``: how many
        levels of breakdown can lie below these tasks (``rollup_depth_below`` of their offices;
        the most, by default): each level is another nesting of subqueries."""
        today = today or today_shanghai()
        linked = Task.objects.filter(parent_task=OuterRef("pk")).order_by().values("parent_task")
        count = Func(F("pk"), function="COUNT")
        below = max(depth, 1) - 1  # the linked tasks' own breakdowns, down to the last office level

        def linked_count(q: Q | None = None) -> Subquery:
            rows = linked.filter(q) if q is not None else linked
            return Subquery(rows.annotate(n=count).values("n"), output_field=models.IntegerField())

        return self.annotate(
            linked_total=Coalesce(linked_count(), 0),
            linked_done=Coalesce(linked_count(shown_done_q(today, below)), 0),
            linked_late=Coalesce(linked_count(shown_late_q(today, below)), 0),
            linked_started=Coalesce(linked_count(shown_started_q(today, below)), 0),
            offices_pending=_offices_pending(),
        )

    def with_shown_status(self, status: str, today: dt.date | None = None) -> TaskQuerySet:
        """Tasks whose ``display_status`` (rolled up from the breakdown below) is ``status``; the
        queryset must have ``with_rollup()``'s annotations. The same rules, in SQL."""
        today = today or today_shanghai()
        done = Q(status=TaskStatus.DONE)
        late = ~done & (Q(deadline__lt=today) | Q(linked_late__gt=0))
        broken_down = Q(linked_total__gt=0)
        rolled_done = ~done & broken_down & ~late & Q(linked_done=F("linked_total")) & Q(offices_pending=0)
        if status == TaskStatus.OVERDUE:
            return self.filter(late)
        if status == TaskStatus.DONE:
            return self.filter(done | rolled_done)
        # A task broken down shows 推进中 once one of its linked tasks has started (or it has).
        if status == TaskStatus.IN_PROGRESS:
            return self.filter(~done & ~late & ~rolled_done & (Q(status=status) | Q(linked_started__gt=0)))
        return self.filter(~done & ~late & Q(status=status) & Q(linked_started=0))

    def with_status(self, status: str, today: dt.date | None = None) -> TaskQuerySet:
        if status == TaskStatus.OVERDUE:
            return self.overdue(today)
        if status == TaskStatus.DONE:
            return self.filter(status=status)
        return self.filter(status=status).not_overdue(today)


class Task(models.Model):
    plan = models.ForeignKey(WorkPlan, verbose_name="工作要点", on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        Section, verbose_name="部分", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    number = models.CharField("序号", max_length=10, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("任务", max_length=200)
    text = BoundedTextField("内容", blank=True, max_length=LONG_TEXT)
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="牵头单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
    )
    cooperating_units = models.ManyToManyField(
        OrgUnit, verbose_name="配合单位", blank=True, related_name="cooperating_tasks"
    )
    deadline = models.DateField("完成时限", null=True, blank=True)
    original_deadline = models.DateField("原定时限", null=True, blank=True, help_text="延期获批前的时限")
    status = models.CharField("状态", max_length=20, choices=STORED_TASK_STATUSES, default=TaskStatus.NOT_STARTED)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    # 任务分解: a county's task that breaks down the city task its county received (docs/levels.md).
    parent_task = models.ForeignKey(
        "self",
        verbose_name="上级任务",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_tasks",
    )
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking
    history = HistoricalRecords(m2m_fields=[cooperating_units])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status=TaskStatus.OVERDUE), name="task_overdue_is_never_stored"),
        ]

    def __str__(self) -> str:
        return f"{self.number}{self.title}" if self.number else self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.status != TaskStatus.DONE and self.deadline < today_shanghai())

    @property
    def is_broken_down(self) -> bool:
        """Whether tasks of the offices below break this one down (needs ``with_rollup``)."""
        return bool(getattr(self, "linked_total", 0))

    @property
    def display_status(self) -> str:
        """The status shown: the task's own, or, for a task broken down below (``with_rollup``),
        rolled up from its linked tasks: 逾期 when one of them is late, 已完成 when every office
        it was given to has broken it down and every linked task is done, 未启动 while neither it
        nor any linked task has started, else 推进中."""
        if self.is_broken_down and self.status != TaskStatus.DONE:
            if getattr(self, "linked_late", 0) or self.is_overdue:
                return TaskStatus.OVERDUE.value
            all_done = getattr(self, "linked_done", 0) == getattr(self, "linked_total", 0)
            if all_done and not getattr(self, "offices_pending", 0):
                return TaskStatus.DONE.value
            if self.status == TaskStatus.NOT_STARTED and not getattr(self, "linked_started", 0):
                return TaskStatus.NOT_STARTED.value  # nothing below has started yet
            return TaskStatus.IN_PROGRESS.value
        return TaskStatus.OVERDUE.value if self.is_overdue else self.status

    @property
    def display_status_label(self) -> str:
        return TaskStatus(self.display_status).label

    def unit_ids(self) -> set[int]:
        ids = {u.pk for u in self.cooperating_units.all()}
        if self.lead_unit_id:
            ids.add(self.lead_unit_id)
        return ids


class Milestone(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    deadline = models.DateField("节点时限")
    done = models.BooleanField("已完成", default=False)

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["task", "deadline", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.deadline < today_shanghai()


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="progress_reports")
    unit = models.ForeignKey(OrgUnit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    report_date = models.DateField("进展日期")
    text = BoundedTextField("进展情况", max_length=TEXT)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-report_date", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.report_date}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is ours (no user-chosen path); the original name is kept in the row.
    suffix = Path(filename).suffix.lower()
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """An evidence file, stored under MEDIA_ROOT (never routed) and served by a scoped view."""

    progress_report = models.ForeignKey(
        ProgressReport,
        verbose_name="工作进展",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    dual_list_item = models.ForeignKey(
        "DualListItem",
        verbose_name="双清单事项",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_report__isnull=False, dual_list_item__isnull=True)
                | Q(progress_report__isnull=True, dual_list_item__isnull=False),
                name="evidence_belongs_to_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class RequestState(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已同意"
    RETURNED = "returned", "已退回"


class OfficeReviewedRequest(models.Model):
    """A unit's request that the office accepts or returns: who asked, when, who decided, when."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        abstract = True


class ClosureRequest(OfficeReviewedRequest):
    """The lead unit asks the office to mark its task 已完成."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="closure_requests")
    note = BoundedTextField("完成情况", max_length=TEXT)
    reason = BoundedTextField("退回理由", blank=True, max_length=NOTE)

    class Meta:
        verbose_name = "完成申请"
        verbose_name_plural = "完成申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state="pending"),
                name="one_pending_closure_per_task",
                violation_error_message="已有一份完成申请等待双拥办审核。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} 完成申请"


class ExtensionRequest(OfficeReviewedRequest):
    """A deadline extension: approved by the office; the original deadline stays on record."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="extension_requests")
    original_deadline = models.DateField("原时限", null=True, blank=True)
    requested_deadline = models.DateField("申请延期至")
    reason = BoundedTextField("延期理由", max_length=NOTE)
    decision_note = BoundedTextField("审核意见", blank=True, max_length=NOTE)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state="pending"),
                name="one_pending_extension_per_task",
                violation_error_message="已有一份延期申请等待双拥办审核。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} 延期申请"


# ---------------------------------------------------------------------------------------------
# 双清单


class DualListDirection(models.TextChoices):
    TO_TROOPS = "to_troops", "地方为部队办实事"
    TO_LOCALITY = "to_locality", "部队为地方办实事"


class DualListState(models.TextChoices):
    PROPOSED = "proposed", "已提出"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    CLOSE_REQUESTED = "close_requested", "申请销号"
    CLOSED = "closed", "已销号"


class ProposingSide(models.TextChoices):
    TROOPS = "troops", "部队"
    LOCALITY = "locality", "地方"


class DualListCategory(models.Model):
    """An editable category (演训保障, 子女入学 …).

    A category without an owner is a shared default (offered to every office, kept by the system
    administrator); an office's own categories have its unit as owner and only it edits them.
    """

    name = models.CharField("类别", max_length=50)
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所属双拥办",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dual_list_categories",
        help_text="不填为各双拥办共用的默认类别",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking

    class Meta:
        verbose_name = "双清单类别"
        verbose_name_plural = "双清单类别"
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "name"],
                name="dual_category_name_once_per_office",
                violation_error_message="本单位已有同名类别。",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(owner_unit__isnull=True),
                name="dual_category_default_name_once",
                violation_error_message="已有同名的默认类别。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DualListItemQuerySet(models.QuerySet["DualListItem"]):
    def overdue(self, today: dt.date | None = None) -> DualListItemQuerySet:
        return self.filter(deadline__lt=today or today_shanghai()).exclude(state=DualListState.CLOSED)


class DualListItem(models.Model):
    year = models.PositiveIntegerField("年度")
    direction = models.CharField("清单", max_length=12, choices=DualListDirection.choices)
    content = BoundedTextField("事项内容", max_length=TEXT)
    category = models.ForeignKey(
        DualListCategory, verbose_name="类别", on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    proposing_side = models.CharField("提出方", max_length=10, choices=ProposingSide.choices)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dual_list_items",
    )
    troop_unit = models.ForeignKey(
        OrgUnit, verbose_name="对口部队", on_delete=models.PROTECT, related_name="partner_dual_list_items"
    )
    deadline = models.DateField("时限", null=True, blank=True)
    quality_requirement = BoundedTextField("工作质量要求", blank=True, max_length=NOTE)
    state = models.CharField("状态", max_length=20, choices=DualListState.choices, default=DualListState.PROPOSED)
    close_requested_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    completion_note = BoundedTextField("办结情况", blank=True, max_length=TEXT)
    receiver_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受益方确认人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receiver_confirmed_at = models.DateTimeField("受益方确认时间", null=True, blank=True)
    office_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="双拥办确认人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    office_confirmed_at = models.DateTimeField("双拥办确认时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    carried_over_from = models.OneToOneField(
        "self",
        verbose_name="结转自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_over_to",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)  # optimistic locking
    history = HistoricalRecords()

    objects = DualListItemQuerySet.as_manager()

    class Meta:
        verbose_name = "双清单事项"
        verbose_name_plural = "双清单事项"
        ordering = ["year", "direction", "id"]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.state != DualListState.CLOSED and self.deadline < today_shanghai())

    @property
    def receiver_label(self) -> str:
        return "部队" if self.direction == DualListDirection.TO_TROOPS else "地方（双拥办）"


class DualListTransition(models.Model):
    """Who moved an item from which state to which, when, and why."""

    item = models.ForeignKey(DualListItem, verbose_name="事项", on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=20, choices=DualListState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=DualListState.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    reason = BoundedTextField("说明", blank=True, max_length=NOTE)

    class Meta:
        verbose_name = "双清单流转记录"
        verbose_name_plural = "双清单流转记录"
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"
