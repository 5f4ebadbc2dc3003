"""Fast settings for the test suite; the database still follows DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("SHUANGYONG_ENV", "test")

from shuangyong.settings.base import *  # noqa: F403
from shuangyong.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Tests never share a cache between runs, nor with another process's Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# The group-chat tests post to a fake robot on 127.0.0.1.
CHAT_WEBHOOK_ALLOW_LOOPBACK = True
