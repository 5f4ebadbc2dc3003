"""Reads of the ledger, campaigns, records and returns, always narrowed to what the user may see.

The ledger is personal data: only the person's own township (and its villages) and the office
may see it; leaders, member units and troops see none of it, whatever their scope.
Visit records and returns are scoped by the unit of the return.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Min, Prefetch, Q, QuerySet, Sum, Value, When
from django.shortcuts import get_object_or_404

from shuangyong.access import (
    NOTHING,
    personal_data_home,
    personal_scope_q,
    scope_q,
    scope_root,
    scoped,
    unit_in_personal_scope,
    within_personal_data_boundary,
)
from shuangyong.models import PERSONAL_DATA_BOUNDARY, OrgUnit, OrgUnitKind, User
from visits.models import (
    RECORD_KINDS,
    Beneficiary,
    BeneficiaryTransfer,
    Campaign,
    DifficultyKind,
    IdentityAccessLog,
    Return,
    ReturnStatus,
    TableRow,
    VisitDifficulty,
    VisitRecord,
    rolls_up,
)
from visits.policy import may_see_ledger
from visits.validators import normalize_id_number

# --- the ledger ---------------------------------------------------------------------------


def beneficiaries_for(user: User) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.select_related("category", "org_unit", "org_unit__parent")
    if not may_see_ledger(user):
        return qs.filter(NOTHING)
    return qs.filter(personal_scope_q(user, "org_unit"))


def get_beneficiary_for(user: User, pk: int) -> Beneficiary:
    return get_object_or_404(beneficiaries_for(user), pk=pk)


#: The reads of one person's record shown on the person's page (the full log: the admin).
ACCESS_LOG_SHOWN = 20


def access_log_of(user: User, person: Beneficiary) -> list[IdentityAccessLog]:
    """Who read ``person``'s record or full identity number, newest first (domain.md §4): shown to
    the office that keeps the county's ledger, not to a township (a clerk does not audit the
    office). One query."""
    if not user.is_office or not may_see_ledger(user):
        return []
    return list(
        IdentityAccessLog.objects.filter(beneficiary=person).select_related("user", "user__org_unit")[:ACCESS_LOG_SHOWN]
    )


# --- campaigns and returns ----------------------------------------------------------------


def campaigns_for(user: User) -> QuerySet[Campaign]:
    """Campaigns run by the user's unit or a unit above it (those it reports to), and, for an office
    above others, the campaigns of the units below it: a city reads its counties' campaigns and
    their returns (not the records' people: visit_records_for); the drill-down of docs/levels.md."""
    root = scope_root(user)
    if root is None:
        return Campaign.objects.none()
    mine_or_above = Q(owner_unit_id__in=root.ancestor_pks())
    return (
        Campaign.objects.filter(mine_or_above | scope_q(user, "owner_unit"))
        .select_related("owner_unit", "parent", "parent__owner_unit")
        .order_by("-year", "-visit_start")
    )


def campaigns_listed_for(user: User) -> QuerySet[Campaign]:
    """The campaigns the user takes part in, for lists and choices: those run by the user's unit
    or above it, the nearest of each linked chain (a township lists its county's campaign, not the
    city's one that the county's is linked under; the county lists both its own and the city's).
    The offices below are reached from a campaign's completeness page (docs/levels.md)."""
    root = scope_root(user)
    if root is None:
        return Campaign.objects.none()
    above = [pk for pk in root.ancestor_pks() if pk != root.pk]
    return (
        Campaign.objects.filter(owner_unit_id__in=root.ancestor_pks())
        .exclude(linked_campaigns__owner_unit_id__in=above)
        .select_related("owner_unit", "parent", "parent__owner_unit")
        .order_by("-year", "-visit_start")
    )


def has_campaign_records(user: User, campaign: Campaign) -> bool:
    """Whether the user can have visit records of ``campaign`` at all (to export or import): inside
    a county, yes; above it, only where the campaign expects record units of the user's own (a
    city's member units), never the counties' townships, whose records stay in the county."""
    if within_personal_data_boundary(user):
        return True
    return campaign.expected_units.filter(personal_scope_q(user, ""), kind__in=RECORD_KINDS).exists()


def get_campaign_for(user: User, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for(user), pk=pk)


def current_campaign_for(user: User) -> Campaign | None:
    """The campaign whose deadline is nearest ahead (or the latest one); the office's own first
    (a county's office, whose campaign is linked under the city's with the same deadline)."""
    from django.utils import timezone

    today = timezone.localdate()
    # Read once per user object, i.e. once per request: the home page's panels and the
    # dashboard each ask for it (like ``shuangyong.access._offices_below``).
    cached = getattr(user, "_current_campaign", None)
    if cached is not None and cached[0] == (today, user.org_unit_id):
        return cached[1]
    qs = campaigns_listed_for(user)
    own_first = Case(When(owner_unit_id=user.org_unit_id, then=Value(0)), default=Value(1))
    campaign = (
        qs.filter(return_deadline__gte=today).order_by(own_first, "return_deadline").first()
        or qs.order_by(own_first, "-year", "-visit_start").first()
    )
    user._current_campaign = ((today, user.org_unit_id), campaign)  # type: ignore[attr-defined]
    return campaign


def returns_for(user: User) -> QuerySet[Return]:
    return scoped(Return.objects.select_related("campaign", "org_unit"), user, "org_unit")


def returns_for_campaign(*, user: User, campaign: Campaign) -> QuerySet[Return]:
    return returns_for(user).filter(campaign=campaign)


def get_return_for(user: User, pk: int) -> Return:
    return get_object_or_404(returns_for(user), pk=pk)


def visit_records_for(user: User) -> QuerySet[VisitRecord]:
    """Visit records name people: visible only inside their county (personal_scope_q). Their totals
    go up through ``unit_records_summary`` and ``campaign_statistics``."""
    return (
        VisitRecord.objects.select_related("campaign", "org_unit", "unit_return", "beneficiary", "troop_unit")
        .filter(personal_scope_q(user, "org_unit"))
        .prefetch_related(Prefetch("difficulties", queryset=VisitDifficulty.objects.order_by("pk")))
    )


def records_visible_for(user: User, unit: OrgUnit) -> bool:
    """Whether the user may list the unit's records (or only its totals: an office above the county)."""
    return unit_in_personal_scope(user, unit)


def get_visit_record_for(user: User, pk: int) -> VisitRecord:
    return get_object_or_404(visit_records_for(user), pk=pk)


class UnitState:
    """How a unit stands in a campaign, as the office's overview shows it."""

    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    LATE = "late"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    NO_VISITS = "no_visits"

    LABELS = {
        NOT_SUBMITTED: "未提交",
        SUBMITTED: "已按时提交",
        LATE: "逾期提交",
        RETURNED: "已退回",
        ACCEPTED: "已审核",
        NO_VISITS: "本期无走访",
    }


@dataclass
class UnitReturnRow:
    unit: OrgUnit
    ret: Return | None
    record_count: int

    @property
    def rolls_up(self) -> bool:
        """A county (city) under the campaign: its line is its own table, it enters no records."""
        return rolls_up(self.unit)

    @property
    def submitted(self) -> bool:
        """本期无走访 counts as submitted: it is an answer, not a missing return."""
        return self.ret is not None and self.ret.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)

    @property
    def late(self) -> bool:
        if self.ret is None or self.ret.submitted_at is None:
            return False
        return self.ret.is_late

    @property
    def states(self) -> list[str]:
        if self.ret is None or self.ret.status == ReturnStatus.DRAFT:
            return [UnitState.NOT_SUBMITTED]
        if self.ret.status == ReturnStatus.RETURNED:
            return [UnitState.RETURNED]
        states = [UnitState.ACCEPTED] if self.ret.status == ReturnStatus.ACCEPTED else []
        states.append(UnitState.LATE if self.late else UnitState.SUBMITTED)
        if self.ret.no_visits:
            states.append(UnitState.NO_VISITS)
        return states

    @property
    def state_labels(self) -> list[str]:
        return [UnitState.LABELS[s] for s in self.states]

    @property
    def state_items(self) -> list[tuple[str, str]]:
        return [(s, UnitState.LABELS[s]) for s in self.states]


