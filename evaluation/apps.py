from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "双拥模范城（县）考评"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from evaluation import demo, panels, reminders
        from shuangyong.demo import register_demo_seeder
        from shuangyong.models import Role
        from shuangyong.navigation import register_nav, register_waiting

        readers = (Role.OFFICE, Role.ADMIN, Role.LEADER)
        register_nav("考评迎检", "evaluation:index", roles=readers, order=60, group="考评")
        register_nav("会议记录", "evaluation:meeting_list", roles=readers, order=61, group="考评")
        register_nav("经费凭证", "evaluation:budget_list", roles=readers, order=62, group="考评")
        register_nav(
            "成员单位材料", "evaluation:documents", roles=(*readers, Role.MEMBER_LIAISON), order=63, group="考评"
        )
        register_waiting("evaluation", panels.waiting_groups, roles=(Role.MEMBER_LIAISON,), order=30)
        register_demo_seeder("evaluation", demo.seed_evaluation_demo, order=60)
        reminders.register_reminders()
