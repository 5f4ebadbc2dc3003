"""The leaders' dashboard: what a leader needs at a glance, in a fixed number of queries.

- task completion by lead unit, and the overdue tasks and 双清单 items;
- this campaign's return state by unit;
- people visited and money by township, this campaign beside the same campaign last year.

Campaign figures use the "everything submitted" basis (submitted and accepted returns), stated
on the page; the downloads offer both bases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString

from reports.official_table import Measures
from reports.selectors import (
    BASIS_STATUSES,
    Basis,
    CampaignReport,
    ReturnState,
    campaign_report,
    same_campaign_last_year,
)
from reports.svg_charts import BarChart, Series, render_chart
from shuangyong.access import scope_root
from shuangyong.models import OrgUnitKind, User
from tasks.models import DualListDirection, DualListItem, Task
from tasks.selectors import (
    DualListStats,
    UnitTaskStats,
    dual_list_summary,
    first_rows_and_total,
    overdue_dual_list_items_for,
    overdue_tasks_for,
    task_completion_by_unit,
)
from visits.models import Campaign

DASHBOARD_BASIS = Basis.SUBMITTED
OVERDUE_LIST_LIMIT = 10


def _wan(amount: Decimal) -> Decimal:
    return amount.scaleb(-4)


def _fmt_wan(value: object) -> str:
    """万元 to the 元 (four decimals), as the printed tables: a small amount never shows as 0.00."""
    return f"{Decimal(str(value)):.4f}"


def _fmt_percent(value: object) -> str:
    return f"{float(str(value)):.1f}"


@dataclass(frozen=True)
class Comparison:
    label: str
    this_year: object
    last_year: object | None
    money: bool = False


@dataclass
class Dashboard:
    year: int
    campaign: Campaign | None
    last_campaign: Campaign | None
    report: CampaignReport | None
    task_stats: list[UnitTaskStats]
    dual_list: list[DualListStats]
    overdue_tasks: list[Task]
    overdue_task_count: int
    overdue_items: list[DualListItem]
    overdue_item_count: int
    state_counts: list[tuple[str, int]] = field(default_factory=list)
    comparison: list[Comparison] = field(default_factory=list)
    charts: dict[str, SafeString] = field(default_factory=dict)
    basis_label: str = DASHBOARD_BASIS.label
    computed_at: datetime = field(default_factory=timezone.now)


def _comparison(this: Measures, last: Measures | None) -> list[Comparison]:
    def pick(m: Measures | None, attr: str) -> object | None:
        if m is None:
            return None
        value = getattr(m, attr)
        return _wan(value) if isinstance(value, Decimal) else value

    rows = [
        ("走访慰问人数（人）", "people_visited", False),
        ("发放慰问金（万元）", "money_amount", True),
        ("慰问金发放人数（人）", "money_recipients", False),
        ("慰问品支出（万元）", "goods_spending", True),
        ("合计（万元）", "total_amount", True),
        ("解决实际困难（件）", "difficulties_solved", False),
    ]
    return [Comparison(label, pick(this, attr), pick(last, attr), money) for label, attr, money in rows]


def cached_dashboard_for(user: User, *, campaign: Campaign | None, year: int | None = None) -> Dashboard:
    """The dashboard, shared for a short while by everyone with the same scope and role.

    Leaders open it as their home page many times a day; its twenty-odd aggregate queries are
    the heaviest page of the portal (bench/README.md). Figures may be DASHBOARD_CACHE_SECONDS old,
    and the page says when they were computed.
    """
    root = scope_root(user)
    key = ":".join(
        str(part)
        for part in (
            "dashboard:v3",
            root.pk if root else 0,
            user.role,
            campaign.pk if campaign else "current",
            year or "this-year",
            timezone.localdate().isoformat(),
        )
    )
    board: Dashboard | None = cache.get(key)
    if board is None:
        board = dashboard_for(user, campaign=campaign, year=year)
        cache.set(key, board, settings.DASHBOARD_CACHE_SECONDS)
    return board


def dashboard_for(user: User, *, campaign: Campaign | None, year: int | None = None) -> Dashboard:
    """Everything on the dashboard. About twenty queries, whatever the number of units and records.

    Task figures are those of ``year`` (this year by default): the tasks open or due in it
    (tasks.selectors.tasks_of_year_q), so the current plan's unfinished tasks count whatever
    year the plan is dated, and the overdue tasks listed on the page are in the figures.
    """
    from visits.selectors import current_campaign_for

    year = year or timezone.localdate().year
    campaign = campaign or current_campaign_for(user)
    statuses = BASIS_STATUSES[DASHBOARD_BASIS]
    report = last_report = last_campaign = None
    if campaign is not None:
        report = campaign_report(user=user, campaign=campaign, statuses=statuses)
        last_campaign = same_campaign_last_year(user, campaign)
        if last_campaign is not None:
            last_report = campaign_report(user=user, campaign=last_campaign, statuses=statuses)

    # The dashboard lists number, title and lead unit: no need for the cooperating units.
    overdue_tasks, overdue_task_count = first_rows_and_total(
        overdue_tasks_for(user).prefetch_related(None), OVERDUE_LIST_LIMIT
    )
    overdue_items, overdue_item_count = first_rows_and_total(overdue_dual_list_items_for(user), OVERDUE_LIST_LIMIT)
    board = Dashboard(
        year=year,
        campaign=campaign,
        last_campaign=last_campaign,
        report=report,
        task_stats=task_completion_by_unit(user=user, year=year),
        dual_list=dual_list_summary(user=user, year=year),
        overdue_tasks=overdue_tasks,
        overdue_task_count=overdue_task_count,
        overdue_items=overdue_items,
        overdue_item_count=overdue_item_count,
    )
    _add_charts(board, last_report)
    return board


LEVEL_WORDS: dict[str, str] = {
    OrgUnitKind.TOWNSHIP: "各乡镇（街道）",
    OrgUnitKind.COUNTY: "各区县",
    OrgUnitKind.CITY: "各市",
}


def _add_charts(board: Dashboard, last_report: CampaignReport | None) -> None:
    stats = board.task_stats
    board.charts["tasks"] = render_chart(
        BarChart(
            title=f"{board.year}年各牵头单位任务完成率",
            categories=[s.unit_name for s in stats],
            series=[Series("完成率", [round(s.rate * 100, 1) for s in stats])],
            unit="%",
            value_format=_fmt_percent,
        )
    )
    dual = board.dual_list
    board.charts["dual_list"] = render_chart(
        BarChart(
            title=f"{board.year}年“双清单”事项销号情况",
            categories=[f"{s.unit_name}·{DualListDirection(s.direction).label}" for s in dual],
            series=[Series("事项总数", [s.total for s in dual]), Series("已销号", [s.closed for s in dual])],
            unit="项",
        )
    )
    report = board.report
    if report is None or board.campaign is None:
        return
    counts = Counter(line.state for line in report.lines if line.expected)
    board.state_counts = [(state.label, counts.get(state, 0)) for state in ReturnState]
    board.charts["returns"] = render_chart(
        BarChart(
            title=f"{board.campaign.title}报表报送情况（单位数）",
            categories=[label for label, _ in board.state_counts],
            series=[Series("单位数", [n for _, n in board.state_counts])],
            unit="个",
        )
    )
    # The offices one level down, whatever the level: a county's townships, a city's counties, a
    # province's cities (member units have no office and are left out of these two charts).
    townships = [line for line in report.lines if line.unit.has_office]
    level = LEVEL_WORDS.get(townships[0].unit.kind, "各单位") if townships else "各乡镇（街道）"
    last_by_unit = {line.unit.pk: line.total for line in last_report.lines} if last_report else {}
    this_label = f"{board.campaign.year}年"
    last_label = f"{board.campaign.year - 1}年"

    def series(attr: str, *, money: bool) -> list[Series]:
        def value(m: Measures | None) -> Decimal | int:
            if m is None:
                return Decimal(0) if money else 0
            raw = getattr(m, attr)
            return _wan(raw) if money else raw

        result = [Series(this_label, [value(line.total) for line in townships])]
        if last_report is not None:
            result.append(Series(last_label, [value(last_by_unit.get(line.unit.pk)) for line in townships]))
        return result

    names = [line.unit.name for line in townships]
    board.charts["people"] = render_chart(
        BarChart(
            title=f"{level}走访慰问人数",
            categories=names,
            series=series("people_visited", money=False),
            unit="人",
        )
    )
    board.charts["money"] = render_chart(
        BarChart(
            title=f"{level}慰问金和慰问品合计",
            categories=names,
            series=series("total_amount", money=True),
            unit="万元",
            value_format=_fmt_wan,
        )
    )
    board.comparison = _comparison(report.county_total, last_report.county_total if last_report else None)
