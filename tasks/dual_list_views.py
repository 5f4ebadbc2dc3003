"""Pages of the 双清单: the list, an item and its workflow, the 对账 page, Excel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangyong.access import require_role
from shuangyong.forms import apply_service_errors
from shuangyong.models import OrgUnit, Role
from shuangyong.spreadsheets import xlsx_response
from shuangyong.types import AuthedRequest
from tasks import dual_list_services as dls
from tasks import exports, policy, selectors
from tasks.forms import (
    AssignForm,
    DualListCategoryForm,
    DualListFilterForm,
    DualListItemForm,
    EmptyForm,
    RequestCloseForm,
    SendBackForm,
    task_units_for,
)
from tasks.history import history_rows
from tasks.models import DualListDirection, DualListItem, today_shanghai
from tasks.resources import DualListItemResource, export_xlsx
from tasks.views import excel_import

PAGE_SIZE = 30
# Every field a person edits (by hand or by import) or the 对账销号 workflow moves.
DUAL_ITEM_HISTORY_FIELDS = [
    "year",
    "direction",
    "content",
    "category",
    "proposing_side",
    "responsible_unit",
    "troop_unit",
    "deadline",
    "quality_requirement",
    "state",
    "completion_note",
    "receiver_confirmed_by",
    "office_confirmed_by",
]


def dual_list(request: AuthedRequest) -> HttpResponse:
    form = DualListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.dual_list_items_for(request.user)
    if filters.get("year"):
        items = items.filter(year=filters["year"])
    if filters.get("direction"):
        items = items.filter(direction=filters["direction"])
    if filters.get("state"):
        items = items.filter(state=filters["state"])
    if filters.get("overdue"):
        items = items.overdue()
    page = Paginator(items.order_by("-year", "troop_unit__path", "direction", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_create = policy.may_propose_dual_list_item(request.user)
    return render(request, "tasks/dual_list.html", {"form": form, "page": page, "can_create": can_create})


def dual_item_create(request: AuthedRequest) -> HttpResponse:
    if not policy.may_propose_dual_list_item(request.user):
        require_role(request.user, Role.OFFICE, Role.ADMIN, message="只有双拥办或部队联络员可以提出事项。")
    units = task_units_for(request.user)
    form = DualListItemForm(
        request.POST or None,
        user=request.user,
        units=units,
        categories=selectors.categories_for(request.user).filter(is_active=True),
        initial={"year": today_shanghai().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = dls.dual_list_item_create(user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "事项已提出。")
            return redirect("tasks:dual_item_detail", pk=item.pk)
    return render(request, "tasks/dual_item_form.html", {"form": form})


def dual_item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.get_dual_list_item_for(request.user, pk)
    actions = policy.allowed_actions(request.user, item)
    forms: dict[str, Any] = {}
    if "assign" in actions:
        forms["assign"] = AssignForm(
            units=task_units_for(request.user),
            initial={"responsible_unit": item.responsible_unit_id, "deadline": item.deadline, "version": item.version},
        )
    if "request_close" in actions:
        forms["request_close"] = RequestCloseForm()
    if "send_back" in actions:
        forms["send_back"] = SendBackForm()
    return render(
        request,
        "tasks/dual_item_detail.html",
        {
            "item": item,
            "actions": actions,
            "forms": forms,
            "transitions": item.transitions.select_related("user"),
            "evidence": item.evidence.all(),
            "carried_to": DualListItem.objects.filter(carried_over_from=item).first(),
            "history": history_rows(
                item.history.select_related("history_user").order_by("history_date", "history_id"),
                DualListItem,
                DUAL_ITEM_HISTORY_FIELDS,
            ),
        },
    )


def _run(request: AuthedRequest, item: DualListItem, action: str) -> Callable[[dict[str, Any]], object]:
    user = request.user
    runners: dict[str, Callable[[dict[str, Any]], object]] = {
        "assign": lambda d: dls.dual_list_item_assign(
            user=user, item=item, responsible_unit=d["responsible_unit"], deadline=d["deadline"], version=d["version"]
        ),
        "start": lambda d: dls.dual_list_item_start(user=user, item=item),
        "request_close": lambda d: dls.dual_list_item_request_close(
            user=user, item=item, note=d["note"], files=d["attachments"]
        ),
        "confirm": lambda d: dls.dual_list_item_confirm(user=user, item=item),
        "send_back": lambda d: dls.dual_list_item_send_back(user=user, item=item, reason=d["reason"]),
    }
    return runners[action]


@require_POST
def dual_item_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One workflow step; the service checks role and state and refuses anything else."""
    item = selectors.get_dual_list_item_for(request.user, pk)
    if action not in policy.TRANSITIONS:
        raise Http404("没有这个操作。")
    if not policy.has_role_for(request.user, item, action):
        raise PermissionDenied(f"您无权对该事项执行“{policy.TRANSITIONS[action].label}”。")
    form: Any
    if action == "assign":
        form = AssignForm(request.POST, units=task_units_for(request.user))
    elif action == "request_close":
        form = RequestCloseForm(request.POST, request.FILES)
    elif action == "send_back":
        form = SendBackForm(request.POST)
    else:
        form = EmptyForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("tasks:dual_item_detail", pk=item.pk)
    try:
        _run(request, item, action)(form.cleaned_data)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        item.refresh_from_db()
        messages.success(request, f"已{policy.TRANSITIONS[action].label}，事项当前状态：{item.get_state_display()}。")
    return redirect("tasks:dual_item_detail", pk=item.pk)


