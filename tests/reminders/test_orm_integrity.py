"""The claims and entries keep no database-level foreign-key checks (they cost the backlog scan a
trigger per row at commit): deleting a user or a claim through the ORM must still leave no row
pointing at nothing."""

from __future__ import annotations

import pytest

from shuangyong.models import Notification, Reminder
from shuangyong.reminders import run_scan
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db


def test_deleting_a_user_deletes_their_claims_and_entries(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, label="事项", deadline=DEADLINE)
    travel(at(DEADLINE, hour=9))
    assert run_scan().reminders_created >= 1
    assert Reminder.objects.filter(recipient=township_a).exists()
    assert Notification.objects.filter(recipient=township_a).exists()
    user_pk = township_a.pk
    township_a.delete()
    assert not Reminder.objects.filter(recipient_id=user_pk).exists()
    assert not Notification.objects.filter(recipient_id=user_pk).exists()


def test_deleting_a_claim_keeps_its_entry_without_a_dangling_reference(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, label="事项", deadline=DEADLINE)
    travel(at(DEADLINE, hour=7))
    run_scan()
    entry = Notification.objects.filter(recipient=township_a, reminder__isnull=False).first()
    assert entry is not None
    Reminder.objects.filter(pk=entry.reminder_id).delete()
    entry.refresh_from_db()
    assert entry.reminder_id is None  # SET_NULL, applied by the ORM
