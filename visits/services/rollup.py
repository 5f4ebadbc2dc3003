"""Writes of the levels (docs/levels.md): linked campaigns top-down and the return of an office
unit to the level above (its table, computed from its own campaign's accepted returns).

最多报一次: the county never types a figure its townships entered; what it submits is what its
own campaign's workbook prints on the accepted basis, stored exactly on the return.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangyong.access import is_office_of
from shuangyong.concurrency import claim_version
from shuangyong.models import OrgUnit, Role, User
from shuangyong.notifications import notify
from visits.models import (
    EDITABLE_STATUSES,
    RECORD_KINDS,
    ROLLUP_KINDS,
    Campaign,
    Return,
    ReturnStatus,
    TableRow,
)
from visits.table import CampaignReport, Measures, campaign_report, figures_from_rows

LOCKED_BY_UPWARD = (
    "本级统计表已报送上级（{state}），本活动各单位填报的状态不能再改变；如需修改，请上级双拥办先退回本级统计表。"
)


def units_below_office(unit: OrgUnit) -> list[OrgUnit]:
    """What a linked campaign of an office unit expects: its record units and the offices directly below."""
    return list(
        OrgUnit.objects.filter(parent=unit, is_active=True, kind__in=RECORD_KINDS | ROLLUP_KINDS).order_by(
            "kind", "sort_order", "name"
        )
    )


def link_errors(campaign: Campaign) -> dict[str, str]:
    """What a campaign's link up and down requires, by field: a linked campaign has its parent's
    year and holiday (its table adds to the parent's), and its return deadline is no later than
    the parent's (the county reports to the city after its own units reported to it); a campaign
    that campaigns below are linked to keeps its year and holiday (theirs would no longer match)."""
    errors: dict[str, str] = {}
    parent = campaign.parent
    if parent is not None:
        if campaign.year != parent.year:
            errors["year"] = f"本活动关联上级活动“{parent.title}”，年度须与上级一致（{parent.year}年）。"
        if campaign.kind != parent.kind:
            errors["kind"] = f"本活动关联上级活动“{parent.title}”，类型须与上级一致（{parent.get_kind_display()}）。"
        if campaign.return_deadline > parent.return_deadline:
            errors["return_deadline"] = (
                f"报送截止日期不能晚于上级活动“{parent.title}”的截止日期（{parent.return_deadline:%Y-%m-%d}）。"
            )
    if campaign.pk is not None:
        saved = Campaign.objects.filter(pk=campaign.pk).values_list("year", "kind").first()
        below = Campaign.objects.filter(parent=campaign)
        if saved is not None and saved != (campaign.year, campaign.kind) and below.exists():
            message = "下级单位的活动已关联到本活动，不能修改{what}（如需更换，请新建活动）。"
            if saved[0] != campaign.year:
                errors.setdefault("year", message.format(what="年度"))
            if saved[1] != campaign.kind:
                errors.setdefault("kind", message.format(what="类型"))
    return errors


def campaigns_link_below(*, campaign: Campaign) -> list[Campaign]:
    """Each expected office unit gets its own campaign linked under ``campaign`` (same kind, year
    and window, the parent's deadline); a campaign the unit already has for that holiday is
    linked, not duplicated, and its deadline pulled in to the parent's when it is later. Runs
    down every level (a province campaign links its cities', which link their counties')."""
    linked = []
    for unit in campaign.expected_units.filter(kind__in=ROLLUP_KINDS):
        child = Campaign.objects.filter(owner_unit=unit, year=campaign.year, kind=campaign.kind).first()
        if child is None:
            child = Campaign(
                year=campaign.year,
                kind=campaign.kind,
                title=campaign.title,
                visit_start=campaign.visit_start,
                visit_end=campaign.visit_end,
                return_deadline=campaign.return_deadline,
                early_submission=campaign.early_submission,
                owner_unit=unit,
                parent=campaign,
            )
            child.full_clean()
            child.save()
            child.expected_units.set(units_below_office(unit))
        else:
            if child.parent_id not in (None, campaign.pk):
                raise ValidationError(
                    {"expected_units": f"{unit.name}的“{child.title}”已关联到其他上级活动，不能重复关联。"}
                )
            deadline = min(child.return_deadline, campaign.return_deadline)
            if child.parent_id != campaign.pk or child.return_deadline != deadline:
                child.parent = campaign
                child.return_deadline = deadline
                child.version += 1  # a county editing it meanwhile is told to reload
                child.save()
        linked.append(child)
        linked.extend(campaigns_link_below(campaign=child))
    return linked


def pull_in_linked_deadlines(*, campaign: Campaign) -> None:
    """The parent's deadline moved earlier: a linked campaign due later is due on the new day."""
    for child in Campaign.objects.filter(parent=campaign, return_deadline__gt=campaign.return_deadline):
        child.return_deadline = campaign.return_deadline
        child.version += 1
        child.save()
        pull_in_linked_deadlines(campaign=child)


def ensure_not_locked_by_upward(campaign: Campaign) -> None:
    """While the office's table is with the level above (submitted or accepted), the returns it
    was computed from keep their state."""
    if campaign.parent_id is None:
        return
    # Locked: a table being submitted meanwhile (it locks the same row) waits, or is waited for.
    upward = (
        Return.objects.select_for_update()
        .filter(campaign_id=campaign.parent_id, org_unit_id=campaign.owner_unit_id)
        .first()
    )
    if upward is not None and upward.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED):
        raise ValidationError(LOCKED_BY_UPWARD.format(state=upward.get_status_display()))


LEADER_SPLIT = re.compile(r"[、，,；;\s]+")


def leader_list(text: str) -> list[str]:
    names: list[str] = []
    for name in LEADER_SPLIT.split(text or ""):
        if name and name not in names:
            names.append(name)
    return names


def rows_with_leaders(rows: list[Measures], leaders: Mapping[str, str]) -> list[Measures]:
    """The table's rows with the office's own 带队领导 (typed per row) added, as they are sent."""
    for index, key in enumerate(TableRow.values):
        for name in leader_list(leaders.get(key, "")):
            if name not in rows[index].leaders:
                rows[index].leaders.append(name)
    return rows


def upward_submit_warnings(*, campaign: Campaign, report: CampaignReport, today: dt.date) -> list[str]:
    """What the office is told before it confirms its table to the level above (it may still send
    it): units of its campaign not yet counted, and a visiting period not over yet, which the
    table sent now would leave out."""
    warnings = []
    missing = [line.unit.name for line in report.lines if line.expected and not report.is_counted(line)]
    if missing:
        warnings.append(
            f"应报 {report.expected_units} 个单位，只计入 {report.counted_units} 个："
            f"{len(missing)} 个单位的填报尚未审核通过（{'、'.join(missing)}），其数据不在本次报送的统计表中。"
        )
    parent = campaign.parent
    start = parent.early_submission_message(today) if parent is not None else ""
    if start:
        warnings.append(start)
    elif today <= campaign.visit_end:
        warnings.append(
            f"走访慰问到 {campaign.visit_end:%Y-%m-%d} 结束，现在还没有结束：此后审核的填报不会计入本次报送，"
            "请确认确实要提前报送。"
        )
    return warnings


def upward_submit_errors(*, campaign: Campaign, ret: Return | None, today: dt.date) -> dict[str, str]:
    """Why the office's table cannot be submitted now ("" = the whole form)."""
    parent = campaign.parent
    if parent is None:
        return {"": "本活动没有上级活动，无需报送本级统计表。"}
    if ret is not None and ret.status not in EDITABLE_STATUSES:
        return {"": f"本级统计表状态为“{ret.get_status_display()}”，不能再次报送。"}
    if parent.refuses_submission_on(today):
        return {"": parent.early_submission_message(today)}
    return {}


@transaction.atomic
def upward_return_submit(
    *,
    user: User,
    campaign: Campaign,
    summary: str,
    leaders: Mapping[str, str],
    version: int | None = None,
) -> Return:
    """The office of ``campaign``'s unit sends its table to the level above (未提交/已退回 → 已提交).

    The figures are computed now from ``campaign``'s accepted returns (the same builder as its
    workbook) and stored on the return with the office's own 带队领导 per row; a resubmission after
    a send-back replaces them."""
    if not is_office_of(user, campaign.owner_unit):
        raise PermissionDenied("只有本级双拥办可以报送本级统计表。")
    parent = campaign.parent
    if parent is None:
        raise ValidationError("本活动没有上级活动，无需报送本级统计表。")
    ret, _ = Return.objects.get_or_create(campaign=parent, org_unit=campaign.owner_unit)
    ret = Return.objects.select_for_update().select_related("campaign", "org_unit").get(pk=ret.pk)
    errors = upward_submit_errors(campaign=campaign, ret=ret, today=timezone.localdate())
    if errors:
        raise ValidationError(errors[""])
    if version is not None:
        claim_version(ret, expected_version=version)
    report = campaign_report(user=user, campaign=campaign, statuses=(ReturnStatus.ACCEPTED,))
    rows = rows_with_leaders(report.county_rows, leaders)
    ret.figures = figures_from_rows(rows, counted=report.counted_units, expected=report.expected_units)
    ret.summary = summary
    ret.no_visits = False
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at = timezone.now()
    ret.submitted_by = user
    ret.return_reason = ""
    ret.full_clean()
    ret.save()
    late = "（逾期）" if ret.is_late else ""
    notify(
        recipients=User.objects.filter(org_unit=parent.owner_unit, is_active=True, role=Role.OFFICE),
        title=f"{campaign.owner_unit.name}报送了{parent.title}统计表{late}",
        body=f"计入 {report.counted_units} 个单位（应报 {report.expected_units} 个），请审核。",
        url=reverse("visits:unit_return", args=[parent.pk, campaign.owner_unit_id]),
        obj=ret,
    )
    return ret
