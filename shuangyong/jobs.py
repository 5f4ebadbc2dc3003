"""Celery tasks of the core app: thin wrappers around the reminder scan and the outbox.

Every task is safe to run twice (the claims are unique in the database), so ``acks_late``
with ``task_reject_on_worker_lost`` (settings) may run one again after a worker died. Sending
is at-least-once: each message is marked as it leaves, so a re-run after a kill sends only
what was not marked, i.e. at most the one message that was in flight can go out twice.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from shuangyong import notifications, reminders


@shared_task(name="shuangyong.jobs.scan_reminders")
def scan_reminders() -> dict[str, Any]:
    """The periodic scan (Celery beat): every reminder due today, the digests, pending e-mails."""
    result = reminders.run_scan()
    return {
        "reminders_created": result.reminders_created,
        "digests_created": result.digests_created,
        "chat_posts": result.chat_posts,
        "delivered": result.delivery.sent,
    }


@shared_task(name="shuangyong.jobs.send_daily_digest")
def send_daily_digest() -> int:
    """The day's digests (one e-mail per person with reminders, the office's overdue summary)
    and the group-chat posts of the offices whose digest hour has come (each office sets its
    own; the 10-minute scan sends the others when theirs comes)."""
    from shuangyong import chat

    policies = reminders.ReminderPolicies.load()  # each office's summary by its own policy
    now = timezone.localtime()
    today = now.date()
    created = reminders.reminder_digests(today=today, policies=policies, now=now)
    chat.prepare_posts(today=today, policy=policies.default, policies=policies, now=now)
    notifications.deliver_pending()
    chat.deliver_posts()
    return created


@shared_task(name="shuangyong.jobs.deliver_chat_posts")
def deliver_chat_posts() -> int:
    """Group-chat posts that are due (first tries and retries after their backoff)."""
    from shuangyong import chat

    return chat.deliver_posts()


@shared_task(name="shuangyong.jobs.deliver_notifications")
def deliver_notifications(ids: list[int] | None = None) -> int:
    """Send notifications through the channels now (enqueued after commit by notify())."""
    return notifications.deliver_pending(ids=ids).sent
