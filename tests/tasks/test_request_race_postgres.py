"""Two lead-unit users ask for closure (or an extension) of one task at the same moment (threads,
each with its own PostgreSQL connection): one request is made, the other is answered in Chinese
("already one pending"); never an IntegrityError on one_pending_*_per_task, never the raw
constraint text."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shuangyong.models import Role
from tasks.models import ClosureRequest, ExtensionRequest
from tasks.services import closure_request_create, extension_request_create
from tests.factories import UserFactory
from tests.tasks.factories import TaskFactory, WorkPlanFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]

CASES = {
    "closure": (
        ClosureRequest,
        lambda user, task: closure_request_create(user=user, task=task, note="已完成"),
        "完成申请",
    ),
    "extension": (
        ExtensionRequest,
        lambda user, task: extension_request_create(
            user=user, task=task, requested_deadline=dt.date(2027, 12, 31), reason="汛期"
        ),
        "延期申请",
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_two_requests_at_the_same_moment(kind, monkeypatch, office_user, county, township_a, township_a_unit):
    model, ask, words = CASES[kind]
    colleague = UserFactory(org_unit=township_a_unit, role=Role.TOWNSHIP_STAFF)
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, lead_unit=township_a_unit, deadline=dt.date(2027, 6, 30))

    # Both threads are held between "is one pending?" and the insert, where the race is. With the
    # task locked the second never gets there while the first holds it: the wait times out.
    both_checked = threading.Barrier(2, timeout=3)
    original = model.full_clean

    def full_clean_after_both_checked(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(model, "full_clean", full_clean_after_both_checked)
    made: list[object] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def run(user) -> None:
        try:
            made.append(ask(user, task))
        except ValidationError as e:
            refused.extend(e.messages)
        except BaseException as e:  # reported by the test, never swallowed
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (township_a, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(made) == 1
    assert len(refused) == 1 and words in refused[0] and "Constraint" not in refused[0]
    assert model.objects.filter(task=task).count() == 1
