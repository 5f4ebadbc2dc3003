from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "工作要点与双清单"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shuangyong.demo import register_demo_seeder
        from shuangyong.models import Role
        from shuangyong.navigation import register_home_panel, register_nav, register_waiting
        from tasks import demo, panels, reminders

        office = (Role.OFFICE, Role.ADMIN)
        units = (Role.TOWNSHIP_STAFF, Role.MEMBER_LIAISON, Role.TROOP_LIAISON)
        register_nav("工作任务", "tasks:task_board", order=10, group="任务")
        register_nav("我的任务", "tasks:my_tasks", roles=units, order=11, group="任务")
        register_nav("工作要点", "tasks:plan_list", roles=(*office, Role.LEADER), order=12, group="任务")
        register_nav("完成情况", "tasks:completion", roles=(*office, Role.LEADER), order=13, group="任务")
        register_nav("双清单", "tasks:dual_list", order=20, group="双清单")
        register_nav(
            "对账销号",
            "tasks:reconciliation_index",
            roles=(*office, Role.LEADER, Role.TROOP_LIAISON),
            order=21,
            group="双清单",
        )
        # A leader's home is the dashboard, which lists the overdue tasks and items already.
        not_leaders = [role for role in Role.values if role != Role.LEADER]
        register_home_panel("tasks/_panel_overdue.html", panels.overdue_panel, roles=not_leaders, order=20)
        # Every office level's own plans and the units it runs (a city: its counties), for its staff and leaders.
        register_home_panel("tasks/_panel_levels.html", panels.levels_panel, roles=(*office, Role.LEADER), order=15)
        register_waiting("tasks", panels.waiting_groups, roles=not_leaders, order=20)
        register_demo_seeder("tasks", demo.seed_tasks_demo, order=20)
        reminders.register_reminders()
