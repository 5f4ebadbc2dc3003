"""Delivery channels: how a notification leaves the portal (e-mail today; SMS or a government
messaging app tomorrow).

Every message is first a ``Notification`` row: that row *is* the in-portal channel (the
notification centre reads it) and the outbox of the others. The channels listed in
``settings.SHUANGYONG_NOTIFICATION_CHANNELS`` (dotted paths of ``Channel`` subclasses) are
called by ``notifications.deliver_pending`` after the row is committed. To add SMS, write a
``Channel`` subclass with ``name = "sms"`` and add its path to the setting: neither the reminder
scan nor any caller of ``notify()`` changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from shuangyong.models import one_line_title

if TYPE_CHECKING:
    from shuangyong.models import Notification

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = ["shuangyong.channels.EmailChannel"]


class Channel:
    """One way of sending notifications out of the portal.

    ``deliver`` receives notifications (recipient loaded). It calls ``mark_sent(pk)`` right after
    each message has left (the outbox records it at once, so a crash later in the batch does not
    send it again) and returns the ids it dealt with without sending (nothing to send, e.g. a
    user without an e-mail address); returning a sent id instead of marking it also works, but
    then a crash before the end of the batch sends it again. An id neither marked nor returned
    is retried by a later run, so ``deliver`` must not raise for one bad message.

    ``keep_claim()`` says "still working on this batch": call it after each message that failed
    (``mark_sent`` already calls it), so that a server failing message after message at its
    timeout does not let the next scan take the rest of the batch while this worker goes on
    trying it (both would then send it).
    """

    name: str = ""
    label: str = ""

    def deliver(
        self,
        notifications: Sequence[Notification],
        *,
        mark_sent: Callable[[int], None],
        keep_claim: Callable[[], None],
    ) -> set[int]:
        raise NotImplementedError


class EmailChannel(Channel):
    """E-mail through Django's e-mail backend (console by default, SMTP when EMAIL_HOST is set)."""

    name = "email"
    label = "电子邮件"

    def deliver(
        self,
        notifications: Sequence[Notification],
        *,
        mark_sent: Callable[[int], None],
        keep_claim: Callable[[], None],
    ) -> set[int]:
        done: set[int] = set()
        to_send = []
        for note in notifications:
            if note.recipient.email and note.recipient.is_active:
                to_send.append(note)
            else:
                done.add(note.pk)
        if not to_send:
            return done
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception:
            logger.exception("无法连接邮件服务器，%d 封邮件稍后重试", len(to_send))
            return done
        try:
            for note in to_send:
                message = EmailMessage(
                    subject=f"[双拥通] {one_line_title(note.title)}",
                    body=email_body(note),
                    to=[note.recipient.email],
                    connection=connection,
                )
                try:
                    message.send()
                except Exception:
                    logger.exception("邮件发送失败：通知 %s", note.pk)
                    keep_claim()
                    continue
                mark_sent(note.pk)
        finally:
            connection.close()
        return done


def email_body(note: Notification) -> str:
    from shuangyong.notifications import absolute_url

    parts = [f"{note.recipient.display_name}：", "", note.body]
    if note.url and absolute_url(note.url) not in note.body:
        parts += ["", "查看详情：", absolute_url(note.url)]
    parts += ["", "—— 双拥通（本邮件由系统自动发送，请勿直接回复）"]
    return "\n".join(parts)


@cache
def _channels(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    channels = []
    for path in paths:
        cls = import_string(path)
        if not (isinstance(cls, type) and issubclass(cls, Channel)) or not cls.name:
            raise TypeError(f"{path} 不是带 name 的 shuangyong.channels.Channel 子类")
        channels.append(cls())
    return tuple(channels)


def configured_channels() -> tuple[Channel, ...]:
    return _channels(tuple(getattr(settings, "SHUANGYONG_NOTIFICATION_CHANNELS", DEFAULT_CHANNELS)))
