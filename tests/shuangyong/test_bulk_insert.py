"""``shuangyong.bulk.insert_rows``: the reminder scan's bulk path (COPY on PostgreSQL, executemany on
SQLite) stores every value exactly as given, whatever characters users' text holds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shuangyong.bulk import insert_rows
from shuangyong.models import DeliveryState, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AWKWARD = [
    "制表符\t换行\n回车\r反斜杠\\N 和 \\t 字样",
    "引号 \" ' ，逗号, 分号; 竖线|",
    "\\",
    "",
    '=HYPERLINK("http://x")',
    "表情 😀 与生僻字 𠀀",
]


def test_every_value_comes_back_exactly():
    user = UserFactory()
    when = dt.datetime(2027, 7, 1, 9, 0, 5, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    rows = [(user.pk, text or "空", text, text, f"/x/{i}/", i if i % 2 else None) for i, text in enumerate(AWKWARD)]
    insert_rows(
        Notification,
        ("recipient_id", "title", "subject", "body", "url", "object_id"),
        rows,
        constants={
            "created_at": when,
            "delivery_state": DeliveryState.IN_DIGEST,
            "delivered_via": ["email", '引号"\t'],
            "delivery_attempts": 0,
            "delivery_error": "",
        },
    )
    stored = list(Notification.objects.order_by("url"))
    assert [(n.title, n.subject, n.body, n.url, n.object_id) for n in stored] == [
        (title, subject, body, url, object_id)
        for _, title, subject, body, url, object_id in sorted(rows, key=lambda r: r[4])
    ]
    for n in stored:
        assert n.recipient_id == user.pk
        assert n.created_at == when
        assert n.delivery_state == DeliveryState.IN_DIGEST
        assert n.delivered_via == ["email", '引号"\t']
        assert n.delivery_error == ""
        assert n.reminder_id is None


def test_nothing_to_insert_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(Notification, ("recipient_id", "title"), [])
