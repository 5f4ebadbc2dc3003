from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "走访慰问"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shuangyong.demo import register_demo_seeder
        from shuangyong.models import Role
        from shuangyong.navigation import register_home_panel, register_nav, register_waiting
        from visits import panels
        from visits.demo import seed_levels, seed_visits
        from visits.policy import LEDGER_ROLES, may_see_ledger
        from visits.reminders import register_reminders

        office = {Role.OFFICE, Role.ADMIN}
        units = {Role.TOWNSHIP_STAFF, Role.MEMBER_LIAISON}
        register_nav(
            "走访慰问活动", "visits:campaign_list", roles=office | units | {Role.LEADER}, order=30, group="走访慰问"
        )
        # The ledger is personal data: only township staff and the office see it (domain.md §4),
        # inside their county (an office above the county has none: docs/levels.md).
        register_nav(
            "联系工作台账",
            "visits:beneficiary_list",
            roles=LEDGER_ROLES,
            order=40,
            group="走访慰问",
            visible=may_see_ledger,
        )
        register_home_panel("visits/_panel_my_return.html", panels.my_return_panel, roles=units, order=10)
        # The office's review queue; a leader's home (the dashboard) shows the returns by unit.
        register_home_panel(
            "visits/_panel_returns_overview.html", panels.returns_overview_panel, roles=office, order=10
        )
        register_waiting("visits", panels.waiting_groups, roles=office | units, order=10)
        register_demo_seeder("visits", seed_visits, order=50)
        # The city above the demo county: after the county's own campaigns exist.
        register_demo_seeder("visits.levels", seed_levels, order=60)
        register_reminders()
