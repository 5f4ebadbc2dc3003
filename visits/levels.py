"""Reads of the levels (docs/levels.md): linked campaigns, completeness and timeliness per level
with drill-down, and the duplicate check across the units of linked campaigns.

Every function is scoped to the user and costs a fixed number of queries whatever the number of
units below. No function here returns a person's name or ID number above the person's county:
the check across counties gives pairs of units and a number of people.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from shuangyong.access import personal_scope_q, scope_q, scope_root, scoped
from shuangyong.models import OrgUnit, User
from visits.models import (
    RECORD_KINDS,
    ROLLUP_KINDS,
    SHANGHAI,
    Campaign,
    Return,
    ReturnStatus,
    VisitRecord,
)

EXPECTABLE_KINDS = RECORD_KINDS | ROLLUP_KINDS


def expected_unit_choices(user: User) -> QuerySet[OrgUnit]:
    """The units a campaign of the user's office may expect: the record units (townships, member
    units) and the office units directly below, never a unit inside an office below (a city
    expects its counties, not their townships: those are the counties' own campaigns)."""
    root = scope_root(user)
    if root is None:
        return OrgUnit.objects.none()
    return (
        scoped(OrgUnit.objects.filter(is_active=True, kind__in=EXPECTABLE_KINDS), user, "")
        .exclude(pk=root.pk)
        .filter(Q(parent=root) | (Q(kind__in=RECORD_KINDS) & ~Q(parent__kind__in=ROLLUP_KINDS)))
        .order_by("kind", "sort_order", "name")
    )


def linked_campaign_of(*, parent: Campaign, unit: OrgUnit) -> Campaign | None:
    return Campaign.objects.filter(parent=parent, owner_unit=unit).first()


def upward_return_of(campaign: Campaign) -> Return | None:
    """The return of the campaign's office to the level above (None for a campaign with no parent)."""
    if campaign.parent_id is None:
        return None
    return (
        Return.objects.select_related("campaign", "org_unit", "submitted_by")
        .filter(campaign_id=campaign.parent_id, org_unit_id=campaign.owner_unit_id)
        .first()
    )


# --- completeness and timeliness ---------------------------------------------------------------


class Timeliness:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # not sent, or sent back and not sent again

    LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送"}


def timeliness(status: str | None, submitted_at: dt.datetime | None, deadline: dt.date) -> str:
    if status not in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED) or submitted_at is None:
        return Timeliness.MISSING
    return Timeliness.LATE if submitted_at.astimezone(SHANGHAI).date() > deadline else Timeliness.ON_TIME


@dataclass
class Counts:
    expected: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.on_time - self.late, 0)

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    def add(self, key: str) -> None:
        if key == Timeliness.ON_TIME:
            self.on_time += 1
        elif key == Timeliness.LATE:
            self.late += 1


@dataclass
class CompletenessLine:
    unit: OrgUnit
    ret: Return | None
    timeliness: str
    overdue: bool  # not reported and the deadline day is past
    linked: Campaign | None = None  # the unit's own campaign (an office unit): drill down into it
    below: Counts | None = None  # how the units below it reported to it

    @property
    def timeliness_label(self) -> str:
        return Timeliness.LABELS[self.timeliness]


@dataclass
class Completeness:
    campaign: Campaign
    lines: list[CompletenessLine]
    counts: Counts = field(default_factory=Counts)
    below: Counts | None = None  # every unit two levels down (a city: all townships of its counties)


