"""The health check a load balancer or monitor polls: ``GET /healthz``.

It answers JSON ``{"status", "database", "broker"}``: 200 while the database answers (the portal
can serve pages), 503 when it does not (take this machine out of rotation). A broker that is down
is reported but does not fail the check: pages still work, only reminders wait. The broker probe
has a short connect and read timeout so that a dead Redis never makes the check itself hang.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 0.5


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not serving": report it, never raise from a health check
        logger.exception("health check: database unavailable")
        return "down"
    return "ok"


def broker_state() -> str:
    url: str = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss"}:
        return _redis_state(url)
    if scheme == "filesystem":
        # The single-machine broker: a folder that the worker reads and the web process writes.
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
        return "ok" if folder and Path(str(folder)).is_dir() else "down"
    return "unknown"


def _redis_state(url: str) -> str:
    client = redis.Redis.from_url(
        url,
        protocol=2,  # a bare PING: no RESP3 handshake, works with any Redis version
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        # redis-py retries three times by default: one attempt, or a dead broker costs seconds.
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        logger.warning("health check: broker %s unavailable", urlsplit(url).hostname)
        return "down"
    finally:
        client.close()
    return "ok"


@login_not_required
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    database = database_state()
    broker = broker_state()
    healthy = database == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
