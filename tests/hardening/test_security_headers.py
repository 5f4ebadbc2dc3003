"""Every response carries a Content-Security-Policy that allows nothing inline, and a
Permissions-Policy; the templates contain nothing that policy would break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse

from shuangyong.models import Role
from shuangyong.security_headers import CONTENT_SECURITY_POLICY, ERROR_PAGE, inline_style_hashes
from tests.factories import UserFactory
from tests.shuangyong.test_every_url_needs_login import _concrete, _walk

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def assert_headers(response, what: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, what
    policy = response.headers.get("Permissions-Policy", "")
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy, what


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_url_pattern_answers_with_both_headers(office_user, township_a):
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 40
    clients = {"anonymous": Client(), "office": logged_in(office_user), "township": logged_in(township_a)}
    for name, route in routes:
        url = _concrete(route)
        for who, c in clients.items():
            assert_headers(c.get(url), f"{who} GET {name} {url}")


def test_real_pages_downloads_and_the_admin(office_user, leader, township_a, county):
    system_admin = UserFactory(org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)
    pages = [
        (logged_in(leader), reverse("home")),
        (logged_in(leader), reverse("reports:dashboard")),
        (logged_in(leader), reverse("reports:task_closure", args=[2027])),
        (logged_in(office_user), reverse("tasks:task_board")),
        (logged_in(office_user), reverse("tasks:dual_list")),
        (logged_in(township_a), reverse("visits:beneficiary_list")),
        (logged_in(system_admin), "/admin/"),
        (logged_in(township_a), reverse("login")),
    ]
    for c, url in pages:
        response = c.get(url)
        assert response.status_code in (200, 302), url
        assert_headers(response, url)


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_nothing_inline_that_the_policy_would_block():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path == ERROR_PAGE:
            # Its <style> is allowed by hash (the page must render when static files fail).
            assert all(h in CONTENT_SECURITY_POLICY for h in inline_style_hashes(path))
            text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(TEMPLATES)}: {what}: {match.group(0)!r}")
    assert not found, "\n".join(found)


def test_the_policy_itself():
    assert CONTENT_SECURITY_POLICY.startswith("default-src 'self'")
