"""Scoped reads of snoozes, delegations and an item's reminder history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from shuangyong.access import scoped
from shuangyong.models import OrgUnit, Reminder, ReminderDelegation, ReminderSnooze, Role, User

HISTORY_ROWS = 50


def snoozes_for(user: User) -> QuerySet[ReminderSnooze]:
    """The office sees every snooze in its scope (with its reason); anyone else their own."""
    qs = ReminderSnooze.objects.select_related("user", "unit")
    if user.role in (Role.OFFICE, Role.LEADER):
        return scoped(qs, user, "unit")
    return qs.filter(user=user)


def delegations_for(user: User) -> QuerySet[ReminderDelegation]:
    """The office and leaders: every delegation in scope; others: their unit's."""
    qs = ReminderDelegation.objects.select_related("unit", "delegator", "delegate")
    if user.role in (Role.OFFICE, Role.LEADER):
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
    """Who was reminded of ``obj`` and when, its snoozes, and the delegations of its unit(s):
    three queries, newest first."""
    from shuangyong.reminders import threshold_label

    ct = ContentType.objects.get_for_model(obj)
    reminders = Reminder.objects.filter(content_type=ct, object_id=obj.pk).exclude(threshold="digest")
    snoozes = ReminderSnooze.objects.filter(content_type=ct, object_id=obj.pk)
    if unit is not None:
        reminders = reminders.filter(unit=unit)
        snoozes = snoozes.filter(unit=unit)
    events: list[ReminderEvent] = []
    unit_ids: set[int] = set()
    for r in reminders.select_related("recipient", "delegation__delegator", "snooze").order_by("-claimed_at")[
        :HISTORY_ROWS
    ]:
        detail = f"时限{r.deadline:%Y-%m-%d}"
        if r.delegation_id and r.delegation:
            detail += f"；受{r.delegation.delegator.display_name}委托"
        if r.snooze_id:
            detail += "；已暂停，未发邮件"
        elif r.digest_day:
            detail += f"；{r.digest_day:%m-%d}随每日提醒发出"
        events.append(
            ReminderEvent(r.claimed_at, r.recipient.display_name, f"提醒（{threshold_label(r.threshold)}）", detail)
        )
        if r.unit_id:
            unit_ids.add(r.unit_id)
    for s in snoozes.select_related("user").order_by("-created_at")[:HISTORY_ROWS]:
        state = f"，{timezone.localtime(s.cancelled_at):%m-%d %H:%M}已取消" if s.cancelled_at else ""
        events.append(
            ReminderEvent(
                s.created_at, s.user.display_name, "暂停提醒", f"至{s.until:%Y-%m-%d}{state}；理由：{s.reason}"
            )
        )
    if unit is not None:
        unit_ids.add(unit.pk)
    delegations = ReminderDelegation.objects.filter(Q(unit_id__in=unit_ids)).select_related("delegator", "delegate")
    for d in delegations.order_by("-created_at")[:HISTORY_ROWS]:
        state = "，已撤销" if d.revoked_at else ""
        events.append(
            ReminderEvent(
                d.created_at,
                d.delegator.display_name,
                "委托提醒",
                f"交给{d.delegate.display_name}，{d.starts_on:%Y-%m-%d}至{d.ends_on:%Y-%m-%d}{state}；事由：{d.reason}",
            )
        )
    events.sort(key=lambda e: e.when, reverse=True)
    return events
