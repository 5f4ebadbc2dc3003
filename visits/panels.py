"""Home-page panels: a unit's own return, and the office's overview of the current campaign."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from shuangyong.models import User
from shuangyong.navigation import WaitingGroup, WaitingRow
from visits.models import Return, ReturnStatus, TransferState
from visits.policy import may_see_ledger
from visits.selectors import campaign_overview, campaigns_for, current_campaign_for, returns_for, transfers_for

WAITING_ROWS = 10


def my_return_panel(user: User) -> dict[str, Any] | None:
    campaign = current_campaign_for(user)
    unit = user.org_unit
    if campaign is None or unit is None or not campaign.expected_units.filter(pk=unit.pk).exists():
        return None
    ret = Return.objects.filter(campaign=campaign, org_unit=unit).first()
    return {"campaign": campaign, "unit": unit, "ret": ret, "editable": ret is None or ret.is_editable}


def returns_overview_panel(user: User) -> dict[str, Any] | None:
    campaign = current_campaign_for(user)
    if campaign is None:
        return None
    return {"campaign": campaign, "overview": campaign_overview(user=user, campaign=campaign, record_counts=False)}


def _incoming_transfers(user: User) -> list[WaitingGroup]:
    """People moving into the office's county, waiting for it to accept or refuse (its ledger only)."""
    if not may_see_ledger(user):
        return []
    incoming = transfers_for(user).filter(to_county_id=user.org_unit_id, state=TransferState.PENDING)
    total = incoming.count()
    if not total:
        return []
    rows = [
        WaitingRow(
            f"{t.beneficiary.name}（{t.beneficiary.category.name}）",
            reverse("visits:transfer_detail", args=[t.pk]),
            note=f"申请于 {timezone.localtime(t.requested_at):%m-%d %H:%M}",
            state=TransferState.PENDING,
            state_label=TransferState.PENDING.label,
        )
        for t in incoming.order_by("requested_at", "pk")[:WAITING_ROWS]
    ]
    return [WaitingGroup(title="待确认迁入的人员", rows=rows, total=total, testid="waiting-transfers")]


def waiting_groups(user: User) -> list[WaitingGroup]:
    """The visits app's part of 等待我处理: every submitted return of the office's own campaigns
    (an office above reads the returns of the campaigns below, it does not review them); the
    unit's returns that are not submitted yet or were sent back (units, and an office unit's
    table to the level above)."""
    groups = []
    if user.is_office:
        submitted = (
            returns_for(user)
            .filter(status=ReturnStatus.SUBMITTED, campaign__owner_unit_id=user.org_unit_id)
            .order_by("submitted_at", "pk")
        )
        total = submitted.count()
        rows = [
            WaitingRow(
                f"{r.org_unit.name} · {r.campaign.title}",
                reverse("visits:unit_return", args=[r.campaign_id, r.org_unit_id]),
                note=f"提交于 {timezone.localtime(r.submitted_at):%m-%d %H:%M}" if r.submitted_at else "",
                state="late" if r.is_late else "submitted",
                state_label="待审核（逾期提交）" if r.is_late else "待审核",
            )
            for r in submitted[:WAITING_ROWS]
        ]
        groups.append(WaitingGroup(title="待审核的填报", rows=rows, total=total, testid="waiting-returns"))
        groups += _incoming_transfers(user)
    unit = user.org_unit
    if unit is None or user.is_read_only:
        return groups
    campaigns = list(campaigns_for(user).filter(expected_units=unit).order_by("return_deadline", "pk"))
    returns = {r.campaign_id: r for r in Return.objects.filter(org_unit=unit, campaign__in=campaigns)}
    today = timezone.localdate()
    rows = []
    for campaign in campaigns:
        ret = returns.get(campaign.pk)
        if ret is not None and not ret.is_editable:
            continue  # submitted or accepted: nothing to do
        state, label = (ret.status, ret.get_status_display()) if ret else (ReturnStatus.DRAFT, ReturnStatus.DRAFT.label)
        if state == ReturnStatus.DRAFT and today > campaign.return_deadline:
            state, label = "late", f"{label}（已过截止日期）"
        rows.append(
            WaitingRow(
                f"{campaign.title}（报送{campaign.owner_unit.name}）" if user.is_office else campaign.title,
                reverse("visits:unit_return", args=[campaign.pk, unit.pk]),
                note=f"报送截止 {campaign.return_deadline:%Y-%m-%d}",
                state=state,
                state_label=label,
            )
        )
    if rows or not user.is_office:
        title = "本级待报送上级的统计表" if user.is_office else "本单位待报送的填报"
        testid = "waiting-upward" if user.is_office else "waiting-returns"
        groups.append(WaitingGroup(title=title, rows=rows[:WAITING_ROWS], total=len(rows), testid=testid))
    return groups
