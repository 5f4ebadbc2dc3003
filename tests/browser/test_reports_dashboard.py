"""A leader logs in, sees the dashboard's charts on the home page and downloads the county workbook."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import ON_TIME, make_campaign
from tests.reports.helpers import make_record, make_return
from visits.models import ReturnStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_sees_charts_and_downloads_the_county_workbook(
    page, live_server, login, leader, county, township_a_unit, township_b_unit, tmp_path
):
    campaign = make_campaign(county, [township_a_unit, township_b_unit], year=2027)
    ret = make_return(campaign, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(ret, people_visited=12, money_amount=Decimal("333.33"), money_recipients=12, lead_leader="张书记")

    login(page, leader)
    dashboard = page.locator("[data-testid=dashboard]")
    assert dashboard.is_visible()
    # Return states, people and money by township; no tasks yet, so those two charts say so.
    assert page.locator("[data-testid=dashboard] figure.sy-chart svg").count() == 3
    assert page.locator("figure.sy-chart", has_text="暂无数据").count() == 2
    # The numbers behind a chart are one click away, as a table.
    people = page.locator("figure.sy-chart", has_text="走访慰问人数").first
    people.locator("summary").click()
    assert people.locator("table td").first.inner_text() == "12"

    with page.expect_download() as info:
        page.click("[data-testid=download-county-accepted]")
    download = info.value
    assert download.suggested_filename == "2027年春节双拥活动情况统计汇总（已审核）.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    wb = load_workbook(target)
    assert wb.sheetnames[:2] == ["统计表", "汇总表"]
    ws = wb["统计表"]
    assert ws["A2"].value == "填报单位（盖章）：铜梁区双拥办"
    assert ws["C9"].value == 12 and ws["D9"].value == 0.033333
    summary = wb["汇总表"]
    states = {summary.cell(row=r, column=2).value: summary.cell(row=r, column=3).value for r in (4, 5)}
    assert states == {"巴川街道": "已审核", "东城街道": "未提交"}


def test_on_a_phone_the_chart_labels_stay_readable(
    phone_page, live_server, login, leader, county, township_a_unit, township_b_unit
):
    """390 px: the chart keeps its drawn size (12 px labels) and scrolls in its own box, instead of
    shrinking to 7 px text; the page itself does not scroll sideways."""
    campaign = make_campaign(county, [township_a_unit, township_b_unit], year=2027)
    ret = make_return(campaign, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(ret, people_visited=12, money_amount=Decimal("333.33"), money_recipients=12)
    login(phone_page, leader)
    chart = phone_page.locator("[data-testid=dashboard] figure.sy-chart .sy-chart-scroll").first
    label_height = chart.evaluate("box => box.querySelector('svg text').getBoundingClientRect().height")
    assert label_height >= 11, f"labels drawn {label_height:.1f} px high"
    assert chart.evaluate("box => box.scrollWidth > box.clientWidth")  # scrolls in its box
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
