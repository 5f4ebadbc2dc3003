from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from shuangyong.models import Notification, OrgUnit, Reminder, ReminderPolicy, User


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["indented_name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        return "　" * (obj.depth - 1) + obj.name


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "org_unit", "role", "is_unit_head", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_unit_head", "org_unit__kind"]
    search_fields = ["username", "full_name", "org_unit__name", "phone"]
    autocomplete_fields = ["org_unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email", "phone")}),
        ("单位与角色", {"fields": ("org_unit", "role", "is_unit_head")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "org_unit", "role", "password1", "password2")},
        ),
    )


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(SimpleHistoryAdmin):
    """One row: the office's reminder thresholds (the schedule itself is under 周期任务)."""

    list_display = ["__str__", "days_before", "remind_on_due_day", "remind_overdue", "escalate_after_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: ReminderPolicy | None = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["threshold", "deadline", "recipient", "content_type", "object_id", "claimed_at"]
    list_filter = ["threshold", "content_type"]
    search_fields = ["recipient__username", "recipient__full_name"]
    date_hierarchy = "claimed_at"
    list_select_related = ["recipient", "content_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "delivery_state", "delivery_attempts"]
    list_filter = ["delivery_state"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = ["delivery_token", "delivery_claimed_at", "delivered_via", "delivery_error", "reminder"]
    raw_id_fields = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
