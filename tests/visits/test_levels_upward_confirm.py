"""The county's confirmation step of its table to the city: the leaders it typed are in the rows
shown, and it is warned of units not counted and of a visiting period not over yet; the city's
汇总表 shows each county's counted/expected units (docs/levels.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.services import county_workbook
from tests.levels import SHANGHAI, accepted_return, build_city, record
from tests.reports.helpers import open_workbook
from visits.services import return_accept, upward_return_submit

pytestmark = pytest.mark.django_db

BEFORE_START = dt.datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
IN_PERIOD = dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI)
AFTER_END = dt.datetime(2027, 2, 22, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_PERIOD, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def _confirm(client, cq, **data):
    submit = reverse("visits:office_return_submit", args=[cq.campaign.pk, cq.yc.pk])
    response = client.post(submit, {"summary": "全区小结", "version": "", **data})
    assert response.status_code == 200 and "确认报送上级" in response.content.decode()
    return response.content.decode()


def test_the_confirmation_shows_the_leaders_that_will_be_sent(cq, client_for):
    accepted_return(cq.own(cq.yc), cq.yc_a, cq.yc_office, [record()])
    html = _confirm(client_for(cq.yc_office), cq, leaders_entitled="王区长、李副区长")
    table = html.split('data-testid="confirm-table"')[1].split("</table>")[0]
    assert "王区长、李副区长" in table


def test_a_county_is_warned_of_units_not_counted_and_of_a_period_not_over(cq, client_for, time_machine):
    accepted_return(cq.own(cq.yc), cq.yc_a, cq.yc_office, [record()])
    html = _confirm(client_for(cq.yc_office), cq)
    assert "应报 2 个单位，只计入 1 个" in html and cq.yc_b.name in html
    assert "2027-02-20 结束，现在还没有结束" in html
    time_machine.move_to(AFTER_END, tick=False)
    accepted_return(cq.own(cq.yc), cq.yc_b, cq.yc_office, [record()])
    html = _confirm(client_for(cq.yc_office), cq)
    assert 'data-testid="confirm-warning"' not in html


def test_before_the_period_the_county_is_told_like_a_township(cq, client_for, time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    html = _confirm(client_for(cq.yc_office), cq)
    assert "现在还没有开始：请确认确实要提前提交" in html
    assert "应报 2 个单位，只计入 0 个" in html


def test_the_city_summary_shows_each_countys_counted_and_expected_units(cq, time_machine):
    accepted_return(cq.own(cq.yc), cq.yc_a, cq.yc_office, [record()])
    ret = upward_return_submit(user=cq.yc_office, campaign=cq.own(cq.yc), summary="小结", leaders={})
    return_accept(user=cq.city_office, ret=ret)
    wb = open_workbook(county_workbook(user=cq.city_office, campaign=cq.campaign, basis="accepted"))
    summary = wb["汇总表"]
    header = [c.value for c in summary[3]]
    assert header[-1].replace("\n", "") == "所辖单位计入/应报（个）"
    by_unit = {summary[f"B{r}"].value: summary.cell(row=r, column=len(header)).value for r in range(4, 7)}
    assert by_unit[cq.yc.name] == "1/2"
    assert by_unit[cq.city_member.name] is None
    # the official table keeps its layout
    assert wb["统计表"].max_column == 10
