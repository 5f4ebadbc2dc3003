"""A unit's official table, downloaded through the site and read back cell by cell."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse

from tests.reports.conftest import ON_TIME, make_campaign
from tests.reports.helpers import (
    expected_cells,
    make_record,
    make_return,
    open_workbook,
    read_row,
    response_bytes,
)
from visits.models import CampaignKind, DifficultyKind, ReturnStatus, TableRow, VisitRecord

pytestmark = pytest.mark.django_db

ROW_LABELS = ["重点优抚对象", "困难退役军人等优抚对象", "驻地部队基层官兵", "边海防官兵", "总 计"]


def _download(client, campaign, unit):
    response = client.get(reverse("reports:unit_table", args=[campaign.pk, unit.pk]))
    assert response.status_code == 200, response
    return response, open_workbook(response_bytes(response)).worksheets[0]


@pytest.fixture
def township_a_records(campaign, township_a_unit, township_b_unit):
    ret = make_return(campaign, township_a_unit, status=ReturnStatus.SUBMITTED, submitted_at=ON_TIME)
    make_record(
        ret,
        row=TableRow.ENTITLED,
        people_visited=5,
        money_amount=Decimal("1500.00"),
        money_recipients=5,
        goods_spending=Decimal("420.50"),
        goods_count=10,
        goods_recipients=5,
        lead_leader="张书记",
        difficulties=[(DifficultyKind.MEDICAL, 1), (DifficultyKind.SCHOOLING, 2)],
    )
    make_record(
        ret,
        row=TableRow.ENTITLED,
        people_visited=3,
        money_amount=Decimal("999.99"),
        money_recipients=3,
        lead_leader="李镇长",
        difficulties=[(DifficultyKind.SCHOOLING, 1)],
    )
    make_record(
        ret,
        row=TableRow.HARDSHIP,
        people_visited=4,
        money_amount=Decimal("2000.00"),
        money_recipients=4,
        lead_leader="张书记",
        difficulties=[(DifficultyKind.LIVING, 3)],
    )
    make_record(
        ret,
        row=TableRow.TROOPS,
        people_visited=120,
        goods_spending=Decimal("8888.88"),
        goods_count=240,
        goods_recipients=120,
        lead_leader="王区长",
    )
    # Another township's records never reach A's table.
    other = make_return(campaign, township_b_unit)
    make_record(other, row=TableRow.ENTITLED, people_visited=7, money_amount=Decimal("700.00"), lead_leader="赵书记")
    return ret


def test_township_table_matches_the_database_cell_by_cell(client_for, township_a, campaign, township_a_records):
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)

    assert ws["A1"].value == "2027 年新年春节期间双拥活动情况统计表"
    assert ws["A2"].value == "填报单位（盖章）：巴川街道"
    assert ws["G2"].value.startswith("日期：")
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:J1", "A3:A4", "D3:E3", "F3:H3", "J3:J4"}
    assert ws["D3"].value == "发放慰问金情况" and ws["F4"].value == "购买慰问品\n支出金额\n（万元）"
    assert [ws.cell(row=r, column=1).value for r in range(5, 10)] == ROW_LABELS

    records = VisitRecord.objects.filter(campaign=campaign, org_unit=township_a.org_unit)
    assert [read_row(ws, r) for r in range(5, 10)] == expected_cells(records)
    # Spot-check the form's own wording and the 万元 cells.
    assert ws["B9"].value == "张书记、李镇长、\n王区长"  # a line break between names
    assert ws["J5"].value == "子女入学3件，看病就医1件"
    # Amounts with 角/分: 万元 to six decimals, so the printed figure is the exact amount.
    assert ws["D5"].value == 0.249999 and ws["D5"].number_format == "0.000000;-0.000000;0"
    assert ws["I9"].value == pytest.approx((1500 + 420.50 + 999.99 + 2000 + 8888.88) / 10000)


def test_file_name_is_chinese_with_year_and_campaign(client_for, township_a, campaign):
    make_return(campaign, township_a.org_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    response, _ = _download(client_for(township_a), campaign, township_a.org_unit)
    name = "2027年春节双拥活动情况统计表-巴川街道.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in response["Cache-Control"]


def test_no_records_give_a_table_of_zeros(client_for, township_a, campaign):
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    for row in range(5, 10):
        assert [ws.cell(row=row, column=c).value for c in range(3, 10)] == [0] * 7
        assert ws.cell(row=row, column=2).value is None and ws.cell(row=row, column=10).value is None


def test_333_33_three_times_gives_exact_totals(client_for, township_a, campaign):
    ret = make_return(campaign, township_a.org_unit)
    for row in (TableRow.ENTITLED, TableRow.HARDSHIP, TableRow.BORDER):
        make_record(ret, row=row, money_amount=Decimal("333.33"), goods_spending=Decimal("333.33"))
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert [ws[f"D{r}"].value for r in (5, 6, 8)] == [0.033333] * 3
    assert ws["D9"].value == 0.099999 and ws["F9"].value == 0.099999
    assert ws["I9"].value == 0.199998
    assert Decimal(repr(ws["I9"].value)).scaleb(4) == Decimal("1999.98")
    assert round(sum(ws[f"I{r}"].value for r in range(5, 9)) * 10000, 2) == 1999.98


def test_army_day_title_and_header_are_the_forms_with_the_county_troops(
    client_for, township_a, county, township_a_unit
):
    """Seed 004's 八一 form: 2020年“八一”期间走访慰问驻黔部队和优抚对象情况统计表 over
    填报单位：… 日期：… (no （盖章）), with each county's own troop name."""
    county.troop_name = "驻黔部队"
    county.save()
    campaign = make_campaign(county, [township_a_unit], year=2020, kind=CampaignKind.ARMY_DAY)
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert ws["A1"].value == "2020年“八一”期间走访慰问驻黔部队和优抚对象情况统计表"
    assert ws["A2"].value == "填报单位：巴川街道"
    assert ws["G2"].value.startswith("日期：2")


