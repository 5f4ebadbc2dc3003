"""Bench (run on demand, not a test): the city workbook (10 counties × 40 units) and the province
workbook (10 cities), built from ``generate_scale_data --scope province`` data (issue 15).

    .venv/bin/python bench/bench_level_workbooks.py            # throwaway in-memory SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_level_workbooks.py

(the PostgreSQL database must exist and be disposable: the script migrates it and fills it.)

Each workbook is timed next to a floor measured in the same run: ONE aggregate query (the
accepted records of every campaign linked below, summed by office unit and table row) plus
writing the same cells bare (same sheets, rows and columns, no styles) with openpyxl's
write-only mode. Target: within 1.5x of the floor. The query count is printed for a city with
10 counties and for one with 5: it is the same (the snapshot of each county's table is read with
the returns, never recomputed from its records).
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F, Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.bench_county_workbook import measure, report  # noqa: E402
from reports.services import county_workbook  # noqa: E402
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User  # noqa: E402
from visits.models import Campaign, Return, ReturnStatus, TableRow, VisitRecord  # noqa: E402
from visits.table import Basis  # noqa: E402

SCALE = {
    "scope": "province",
    "seed": 15,
    "cities": 10,
    "counties_per_city": 10,
    "townships": 30,
    "members": 10,  # 40 units per county
    "troops": 1,
    "villages": 0,
    "beneficiaries": 100,
    "visits": 400,
    "tasks": 0,
    "dual_list": 0,
    "verbosity": 0,
}


def floor_workbook(campaign: Campaign, depth: int, line_ids: list[int]) -> bytes:
    """One aggregate query over the accepted records of the campaigns ``depth`` levels below,
    summed per line unit (the county for a city, the city for the province) and row, then the
    same cells bare: the table, the 汇总表 and one sheet per line."""
    below = "parent__" * (depth - 1) + "parent"
    owner = "campaign__owner_unit_id" if depth == 1 else "campaign__owner_unit__parent_id"
    sums = (
        VisitRecord.objects.filter(**{f"campaign__{below}": campaign}, unit_return__status=ReturnStatus.ACCEPTED)
        .annotate(line=F(owner))
        .values("line", "table_row")
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
    by_line: dict[int, dict[str, dict[str, Any]]] = {}
    for s in sums:
        by_line.setdefault(s["line"], {})[s["table_row"]] = s
    zero = {"p": 0, "m": 0, "mr": 0, "g": 0, "gc": 0, "gr": 0}

    def total(cells: list[dict[str, Any]]) -> dict[str, Any]:
        return {k: sum(c[k] or 0 for c in cells) for k in zero}

    def table(ws: Any, cells: list[dict[str, Any]]) -> None:
        for row in (["title"], ["填报单位", None, None, None, None, None, "日期"], ["h"] * 10, ["h"] * 10):
            ws.append(row)
        for c in cells:
            m, g = c["m"] or 0, c["g"] or 0
            ws.append(["row", "leaders", c["p"], m / 10000, c["mr"], g / 10000, c["gc"], c["gr"], (m + g) / 10000, ""])

    wb = Workbook(write_only=True)
    per_line = {u: [by_line.get(u, {}).get(r, zero) for r in TableRow.values] for u in line_ids}
    top = [total([per_line[u][i] for u in line_ids]) for i in range(4)]
    table(wb.create_sheet("统计表"), [*top, total(top)])
    summary = wb.create_sheet("汇总表")
    for row in (["title"], ["date"], ["h"] * 13):
        summary.append(row)
    for n, u in enumerate(line_ids, 1):
        t = total(per_line[u])
        summary.append([n, u, "state", "late", None, t["p"], t["m"], t["mr"], t["g"], t["gc"], t["gr"], 0, 0])
    summary.append(["合计"])
    for u in line_ids:
        table(wb.create_sheet(f"单位{u}"), [*per_line[u], total(per_line[u])])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def queries_of(office: User, campaign: Campaign) -> int:
    with CaptureQueriesContext(connection) as captured:
        county_workbook(user=office, campaign=campaign, basis=Basis.ACCEPTED)
    return len(captured)


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_scale_data", **SCALE)
    print(
        f"{connection.vendor}: {OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY).count()} counties, "
        f"{VisitRecord.objects.count()} visit records (generated in {time.perf_counter() - started:.1f} s)"
    )
    province = OrgUnit.objects.get(code="sc-p")
    closed = Campaign.objects.filter(owner_unit=province).order_by("year", "kind").first()
    assert closed is not None
    city_campaign = closed.linked_campaigns.order_by("owner_unit__path").select_related("owner_unit").first()
    assert city_campaign is not None
    city_office = User.objects.get(org_unit=city_campaign.owner_unit, role=Role.OFFICE)
    province_office = User.objects.get(org_unit=province, role=Role.OFFICE)
    counties = sorted(city_campaign.expected_units.values_list("pk", flat=True))
    cities = sorted(closed.expected_units.values_list("pk", flat=True))
    with override_settings(REPORTS_WORKBOOK_CACHE_SECONDS=0):
        for label, office, campaign, depth, lines in (
            ("city (10 counties)", city_office, city_campaign, 1, counties),
            ("province (10 cities)", province_office, closed, 2, cities),
        ):
            results = measure(
                {
                    f"floor {label}": lambda c=campaign, d=depth, ls=lines: floor_workbook(c, d, ls),
                    f"workbook {label}": lambda o=office, c=campaign: county_workbook(
                        user=o, campaign=c, basis=Basis.ACCEPTED
                    ),
                }
            )
            for name, result in results.items():
                report(name, result)
            floor, real = results.values()
            print(f"  ratio time {real[0] / floor[0]:.2f}x  (target: within 1.5x)")
        # The same city with half of its counties expected: the same number of queries.
        before = queries_of(city_office, city_campaign)
        city_campaign.expected_units.remove(*counties[5:])
        Return.objects.filter(campaign=city_campaign, org_unit_id__in=counties[5:]).delete()
        after = queries_of(city_office, city_campaign)
        print(f"queries: city workbook with 10 counties {before}, with 5 counties {after}")


if __name__ == "__main__":
    main()
