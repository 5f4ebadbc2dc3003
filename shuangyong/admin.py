import urllib.parse
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from shuangyong.chat import webhook_url_problem
from shuangyong.crypto import InvalidToken, decrypt, encrypt
from shuangyong.models import (
    ChatChannel,
    ChatPost,
    Notification,
    OrgUnit,
    Reminder,
    ReminderDelegation,
    ReminderPolicy,
    ReminderSnooze,
    User,
)


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
    """The site default (no 所属双拥办) and each office's own thresholds, which apply to the units
    under that office down to the next office with its own (the schedule itself is under 周期任务)."""

    list_display = [
        "__str__",
        "owner_unit",
        "days_before",
        "remind_on_due_day",
        "remind_overdue",
        "escalate_after_days",
        "close_confirm_after_days",
    ]
    list_select_related = ["owner_unit"]
    raw_id_fields = ["owner_unit"]

    def has_delete_permission(self, request: HttpRequest, obj: ReminderPolicy | None = None) -> bool:
        # An office's own may go (its units fall back to the office above); the default stays.
        return obj is not None and obj.owner_unit_id is not None


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


def masked_webhook_url(url: str) -> str:
    """scheme://host/path of a stored robot address: enough to tell robots apart, nothing of the
    query (key=…, access_token=…), a user name or password, nor a fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "（地址格式不正确）"
    if ":" in host:
        host = f"[{host}]"
    hidden = "?…" if parts.query or parts.fragment or parts.username or parts.password else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{hidden}"


class ChatChannelForm(forms.ModelForm):
    """The webhook address and secret are typed in plain and stored encrypted; an existing
    value is never shown again (leave the field empty to keep it)."""

    webhook_url = forms.URLField(
        label="Webhook 地址",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="机器人设置里复制的完整地址（企业微信/政务微信：…/webhook/send?key=…；钉钉：…/robot/send?access_token=…）。已保存的地址不再显示，留空即保持不变。",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    secret = forms.CharField(
        label="加签密钥",
        required=False,
        max_length=200,
        help_text="钉钉机器人“加签”的密钥（SEC 开头）；企业微信不需要。留空即保持不变。",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_secret = forms.BooleanField(label="清除加签密钥", required=False)

    class Meta:
        model = ChatChannel
        fields = ["office_unit", "kind", "name", "enabled"]

    def clean_webhook_url(self) -> str:
        url: str = self.cleaned_data.get("webhook_url") or ""
        problem = webhook_url_problem(url) if url else None
        if problem:
            raise forms.ValidationError(f"{problem}。")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("webhook_url")
            and "webhook_url" not in self.errors
            and not (self.instance.pk and self.instance.webhook_encrypted)
        ):
            self.add_error("webhook_url", "请填写机器人的 Webhook 地址。")
        unit = data.get("office_unit")
        if unit is not None and not unit.has_office:
            self.add_error("office_unit", "请选择一个双拥办（县、市、省）或乡镇、街道。")
        return data

    def save(self, commit: bool = True) -> ChatChannel:
        channel = super().save(commit=False)
        if self.cleaned_data.get("webhook_url"):
            channel.webhook_encrypted = encrypt(self.cleaned_data["webhook_url"])
        if self.cleaned_data.get("clear_secret"):
            channel.secret_encrypted = ""
        elif self.cleaned_data.get("secret"):
            channel.secret_encrypted = encrypt(self.cleaned_data["secret"])
        if commit:
            channel.save()
        return channel


@admin.register(ChatChannel)
class ChatChannelAdmin(SimpleHistoryAdmin):
    """群机器人: the office's group chat gets the daily overdue summary."""

    form = ChatChannelForm
    list_display = ["name", "office_unit", "kind", "masked_webhook", "has_secret", "enabled"]
    list_filter = ["kind", "enabled"]
    autocomplete_fields = ["office_unit"]
    fields = ["office_unit", "kind", "name", "webhook_url", "secret", "clear_secret", "enabled", "masked_webhook"]
    readonly_fields = ["masked_webhook"]

    @admin.display(description="已保存的地址")
    def masked_webhook(self, obj: ChatChannel) -> str:
        if not obj.webhook_encrypted:
            return "—"
        try:
            url = decrypt(obj.webhook_encrypted)
        except InvalidToken:
            return "无法解密（密钥已更换），请重新填写"
        return masked_webhook_url(url)

    @admin.display(description="加签", boolean=True)
    def has_secret(self, obj: ChatChannel) -> bool:
        return bool(obj.secret_encrypted)


@admin.register(ChatPost)
class ChatPostAdmin(admin.ModelAdmin):
    list_display = ["title", "channel", "day", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    readonly_fields = [
        "channel",
        "day",
        "title",
        "text",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    exclude = ["claim_token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReminderSnooze)
class ReminderSnoozeAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "user", "unit", "until", "reason", "cancelled_at"]
    list_select_related = ["user", "unit"]
    search_fields = ["subject", "user__username", "user__full_name", "reason"]
    readonly_fields = ["content_type", "object_id", "user", "unit", "subject", "url", "created_at"]


@admin.register(ReminderDelegation)
class ReminderDelegationAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "delegator", "delegate", "starts_on", "ends_on", "revoked_at"]
    list_select_related = ["unit", "delegator", "delegate"]
    raw_id_fields = ["unit", "delegator", "delegate"]