@dataclass
class CampaignOverview:
    rows: list[UnitReturnRow]
    counts: dict[str, int]

    @property
    def count_items(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.counts.get(key, 0)) for key, label in UnitState.LABELS.items()]


def campaign_overview(*, user: User, campaign: Campaign, record_counts: bool = True) -> CampaignOverview:
    """Per expected unit in scope: its return and state. Three queries whatever the number of units.
    ``record_counts=False`` (the home page's counts by state) skips counting every unit's records."""
    units = list(scoped(campaign.expected_units.all(), user, "").order_by("kind", "sort_order", "name"))
    returns_qs = returns_for_campaign(user=user, campaign=campaign).defer("figures", "summary")
    if record_counts:
        returns_qs = returns_qs.annotate(record_count=Count("records"))
    returns = {r.org_unit_id: r for r in returns_qs}
    extra = [r.org_unit for uid, r in returns.items() if uid not in {u.pk for u in units}]
    rows = [
        UnitReturnRow(unit=u, ret=returns.get(u.pk), record_count=getattr(returns.get(u.pk), "record_count", 0))
        for u in [*units, *extra]
    ]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for state in row.states:
            counts[state] += 1
    return CampaignOverview(rows=rows, counts=dict(counts))


def money_duplicates(*, user: User, campaign: Campaign) -> list[tuple[Beneficiary, list[VisitRecord]]]:
    """Beneficiaries who received money (慰问金) from two or more units in the same campaign."""
    money = visit_records_for(user).filter(campaign=campaign, money_amount__gt=0, beneficiary__isnull=False)
    flagged = (
        money.values("beneficiary_id")
        .annotate(units=Count("org_unit", distinct=True))
        .filter(units__gte=2)
        .values("beneficiary_id")
    )
    records = list(money.filter(beneficiary_id__in=flagged).order_by("beneficiary_id", "org_unit__path", "pk"))
    grouped: dict[int, list[VisitRecord]] = defaultdict(list)
    for r in records:
        assert r.beneficiary_id is not None
        grouped[r.beneficiary_id].append(r)
    return [(recs[0].beneficiary, recs) for recs in grouped.values() if recs[0].beneficiary is not None]


