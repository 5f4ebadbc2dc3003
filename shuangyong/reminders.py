"""Deadline reminders: a registry of sources and the scan that turns "what is due today" into
notifications, each exactly once.

Apps register a ``ReminderSource`` in ``AppConfig.ready()`` (``register_source(...)``). A
source answers two questions in a handful of queries, whatever the number of items:
``deadline_items()`` (open things with a deadline and the unit that must act) and, optionally,
``other_reminders()`` (rules that are not "N days before a deadline", e.g. a 销号 request
waiting for the other side). The scan works out the threshold reached today (the office's
``ReminderPolicy``: 7/3/1 days before, on the day, overdue, escalation to the unit's heads) and:

1. **claims** every due (object, recipient, threshold, deadline) by inserting a ``Reminder``
   row under a UNIQUE constraint (``INSERT … ON CONFLICT DO NOTHING`` in bulk), tagged with a
   fresh token, and reads back the rows carrying its token: those, and only those, are its to
   send. In the *same transaction* it writes their ``Notification`` rows. A second scan, a
   concurrent one, or one after a worker died therefore never repeats a reminder, and a crash
   before the commit leaves nothing behind, so the next scan produces it (nothing lost);
2. after commit, ``deliver_pending()`` sends the outbox through the channels (e-mail …);
   a delivery claimed but not finished within the policy's retry interval is sent again.

The scan is state-based: it recomputes what is due each time it runs, so a scan that did not
run (broker down, worker stopped) is caught up by the next one: the latest threshold reached
is sent, e.g. "3 days left" on day 2 if the day-3 scan never ran.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, partial, reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shuangyong.models import Notification, OrgUnit, Reminder, ReminderPolicy, Role, User, one_line_title
from shuangyong.notifications import DeliveryResult, absolute_url, deliver_pending

logger = logging.getLogger(__name__)

DUE = "due"
OVERDUE = "overdue"
ESCALATION = "escalation"
DIGEST = "digest"
CLAIM_CHUNK = 1000
DIGEST_MAX_LINES = 100


def before(days: int) -> str:
    return f"before_{days}"


@dataclass(frozen=True)
class DeadlineItem:
    """Something open with a deadline, and the unit that must act on it."""

    obj: models.Model
    label: str  # names the item in a sentence: 工作任务“（四）全力服务部队练兵备战”
    deadline: date
    unit: OrgUnit  # its active users are reminded, its heads get the escalation
    url_name: str  # the item's page: reverse(url_name, args=url_args), only for messages actually sent
    url_args: tuple[Any, ...] = ()
    action: str = "办理"  # 请按时{action}
    remind_overdue: bool = True  # False: the unit is reminded before and on the day only
    escalate: bool = True  # overdue by the policy's N days: the unit's heads are told

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)


@dataclass(frozen=True)
class ReminderMessage:
    title: str
    body: str
    url: str  # path of the object's page ("" for none)


@dataclass(frozen=True)
class DueReminder:
    """One reminder to claim: the key (object, recipient, threshold, deadline) and its message,
    rendered only if this scan wins the claim (a re-run renders nothing)."""

    obj: models.Model
    recipient_id: int
    threshold: str
    deadline: date
    message: Callable[[], ReminderMessage]


class ReminderSource:
    """Base class of an app's reminder source. Override ``deadline_items`` and, if needed,
    ``other_reminders``. Both must cost a fixed number of queries (select_related the unit)."""

    name: str = ""

    def deadline_items(self, *, today: date, until: date) -> Iterable[DeadlineItem]:
        """Open items whose deadline is on or before ``until`` (overdue ones included)."""
        return ()

    def other_reminders(self, *, today: date, policy: ReminderPolicy) -> Iterable[DueReminder]:
        return ()


_sources: dict[str, ReminderSource] = {}


def register_source(source: ReminderSource) -> None:
    if not source.name:
        raise ValueError("a reminder source needs a name")
    _sources[source.name] = source


def registered_sources() -> list[ReminderSource]:
    return list(_sources.values())


# --- recipients ---


@dataclass
class UnitRecipients:
    """The active users of some units, loaded in one query: members (no read-only leaders) and heads."""

    members_by_unit: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    heads_by_unit: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, unit_ids: Iterable[int]) -> UnitRecipients:
        found = cls()
        ids = set(unit_ids)
        if not ids:
            return found
        rows = User.objects.filter(org_unit_id__in=ids, is_active=True).values_list(
            "pk", "org_unit_id", "role", "is_unit_head"
        )
        for pk, unit_id, role, is_head in rows.order_by("pk"):
            if role != Role.LEADER:
                found.members_by_unit[unit_id].append(pk)
            if is_head:
                found.heads_by_unit[unit_id].append(pk)
        return found

    def members(self, unit_id: int) -> list[int]:
        return self.members_by_unit.get(unit_id, [])

    def heads(self, unit_id: int) -> list[int]:
        return self.heads_by_unit.get(unit_id, [])


# --- thresholds and messages ---


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def threshold_for(*, deadline: date, today: date, policy: ReminderPolicy) -> str | None:
    """The latest threshold reached today, or None. 5 days left with 7,3,1 → before_7."""
    days_left = (deadline - today).days
    if days_left > 0:
        reached = [n for n in policy.days_before_list if n >= days_left]
        return before(min(reached)) if reached else None
    if days_left == 0:
        return DUE if policy.remind_on_due_day else None
    return OVERDUE if policy.remind_overdue else None


def deadline_message(item: DeadlineItem, *, threshold: str, today: date) -> ReminderMessage:
    days_left = (item.deadline - today).days
    path = item.url
    link = absolute_url(path)
    when = chinese_date(item.deadline)
    if threshold == DUE:
        title = f"{item.label}今天到期"
        text = f"{item.label}的时限为今天（{when}），请今天内{item.action}。"
    elif threshold == OVERDUE:
        title = f"{item.label}已逾期{-days_left}天"
        text = f"{item.label}的时限为{when}，已逾期{-days_left}天，请尽快{item.action}并更新进度。"
    elif threshold == ESCALATION:
        title = f"逾期升级：{item.unit.name}的{item.label}已逾期{-days_left}天"
        text = (
            f"您是{item.unit.name}的负责人。{item.label}的时限为{when}，已逾期{-days_left}天仍未完成，"
            f"请督促办理。双拥办已在每日逾期汇总中看到此事项。"
        )
    else:
        title = f"{item.label}还有{days_left}天到期"
        text = f"{item.label}的时限为{when}，还有{days_left}天到期，请按时{item.action}。"
    return ReminderMessage(title[:200], f"{item.unit.name}：\n{text}\n{link}", path)


def reminders_for_items(items: Sequence[DeadlineItem], *, today: date, policy: ReminderPolicy) -> list[DueReminder]:
    recipients = UnitRecipients.load(item.unit.pk for item in items)
    dues: list[DueReminder] = []
    for item in items:
        threshold = threshold_for(deadline=item.deadline, today=today, policy=policy)
        days_overdue = (today - item.deadline).days
        if threshold == OVERDUE and not item.remind_overdue:
            threshold = None
        sends = []
        if threshold:
            sends.append((threshold, recipients.members(item.unit.pk)))
        if item.escalate and days_overdue >= policy.escalate_after_days:
            sends.append((ESCALATION, recipients.heads(item.unit.pk)))
        for name, user_ids in sends:
            message = cache(partial(deadline_message, item, threshold=name, today=today))
            dues.extend(DueReminder(item.obj, uid, name, item.deadline, message) for uid in user_ids)
    return dues


# --- claiming ---

Key = tuple[int, int, int, str, date]


def record(dues: Iterable[DueReminder]) -> int:
    """Claim and write the notifications of ``dues``; returns how many this call won."""
    types: dict[type[models.Model], int] = {}
    keyed: dict[Key, DueReminder] = {}
    for due in dues:
        model = type(due.obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model).pk
        keyed.setdefault((types[model], due.obj.pk, due.recipient_id, due.threshold, due.deadline), due)
    # One global order: concurrent scans lock the unique index entries in the same order (no deadlock).
    ordered = sorted(keyed.items(), key=lambda kv: kv[0])
    won = 0
    for start in range(0, len(ordered), CLAIM_CHUNK):
        won += _claim_chunk(ordered[start : start + CLAIM_CHUNK])
    return won


@transaction.atomic
def _claim_chunk(chunk: list[tuple[Key, DueReminder]]) -> int:
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for key, _ in chunk:
        ids_by_type[key[0]].add(key[1])
    existing_q = reduce(or_, (Q(content_type_id=ct, object_id__in=ids) for ct, ids in ids_by_type.items()))
    # Skipping what is already claimed keeps a re-run read-only; the constraint still decides races.
    existing = set(
        Reminder.objects.filter(existing_q).values_list(
            "content_type_id", "object_id", "recipient_id", "threshold", "deadline"
        )
    )
    fresh = [(key, due) for key, due in chunk if key not in existing]
    if not fresh:
        return 0
    token = uuid.uuid4()
    Reminder.objects.bulk_create(
        [
            Reminder(
                content_type_id=key[0],
                object_id=key[1],
                recipient_id=key[2],
                threshold=key[3],
                deadline=key[4],
                claim_token=token,
            )
            for key, _ in fresh
        ],
        ignore_conflicts=True,
    )
    mine = {
        (ct, oid, rid, th, dl): pk
        for ct, oid, rid, th, dl, pk in Reminder.objects.filter(claim_token=token).values_list(
            "content_type_id", "object_id", "recipient_id", "threshold", "deadline", "pk"
        )
    }
    notes = []
    for key, due in fresh:
        if key in mine:
            message = due.message()
            notes.append(
                Notification(
                    recipient_id=due.recipient_id,
                    title=one_line_title(message.title),
                    body=message.body,
                    url=message.url,
                    content_type_id=key[0],
                    object_id=key[1],
                    reminder_id=mine[key],
                )
            )
    Notification.objects.bulk_create(notes)
    return len(mine)


# --- the scan and the digest ---


@dataclass
class ScanResult:
    items_scanned: int = 0
    reminders_created: int = 0
    digests_created: int = 0
    delivery: DeliveryResult = field(default_factory=DeliveryResult)


def run_scan(*, today: date | None = None, deliver: bool = True) -> ScanResult:
    """Produce every reminder due today (idempotent), the digest once it is time, then deliver."""
    now = timezone.localtime()
    today = today or now.date()
    policy = ReminderPolicy.load()
    horizon = today + timedelta(days=max(policy.days_before_list, default=0))
    result = ScanResult()
    for source in registered_sources():
        items = list(source.deadline_items(today=today, until=horizon))
        result.items_scanned += len(items)
        dues = reminders_for_items(items, today=today, policy=policy)
        dues.extend(source.other_reminders(today=today, policy=policy))
        result.reminders_created += record(dues)
    if today < now.date() or now.hour >= policy.digest_hour:
        # The digest also rides on the scan, so a missed digest job is caught up the same day.
        result.digests_created = send_digests(today=today, policy=policy)
    if deliver:
        result.delivery = deliver_pending()
    logger.info(
        "提醒扫描 %s：检查 %d 项，新提醒 %d 条，汇总 %d 份，外发 %d 条",
        today,
        result.items_scanned,
        result.reminders_created,
        result.digests_created,
        result.delivery.sent,
    )
    return result


def send_digests(*, today: date | None = None, policy: ReminderPolicy | None = None) -> int:
    """One message a day per 双拥办 user listing everything overdue in their county."""
    today = today or timezone.localdate()
    policy = policy or ReminderPolicy.load()
    overdue: list[DeadlineItem] = []
    for source in registered_sources():
        overdue.extend(source.deadline_items(today=today, until=today - timedelta(days=1)))
    if not overdue:
        return 0
    overdue.sort(key=lambda i: (i.deadline, i.unit.path, i.label))
    offices = User.objects.filter(role=Role.OFFICE, is_active=True, org_unit__isnull=False).select_related("org_unit")
    dues = []
    for user in offices.order_by("pk"):
        unit = user.org_unit
        assert unit is not None
        mine = [i for i in overdue if i.unit.path.startswith(unit.path)]
        if mine:
            message = partial(digest_message, mine, today=today, policy=policy)
            dues.append(DueReminder(unit, user.pk, DIGEST, today, message))
    return record(dues)


def digest_message(items: Sequence[DeadlineItem], *, today: date, policy: ReminderPolicy) -> ReminderMessage:
    def is_escalated(item: DeadlineItem) -> bool:
        return item.escalate and (today - item.deadline).days >= policy.escalate_after_days

    escalated = sum(1 for i in items if is_escalated(i))
    title = f"每日逾期汇总（{chinese_date(today)}）：{len(items)}项逾期"
    if escalated:
        title += f"，{escalated}项逾期{policy.escalate_after_days}天以上"
    lines = [f"截至{chinese_date(today)}，辖区内共有{len(items)}项逾期未完成："]
    for item in items[:DIGEST_MAX_LINES]:
        days = (today - item.deadline).days
        flag = "（已升级）" if is_escalated(item) else ""
        lines.append(
            f"· {item.label}｜{item.unit.name}｜时限{chinese_date(item.deadline)}｜逾期{days}天{flag}\n"
            f"  {absolute_url(item.url)}"
        )
    if len(items) > DIGEST_MAX_LINES:
        lines.append(f"……另有{len(items) - DIGEST_MAX_LINES}项，请在系统中查看。")
    return ReminderMessage(title, "\n".join(lines), "")