def campaign_completeness(*, user: User, campaign: Campaign, today: dt.date) -> Completeness:
    """Per expected unit in the user's scope: reported on time, late, or not; for an office unit,
    how its own units reported to it (its linked campaign). Five queries whatever the size."""
    units = list(scoped(campaign.expected_units.all(), user, "").order_by("kind", "sort_order", "name"))
    returns = {r.org_unit_id: r for r in scoped(Return.objects.filter(campaign=campaign), user, "org_unit")}
    linked = {c.owner_unit_id: c for c in scoped(Campaign.objects.filter(parent=campaign), user, "owner_unit")}
    below: dict[int, Counts] = defaultdict(Counts)
    if linked:
        Expected = Campaign.expected_units.through
        sizes = (
            Expected.objects.filter(campaign_id__in=[c.pk for c in linked.values()])
            .values("campaign_id")
            .annotate(n=Count("pk"))
        )
        for row in sizes:
            below[row["campaign_id"]].expected = row["n"]
        deadlines = {c.pk: c.return_deadline for c in linked.values()}
        child_returns = Return.objects.filter(
            campaign_id__in=deadlines, status__in=(ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
        ).values_list("campaign_id", "status", "submitted_at")
        for campaign_id, status, submitted_at in child_returns:
            below[campaign_id].add(timeliness(status, submitted_at, deadlines[campaign_id]))
    result = Completeness(campaign=campaign, lines=[])
    total_below = Counts() if linked else None
    for unit in units:
        ret = returns.get(unit.pk)
        key = timeliness(ret.status if ret else None, ret.submitted_at if ret else None, campaign.return_deadline)
        child = linked.get(unit.pk)
        counts = below[child.pk] if child is not None else None
        result.lines.append(
            CompletenessLine(
                unit=unit,
                ret=ret,
                timeliness=key,
                overdue=key == Timeliness.MISSING and today > campaign.return_deadline,
                linked=child,
                below=counts,
            )
        )
        result.counts.expected += 1
        result.counts.add(key)
        if counts is not None and total_below is not None:
            total_below.expected += counts.expected
            total_below.on_time += counts.on_time
            total_below.late += counts.late
    result.below = total_below
    return result


# --- the duplicate check across the units of linked campaigns -----------------------------------


@dataclass(frozen=True)
class UnitPairDuplicates:
    """People paid 慰问金 by each of these units in the same holiday: a number, never who."""

    unit_names: tuple[str, ...]
    people: int

    @property
    def label(self) -> str:
        return " 与 ".join(self.unit_names)


def _same_holiday_money(campaign: Campaign) -> QuerySet[VisitRecord]:
    """Money given to a person of the ledger in any campaign of the same holiday (linked
    campaigns share the year and kind), by whichever office runs it."""
    return VisitRecord.objects.filter(
        campaign__year=campaign.year,
        campaign__kind=campaign.kind,
        money_amount__gt=0,
        beneficiary__isnull=False,
    )


def duplicates_across_units(*, user: User, campaign: Campaign) -> list[UnitPairDuplicates]:
    """For an office above a county: the people paid in two (or more) of the campaigns of its
    subtree (e.g. 永川区 与 铜梁区：2 人). Counts only: no name, no ID number. Two queries."""
    money = _same_holiday_money(campaign).filter(scope_q(user, "campaign__owner_unit"))
    flagged = (
        money.values("beneficiary_id")
        .annotate(owners=Count("campaign__owner_unit", distinct=True))
        .filter(owners__gte=2)
        .values("beneficiary_id")
    )
    owners: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for person, path, name in (
        money.filter(beneficiary_id__in=flagged)
        .values_list("beneficiary_id", "campaign__owner_unit__path", "campaign__owner_unit__name")
        .distinct()
    ):
        owners[person].add((path, name))
    counter = Counter(tuple(name for _, name in sorted(units)) for units in owners.values())
    return [UnitPairDuplicates(unit_names=names, people=n) for names, n in sorted(counter.items())]


@dataclass
class OwnDuplicate:
    """A record of the user's own county whose person was also paid by another office's campaign."""

    record: VisitRecord
    other_units: list[str]


def own_duplicates_elsewhere(*, user: User, campaign: Campaign) -> list[OwnDuplicate]:
    """The county's side of the check: its own records (its own people) paid elsewhere too, with
    the names of the other offices. Records name a person, a unit, a day and an amount: only
    inside their county (``personal_scope_q``); an office above gets none, whatever campaign
    it opens (it sees ``duplicates_across_units``). Two queries."""
    own = (
        VisitRecord.objects.select_related("org_unit", "beneficiary", "beneficiary__org_unit")
        .filter(personal_scope_q(user, "org_unit"))
        .filter(campaign=campaign, money_amount__gt=0, beneficiary__isnull=False)
    )
    others: dict[int, set[str]] = defaultdict(set)
    for person, name in (
        _same_holiday_money(campaign)
        .exclude(campaign__owner_unit_id=campaign.owner_unit_id)
        .filter(beneficiary_id__in=own.values("beneficiary_id"))
        .values_list("beneficiary_id", "campaign__owner_unit__name")
        .distinct()
    ):
        others[person].add(name)
    if not others:
        return []
    return [
        OwnDuplicate(record=r, other_units=sorted(others[r.beneficiary_id]))
        for r in own.filter(beneficiary_id__in=list(others)).order_by("org_unit__path", "visit_date", "pk")
        if r.beneficiary_id is not None
    ]
