"""A 2027 春节 campaign of the county with townships A and B and the member unit expected.

Time is frozen at named instants: AFTER_DEADLINE is the day the office builds the county
workbook (the deadline 2027-02-25 has passed, so a unit that never submitted is late).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from visits.models import Campaign, CampaignKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2027, 2, 25)
ON_TIME = dt.datetime(2027, 2, 20, 9, 30, tzinfo=SHANGHAI)
LATE = dt.datetime(2027, 2, 26, 16, 0, tzinfo=SHANGHAI)
AFTER_DEADLINE = dt.datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI)


def make_campaign(owner, expected, *, year=2027, kind=CampaignKind.SPRING) -> Campaign:
    campaign = Campaign.objects.create(
        year=year,
        kind=kind,
        title=f"{year}年{'春节' if kind == CampaignKind.SPRING else '八一'}走访慰问",
        visit_start=dt.date(year, 1, 22) if kind == CampaignKind.SPRING else dt.date(year, 7, 20),
        visit_end=dt.date(year, 2, 20) if kind == CampaignKind.SPRING else dt.date(year, 8, 5),
        return_deadline=DEADLINE.replace(year=year) if kind == CampaignKind.SPRING else dt.date(year, 8, 14),
        owner_unit=owner,
    )
    campaign.expected_units.set(expected)
    return campaign


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, member_unit):
    return make_campaign(county, [township_a_unit, township_b_unit, member_unit])


@pytest.fixture
def after_deadline(time_machine):
    time_machine.move_to(AFTER_DEADLINE, tick=False)
    return time_machine
