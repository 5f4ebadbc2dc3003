"""One e-mail per person per day at the office's digest hour: every item due, due today,
overdue or escalated to them, grouped by kind, most urgent first, each with its link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from shuangyong import reminders
from shuangyong.models import DeliveryState, Notification, Reminder
from shuangyong.reminders import run_scan
from tests.reminders.conftest import DEADLINE, ListSource, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_a_person_with_300_due_items_gets_one_e_mail_listing_them_all(travel, source, township_a_unit, township_a):
    for i in range(300):
        source.add(unit=township_a_unit, label=f"事项{i:03d}", deadline=DEADLINE + (i % 5 - 2) * DAY)
    travel(at(DEADLINE, hour=7))  # before the digest hour: the entries, no e-mail yet
    assert run_scan().reminders_created == 300
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=township_a, delivery_state=DeliveryState.IN_DIGEST).count() == 300

    travel(at(DEADLINE, hour=8))
    assert run_scan().digests_created == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [township_a.email]
    assert email.subject == "[双拥通] 每日提醒（2026年12月10日）：300项待办，其中120项已逾期、60项今天到期"
    listed = re.findall(r"· (事项\d{3})｜", email.body)
    assert sorted(listed) == [f"事项{i:03d}" for i in range(300)]  # every one, once
    for entry in source.entries:
        assert f"http://127.0.0.1:8000{entry.url}" in email.body  # each with its link

    for hour in (8, 12, 18, 23):  # scans every 10 minutes the rest of the day: no second e-mail
        travel(at(DEADLINE, hour=hour) + dt.timedelta(minutes=30))
        result = run_scan()
        assert result.reminders_created == 0 and result.digests_created == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=township_a).count() == 301  # 300 entries + 1 digest


def test_most_urgent_first_grouped_by_kind(travel, source, monkeypatch, township_a_unit, township_a_head):
    returns = ListSource(name="returns", kind="统计表报送")
    monkeypatch.setattr(reminders, "_sources", {source.name: source, returns.name: returns})
    source.add(unit=township_a_unit, label="任务·三天后", deadline=DEADLINE + 3 * DAY)
    source.add(unit=township_a_unit, label="任务·逾期一天", deadline=DEADLINE - DAY)
    source.add(unit=township_a_unit, label="任务·今天", deadline=DEADLINE)
    returns.add(unit=township_a_unit, label="报表·逾期五天", deadline=DEADLINE - 5 * DAY)
    travel(at(DEADLINE))
    run_scan()
    body = Notification.objects.get(recipient=township_a_head, reminder__threshold="digest").body
    order = [line.split("｜")[0] for line in re.findall(r"(?:【.+?】\d+项|· .+?｜)", body)]
    # 统计表报送 holds the most urgent item (escalated, 5 days overdue): its group comes first.
    assert order == [
        "【统计表报送】1项",
        "· 报表·逾期五天",
        "【测试事项】3项",
        "· 任务·逾期一天",
        "· 任务·今天",
        "· 任务·三天后",
    ]
    assert "报表·逾期五天｜已逾期5天（已升级）｜时限2026年12月5日" in body  # escalated to the head
    assert "任务·今天｜今天到期" in body and "任务·三天后｜还有3天到期" in body


def test_nothing_due_sends_nothing(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, deadline=DEADLINE + 30 * DAY)
    travel(at(DEADLINE))
    result = run_scan()
    assert result.reminders_created == 0 and result.digests_created == 0
    assert mail.outbox == [] and not Notification.objects.exists()


def test_an_item_done_before_the_digest_is_not_in_it(travel, source, township_a_unit, township_a):
    done = source.add(unit=township_a_unit, label="已办完的事项")
    source.add(unit=township_a_unit, label="仍未办的事项")
    travel(at(DEADLINE, hour=6))
    run_scan()
    done.open = False  # finished at 7:00
    travel(at(DEADLINE, hour=9))
    run_scan()
    assert len(mail.outbox) == 1
    assert "仍未办的事项" in mail.outbox[0].body and "已办完的事项" not in mail.outbox[0].body


def test_only_done_items_means_no_e_mail(travel, source, township_a_unit, township_a):
    done = source.add(unit=township_a_unit)
    travel(at(DEADLINE, hour=6))
    run_scan()
    done.open = False
    travel(at(DEADLINE, hour=9))
    assert run_scan().digests_created == 0
    assert mail.outbox == []
    assert Reminder.objects.get(recipient=township_a).digest_day == DEADLINE  # settled, not carried over


def test_reminders_after_the_digest_wait_for_tomorrows(travel, source, township_a_unit, township_a):
    source.add(unit=township_a_unit, label="早上就有的事项")
    travel(at(DEADLINE, hour=9))
    run_scan()
    source.add(unit=township_a_unit, label="上午新交办的事项", deadline=DEADLINE + DAY)
    travel(at(DEADLINE, hour=11))
    assert run_scan().reminders_created == 1  # its entry is in the notification centre now
    assert len(mail.outbox) == 1  # but no second e-mail today
    travel(at(DEADLINE + DAY, hour=9))
    run_scan()
    assert len(mail.outbox) == 2
    assert "上午新交办的事项｜今天到期" in mail.outbox[1].body  # named as of the day it is sent
    assert "早上就有的事项｜已逾期1天" in mail.outbox[1].body  # its new threshold


def test_the_digest_hour_is_the_offices_setting(travel, source, township_a_unit, township_a):
    from shuangyong.models import ReminderPolicy

    ReminderPolicy.objects.update_or_create(pk=1, defaults={"digest_hour": 10})
    source.add(unit=township_a_unit)
    travel(at(DEADLINE, hour=9))
    run_scan()
    assert mail.outbox == []
    travel(at(DEADLINE, hour=10))
    run_scan()
    assert len(mail.outbox) == 1
