"""Walks every URL pattern of the project: an anonymous visitor is sent to the login page.

A view added without thinking about access is still protected by LoginRequiredMiddleware;
this test fails if someone opts a view out without adding it to PUBLIC below.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "health"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue  # the admin has its own login
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p.name, prefix + str(p.pattern)


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "999999", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


def test_every_url_redirects_anonymous_users_to_login(client):
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) >= 5
    for name, route in routes:
        if name in PUBLIC:
            continue
        url = _concrete(route)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, f"{name} {url} answered {response.status_code}"
            assert response.url.startswith("/accounts/login/"), f"{name} {url} -> {response.url}"
