from django.apps import AppConfig


class ShuangyongConfig(AppConfig):
    name = "shuangyong"
    verbose_name = "组织与用户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shuangyong import checks, lookups, navigation  # noqa: F401 — checks registers the deploy checks

        lookups.register()
        navigation.register_core_items()
        navigation.register_core_panels()
