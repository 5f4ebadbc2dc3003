"""Deployment checks of our own (``manage.py check --deploy``): what a production install needs
so that several web and worker machines can serve one county unchanged (docs/operations.md).

Without ``DATABASE_URL`` and ``REDIS_URL`` the portal still runs (the embedded default: SQLite,
a task queue on the local disk, a cache in each process), but only on one machine: a second one
would have its own data, queue and cache. A deliberate one-machine install silences the two
warnings with ``SILENCED_SYSTEM_CHECKS=shuangyong.W001,shuangyong.W002``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.database, deploy=True)
def shared_database(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" not in engine:
        return []
    return [
        Warning(
            "生产环境使用 SQLite：数据在本机磁盘上，多台 Web/Worker 机器无法共用。",
            hint="设置 DATABASE_URL 指向 PostgreSQL（见 docs/operations.md）；确属单机部署时可在 "
            "SILENCED_SYSTEM_CHECKS 中加入 shuangyong.W001。",
            id="shuangyong.W001",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_queue_and_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "未设置 REDIS_URL：任务队列在本机磁盘、缓存在各进程内存中，多台机器无法共用。",
            hint="设置 REDIS_URL（见 docs/operations.md）；确属单机部署时可在 "
            "SILENCED_SYSTEM_CHECKS 中加入 shuangyong.W002。",
            id="shuangyong.W002",
        )
    ]
