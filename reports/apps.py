from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from shuangyong.models import Role
        from shuangyong.navigation import register_home_panel, register_nav

        county_roles = {Role.OFFICE, Role.LEADER, Role.ADMIN}
        register_nav("领导看板", "reports:dashboard", roles=county_roles, order=5, group="报表")
        register_nav("统计报表", "reports:index", order=80, group="报表")
        # The leader's home page is the dashboard; the office gets the downloads one click away.
        register_home_panel("reports/_panel_dashboard.html", _dashboard_panel, roles={Role.LEADER}, order=1)
        office = {Role.OFFICE, Role.ADMIN}
        register_home_panel("reports/_panel_downloads.html", _downloads_panel, roles=office, order=50)


def _dashboard_panel(user: Any) -> dict[str, Any]:
    from reports.dashboard import cached_dashboard_for

    return {"board": cached_dashboard_for(user, campaign=None)}


def _downloads_panel(user: Any) -> dict[str, Any]:
    from django.utils import timezone

    from visits.selectors import current_campaign_for

    return {"campaign": current_campaign_for(user), "year": timezone.localdate().year}
