"""Snooze and delegation of reminders: the writes (views in reminder_views.py, the scan in
reminders.py reads them).

- **Snooze**: a person mutes the reminders of one item they were reminded about, for 1 to 7
  days, with a reason the office sees. Their reminders of it not yet e-mailed are muted at once;
  the scan claims nothing for them until the snooze ends or is cancelled; then the muted ones
  wait for the next digest again (``reminders.release_snoozed``) with the thresholds reached since.
- **Delegation**: a unit head hands the unit's reminders to a colleague of the same unit for a
  period (at most ``DELEGATION_MAX_DAYS``): meanwhile the unit's reminders go to the colleague
  instead of the unit's users, and the colleague also gets the escalations meant for the head.
  One delegation per unit at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shuangyong.access import unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import (
    SNOOZE_MAX_DAYS,
    Notification,
    OrgUnit,
    Reminder,
    ReminderDelegation,
    ReminderPolicy,
    ReminderSnooze,
    Role,
    User,
)

DELEGATION_MAX_DAYS = 90


def snoozable(notification: Notification) -> bool:
    """A notification-centre entry about an item, from the reminder scan (not a digest)."""
    reminder = notification.reminder
    return bool(
        reminder is not None
        and reminder.threshold != "digest"
        and notification.content_type_id is not None
        and notification.object_id is not None
    )


@transaction.atomic
def reminder_snooze_create(*, user: User, notification: Notification, days: int, reason: str) -> ReminderSnooze:
    if notification.recipient_id != user.pk or not snoozable(notification):
        raise PermissionDenied("只能暂停发给您本人的事项提醒。")
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise ValidationError({"days": f"暂停天数为 1 至 {SNOOZE_MAX_DAYS} 天。"})
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "请填写暂停理由（双拥办可以看到）。"})
    reminder = notification.reminder
    assert reminder is not None and notification.content_type_id and notification.object_id
    now = timezone.now()
    today = timezone.localdate()
    key = {"content_type_id": notification.content_type_id, "object_id": notification.object_id, "user": user}
    until = today + dt.timedelta(days=days - 1)
    # A new snooze of the same item replaces the one running (kept in the history as cancelled);
    # together they mute the item SNOOZE_MAX_DAYS at most, counted from the first one's day.
    running_snoozes = list(
        ReminderSnooze.objects.select_for_update().filter(**key, cancelled_at__isnull=True, until__gte=today)
    )
    muted_since = min([r.muted_since or timezone.localdate(r.created_at) for r in running_snoozes] + [today])
    last_day = muted_since + dt.timedelta(days=SNOOZE_MAX_DAYS - 1)
    if until > last_day:
        raise ValidationError(
            {
                "days": f"本事项已于{muted_since:%m月%d日}起暂停提醒，连续暂停不超过 {SNOOZE_MAX_DAYS} 天："
                f"最多暂停至{last_day:%m月%d日}（还可暂停 {(last_day - today).days + 1} 天）。"
            }
        )
    for running in running_snoozes:
        running.cancelled_at = now
        running.save(update_fields=["cancelled_at"])
        # Its muted reminders move to the new snooze below (they are not e-mailed meanwhile).
        Reminder.objects.filter(snooze=running).update(digest_day=None)
    unit_id = reminder.unit_id or user.org_unit_id
    assert unit_id is not None
    snooze = ReminderSnooze(
        **key,
        unit_id=unit_id,
        subject=(notification.subject or notification.title)[:200],
        url=notification.url,
        until=until,
        muted_since=muted_since,
        reason=reason,
    )
    snooze.full_clean()
    snooze.save()
    Reminder.objects.filter(
        recipient=user,
        content_type_id=notification.content_type_id,
        object_id=notification.object_id,
        digest_day__isnull=True,
    ).update(snooze=snooze)
    return snooze


def may_cancel_snooze(user: User, snooze: ReminderSnooze) -> bool:
    return snooze.user_id == user.pk or (user.is_office and unit_in_scope(user, snooze.unit))


@transaction.atomic
def reminder_snooze_cancel(*, user: User, snooze: ReminderSnooze) -> None:
    if not may_cancel_snooze(user, snooze):
        raise PermissionDenied("只有设置人或双拥办可以取消暂停。")
    if snooze.cancelled_at is None:
        snooze.cancelled_at = timezone.now()
        snooze.save(update_fields=["cancelled_at"])
        # Its muted reminders wait for the next digest again (reminders.release_snoozed).
        Reminder.objects.filter(snooze=snooze).update(snooze=None, digest_day=None)


def delegate_choices(user: User) -> list[User]:
    """Whom a unit head may hand the unit's reminders to: active colleagues who are not leaders."""
    if not user.org_unit_id:
        return []
    return list(
        User.objects.filter(org_unit_id=user.org_unit_id, is_active=True)
        .exclude(pk=user.pk)
        .exclude(role=Role.LEADER)
        .order_by("full_name", "username")
    )


