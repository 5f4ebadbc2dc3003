"""A workbook is written once per distinct data: the same download again is served from the
cache, and any change in what the file shows (a record, a return's state, a unit's name, the
day) gives a new file at once, however the change was made."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import services
from tests.reports.conftest import ON_TIME, SHANGHAI
from tests.reports.helpers import make_record, make_return, open_workbook, response_bytes
from visits.models import ReturnStatus, TableRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(monkeypatch):
    """How many workbooks were actually written (not served from the cache)."""
    books: list[object] = []
    real = services.ReportBook

    def counting() -> object:
        book = real()
        books.append(book)
        return book

    monkeypatch.setattr(services, "ReportBook", counting)
    return books


@pytest.fixture
def accepted_a(campaign, township_a_unit, after_deadline):
    ret = make_return(campaign, township_a_unit, status=ReturnStatus.ACCEPTED, submitted_at=ON_TIME)
    make_record(ret, row=TableRow.ENTITLED, people_visited=5, money_amount=Decimal("1000.00"), money_recipients=5)
    return ret


def _county(client, campaign):
    response = client.get(reverse("reports:county_workbook", args=[campaign.pk, "accepted"]))
    assert response.status_code == 200
    return response_bytes(response)


def test_the_same_data_is_written_once(client_for, office_user, leader, campaign, accepted_a, written):
    first = _county(client_for(office_user), campaign)
    again = _county(client_for(office_user), campaign)
    by_leader = _county(client_for(leader), campaign)  # same county, same data
    assert len(written) == 1
    assert first == again == by_leader


def test_a_new_record_is_in_the_next_download(client_for, office_user, campaign, accepted_a, written):
    client = client_for(office_user)
    before = open_workbook(_county(client, campaign))["统计表"]
    assert before["C5"].value == 5 and before["D5"].value == 0.1
    # Straight into the database, not through a service: no cache is told anything.
    make_record(accepted_a, row=TableRow.ENTITLED, people_visited=2, money_amount=Decimal("0.01"), money_recipients=2)
    after = open_workbook(_county(client, campaign))["统计表"]
    assert after["C5"].value == 7 and after["D5"].value == 0.100001
    assert len(written) == 2


def test_a_state_change_and_a_renamed_unit_are_in_the_next_download(
    client_for, office_user, campaign, accepted_a, township_a_unit, written
):
    client = client_for(office_user)
    _county(client, campaign)
    accepted_a.status = ReturnStatus.RETURNED
    accepted_a.save()
    summary = open_workbook(_county(client, campaign))["汇总表"]
    assert (summary["B4"].value, summary["C4"].value) == (township_a_unit.name, "已退回")
    township_a_unit.name = "巴川街道办事处"
    township_a_unit.save()
    summary = open_workbook(_county(client, campaign))["汇总表"]
    assert summary["B4"].value == "巴川街道办事处"
    assert len(written) == 3


def test_after_midnight_the_file_has_the_new_date(client_for, office_user, campaign, accepted_a, time_machine, written):
    # A minute and a half apart, well inside the cache's lifetime, but on two days.
    time_machine.move_to(dt.datetime(2027, 3, 2, 23, 59, tzinfo=SHANGHAI), tick=False)
    client = client_for(office_user)
    assert open_workbook(_county(client, campaign))["统计表"]["G2"].value == "日期：2027年3月2日"
    time_machine.move_to(dt.datetime(2027, 3, 3, 0, 0, 30, tzinfo=SHANGHAI), tick=False)
    assert open_workbook(_county(client, campaign))["统计表"]["G2"].value == "日期：2027年3月3日"
    assert len(written) == 2


def test_no_cache_when_switched_off(settings, client_for, office_user, campaign, accepted_a, written):
    settings.REPORTS_WORKBOOK_CACHE_SECONDS = 0
    client = client_for(office_user)
    assert _county(client, campaign) is not None and _county(client, campaign) is not None
    assert len(written) == 2
