"""Campaigns, visit records and returns (填报)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shuangyong.access import is_office_of, require_role, within_personal_data_boundary
from shuangyong.forms import apply_service_errors
from shuangyong.models import OrgUnit, Role
from shuangyong.selectors import units_for
from shuangyong.types import AuthedRequest
from visits import exports
from visits.forms import (
    DIFFICULTY_LINES_MAX,
    CampaignForm,
    DifficultySolvedFormSet,
    NextYearForm,
    ReturnSubmitForm,
    ReviewForm,
    VisitRecordForm,
    difficulties_from,
    person_label,
)
from visits.history import campaign_history, record_history, return_history
from visits.levels import duplicates_across_units, expected_unit_choices, own_duplicates_elsewhere, upward_return_of
from visits.models import Campaign, Return, VisitRecord, rolls_up
from visits.policy import (
    RECORD_ROLES,
    may_enter_records,
    may_review_returns,
    may_run_campaign,
    may_see_ledger,
    record_editable,
)
from visits.selectors import (
    campaign_overview,
    campaigns_listed_for,
    get_campaign_for,
    get_return_for,
    get_visit_record_for,
    has_campaign_records,
    money_duplicates,
    person_matches,
    record_people_for,
    records_visible_for,
    unit_difficulties_summary,
    unit_records_summary,
    visit_records_for,
)
from visits.services import (
    campaign_create,
    campaign_update,
    campaigns_create_for_year,
    ensure_return_editable,
    return_accept,
    return_reopen,
    return_send_back,
    return_submit,
    return_submit_errors,
    visit_record_create,
    visit_record_delete,
    visit_record_update,
)
from visits.views_levels import office_return_page

OFFICE = (Role.OFFICE, Role.ADMIN)


# --- campaigns ----------------------------------------------------------------------------


def campaign_list(request: AuthedRequest) -> HttpResponse:
    campaigns = campaigns_listed_for(request.user).annotate(unit_count=Count("expected_units"))
    next_year = NextYearForm(initial={"year": timezone.localdate().year + 1})
    return render(request, "visits/campaign_list.html", {"campaigns": campaigns, "next_year_form": next_year})


@require_POST
def campaign_next_year(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *OFFICE, message="只有双拥办可以创建活动。")
    form = NextYearForm(request.POST)
    if form.is_valid():
        created = campaigns_create_for_year(
            user=request.user, year=form.cleaned_data["year"], expected_units=list(expected_unit_choices(request.user))
        )
        if created:
            messages.success(request, "已创建：" + "、".join(c.title for c in created) + "。请核对日期。")
        else:
            messages.info(request, "该年度的春节和八一活动都已存在。")
    return redirect("visits:campaign_list")


def campaign_create_view(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *OFFICE, message="只有双拥办可以创建活动。")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            return redirect("visits:campaign_detail", pk=campaign.pk)
    return render(request, "visits/campaign_form.html", {"form": form})


def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    require_role(request.user, *OFFICE, message="只有双拥办可以修改活动。")
    if not may_run_campaign(request.user, campaign):
        raise PermissionDenied("只有组织该活动的双拥办可以修改活动。")
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(user=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "活动已保存。")
            return redirect("visits:campaign_detail", pk=campaign.pk)
    return render(request, "visits/campaign_form.html", {"form": form, "campaign": campaign})


def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The office (and leaders) see every unit's return state; a unit goes to its own return."""
    campaign = get_campaign_for(request.user, pk)
    unit = request.user.org_unit
    if may_enter_records(request.user) and not request.user.is_office and unit is not None:
        return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    overview = campaign_overview(user=request.user, campaign=campaign)
    history = campaign_history(campaign)
    context = {
        "campaign": campaign,
        "overview": overview,
        "history": history,
        "upward": upward_return_of(campaign),
        "runs_it": is_office_of(request.user, campaign.owner_unit),
        # Above a county only the office's own record units' rows exist (a city's member units).
        "has_records": has_campaign_records(request.user, campaign),
    }
    return render(request, "visits/campaign_detail.html", context)


