"""Notifications: ``notify()`` for any app, the outbox delivery, and the notification centre's
reads and writes.

A notification row is written inside the caller's transaction (it disappears with a rolled-back
action and survives a crash after commit); the other channels (e-mail …) are sent after commit
by a Celery job, and the periodic reminder scan delivers whatever is still pending, so a broker
that is down delays an e-mail but loses nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangyong.channels import Channel, configured_channels
from shuangyong.models import DeliveryState, Notification, ReminderPolicy, User, one_line_title

logger = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 5
DELIVERY_BATCH = 1000
# What channels read and _deliver_batch writes: the rest of the row is not loaded.
DELIVERY_FIELDS = (
    "title",
    "body",
    "url",
    "delivered_via",
    "delivery_attempts",
    "delivery_error",
    "delivery_state",
    "delivery_token",
)
#: A worker sending a long batch renews its claim this often, so that a slow mail server (up to
#: EMAIL_TIMEOUT a message) never lets the next scan take the rest of the batch as abandoned and
#: send it a second time.
CLAIM_RENEWAL = timedelta(minutes=1)
RECIPIENT_FIELDS = ("username", "full_name", "email", "is_active", "phone")


def absolute_url(url: str) -> str:
    """SITE_URL + path; an address that is already absolute is kept."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def notify(
    *,
    recipients: Iterable[User | int],
    title: str,
    body: str,
    url: str = "",
    obj: models.Model | None = None,
) -> list[Notification]:
    """Tell users something in the portal and through the configured channels (after commit)."""
    recipient_ids = sorted({r if isinstance(r, int) else r.pk for r in recipients})
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=rid,
                title=one_line_title(title),
                body=body,
                url=url,
                content_type=content_type,
                object_id=obj.pk if obj is not None else None,
            )
            for rid in recipient_ids
        ]
    )
    ids = [n.pk for n in notes]
    if ids:
        transaction.on_commit(lambda: enqueue_delivery(ids))
    return notes


def enqueue_delivery(ids: list[int]) -> None:
    """Ask a worker to send these now. A broker that is down must not break the request: the
    periodic scan delivers every pending notification anyway."""
    from shuangyong.celery import app
    from shuangyong.jobs import deliver_notifications

    # One connection attempt, no retries: a request must not hang on a broker that is down.
    options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            deliver_notifications.apply_async(args=[ids], retry=False, connection=connection)
    except Exception:
        logger.warning(
            "无法把 %d 条通知交给后台任务（消息队列不可用），将由下一次定时扫描发送", len(ids), exc_info=True
        )


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0


def deliver_pending(*, ids: Sequence[int] | None = None) -> DeliveryResult:
    """Send pending notifications through every configured channel, at least once and, unless a
    worker is killed in the middle of sending one, exactly once per channel.

    Rows are claimed with one UPDATE (token + time) so two workers never send the same row; a
    claim older than the policy's retry interval is taken again (the worker that claimed it died
    or its channel failed). A channel that has sent a row is recorded in ``delivered_via`` at
    once and is not asked again; only a message whose sending was cut off by a crash (sent, not
    yet recorded) can go out a second time.
    """
    policy = ReminderPolicy.load()
    channels = configured_channels()
    result = DeliveryResult()
    while True:
        batch = _claim_batch(ids=ids, stale_before=timezone.now() - timedelta(minutes=policy.retry_after_minutes))
        if not batch:
            return result
        result.claimed += len(batch)
        # Renewed well before another worker could take it as abandoned (the retry interval).
        renew_every = min(CLAIM_RENEWAL, timedelta(minutes=policy.retry_after_minutes) / 2)
        _deliver_batch(batch, channels, result, renew_every=renew_every)
        if ids is not None:
            return result


