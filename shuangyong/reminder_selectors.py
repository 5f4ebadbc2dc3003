"""Scoped reads of snoozes, delegations and an item's reminder history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Model, QuerySet, Value
from django.utils import timezone

from shuangyong.access import scoped
from shuangyong.models import OrgUnit, Reminder, ReminderDelegation, ReminderPolicy, ReminderSnooze, Role, User

HISTORY_ROWS = 50
SNOOZE_EVENT = "snooze"


def office_policy_for(unit: OrgUnit) -> tuple[ReminderPolicy, OrgUnit | None]:
    """The policy the unit's items follow (the nearest office at or above it with its own, else
    the site default) and the office it comes from (None: the default). One query."""
    own = (
        ReminderPolicy.objects.filter(owner_unit_id__in=unit.ancestor_pks() or [unit.pk])
        .select_related("owner_unit")
        .order_by("-owner_unit__path")
        .first()
    )
    return (own, own.owner_unit) if own is not None else (ReminderPolicy.load(), None)


def snoozes_for(user: User) -> QuerySet[ReminderSnooze]:
    """The office (and the admin, and leaders reading) see every snooze in scope, with its
    reason; anyone else their own."""
    qs = ReminderSnooze.objects.select_related("user", "unit")
    if user.is_office or user.role == Role.LEADER:
        return scoped(qs, user, "unit")
    return qs.filter(user=user)


def delegations_for(user: User) -> QuerySet[ReminderDelegation]:
    """The office and leaders: every delegation in scope; others: their unit's."""
    qs = ReminderDelegation.objects.select_related("unit", "delegator", "delegate")
    if user.is_office or user.role == Role.LEADER:
        return scoped(qs, user, "unit")
    return qs.filter(unit_id=user.org_unit_id)


@dataclass(frozen=True)
class ReminderEvent:
    """One line of an item's reminder history: a reminder sent, a snooze, a delegation."""

    when: datetime
    who: str
    what: str
    detail: str


def reminder_history(obj: Model, unit: OrgUnit | None = None) -> list[ReminderEvent]:
    """Who was reminded of ``obj`` and when (and for whom a colleague delegated it), and who
    snoozed it with what reason: one query (a UNION of reminders and snoozes), newest first."""
    from shuangyong.reminders import DIGEST, threshold_label

    ct = ContentType.objects.get_for_model(obj)
    reminders = Reminder.objects.filter(content_type=ct, object_id=obj.pk).exclude(threshold=DIGEST)
    snoozes = ReminderSnooze.objects.filter(content_type=ct, object_id=obj.pk)
    if unit is not None:
        reminders = reminders.filter(unit=unit)
        snoozes = snoozes.filter(unit=unit)
    text = models.CharField()
    columns = ("at", "who_name", "who_user", "event", "day", "note", "by_name", "by_user", "muted", "listed", "off")
    reminder_rows = (
        reminders.annotate(
            at=F("claimed_at"),
            who_name=F("recipient__full_name"),
            who_user=F("recipient__username"),
            event=F("threshold"),
            day=F("deadline"),
            note=Value("", output_field=text),
            by_name=F("delegation__delegator__full_name"),
            by_user=F("delegation__delegator__username"),
            muted=F("snooze_id"),
            listed=F("digest_day"),
            off=Value(None, output_field=models.DateTimeField()),
        )
        .order_by()
        .values_list(*columns)
    )
    snooze_rows = (
        snoozes.annotate(
            at=F("created_at"),
            who_name=F("user__full_name"),
            who_user=F("user__username"),
            event=Value(SNOOZE_EVENT, output_field=text),
            day=F("until"),
            note=F("reason"),
            by_name=Value(None, output_field=text),
            by_user=Value(None, output_field=text),
            muted=Value(None, output_field=models.BigIntegerField()),
            listed=Value(None, output_field=models.DateField()),
            off=F("cancelled_at"),
        )
        .order_by()
        .values_list(*columns)
    )
    events = []
    for at, who_name, who_user, event, day, note, by_name, by_user, muted, listed, off in reminder_rows.union(
        snooze_rows, all=True
    ).order_by("-at")[:HISTORY_ROWS]:
        who = who_name or who_user
        if event == SNOOZE_EVENT:
            state = f"，{timezone.localtime(off):%m-%d %H:%M}已取消" if off else ""
            events.append(ReminderEvent(at, who, "暂停提醒", f"至{day:%Y-%m-%d}{state}；理由：{note}"))
            continue
        detail = f"时限{day:%Y-%m-%d}"
        if by_name or by_user:
            detail += f"；受{by_name or by_user}委托"
        if muted:
            detail += "；已暂停，未发邮件"
        elif listed:
            detail += f"；{listed:%m-%d}随每日提醒发出"
        events.append(ReminderEvent(at, who, f"提醒（{threshold_label(event)}）", detail))
    return events