# ------------------------------------------------------------------------------------------
# 对账


def _troop_for(request: AuthedRequest, troop_pk: int) -> OrgUnit:
    """A troop whose items the user may see (its own liaison, the office, a responsible unit)."""
    return get_object_or_404(selectors.troops_for(request.user), pk=troop_pk)


def _reconciliation_rows(request: AuthedRequest, troop: OrgUnit, year: int) -> dict[str, list[DualListItem]]:
    items = (
        selectors.dual_list_items_for(request.user)
        .filter(troop_unit=troop, year=year)
        .select_related("carried_over_from")
        .order_by("id")
    )
    rows: dict[str, list[DualListItem]] = {d.value: [] for d in DualListDirection}
    for item in items:
        rows[item.direction].append(item)
    return rows


def reconciliation_index(request: AuthedRequest) -> HttpResponse:
    """Each troop the user may reconcile with, and the years in which it has items."""
    this_year = today_shanghai().year
    years = selectors.reconciliation_years(request.user)
    troops = [(troop, years.get(troop.pk) or [this_year]) for troop in selectors.troops_for(request.user)]
    return render(request, "tasks/reconciliation_index.html", {"troops": troops})


def reconciliation(request: AuthedRequest, troop_pk: int, year: int) -> HttpResponse:
    troop = _troop_for(request, troop_pk)
    rows = _reconciliation_rows(request, troop, year)
    return render(
        request,
        "tasks/reconciliation.html",
        {
            "troop": troop,
            "year": year,
            "to_troops": rows[DualListDirection.TO_TROOPS],
            "to_locality": rows[DualListDirection.TO_LOCALITY],
            "unfinished": sum(1 for r in rows.values() for i in r if i.state != "closed"),
        },
    )


def reconciliation_export(request: AuthedRequest, troop_pk: int, year: int) -> HttpResponse:
    """The printable 对账单: both lists, numbered, with a signature and stamp block for both sides."""
    troop = _troop_for(request, troop_pk)
    rows = _reconciliation_rows(request, troop, year)
    content = exports.reconciliation_xlsx(troop=troop, year=year, rows=rows)
    return xlsx_response(content, exports.reconciliation_filename(troop=troop, year=year))


@require_POST
def carry_over(request: AuthedRequest, troop_pk: int, year: int) -> HttpResponse:
    troop = _troop_for(request, troop_pk)
    created = dls.dual_list_carry_over(user=request.user, troop_unit=troop, year=year)
    if created:
        messages.success(request, f"已将 {len(created)} 项未完成事项结转到 {year + 1} 年。")
    else:
        messages.info(request, "没有需要结转的事项（已全部销号或已结转）。")
    return redirect("tasks:reconciliation", troop_pk=troop.pk, year=year + 1)


def categories(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """An office keeps its own categories; the shared defaults are listed, read-only. Another
    office's category does not exist for this user (404), even before the role is checked."""
    category = get_object_or_404(selectors.own_categories_for(request.user), pk=pk) if pk else None
    require_role(request.user, Role.OFFICE, Role.ADMIN, message="只有双拥办可以维护类别。")
    form = DualListCategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            dls.dual_list_category_save(user=request.user, category=category, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "类别已保存。")
            return redirect("tasks:dual_categories")
    return render(
        request,
        "tasks/dual_categories.html",
        {
            "form": form,
            "category": category,
            "categories": selectors.categories_for(request.user, office=request.user.org_unit),
        },
    )


# ------------------------------------------------------------------------------------------
# Excel import/export through django-import-export


def dual_list_export(request: AuthedRequest) -> HttpResponse:
    content = export_xlsx(DualListItemResource(user=request.user))
    return xlsx_response(content, f"双清单_{today_shanghai():%Y%m%d}.xlsx")


def dual_list_import(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.OFFICE, Role.ADMIN, message="只有双拥办可以导入双清单。")
    return excel_import(
        request,
        DualListItemResource(user=request.user),
        title="导入双清单（Excel）",
        back="tasks:dual_list",
        done=lambda result: "导入完成：新增 {new} 项，更新 {update} 项。".format(
            new=result.totals.get("new", 0), update=result.totals.get("update", 0)
        ),
    )
