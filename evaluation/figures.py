"""Evidence found automatically: the portal's own figures for each year of an evaluation window,
and what is missing (the gap list). Selectors only: read through the other apps' selectors.

The figures of an evaluation are its owning unit's own figures, whoever reads them: they are read
as that unit's office sees them (``unit_viewer``), so a city reading a county's binder sees the
county's 办结率, not the city's, and the numbers are the ones the county's own pages show —
the 双清单 closure rate is the one of the reconciliation pages (``tasks.selectors.dual_list_summary``
counts the same items, per troop and year, in the same scope).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from evaluation.models import (
    BudgetProof,
    BudgetProofKind,
    DocumentKind,
    DocumentRequest,
    Evaluation,
    FigureKey,
    Meeting,
    MeetingKind,
    UnitDocument,
)
from evaluation.selectors import member_units_of
from shuangyong.models import OrgUnit, Role, User
from tasks.models import today_shanghai
from tasks.selectors import dual_list_summary, task_completion_by_unit
from visits.models import ReturnStatus
from visits.selectors import campaign_overview, campaign_statistics, campaigns_for

MEETING_KEYS = {
    FigureKey.MEETING_MILITARY: MeetingKind.MILITARY_AFFAIRS,
    FigureKey.MEETING_JOINT: MeetingKind.JOINT,
    FigureKey.MEETING_LEADING: MeetingKind.LEADING_GROUP,
    FigureKey.MEETING_FORUM: MeetingKind.FORUM,
}
DOCUMENT_KEYS = {
    FigureKey.UNIT_PLANS: DocumentKind.PLAN,
    FigureKey.UNIT_SUMMARIES: DocumentKind.SUMMARY,
    FigureKey.UNIT_REPORTS: DocumentKind.REPORT,
}
BUDGET_KEYS = {FigureKey.BUDGET: BudgetProofKind.BUDGET, FigureKey.PAYMENTS: BudgetProofKind.PAYMENT}
# "2025" + …: 2025年度计划, 2025年度总结, 2025年述职报告
DOCUMENT_OF_YEAR = {DocumentKind.PLAN: "年度计划", DocumentKind.SUMMARY: "年度总结", DocumentKind.REPORT: "年述职报告"}
WAN = Decimal("10000")


def unit_viewer(unit: OrgUnit) -> User:
    """An unsaved office user of ``unit``: the scope in which the unit's figures are counted."""
    return User(username=f"figures-{unit.pk}", org_unit=unit, role=Role.OFFICE, is_active=True)


def percent(part: int, whole: int) -> str:
    """83.3% (one decimal, half up); "—" when there is nothing to count."""
    if not whole:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def wan(amount: Decimal) -> str:
    return f"{(amount / WAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@dataclass
class YearFigure:
    year: int
    text: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Figure:
    key: str
    label: str
    years: list[YearFigure]
    gaps: list[str] = field(default_factory=list)