def campaign_duplicates(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    require_role(request.user, *OFFICE, message="只有双拥办可以查看重复发放核查。")
    context = {
        "campaign": campaign,
        "duplicates": money_duplicates(user=request.user, campaign=campaign),
        # Across the units of linked campaigns: pairs of units and a number, no one named …
        "across": duplicates_across_units(user=request.user, campaign=campaign),
        # … and, for an office whose campaign is linked above, its own records involved.
        "own_elsewhere": own_duplicates_elsewhere(user=request.user, campaign=campaign),
        "show_person": may_see_ledger(request.user),
    }
    return render(request, "visits/campaign_duplicates.html", context)


def campaign_records_export(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    records = visit_records_for(request.user).filter(campaign=campaign).order_by("org_unit__path", "visit_date", "pk")
    # Above the county there is no ledger: not even an empty ID-number column.
    dataset = exports.visit_records_dataset(
        records,
        show_beneficiary=may_see_ledger(request.user),
        beneficiary_column=within_personal_data_boundary(request.user),
    )
    return exports.xlsx_response(dataset, f"{campaign.title}走访记录.xlsx")


# --- a unit's return ------------------------------------------------------------------------


def _unit_for(request: AuthedRequest, unit_pk: int) -> OrgUnit:
    return get_object_or_404(units_for(request.user), pk=unit_pk)


def _record_unit_for(request: AuthedRequest, unit_pk: int) -> OrgUnit:
    """A unit whose records (people) the user may see: not a unit inside a county below the user."""
    unit = _unit_for(request, unit_pk)
    if not records_visible_for(request.user, unit):
        raise Http404("走访记录含个人信息，仅本区县可见。")
    return unit


# An import can add thousands of records to one unit. 20 cards are five or six screens on a
# phone; the totals above the list count every record. (50 cost 15 ms more to render per page
# at province scale, and this is the page township staff open most: bench/README.md.)
RECORDS_PER_PAGE = 20


def unit_return(request: AuthedRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    unit = _unit_for(request, unit_pk)
    if rolls_up(unit):  # an office unit's return is its table, not records (docs/levels.md)
        return office_return_page(request, campaign, unit)
    return _unit_return_page(request, campaign, unit, submit_form=None)


def _unit_return_page(
    request: AuthedRequest, campaign: Campaign, unit: OrgUnit, *, submit_form: ReturnSubmitForm | None
) -> HttpResponse:
    ret = Return.objects.filter(campaign=campaign, org_unit=unit).select_related("submitted_by").first()
    summary = unit_records_summary(user=request.user, campaign=campaign, org_unit=unit)
    # An office above the county sees the return, its state and its totals, not the records (people).
    records_hidden = not records_visible_for(request.user, unit)
    page = None
    if not records_hidden:
        records = visit_records_for(request.user).filter(campaign=campaign, org_unit=unit)
        paginator = Paginator(records.order_by("-visit_date", "-pk"), RECORDS_PER_PAGE)
        paginator.count = summary["count"]  # type: ignore[misc,assignment]  # the summary counted them already
        page = paginator.get_page(request.GET.get("page"))
    editable = (ret is None or ret.is_editable) and not records_hidden
    context = {
        "campaign": campaign,
        "unit": unit,
        "ret": ret,
        "records": page.object_list if page is not None else [],
        "page": page,
        "records_hidden": records_hidden,
        "summary": summary,
        "can_enter": editable and may_enter_records(request.user),
        "submit_form": submit_form
        or ReturnSubmitForm(initial={"summary": ret.summary if ret else "", "version": ret.version if ret else None}),
        "history": return_history(ret),
        "show_person": may_see_ledger(request.user),
        "can_review": may_review_returns(request.user, campaign),
    }
    return render(request, "visits/unit_return.html", context)


@require_POST
def unit_return_submit(request: AuthedRequest, pk: int, unit_pk: int) -> HttpResponse:
    """Two steps: the unit's form shows what will be sent (records, people, money, difficulties,
    the 书面小结) and asks to confirm; only the confirmed form submits."""
    campaign = get_campaign_for(request.user, pk)
    unit = _record_unit_for(request, unit_pk)  # a unit's own return, sent from inside its county
    form = ReturnSubmitForm(request.POST)
    if "back" in request.POST:  # back from the confirmation step, with what was typed
        return _unit_return_page(
            request, campaign, unit, submit_form=ReturnSubmitForm(initial={**request.POST.dict(), "confirmed": False})
        )
    if form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            return_submit(
                user=request.user,
                campaign=campaign,
                org_unit=unit,
                version=form.cleaned_data["version"],
                no_visits=form.cleaned_data["no_visits"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, "填报已提交，等待双拥办审核。")
        return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    if form.is_valid():
        ret = Return.objects.filter(campaign=campaign, org_unit=unit).first()
        summary = unit_records_summary(user=request.user, campaign=campaign, org_unit=unit)
        errors = return_submit_errors(
            campaign=campaign, has_records=bool(summary["count"]), no_visits=form.cleaned_data["no_visits"]
        )
        if ret is not None and not ret.is_editable:
            errors = {"": f"填报状态为“{ret.get_status_display()}”，不能再次提交。"}
        for name, message in errors.items():
            form.add_error(name or None, message)
        if not errors:
            today = timezone.localdate()
            context = {
                "campaign": campaign,
                "unit": unit,
                "form": form,
                "summary": summary,
                "difficulties": unit_difficulties_summary(user=request.user, campaign=campaign, org_unit=unit),
                "early_warning": campaign.early_submission_message(today),
                "late": today > campaign.return_deadline,
            }
            return render(request, "visits/return_confirm.html", context)
    return _unit_return_page(request, campaign, unit, submit_form=form)


def _review(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    ret = get_return_for(request.user, pk)
    require_role(request.user, *OFFICE, message="只有双拥办可以审核填报。")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的数据有误，请刷新页面后重试。")
        return redirect("visits:unit_return", pk=ret.campaign_id, unit_pk=ret.org_unit_id)
    reason, version = form.cleaned_data["reason"], form.cleaned_data["version"]
    try:
        if action == "accept":
            return_accept(user=request.user, ret=ret, version=version)
            messages.success(request, f"{ret.org_unit.name}的填报已审核。")
        elif action == "send_back":
            return_send_back(user=request.user, ret=ret, reason=reason, version=version)
            messages.success(request, f"已退回{ret.org_unit.name}的填报。")
        else:
            return_reopen(user=request.user, ret=ret, reason=reason, version=version)
            messages.success(request, f"已重新打开{ret.org_unit.name}的填报。")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("visits:unit_return", pk=ret.campaign_id, unit_pk=ret.org_unit_id)


@require_POST
def return_accept_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "accept")


@require_POST
def return_send_back_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "send_back")


@require_POST
def return_reopen_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "reopen")


# --- visit records ------------------------------------------------------------------------


def _record_form_page(request: AuthedRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "visits/record_form.html", context)


def _locked_message(ret: Return | None) -> str | None:
    """Why the unit's records cannot change now (the form is not even shown), or None."""
    try:
        if ret is not None:
            ensure_return_editable(ret)
    except ValidationError as e:
        return e.messages[0]
    return None


def record_create(request: AuthedRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    unit = _record_unit_for(request, unit_pk)
    require_role(request.user, *RECORD_ROLES, message="您的角色不能填写走访记录。")
    locked = _locked_message(Return.objects.filter(campaign=campaign, org_unit=unit).first())
    if request.method == "GET" and locked:
        messages.error(request, locked)
        return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    people = record_people_for(request.user, unit)
    search_url = reverse("visits:person_search", args=[unit.pk])
    form = VisitRecordForm(
        _record_data(request),
        initial=_record_initial(request) or _kept_for_next_record(request, campaign),
        campaign=campaign,
        beneficiaries=people,
        search_url=search_url,
    )
    formset = _difficulty_formset(request)
    if form.is_bound and form.is_valid() and formset.is_valid():
        try:
            visit_record_create(
                user=request.user,
                campaign=campaign,
                org_unit=unit,
                difficulties=difficulties_from(formset),
                **form.record_fields(),
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "走访记录已保存。")
            if "add_another" in request.POST:
                # The next record of the same outing: keep its date and 带队领导.
                kept = {"visit_date": form.cleaned_data["visit_date"].isoformat()}
                if form.cleaned_data["lead_leader"]:
                    kept["lead_leader"] = form.cleaned_data["lead_leader"]
                url = reverse("visits:record_create", args=[campaign.pk, unit.pk])
                return redirect(f"{url}?{urlencode(kept)}")
            return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    context = {"form": form, "formset": formset, "campaign": campaign, "unit": unit}
    return _record_form_page(request, context)


def _adding_a_line(request: AuthedRequest) -> bool:
    """ "＋ 再加一行" without JavaScript: the form comes back, as typed, with one more empty line."""
    return request.method == "POST" and "add_line" in request.POST


def _record_data(request: AuthedRequest) -> Any:
    return request.POST if request.method == "POST" and not _adding_a_line(request) else None


def _record_initial(request: AuthedRequest) -> dict[str, Any]:
    return request.POST.dict() if _adding_a_line(request) else {}


def _difficulty_formset(request: AuthedRequest, initial: list[dict[str, Any]] | None = None) -> Any:
    if not _adding_a_line(request):
        return DifficultySolvedFormSet(_record_data(request), prefix="d", initial=initial)
    post = request.POST
    try:
        total = min(int(post.get("d-TOTAL_FORMS", "0")), DIFFICULTY_LINES_MAX)
    except ValueError:
        total = 0
    lines = [
        {
            "kind": post.get(f"d-{i}-kind", ""),
            "count": post.get(f"d-{i}-count", ""),
            "note": post.get(f"d-{i}-note", ""),
        }
        for i in range(total)
    ]
    return DifficultySolvedFormSet(prefix="d", initial=[line for line in lines if any(line.values())])


def _kept_for_next_record(request: AuthedRequest, campaign: Campaign) -> dict[str, Any]:
    """The date and 带队领导 that 保存并继续添加 carried over (a date outside the window is dropped)."""
    kept: dict[str, Any] = {}
    try:
        day = dt.date.fromisoformat(request.GET.get("visit_date", ""))
    except ValueError:
        day = None
    if day is not None and campaign.in_window(day):
        kept["visit_date"] = day
    leader = request.GET.get("lead_leader", "").strip()[:100]
    if leader:
        kept["lead_leader"] = leader
    return kept


@require_GET
def person_search(request: AuthedRequest, unit_pk: int) -> JsonResponse:
    """The record form's search box: at most 20 people of the unit's ledger, names with masked numbers."""
    unit = _record_unit_for(request, unit_pk)
    require_role(request.user, *RECORD_ROLES, message="您的角色不能填写走访记录。")
    people = person_matches(user=request.user, unit=unit, query=request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": p.pk, "label": person_label(p)} for p in people]})


def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visit_record_for(request.user, pk)
    history = record_history(record, show_person=may_see_ledger(request.user))
    return render(
        request,
        "visits/record_detail.html",
        {
            "record": record,
            "history": history,
            "editable": record_editable(record),
            "show_person": may_see_ledger(request.user),
        },
    )


def record_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visit_record_for(request.user, pk)
    require_role(request.user, *RECORD_ROLES, message="您的角色不能修改走访记录。")
    locked = _locked_message(record.unit_return)
    if request.method == "GET" and locked:
        messages.error(request, locked)
        return redirect("visits:record_detail", pk=record.pk)
    people = record_people_for(request.user, record.org_unit, record=record)
    initial = {name: getattr(record, name) for name in VisitRecordForm.base_fields if name != "version"}
    initial["version"] = record.version
    form = VisitRecordForm(
        _record_data(request),
        initial=_record_initial(request) or initial,
        campaign=record.campaign,
        beneficiaries=people,
        search_url=reverse("visits:person_search", args=[record.org_unit_id]),
    )
    formset = _difficulty_formset(
        request, initial=[{"kind": d.kind, "count": d.count, "note": d.note} for d in record.difficulties.all()]
    )
    if form.is_bound and form.is_valid() and formset.is_valid():
        try:
            visit_record_update(
                user=request.user,
                record=VisitRecord.objects.select_related("campaign", "org_unit").get(pk=record.pk),
                version=form.cleaned_data["version"] or 0,
                difficulties=difficulties_from(formset),
                **form.record_fields(),
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "走访记录已保存。")
            return redirect("visits:unit_return", pk=record.campaign_id, unit_pk=record.org_unit_id)
    context = {"form": form, "formset": formset, "campaign": record.campaign, "unit": record.org_unit, "record": record}
    return _record_form_page(request, context)


@require_POST
def record_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visit_record_for(request.user, pk)
    require_role(request.user, *RECORD_ROLES, message="您的角色不能删除走访记录。")
    try:
        visit_record_delete(user=request.user, record=record)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "走访记录已删除。")
    return redirect("visits:unit_return", pk=record.campaign_id, unit_pk=record.org_unit_id)
