"""Bench (run on demand, not a test): one full reminder scan over 100,000 open items.

    .venv/bin/python bench/bench_reminder_scan.py            # throwaway in-memory SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reminders .venv/bin/python bench/bench_reminder_scan.py

(the PostgreSQL database must exist and be disposable: the script migrates it and fills it.)

70,000 work-point tasks and 30,000 双清单 items, open, with deadlines spread over 2027, led by
40 townships (one staff user and one head each). The clock is frozen at 2027-07-01 09:00
(Asia/Shanghai): about half the items are overdue (reminder + escalation), a few are 7/3/1 days
ahead or due today, and the office's daily digest is due. E-mail goes to Django's dummy backend.

Prints: items, seconds, reminders produced, digests, e-mails sent, queries run; then runs
the scan again (the steady state every 10 minutes), which must produce nothing. E-mails are one
digest per person (81 here), not one per item.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.test")

import django

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from shuangyong.models import DeliveryState, Notification, OrgUnit, OrgUnitKind, Reminder, Role, User  # noqa: E402
from shuangyong.reminders import run_scan  # noqa: E402
from tasks.models import DualListDirection, DualListItem, DualListState, ProposingSide, Task, WorkPlan  # noqa: E402

TASKS = int(os.environ.get("BENCH_TASKS", 70_000))
DUAL_LIST_ITEMS = int(os.environ.get("BENCH_DUAL_LIST_ITEMS", 30_000))
UNITS = 40
TODAY = dt.date(2027, 7, 1)
NOW = dt.datetime(2027, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def setup() -> None:
    call_command("migrate", verbosity=0)
    county = OrgUnit.objects.create(name="铜梁区双拥办", code="bench-county", kind=OrgUnitKind.COUNTY)
    troop = OrgUnit.objects.create(name="驻铜某部", code="bench-troop", kind=OrgUnitKind.TROOP, parent=county)
    office = User.objects.create(
        username="bench-office", email="office@example.invalid", org_unit=county, role=Role.OFFICE
    )
    units = []
    for i in range(UNITS):
        unit = OrgUnit.objects.create(
            name=f"测试镇{i:02d}", code=f"bench-t{i}", kind=OrgUnitKind.TOWNSHIP, parent=county
        )
        units.append(unit)
        User.objects.create(username=f"staff{i}", email=f"s{i}@example.invalid", org_unit=unit)
        User.objects.create(username=f"head{i}", email=f"h{i}@example.invalid", org_unit=unit, is_unit_head=True)
    plan = WorkPlan.objects.create(year=2027, title="2027年双拥工作要点", owner_unit=county, created_by=office)
    rnd = random.Random(2027)

    def deadline() -> dt.date:
        return dt.date(2027, 1, 1) + dt.timedelta(days=rnd.randint(0, 364))

    Task.objects.bulk_create(
        (
            Task(plan=plan, number=f"（{i}）", order=i, title=f"任务{i}", lead_unit=rnd.choice(units), deadline=d)
            for i, d in ((i, deadline()) for i in range(TASKS))
        ),
        batch_size=5000,
    )
    DualListItem.objects.bulk_create(
        (
            DualListItem(
                year=2027,
                direction=DualListDirection.TO_TROOPS,
                content=f"为部队办实事{i}",
                proposing_side=ProposingSide.TROOPS,
                responsible_unit=rnd.choice(units),
                troop_unit=troop,
                deadline=deadline(),
                state=rnd.choice([DualListState.ASSIGNED, DualListState.IN_PROGRESS]),
                created_by=office,
            )
            for i in range(DUAL_LIST_ITEMS)
        ),
        batch_size=5000,
    )


class QueryCounter:
    """Counts statements without keeping their text: CaptureQueriesContext formats every
    parameter of every statement, seconds of work for the scan's bulk inserts."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if not os.environ.get("BENCH_PROFILE"):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = sql[:90]
            self.seconds[key] = self.seconds.get(key, 0) + time.perf_counter() - started

    def __len__(self) -> int:
        return self.count


def scan(label: str) -> int:
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        started, cpu = time.perf_counter(), time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(run_scan)
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(30)
        else:
            result = run_scan()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    for key, spent in sorted(queries.seconds.items(), key=lambda kv: -kv[1])[:12]:
        print(f"{spent:7.3f} s  {key}")
    items = TASKS + DUAL_LIST_ITEMS
    print(
        f"{label}: {items:,} open items in {seconds:.2f} s (this process's CPU: {cpu:.2f} s); "
        f"reminders produced {result.reminders_created:,} (notification-centre entries), "
        f"digests {result.digests_created}; e-mails sent {result.delivery.sent:,}; {len(queries):,} queries"
    )
    return result.reminders_created + result.digests_created


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.DEBUG = False  # as in production: no SQL text kept per query
    from django.urls import reverse

    reverse("home")  # load the URL configuration as a running worker has (a one-time 1-2 s)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    setup()
    print(f"setup: {TASKS:,} tasks + {DUAL_LIST_ITEMS:,} 双清单 items in {time.perf_counter() - started:.1f} s")
    with time_machine.travel(NOW, tick=True):
        first = scan("first scan ")
        second = scan("second scan")
    pending = Notification.objects.filter(delivery_state=DeliveryState.PENDING).count()
    assert first > 0 and first == Reminder.objects.count() == Notification.objects.count(), "claims != notifications"
    assert second == 0, f"the second scan produced {second} reminders"
    assert pending == 0, f"{pending} notifications not delivered"
    users = User.objects.filter(is_active=True).exclude(role=Role.LEADER).count()
    print(f"OK: every reminder once, at most one e-mail per person ({users} users), the second scan produced none")


if __name__ == "__main__":
    main()
