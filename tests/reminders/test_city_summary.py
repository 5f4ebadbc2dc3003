"""The daily overdue summary of an office above the county (its digest section and group-chat
post) counts per county below, and says which county an item of a unit inside it belongs to:
"区退役军人事务局 1项" alone would not say whose."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangyong.models import OrgUnitKind, ReminderPolicy
from shuangyong.reminders import overdue_summary, summary_text
from tests.factories import OrgUnitFactory
from tests.reminders.conftest import DEADLINE

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_the_citys_summary_counts_per_county_and_names_the_county_of_each_item(
    source, levels_city, levels_county2, levels_city_member, county, township_a_unit, member_unit
):
    yc_member = OrgUnitFactory(
        name="区退役军人事务局", code="lv-yc-tyjr", kind=OrgUnitKind.MEMBER_UNIT, parent=levels_county2
    )
    source.add(unit=township_a_unit, label="任务甲", deadline=DEADLINE - 5 * DAY)
    source.add(unit=member_unit, label="任务乙", deadline=DEADLINE - 4 * DAY)
    source.add(unit=yc_member, label="任务丙", deadline=DEADLINE - 3 * DAY)
    source.add(unit=levels_city_member, label="任务丁", deadline=DEADLINE - 2 * DAY)
    summary = overdue_summary(levels_city, today=DEADLINE, policy=ReminderPolicy.load())
    assert summary.total == 4
    assert summary.by_unit == [(county.name, 2), ("永川区双拥办", 1), ("重庆市教委", 1)]
    assert [line.unit_name for line in summary.lines] == [
        f"{county.name}·巴川街道",
        f"{county.name}·{member_unit.name}",
        "永川区双拥办·区退役军人事务局",
        "重庆市教委",  # the city's own member unit: its own line
    ]
    assert f"按单位：{county.name}2项；永川区双拥办1项；重庆市教委1项" in summary_text(summary)


def test_the_countys_summary_still_counts_its_units_one_by_one(source, county, township_a_unit, member_unit):
    source.add(unit=township_a_unit, label="任务甲", deadline=DEADLINE - 5 * DAY)
    source.add(unit=member_unit, label="任务乙", deadline=DEADLINE - 4 * DAY)
    summary = overdue_summary(county, today=DEADLINE, policy=ReminderPolicy.load())
    assert summary.by_unit == [("巴川街道", 1), (member_unit.name, 1)]
    assert [line.unit_name for line in summary.lines] == ["巴川街道", member_unit.name]
