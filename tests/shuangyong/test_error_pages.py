"""Chinese 404, 403 and 500 pages (DEBUG is off by default: tests/browser/test_run_defaults.py
checks the real ./run.sh settings)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_missing_and_forbidden_pages_are_in_chinese(client_for, township_a, township_b, settings):
    assert settings.DEBUG is False
    client = client_for(township_a)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    forbidden = client.get(reverse("tasks:plan_import"))
    assert forbidden.status_code == 403 and "无权操作" in forbidden.content.decode()


def test_the_500_page_needs_no_request_and_is_in_chinese():
    html = render_to_string("500.html")  # Django renders it without a context or a request
    assert "系统错误" in html and "返回首页" in html and "<style" not in html
