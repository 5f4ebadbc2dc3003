"""The county workbooks read on paper: every printed figure adds up when checked by hand.

Built from the demo county and from ``generate_scale_data --scope county`` data, downloaded
through the site with both bases, and read back with each cell's own number format applied
(tests/reports/printed.py): 总 计 = the printed rows, 合计 = printed 慰问金 + printed 慰问品, the
汇总表's 合计 = its printed lines, each unit's sheet = its line in the 汇总表, the county table =
the 汇总表's 合计; no non-zero amount prints as 0; no row is taller than 409 pt; no heading or
name is broken inside a word.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.official_table import Measures, OfficialTable, money_decimals, spring_title, write_official_table
from reports.selectors import Basis
from reports.xlsx import ReportBook
from shuangyong.models import OrgUnit, User
from tests.reports.helpers import open_workbook, response_bytes
from tests.reports.printed import check_county_workbook, check_no_word_broken, check_table_sheet, printed
from visits.models import Campaign

pytestmark = pytest.mark.django_db

SCALE = {
    "scope": "county",
    "seed": 12,
    "townships": 12,
    "members": 6,
    "troops": 1,
    "villages": 1,
    "beneficiaries": 300,
    "visits": 600,
    "tasks": 4,
    "dual_list": 4,
    "verbosity": 0,
}


def _check_all_workbooks(client, campaigns) -> int:
    checked = 0
    for campaign in campaigns:
        for basis in Basis.values:
            response = client.get(reverse("reports:county_workbook", args=[campaign.pk, basis]))
            assert response.status_code == 200
            wb = open_workbook(response_bytes(response))
            checked += check_county_workbook(wb)
            for name in wb.sheetnames:
                ws = wb[name]
                if name == "汇总表":
                    check_no_word_broken(ws, header_rows=(1, 3), name_columns=(2,))
                else:
                    check_no_word_broken(ws, header_rows=(1, 2, 3, 4), name_columns=(2, 10))
    return checked


def test_the_demo_county_workbooks_add_up_on_paper(client_for):
    from shuangyong.demo import seed_all

    seed_all()
    campaigns = list(Campaign.objects.select_related("owner_unit"))
    assert len(campaigns) >= 2
    checked = 0
    # Each campaign downloaded by its own office: the county's, and (issue 15) the demo city's
    # workbook, whose county lines are the counties' submitted tables, and the second county's.
    for campaign in campaigns:
        office = User.objects.filter(org_unit=campaign.owner_unit, role="office").order_by("pk").first()
        checked += _check_all_workbooks(client_for(office), [campaign])
    assert checked >= 4 * 20
    assert any(c.owner_unit.kind == "city" for c in campaigns)


def test_the_scale_county_workbooks_add_up_on_paper(client_for):
    call_command("generate_scale_data", **SCALE)
    county = OrgUnit.objects.get(code="sc-x01")
    office = User.objects.get(username="sc-x01-office")
    campaigns = list(Campaign.objects.filter(owner_unit=county, year=2026))
    assert len(campaigns) == 2
    assert _check_all_workbooks(client_for(office), campaigns) == 2 * 2 * (2 + 18)


def _write(rows):
    book = ReportBook()
    table = OfficialTable(
        title=spring_title(2027), unit_name="巴川街道", date=dt.date(2027, 2, 9), rows=rows,
        money_decimals=money_decimals(rows),
    )  # fmt: skip
    write_official_table(book.add_sheet("表"), table)
    return open_workbook(book.to_bytes()).worksheets[0]


def test_the_cases_that_did_not_add_up_now_do():
    """The issue's examples: 150 元 + 150 元 printed 0.02 + 0.02 = 0.03; 27.10 元 and 49.99 元
    printed 0.00; rows 6.59 + 5.97 + 11.65 + 5.80 printed a 总计 of 30.02."""
    rows = [
        Measures(money_amount=Decimal("150"), goods_spending=Decimal("150"), money_recipients=1, goods_recipients=1),
        Measures(goods_spending=Decimal("27.10"), goods_recipients=2),
        Measures(money_amount=Decimal("49.99"), money_recipients=2),
        Measures(money_amount=Decimal("65949.49") + Decimal("59749.49") + Decimal("116549.49")),
    ]
    ws = _write(rows)
    check_table_sheet(ws)
    assert printed(ws["I5"]) == printed(ws["D5"]) + printed(ws["F5"]) == Decimal("0.030000")
    assert printed(ws["F6"]) == Decimal("0.002710") and printed(ws["D7"]) == Decimal("0.004999")
    # A zero figure prints as 0, the one rule for every empty cell of the form.
    assert ws["D6"].value == 0 and printed(ws["D6"]) == 0 and ws["D6"].number_format.endswith(";0")


def test_whole_yuan_amounts_print_four_decimals():
    rows = [Measures(money_amount=Decimal("500")), Measures(goods_spending=Decimal("1")), Measures(), Measures()]
    ws = _write(rows)
    check_table_sheet(ws)
    assert ws["D5"].number_format == "0.0000;-0.0000;0"
    assert printed(ws["D5"]) == Decimal("0.0500") and printed(ws["F6"]) == Decimal("0.0001")


def test_the_printed_check_would_catch_two_decimals():
    """The checker itself: the old 0.00 format fails it (so passing means something)."""
    rows = [Measures(money_amount=Decimal("150"), goods_spending=Decimal("150")), Measures(), Measures(), Measures()]
    ws = _write(rows)
    for column in "DFI":
        ws[f"{column}5"].number_format = ws[f"{column}9"].number_format = "0.00"
    with pytest.raises(AssertionError):
        check_table_sheet(ws)
