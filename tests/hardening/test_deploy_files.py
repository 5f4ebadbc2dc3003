"""The deployment examples stay in step with the code: one beat, the right scheduler, the WSGI
application and the gunicorn config that exist, and nginx never serving uploads."""

from __future__ import annotations

import gc
import importlib
import re
from pathlib import Path

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _procfile() -> dict[str, str]:
    lines = (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_procfile_runs_web_worker_and_exactly_one_beat():
    procs = _procfile()
    assert set(procs) == {"release", "web", "worker", "beat"}
    assert "gunicorn -c deploy/gunicorn.conf.py shuangyong.wsgi" in procs["web"]
    assert settings.CELERY_BEAT_SCHEDULER in procs["beat"]
    assert sum(" beat" in cmd for cmd in procs.values()) == 1
    assert "--beat" not in procs["worker"]  # an embedded beat per worker would multiply the clock


def test_systemd_units_match_the_procfile():
    units = {p.stem: p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {"shuangyong-web", "shuangyong-worker", "shuangyong-beat"}
    for text in units.values():
        assert "EnvironmentFile=/etc/shuangyong/shuangyong.env" in text
    assert "shuangyong.wsgi" in units["shuangyong-web"]
    assert settings.CELERY_BEAT_SCHEDULER in units["shuangyong-beat"]
    assert "EXACTLY ONE" in units["shuangyong-beat"]


def test_the_modules_the_examples_name_exist():
    assert importlib.import_module("shuangyong.wsgi").application
    assert importlib.import_module("shuangyong.celery").app.main == "shuangyong"
    config = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8"), config)  # noqa: S102 — our own file
    assert config["workers"] >= 2
    assert 30 <= config["timeout"] <= 120


def test_each_gunicorn_worker_freezes_what_it_loaded_out_of_the_collectors_sight():
    config: dict = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8"), config)  # noqa: S102 — our own file
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_nginx_never_serves_uploads_and_proxies_the_rest():
    conf = (DEPLOY / "nginx" / "shuangyong.conf").read_text(encoding="utf-8")
    assert re.search(r"location \^~ /uploads/ \{\s*return 404;", conf)
    assert "alias" not in conf and "root " not in conf  # no file is served from disk by nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


def test_env_example_lists_every_setting_production_needs():
    example = (DEPLOY / "shuangyong.env.example").read_text(encoding="utf-8")
    needed = [
        "SHUANGYONG_ENV=production",
        "SECRET_KEY=",
        "ALLOWED_HOSTS=",
        "DATABASE_URL=",
        "REDIS_URL=",
        "MEDIA_ROOT=",
    ]
    assert [name for name in needed if name not in example] == []
