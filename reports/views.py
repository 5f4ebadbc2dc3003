"""Report downloads and the leaders' dashboard. Every view: scoped getter first, then build, then respond."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reports import services
from reports.dashboard import cached_dashboard_for
from reports.forms import CampaignChoiceForm
from reports.selectors import (
    Basis,
    campaign_downloads_for,
    get_campaign_for_report,
    get_report_unit_for,
    require_workbook_scope,
)
from shuangyong.access import require_role
from shuangyong.models import Role
from shuangyong.spreadsheets import xlsx_response
from shuangyong.types import AuthedRequest

# Who gets the county: the office and the leaders (and the administrators).
COUNTY_ROLES = (Role.OFFICE, Role.LEADER, Role.ADMIN)
COUNTY_ONLY = "只有双拥办和领导可以下载汇总报表。"


def index(request: AuthedRequest) -> HttpResponse:
    """The downloads: the user's own unit's tables; the county workbooks for the office and leaders."""
    county_roles = request.user.role in COUNTY_ROLES
    unit = request.user.org_unit
    return render(
        request,
        "reports/index.html",
        {
            "rows": campaign_downloads_for(request.user, summaries=county_roles),
            "unit": unit,
            "scope": services.level_scope(unit) if unit else "本级",
            "county_roles": county_roles,
            "year": timezone.localdate().year,
            "bases": Basis.choices,
        },
    )


def unit_table(request: AuthedRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    campaign = get_campaign_for_report(request.user, campaign_pk)
    unit = get_report_unit_for(request.user, unit_pk)
    data, filename = services.unit_table_workbook(user=request.user, campaign=campaign, unit=unit)
    return xlsx_response(data, filename)


def county_workbook(request: AuthedRequest, pk: int, basis: str) -> HttpResponse:
    campaign = get_campaign_for_report(request.user, pk)
    require_role(request.user, *COUNTY_ROLES, message=COUNTY_ONLY)
    require_workbook_scope(request.user, campaign)
    if basis not in Basis.values:
        raise Http404("没有这种统计口径。")
    data = services.county_workbook(user=request.user, campaign=campaign, basis=basis)
    return xlsx_response(data, services.county_workbook_filename(campaign, basis))


def task_closure(request: AuthedRequest, year: int) -> HttpResponse:
    require_role(request.user, *COUNTY_ROLES, message=COUNTY_ONLY)
    data = services.task_closure_workbook(user=request.user, year=year)
    return xlsx_response(data, services.task_closure_filename(year))


def dashboard(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *COUNTY_ROLES, message="领导看板只对双拥办和领导开放。")
    form = CampaignChoiceForm(request.GET or None, user=request.user)
    valid = form.is_valid()
    campaign = form.cleaned_data["campaign"] if valid else None
    year = form.cleaned_data["year"] if valid else None
    board = cached_dashboard_for(request.user, campaign=campaign, year=year)
    return render(request, "reports/dashboard.html", {"board": board, "form": form})
