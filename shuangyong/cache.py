"""The cache backend: an outage costs speed, never a page.

Every read and write of the shared Redis cache goes through ``ResilientRedisCache``. When Redis
cannot be reached (stopped, restarting, network cut) a read answers "not cached" (the caller
computes the value, as on a cold cache), a write is dropped, and the outage is logged once — not
once per request — until Redis answers again. One wrapper here instead of try/except at each
call site: ``cache.get``/``cache.set`` in the dashboard, the report workbooks and any future
caller degrade the same way.

Only connection failures are absorbed: a programming error (a value that cannot be pickled, a bad
key) still raises.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("shuangyong.cache")

# What "the cache is not there" looks like from redis-py: refused or cut connections, timeouts,
# and the OSError a socket gives for an unreachable host.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)

# Wait at most this long for Redis before computing without it (a dead host must not hang a page).
CONNECT_TIMEOUT_SECONDS = 0.5
SOCKET_TIMEOUT_SECONDS = 1.0


class _OutageLog:
    """Logs the first failure of an outage and the recovery, nothing in between."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False

    def failed(self, operation: str, error: BaseException) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        logger.warning("缓存不可用（%s: %s）：页面照常计算，直到缓存恢复。", operation, error)

    def succeeded(self) -> None:
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("缓存已恢复。")


outage = _OutageLog()


def _degrade(operation: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            result = getattr(super(ResilientRedisCache, self), operation)(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            outage.failed(operation, error)
            return fallback(*args, **kwargs)
        outage.succeeded()
        return result

    method.__name__ = operation
    return method


def _default(key: str, default: Any = None, version: int | None = None) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _empty(keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
    return {}


def _all_failed(data: dict[str, Any], *args: Any, **kwargs: Any) -> list[str]:
    return list(data)


def _missing(key: str, delta: int = 1, version: int | None = None) -> int:
    raise ValueError(f"Key '{key}' not found")  # what Django's backends say for a missing key


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering "not cached" while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, params)

    get = _degrade("get", _default)
    set = _degrade("set", _nothing)
    add = _degrade("add", _false)
    touch = _degrade("touch", _false)
    delete = _degrade("delete", _false)
    has_key = _degrade("has_key", _false)
    get_many = _degrade("get_many", _empty)
    set_many = _degrade("set_many", _all_failed)
    delete_many = _degrade("delete_many", _nothing)
    incr = _degrade("incr", _missing)
    decr = _degrade("decr", _missing)
    clear = _degrade("clear", _nothing)
    # get_or_set is Django's get() + add(): both degrade, so the value is computed and returned.
