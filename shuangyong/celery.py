"""The Celery app. Broker: Redis when REDIS_URL is set, else a folder on disk (no server needed)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.base")

app = Celery("shuangyong")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Our apps name their Celery modules jobs.py (tasks/ is a Django app, so tasks.py would clash).
app.autodiscover_tasks(related_name="jobs")
