"""The county workbook: the county's table, the 汇总表 and one sheet per unit, read back."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangyong.models import OrgUnitKind, Role
from tests.factories import OrgUnitFactory, UserFactory
from tests.reports.conftest import LATE, ON_TIME, make_campaign
from tests.reports.helpers import (
    expected_cells,
    make_record,
    make_return,
    open_workbook,
    read_row,
    response_bytes,
)
from visits.models import DifficultyKind, ReturnStatus, TableRow, VisitRecord

pytestmark = pytest.mark.django_db

SUMMARY_HEADINGS = [
    "序号",
    "单位",
    "报表状态",
    "是否逾期",
    "提交时间",
    "走访慰问人数（人）",
    "发放慰问金金额（万元）",
    "慰问金发放人数（人）",
    "购买慰问品支出金额（万元）",
    "发放慰问品数量（件）",
    "慰问品发放人数（人）",
    "合计（万元）",
    "解决实际困难（件）",
]


@pytest.fixture
def returns(campaign, township_a_unit, township_b_unit, member_unit):
    """A accepted (on time), B submitted late, the member unit never submitted."""
    a = make_return(campaign, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(
        a,
        row=TableRow.ENTITLED,
        people_visited=6,
        money_amount=Decimal("333.33"),
        money_recipients=6,
        lead_leader="张书记",
        difficulties=[(DifficultyKind.SCHOOLING, 2)],
    )
    make_record(a, row=TableRow.ENTITLED, people_visited=1, money_amount=Decimal("333.33"), money_recipients=1)
    make_record(
        a,
        row=TableRow.BORDER,
        people_visited=2,
        goods_spending=Decimal("150.25"),
        goods_count=4,
        goods_recipients=2,
        lead_leader="李镇长",
    )
    b = make_return(campaign, township_b_unit, status=ReturnStatus.SUBMITTED, submitted_at=LATE)
    make_record(
        b,
        row=TableRow.ENTITLED,
        people_visited=3,
        money_amount=Decimal("333.33"),
        money_recipients=3,
        lead_leader="赵书记",
        difficulties=[(DifficultyKind.MEDICAL, 1)],
    )
    make_record(b, row=TableRow.TROOPS, people_visited=50, goods_spending=Decimal("5000.00"), goods_count=50)
    return a, b


def _download(client, campaign, basis):
    response = client.get(reverse("reports:county_workbook", args=[campaign.pk, basis]))
    assert response.status_code == 200
    return response, open_workbook(response_bytes(response))


def _county_rows(ws):
    """The county's rows; 带队领导 is checked on its own (the county counts the units' leaders)."""
    return [read_row(ws, r)[1:] for r in range(5, 10)]


def _expected_county(records):
    return [row[1:] for row in expected_cells(records)]


def _unit_leaders(records) -> int:
    """人次: each leader counted once per unit."""
    return len({(r.org_unit_id, r.lead_leader) for r in records if r.lead_leader})


def test_accepted_only_counts_only_accepted_returns(client_for, office_user, campaign, returns, after_deadline):
    response, wb = _download(client_for(office_user), campaign, "accepted")
    assert wb.sheetnames[:2] == ["统计表", "汇总表"]
    ws = wb["统计表"]
    # The form's title as it is; the basis on the 填表说明 line under the table and in the file name.
    assert ws["A1"].value == "2027 年新年春节期间双拥活动情况统计表"
    assert ws["A2"].value == "填报单位（盖章）：铜梁区双拥办"
    assert ws["G2"].value == "日期：2027年3月2日"
    assert ws["A10"].value.startswith("填表说明：1. 统计口径：仅统计已审核的报表。")
    accepted = VisitRecord.objects.filter(campaign=campaign, unit_return__status=ReturnStatus.ACCEPTED)
    assert _county_rows(ws) == _expected_county(accepted)
    # The county recorded no visits of its own: its 带队领导 counts the units' leaders.
    assert ws["B9"].value == f"乡镇、部门领导{_unit_leaders(accepted)}人次" == "乡镇、部门领导2人次"
    assert ws["D9"].value == 0.066666  # 333.33 × 2 of A only
    name = "2027年春节双拥活动情况统计汇总（已审核）.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_everything_submitted_adds_submitted_returns(client_for, leader, campaign, returns, after_deadline):
    _, wb = _download(client_for(leader), campaign, "submitted")
    ws = wb["统计表"]
    assert ws["A1"].value == "2027 年新年春节期间双拥活动情况统计表"
    assert "统计口径：统计全部已提交的报表（含待审核）。" in ws["A10"].value
    submitted = VisitRecord.objects.filter(
        campaign=campaign, unit_return__status__in=[ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED]
    )
    assert _county_rows(ws) == _expected_county(submitted)
    assert ws["D9"].value == 0.099999
    assert Decimal(repr(ws["D9"].value)).scaleb(4) == Decimal("999.99")


def test_summary_sheet_lists_every_expected_unit_with_state_and_lateness(
    client_for, office_user, campaign, returns, after_deadline
):
    _, wb = _download(client_for(office_user), campaign, "submitted")
    ws = wb["汇总表"]
    assert ws["A1"].value == "2027年春节走访慰问各单位报送情况汇总表"
    assert "A1:M1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value.replace("\n", "") for c in ws[3]] == SUMMARY_HEADINGS
    lines = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in range(4, 7)}
    assert set(lines) == {"巴川街道", "东城街道", "区教育委员会"}
    assert lines["巴川街道"][2:5] == ["已审核", "否", "2027-02-20 09:30"]
    assert lines["东城街道"][2:5] == ["已提交", "是", "2027-02-26 16:00"]
    # Never submitted, and the deadline is past: 未提交 and late.
    assert lines["区教育委员会"][2:5] == ["未提交", "是", None]
    assert lines["区教育委员会"][5:] == [0, 0, 0, 0, 0, 0, 0, 0]

    for unit_name, line in lines.items():
        records = VisitRecord.objects.filter(
            campaign=campaign,
            org_unit__name=unit_name,
            unit_return__status__in=[ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED],
        )
        money = sum((r.money_amount for r in records), Decimal(0))
        goods = sum((r.goods_spending for r in records), Decimal(0))
        assert line[5] == sum(r.people_visited for r in records)
        assert Decimal(repr(line[6])).scaleb(4) == money
        assert line[7] == sum(r.money_recipients for r in records)
        assert Decimal(repr(line[8])).scaleb(4) == goods
        assert line[9] == sum(r.goods_count for r in records)
        assert line[10] == sum(r.goods_recipients for r in records)
        assert Decimal(repr(line[11])).scaleb(4) == money + goods
        assert line[12] == sum(d.count for r in records for d in r.difficulties.all())

    total = [c.value for c in ws[7]]
    # A (accepted) and B (submitted) counted, of the three units expected.
    assert total[:2] == ["合计", "计入 2 个单位（应报 3 个）"]
    assert total[5] == 7 + 2 + 3 + 50
    assert total[6] == 0.099999 and ws.cell(row=7, column=7).number_format == "0.000000;-0.000000;0"
    assert Decimal(repr(total[11])).scaleb(4) == Decimal("999.99") + Decimal("150.25") + Decimal("5000.00")
    assert total[12] == 3
    assert ws["A8"].value.startswith("填表说明：1. 统计口径：统计全部已提交的报表（含待审核）。")
    assert ws.max_row == 8


def test_a_returned_or_draft_return_is_not_counted(client_for, office_user, campaign, township_a_unit, after_deadline):
    ret = make_return(campaign, township_a_unit, status=ReturnStatus.RETURNED, submitted_at=ON_TIME)
    make_record(ret, people_visited=9, money_amount=Decimal("100.00"))
    _, wb = _download(client_for(office_user), campaign, "submitted")
    assert wb["统计表"]["C9"].value == 0
    lines = {wb["汇总表"].cell(row=r, column=2).value: wb["汇总表"].cell(row=r, column=3).value for r in range(4, 7)}
    assert lines["巴川街道"] == "已退回"
    # Its all-zero sheet says why.
    assert wb["巴川街道"]["A10"].value == "报表状态：已退回修改，未计入本表"


def test_no_visits_return_is_listed_as_such(client_for, office_user, campaign, member_unit, after_deadline):
    make_return(campaign, member_unit, status=ReturnStatus.SUBMITTED, submitted_at=ON_TIME, no_visits=True)
    _, wb = _download(client_for(office_user), campaign, "accepted")
    ws = wb["汇总表"]
    lines = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in range(4, 7)}
    assert lines["区教育委员会"][2:4] == ["本期无走访", "否"]
    assert wb["区教育委员会"]["A10"].value == "报表状态：本期无走访"


def test_a_submitted_return_not_counted_under_the_accepted_basis_says_so(
    client_for, office_user, campaign, returns, after_deadline
):
    _, wb = _download(client_for(office_user), campaign, "accepted")
    assert wb["东城街道"]["A10"].value == "报表状态：已提交，待审核，未计入本表"
    assert wb["东城街道"]["C9"].value == 0
    total = [c.value for c in wb["汇总表"][7]]
    assert total[:2] == ["合计", "计入 1 个单位（应报 3 个）"]


def test_one_sheet_per_unit_with_its_own_table(client_for, office_user, campaign, returns, after_deadline):
    _, wb = _download(client_for(office_user), campaign, "submitted")
    assert wb.sheetnames == ["统计表", "汇总表", "巴川街道", "东城街道", "区教育委员会"]
    states = {"巴川街道": "已审核", "东城街道": "已提交，待审核", "区教育委员会": "未提交，本表无数据"}
    for unit_name in ("巴川街道", "东城街道", "区教育委员会"):
        ws = wb[unit_name]
        assert ws["A2"].value == f"填报单位（盖章）：{unit_name}"
        assert ws["A1"].value == "2027 年新年春节期间双拥活动情况统计表"
        assert ws["A10"].value == f"报表状态：{states[unit_name]}"
        records = VisitRecord.objects.filter(campaign=campaign, org_unit__name=unit_name)
        assert [read_row(ws, r) for r in range(5, 10)] == expected_cells(records)
        assert ws.freeze_panes == "B5" and ws.print_title_rows == "$1:$4"


def test_sheet_names_stay_valid_and_unique(client_for, office_user, county, after_deadline):
    long_a = OrgUnitFactory(name="某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某街道", parent=county)
    long_b = OrgUnitFactory(name="某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某乡", parent=county)
    odd = OrgUnitFactory(name="区[卫健]委/疾控:中心*?", parent=county, kind=OrgUnitKind.MEMBER_UNIT)
    clash = OrgUnitFactory(name="汇总表", parent=county, kind=OrgUnitKind.MEMBER_UNIT)
    campaign = make_campaign(county, [long_a, long_b, odd, clash])
    _, wb = _download(client_for(office_user), campaign, "accepted")
    names = wb.sheetnames
    assert len(names) == 6 and len({n.casefold() for n in names}) == 6
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "区_卫健_委_疾控_中心__" in names and "汇总表(2)" in names


def _add_units(county, campaign, n, start):
    units = [OrgUnitFactory(name=f"镇{start + i}", parent=county) for i in range(n)]
    campaign.expected_units.add(*units)
    for unit in units:
        ret = make_return(campaign, unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
        for row in TableRow.values:
            make_record(ret, row=row, lead_leader=f"{unit.name}领导", difficulties=[(DifficultyKind.HOUSING, 1)])


def test_county_workbook_costs_the_same_queries_for_more_units_and_records(
    client_for, office_user, county, after_deadline
):
    campaign = make_campaign(county, [])
    client = client_for(office_user)
    url = reverse("reports:county_workbook", args=[campaign.pk, "accepted"])
    counts = []
    for start, n in ((0, 2), (2, 10)):
        _add_units(county, campaign, n, start)
        with CaptureQueriesContext(connection) as queries:
            content = response_bytes(client.get(url))
        counts.append(len(queries))
    assert len(open_workbook(content).sheetnames) == 2 + 12
    # Session + user + the user's unit; campaign; statistics (3); expected units; returns;
    # session save (3): 12, whatever the units and records.
    assert counts[0] == counts[1] <= 12


def test_records_outside_the_expected_list_still_add_up(
    client_for, office_user, campaign, township_a_unit, village_a1, county, after_deadline
):
    """A village's records count for its township; a unit dropped from the expected list after
    sending its return is still listed, so the 汇总表's 合计 equals the county table."""
    a = make_return(campaign, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(a, people_visited=4)
    VisitRecord.objects.create(
        campaign=campaign,
        org_unit=village_a1,
        unit_return=a,
        table_row=TableRow.HARDSHIP,
        visit_date=a.campaign.visit_start,
        people_visited=5,
    )
    dropped = OrgUnitFactory(name="区民政局", parent=county, kind=OrgUnitKind.MEMBER_UNIT)
    ret = make_return(campaign, dropped, status=ReturnStatus.ACCEPTED, submitted_at=LATE)
    make_record(ret, people_visited=6)

    _, wb = _download(client_for(office_user), campaign, "accepted")
    ws = wb["汇总表"]
    total_row = ws.max_row - 1  # the 填表说明 line follows the 合计
    lines = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in range(4, total_row)}
    assert lines["巴川街道"][5] == 9
    assert lines["区民政局"][2:4] == ["已审核", "是"] and lines["区民政局"][5] == 6
    total = [c.value for c in ws[total_row]]
    assert total[5] == 15 == wb["统计表"]["C9"].value
    # Two units counted (A and 区民政局, outside the list), of the three expected.
    assert total[1] == "计入 2 个单位（应报 3 个）"
    assert wb.sheetnames[-1] == "区民政局"


def test_a_township_leader_gets_a_workbook_of_the_township_only(client_for, campaign, returns, after_deadline):
    a_leader = UserFactory(org_unit=campaign.expected_units.get(name="巴川街道"), role=Role.LEADER)
    _, wb = _download(client_for(a_leader), campaign, "submitted")
    assert wb.sheetnames == ["统计表", "汇总表", "巴川街道"]
    assert wb["统计表"]["A2"].value == "填报单位（盖章）：巴川街道"
    assert wb["统计表"]["C9"].value == 6 + 1 + 2