# --- statistics for reports/ ----------------------------------------------------------------


@dataclass
class TableCell:
    people_visited: int = 0
    money_amount: Decimal = Decimal("0")  # 元, exact
    money_recipients: int = 0
    goods_spending: Decimal = Decimal("0")  # 元, exact
    goods_count: int = 0
    goods_recipients: int = 0
    leaders: list[str] = field(default_factory=list)  # distinct 带队领导, stable order
    difficulties: dict[str, int] = field(default_factory=dict)  # difficulty label -> count solved


_CENT = Decimal("0.01")


def _money(value: object) -> Decimal:
    # SQLite sums decimals in floating point; quantizing to the cent restores the exact value
    # (sums stay far below 2**53 cents). PostgreSQL's NUMERIC sum is exact already.
    return Decimal(str(value or 0)).quantize(_CENT)


def campaign_statistics(
    *,
    user: User,
    campaign: Campaign,
    statuses: Iterable[str] | None = None,
    unit_ids: Iterable[int] | None = None,
) -> dict[int, dict[str, TableCell]]:
    """org_unit_id -> TableRow value -> TableCell, in two grouped queries whatever the size."""

    def records_q(prefix: str = "") -> Q:
        q = Q(**{f"{prefix}campaign": campaign}) & scope_q(user, f"{prefix}org_unit")
        if statuses is not None:
            q &= Q(**{f"{prefix}unit_return__status__in": list(statuses)})
        if unit_ids is not None:
            q &= Q(**{f"{prefix}org_unit_id__in": list(unit_ids)})
        return q

    result: dict[int, dict[str, TableCell]] = defaultdict(dict)

    def cell(unit_id: int, row: str) -> TableCell:
        return result[unit_id].setdefault(row, TableCell())

    # The sums and the 带队领导 in one pass: one group per (unit, row, leader), added up here;
    # the groups come in the order of each leader's first visit, so the names keep that order.
    groups = (
        VisitRecord.objects.filter(records_q())
        .values("org_unit_id", "table_row", "lead_leader")
        .annotate(
            people=Sum("people_visited"),
            money=Sum("money_amount"),
            money_n=Sum("money_recipients"),
            goods=Sum("goods_spending"),
            goods_count_=Sum("goods_count"),
            goods_n=Sum("goods_recipients"),
            first_visit=Min("visit_date"),
            first_pk=Min("pk"),
        )
        .order_by("org_unit_id", "table_row", "first_visit", "first_pk")
    )
    for g in groups:
        c = cell(g["org_unit_id"], g["table_row"])
        c.people_visited += g["people"] or 0
        c.money_amount += _money(g["money"])
        c.money_recipients += g["money_n"] or 0
        c.goods_spending += _money(g["goods"])
        c.goods_count += g["goods_count_"] or 0
        c.goods_recipients += g["goods_n"] or 0
        if g["lead_leader"]:
            c.leaders.append(g["lead_leader"])

    labels = dict(DifficultyKind.choices)
    solved = (
        VisitDifficulty.objects.filter(records_q("record__"))
        .values("record__org_unit_id", "record__table_row", "kind")
        .annotate(n=Sum("count"))
        .order_by("record__org_unit_id", "record__table_row", "kind")
    )
    for d in solved:
        c = cell(d["record__org_unit_id"], d["record__table_row"])
        label = labels.get(d["kind"], d["kind"])
        c.difficulties[label] = c.difficulties.get(label, 0) + (d["n"] or 0)
    order = {label: i for i, label in enumerate(DifficultyKind.labels)}
    for rows in result.values():
        for c in rows.values():
            c.difficulties = dict(sorted(c.difficulties.items(), key=lambda item: order.get(item[0], len(order))))
    return {unit_id: dict(rows) for unit_id, rows in result.items()}


