"""Reads for the reports, built only on visits.selectors and tasks.selectors (scoped to the user).

Every function here costs a fixed number of queries whatever the number of units and records:
the statistics come from ``campaign_statistics`` (a few aggregate queries) and are rolled up in
Python from each unit's materialised path.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from shuangyong.access import unit_in_scope, units_in_scope
from shuangyong.models import OrgUnit, User
from visits.models import Campaign, Return, rolls_up
from visits.selectors import campaign_statistics, campaigns_for, campaigns_listed_for, returns_for_campaign

# The one builder of every level lives with the campaigns (docs/levels.md); re-exported here.
from visits.table import (  # noqa: F401
    BASIS_STATUSES,
    ROW_KEYS,
    Basis,
    CampaignReport,
    Measures,
    ReturnState,
    UnitLine,
    _rows,
    campaign_report,
    filing_unit,
    return_is_late,
    return_state,
)


@dataclass(frozen=True)
class CampaignDownloads:
    """One campaign's row on the reports page, for the user's unit."""

    campaign: Campaign
    #: Run by the user's own unit (本级活动); otherwise a campaign above it (上级活动, owner named).
    own: bool
    #: The user's unit enters records in it: its own table to download.
    unit_table: bool
    #: The user's unit rolls up and the campaign is above it: its table goes there (a return page).
    upward: bool
    #: The summary workbook, for the campaigns the user's unit runs or reads from above.
    workbook: bool


def campaign_downloads_for(user: User, *, summaries: bool, limit: int = 20) -> list[CampaignDownloads]:
    """The reports page's campaigns. An office that rolls up (a county, a city) enters no records:
    it has no unit table of its own, its table to the level above is its own campaign's workbook,
    and a campaign above it is not summed up as if it were its own (the county's figures are its
    return of that campaign, on the upward return page)."""
    unit = user.org_unit
    rolling = unit is not None and rolls_up(unit)
    rows = []
    for campaign in campaigns_listed_for(user)[:limit]:
        own = unit is not None and campaign.owner_unit_id == unit.pk
        readable = may_download_workbook(user, campaign)
        rows.append(
            CampaignDownloads(
                campaign=campaign,
                own=own,
                unit_table=not rolling,
                upward=rolling and not own and not readable,
                workbook=summaries and readable,
            )
        )
    return rows


def may_download_workbook(user: User, campaign: Campaign) -> bool:
    """The summary of a campaign run by the user's unit or a unit below it, or a township's part of
    its county's campaign (its leader's workbook of the township only). A campaign above an office
    that rolls up (the city's, for a county) would be summed over the county's scope and stamped
    with the county's name: the county's part of it is its own linked campaign's table."""
    unit = user.org_unit
    return unit_in_scope(user, campaign.owner_unit) or (unit is not None and not rolls_up(unit))


def workbook_campaigns_for(user: User) -> QuerySet[Campaign]:
    """The campaigns listed for the user whose summary it may read (may_download_workbook): a
    county's dashboard offers its own campaign, not the city's one of the same title."""
    campaigns = campaigns_listed_for(user)
    unit = user.org_unit
    if unit is not None and rolls_up(unit):
        campaigns = campaigns.filter(owner_unit__path__startswith=unit.path)
    return campaigns


WORKBOOK_ABOVE = "上级活动的汇总表由上级双拥办下载；本单位报送的统计表请在本级活动中下载。"


def require_workbook_scope(user: User, campaign: Campaign) -> None:
    if not may_download_workbook(user, campaign):
        raise PermissionDenied(WORKBOOK_ABOVE)


def unit_rows(*, user: User, campaign: Campaign, unit: OrgUnit) -> list[Measures]:
    """One unit's four rows (its villages' records included), whatever its return's state."""
    subtree = list(units_in_scope(user).filter(path__startswith=unit.path).values_list("pk", flat=True))
    stats = campaign_statistics(user=user, campaign=campaign, unit_ids=subtree)
    rows = [Measures() for _ in ROW_KEYS]
    for unit_id, cells in sorted(stats.items()):
        for index, row in enumerate(_rows(cells)):
            rows[index].add(row, leaders_of=None if unit_id == unit.pk else unit_id)
    return rows


def unit_return(*, user: User, campaign: Campaign, unit: OrgUnit) -> Return | None:
    return returns_for_campaign(user=user, campaign=campaign).filter(org_unit=unit).first()


def get_campaign_for_report(user: User, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for(user).select_related("owner_unit"), pk=pk)


def get_report_unit_for(user: User, pk: int) -> OrgUnit:
    """A unit in the user's scope (404 otherwise): a township gets its own table only."""
    return get_object_or_404(units_in_scope(user).filter(is_active=True), pk=pk)


def same_campaign_last_year(user: User, campaign: Campaign) -> Campaign | None:
    return (
        campaigns_for(user)
        .filter(owner_unit_id=campaign.owner_unit_id, kind=campaign.kind, year=campaign.year - 1)
        .first()
    )
