"""Campaigns (春节/八一): created and edited by the office, with the units expected to report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shuangyong.access import unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, User
from visits.calendar import campaign_defaults
from visits.models import (
    ROLLUP_KINDS,
    Campaign,
    CampaignKind,
    EarlySubmission,
)
from visits.policy import (
    REPORTING_KINDS,
    may_run_campaign,
)
from visits.services._common import require_office
from visits.services.rollup import campaigns_link_below, link_errors, pull_in_linked_deadlines


@transaction.atomic
def campaign_create(
    *,
    user: User,
    year: int,
    kind: str,
    title: str,
    visit_start: dt.date,
    visit_end: dt.date,
    return_deadline: dt.date,
    expected_units: Iterable[OrgUnit],
    early_submission: str = EarlySubmission.WARN,
) -> Campaign:
    require_office(user)
    assert user.org_unit is not None
    campaign = Campaign(
        year=year,
        kind=kind,
        title=title,
        visit_start=visit_start,
        visit_end=visit_end,
        return_deadline=return_deadline,
        early_submission=early_submission,
        owner_unit=user.org_unit,
    )
    _clean_campaign(campaign)
    campaign.save()
    campaign.expected_units.set(_reporting_units(user, expected_units))
    campaigns_link_below(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    user: User,
    campaign: Campaign,
    expected_units: Iterable[OrgUnit],
    version: Version = CURRENT,
    **fields: Any,
) -> Campaign:
    require_office(user)
    if not may_run_campaign(user, campaign):
        raise PermissionDenied("只有组织该活动的双拥办可以修改活动。")
    claim_version(campaign, expected_version=version)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _clean_campaign(campaign)
    campaign.save()
    campaign.expected_units.set(_reporting_units(user, expected_units))
    pull_in_linked_deadlines(campaign=campaign)
    campaigns_link_below(campaign=campaign)
    return campaign


def _clean_campaign(campaign: Campaign) -> None:
    campaign.full_clean()
    if campaign.visit_end < campaign.visit_start:
        raise ValidationError({"visit_end": "走访结束日期不能早于开始日期。"})
    if campaign.return_deadline < campaign.visit_start:
        raise ValidationError({"return_deadline": "报送截止日期不能早于走访开始日期。"})
    errors = link_errors(campaign)
    if errors:
        raise ValidationError(errors)


def _reporting_units(user: User, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """Record units in scope, and the office units directly below the user's own (docs/levels.md)."""
    return [
        u
        for u in units
        if unit_in_scope(user, u)
        and (u.kind in REPORTING_KINDS or (u.kind in ROLLUP_KINDS and u.parent_id == user.org_unit_id))
    ]


@transaction.atomic
def campaigns_create_for_year(*, user: User, year: int, expected_units: Sequence[OrgUnit]) -> list[Campaign]:
    """Create the year's 春节 and 八一 campaigns with the default windows; existing ones are kept."""
    require_office(user)
    created = []
    for kind in (CampaignKind.SPRING, CampaignKind.ARMY_DAY):
        if Campaign.objects.filter(owner_unit=user.org_unit, year=year, kind=kind).exists():
            continue
        d = campaign_defaults(year=year, kind=kind)
        created.append(
            campaign_create(
                user=user,
                year=year,
                kind=kind,
                title=d.title,
                visit_start=d.visit_start,
                visit_end=d.visit_end,
                return_deadline=d.return_deadline,
                expected_units=expected_units,
            )
        )
    return created
