"""Reminders that must not be lost or silenced for good: a claim made by a concurrent scan while
the digest is written, a delegate who has left, a second head of a unit, a snooze that ends,
and each office's own digest hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from shuangyong import reminders
from shuangyong.models import (
    Notification,
    OrgUnitKind,
    Reminder,
    ReminderDelegation,
    ReminderPolicy,
    ReminderSnooze,
    Role,
)
from shuangyong.reminder_services import reminder_snooze_cancel, reminder_snooze_create
from shuangyong.reminders import ESCALATION, run_scan
from tests.factories import OrgUnitFactory, UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _mail_to(user) -> str:
    return "\n".join(m.body for m in mail.outbox if m.to == [user.email])


def test_a_reminder_claimed_by_a_concurrent_scan_while_the_digest_is_written_is_in_it(
    travel, source, township_a_unit, township_a, monkeypatch
):
    source.add(unit=township_a_unit, deadline=DEADLINE, label="早的事项")
    travel(at(DEADLINE, hour=7))
    run_scan()
    read_open_items = reminders._still_open

    def another_scan_commits_meanwhile(**kwargs):
        found = read_open_items(**kwargs)
        source.add(unit=township_a_unit, deadline=DEADLINE, label="并发的事项")
        reminders.claim_deadline_reminders(today=DEADLINE)  # a second worker's scan commits here
        return found

    monkeypatch.setattr(reminders, "_still_open", another_scan_commits_meanwhile)
    travel(at(DEADLINE, hour=9))
    run_scan()
    digest = _mail_to(township_a)
    assert "早的事项" in digest and "并发的事项" in digest  # settled by this digest, so listed in it
    assert not Reminder.objects.filter(recipient=township_a, digest_day__isnull=True).exists()


def test_closed_items_stay_out_of_the_digest(travel, source, township_a_unit, township_a):
    entry = source.add(unit=township_a_unit, deadline=DEADLINE, label="已办结的事项")
    source.add(unit=township_a_unit, deadline=DEADLINE, label="还在办的事项")
    travel(at(DEADLINE, hour=7))
    run_scan()
    entry.open = False
    travel(at(DEADLINE, hour=9))
    run_scan()
    digest = _mail_to(township_a)
    assert "还在办的事项" in digest and "已办结的事项" not in digest


def _delegate(head, colleague) -> ReminderDelegation:
    """``head`` hands the unit's reminders to ``colleague`` from ten days before to ten days after."""
    return ReminderDelegation.objects.create(
        unit=head.org_unit,
        delegator=head,
        delegate=colleague,
        starts_on=DEADLINE - 10 * DAY,
        ends_on=DEADLINE + 10 * DAY,
        reason="外出学习",
    )


def test_a_delegate_who_was_deactivated_hands_the_units_reminders_back(
    travel, source, township_a_unit, township_a, township_a_head
):
    colleague = UserFactory(org_unit=township_a_unit, username="colleague")
    _delegate(township_a_head, colleague)
    colleague.is_active = False
    colleague.save()
    source.add(unit=township_a_unit, deadline=DEADLINE)
    travel(at(DEADLINE))
    run_scan()
    reminded = set(Reminder.objects.exclude(threshold="digest").values_list("recipient__username", flat=True))
    assert reminded == {"township_a", "township_a_head"}


def test_a_second_head_still_gets_escalations_when_the_other_head_delegated(
    travel, source, township_a_unit, township_a_head
):
    second_head = UserFactory(org_unit=township_a_unit, is_unit_head=True, username="second_head")
    colleague = UserFactory(org_unit=township_a_unit, username="colleague")
    _delegate(township_a_head, colleague)
    source.add(unit=township_a_unit, deadline=DEADLINE - 5 * DAY)  # escalated (3 days overdue or more)
    travel(at(DEADLINE))
    run_scan()
    escalated = set(Reminder.objects.filter(threshold=ESCALATION).values_list("recipient__username", flat=True))
    assert escalated == {"second_head", "colleague"}  # not the head who delegated
    assert second_head.pk in set(Reminder.objects.values_list("recipient_id", flat=True))


