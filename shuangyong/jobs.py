"""Celery tasks of the core app: thin wrappers around the reminder scan and the outbox.

Every task is idempotent (the claims are unique in the database), so ``acks_late`` with
``task_reject_on_worker_lost`` (settings) may safely run one twice after a worker died.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from shuangyong import notifications, reminders


@shared_task(name="shuangyong.jobs.scan_reminders")
def scan_reminders() -> dict[str, Any]:
    """The periodic scan (Celery beat): every reminder due today, the digest, pending e-mails."""
    result = reminders.run_scan()
    return {
        "items_scanned": result.items_scanned,
        "reminders_created": result.reminders_created,
        "digests_created": result.digests_created,
        "delivered": result.delivery.sent,
    }


@shared_task(name="shuangyong.jobs.send_daily_digest")
def send_daily_digest() -> int:
    """The office's daily digest of everything overdue (once a day per office user)."""
    created = reminders.send_digests()
    notifications.deliver_pending()
    return created


@shared_task(name="shuangyong.jobs.deliver_notifications")
def deliver_notifications(ids: list[int] | None = None) -> int:
    """Send notifications through the channels now (enqueued after commit by notify())."""
    return notifications.deliver_pending(ids=ids).sent
