"""Reads for the reports, built only on visits.selectors and tasks.selectors (scoped to the user).

Every function here costs a fixed number of queries whatever the number of units and records:
the statistics come from ``campaign_statistics`` (a few aggregate queries) and are rolled up in
Python from each unit's materialised path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reports.official_table import Measures, sum_cells
from shuangyong.access import scope_root, scoped, units_in_scope
from shuangyong.models import OrgUnit, OrgUnitKind, User
from visits.models import Campaign, Return, ReturnStatus, TableRow
from visits.selectors import TableCell, campaign_statistics, campaigns_for, returns_for_campaign

ROW_KEYS: tuple[str, ...] = tuple(TableRow.values)


class Basis(TextChoices):
    """Which returns a county workbook counts (stated in each sheet's 填表说明 and the file name)."""

    ACCEPTED = "accepted", "仅统计已审核的报表"
    SUBMITTED = "submitted", "统计全部已提交的报表（含待审核）"


# A returned (已退回) return is back with its unit for correction and a draft was never sent:
# neither is counted in a county workbook.
BASIS_STATUSES: dict[str, tuple[str, ...]] = {
    Basis.ACCEPTED: (ReturnStatus.ACCEPTED,),
    Basis.SUBMITTED: (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED),
}


class ReturnState(TextChoices):
    """The state of a unit's return as the 汇总表 names it."""

    ACCEPTED = "accepted", "已审核"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    NOT_SUBMITTED = "not_submitted", "未提交"
    NO_VISITS = "no_visits", "本期无走访"


def return_state(ret: Return | None) -> ReturnState:
    if ret is None or ret.status == ReturnStatus.DRAFT:
        return ReturnState.NOT_SUBMITTED
    if ret.status == ReturnStatus.RETURNED:
        return ReturnState.RETURNED
    if ret.no_visits:
        return ReturnState.NO_VISITS
    return ReturnState.ACCEPTED if ret.status == ReturnStatus.ACCEPTED else ReturnState.SUBMITTED


def return_is_late(ret: Return | None, campaign: Campaign, today: dt.date) -> bool:
    """Submitted after the deadline day, or still not submitted once the deadline day is past."""
    if ret is not None and ret.submitted_at is not None and ret.status != ReturnStatus.DRAFT:
        return ret.is_late
    return today > campaign.return_deadline


def _rows(cells: dict[str, TableCell] | None) -> list[Measures]:
    rows = [Measures() for _ in ROW_KEYS]
    for index, key in enumerate(ROW_KEYS):
        if cells and key in cells:
            rows[index].add(cells[key])
    return rows


@dataclass
class UnitLine:
    """One unit of the 汇总表: its return's state and its own four rows (subunits included)."""

    unit: OrgUnit
    ret: Return | None
    state: ReturnState
    is_late: bool
    expected: bool
    rows: list[Measures] = field(default_factory=lambda: [Measures() for _ in ROW_KEYS])

    @property
    def total(self) -> Measures:
        return sum_cells(self.rows)


@dataclass
class CampaignReport:
    campaign: Campaign
    statuses: tuple[str, ...] | None
    lines: list[UnitLine]
    county_rows: list[Measures]
    filing_unit: OrgUnit | None = None

    @property
    def county_total(self) -> Measures:
        return sum_cells(self.county_rows)

    def is_counted(self, line: UnitLine) -> bool:
        """Whether the unit's figures are in the table (its return's state is in the basis)."""
        return (
            line.ret is not None
            and line.ret.status != ReturnStatus.DRAFT
            and (self.statuses is None or line.ret.status in self.statuses)
        )

    @property
    def counted_units(self) -> int:
        return sum(1 for line in self.lines if self.is_counted(line))

    @property
    def expected_units(self) -> int:
        return sum(1 for line in self.lines if line.expected)


def filing_unit(user: User, campaign: Campaign) -> OrgUnit:
    """填报单位 of the county table: the 双拥办 that runs the campaign, or, for a user whose scope
    is only part of the county (a township's leader), that part: the table covers only it."""
    root = scope_root(user)
    if root is None or campaign.owner_unit.path.startswith(root.path):
        return campaign.owner_unit
    return root


def _unit_order(unit: OrgUnit) -> tuple[int, int, str]:
    kinds: list[str] = [OrgUnitKind.TOWNSHIP, OrgUnitKind.MEMBER_UNIT]
    return (kinds.index(unit.kind) if unit.kind in kinds else len(kinds), unit.sort_order, unit.path)


def campaign_report(*, user: User, campaign: Campaign, statuses: tuple[str, ...] | None) -> CampaignReport:
    """The campaign over the user's scope: every expected unit (and any other unit with counted
    records) with its rolled-up rows, and the county's rows. Four queries whatever the size (five
    when records belong to units outside the expected list)."""
    today = timezone.localdate()
    stats = campaign_statistics(user=user, campaign=campaign, statuses=statuses)
    expected = {u.pk: u for u in scoped(campaign.expected_units.all(), user, "")}
    returns = {r.org_unit_id: r for r in returns_for_campaign(user=user, campaign=campaign)}
    # The units that hold the records: usually the expected units themselves; any other
    # (a village, a unit dropped from the list) is loaded to find its expected ancestor.
    holders = {pk: unit for pk, unit in expected.items() if pk in stats}
    others = [pk for pk in stats if pk not in holders]
    if others:
        holders.update((u.pk, u) for u in OrgUnit.objects.filter(pk__in=others))

    lines: dict[int, UnitLine] = {}

    def line_for(unit: OrgUnit, *, is_expected: bool) -> UnitLine:
        if unit.pk not in lines:
            ret = returns.get(unit.pk)
            lines[unit.pk] = UnitLine(
                unit=unit,
                ret=ret,
                state=return_state(ret),
                is_late=return_is_late(ret, campaign, today),
                expected=is_expected,
            )
        return lines[unit.pk]

    for unit in expected.values():
        line_for(unit, is_expected=True)
    own = filing_unit(user, campaign)
    county_rows = [Measures() for _ in ROW_KEYS]
    # Units in tree order, so that the county's 带队领导 list reads the same on every download.
    for unit_id, cells in sorted(stats.items(), key=lambda item: holders[item[0]].path):
        holder = holders[unit_id]
        # The nearest expected unit at or above the record's unit; otherwise the unit itself.
        owner_pk = next((pk for pk in reversed(holder.ancestor_pks()) if pk in expected), None)
        line = lines[owner_pk] if owner_pk is not None else line_for(holder, is_expected=False)
        # 带队领导: each table names its own unit's leaders and counts those of the units below.
        for index, row in enumerate(_rows(cells)):
            line.rows[index].add(row, leaders_of=None if unit_id == line.unit.pk else unit_id)
            county_rows[index].add(row, leaders_of=None if unit_id == own.pk else unit_id)
    # Returns of units outside the expected list (sent anyway) are listed too.
    for ret in returns.values():
        if ret.org_unit_id not in lines and ret.status != ReturnStatus.DRAFT:
            line_for(ret.org_unit, is_expected=False)
    ordered = sorted(lines.values(), key=lambda line: (not line.expected, _unit_order(line.unit)))
    return CampaignReport(campaign=campaign, statuses=statuses, lines=ordered, county_rows=county_rows, filing_unit=own)


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
    return campaigns_for(user).filter(kind=campaign.kind, year=campaign.year - 1).first()
