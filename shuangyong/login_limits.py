"""Who is knocking: the real client address behind the proxy, and the login limits built on it.

The client address
    Behind nginx every request comes from 127.0.0.1: locks, limits and logs then name the proxy,
    not the client. ``TrustedProxyMiddleware`` (first in MIDDLEWARE) replaces ``REMOTE_ADDR`` with
    the client address from ``X-Forwarded-For`` — but only when the request came from a proxy
    listed in ``TRUSTED_PROXIES`` (the nginx machines), and only the addresses those proxies
    appended: the header's left part is whatever the client sent and is never believed.

The login limits (django-axes, ``LoginLockoutHandler``)
    - a user name is locked *per address*: 5 wrong passwords for ``township`` from one address
      lock that pair, so nobody can lock a colleague's account from elsewhere with 5 requests;
    - an address is locked after ``AXES_IP_FAILURE_LIMIT`` wrong passwords over any user names
      (24 over 6 accounts locked nothing before); the limit is higher than the per-name one
      because a whole township office sits behind one government NAT address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(meta: dict[str, Any]) -> str:
    """The client's address: the peer, or — when the peer is a trusted proxy — the rightmost
    address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = str(meta.get("REMOTE_ADDR", "") or "")
    if not _is_trusted(peer):
        return peer
    forwarded = [a.strip() for a in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # a proxy never appends garbage: refuse to believe the header
    return peer


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["REMOTE_ADDR"] = client_address(request.META)
        return self.get_response(request)


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a separate, higher limit for an address alone."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        # AXES_LOCKOUT_PARAMETERS: [the user name from one address, the address alone].
        if len(counts) != 2:
            return max(counts, default=0)
        per_name_and_address, per_address = counts
        # axes compares one number with AXES_FAILURE_LIMIT: express the address's failures in
        # that unit, so that it reaches the limit exactly at AXES_IP_FAILURE_LIMIT failures.
        name_limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_IP_FAILURE_LIMIT
        return max(per_name_and_address, per_address * name_limit // address_limit)
