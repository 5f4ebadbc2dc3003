"""Reads for the reports, built only on visits.selectors and tasks.selectors (scoped to the user).

Every function here costs a fixed number of queries whatever the number of units and records:
the statistics come from ``campaign_statistics`` (a few aggregate queries) and are rolled up in
Python from each unit's materialised path.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from shuangyong.access import units_in_scope
from shuangyong.models import OrgUnit, User
from visits.models import Campaign, Return
from visits.selectors import campaign_statistics, campaigns_for, returns_for_campaign

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
