"""Bench (run on demand, not a test): the county workbook for 60 units and 20,000 visit records.

    .venv/bin/python bench/bench_county_workbook.py            # throwaway in-memory SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_county_workbook.py

(the PostgreSQL database must exist and be disposable: the script migrates it and fills it.)

Prints time, SQL queries and peak Python memory (tracemalloc) of building the workbook, next to a
floor measured in the same run: ONE aggregate query plus writing the same cells (same sheets,
same rows and columns, no styles, placeholders for the leader and difficulty text) with
openpyxl's write-only mode. Target: within 1.5x of the floor.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from reports.selectors import Basis  # noqa: E402
from reports.services import county_workbook  # noqa: E402
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User  # noqa: E402
from visits.models import (  # noqa: E402
    Campaign,
    CampaignKind,
    DifficultyKind,
    Return,
    ReturnStatus,
    TableRow,
    VisitDifficulty,
    VisitRecord,
)

UNITS = 60
RECORDS = 20_000
REPEAT = 7
LEADERS = ["张书记", "李镇长", "王部长", "赵局长", "刘主任", "陈副区长"]


def build_county() -> tuple[User, Campaign]:
    rng = random.Random(2027)
    county = OrgUnit.objects.create(name="铜梁区双拥工作领导小组办公室", code="bench", kind=OrgUnitKind.COUNTY)
    units = []
    for n in range(UNITS):
        kind = OrgUnitKind.TOWNSHIP if n < 40 else OrgUnitKind.MEMBER_UNIT
        units.append(OrgUnit.objects.create(name=f"单位{n:02d}", code=f"bench-{n}", kind=kind, parent=county))
    office = User.objects.create(username="bench-office", org_unit=county, role=Role.OFFICE)
    campaign = Campaign.objects.create(
        year=2027,
        kind=CampaignKind.SPRING,
        title="2027年春节走访慰问",
        visit_start=dt.date(2027, 1, 22),
        visit_end=dt.date(2027, 2, 20),
        return_deadline=dt.date(2027, 2, 25),
        owner_unit=county,
    )
    campaign.expected_units.set(units)
    statuses = [ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, ReturnStatus.DRAFT]
    returns = Return.objects.bulk_create(
        Return(campaign=campaign, org_unit=u, status=statuses[n % 4], submitted_at=None) for n, u in enumerate(units)
    )
    rows = list(TableRow.values)
    records = []
    for n in range(RECORDS):
        ret = returns[n % UNITS]
        people = rng.randint(1, 8)
        records.append(
            VisitRecord(
                campaign=campaign,
                org_unit_id=ret.org_unit_id,
                unit_return=ret,
                visit_date=dt.date(2027, 2, 1) + dt.timedelta(days=n % 19),
                table_row=rows[n % 4],
                lead_leader=LEADERS[rng.randrange(len(LEADERS))],
                people_visited=people,
                money_amount=Decimal(rng.randint(0, 200_000)) / 100,
                money_recipients=rng.randint(0, people),
                goods_spending=Decimal(rng.randint(0, 50_000)) / 100,
                goods_count=rng.randint(0, 20),
                goods_recipients=rng.randint(0, people),
            )
        )
    VisitRecord.objects.bulk_create(records, batch_size=2000)
    kinds = list(DifficultyKind.values)
    ids = list(VisitRecord.objects.values_list("pk", flat=True))
    VisitDifficulty.objects.bulk_create(
        (VisitDifficulty(record_id=pk, kind=kinds[pk % len(kinds)], count=1 + pk % 3) for pk in ids[::5]),
        batch_size=2000,
    )
    return office, campaign


def floor_workbook(campaign: Campaign, statuses: list[str], unit_ids: list[int]) -> bytes:
    """One aggregate query, then the same cells (values only) in write-only mode.

    ``unit_ids`` (the expected units) are read before the clock starts: the floor is one query.
    """
    sums = list(
        VisitRecord.objects.filter(campaign=campaign, unit_return__status__in=statuses)
        .values("org_unit_id", "table_row")
        .annotate(
            p=Sum("people_visited"),
            m=Sum("money_amount"),
            mr=Sum("money_recipients"),
            g=Sum("goods_spending"),
            gc=Sum("goods_count"),
            gr=Sum("goods_recipients"),
        )
        .order_by()
    )
    by_unit: dict[int, dict[str, dict[str, Any]]] = {}
    for s in sums:
        by_unit.setdefault(s["org_unit_id"], {})[s["table_row"]] = s
    zero = {"p": 0, "m": Decimal(0), "mr": 0, "g": Decimal(0), "gc": 0, "gr": 0}

    def table(ws: Any, cells: list[dict[str, Any]]) -> None:
        ws.append(["title"])
        ws.append(["填报单位", None, None, None, None, None, "日期"])
        ws.append(["h"] * 10)
        ws.append(["h"] * 10)
        for c in cells:
            ws.append(
                [
                    "row",
                    "leaders",
                    c["p"],
                    c["m"] / 10000,
                    c["mr"],
                    c["g"] / 10000,
                    c["gc"],
                    c["gr"],
                    (c["m"] + c["g"]) / 10000,
                    "difficulties",
                ]
            )

    def total(cells: list[dict[str, Any]]) -> dict[str, Any]:
        return {k: sum(c[k] for c in cells) for k in zero}

    wb = Workbook(write_only=True)
    per_unit = {u: [by_unit.get(u, {}).get(r, zero) for r in TableRow.values] for u in unit_ids}
    county = [total([per_unit[u][i] for u in unit_ids]) for i in range(4)]
    table(wb.create_sheet("统计表"), [*county, total(county)])
    summary = wb.create_sheet("汇总表")
    summary.append(["title"])
    summary.append(["date"])
    summary.append(["h"] * 13)
    for n, u in enumerate(unit_ids, 1):
        t = total(per_unit[u])
        summary.append(
            [
                n,
                u,
                "state",
                "late",
                None,
                t["p"],
                t["m"] / 10000,
                t["mr"],
                t["g"] / 10000,
                t["gc"],
                t["gr"],
                (t["m"] + t["g"]) / 10000,
                0,
            ]
        )
    summary.append(["合计"])
    for u in unit_ids:
        table(wb.create_sheet(f"单位{u}"), [*per_unit[u], total(per_unit[u])])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def measure(builds: dict[str, Callable[[], bytes]]) -> dict[str, tuple[float, int, int, int]]:
    """Best wall time of REPEAT runs, the builds interleaved so that a busy machine slows both
    alike (tracemalloc is off for timing: it slows every allocation); then one traced run each
    for the peak memory and the query count."""
    best = dict.fromkeys(builds, float("inf"))
    for _ in range(REPEAT):
        for label, build in builds.items():
            start = time.perf_counter()
            build()
            best[label] = min(best[label], time.perf_counter() - start)
    results = {}
    for label, build in builds.items():
        tracemalloc.start()
        with CaptureQueriesContext(connection) as captured:
            content = build()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[label] = (best[label], len(captured), peak, len(content))
    return results


def report(label: str, result: tuple[float, int, int, int]) -> None:
    best, queries, peak, size = result
    print(
        f"{label:<28} {best * 1000:8.0f} ms  {queries:3d} queries  peak {peak / 2**20:6.1f} MiB  "
        f"file {size / 1024:6.0f} KiB"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    office, campaign = build_county()
    print(
        f"{connection.vendor}: {UNITS} units, {VisitRecord.objects.count()} visit records, "
        f"{VisitDifficulty.objects.count()} difficulty rows (generated in {time.perf_counter() - started:.1f} s)"
    )
    basis = Basis.SUBMITTED
    statuses = [ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED]
    unit_ids = sorted(campaign.expected_units.values_list("pk", flat=True))
    # The portal keeps a written workbook under a digest of its data; the bench measures building
    # it, so that cache is off for the comparison with the floor, and on for the last line only.
    with override_settings(REPORTS_WORKBOOK_CACHE_SECONDS=0):
        results = measure(
            {
                "floor (1 query, write-only)": lambda: floor_workbook(campaign, statuses, unit_ids),
                "county workbook": lambda: county_workbook(user=office, campaign=campaign, basis=basis),
            }
        )
    for label, result in results.items():
        report(label, result)
    floor, real = results.values()
    print(f"ratio time {real[0] / floor[0]:.2f}x  memory {real[2] / floor[2]:.2f}x  (target: time within 1.5x)")
    with override_settings(REPORTS_WORKBOOK_CACHE_SECONDS=600):
        county_workbook(user=office, campaign=campaign, basis=basis)  # written once, kept
        report(
            "same data again (cached)",
            measure({"": lambda: county_workbook(user=office, campaign=campaign, basis=basis)})[""],
        )


if __name__ == "__main__":
    main()