class EvaluationFigures:
    """All the figures of one evaluation, each computed once (a page costs a fixed number of
    queries whatever the number of items)."""

    def __init__(self, evaluation: Evaluation, *, today: dt.date | None = None) -> None:
        self.evaluation = evaluation
        self.unit = evaluation.owner_unit
        self.years = evaluation.years
        self.today = today or today_shanghai()
        self.viewer = unit_viewer(self.unit)
        self._cache: dict[str, Figure] = {}
        self._meetings: dict[tuple[str, int], tuple[int, int]] | None = None
        self._campaigns: list[Any] | None = None

    def figure(self, key: str) -> Figure:
        if key not in self._cache:
            self._cache[key] = self._compute(key)
        return self._cache[key]

    def figures(self, keys: list[str]) -> list[Figure]:
        return [self.figure(k) for k in keys if k in FigureKey.values]

    def _compute(self, key: str) -> Figure:
        label = FigureKey(key).label
        if key == FigureKey.DUAL_LIST:
            return Figure(key, label, [self.dual_list_year(y) for y in self.years])
        if key == FigureKey.TASKS:
            return Figure(key, label, [self._tasks_year(y) for y in self.years])
        if key == FigureKey.RETURNS:
            return Figure(key, label, self._returns())
        if key == FigureKey.VISITS:
            return Figure(key, label, self._visits())
        if key in MEETING_KEYS:
            return self._meeting_figure(key, MEETING_KEYS[FigureKey(key)])
        if key in DOCUMENT_KEYS:
            return self._document_figure(key, DOCUMENT_KEYS[FigureKey(key)])
        return self._budget_figure(key, BUDGET_KEYS[FigureKey(key)])

    # --- from the other apps' selectors ---

    def dual_list_year(self, year: int) -> YearFigure:
        stats = dual_list_summary(user=self.viewer, year=year, today=self.today)
        total = sum(s.total for s in stats)
        closed = sum(s.closed for s in stats)
        rate = percent(closed, total)
        text = f"共 {total} 项，已销号 {closed} 项，办结率 {rate}" if total else "无双清单事项"
        return YearFigure(year, text, {"total": total, "closed": closed, "rate": rate})

    def _tasks_year(self, year: int) -> YearFigure:
        stats = task_completion_by_unit(user=self.viewer, year=year, today=self.today)
        total = sum(s.total for s in stats)
        done = sum(s.completed for s in stats)
        late = sum(s.overdue for s in stats)
        text = f"任务 {total} 项，已完成 {done} 项（{percent(done, total)}），逾期 {late} 项" if total else "无工作任务"
        return YearFigure(year, text, {"total": total, "completed": done, "overdue": late})

    def _campaigns_of_window(self) -> list[Any]:
        if self._campaigns is None:
            self._campaigns = list(
                campaigns_for(self.viewer).filter(year__in=self.years).order_by("year", "visit_start")
            )
        return self._campaigns

    def _returns(self) -> list[YearFigure]:
        out = []
        for campaign in self._campaigns_of_window():
            rows = campaign_overview(user=self.viewer, campaign=campaign, record_counts=False).rows
            on_time = sum(1 for r in rows if r.submitted and not r.late)
            late = sum(1 for r in rows if r.submitted and r.late)
            missing = len(rows) - on_time - late
            text = f"{campaign.title}：应报 {len(rows)} 个单位，按时 {on_time} 个，逾期 {late} 个，未报 {missing} 个"
            out.append(YearFigure(campaign.year, text, {"expected": len(rows), "on_time": on_time, "late": late}))
        return out

    def _visits(self) -> list[YearFigure]:
        out = []
        handed_in = [ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED]
        for campaign in self._campaigns_of_window():
            cells = campaign_statistics(user=self.viewer, campaign=campaign, statuses=handed_in)
            people = sum(c.people_visited for rows in cells.values() for c in rows.values())
            money = sum((c.money_amount for rows in cells.values() for c in rows.values()), Decimal("0"))
            goods = sum((c.goods_spending for rows in cells.values() for c in rows.values()), Decimal("0"))
            text = f"{campaign.title}：走访慰问 {people} 人，慰问金 {wan(money)} 万元，慰问品 {wan(goods)} 万元"
            out.append(YearFigure(campaign.year, text, {"people": people, "money": money, "goods": goods}))
        return out

    # --- the records of this app ---

    def _meeting_counts(self) -> dict[tuple[str, int], tuple[int, int]]:
        if self._meetings is None:
            rows = (
                Meeting.objects.filter(owner_unit=self.unit, date__year__in=self.years)
                .values("kind", "date__year")
                .annotate(n=Count("id"), with_minutes=Count("id", filter=~Q(minutes="")))
                .order_by()
            )
            self._meetings = {(r["kind"], r["date__year"]): (r["n"], r["with_minutes"]) for r in rows}
        return self._meetings

    def _meeting_figure(self, key: str, kind: str) -> Figure:
        counts = self._meeting_counts()
        label = MeetingKind(kind).label
        years, gaps = [], []
        for y in self.years:
            held, with_minutes = counts.get((kind, y), (0, 0))
            years.append(
                YearFigure(y, f"召开 {held} 次，有纪要 {with_minutes} 次", {"held": held, "minutes": with_minutes})
            )
            if y <= self.today.year and not with_minutes:
                gaps.append(f"{y}年 {label}纪要缺失")
        return Figure(key, FigureKey(key).label, years, gaps)

    def _document_figure(self, key: str, kind: str) -> Figure:
        members = list(member_units_of(self.unit))
        have: set[tuple[int, int]] = set(
            UnitDocument.objects.filter(unit__in=members, kind=kind, year__in=self.years)
            .values_list("unit_id", "year")
            .distinct()
        )
        deadlines = dict(
            DocumentRequest.objects.filter(owner_unit=self.unit, kind=kind, year__in=self.years).values_list(
                "year", "deadline"
            )
        )
        years, gaps = [], []
        for y in self.years:
            without = [u for u in members if (u.pk, y) not in have]
            done = len(members) - len(without)
            years.append(
                YearFigure(
                    y,
                    f"{len(members)} 个成员单位，已交 {done} 个，未交 {len(without)} 个",
                    {"members": len(members), "done": done, "missing": [u.name for u in without]},
                )
            )
            if without and self._document_due(kind, y, deadlines.get(y)):
                names = "、".join(u.name for u in without)
                gaps.append(f"{len(without)}个成员单位缺{y}{DOCUMENT_OF_YEAR[DocumentKind(kind)]}：{names}")
        return Figure(key, FigureKey(key).label, years, gaps)

    def _document_due(self, kind: str, year: int, deadline: dt.date | None) -> bool:
        """A past year's documents are all due; this year's plan is too; this year's summary and
        述职 only once the office's deadline for them has passed."""
        if year < self.today.year:
            return True
        if year > self.today.year:
            return False
        return kind == DocumentKind.PLAN or (deadline is not None and deadline < self.today)

    def _budget_figure(self, key: str, kind: str) -> Figure:
        rows: dict[int, dict[str, Any]] = {
            r["year"]: dict(r)
            for r in BudgetProof.objects.filter(owner_unit=self.unit, kind=kind, year__in=self.years)
            .values("year")
            .annotate(n=Count("id"), amount=Sum("amount"))
            .order_by()
        }
        label = BudgetProofKind(kind).label
        years: list[YearFigure] = []
        gaps: list[str] = []
        for y in self.years:
            r = rows.get(y) or {"n": 0, "amount": Decimal("0")}
            years.append(YearFigure(y, f"{r['n']} 份，合计 {wan(r['amount'] or Decimal('0'))} 万元", {"count": r["n"]}))
            if y <= self.today.year and not r["n"]:
                gaps.append(f"{y}年 {label}缺失")
        return Figure(key, FigureKey(key).label, years, gaps)


def gaps_by_year(figures: list[Figure]) -> list[str]:
    return [gap for f in figures for gap in f.gaps]


def group_by_year(figures: list[Figure]) -> dict[int, list[tuple[str, str]]]:
    """year → (figure label, text): the layout of a figure sheet."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for f in figures:
        for y in f.years:
            out[y.year].append((f.label, y.text))
    return dict(out)
