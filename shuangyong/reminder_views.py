"""Pages for snoozing a reminder and delegating a unit's reminders (all in Chinese, scoped).

- everyone: their snoozes, and snoozing an item from a reminder in the notification centre;
- a unit head: delegating the unit's reminders to a colleague, revoking it;
- the office (and leaders, read-only): every snooze (with its reason) and delegation in scope;
- the office of any level: its own reminder thresholds for the units under it (本单位提醒规则).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangyong.concurrency import VersionedForm
from shuangyong.forms import BootstrapFormMixin
from shuangyong.models import SNOOZE_MAX_DAYS, ReminderPolicy, Role, User
from shuangyong.notifications import get_notification_for
from shuangyong.reminder_selectors import delegations_for, office_policy_for, snoozes_for
from shuangyong.reminder_services import (
    delegate_choices,
    may_cancel_snooze,
    may_revoke_delegation,
    may_set_office_policy,
    office_reminder_policy_save,
    reminder_delegation_create,
    reminder_delegation_revoke,
    reminder_snooze_cancel,
    reminder_snooze_create,
    snoozable,
)
from shuangyong.types import AuthedRequest

PAGE_SIZE = 20


class SnoozeForm(BootstrapFormMixin, forms.Form):
    days = forms.TypedChoiceField(
        label="暂停天数",
        choices=[(n, f"{n} 天") for n in range(1, SNOOZE_MAX_DAYS + 1)],
        coerce=int,
        initial=3,
        error_messages={"invalid_choice": f"暂停天数为 1 至 {SNOOZE_MAX_DAYS} 天。", "required": "请选择暂停天数。"},
    )
    reason = forms.CharField(
        label="理由（双拥办可以看到）",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写暂停理由（双拥办可以看到）。", "max_length": "理由最多 200 字。"},
    )


class DelegationForm(BootstrapFormMixin, forms.Form):
    delegate = forms.ModelChoiceField(
        label="受托人",
        queryset=User.objects.none(),
        error_messages={"required": "请选择受托人。", "invalid_choice": "受托人须是本单位在用的其他工作人员。"},
    )
    starts_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请填写正确的日期。", "required": "请填写开始日期。"},
    )
    ends_on = forms.DateField(
        label="结束日期（含）",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请填写正确的日期。", "required": "请填写结束日期。"},
    )
    reason = forms.CharField(
        label="事由",
        max_length=200,
        error_messages={"required": "请填写委托事由，如：外出学习。", "max_length": "事由最多 200 字。"},
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["delegate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in delegate_choices(user)]).order_by(
            "full_name", "username"
        )
        field.label_from_instance = lambda u: u.display_name  # type: ignore[method-assign,assignment]


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError at the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def reminder_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    snoozes = Paginator(snoozes_for(user).order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    delegations = Paginator(delegations_for(user).order_by("-starts_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("dpage")
    )
    for s in snoozes:
        s.active = s.is_active_on(today)  # type: ignore[attr-defined]
        s.can_cancel = s.active and may_cancel_snooze(user, s) and not user.is_read_only  # type: ignore[attr-defined]
    for d in delegations:
        d.active = d.revoked_at is None and d.ends_on >= today  # type: ignore[attr-defined]
        d.can_revoke = d.active and may_revoke_delegation(user, d)  # type: ignore[attr-defined]
    context = {
        "snoozes": snoozes,
        "delegations": delegations,
        "page": snoozes,
        "sees_all": user.is_office or user.is_read_only,
        "can_delegate": user.is_unit_head and not user.is_read_only,
    }
    return render(request, "shuangyong/reminder_settings.html", context)


def snooze_create(request: AuthedRequest, notification_pk: int) -> HttpResponse:
    note = get_notification_for(request.user, notification_pk)
    if not snoozable(note):
        raise PermissionDenied("只能暂停发给您本人的事项提醒。")
    form = SnoozeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            snooze = reminder_snooze_create(
                user=request.user, notification=note, days=form.cleaned_data["days"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, f"已暂停“{snooze.subject}”的提醒至{snooze.until:%Y年%m月%d日}。")
            return redirect("reminder_settings")
    return render(request, "shuangyong/snooze_form.html", {"form": form, "note": note})


@require_POST
def snooze_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    snooze = get_object_or_404(snoozes_for(request.user), pk=pk)
    reminder_snooze_cancel(user=request.user, snooze=snooze)
    messages.success(request, f"已取消“{snooze.subject}”的暂停，之后照常提醒。")
    return redirect("reminder_settings")


def delegation_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.is_unit_head or user.is_read_only:
        raise PermissionDenied("只有单位负责人可以委托本单位的提醒。")
    form = DelegationForm(request.POST or None, user=user, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            delegation = reminder_delegation_create(user=user, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                f"已将本单位的提醒委托给{delegation.delegate.display_name}（{delegation.starts_on}至{delegation.ends_on}）。",
            )
            return redirect("reminder_settings")
    return render(request, "shuangyong/delegation_form.html", {"form": form})


@require_POST
def delegation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(delegations_for(request.user), pk=pk)
    reminder_delegation_revoke(user=request.user, delegation=delegation)
    messages.success(request, "已撤销委托，本单位的提醒恢复发给本单位人员。")
    return redirect("reminder_settings")


class OfficePolicyForm(BootstrapFormMixin, VersionedForm):
    """The office's settings, with the model's labels, help and validators (the row itself, and
    its owner, are the service's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(ReminderPolicy, fields=ReminderPolicy.OFFICE_FIELDS))
        for name in ReminderPolicy.OFFICE_FIELDS:
            widget = self.fields[name].widget
            is_check = isinstance(widget, forms.CheckboxInput)
            widget.attrs.setdefault("class", "form-check-input" if is_check else "form-control")


def office_policy(request: AuthedRequest) -> HttpResponse:
    """本单位提醒规则: an office (any level) sets the thresholds of the units under it; its leaders
    read them. Without its own, the office above's (or the site default) applies and is shown."""
    user = request.user
    unit = user.org_unit
    if unit is None or not unit.has_office or user.role not in (Role.OFFICE, Role.ADMIN, Role.LEADER):
        raise PermissionDenied("只有双拥办可以查看本单位的提醒规则。")
    policy, source = office_policy_for(unit)
    own = source is not None and source.pk == unit.pk
    initial = {name: getattr(policy, name) for name in ReminderPolicy.OFFICE_FIELDS}
    initial["version"] = policy.version if own else None
    form = OfficePolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ReminderPolicy.OFFICE_FIELDS}
        try:
            office_reminder_policy_save(user=user, version=form.cleaned_data.get("version"), **values)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "本单位的提醒规则已保存，下次扫描起对本单位及下级单位的事项生效。")
            return redirect("office_reminder_policy")
    context = {
        "form": form,
        "own": own,
        "source": source,
        "can_edit": may_set_office_policy(user),
    }
    return render(request, "shuangyong/office_reminder_policy.html", context)


urlpatterns = [
    path("", reminder_settings, name="reminder_settings"),
    path("policy/", office_policy, name="office_reminder_policy"),
    path("snooze/<int:notification_pk>/", snooze_create, name="snooze_create"),
    path("snoozes/<int:pk>/cancel/", snooze_cancel, name="snooze_cancel"),
    path("delegations/new/", delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/revoke/", delegation_revoke, name="delegation_revoke"),
]
