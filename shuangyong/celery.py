"""The Celery app. Broker: Redis when REDIS_URL is set, else a folder on disk (no server needed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.base")

app = Celery("shuangyong")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Our apps name their Celery modules jobs.py (tasks/ is a Django app, so tasks.py would clash).
app.autodiscover_tasks(related_name="jobs")

FILESYSTEM_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def ensure_broker_folders(sender: Celery, **kwargs: Any) -> None:
    """The filesystem broker fails on a missing folder: create them wherever the app is configured
    (the worker and every process that enqueues)."""
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in FILESYSTEM_FOLDER_OPTIONS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