def test_an_overdue_item_snoozed_comes_back_in_the_digest_after_the_snooze(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, deadline=DEADLINE - DAY, label="暂停过的事项")
    travel(at(DEADLINE, hour=7))
    run_scan()
    note = Notification.objects.get(recipient=township_a, reminder__threshold="overdue")
    reminder_snooze_create(user=township_a, notification=note, days=2, reason="出差两天")
    for day in (0, 1):  # muted: no e-mail about it
        travel(at(DEADLINE + day * DAY, hour=9))
        run_scan()
    assert "暂停过的事项" not in _mail_to(township_a)
    travel(at(DEADLINE + 2 * DAY, hour=9))  # the snooze has ended
    run_scan()
    assert "暂停过的事项" in _mail_to(township_a)
    mail.outbox.clear()
    travel(at(DEADLINE + 3 * DAY, hour=9))
    run_scan()
    assert "暂停过的事项" not in _mail_to(township_a)  # once, not every day


def test_a_cancelled_snooze_puts_the_item_in_the_next_digest(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, deadline=DEADLINE - DAY, label="取消暂停的事项")
    travel(at(DEADLINE, hour=7))
    run_scan()
    note = Notification.objects.get(recipient=township_a, reminder__threshold="overdue")
    snooze = reminder_snooze_create(user=township_a, notification=note, days=7, reason="出差")
    travel(at(DEADLINE, hour=9))
    run_scan()
    assert "取消暂停的事项" not in _mail_to(township_a)
    reminder_snooze_cancel(user=township_a, snooze=snooze)
    assert ReminderSnooze.objects.get(pk=snooze.pk).cancelled_at is not None
    travel(at(DEADLINE + DAY, hour=9))
    run_scan()
    assert "取消暂停的事项" in _mail_to(township_a)


def test_each_office_sends_its_digests_from_its_own_hour(travel, source, county, township_a_unit, township_a):
    other_county = OrgUnitFactory(name="大足区双拥办", code="dz", kind=OrgUnitKind.COUNTY)
    other_township = OrgUnitFactory(name="龙岗街道", code="dz-lg", kind=OrgUnitKind.TOWNSHIP, parent=other_county)
    other_staff = UserFactory(username="dz_staff", org_unit=other_township, role=Role.TOWNSHIP_STAFF)
    ReminderPolicy.load()  # the site default: 8 o'clock
    ReminderPolicy.objects.create(owner_unit=county, digest_hour=10)
    source.add(unit=township_a_unit, deadline=DEADLINE, label="铜梁的事项")
    source.add(unit=other_township, deadline=DEADLINE, label="大足的事项")
    travel(at(DEADLINE, hour=9))
    run_scan()
    assert "大足的事项" in _mail_to(other_staff)
    assert _mail_to(township_a) == ""  # 铜梁's office sends at 10
    travel(at(DEADLINE, hour=10))
    run_scan()
    assert "铜梁的事项" in _mail_to(township_a)
    assert len([m for m in mail.outbox if m.to == [other_staff.email]]) == 1


def test_an_office_with_nothing_overdue_is_not_summarised_again_at_every_scan(
    travel, source, township_a_unit, office_user, monkeypatch
):
    source.add(unit=township_a_unit, deadline=DEADLINE + 30 * DAY)  # nothing overdue
    calls = []
    summarise = reminders.overdue_summary

    def counting(unit, **kwargs):
        calls.append(unit.pk)
        return summarise(unit, **kwargs)

    monkeypatch.setattr(reminders, "overdue_summary", counting)
    travel(at(DEADLINE, hour=9))
    run_scan()
    first = len(calls)
    assert first >= 1
    for minutes in (10, 20, 30):
        travel(at(DEADLINE, hour=9) + dt.timedelta(minutes=minutes))
        run_scan()
    assert len(calls) == first  # remembered …
    travel(at(DEADLINE, hour=10) + dt.timedelta(minutes=10))  # … for an hour: then worked out again
    run_scan()
    assert len(calls) > first
