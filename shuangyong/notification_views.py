"""The notification centre: a user's own notifications, mark one or all as read.

Marking read is not a change of portal data, so leaders (read-only) may do it too.
Only the recipient sees a notification: anyone else gets 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shuangyong.access import writes_allowed_for_read_only_roles
from shuangyong.notifications import (
    get_notification_for,
    notification_mark_all_read,
    notification_mark_read,
    notifications_for,
)
from shuangyong.types import AuthedRequest

PAGE_SIZE = 20


def notification_list(request: AuthedRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    notes = notifications_for(request.user)
    if only_unread:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shuangyong/notification_list.html", {"page": page, "only_unread": only_unread})


@require_POST
@writes_allowed_for_read_only_roles
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one as read; with ``open`` go on to the object it is about."""
    note = get_notification_for(request.user, pk)
    notification_mark_read(notification=note)
    if "open" in request.POST and note.url and _is_ours(request, note.url):
        return redirect(note.url)
    return redirect(_back(request))


@require_POST
@writes_allowed_for_read_only_roles
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect(_back(request))


def _back(request: AuthedRequest) -> str:
    target = request.POST.get("next", "")
    return target if target and _is_ours(request, target) else "notification_list"


def _is_ours(request: AuthedRequest, url: str) -> bool:
    hosts = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    return url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=request.is_secure())


urlpatterns = [
    path("", notification_list, name="notification_list"),
    path("<int:pk>/read/", notification_read, name="notification_read"),
    path("read-all/", notification_read_all, name="notification_read_all"),
]