@transaction.atomic
def reminder_delegation_create(
    *, user: User, delegate: User, starts_on: dt.date, ends_on: dt.date, reason: str
) -> ReminderDelegation:
    if not user.is_unit_head or user.org_unit_id is None or user.is_read_only:
        raise PermissionDenied("只有单位负责人可以委托本单位的提醒。")
    errors: dict[str, str] = {}
    if delegate.pk not in {u.pk for u in delegate_choices(user)}:
        errors["delegate"] = "受托人须是本单位在用的其他工作人员。"
    today = timezone.localdate()
    if starts_on < today:
        errors["starts_on"] = "开始日期不能早于今天。"
    if ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期。"
    elif (ends_on - starts_on).days + 1 > DELEGATION_MAX_DAYS:
        errors["ends_on"] = f"一次委托最长 {DELEGATION_MAX_DAYS} 天。"
    reason = " ".join(reason.split())
    if not reason:
        errors["reason"] = "请填写委托事由，如：外出学习。"
    if errors:
        raise ValidationError(errors)
    # One delegation per unit at a time: the unit row is the lock two heads would race for.
    OrgUnit.objects.select_for_update().filter(pk=user.org_unit_id).first()
    overlapping = ReminderDelegation.objects.filter(
        unit_id=user.org_unit_id, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping:
        period = f"{overlapping.starts_on}至{overlapping.ends_on}"
        raise ValidationError({"starts_on": f"本单位已有委托（{overlapping.delegate}，{period}），请先撤销。"})
    delegation = ReminderDelegation(
        unit_id=user.org_unit_id, delegator=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    delegation.full_clean()
    delegation.save()
    return delegation


def may_revoke_delegation(user: User, delegation: ReminderDelegation) -> bool:
    if user.is_read_only:
        return False
    own_unit_head = user.is_unit_head and user.org_unit_id == delegation.unit_id
    return own_unit_head or (user.is_office and unit_in_scope(user, delegation.unit))


@transaction.atomic
def reminder_delegation_revoke(*, user: User, delegation: ReminderDelegation) -> None:
    if not may_revoke_delegation(user, delegation):
        raise PermissionDenied("只有本单位负责人或双拥办可以撤销委托。")
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])


# --- an office's own reminder policy ---


def may_set_office_policy(user: User) -> bool:
    """The staff of an office (any level) set the reminder policy of the units under it."""
    unit = user.org_unit
    return user.role in (Role.OFFICE, Role.ADMIN) and unit is not None and unit.has_office and not user.is_read_only


@transaction.atomic
def office_reminder_policy_save(*, user: User, version: Version = CURRENT, **values: Any) -> ReminderPolicy:
    """The office's own policy (``ReminderPolicy.OFFICE_FIELDS``), created on its first save; the
    units under it follow it, down to the next office with its own (shuangyong.reminders)."""
    if not may_set_office_policy(user):
        raise PermissionDenied("只有双拥办可以设置本单位的提醒规则。")
    unknown = set(values) - set(ReminderPolicy.OFFICE_FIELDS)
    if unknown:
        raise ValueError(f"not an office's setting: {sorted(unknown)}")
    policy = ReminderPolicy.objects.select_for_update().filter(owner_unit=user.org_unit).first()
    if policy is None:
        policy = ReminderPolicy(owner_unit=user.org_unit)
    else:
        claim_version(policy, expected_version=version)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy
