from django.apps import AppConfig


class ShuangyongConfig(AppConfig):
    name = "shuangyong"
    verbose_name = "组织与用户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shuangyong import navigation

        navigation.register_core_items()
        navigation.register_core_panels()