def _claim_batch(*, ids: Sequence[int] | None, stale_before: datetime) -> list[Notification]:
    token = uuid.uuid4()
    claimable = Notification.objects.filter(delivery_state=DeliveryState.PENDING).filter(
        Q(delivery_claimed_at__isnull=True) | Q(delivery_claimed_at__lt=stale_before)
    )
    if ids is not None:
        claimable = claimable.filter(pk__in=list(ids))
    # The outer filter repeats the conditions: on PostgreSQL a row claimed meanwhile by another
    # worker is re-checked after its lock is released and skipped.
    claimable.filter(pk__in=claimable.order_by("pk").values("pk")[:DELIVERY_BATCH]).update(
        delivery_token=token, delivery_claimed_at=timezone.now(), delivery_attempts=models.F("delivery_attempts") + 1
    )
    return list(
        Notification.objects.filter(delivery_token=token)
        .select_related("recipient")
        .only(*DELIVERY_FIELDS, *(f"recipient__{f}" for f in RECIPIENT_FIELDS))
        .order_by("pk")
    )


def _deliver_batch(
    batch: list[Notification],
    channels: Sequence[Channel],
    result: DeliveryResult,
    *,
    renew_every: timedelta = CLAIM_RENEWAL,
) -> None:
    """Send a claimed batch. Each message is marked in the database as soon as a channel says it
    has left (one UPDATE per message sent), so a worker killed mid-batch repeats at most the
    message in flight: delivery is at-least-once, never "the whole batch again"."""
    now = timezone.now()
    channel_names = [c.name for c in channels]
    wanted = set(channel_names)
    done_by: dict[int, set[str]] = {n.pk: set(n.delivered_via) for n in batch}
    marked: set[int] = set()
    token = batch[0].delivery_token
    renewed = [now]

    def keep_claim() -> None:
        """Still sending (or trying to): the rest of the batch stays this worker's (CLAIM_RENEWAL)."""
        moment = timezone.now()
        if moment - renewed[0] >= renew_every:
            Notification.objects.filter(delivery_token=token, delivery_state=DeliveryState.PENDING).update(
                delivery_claimed_at=moment
            )
            renewed[0] = moment

    def via(pk: int) -> list[str]:
        return [name for name in channel_names if name in done_by[pk]]

    def mark_sent(channel_name: str, pk: int) -> None:
        done_by[pk].add(channel_name)
        complete = done_by[pk] >= wanted
        changes: dict[str, Any] = {"delivered_via": via(pk)}
        if complete:
            changes.update(delivery_state=DeliveryState.SENT, delivery_error="")
            marked.add(pk)
            result.sent += 1
        Notification.objects.filter(pk=pk).update(**changes)
        keep_claim()

    for channel in channels:
        todo = [n for n in batch if channel.name not in done_by[n.pk]]
        if not todo:
            continue
        try:
            handled = channel.deliver(todo, mark_sent=partial(mark_sent, channel.name), keep_claim=keep_claim)
        except Exception:
            logger.exception("渠道 %s 发送失败", channel.name)
            handled = set()
        for pk in handled:  # nothing to send (no address …): marked below, in one statement
            done_by[pk].add(channel.name)
    complete = {n.pk for n in batch if done_by[n.pk] >= wanted} - marked
    if complete:
        Notification.objects.filter(pk__in=complete).update(
            delivery_state=DeliveryState.SENT, delivered_via=channel_names, delivery_error=""
        )
        result.sent += len(complete)
    incomplete = [n for n in batch if not done_by[n.pk] >= wanted]
    for note in incomplete:
        missing = [name for name in channel_names if name not in done_by[note.pk]]
        note.delivered_via = via(note.pk)
        note.delivery_error = f"{now:%Y-%m-%d %H:%M} 未发出：{'、'.join(missing)}"
        if note.delivery_attempts >= MAX_DELIVERY_ATTEMPTS:
            note.delivery_state = DeliveryState.FAILED
            result.failed += 1
    if incomplete:
        Notification.objects.bulk_update(incomplete, ["delivered_via", "delivery_error", "delivery_state"])


# --- the notification centre ---


def notifications_for(user: User) -> QuerySet[Notification]:
    """A user's own notifications: nobody else's, whatever their role."""
    return Notification.objects.filter(recipient=user).select_related("reminder").order_by("-created_at", "-id")


def unread_count_for(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for(user: User, pk: int) -> Notification:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(notifications_for(user), pk=pk)


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
