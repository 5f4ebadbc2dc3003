"""The county 统计表 and a unit table printed through LibreOffice headless: one A4 page each.

A county of 60 units with 3 leaders each (and leaders of its own), one unit with a 100-character
leader name. Only the two sheets the issue asks about are rendered (the workbook's sheet list is
plain data, services.county_workbook_sheets), so the test takes a few seconds.

Needs Debian's ``libreoffice-calc``, ``fonts-noto-cjk`` and ``poppler-utils`` (installed by
``.ci/run`` when missing). Without them the test is skipped locally; CI sets
SHUANGYONG_REQUIRE_LIBREOFFICE=1 and then a missing tool is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from reports.services import county_workbook_sheets, write_workbook
from tests.factories import OrgUnitFactory
from tests.reports.conftest import ON_TIME, make_campaign
from tests.reports.helpers import make_record, make_return, open_workbook
from tests.reports.printed import check_row_heights
from visits.models import DifficultyKind, ReturnStatus, TableRow

pytestmark = [pytest.mark.django_db, pytest.mark.libreoffice]

LONG_NAME = "欧阳" + "某" * 98  # a 100-character leader name


def _tools() -> tuple[str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdfinfo = shutil.which("pdfinfo")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip()
    if not (soffice and pdfinfo and fonts):
        message = "LibreOffice, poppler-utils or a CJK font missing: "
        message += "apt-get install libreoffice-calc fonts-noto-cjk poppler-utils"
        message += " poppler-utils"
        if os.environ.get("SHUANGYONG_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return soffice, pdfinfo


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    """Print an .xlsx to PDF with LibreOffice headless (a profile of its own, so that parallel
    runs do not share one) and read the page count from the PDF."""
    soffice, pdfinfo = _tools()
    source = tmp_path / "book.xlsx"
    source.write_bytes(content)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    info = subprocess.run([pdfinfo, str(tmp_path / "book.pdf")], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


@pytest.fixture
def big_county(county, office_user, after_deadline):
    """60 townships, each with records in all four rows led by 3 leaders; the county's own
    visits led by 2 county leaders; the last township also has a 100-character leader name."""
    units = [OrgUnitFactory(name=f"某某某镇{n:02d}", parent=county) for n in range(60)]
    campaign = make_campaign(county, units)
    for n, unit in enumerate(units):
        ret = make_return(campaign, unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
        for row, leader in zip(TableRow.values, (f"张书记{n}", f"李镇长{n}", f"王主任{n}", f"张书记{n}"), strict=True):
            make_record(
                ret,
                row=row,
                lead_leader=leader,
                people_visited=3,
                money_amount=Decimal("333.33"),
                money_recipients=1,
                goods_spending=Decimal("27.10"),
                goods_count=2,
                goods_recipients=1,
                difficulties=[(DifficultyKind.SCHOOLING, 1), (DifficultyKind.HOUSING, 1)] if n % 10 == 0 else [],
            )
    make_record(ret, row=TableRow.ENTITLED, lead_leader=LONG_NAME, people_visited=1)
    own = make_return(campaign, county, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    for leader in ("赵区长", "钱副区长"):
        make_record(own, row=TableRow.TROOPS, lead_leader=leader, people_visited=20)
    return campaign, units


def test_county_table_and_a_unit_table_print_on_one_page_each(office_user, big_county, tmp_path):
    campaign, units = big_county
    sheets = county_workbook_sheets(user=office_user, campaign=campaign, basis="accepted")
    county_sheet = next(spec for spec in sheets if spec[0] == "统计表")
    long_unit = next(spec for spec in sheets if spec[2].get("table") and spec[2]["table"].unit_name == units[-1].name)
    content = write_workbook([county_sheet, long_unit])

    wb = open_workbook(content)
    # The county row names the county's own leaders and counts the 60 × 3 others.
    assert wb["统计表"]["B9"].value.replace("\n", "") == "赵区长、钱副区长；另有乡镇、部门领导181人次"
    assert LONG_NAME in wb[long_unit[0]]["B5"].value.replace("\n", "")
    for ws in wb.worksheets:
        check_row_heights(ws)

    # Two sheets, each at least a page: two pages means one A4 page each.
    assert pdf_pages(content, tmp_path) == 2
