"""A cache outage costs speed, never a page (shuangyong/cache.py).

The production cache configuration (``cache_settings`` of the settings, the one ``REDIS_URL``
selects) pointed at a closed port: the leader's home, the dashboard and every Excel report still
answer 200 with their content, and the outage is logged once, not once per request.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from shuangyong.cache import outage
from shuangyong.settings.base import cache_settings

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = cache_settings(CLOSED_PORT)
    settings.DASHBOARD_CACHE_SECONDS = 60
    settings.REPORTS_WORKBOOK_CACHE_SECONDS = 600
    outage.down = False
    yield
    outage.down = False


def test_the_cache_itself_answers_not_cached_and_drops_writes(redis_down):
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.get_or_set("k", lambda: 42) == 42
    cache.delete("k")
    cache.clear()


def test_leader_pages_and_excel_reports_work_without_redis(
    redis_down, client_for, leader, office_user, campaign, caplog
):
    client = client_for(leader)
    with caplog.at_level(logging.WARNING, logger="shuangyong.cache"):
        home = client.get(reverse("home"))
        assert home.status_code == 200
        dashboard = client.get(reverse("reports:dashboard"))
        assert dashboard.status_code == 200
        assert "数据更新于" in dashboard.content.decode()
        downloads = [
            reverse("reports:county_workbook", args=[campaign.pk, "accepted"]),
            reverse("reports:unit_table", args=[campaign.pk, campaign.expected_units.first().pk]),
            reverse("reports:task_closure", args=[2027]),
        ]
        for url in downloads:
            for user in (leader, office_user):
                response = client_for(user).get(url)
                assert response.status_code == 200, url
                assert response["Content-Type"].startswith(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
                assert b"".join(response)[:2] == b"PK"
        client.get(reverse("reports:dashboard"))
    outages = [r for r in caplog.records if r.name == "shuangyong.cache"]
    assert len(outages) == 1, [r.getMessage() for r in outages]
    assert "缓存不可用" in outages[0].getMessage()