def table_rows() -> list[tuple[str, str]]:
    return list(TableRow.choices)


def unit_records_summary(*, user: User, campaign: Campaign, org_unit: OrgUnit) -> dict[str, object]:
    """A unit's totals for the campaign (its return page): figures, no people, so they go up to the
    offices above the county too (scope_q, not the records' personal scope)."""
    qs = scoped(VisitRecord.objects.all(), user, "org_unit").filter(campaign=campaign, org_unit=org_unit)
    totals = qs.aggregate(
        n=Count("pk"),
        people=Sum("people_visited"),
        money=Sum("money_amount"),
        money_recipients=Sum("money_recipients"),
        goods=Sum("goods_spending"),
        goods_count=Sum("goods_count"),
    )
    return {
        "count": totals["n"],
        "people": totals["people"] or 0,
        "money": _money(totals["money"]),
        "money_recipients": totals["money_recipients"] or 0,
        "goods": _money(totals["goods"]),
        "goods_count": totals["goods_count"] or 0,
        "total": _money(totals["money"]) + _money(totals["goods"]),
    }


def unit_difficulties_summary(*, user: User, campaign: Campaign, org_unit: OrgUnit) -> list[tuple[str, int]]:
    """解决实际困难 of a unit's records, by kind, in the kinds' order: (label, how many solved)."""
    rows = (
        VisitDifficulty.objects.filter(scope_q(user, "record__org_unit"))
        .filter(record__campaign=campaign, record__org_unit=org_unit)
        .values("kind")
        .annotate(n=Sum("count"))
    )
    solved = {r["kind"]: r["n"] for r in rows}
    return [(label, solved[kind]) for kind, label in DifficultyKind.choices if solved.get(kind)]


