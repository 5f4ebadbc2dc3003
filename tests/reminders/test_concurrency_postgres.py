"""Two scans at the same moment on PostgreSQL (threads, each with its own connection): the
UNIQUE claim lets exactly one of them produce each reminder."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection

from shuangyong.models import Notification, Reminder, User
from shuangyong.reminders import run_scan
from tests.factories import UserFactory
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
    for _ in range(ITEMS):
        source.add(unit=township_a_unit, deadline=DEADLINE)


def assert_each_reminder_once() -> None:
    items = Reminder.objects.exclude(threshold="digest")
    assert items.count() == ITEMS * USERS
    assert Notification.objects.exclude(reminder__threshold="digest").count() == ITEMS * USERS
    keys = list(Notification.objects.values_list("recipient_id", "object_id"))
    assert len(set(keys)) == len(keys)


def test_two_concurrent_scans_produce_no_duplicates(travel, many_items):
    travel(at(DEADLINE, hour=9))  # after the digest hour: both also race for the digests
    results, errors = run_in_parallel(lambda: run_scan())
    assert errors == []
    assert sum(r.reminders_created for r in results) == ITEMS * USERS
    assert sum(r.digests_created for r in results) == USERS  # one digest per person, not two
    assert_each_reminder_once()
    assert Notification.objects.filter(reminder__threshold="digest").count() == USERS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(  # each person's one e-mail went out once
        User.objects.filter(org_unit__code="tl-bc").values_list("email", flat=True)
    )
    listed = [len(re.findall(r"^· ", m.body, flags=re.M)) for m in mail.outbox]
    assert listed == [ITEMS] * USERS  # and it lists every item: none lost to the other worker


def test_both_scans_racing_on_the_same_insert_produce_no_duplicates(travel, many_items, monkeypatch):
    """Force the worst case: both scans run the same INSERT … SELECT at the same moment, so both
    find no claim and insert the same keys: the UNIQUE constraint alone decides."""
    from shuangyong import reminders

    travel(at(DEADLINE, hour=7))
    real_insert = reminders._insert_claims
    both_ready = threading.Barrier(2, timeout=30)

    first_call = threading.local()

    def insert_together(*args, **kwargs):
        if not getattr(first_call, "done", False):  # the unit's users' claims, the big one
            first_call.done = True
            both_ready.wait()  # both INSERT … SELECT … NOT EXISTS start from a snapshot with no claim
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(reminders, "_insert_claims", insert_together)
    results, errors = run_in_parallel(lambda: run_scan(deliver=False).reminders_created)
    assert errors == []
    assert sum(results) == ITEMS * USERS
    assert_each_reminder_once()
