from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Scale data for load tests and query budgets. No models: it writes through the other apps'
    models with bulk_create, so it sits at the top of the dependency chain (like reports)."""

    name = "scale"
    verbose_name = "规模数据"
    default_auto_field = "django.db.models.BigAutoField"
