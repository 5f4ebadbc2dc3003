"""Escalation to the unit's heads after N overdue days; one daily digest for the 双拥办."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangyong.models import Notification, OrgUnitKind, Reminder, ReminderPolicy, Role
from shuangyong.reminders import run_scan
from tests.factories import OrgUnitFactory, UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def thresholds_of(user) -> list[str]:
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


@pytest.fixture
def overdue_item(source, village_a1, township_a_unit):
    return source.add(obj=village_a1, unit=township_a_unit, label="测试任务“建设退役军人服务站”")


def test_escalation_goes_to_the_units_heads_once_after_n_days(
    travel, overdue_item, township_a, township_a_head, office_user
):
    travel(at(DEADLINE + 2 * DAY))
    run_scan()
    assert thresholds_of(township_a_head) == ["overdue"]  # a head is also one of the unit's users

    travel(at(DEADLINE + 3 * DAY))
    run_scan()
    assert thresholds_of(township_a_head) == ["escalation", "overdue"]
    assert thresholds_of(township_a) == ["overdue"]  # not a head: no escalation
    note = Notification.objects.get(recipient=township_a_head, reminder__threshold="escalation")
    assert note.title == "逾期升级：巴川街道的测试任务“建设退役军人服务站”已逾期3天"
    assert "负责人" in note.body and "2026年12月10日" in note.body

    travel(at(DEADLINE + 4 * DAY))
    run_scan()
    assert thresholds_of(township_a_head) == ["escalation", "overdue"]


def test_escalation_days_are_the_offices_setting(travel, overdue_item, township_a_head):
    ReminderPolicy.objects.update_or_create(pk=1, defaults={"escalate_after_days": 1})
    travel(at(DEADLINE + 1 * DAY))
    run_scan()
    assert thresholds_of(township_a_head) == ["escalation", "overdue"]


def test_office_gets_one_digest_a_day_listing_everything_overdue(
    travel, source, county, township_a_unit, township_b_unit, village_a1, office_user, leader, township_a
):
    source.add(obj=village_a1, unit=township_a_unit, label="任务甲", deadline=DEADLINE - 5 * DAY)
    source.add(obj=township_b_unit, unit=township_b_unit, label="任务乙", deadline=DEADLINE - 1 * DAY)
    source.add(obj=county, unit=township_b_unit, label="任务丙（未到期）", deadline=DEADLINE + 2 * DAY)

    travel(at(DEADLINE, hour=7))  # before the digest hour (8): no digest yet
    run_scan()
    assert not Reminder.objects.filter(threshold="digest").exists()

    travel(at(DEADLINE, hour=9))
    run_scan()
    run_scan()
    digests = Notification.objects.filter(reminder__threshold="digest", recipient=office_user)
    digest = digests.get()  # one message, not one per item
    assert not Notification.objects.filter(recipient=leader).exists()  # the read-only leader: nothing
    assert digest.title == "每日逾期汇总（2026年12月10日）：2项逾期，1项逾期3天以上"
    assert "任务甲｜巴川街道｜时限2026年12月5日｜逾期5天（已升级）" in digest.body
    assert "任务乙｜东城街道｜时限2026年12月9日｜逾期1天" in digest.body
    assert "任务丙" not in digest.body
    # The township's own digest lists its own items, not the county's summary.
    own = Notification.objects.get(recipient=township_a, reminder__threshold="digest")
    assert "任务甲｜已逾期5天" in own.body and "任务乙" not in own.body and "辖区" not in own.body

    travel(at(DEADLINE + DAY, hour=9))
    run_scan()
    assert Notification.objects.filter(reminder__threshold="digest", recipient=office_user).count() == 2


def test_digest_of_another_county_does_not_list_ours(travel, source, township_a_unit, village_a1, office_user):
    other_county = OrgUnitFactory(name="大足区双拥办", kind=OrgUnitKind.COUNTY)
    other_office = UserFactory(org_unit=other_county, role=Role.OFFICE)
    source.add(obj=village_a1, unit=township_a_unit, deadline=DEADLINE - DAY)
    travel(at(DEADLINE))
    run_scan()
    assert Notification.objects.filter(recipient=office_user, reminder__threshold="digest").count() == 1
    assert not Notification.objects.filter(recipient=other_office).exists()


def test_no_digest_when_nothing_is_overdue(travel, source, village_a1, township_a_unit, office_user):
    source.add(obj=village_a1, unit=township_a_unit, deadline=DEADLINE + DAY)
    travel(at(DEADLINE))
    assert run_scan().digests_created == 0


def test_the_digest_job_sends_it_from_the_offices_hour_on(travel, source, village_a1, township_a_unit, office_user):
    from shuangyong.jobs import send_daily_digest

    source.add(obj=village_a1, unit=township_a_unit, deadline=DEADLINE - DAY)
    travel(at(DEADLINE, hour=6))  # the beat entry ran before the office's digest hour (8): nothing yet
    assert send_daily_digest.delay().get() == 0
    travel(at(DEADLINE, hour=8))
    assert send_daily_digest.delay().get() == 1
    assert send_daily_digest.delay().get() == 0
    assert Notification.objects.filter(recipient=office_user).count() == 1
