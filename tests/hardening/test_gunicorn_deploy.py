"""deploy/gunicorn.conf.py really serves the portal: a production-mode gunicorn with two workers
on a free loopback port answers /healthz over plain HTTP (exempt from the HTTPS redirect) and
redirects every other page to HTTPS."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": "sy.example.gov.cn"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")
def test_gunicorn_with_the_deploy_config_serves_the_health_check(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "SHUANGYONG_ENV": "production",
        "SECRET_KEY": "g7$Kq!9vLr2@mZp#4Nw8&Ty6^Hb3*Jc5(Fd1)Gs0-Ue_Ai+Oo=Pl",
        "ALLOWED_HOSTS": "sy.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHUANGYONG_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "shuangyong.settings.base",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "shuangyong.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # poll until the workers accept connections (no fixed sleep)
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body)["database"] == "ok"
        status, headers, _ = _get(f"http://127.0.0.1:{port}/units/")
        assert status == 301 and headers["Location"].startswith("https://sy.example.gov.cn/")
    finally:
        server.terminate()
        server.wait(timeout=30)
