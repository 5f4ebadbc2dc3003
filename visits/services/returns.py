"""The return workflow: 草稿/已退回 → 已提交 → 已审核, sent back or reopened by the office."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangyong.access import unit_in_scope
from shuangyong.concurrency import claim_version
from shuangyong.models import OrgUnit, Role, User
from shuangyong.notifications import notify
from visits.models import (
    Campaign,
    Return,
    ReturnStatus,
    rolls_up,
)
from visits.policy import (
    RECORD_ROLES,
    may_review_returns,
)
from visits.services._common import require, require_office
from visits.services.records import check_record_unit, ensure_return_editable, return_for
from visits.services.rollup import ensure_not_locked_by_upward


def _return_url(ret: Return) -> str:
    return reverse("visits:unit_return", args=[ret.campaign_id, ret.org_unit_id])


def _notify_unit(ret: Return, *, title: str, body: str) -> None:
    recipients = User.objects.filter(org_unit=ret.org_unit, is_active=True, role__in=RECORD_ROLES)
    notify(recipients=recipients, title=title, body=body, url=_return_url(ret), obj=ret)


def _rolls_up_words(ret: Return) -> tuple[str, str] | None:
    """(what, who) for an office unit's table to the level above (本级统计表, the reviewing office),
    None for a record unit's 填报: a county is not told of 走访记录 it does not enter."""
    if not rolls_up(ret.org_unit):
        return None
    # its full name: a short name (市双拥办) means something only inside its own level
    return "本级统计表", ret.campaign.owner_unit.name


def _notify_office(ret: Return, *, title: str, body: str) -> None:
    recipients = User.objects.filter(org_unit=ret.campaign.owner_unit, is_active=True, role=Role.OFFICE)
    notify(recipients=recipients, title=title, body=body, url=_return_url(ret), obj=ret)


def return_submit_errors(*, campaign: Campaign, has_records: bool, no_visits: bool) -> dict[str, str]:
    """Why a return cannot be submitted now, by form field ("" = the whole form). The submit page
    asks this before its confirmation step; ``return_submit`` asks it again when it saves."""
    today = timezone.localdate()
    if campaign.refuses_submission_on(today):
        return {"": campaign.early_submission_message(today)}
    if no_visits and has_records:
        return {"no_visits": "已有走访记录，不能选择“本期无走访”。"}
    if not no_visits and not has_records:
        return {"no_visits": "还没有走访记录：请先填写走访记录，或勾选“本期无走访”后提交。"}
    return {}


@transaction.atomic
def return_submit(
    *, user: User, campaign: Campaign, org_unit: OrgUnit, version: int | None, no_visits: bool, summary: str
) -> Return:
    """草稿/已退回 → 已提交. ``no_visits`` is the explicit "本期无走访" (only allowed with no records)."""
    check_record_unit(user, campaign, org_unit)
    ret = return_for(campaign=campaign, org_unit=org_unit)
    ensure_return_editable(ret)
    if version is not None:
        claim_version(ret, expected_version=version)
    errors = return_submit_errors(campaign=campaign, has_records=ret.records.exists(), no_visits=no_visits)
    if "" in errors:
        raise ValidationError(errors[""])
    if errors:
        raise ValidationError(errors)
    ret.no_visits = no_visits
    ret.summary = summary
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at = timezone.now()
    ret.submitted_by = user
    ret.return_reason = ""
    ret.full_clean()
    ret.save()
    what = "本期无走访" if no_visits else f"{ret.records.count()} 条走访记录"
    late = "（逾期）" if ret.is_late else ""
    _notify_office(ret, title=f"{org_unit.name}提交了{campaign.title}填报{late}", body=f"{what}，请审核。")
    return ret


def _office_transition(user: User, ret: Return, *, allowed_from: set[str], version: int | None) -> Return:
    require_office(user)
    require(unit_in_scope(user, ret.org_unit), "只能审核本县的填报。")
    require(may_review_returns(user, ret.campaign), "只有组织本活动的双拥办可以审核、退回或重新打开填报。")
    locked = Return.objects.select_for_update().select_related("campaign", "org_unit").get(pk=ret.pk)
    ensure_not_locked_by_upward(locked.campaign)
    if locked.status not in allowed_from:
        raise ValidationError(f"当前状态为“{locked.get_status_display()}”，不能执行此操作。")
    if version is not None:
        claim_version(locked, expected_version=version)
    return locked


@transaction.atomic
def return_send_back(*, user: User, ret: Return, reason: str, version: int | None = None) -> Return:
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因。"})
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.SUBMITTED}, version=version)
    locked.status = ReturnStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.reviewed_at = timezone.now()
    locked.save()
    words = _rolls_up_words(locked)
    if words:
        what, who = words
        title, body = f"{locked.campaign.title}{what}被退回", f"{who}退回了{what}。退回原因：{locked.return_reason}"
    else:
        title, body = f"{locked.campaign.title}填报被退回", f"退回原因：{locked.return_reason}"
    _notify_unit(locked, title=title, body=body)
    return locked


@transaction.atomic
def return_accept(*, user: User, ret: Return, version: int | None = None) -> Return:
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.SUBMITTED}, version=version)
    locked.status = ReturnStatus.ACCEPTED
    locked.reviewed_at = timezone.now()
    locked.save()
    words = _rolls_up_words(locked)
    if words:
        what, who = words
        title, body = f"{locked.campaign.title}{what}已审核", f"{who}已审核通过{what}。"
    else:
        title, body = f"{locked.campaign.title}填报已审核", "双拥办已审核通过，记录已锁定。"
    _notify_unit(locked, title=title, body=body)
    return locked


@transaction.atomic
def return_reopen(*, user: User, ret: Return, reason: str, version: int | None = None) -> Return:
    """已审核 → 已退回: the office unlocks an accepted return so that the unit can correct it."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新打开的原因。"})
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.ACCEPTED}, version=version)
    locked.status = ReturnStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.save()
    words = _rolls_up_words(locked)
    if words:
        what, who = words
        title = f"{locked.campaign.title}{what}已重新打开"
        body = f"{who}重新打开了{what}，可在本级活动中核对后重新报送。原因：{locked.return_reason}"
    else:
        title = f"{locked.campaign.title}填报已重新打开"
        body = f"可以修改走访记录。原因：{locked.return_reason}"
    _notify_unit(locked, title=title, body=body)
    return locked