def test_army_day_title_without_a_troop_name_says_stationed_troops(client_for, township_a, county, township_a_unit):
    assert county.troop_name == ""
    campaign = make_campaign(county, [township_a_unit], year=2020, kind=CampaignKind.ARMY_DAY)
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert ws["A1"].value == "2020年“八一”期间走访慰问驻地部队和优抚对象情况统计表"


def test_a_unit_table_before_acceptance_says_draft(client_for, township_a, campaign, township_a_records):
    """Submitted, not yet accepted: 草稿，未审核 under the table, in the page header and in the file name."""
    response, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert ws["A10"].value == "报表状态：草稿，未审核（已提交，待审核）"
    assert "草稿，未审核" in ws.oddHeader.center.text
    assert "（草稿）" in unquote(response["Content-Disposition"])
    township_a_records.status = ReturnStatus.ACCEPTED
    township_a_records.save()
    response, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert ws["A10"].value == "报表状态：已审核" and not ws.oddHeader.center.text
    assert "草稿" not in unquote(response["Content-Disposition"])


def test_a_townships_table_names_its_own_leaders_and_counts_its_villages(
    client_for, township_a, campaign, township_a_records, village_a1
):
    from visits.models import VisitRecord as Record

    Record.objects.create(
        campaign=campaign,
        org_unit=village_a1,
        unit_return=township_a_records,
        table_row=TableRow.ENTITLED,
        visit_date=campaign.visit_start,
        people_visited=1,
        lead_leader="村支书",
    )
    _, ws = _download(client_for(township_a), campaign, township_a.org_unit)
    assert ws["B5"].value.replace("\n", "") == "张书记、李镇长；另有村（社区）领导1人次"


def test_unit_table_costs_a_fixed_number_of_queries(
    client_for, office_user, campaign, township_a_unit, django_assert_max_num_queries
):
    ret = make_return(campaign, township_a_unit)
    client = client_for(office_user)
    url = reverse("reports:unit_table", args=[campaign.pk, township_a_unit.pk])
    response_bytes(client.get(url))  # warm the session
    for n in range(30):
        make_record(ret, people_visited=1, lead_leader=f"领导{n % 3}", difficulties=[(DifficultyKind.LEGAL, 1)])
    # Session + user + the user's unit, then campaign, unit, subtree ids, three statistics
    # queries, and the session save (savepoint, update, release): 12 whatever the records.
    with django_assert_max_num_queries(12):
        response_bytes(client.get(url))
