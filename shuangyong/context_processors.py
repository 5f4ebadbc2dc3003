from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shuangyong.navigation import menu_for
from shuangyong.notifications import unread_count_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(user),
        # Lazy: one COUNT query, only on pages that show the header badge.
        "unread_notification_count": SimpleLazyObject(lambda: unread_count_for(user)),
    }
