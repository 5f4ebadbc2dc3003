from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from shuangyong.models import OrgUnit, User


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
