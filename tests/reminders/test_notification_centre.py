"""The notification centre: only the recipient sees a notification; mark one / all as read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.models import Notification

pytestmark = pytest.mark.django_db


def note_for(user, title="任务“（四）全力服务部队练兵备战”还有3天到期", url="/units/1/", **kw):
    return Notification.objects.create(recipient=user, title=title, body="请按时办理。", url=url, **kw)


def test_header_shows_the_unread_count(client_for, township_a):
    note_for(township_a)
    note_for(township_a, title="已读的", read_at="2026-11-01T08:00:00+08:00")
    page = client_for(township_a).get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in page


def test_header_has_no_count_without_unread(client_for, township_a):
    page = client_for(township_a).get(reverse("home")).content.decode()
    assert 'data-testid="notification-badge"' in page and "unread-count" not in page


def test_list_shows_only_my_notifications(client_for, township_a, township_b):
    note_for(township_a, title="巴川的提醒")
    note_for(township_b, title="东城的提醒")
    page = client_for(township_a).get(reverse("notification_list")).content.decode()
    assert "巴川的提醒" in page and "东城的提醒" not in page


def test_office_does_not_see_a_townships_notifications(client_for, office_user, township_a):
    note = note_for(township_a, title="巴川的提醒")
    client = client_for(office_user)
    assert "巴川的提醒" not in client.get(reverse("notification_list")).content.decode()
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_read(client_for, township_a):
    note = note_for(township_a)
    response = client_for(township_a).post(reverse("notification_read", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("notification_list")
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_marks_read_and_goes_to_the_object(client_for, township_a):
    note = note_for(township_a, url="/units/42/")
    response = client_for(township_a).post(reverse("notification_read", args=[note.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/units/42/"
    note.refresh_from_db()
    assert note.is_read


def test_open_refuses_to_go_to_another_site(client_for, township_a):
    note = note_for(township_a, url="https://evil.example/")
    response = client_for(township_a).post(reverse("notification_read", args=[note.pk]), {"open": "1"})
    assert response.url == reverse("notification_list")


def test_mark_all_read_marks_only_mine(client_for, township_a, township_b):
    mine = [note_for(township_a), note_for(township_a)]
    theirs = note_for(township_b)
    response = client_for(township_a).post(reverse("notification_read_all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).is_read for n in mine)
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_mark_read_needs_post(client_for, township_a):
    note = note_for(township_a)
    assert client_for(township_a).get(reverse("notification_read", args=[note.pk])).status_code == 405


def test_a_leader_may_mark_their_own_notifications_read(client_for, leader):
    note = note_for(leader)
    client = client_for(leader)
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 302
    assert client.post(reverse("notification_read_all")).status_code == 302
    note.refresh_from_db()
    assert note.is_read


def test_unread_filter_and_pagination(client_for, township_a):
    for i in range(25):
        note_for(township_a, title=f"提醒{i:02d}")
    Notification.objects.filter(title="提醒00").update(read_at="2026-11-01T08:00:00+08:00")
    client = client_for(township_a)
    first = client.get(reverse("notification_list")).content.decode()
    assert "第 1 / 2 页，共 25 条" in first and "提醒24" in first and "提醒04" not in first
    unread = client.get(reverse("notification_list"), {"unread": "1", "page": 2}).content.decode()
    assert "共 24 条" in unread and "提醒00" not in unread


def test_list_costs_a_fixed_number_of_queries(client_for, township_a, django_assert_max_num_queries):
    client = client_for(township_a)
    for i in range(30):
        note_for(township_a, title=f"提醒{i}")
    with django_assert_max_num_queries(9):  # session, user, unit, 2 counts, page, session save
        response = client.get(reverse("notification_list"))
    assert response.status_code == 200


def test_links_in_a_message_are_clickable(client_for, township_a):
    Notification.objects.create(
        recipient=township_a, title="每日逾期汇总", body="· 任务甲｜逾期3天\n  http://127.0.0.1:8000/tasks/4/"
    )
    page = client_for(township_a).get(reverse("notification_list")).content.decode()
    assert '<a href="/tasks/4/">/tasks/4/</a>' in page  # the address the user is on, not SITE_URL's


def test_only_the_portals_own_links_are_clickable(client_for, township_a, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    Notification.objects.create(
        recipient=township_a,
        title="已退回",
        body="理由：请看 http://evil.example.com/login 和 <b>x</b>\n http://127.0.0.1:8000/tasks/4/?a=1&b=2",
    )
    page = client_for(township_a).get(reverse("notification_list")).content.decode()
    assert 'href="http://evil.example.com' not in page
    assert "http://evil.example.com/login" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert 'href="/tasks/4/?a=1&amp;b=2"' in page
