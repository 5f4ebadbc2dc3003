from __future__ import annotations

from django.http import HttpRequest

from shuangyong.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind LoginRequiredMiddleware: its user is always a portal User."""

    user: User
