"""Production settings keep no state on the local disk except uploads (several web and worker
machines share one PostgreSQL and one Redis), and never fall back to the development secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "secret": settings.SECRET_KEY,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "broker": settings.CELERY_BROKER_URL,
    "beat": settings.CELERY_BEAT_SCHEDULER,
    "sessions": settings.SESSION_ENGINE,
    "import_tmp": getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", None),
    "uploads": settings.STORAGES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def _production_settings(tmp_path, **extra: str) -> dict:
    env = {
        **os.environ,
        "SHUANGYONG_ENV": "production",
        "SECRET_KEY": "p9$Lr!2vKq8@mZx#4Nw7&Ty6^Hb3*Jc5(Fd1)Gs0-Ue_Ai+Oo=Pl",
        "ALLOWED_HOSTS": "sy.example.gov.cn",
        "DATABASE_URL": "postgres://shuangyong@db.internal:5432/shuangyong",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "SHUANGYONG_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "shuangyong.settings.base",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_shares_cache_broker_and_import_storage_through_redis(tmp_path):
    conf = _production_settings(tmp_path)
    assert conf["cache"] == "shuangyong.cache.ResilientRedisCache"
    assert conf["cache_location"] == "redis://redis.internal:6379/0"
    assert conf["broker"] == "redis://redis.internal:6379/0"
    assert conf["beat"] == "django_celery_beat.schedulers:DatabaseScheduler"  # no local schedule file
    assert conf["sessions"] == "django.contrib.sessions.backends.db"
    assert conf["import_tmp"] == "import_export.tmp_storages.CacheStorage"
    assert conf["debug"] is False


def test_production_uses_the_configured_upload_storage(tmp_path):
    conf = _production_settings(tmp_path, FILE_STORAGE_BACKEND="storages.backends.s3.S3Storage")
    assert conf["uploads"] == "storages.backends.s3.S3Storage"


def test_production_never_creates_nor_reads_the_development_secret(tmp_path):
    conf = _production_settings(tmp_path)
    assert conf["secret"].startswith("p9$")
    assert not (tmp_path / "var" / "dev-secret-key").exists()
    assert not (tmp_path / "var").exists()  # nothing at all written to local disk at start-up


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_check_deploy_warns_when_production_would_keep_state_on_one_machine(settings):
    """Several web and worker machines need one PostgreSQL and one Redis: without them
    ``check --deploy`` says so (two warnings, each with its id to silence a deliberate one-machine install)."""
    from django.core.checks import run_checks

    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}}
    settings.REDIS_URL = ""
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert {"shuangyong.W001", "shuangyong.W002"} <= ids
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shuangyong"}}
    settings.REDIS_URL = "redis://cache.example.gov.cn:6379/0"
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert not {"shuangyong.W001", "shuangyong.W002"} & ids
