"""The portal as ``./run.sh`` starts it (no DEBUG, no SHUANGYONG_ENV: the embedded defaults):
a missing page is the Chinese 404 page, never Django's debug page; static files are compressed
and cached for a year; a favicon; and the visit entry page on a phone transfers at most 150 KB
on a cold cache and 15 KB on a warm one (summed from the browser's own transfer sizes).

The server is a real ``manage.py runserver`` in a subprocess, on its own database and var/
folder, after the same collectstatic, migrate and seed_demo that run.sh runs."""

from __future__ import annotations

import gzip
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

COLD_LIMIT = 150 * 1024
WARM_LIMIT = 15 * 1024
DEMO_PASSWORD = "Shuangyong@2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def run_sh_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run-defaults")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SHUANGYONG_ENV", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", SHUANGYONG_VAR_DIR=str(tmp / "var"))
    python = [sys.executable, "manage.py"]
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([*python, *command], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*python, "runserver", "--nostatic", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "runserver did not start within 60 s"
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(10)


def _get(url: str, opener=None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _logged_in_opener(url: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, _, body = _get(f"{url}/accounts/login/", opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    data = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{url}/accounts/login/", data=data.encode(), headers={"Referer": url})
    opener.open(request, timeout=10)
    return opener


def test_a_missing_page_is_the_chinese_404_page(run_sh_server):
    status, _, body = _get(f"{run_sh_server}/no-such-page/")
    html = body.decode()
    assert status == 404
    assert "页面不存在" in html and "双拥通" in html
    assert "Page not found" not in html and "DEBUG = True" not in html and "URLconf" not in html
    # Logged in, a record that does not exist (or belongs to another unit) is the same page.
    opener = _logged_in_opener(run_sh_server, "township")
    status, _, body = _get(f"{run_sh_server}/visits/records/999999/", opener)
    assert status == 404 and "页面不存在" in body.decode() and "返回首页" in body.decode()


def test_static_files_are_compressed_and_cached_for_a_year_and_there_is_a_favicon(run_sh_server):
    _, _, body = _get(f"{run_sh_server}/accounts/login/")
    css = re.search(rb'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', body)
    assert css, "the stylesheet has a hashed name"
    status, headers, payload = _get(f"{run_sh_server}{css.group(1).decode()}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(payload) < 40 * 1024 and len(gzip.decompress(payload)) > 200 * 1024
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    status, headers, payload = _get(f"{run_sh_server}/favicon.ico")
    assert status == 200 and payload[:4] == b"\x00\x00\x01\x00"
    assert b'rel="icon"' in body


TRANSFERRED = """() => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return entries.map((e) => [e.name, e.transferSize]);
}"""


def test_the_visit_entry_page_on_a_phone_is_light(run_sh_server, browser):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
    # Log in without touching the measured browser's cache: take the session cookie across.
    login_context = browser.new_context(**phone)
    page = login_context.new_page()
    page.goto(f"{run_sh_server}/accounts/login/")
    page.fill("#id_username", "township")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{run_sh_server}/")
    entry_url = page.locator("[data-testid=panel-my-return] >> text=添加走访记录").get_attribute("href")
    cookies = login_context.cookies()
    login_context.close()

    context = browser.new_context(**phone)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(f"{run_sh_server}{entry_url}", wait_until="load")
    assert page.locator("#id_people_visited").count() == 1
    cold = page.evaluate(TRANSFERRED)
    page.goto(f"{run_sh_server}{entry_url}", wait_until="load")
    warm = page.evaluate(TRANSFERRED)
    context.close()
    cold_total, warm_total = sum(size for _, size in cold), sum(size for _, size in warm)
    print(f"visit entry page: cold {cold_total} bytes, warm {warm_total} bytes")
    assert any("bootstrap" in name and size > 0 for name, size in cold)  # really fetched cold
    assert cold_total <= COLD_LIMIT, cold
    assert warm_total <= WARM_LIMIT, warm
