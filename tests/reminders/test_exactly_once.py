"""Exactly once across crashes: a claim and its notification commit together; the outbox is
sent after commit and a delivery that did not finish is retried, never repeated per channel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from shuangyong import notifications
from shuangyong.channels import Channel
from shuangyong.models import DeliveryState, Notification, Reminder
from shuangyong.notifications import deliver_pending, notify
from shuangyong.reminders import run_scan
from tests.factories import UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MINUTES_11 = dt.timedelta(minutes=11)  # the policy retries a delivery claimed 10+ minutes ago


class SmtpDown(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("SMTP 服务器不可用")

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP 服务器不可用")


class RecordingSms(Channel):
    """What an SMS gateway would look like: only the setting changes, not the scan."""

    name = "sms"
    label = "短信"
    sent: list[tuple[str, str]] = []
    fail = False

    def deliver(self, notifications, *, mark_sent, keep_claim):
        if RecordingSms.fail:
            raise TimeoutError("短信网关超时")
        for note in notifications:
            RecordingSms.sent.append((note.recipient.username, note.title))
        return {n.pk for n in notifications}


@pytest.fixture
def item(source, village_a1, township_a_unit):
    return source.add(obj=village_a1, unit=township_a_unit)


@pytest.fixture
def sms():
    RecordingSms.sent = []
    RecordingSms.fail = False
    return RecordingSms


def digest_of(user) -> Notification:
    return Notification.objects.get(recipient=user, reminder__threshold="digest")


def test_a_crash_inside_the_claim_leaves_nothing_and_the_next_scan_sends_it(travel, item, township_a, monkeypatch):
    from shuangyong import reminders

    travel(at(DEADLINE))
    real_insert = reminders.insert_rows

    def dies(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(reminders, "insert_rows", dies)
    with pytest.raises(SystemExit):
        run_scan()
    assert not Reminder.objects.exists()  # the claim rolled back with the notification: not lost

    monkeypatch.setattr(reminders, "insert_rows", real_insert)
    assert run_scan().reminders_created == 1
    assert (
        Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a).reminder.threshold == "due"
    )
    assert len(mail.outbox) == 1 and "今天到期" in mail.outbox[0].body


def test_a_crash_while_writing_the_digest_leaves_no_digest_and_the_next_scan_writes_it(
    travel, item, township_a, monkeypatch
):
    travel(at(DEADLINE))
    real_create = Notification.objects.create

    def dies(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(Notification.objects, "create", dies)
    with pytest.raises(SystemExit):
        run_scan()
    assert not Reminder.objects.filter(threshold="digest").exists()
    assert Reminder.objects.get(recipient=township_a).digest_day is None  # still waiting for a digest
    monkeypatch.setattr(Notification.objects, "create", real_create)
    assert run_scan().digests_created == 1
    assert run_scan().digests_created == 0
    assert len(mail.outbox) == 1 and "今天到期" in mail.outbox[0].body


def test_a_worker_killed_after_claiming_a_delivery_is_retried_once(travel, item, township_a):
    travel(at(DEADLINE))
    run_scan(deliver=False)
    note = digest_of(township_a)
    claimed = notifications._claim_batch(ids=None, stale_before=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert [n.pk for n in claimed] == [note.pk]
    # ... the worker dies here, before sending. A scan right away leaves the fresh claim alone:
    run_scan()
    assert mail.outbox == []
    travel(at(DEADLINE) + MINUTES_11)
    run_scan()
    run_scan()
    assert [m.to for m in mail.outbox] == [[township_a.email]]
    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.SENT and note.delivered_via == ["email"]


class DiesOnFourthMessage(BaseEmailBackend):
    """An SMTP connection whose worker is killed while sending the 4th message of a batch."""

    sent = 0

    def send_messages(self, messages):
        for message in messages:
            if DiesOnFourthMessage.sent == 3:
                DiesOnFourthMessage.sent += 1
                raise SystemExit("worker killed mid-delivery")
            DiesOnFourthMessage.sent += 1
            mail.outbox.append(message)
        return len(messages)


def test_a_worker_killed_mid_batch_repeats_nothing_that_was_sent(township_a, settings, travel):
    """Each message is marked as it leaves: the re-run sends only the rest (at-least-once,
    and only the message in flight at the kill could have gone twice)."""
    travel(at(DEADLINE))
    users = [township_a, *(UserFactory(org_unit=township_a.org_unit) for _ in range(9))]
    for user in users:
        Notification.objects.create(recipient=user, title=f"给{user.username}的通知", body="请查看。")
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.DiesOnFourthMessage"
    DiesOnFourthMessage.sent = 0
    with pytest.raises(SystemExit):
        deliver_pending()
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(delivery_state=DeliveryState.SENT).count() == 3  # marked as they went

    travel(at(DEADLINE) + MINUTES_11)  # the killed worker's claim has gone stale
    assert deliver_pending().sent == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)  # each exactly once
    assert not Notification.objects.exclude(delivery_state=DeliveryState.SENT).exists()


def test_smtp_down_keeps_the_message_and_sends_it_later_once(travel, item, township_a, settings):
    travel(at(DEADLINE))
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.SmtpDown"
    run_scan()
    note = digest_of(township_a)
    assert note.delivery_state == DeliveryState.PENDING and note.delivery_attempts == 1
    assert "email" in note.delivery_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_scan()  # too soon: the claim is fresh
    assert mail.outbox == []
    travel(at(DEADLINE) + MINUTES_11)
    run_scan()
    travel(at(DEADLINE) + 3 * MINUTES_11)
    run_scan()
    assert len(mail.outbox) == 1
    assert "每日提醒" in mail.outbox[0].subject and f"http://127.0.0.1:8000{item.url}" in mail.outbox[0].body


def test_a_delivery_gives_up_after_five_attempts(travel, item, township_a, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.SmtpDown"
    start = at(DEADLINE)
    for attempt in range(7):
        travel(start + attempt * MINUTES_11)
        run_scan()
    note = digest_of(township_a)
    assert note.delivery_state == DeliveryState.FAILED and note.delivery_attempts == 5


def test_a_new_channel_is_a_setting_and_each_channel_sends_once(travel, item, township_a, settings, sms):
    settings.SHUANGYONG_NOTIFICATION_CHANNELS = [
        "shuangyong.channels.EmailChannel",
        "tests.reminders.test_exactly_once.RecordingSms",
    ]
    sms.fail = True
    travel(at(DEADLINE))
    run_scan()
    note = digest_of(township_a)
    assert note.delivered_via == ["email"] and note.delivery_state == DeliveryState.PENDING

    sms.fail = False
    travel(at(DEADLINE) + MINUTES_11)
    run_scan()
    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.SENT and note.delivered_via == ["email", "sms"]
    assert len(mail.outbox) == 1  # e-mail was not sent again when the SMS was retried
    assert sms.sent == [("township_a", note.title)]


def test_notify_writes_with_the_transaction_and_sends_after_commit(
    township_a, township_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify(recipients=[township_a, township_b.pk], title="退回：春节统计表", body="请修改后重新提交。", url="/x/")
        assert Notification.objects.count() == 2
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([township_a.email, township_b.email])
    assert set(Notification.objects.values_list("delivery_state", flat=True)) == {DeliveryState.SENT}


def test_notify_in_a_rolled_back_transaction_leaves_nothing(township_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[township_a], title="x", body="y")
        raise RuntimeError("the action failed")
    assert callbacks == [] and not Notification.objects.exists() and mail.outbox == []


def test_broker_down_does_not_break_notify_and_the_scan_sends_later(
    township_a, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from shuangyong import jobs

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(jobs.deliver_notifications, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[township_a], title="新任务已交办", body="请查看。", url="/tasks/1/")
    assert "消息队列不可用" in caplog.text
    assert mail.outbox == [] and Notification.objects.get().delivery_state == DeliveryState.PENDING

    run_scan()  # the periodic scan delivers whatever is pending
    assert len(mail.outbox) == 1 and "新任务已交办" in mail.outbox[0].subject


def test_a_user_without_e_mail_still_gets_the_portal_notification(travel, item, township_a):
    township_a.email = ""
    township_a.save()
    travel(at(DEADLINE))
    run_scan()
    assert (
        Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a).title.endswith("今天到期")
    )
    assert digest_of(township_a).delivery_state == DeliveryState.SENT  # nothing to send: done
    assert mail.outbox == []


def test_deliver_pending_only_touches_pending_rows(township_a):
    Notification.objects.create(recipient=township_a, title="已发", delivery_state=DeliveryState.SENT)
    assert deliver_pending().claimed == 0


def test_an_unreachable_redis_neither_breaks_nor_stalls_notify(
    township_a, monkeypatch, django_capture_on_commit_callbacks
):
    from shuangyong.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(app.conf, "broker_write_url", None)
    monkeypatch.setattr(app.conf, "broker_transport_options", {})
    from shuangyong.jobs import deliver_notifications

    # One attempt, no retry loop in the request (checked by what is asked of Celery, not by a
    # wall-clock limit): the publish is tried once, with retries off, and its failure swallowed.
    attempts: list[dict] = []
    real_apply_async = deliver_notifications.apply_async

    def spy_apply_async(*args, **kwargs):
        attempts.append({"retry": kwargs.get("retry"), "options": kwargs["connection"].transport_options})
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(deliver_notifications, "apply_async", spy_apply_async)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[township_a], title="退回：八一统计表", body="请修改。", url="/")
    assert len(attempts) == 1
    assert attempts[0]["retry"] is False
    assert attempts[0]["options"].get("max_retries") == 0
    assert Notification.objects.get().delivery_state == DeliveryState.PENDING


class SlowSmtp(BaseEmailBackend):
    """A mail server that takes four minutes a message (each within EMAIL_TIMEOUT's retries)."""

    traveller = None
    sent: list[str] = []
    others_took: list[int] = []

    def send_messages(self, messages):
        from shuangyong.notifications import _claim_batch

        for message in messages:
            SlowSmtp.traveller.shift(dt.timedelta(minutes=4))
            SlowSmtp.sent.append(message.to[0])
            # Meanwhile the next scan looks for abandoned claims (older than 10 minutes).
            stale = timezone.now() - dt.timedelta(minutes=10)
            SlowSmtp.others_took += [n.pk for n in _claim_batch(ids=None, stale_before=stale)]
        return len(messages)


def test_a_slow_mail_server_does_not_let_the_next_scan_send_the_batch_again(township_a, settings):
    import time_machine

    users = [township_a, *(UserFactory(org_unit=township_a.org_unit) for _ in range(5))]
    for user in users:
        Notification.objects.create(recipient=user, title=f"给{user.username}的通知", body="请查看。")
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.SlowSmtp"
    SlowSmtp.sent, SlowSmtp.others_took = [], []
    with time_machine.travel(at(DEADLINE), tick=False) as traveller:
        SlowSmtp.traveller = traveller
        assert deliver_pending().sent == 6  # 24 minutes for the batch
    assert SlowSmtp.others_took == []  # the claim was renewed as the batch went
    assert sorted(SlowSmtp.sent) == sorted(u.email for u in users)


class FailingSlowSmtp(SlowSmtp):
    """A mail server that times out on every message, four minutes each (EMAIL_TIMEOUT's retries)."""

    def send_messages(self, messages):
        from shuangyong.notifications import _claim_batch

        for _message in messages:
            SlowSmtp.traveller.shift(dt.timedelta(minutes=4))
            stale = timezone.now() - dt.timedelta(minutes=10)
            SlowSmtp.others_took += [n.pk for n in _claim_batch(ids=None, stale_before=stale)]
        raise TimeoutError("SMTP 超时")


def test_a_mail_server_failing_slowly_does_not_let_the_next_scan_take_the_batch(township_a, settings):
    """A worker still trying its batch keeps it: had the next scan taken the rest, both workers
    would send it once the server answers again."""
    import time_machine

    users = [township_a, *(UserFactory(org_unit=township_a.org_unit) for _ in range(5))]
    for user in users:
        Notification.objects.create(recipient=user, title=f"给{user.username}的通知", body="请查看。")
    settings.EMAIL_BACKEND = "tests.reminders.test_exactly_once.FailingSlowSmtp"
    SlowSmtp.sent, SlowSmtp.others_took = [], []
    with time_machine.travel(at(DEADLINE), tick=False) as traveller:
        SlowSmtp.traveller = traveller
        result = deliver_pending()
    assert result.sent == 0 and result.claimed == 6
    assert SlowSmtp.others_took == []  # the claim was renewed after each failed message
    assert set(Notification.objects.values_list("delivery_state", flat=True)) == {DeliveryState.PENDING}