PERSON_MATCHES = 20
ID_NUMBER_TAIL = re.compile(r"[0-9]{3}[0-9X]", re.ASCII)


def record_people_for(user: User, unit: OrgUnit, *, record: VisitRecord | None = None) -> QuerySet[Beneficiary]:
    """The people a record of ``unit`` may name: the unit's own ledger (or a village's below it) and,
    for an existing record, the person it already names, even one who has moved to another county
    since: the record stays valid, and the form reads only the name and masked number it showed."""
    people = beneficiaries_for(user)
    if not may_see_ledger(user):
        return people  # nobody
    named = Q(personal_scope_q(user, "org_unit"), org_unit__path__startswith=unit.path)
    if record is not None and record.beneficiary_id is not None:
        named |= Q(pk=record.beneficiary_id)
    return Beneficiary.objects.select_related("category", "org_unit", "org_unit__parent").filter(named)


def person_matches(*, user: User, unit: OrgUnit, query: str) -> list[Beneficiary]:
    """The record form's person search: people of the unit's ledger (or below it) by name or by the
    last 4 characters of the identity number (visible in the masked number anyway), at most 20."""
    query = query.strip()
    if not query:
        return []
    match = Q(name__icontains=query)
    digits = normalize_id_number(query)  # ４５６Ｘ finds …456X like 456X does
    if ID_NUMBER_TAIL.fullmatch(digits):
        match |= Q(id_number__endswith=digits)
    people = record_people_for(user, unit).filter(match)  # never the people who moved away
    return list(people.order_by("name", "pk")[:PERSON_MATCHES])


def ledger_search(qs: QuerySet[Beneficiary], query: str) -> QuerySet[Beneficiary]:
    query = query.strip()
    if not query:
        return qs
    return qs.filter(Q(name__icontains=query) | Q(phone__icontains=query) | Q(address__icontains=query))


# --- transfers (迁出 → 迁入) ------------------------------------------------------------------


def transfers_for(user: User) -> QuerySet[BeneficiaryTransfer]:
    """Transfers the user's ledger takes part in: as the origin (the person's unit when it left),
    the destination county's office (before and after the decision), or the township the person
    moved to. Personal data: never above the county, never for leaders or the administrator."""
    qs = BeneficiaryTransfer.objects.select_related(
        "beneficiary", "beneficiary__category", "from_unit", "to_county", "to_unit", "requested_by", "decided_by"
    )
    if not may_see_ledger(user):
        return qs.filter(NOTHING)
    return qs.filter(personal_scope_q(user, "from_unit", "to_county", "to_unit"))


def get_transfer_for(user: User, pk: int) -> BeneficiaryTransfer:
    return get_object_or_404(transfers_for(user), pk=pk)


def transfer_destinations(user: User) -> QuerySet[OrgUnit]:
    """The counties a person of the user's ledger may move to: every active county but the user's
    own, by name only (nothing of their ledgers)."""
    home = personal_data_home(user.org_unit)
    counties = OrgUnit.objects.filter(kind=PERSONAL_DATA_BOUNDARY, is_active=True).order_by("path")
    return counties.exclude(pk=home.pk) if home is not None else counties


def transfer_target_units(transfer: BeneficiaryTransfer) -> QuerySet[OrgUnit]:
    """Where the destination county's office may register the person: its townships and villages."""
    return (
        OrgUnit.objects.below(transfer.to_county).active().filter(kind__in=[OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE])
    )
