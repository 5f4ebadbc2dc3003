"""Two people save the same visit record at the same moment (threads, each with its own
PostgreSQL connection), both starting from version 1: exactly one save wins, the other is
refused with the stale-version message; nothing is silently overwritten."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shuangyong.concurrency import STALE_MESSAGE
from tests.visits.factories import VisitRecordFactory
from visits.models import VisitRecord
from visits.services import visit_record_update

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]


def test_two_simultaneous_saves_one_wins(frozen, campaign, township_a, township_a_head):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    start = threading.Barrier(2, timeout=30)
    saved: list[Decimal] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def save(user, amount: Decimal) -> None:
        try:
            mine = VisitRecord.objects.select_related("campaign", "org_unit").get(pk=record.pk)
            start.wait()
            visit_record_update(user=user, record=mine, version=1, money_amount=amount)
            saved.append(amount)
        except ValidationError as e:
            refused.extend(e.messages)
        except BaseException as e:  # reported by the test, never swallowed
            errors.append(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(township_a, Decimal("100.00"))),
        threading.Thread(target=save, args=(township_a_head, Decimal("200.00"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(saved) == 1 and refused == [STALE_MESSAGE]
    record.refresh_from_db()
    assert record.money_amount == saved[0] and record.version == 2
