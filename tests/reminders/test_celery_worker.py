"""End to end with a real Redis and a real Celery worker process: a task due in 3 days produces
its notification. The worker opens the same (PostgreSQL) test database as this test.

Skipped unless REDIS_URL is set; with SHUANGYONG_REQUIRE_REDIS=1 (CI) a missing Redis, or a
database the worker cannot share, is a failure instead.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from shuangyong.celery import app
from shuangyong.models import Notification, Reminder

REQUIRED = os.environ.get("SHUANGYONG_REQUIRE_REDIS") == "1"
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 240  # a loaded machine takes a minute or more to start a worker


def why_unavailable() -> str:
    """Checked at collection, before any database is set up for the test."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer: {exc}"
    if connection.vendor != "postgresql":
        return "the worker needs a database it can open too: set DATABASE_URL=postgres://…"
    return ""


UNAVAILABLE = why_unavailable()

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(bool(UNAVAILABLE) and not REQUIRED, reason=UNAVAILABLE),
    # serialized_rollback: the flush after this test does not disturb tests that restore the
    # migrations' rows (content types, seeded categories) after it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_url() -> str:
    if UNAVAILABLE:
        pytest.fail(f"SHUANGYONG_REQUIRE_REDIS=1 but {UNAVAILABLE}")
    return os.environ["REDIS_URL"]


def shared_database_url() -> str:
    """The URL of the test database this process uses, for the worker process to open."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"  # this run's own queue: nothing else is consumed
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shuangyong.settings.test",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": redis_url,
        "SHUANGYONG_VAR_DIR": str(tmp_path),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shuangyong", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        connection.close()  # before pytest-django flushes the tables


def test_a_real_worker_turns_a_due_task_into_a_notification(worker, township_a, county, office_user, monkeypatch):
    from shuangyong.jobs import scan_reminders
    from shuangyong.models import ReminderPolicy
    from tests.tasks.factories import TaskFactory, WorkPlanFactory

    ReminderPolicy.objects.update_or_create(pk=1, defaults={"digest_hour": 0})  # the digest is due whenever this runs
    due_in_three_days = timezone.localdate() + dt.timedelta(days=3)
    plan = WorkPlanFactory(year=due_in_three_days.year, owner_unit=county, created_by=office_user)
    task = TaskFactory(plan=plan, title="走访驻地部队", lead_unit=township_a.org_unit, deadline=due_in_three_days)

    monkeypatch.setattr(app.conf, "task_always_eager", False)  # the test settings run tasks inline
    assert app.conf.broker_url.startswith("redis://") and settings.REDIS_URL
    scan_reminders.apply_async(queue=worker)

    deadline = time.monotonic() + WAIT_SECONDS
    while not Notification.objects.filter(recipient=township_a).exists():
        assert time.monotonic() < deadline, "the worker did not produce the notification in time"
        time.sleep(0.2)  # polling a condition, bounded by WAIT_SECONDS

    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a)
    assert note.title == f"工作任务“{task}”还有3天到期"
    reminder = Reminder.objects.exclude(threshold="digest").get(recipient=township_a)
    assert reminder.threshold == "before_3" and reminder.object_id == task.pk

    # The item itself is e-mailed in the day's digest, not one by one; the worker sends the digest
    # after commit and marks its outbox row sent (bounded wait again).
    assert note.delivery_state == "digest"
    digests = Notification.objects.filter(recipient=township_a, reminder__threshold="digest")
    while not digests.filter(delivery_state="sent").exists():
        assert time.monotonic() < deadline, "the worker did not write and deliver the digest"
        time.sleep(0.2)
    assert task.title in digests.get().body
