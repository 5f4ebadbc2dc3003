"""Bench (run on demand, not a test): import a generated 10,000-row visit .xlsx two ways.

    .venv/bin/python bench/bench_visit_import.py            # throwaway in-memory SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_visit_import.py

(the PostgreSQL database must exist and be disposable: the script migrates it and fills it.)

1. the portal's path (visits.importing): read, validate every row in one pass against lookups
   fetched once, then bulk_create with history in one transaction;
2. the same file through django-import-export with default settings:
   ``StockVisitRecordResource(campaign=...).import_data(dataset, dry_run=False)`` (the portal's
   export resource with the row-by-row write path the stock import needs, defined here: the
   portal itself never imports through it).

Prints rows/second side by side, and checks that both saved every row.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.test")
# As in production: with DEBUG on, Django keeps the text of every query, which is not what
# either path costs a township (DEBUG=1 in the environment measures it anyway).
os.environ.setdefault("DEBUG", "0")

import django

django.setup()

from typing import Any  # noqa: E402

from django.core.management import call_command  # noqa: E402
from import_export.formats.base_formats import XLSX  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from shuangyong.models import OrgUnit, OrgUnitKind, Role, User  # noqa: E402
from visits.importing import read_import_table, visit_records_import  # noqa: E402
from visits.models import Campaign, CampaignKind, ContactWay, Return, TableRow, VisitRecord  # noqa: E402
from visits.resources import VISIT_COLUMNS, VisitRecordResource  # noqa: E402

ROWS = 10_000
UNITS = 20


class StockVisitRecordResource(VisitRecordResource):
    """django-import-export's own write path for the template's columns: every row a new record,
    saved one by one with the campaign and its unit's return attached."""

    class Meta(VisitRecordResource.Meta):
        import_id_fields: tuple[str, ...] = ()

    def __init__(self, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.campaign = campaign

    def get_instance(self, instance_loader: Any, row: Any) -> None:
        return None

    def before_save_instance(self, instance: VisitRecord, row: Any, **kwargs: Any) -> None:
        instance.campaign = self.campaign
        instance.unit_return, _ = Return.objects.get_or_create(campaign=self.campaign, org_unit=instance.org_unit)


def setup() -> tuple[User, Campaign, list[OrgUnit]]:
    call_command("migrate", verbosity=0)
    county = OrgUnit.objects.create(name="铜梁区双拥办", code="bench-county", kind=OrgUnitKind.COUNTY)
    units = [
        OrgUnit.objects.create(name=f"测试镇{i:02d}", code=f"bench-t{i}", kind=OrgUnitKind.TOWNSHIP, parent=county)
        for i in range(UNITS)
    ]
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
    return office, campaign, units


def generate(units: list[OrgUnit]) -> bytes:
    rnd = random.Random(2027)
    labels = [label for _, label in TableRow.choices]
    ways = [label for _, label in ContactWay.choices]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(VISIT_COLUMNS.values()))
    for _ in range(ROWS):
        people = rnd.randint(1, 30)
        sheet.append(
            [
                rnd.choice(units).name,
                dt.date(2027, 1, 22) + dt.timedelta(days=rnd.randint(0, 29)),
                rnd.choice(labels),
                rnd.choice(["张书记", "李镇长", "王部长"]),
                people,
                round(rnd.uniform(0, 5000), 2),
                rnd.randint(0, people),
                round(rnd.uniform(0, 2000), 2),
                rnd.randint(0, 50),
                rnd.randint(0, people),
                rnd.choice(ways),
                "",
                "",
                "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clear() -> None:
    VisitRecord.history.all().delete()
    VisitRecord.objects.all().delete()
    Return.objects.all().delete()


def main() -> None:
    office, campaign, units = setup()
    content = generate(units)
    print(f"{ROWS} rows, {len(content) / 1024:.0f} KiB .xlsx, {UNITS} units")

    start = time.perf_counter()
    table = read_import_table(kind="visits", name="bench.xlsx", content=content)
    result = visit_records_import(user=office, campaign=campaign, table=table)
    ours = time.perf_counter() - start
    print(f"visits.importing: {ours:.2f} s", flush=True)
    assert result.ok, result.errors[:5]
    assert VisitRecord.objects.count() == ROWS
    clear()

    start = time.perf_counter()
    dataset = XLSX().create_dataset(content)
    stock = StockVisitRecordResource(campaign).import_data(dataset, dry_run=False, raise_errors=True)
    theirs = time.perf_counter() - start
    assert not stock.has_errors() and not stock.has_validation_errors()
    assert VisitRecord.objects.count() == ROWS

    print(f"{'path':<42}{'seconds':>10}{'rows/s':>10}")
    print(f"{'visits.importing (validate once + bulk)':<42}{ours:>10.2f}{ROWS / ours:>10.0f}")
    print(f"{'django-import-export, default settings':<42}{theirs:>10.2f}{ROWS / theirs:>10.0f}")
    print(f"speed-up {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
