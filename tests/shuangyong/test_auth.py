import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_lockout_after_five_failures(client, township_a, password):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": "township_a", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    # Even the right password is refused now.
    response = client.post(url, {"username": "township_a", "password": password})
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert AccessAttempt.objects.get(username="township_a").failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert client.get(reverse("home")).status_code == 302


def test_failed_login_shows_chinese_error(client, township_a):
    response = client.post(reverse("login"), {"username": "township_a", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()


def test_successful_login_is_recorded(client, township_a, password):
    response = client.post(reverse("login"), {"username": "township_a", "password": password})
    assert response.status_code == 302
    assert AccessLog.objects.filter(username="township_a").count() == 1


def test_session_ends_after_thirty_idle_minutes(client, township_a, password):
    with time_machine.travel(NOW, tick=False) as traveller:
        client.post(reverse("login"), {"username": "township_a", "password": password})
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200  # activity renews the session
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get(reverse("home")).status_code == 302


def test_password_shorter_than_ten_is_refused(client_for, township_a, password):
    response = client_for(township_a).post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Ab3$efgh9", "new_password2": "Ab3$efgh9"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "密码太短，至少需要 10 个字符。" in html
    assert "This password" not in html


def test_check_deploy_is_clean_in_production():
    env = {
        **os.environ,
        "SHUANGYONG_ENV": "production",
        "SECRET_KEY": "x7$Kq!9vLr2@mZp#4Nw8&Ty6^Hb3*Jc5(Fd1)Gs0-Ue_Ai+Oo=Pl",
        "ALLOWED_HOSTS": "sy.example.gov.cn",
        "DJANGO_SETTINGS_MODULE": "shuangyong.settings.base",
        # Shared services, as production has them (check does not connect to either).
        "DATABASE_URL": "postgres://shuangyong@db.example.gov.cn:5432/shuangyong",
        "REDIS_URL": "redis://cache.example.gov.cn:6379/0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in production
    root = Path(settings.BASE_DIR)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = {**os.environ, "SHUANGYONG_ENV": "production", "DJANGO_SETTINGS_MODULE": "shuangyong.settings.base"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
