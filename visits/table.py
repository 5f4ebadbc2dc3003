"""The one table builder of every level (docs/levels.md): a campaign's lines and its own table.

A line of a campaign's report comes from one of two places:
- the visit records, for a unit that enters them (a township, a member unit; its villages'
  records count for it);
- the snapshot on its return (``Return.figures``), for an office unit whose figures roll up from
  a campaign of its own (a county under its city, a city under the province).

The reports app writes the official forms from this (reports/services.py); the visits app stores
an office unit's table on its return to the level above from the same builder, so what a county
submits is what its workbook prints. Fixed number of queries whatever the number of units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import TextChoices
from django.utils import timezone

from shuangyong.access import scope_root, scoped
from shuangyong.models import OrgUnit, OrgUnitKind, User
from visits.models import Campaign, Return, ReturnStatus, TableRow, rolls_up

ROW_KEYS: tuple[str, ...] = tuple(TableRow.values)


class TableCellLike(Protocol):
    """What the writer reads from a row: the fields of visits.selectors.TableCell."""

    people_visited: int
    money_amount: Decimal
    money_recipients: int
    goods_spending: Decimal
    goods_count: int
    goods_recipients: int
    leaders: list[str]
    difficulties: dict[str, int]


@dataclass
class Measures:
    """A TableCell-shaped sum of several cells (a 总计 row, a county, a 汇总表 line)."""

    people_visited: int = 0
    money_amount: Decimal = Decimal("0")
    money_recipients: int = 0
    goods_spending: Decimal = Decimal("0")
    goods_count: int = 0
    goods_recipients: int = 0
    leaders: list[str] = field(default_factory=list)
    difficulties: dict[str, int] = field(default_factory=dict)
    # Leaders of units below the table's own unit, counted, not named: (unit id, name) pairs.
    # A dict used as an ordered set: it pickles the same in every process (the workbook cache's
    # key is a digest of the pickled data; a set of strings is ordered by a per-process hash).
    other_leaders: dict[tuple[int, str], None] = field(default_factory=dict)
    # Leaders below counted already in a snapshot (a county's table read at the city): a number,
    # since the units below one office are never below another, the counts simply add up.
    other_leader_count: int = 0

    def add(self, cell: TableCellLike, *, leaders_of: int | None = None) -> None:
        """Add a cell's figures. ``leaders_of``: the cell belongs to that unit below the table's
        own unit, so its leaders are counted (另有… N 人次) instead of named."""
        self.people_visited += cell.people_visited
        self.money_amount += cell.money_amount
        self.money_recipients += cell.money_recipients
        self.goods_spending += cell.goods_spending
        self.goods_count += cell.goods_count
        self.goods_recipients += cell.goods_recipients
        if leaders_of is not None:
            self.other_leaders.update(
                dict.fromkeys((leaders_of, name.strip()) for name in cell.leaders if name.strip())
            )
        else:
            for name in cell.leaders:
                if name not in self.leaders:
                    self.leaders.append(name)
        self.other_leaders.update(dict.fromkeys(getattr(cell, "other_leaders", ())))
        self.other_leader_count += getattr(cell, "other_leader_count", 0)
        for kind, count in cell.difficulties.items():
            self.difficulties[kind] = self.difficulties.get(kind, 0) + count

    @property
    def total_amount(self) -> Decimal:
        """合计 = 慰问金 + 慰问品支出 (元)."""
        return self.money_amount + self.goods_spending

    @property
    def difficulties_solved(self) -> int:
        return sum(self.difficulties.values())

    @property
    def others_counted(self) -> int:
        """另有…领导 N 人次: the leaders of the units below, each once per unit."""
        return len(self.other_leaders) + self.other_leader_count


def sum_cells(cells: Iterable[TableCellLike]) -> Measures:
    total = Measures()
    for cell in cells:
        total.add(cell)
    return total


# --- the snapshot on an office unit's return ------------------------------------------------


def figures_from_rows(rows: Sequence[Measures], *, counted: int, expected: int) -> dict[str, Any]:
    """The four rows as JSON, exactly: money as decimal strings of 元, leaders as written."""
    return {
        "rows": [
            {
                "people_visited": row.people_visited,
                "money_amount": str(row.money_amount),
                "money_recipients": row.money_recipients,
                "goods_spending": str(row.goods_spending),
                "goods_count": row.goods_count,
                "goods_recipients": row.goods_recipients,
                "leaders": list(row.leaders),
                # The leaders below as a number (人次): the table counts them, never names them.
                "other_leaders": row.others_counted,
                "difficulties": dict(row.difficulties),
            }
            for row in rows
        ],
        "counted": counted,
        "expected": expected,
    }


def rows_from_figures(figures: dict[str, Any] | None) -> list[Measures]:
    """The four rows a snapshot holds (four empty rows for no snapshot)."""
    if not figures:
        return [Measures() for _ in ROW_KEYS]
    return [
        Measures(
            people_visited=row["people_visited"],
            money_amount=Decimal(row["money_amount"]),
            money_recipients=row["money_recipients"],
            goods_spending=Decimal(row["goods_spending"]),
            goods_count=row["goods_count"],
            goods_recipients=row["goods_recipients"],
            leaders=list(row["leaders"]),
            difficulties=dict(row["difficulties"]),
            other_leader_count=int(row["other_leaders"]),
        )
        for row in figures["rows"]
    ]


# --- states ------------------------------------------------------------------------------------


class Basis(TextChoices):
    """Which returns a workbook counts (stated in each sheet's 填表说明 and the file name)."""

    ACCEPTED = "accepted", "仅统计已审核的报表"
    SUBMITTED = "submitted", "统计全部已提交的报表（含待审核）"


# A returned (已退回) return is back with its unit for correction and a draft was never sent:
# neither is counted in a workbook.
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


def _rows(cells: dict[str, Any] | None) -> list[Measures]:
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

    @property
    def rolls_up(self) -> bool:
        """The line is an office unit's table (its snapshot), not records."""
        return rolls_up(self.unit)


@dataclass
class CampaignReport:
    campaign: Campaign
    statuses: tuple[str, ...] | None
    lines: list[UnitLine]
    county_rows: list[Measures]  # the table of the campaign's own unit (a county's, a city's …)
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
    """填报单位 of the table: the 双拥办 that runs the campaign, or, for a user whose scope is only
    part of it (a township's leader), that part: the table covers only it."""
    root = scope_root(user)
    if root is None or campaign.owner_unit.path.startswith(root.path):
        return campaign.owner_unit
    return root


# Lines in this order of kinds: offices below (their tables), then townships, then member units.
LINE_KIND_ORDER: tuple[str, ...] = (
    OrgUnitKind.CITY,
    OrgUnitKind.COUNTY,
    OrgUnitKind.TOWNSHIP,
    OrgUnitKind.MEMBER_UNIT,
)


def _unit_order(unit: OrgUnit) -> tuple[int, int, str]:
    kinds = LINE_KIND_ORDER
    return (kinds.index(unit.kind) if unit.kind in kinds else len(kinds), unit.sort_order, unit.path)


def campaign_report(*, user: User, campaign: Campaign, statuses: tuple[str, ...] | None) -> CampaignReport:
    """The campaign over the user's scope: every expected unit (and any other unit with counted
    records) with its rolled-up rows, and the table of the campaign's own unit. Four queries
    whatever the size (five when records belong to units outside the expected list)."""
    from visits.selectors import campaign_statistics, returns_for_campaign

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
    # Units in tree order, so that the table's 带队领导 list reads the same on every download.
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
    report = CampaignReport(campaign=campaign, statuses=statuses, lines=[], county_rows=county_rows, filing_unit=own)
    # An office unit's line is the table it submitted (its snapshot), counted like any return.
    for line in sorted(lines.values(), key=lambda line: line.unit.path):
        if line.rolls_up and line.ret is not None and line.ret.figures and report.is_counted(line):
            line.rows = rows_from_figures(line.ret.figures)
            for index, row in enumerate(line.rows):
                county_rows[index].add(row, leaders_of=line.unit.pk)
    report.lines = sorted(lines.values(), key=lambda line: (not line.expected, _unit_order(line.unit)))
    return report
