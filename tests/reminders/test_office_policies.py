"""Each office's reminder policy (issue 15): the nearest office at or above a unit that has a
policy of its own decides the thresholds of that unit's items; the rest keep the site default.
The scan applies them with one claim statement per policy (not per item)."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangyong.models import OrgUnitKind, Reminder, ReminderPolicy, Role
from shuangyong.reminders import ReminderPolicies, run_scan
from tests.factories import OrgUnitFactory, UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def other_county(db):
    county = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)
    township = OrgUnitFactory(name="胜利路街道", code="yc-sl", kind=OrgUnitKind.TOWNSHIP, parent=county)
    UserFactory(username="yc_staff", org_unit=township, role=Role.TOWNSHIP_STAFF)
    return township


def _thresholds(unit) -> list[str]:
    return sorted(Reminder.objects.filter(unit=unit).exclude(threshold="digest").values_list("threshold", flat=True))


def test_an_offices_policy_changes_what_the_items_under_it_get(
    travel, source, county, township_a_unit, township_a, other_county
):
    ReminderPolicy.load()  # the site default: 7,3,1
    ReminderPolicy.objects.create(owner_unit=county, days_before="10,5", remind_on_due_day=False)
    source.add(unit=township_a_unit)
    source.add(unit=other_county)
    travel(at(DEADLINE - 10 * DAY))
    run_scan(deliver=False)
    assert _thresholds(township_a_unit) == ["before_10"]  # the county's policy
    assert _thresholds(other_county) == []  # the other county keeps the default: not yet
    travel(at(DEADLINE - 7 * DAY))
    run_scan(deliver=False)
    assert _thresholds(township_a_unit) == ["before_10"]  # 7 is not one of the county's days
    assert _thresholds(other_county) == ["before_7"]
    travel(at(DEADLINE))
    run_scan(deliver=False)
    assert "due" not in _thresholds(township_a_unit)  # the county turned the due-day reminder off
    assert "due" in _thresholds(other_county)


def test_the_nearest_office_with_a_policy_applies(travel, source, county, township_a_unit, township_b_unit):
    ReminderPolicy.objects.create(owner_unit=county, days_before="10")
    ReminderPolicy.objects.create(owner_unit=township_a_unit, days_before="2")  # a street office's own
    UserFactory(org_unit=township_a_unit)
    UserFactory(org_unit=township_b_unit)
    source.add(unit=township_a_unit)
    source.add(unit=township_b_unit)
    policies = ReminderPolicies.load()
    assert policies.for_unit(township_a_unit).days_before_list == [2]
    assert policies.for_unit(township_b_unit).days_before_list == [10]
    travel(at(DEADLINE - 10 * DAY))
    run_scan(deliver=False)
    assert _thresholds(township_a_unit) == [] and _thresholds(township_b_unit) == ["before_10"]
    travel(at(DEADLINE - 2 * DAY))
    run_scan(deliver=False)
    assert _thresholds(township_a_unit) == ["before_2"]


def test_the_scan_with_office_policies_costs_the_same_for_more_items(
    travel, source, county, township_a_unit, township_a, other_county, django_assert_max_num_queries
):
    ReminderPolicy.load()
    ReminderPolicy.objects.create(owner_unit=county, days_before="10,5")
    for i in range(5):
        source.add(unit=township_a_unit, deadline=DEADLINE + i * DAY)
        source.add(unit=other_county, deadline=DEADLINE + i * DAY)
    travel(at(DEADLINE - 3 * DAY, hour=6))  # before the digest hour: only item reminders
    run_scan(deliver=False)
    with django_assert_max_num_queries(20) as steady:
        assert run_scan(deliver=False).reminders_created == 0
    for _ in range(40):
        source.add(unit=township_a_unit, deadline=DEADLINE + 30 * DAY)
        source.add(unit=other_county, deadline=DEADLINE + 30 * DAY)
    with django_assert_max_num_queries(len(steady.captured_queries)):
        assert run_scan(deliver=False).reminders_created == 0


# --- 本单位提醒规则: an office sets its own in the portal -------------------------------------


def _form(**changes) -> dict:
    data = {
        "days_before": "10,5",
        "remind_on_due_day": "on",
        "remind_overdue": "on",
        "escalate_after_days": "4",
        "close_confirm_after_days": "2",
        "digest_hour": "8",
    }
    data.update(changes)
    return data


def test_an_office_sets_its_own_policy_in_the_portal(client, county, township_a_unit, leader, township_a):
    from django.urls import reverse

    office = UserFactory(org_unit=county, role=Role.OFFICE)
    url = reverse("office_reminder_policy")
    client.force_login(office)
    page = client.get(url).content.decode()
    assert "全站默认规则" in page and "提前提醒天数" in page
    assert client.post(url, _form()).status_code == 302
    own = ReminderPolicy.objects.get(owner_unit=county)
    assert own.days_before_list == [10, 5] and own.escalate_after_days == 4
    assert ReminderPolicy.load().days_before_list == [7, 3, 1]  # the default is untouched
    # A stale save (another colleague saved meanwhile) changes nothing.
    assert client.post(url, _form(days_before="3", version=own.version)).status_code == 302
    refused = client.post(url, _form(days_before="1", version=own.version))
    assert refused.status_code == 200 and "已被他人修改" in refused.content.decode()
    assert ReminderPolicy.objects.get(owner_unit=county).days_before_list == [3]
    bad = client.post(url, _form(days_before="七天", version=own.version + 1))
    assert "逗号分隔" in bad.content.decode()
    # The street office (no policy of its own) shows that it follows the county's.
    street = UserFactory(org_unit=township_a_unit, role=Role.OFFICE)
    client.force_login(street)
    assert f"执行{county.name}的规则" in client.get(url).content.decode()
    # The county's leader reads it; a township's staff may not open it.
    client.force_login(leader)
    page = client.get(url)
    assert page.status_code == 200 and "提前提醒天数" in page.content.decode()
    assert client.post(url, _form()).status_code == 403
    client.force_login(township_a)
    assert client.get(url).status_code == 403
