"""Build the downloadable workbooks. They read (through reports.selectors) and write nothing.

Each download reads its data fresh, then lists its sheets as plain data (a sheet name, a pure
writer of reports.official_table / reports.workbooks, and that writer's data). The file is
written with XlsxWriter in memory (reports.xlsx; a county of sixty unit sheets is about 90 KB,
bench/) and kept in the cache under a digest of that list: the next download whose data is
exactly the same (same numbers, states, names and day) gets the same file without writing it
again, and any change in the data is a new key, never a stale file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from reports.official_table import OfficialTable, army_day_title, spring_title, write_official_table
from reports.selectors import BASIS_STATUSES, Basis, campaign_report, unit_rows
from reports.workbooks import (
    DualListLine,
    SummaryLine,
    TaskLine,
    unique_sheet_names,
    write_dual_list_sheet,
    write_summary_sheet,
    write_task_sheet,
)
from reports.xlsx import ReportBook
from shuangyong.access import scope_root
from shuangyong.env import env_str
from shuangyong.models import OrgUnit, User
from tasks.models import DualListDirection
from tasks.selectors import dual_list_summary, task_completion_by_unit
from visits.models import Campaign, CampaignKind

COUNTY_SHEET = "统计表"
SUMMARY_SHEET = "汇总表"


def troop_name() -> str:
    """The county's troops as the 八一 title names them, e.g. 驻铜部队.

    Set ``SHUANGYONG_TROOP_NAME`` in the environment (or as a Django setting, which wins);
    without it the title says 驻地部队. One deployment serves one county, so one name.
    """
    configured = getattr(settings, "SHUANGYONG_TROOP_NAME", None)
    if configured is None:
        configured = env_str("SHUANGYONG_TROOP_NAME", "")
    return (configured or "").strip() or "驻地部队"


def campaign_table_title(campaign: Campaign) -> str:
    if campaign.kind == CampaignKind.ARMY_DAY:
        return army_day_title(campaign.year, troop_name())
    return spring_title(campaign.year)


def _with_basis(title: str, basis: str) -> str:
    return f"{title}（{Basis(basis).label}）"


def _filing_unit_name(user: User, campaign: Campaign) -> str:
    """填报单位 of the county table: the 双拥办 that runs the campaign, or, for a user whose scope
    is only part of the county (a township's leader), that part: the table covers only it."""
    root = scope_root(user)
    if root is None or campaign.owner_unit.path.startswith(root.path):
        return campaign.owner_unit.name
    return root.name


# (sheet name, writer, the writer's keyword arguments): a workbook as plain data.
SheetSpec = tuple[str, Callable[..., None], dict[str, Any]]


def write_workbook(sheets: list[SheetSpec]) -> bytes:
    """The .xlsx file of these sheets, from the cache when the same sheets were written lately.

    The writers are pure, so sheets that pickle to the same bytes give the same file: the key is
    a digest of the whole data (pickle is only hashed here, never loaded). Kept for
    REPORTS_WORKBOOK_CACHE_SECONDS (0: always written).
    """
    key = "reports:xlsx:" + hashlib.sha256(pickle.dumps(sheets, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    timeout = settings.REPORTS_WORKBOOK_CACHE_SECONDS
    content = cache.get(key) if timeout else None
    if content is None:
        book = ReportBook()
        for name, write, data in sheets:
            write(book.add_sheet(name), **data)
        content = book.to_bytes()
        if timeout:
            cache.set(key, content, timeout)
    return content


def unit_table_workbook(*, user: User, campaign: Campaign, unit: OrgUnit) -> bytes:
    """One unit's official table: every record of the unit and its villages, whatever the return's state."""
    rows = unit_rows(user=user, campaign=campaign, unit=unit)
    table = OfficialTable(
        title=campaign_table_title(campaign), unit_name=unit.name, date=timezone.localdate(), rows=rows
    )
    return write_workbook([(unique_sheet_names([unit.display_name])[0], write_official_table, {"table": table})])


def county_workbook(*, user: User, campaign: Campaign, basis: str) -> bytes:
    """The county table (填报单位 = the 双拥办), the 汇总表, then one sheet per unit."""
    report = campaign_report(user=user, campaign=campaign, statuses=BASIS_STATUSES[Basis(basis)])
    today = timezone.localdate()
    title = _with_basis(campaign_table_title(campaign), basis)
    county = OfficialTable(
        title=title, unit_name=_filing_unit_name(user, campaign), date=today, rows=report.county_rows
    )
    summary = {
        "title": _with_basis(f"{campaign.year}年{campaign.get_kind_display()}走访慰问各单位报送情况汇总表", basis),
        "date": today,
        "lines": [
            SummaryLine(
                unit_name=line.unit.name,
                state_label=line.state.label,
                is_late=line.is_late,
                submitted_at=timezone.localtime(line.ret.submitted_at) if line.ret and line.ret.submitted_at else None,
                total=line.total,
            )
            for line in report.lines
        ],
        "total": report.county_total,
    }
    sheets: list[SheetSpec] = [
        (COUNTY_SHEET, write_official_table, {"table": county}),
        (SUMMARY_SHEET, write_summary_sheet, summary),
    ]
    names = unique_sheet_names((line.unit.display_name for line in report.lines), taken=[COUNTY_SHEET, SUMMARY_SHEET])
    for name, line in zip(names, report.lines, strict=True):
        table = OfficialTable(title=title, unit_name=line.unit.name, date=today, rows=line.rows)
        sheets.append((name, write_official_table, {"table": table}))
    return write_workbook(sheets)


def task_closure_workbook(*, user: User, year: int, today: dt.date | None = None) -> bytes:
    """Tasks per lead unit (total / completed / overdue / rate) and 双清单 per troop and direction."""
    today = today or timezone.localdate()
    tasks = [
        TaskLine(unit_name=s.unit.name, total=s.total, completed=s.completed, overdue=s.overdue)
        for s in task_completion_by_unit(user=user, year=year, today=today)
    ]
    dual_list = [
        DualListLine(
            troop_name=s.troop_unit.name,
            direction_label=DualListDirection(s.direction).label,
            total=s.total,
            closed=s.closed,
            overdue=s.overdue,
        )
        for s in dual_list_summary(user=user, year=year, today=today)
    ]
    return write_workbook(
        [
            (
                "任务完成情况",
                write_task_sheet,
                {"title": f"{year}年双拥工作要点任务完成情况", "date": today, "lines": tasks},
            ),
            (
                "双清单销号情况",
                write_dual_list_sheet,
                {"title": f"{year}年军地互办实事“双清单”对账销号情况", "date": today, "lines": dual_list},
            ),
        ]
    )


def unit_table_filename(campaign: Campaign, unit: OrgUnit) -> str:
    return f"{campaign.year}年{campaign.get_kind_display()}双拥活动情况统计表-{unit.name}.xlsx"


def county_workbook_filename(campaign: Campaign, basis: str) -> str:
    scope = "已审核" if basis == Basis.ACCEPTED else "全部已提交"
    return f"{campaign.year}年{campaign.get_kind_display()}双拥活动情况统计汇总（{scope}）.xlsx"


def task_closure_filename(year: int) -> str:
    return f"{year}年双拥工作任务完成情况.xlsx"
