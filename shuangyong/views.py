from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shuangyong.access import keeps_unit_settings, require_role, writes_allowed_for_read_only_roles
from shuangyong.forms import OfficeUnitForm, OrgUnitContactForm, apply_service_errors
from shuangyong.models import Role
from shuangyong.navigation import panels_for
from shuangyong.selectors import get_unit_for, units_for
from shuangyong.services import office_unit_update, org_unit_update_contact, user_set_large_text
from shuangyong.types import AuthedRequest


def home(request: AuthedRequest) -> HttpResponse:
    """The role's home page: each app contributes the panels of what is waiting for this user."""
    panels = []
    for panel in panels_for(request.user):
        context = panel.context(request.user)
        if context is not None:
            panels.append({"template": panel.template, "context": context})
    return render(request, "shuangyong/home.html", {"panels": panels})


@method_decorator(writes_allowed_for_read_only_roles, name="dispatch")
class LogoutView(auth_views.LogoutView):
    pass


@method_decorator(writes_allowed_for_read_only_roles, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


def unit_list(request: AuthedRequest) -> HttpResponse:
    """The unit directory: the user's unit and every unit below it, with contacts."""
    page = Paginator(units_for(request.user).order_by("path"), 50).get_page(request.GET.get("page"))
    return render(request, "shuangyong/unit_list.html", {"page": page})


def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for(request.user, pk)
    users = unit.users.filter(is_active=True).order_by("role", "username")
    own_office = keeps_unit_settings(request.user, unit)
    return render(request, "shuangyong/unit_detail.html", {"unit": unit, "users": users, "own_office": own_office})


def unit_contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for(request.user, pk)
    if unit != request.user.org_unit:
        # Only the unit itself or the office keeps a unit's contact details.
        require_role(request.user, Role.OFFICE, Role.ADMIN, message="只有本单位或双拥办可以修改联系人。")
    own_office = keeps_unit_settings(request.user, unit)
    form_class = OfficeUnitForm if own_office else OrgUnitContactForm
    form = form_class(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            if own_office:
                office_unit_update(user=request.user, unit=unit, **form.cleaned_data)
            else:
                org_unit_update_contact(unit=unit, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "联系人信息已保存。")
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "shuangyong/unit_contact_form.html", {"unit": unit, "form": form})


@require_POST
@writes_allowed_for_read_only_roles  # a leader may enlarge the text too: it changes no record
def large_text_switch(request: AuthedRequest) -> HttpResponse:
    """The header's 大字模式 switch: kept on the account, then back to the page it was pressed on."""
    enabled = request.POST.get("large_text") == "1"
    user_set_large_text(user=request.user, enabled=enabled)
    messages.success(request, "已开启大字模式。" if enabled else "已关闭大字模式。")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("home")
    return redirect(back)
