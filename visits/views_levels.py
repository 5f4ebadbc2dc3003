"""The levels' pages (docs/levels.md): an office unit's table to the level above (the county
submits, the city reviews), completeness and timeliness with drill-down. Scoped getter first."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangyong.access import is_office_of, require_role
from shuangyong.models import OrgUnit, Role
from shuangyong.selectors import units_for
from shuangyong.types import AuthedRequest
from visits.forms import UpwardReturnForm
from visits.history import return_history
from visits.levels import campaign_completeness, linked_campaign_of
from visits.models import Campaign, Return, ReturnStatus, TableRow
from visits.policy import may_review_returns
from visits.selectors import get_campaign_for
from visits.services import rows_with_leaders, upward_return_submit, upward_submit_errors, upward_submit_warnings
from visits.table import Measures, campaign_report, rows_from_figures, sum_cells

READERS = (Role.OFFICE, Role.LEADER, Role.ADMIN)


def _table(rows: list[Measures]) -> list[tuple[str, Measures]]:
    return [*zip(TableRow.labels, rows, strict=True), ("总 计", sum_cells(rows))]


def office_return_page(
    request: AuthedRequest, campaign: Campaign, unit: OrgUnit, *, form: UpwardReturnForm | None = None
) -> HttpResponse:
    """An office unit's return in ``campaign`` (the campaign above it): the table it submitted
    (its snapshot), or, until it submits, the table its own campaign gives now (accepted basis)."""
    ret = Return.objects.filter(campaign=campaign, org_unit=unit).select_related("submitted_by").first()
    own = linked_campaign_of(parent=campaign, unit=unit)
    submitted = ret is not None and ret.figures is not None and ret.status != ReturnStatus.DRAFT
    live = None
    if own is not None and (not submitted or ret is None or ret.status == ReturnStatus.RETURNED):
        live = campaign_report(user=request.user, campaign=own, statuses=(ReturnStatus.ACCEPTED,))
    can_submit = is_office_of(request.user, unit) and own is not None and (ret is None or ret.is_editable)
    if form is None and can_submit:
        initial = {"summary": ret.summary if ret else "", "version": ret.version if ret else None}
        if ret is not None and ret.figures:
            for key, row in zip(TableRow.values, rows_from_figures(ret.figures), strict=True):
                initial[f"leaders_{key}"] = "、".join(row.leaders)
        form = UpwardReturnForm(initial=initial)
    context = {
        "campaign": campaign,
        "unit": unit,
        "ret": ret,
        "own": own,
        "submitted_table": _table(rows_from_figures(ret.figures)) if submitted and ret else None,
        "live": live,
        "live_table": _table(live.county_rows) if live else None,
        "can_submit": can_submit,
        "can_review": may_review_returns(request.user, campaign),
        "form": form,
        "history": return_history(ret),
    }
    return render(request, "visits/office_return.html", context)


@require_POST
def office_return_submit(request: AuthedRequest, pk: int, unit_pk: int) -> HttpResponse:
    """Two steps: the table that will be sent (computed now) with the office's 带队领导 and 书面小结,
    then the confirmed submission, which computes and stores it again."""
    campaign = get_campaign_for(request.user, pk)
    unit = get_object_or_404(units_for(request.user), pk=unit_pk)
    own = linked_campaign_of(parent=campaign, unit=unit)
    if own is None:
        messages.error(request, "该单位没有关联到本活动的下级活动。")
        return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    form = UpwardReturnForm(request.POST)
    if "back" in request.POST:
        return office_return_page(
            request, campaign, unit, form=UpwardReturnForm(initial={**request.POST.dict(), "confirmed": False})
        )
    if form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            upward_return_submit(
                user=request.user,
                campaign=own,
                summary=form.cleaned_data["summary"],
                leaders=form.leaders(),
                version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, f"本级统计表已报送{campaign.owner_unit.name}，等待审核。")
        return redirect("visits:unit_return", pk=campaign.pk, unit_pk=unit.pk)
    if form.is_valid():
        require_role(request.user, Role.OFFICE, Role.ADMIN, message="只有本级双拥办可以报送本级统计表。")
        ret = Return.objects.filter(campaign=campaign, org_unit=unit).first()
        errors = upward_submit_errors(campaign=own, ret=ret, today=timezone.localdate())
        for name, message in errors.items():
            form.add_error(name or None, message)
        if not errors and is_office_of(request.user, unit):
            report = campaign_report(user=request.user, campaign=own, statuses=(ReturnStatus.ACCEPTED,))
            context = {
                "campaign": campaign,
                "unit": unit,
                "form": form,
                "report": report,
                # the rows as they will be sent: with the leaders just typed
                "table": _table(rows_with_leaders(report.county_rows, form.leaders())),
                "warnings": upward_submit_warnings(campaign=own, report=report, today=timezone.localdate()),
                "leaders": [(label, form.leaders()[key]) for key, label in TableRow.choices],
                "late": timezone.localdate() > campaign.return_deadline,
            }
            return render(request, "visits/office_return_confirm.html", context)
    return office_return_page(request, campaign, unit, form=form)


def campaign_completeness_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Which units below reported, on time or late, with drill-down into each office's own campaign."""
    campaign = get_campaign_for(request.user, pk)
    require_role(request.user, *READERS, message="只有双拥办和领导可以查看报送情况。")
    completeness = campaign_completeness(user=request.user, campaign=campaign, today=timezone.localdate())
    return render(request, "visits/campaign_completeness.html", {"campaign": campaign, "completeness": completeness})
