"""The city workbook (issue 15 point 2): the city table = the sum of the accepted county tables
and the city's own member units' records, cell for cell, computed here from the records; the
same official forms and the same printed exactness as a county workbook (tests/reports/printed.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tests.factories import OrgUnitFactory, UserFactory
from tests.levels import IN_WINDOW, accepted_return, build_city, record, submitted_return
from tests.reports.helpers import expected_cells, open_workbook, read_row, response_bytes
from tests.reports.printed import check_county_workbook
from visits.models import DifficultyKind, ReturnStatus, TableRow, VisitRecord
from visits.services import return_accept, upward_return_submit

pytestmark = pytest.mark.django_db

NUMBERS = slice(1, 9)  # columns C..J of read_row: the figures and 解决实际困难 (B, the leaders, differ by level)


@pytest.fixture
def city(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_WINDOW, tick=False)
    cq = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    tl, yc = cq.own(cq.tl), cq.own(cq.yc)
    accepted_return(
        tl,
        township_a_unit,
        office_user,
        [
            record(people=3, money="1200.50", goods="300", lead_leader="张镇长"),
            record(
                TableRow.TROOPS,
                people=20,
                goods="5000",
                lead_leader="李书记",
                difficulties=[(DifficultyKind.SCHOOLING, 2)],
            ),
        ],
    )
    accepted_return(tl, member_unit, office_user, [record(TableRow.HARDSHIP, people=1, money="800")])
    submitted_return(tl, township_b_unit, office_user, [record(people=9, money="9999")])  # not accepted
    accepted_return(
        yc, cq.yc_a, cq.yc_office, [record(people=4, money="2000", difficulties=[(DifficultyKind.MEDICAL, 1)])]
    )
    accepted_return(yc, cq.yc_b, cq.yc_office, [record(TableRow.BORDER, people=2, goods="450.75")])
    # The city's own member unit enters its records in the city's campaign.
    accepted_return(cq.campaign, cq.city_member, cq.city_office, [record(TableRow.TROOPS, people=30, money="10000")])
    for office, own in ((office_user, tl), (cq.yc_office, yc)):
        upward = upward_return_submit(user=office, campaign=own, summary="小结", leaders={TableRow.ENTITLED: "区长"})
        return_accept(user=cq.city_office, ret=upward)
    return cq


def _accepted_records(*campaigns):
    return VisitRecord.objects.filter(campaign__in=campaigns, unit_return__status=ReturnStatus.ACCEPTED)


def _download(client, campaign, basis="accepted"):
    response = client.get(reverse("reports:county_workbook", args=[campaign.pk, basis]))
    assert response.status_code == 200
    return open_workbook(response_bytes(response))


def test_the_city_table_is_the_sum_of_the_accepted_county_tables(city, client_for):
    # A short name means something inside the county only ("区双拥办"): the city's sheet is named in full.
    type(city.tl).objects.filter(pk=city.tl.pk).update(short_name="区双拥办")
    wb = _download(client_for(city.city_office), city.campaign)
    assert wb.sheetnames[:4] == ["统计表", "汇总表", "铜梁区双拥办", "永川区双拥办"]
    assert check_county_workbook(wb) == 2 + 3  # 统计表, 汇总表, a sheet per county and member unit
    tl, yc = city.own(city.tl), city.own(city.yc)
    expected = expected_cells(_accepted_records(tl, yc, city.campaign))
    table = wb["统计表"]
    assert table["A2"].value == "填报单位（盖章）：重庆市双拥工作领导小组办公室"
    for offset, row in enumerate(range(5, 10)):
        assert read_row(table, row)[NUMBERS] == expected[offset][NUMBERS], f"row {row}"
    # Each county's sheet is its accepted table (the snapshot), the same cells.
    for county, own in ((city.tl, tl), (city.yc, yc)):
        sheet = wb[county.name]
        county_cells = expected_cells(_accepted_records(own))
        for offset, row in enumerate(range(5, 10)):
            assert read_row(sheet, row)[NUMBERS] == county_cells[offset][NUMBERS], f"{county.name} row {row}"
    # The county's own leaders are counted at the city, not named; the city names none of its own.
    assert "区县、部门领导" in (table["B5"].value or "").replace("\n", "")
    summary = wb["汇总表"]
    states = {summary[f"B{r}"].value: summary[f"C{r}"].value for r in range(4, 7)}
    assert states == {"铜梁区双拥办": "已审核", "永川区双拥办": "已审核", "市教育委员会": "已审核"}
    # The 9 people of the township the county had not accepted are nowhere above it.
    assert read_row(table, 9)[1] == 3 + 20 + 1 + 4 + 2 + 30


def test_a_county_not_yet_accepted_is_not_in_the_accepted_city_table(city, client_for):
    upward = city.own(city.yc)
    from visits.models import Return

    ret = Return.objects.get(campaign=city.campaign, org_unit=city.yc)
    Return.objects.filter(pk=ret.pk).update(status=ReturnStatus.SUBMITTED)
    client = client_for(city.city_office)
    accepted = _download(client, city.campaign)
    expected = expected_cells(_accepted_records(city.own(city.tl), city.campaign))
    assert read_row(accepted["统计表"], 9)[NUMBERS] == expected[4][NUMBERS]
    everything = _download(client, city.campaign, "submitted")
    expected = expected_cells(_accepted_records(city.own(city.tl), upward, city.campaign))
    assert read_row(everything["统计表"], 9)[NUMBERS] == expected[4][NUMBERS]


def test_the_city_workbook_costs_the_same_queries_whatever_the_number_of_counties(city, client_for, office_user):
    client = client_for(city.city_office)
    _download(client, city.campaign)  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            _download(client, city.campaign)
        return len(context)

    before = queries()
    for n in range(3):
        county = OrgUnitFactory(name=f"新增{n}区双拥办", code=f"cq-x{n}", kind=OrgUnitKind.COUNTY, parent=city.city)
        OrgUnitFactory(name=f"新增{n}街道", code=f"cq-x{n}-t", kind=OrgUnitKind.TOWNSHIP, parent=county)
        UserFactory(username=f"x{n}_office", org_unit=county, role="office")
    from visits.services import campaign_update

    campaign_update(
        user=city.city_office,
        campaign=city.campaign,
        expected_units=[*city.campaign.expected_units.all(), *city.city.children.filter(code__startswith="cq-x")],
    )
    from shuangyong.models import User

    for n in range(3):
        office = User.objects.get(username=f"x{n}_office")
        own = city.campaign.linked_campaigns.get(owner_unit=office.org_unit)
        upward = upward_return_submit(user=office, campaign=own, summary="小结", leaders={})
        return_accept(user=city.city_office, ret=upward)
    assert queries() == before


def test_the_province_workbook_sums_the_city_tables(city, client_for, office_user):
    """The same builder one level up: the city submits its table to the province."""
    from visits.services import campaign_create

    province = OrgUnitFactory(name="重庆市（省级）双拥办", code="prov", kind=OrgUnitKind.PROVINCE)
    city.city.parent = province
    city.city.save()
    province_office = UserFactory(username="prov_office", org_unit=province, role="office")
    city.city_office.org_unit.refresh_from_db()
    top = campaign_create(
        user=province_office,
        year=2028,
        kind="spring",
        title="2028年春节走访慰问",
        visit_start=city.campaign.visit_start.replace(year=2028),
        visit_end=city.campaign.visit_end.replace(year=2028),
        return_deadline=city.campaign.return_deadline.replace(year=2028),
        expected_units=[city.city],
    )
    # A new year: the province's campaign links the city's, which links its counties'.
    city_campaign = top.linked_campaigns.get()
    assert city_campaign.owner_unit == city.city
    assert set(city_campaign.linked_campaigns.values_list("owner_unit__code", flat=True)) == {"tl", "yc"}
    # The 2027 city table goes up by linking the existing 2027 campaign under a 2027 province one.
    top_2027 = campaign_create(
        user=province_office,
        year=2027,
        kind="spring",
        title="2027年春节走访慰问",
        visit_start=city.campaign.visit_start,
        visit_end=city.campaign.visit_end,
        return_deadline=city.campaign.return_deadline,
        expected_units=[city.city],
    )
    city.campaign.refresh_from_db()
    assert city.campaign.parent == top_2027
    upward = upward_return_submit(user=city.city_office, campaign=city.campaign, summary="全市小结", leaders={})
    return_accept(user=province_office, ret=upward)
    wb = _download(client_for(province_office), top_2027)
    check_county_workbook(wb)
    expected = expected_cells(_accepted_records(city.own(city.tl), city.own(city.yc), city.campaign))
    assert read_row(wb["统计表"], 9)[NUMBERS] == expected[4][NUMBERS]
    assert read_row(wb["统计表"], 9)[2] == Decimal("1200.50") + 800 + 2000 + 10000


def test_the_city_dashboard_charts_its_counties(city, client_for):
    """The leaders' dashboard of a city draws the per-unit charts for the offices one level down (its
    counties, from their accepted tables), not for townships it cannot see figures of one by one."""
    response = client_for(city.city_leader).get(reverse("reports:dashboard"), {"campaign": city.campaign.pk})
    assert response.status_code == 200
    board = response.context["board"]
    people = board.charts["people"]
    assert "各区县走访慰问人数" in people and "各乡镇（街道）" not in people
    # 铜梁's accepted table: 3 + 20 (巴川) + 1 (the member unit); 永川's: 4 + 2.
    assert city.tl.name in people and city.yc.name in people
    labels = re.findall(r">([^<>]+)</text>", people)
    assert labels == [city.tl.name, "24人", city.yc.name, "6人"]
