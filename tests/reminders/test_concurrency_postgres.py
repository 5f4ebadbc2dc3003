"""Two scans at the same moment on PostgreSQL (threads, each with its own connection): the
UNIQUE claim lets exactly one of them produce each reminder."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from shuangyong.models import Notification, Reminder
from shuangyong.reminders import run_scan
from tests.factories import OrgUnitFactory, UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…"),
    # serialized_rollback: the flush after these tests does not disturb tests that restore the
    # migrations' rows (content types, seeded categories) after them.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ITEMS = 150
USERS = 3


def run_in_parallel(target, n: int = 2) -> tuple[list, list[BaseException]]:
    results: list = []
    errors: list[BaseException] = []
    start = threading.Barrier(n, timeout=30)

    def work() -> None:
        try:
            start.wait()
            results.append(target())
        except BaseException as exc:  # reported by the test, never swallowed
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a scan hung (deadlock?)"
    return results, errors


@pytest.fixture
def many_items(source, township_a_unit):
    UserFactory.create_batch(USERS, org_unit=township_a_unit)
    for obj in OrgUnitFactory.create_batch(ITEMS, parent=township_a_unit):
        source.add(obj=obj, unit=township_a_unit, deadline=DEADLINE)


def assert_each_reminder_once() -> None:
    assert Reminder.objects.count() == ITEMS * USERS
    assert Notification.objects.count() == ITEMS * USERS
    keys = list(Notification.objects.values_list("recipient_id", "object_id"))
    assert len(set(keys)) == len(keys)


def test_two_concurrent_scans_produce_no_duplicates(travel, many_items):
    travel(at(DEADLINE, hour=7))
    results, errors = run_in_parallel(lambda: run_scan().reminders_created)
    assert errors == []
    assert sum(results) == ITEMS * USERS
    assert_each_reminder_once()
    assert len(mail.outbox) == ITEMS * USERS  # and each e-mail went out once


def test_both_scans_racing_on_the_same_insert_produce_no_duplicates(travel, many_items, monkeypatch):
    """Force the worst case: both scans have checked for existing claims (none yet) before
    either inserts, so both INSERT the same keys and the UNIQUE constraint alone decides."""
    travel(at(DEADLINE, hour=7))
    real_bulk_create = Reminder.objects.bulk_create
    both_checked = threading.Barrier(2, timeout=30)

    def insert_together(*args, **kwargs):
        both_checked.wait()
        return real_bulk_create(*args, **kwargs)

    monkeypatch.setattr(Reminder.objects, "bulk_create", insert_together)
    results, errors = run_in_parallel(lambda: run_scan(deliver=False).reminders_created)
    assert errors == []
    assert sum(results) == ITEMS * USERS
    assert_each_reminder_once()
