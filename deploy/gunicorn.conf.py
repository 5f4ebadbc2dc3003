"""gunicorn settings for 双拥通 (``gunicorn -c deploy/gunicorn.conf.py shuangyong.wsgi``).

Every value can be overridden from the environment so that one file serves every machine.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the portal's pages are short database-bound requests. 2 × cores + 1 is
# gunicorn's rule of thumb; on the 2-core reference machine that is 5 processes.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Excel exports and imports of a whole county are the slowest requests (a few seconds); anything
# past 60 s is a bug, so the worker is killed and restarted rather than left hanging.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in RAM, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 — gunicorn heartbeat only
# nginx on the same machine sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The client's address as nginx saw it, and the path WITHOUT the query string: a search box's
# text (a name, an identity number typed in full) never lands in the access log.
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
proc_name = "shuangyong"


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the portal (Django, every app and its models, the middleware),
    move those objects out of the garbage collector's sight (``gc.freeze``): they live as long as
    the worker, yet every older-generation collection walked them again. Requests that allocate
    a lot paid for it: writing a county workbook (~30,000 small objects in XlsxWriter) took 47 ms
    instead of 31, and at 20 users all pages together went from p50 37 / p95 84 ms to 29 / 59
    (bench/README.md). Objects made later are collected as before."""
    gc.freeze()
