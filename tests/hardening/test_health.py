"""/healthz: public, JSON, 200 while the database answers, 503 when it does not; a dead broker
is reported quickly and never makes the check hang."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.urls import reverse

from shuangyong import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_redis() -> Iterator[tuple[str, socket.socket]]:
    """A loopback TCP server: answers PONG to every PING (a healthy Redis) when the test says so."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0", server
    server.close()


def _serve_pong(server: socket.socket) -> threading.Thread:
    def run() -> None:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(4096):
                # RESP: CLIENT SETINFO (sent on connect) gets OK, PING gets PONG.
                for line in data.split(b"\r\n"):
                    if line.upper() == b"PING":
                        conn.sendall(b"+PONG\r\n")
                    elif line.upper() == b"CLIENT":
                        conn.sendall(b"+OK\r\n")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_healthz_is_public_and_reports_ok(client, settings, fake_redis):
    url, server = fake_redis
    settings.CELERY_BROKER_URL = url
    _serve_pong(server)
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("database gone")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "down"


def test_broker_that_accepts_but_never_answers_is_down_within_the_timeout(client, settings, fake_redis):
    url, _server = fake_redis  # listening, never accepting nor answering: a hung Redis
    settings.CELERY_BROKER_URL = url
    started = time.monotonic()
    response = client.get(reverse("health"))
    elapsed = time.monotonic() - started
    assert response.status_code == 200  # pages still work without the broker
    assert response.json() == {"status": "ok", "database": "ok", "broker": "down"}
    assert elapsed < 3 * health.BROKER_TIMEOUT_SECONDS


def test_broker_refusing_connections_is_down(client, settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    response = client.get(reverse("health"))
    assert response.json()["broker"] == "down"


def test_filesystem_broker_is_ok_when_its_folder_exists(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert client.get(reverse("health")).json()["broker"] == "ok"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert client.get(reverse("health")).json()["broker"] == "down"


def test_healthz_refuses_writes(client):
    assert client.post(reverse("health")).status_code == 405
