"""The scan: the right people get the right reminder at each threshold, exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from shuangyong.models import DeliveryState, Notification, Reminder, ReminderPolicy
from shuangyong.reminders import run_scan
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def thresholds_of(user) -> list[str]:
    """The item reminders of ``user`` (not the daily digest)."""
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


def entries_of(user):
    """The user's notification-centre entries about items (not the digest)."""
    return Notification.objects.filter(recipient=user).exclude(reminder__threshold="digest")


@pytest.fixture
def item(source, village_a1, township_a_unit):
    return source.add(obj=village_a1, unit=township_a_unit, label="测试任务“走访慰问驻地官兵”")


@pytest.mark.parametrize(
    ("moment", "threshold", "phrase"),
    [
        (DEADLINE - 7 * DAY, "before_7", "还有7天到期"),
        (DEADLINE - 3 * DAY, "before_3", "还有3天到期"),
        (DEADLINE - 1 * DAY, "before_1", "还有1天到期"),
        (DEADLINE, "due", "今天到期"),
        (DEADLINE + 1 * DAY, "overdue", "已逾期1天"),
    ],
)
def test_each_threshold_reminds_the_units_users_once(
    travel, item, township_a, township_a_head, township_b, leader, moment, threshold, phrase
):
    travel(at(moment))
    first = run_scan()
    assert first.reminders_created == 2
    for user in (township_a, township_a_head):
        assert thresholds_of(user) == [threshold]
        note = entries_of(user).get()
        assert phrase in note.title and "走访慰问驻地官兵" in note.title
        assert "2026年12月10日" in note.body
        assert f"http://127.0.0.1:8000{item.url}" in note.body  # SITE_URL + the object's page
        assert note.url == item.url
        assert note.delivery_state == DeliveryState.IN_DIGEST  # e-mailed in the day's digest
    # Other townships and the read-only leader hear nothing about it.
    assert not Notification.objects.filter(recipient__in=[township_b, leader]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([township_a.email, township_a_head.email])
    assert f"测试任务“走访慰问驻地官兵”｜{phrase}" in mail.outbox[0].body
    assert "每日提醒" in mail.outbox[0].subject

    second = run_scan()
    assert second.reminders_created == 0 and second.digests_created == 0
    assert Notification.objects.count() == 4  # an entry and a digest each
    assert len(mail.outbox) == 2


def test_a_day_between_thresholds_sends_nothing_new(travel, item, township_a):
    travel(at(DEADLINE - 3 * DAY))
    run_scan()
    travel(at(DEADLINE - 2 * DAY))
    assert run_scan().reminders_created == 0
    assert thresholds_of(township_a) == ["before_3"]


def test_a_missed_scan_is_caught_up_with_the_latest_threshold_only(travel, item, township_a):
    # No scan ran 7 or 3 days before (worker down): two days before, "3 days" is due, once.
    travel(at(DEADLINE - 2 * DAY))
    run_scan()
    assert thresholds_of(township_a) == ["before_3"]
    assert "还有2天到期" in entries_of(township_a).get().title


def test_a_whole_season_sends_each_threshold_once(travel, item, township_a):
    day = DEADLINE - 10 * DAY
    while day <= DEADLINE + 5 * DAY:
        for hour in (0, 9, 18):  # several scans a day
            travel(at(day, hour))
            run_scan()
        day += DAY
    assert thresholds_of(township_a) == sorted(["before_7", "before_3", "before_1", "due", "overdue"])


def test_a_closed_item_is_not_reminded(travel, item, township_a):
    item.open = False
    travel(at(DEADLINE))
    assert run_scan().reminders_created == 0


def test_a_moved_deadline_gets_its_own_reminders(travel, item, township_a):
    travel(at(DEADLINE - 1 * DAY))
    run_scan()
    item.deadline = DEADLINE + 10 * DAY  # extension approved
    travel(at(DEADLINE + 3 * DAY))
    run_scan()
    assert thresholds_of(township_a) == ["before_1", "before_7"]


def test_thresholds_come_from_the_offices_policy(travel, item, township_a):
    ReminderPolicy.objects.update_or_create(pk=1, defaults={"days_before": "10,5", "remind_on_due_day": False})
    travel(at(DEADLINE - 7 * DAY))
    run_scan()
    assert thresholds_of(township_a) == ["before_10"]
    travel(at(DEADLINE - 5 * DAY))
    run_scan()
    travel(at(DEADLINE))
    run_scan()
    assert thresholds_of(township_a) == ["before_10", "before_5"]


def test_policy_rejects_a_bad_list_of_days():
    from django.core.exceptions import ValidationError

    policy = ReminderPolicy(days_before="7, 三")
    with pytest.raises(ValidationError) as err:
        policy.full_clean()
    assert "逗号分隔" in str(err.value)
    assert ReminderPolicy(days_before="7, 3 ,1").days_before_list == [7, 3, 1]


def test_items_not_reminded_when_overdue_stop_at_the_deadline_but_still_escalate(
    travel, source, village_a1, township_a_unit, township_a, township_a_head
):
    source.remind_overdue = False
    source.add(obj=village_a1, unit=township_a_unit)
    travel(at(DEADLINE + 1 * DAY))
    assert run_scan().reminders_created == 0
    travel(at(DEADLINE + 5 * DAY))
    run_scan()
    assert thresholds_of(township_a) == [] and thresholds_of(township_a_head) == ["escalation"]
    source.escalate = False
    Reminder.objects.all().delete()
    assert run_scan().reminders_created == 0


def test_scan_cost_does_not_grow_with_the_number_of_items(
    travel, source, township_a_unit, township_a, django_assert_max_num_queries
):
    for i in range(60):
        source.add(unit=township_a_unit, deadline=DEADLINE + (i % 8) * DAY)
    travel(at(DEADLINE, hour=6))  # before the digest hour: only item reminders
    ReminderPolicy.load()
    with django_assert_max_num_queries(12):
        created = run_scan(deliver=False).reminders_created
    assert created == 60  # 0..7 days left: every one has reached a threshold
    assert Reminder.objects.count() == created == Notification.objects.count()
    # Steady state: a few anti-joins and the release of ended snoozes, nothing written.
    with django_assert_max_num_queries(9):
        assert run_scan(deliver=False).reminders_created == 0
