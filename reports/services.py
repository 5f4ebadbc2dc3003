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

from reports.official_table import (
    MONEY_DECIMALS_FEN,
    MONEY_DECIMALS_YUAN,
    OfficialTable,
    army_day_title,
    money_decimals,
    spring_title,
    write_official_table,
)
from reports.selectors import (
    BASIS_STATUSES,
    Basis,
    ReturnState,
    campaign_report,
    return_state,
    unit_return,
    unit_rows,
)
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
from shuangyong.models import OrgUnit, OrgUnitKind, User
from tasks.models import DualListDirection
from tasks.selectors import dual_list_summary, task_completion_by_unit
from visits.models import Campaign, CampaignKind, Return

COUNTY_SHEET = "统计表"
SUMMARY_SHEET = "汇总表"


DEFAULT_TROOP_NAME = "驻地部队"


def troop_name(campaign: Campaign) -> str:
    """The county's troops as its 八一 title names them (驻铜部队): a field of the county's unit
    (OrgUnit.troop_name, set by the office on its unit page), 驻地部队 when it is not filled in."""
    return campaign.owner_unit.troop_name.strip() or DEFAULT_TROOP_NAME


def kind_words(campaign: Campaign) -> str:
    """春节, or “八一” in the forms' curly quotes."""
    return "“八一”" if campaign.kind == CampaignKind.ARMY_DAY else campaign.get_kind_display()


def campaign_table_title(campaign: Campaign) -> str:
    """The form's own title, never changed by the basis or the state (those go under the table)."""
    if campaign.kind == CampaignKind.ARMY_DAY:
        return army_day_title(campaign.year, troop_name(campaign))
    return spring_title(campaign.year)


def form_table(campaign: Campaign, **fields: Any) -> OfficialTable:
    """The campaign's form: the 春节 form's 填报单位（盖章）, the 八一 form's 填报单位 without it."""
    return OfficialTable(title=campaign_table_title(campaign), stamp=campaign.kind != CampaignKind.ARMY_DAY, **fields)


MONEY_NOTE = {
    MONEY_DECIMALS_YUAN: "金额单位为万元，保留四位小数（精确到元）",
    MONEY_DECIMALS_FEN: "金额单位为万元，保留六位小数（精确到分）",
}


def table_notes(*, basis: str | None, decimals: int, county: bool, others: str | None = None) -> list[str]:
    """The 填表说明 line under a table: the basis (county workbooks), the money, the leaders."""
    parts = []
    if basis is not None:
        parts.append(f"统计口径：{Basis(basis).label}")
    parts.append(f"{MONEY_NOTE[decimals]}，合计为慰问金与慰问品支出之和，总计为各行之和，无数据处填0")
    below = others or (COUNTY_OTHERS if county else UNIT_OTHERS)
    parts.append(f"带队领导栏列本级带队领导，{below}领导只计人次")
    return ["填表说明：" + "".join(f"{n}. {text}。" for n, text in enumerate(parts, 1))]


COUNTY_OTHERS = "乡镇、部门"
UNIT_OTHERS = "村（社区）"
# Whose leaders an office's table counts (另有…领导 N 人次): the units below it, named by its level.
OTHERS_BELOW: dict[str, str] = {
    OrgUnitKind.PROVINCE: "市、部门",
    OrgUnitKind.CITY: "区县、部门",
    OrgUnitKind.COUNTY: COUNTY_OTHERS,
}


def others_below(unit: OrgUnit) -> str:
    """The units below an office unit's table (乡镇、部门 for a county); a unit that enters records
    counts its villages' leaders (村（社区）)."""
    return OTHERS_BELOW.get(
        unit.kind, COUNTY_OTHERS if unit.has_office and unit.kind != OrgUnitKind.TOWNSHIP else UNIT_OTHERS
    )


# How a level names its whole scope on the reports page (全县（区）报表, 全市汇总).
LEVEL_SCOPE: dict[str, str] = {
    OrgUnitKind.PROVINCE: "全省",
    OrgUnitKind.CITY: "全市",
    OrgUnitKind.COUNTY: "全县（区）",
}


def level_scope(unit: OrgUnit) -> str:
    """全市 for a city, 全县（区） for a county; 本级 for an office of another level (a street)."""
    return LEVEL_SCOPE.get(unit.kind, "本级")


def unit_sheet_status(state: ReturnState, *, counted: bool, expected: bool) -> str:
    """What a unit's sheet in the county workbook shows under its table, so that an all-zero
    form says why (本期无走访, never submitted, sent back, not yet accepted)."""
    text = {
        ReturnState.ACCEPTED: "已审核",
        ReturnState.SUBMITTED: "已提交，待审核" if counted else "已提交，待审核，未计入本表",
        ReturnState.RETURNED: "已退回修改，未计入本表",
        ReturnState.NOT_SUBMITTED: "未提交，本表无数据",
        ReturnState.NO_VISITS: "本期无走访",
    }[state]
    if not expected:
        text += "（不在应报单位名单内）"
    return f"报表状态：{text}"


def own_table_status(ret: Return | None) -> tuple[str, bool]:
    """(status line, is a draft) of a unit's own table: anything not yet accepted is a draft."""
    state = return_state(ret)
    if state == ReturnState.ACCEPTED:
        return "报表状态：已审核", False
    detail = {
        ReturnState.SUBMITTED: "已提交，待审核",
        ReturnState.RETURNED: "已退回修改",
        ReturnState.NOT_SUBMITTED: "未提交",
        ReturnState.NO_VISITS: "本期无走访，待审核",
    }[state]
    return f"报表状态：草稿，未审核（{detail}）", True


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


def unit_table_workbook(*, user: User, campaign: Campaign, unit: OrgUnit) -> tuple[bytes, str]:
    """One unit's official table and its file name: every record of the unit and its villages,
    whatever the return's state; until the office accepts the return it says 草稿，未审核 (under
    the table, in the page header and in the file name)."""
    rows = unit_rows(user=user, campaign=campaign, unit=unit)
    status, draft = own_table_status(unit_return(user=user, campaign=campaign, unit=unit))
    decimals = money_decimals(rows)
    table = form_table(
        campaign,
        unit_name=unit.name,
        date=timezone.localdate(),
        rows=rows,
        money_decimals=decimals,
        others_label=UNIT_OTHERS,
        status=status,
        draft=draft,
        notes=table_notes(basis=None, decimals=decimals, county=False),
    )
    content = write_workbook([(unique_sheet_names([unit.display_name])[0], write_official_table, {"table": table})])
    return content, unit_table_filename(campaign, unit, draft=draft)


def snapshot_units(ret: Return | None) -> tuple[int, int] | None:
    """(counted, expected) of an office unit's submitted table, from its snapshot."""
    figures = ret.figures if ret is not None else None
    if not figures or "counted" not in figures:
        return None
    return int(figures["counted"]), int(figures.get("expected", 0))


def county_workbook_sheets(*, user: User, campaign: Campaign, basis: str) -> list[SheetSpec]:
    """The county table (填报单位 = the 双拥办), the 汇总表, then one sheet per unit."""
    report = campaign_report(user=user, campaign=campaign, statuses=BASIS_STATUSES[Basis(basis)])
    today = timezone.localdate()
    decimals = money_decimals([*report.county_rows, *(row for line in report.lines for row in line.rows)])
    filing = report.filing_unit or campaign.owner_unit
    top_others = others_below(campaign.owner_unit)
    notes = table_notes(basis=basis, decimals=decimals, county=True, others=top_others)
    county = form_table(
        campaign,
        unit_name=filing.name,
        date=today,
        rows=report.county_rows,
        money_decimals=decimals,
        others_label=top_others,
        notes=notes,
    )
    summary = {
        "title": f"{campaign.year}年{kind_words(campaign)}走访慰问各单位报送情况汇总表",
        "date": today,
        "lines": [
            SummaryLine(
                unit_name=line.unit.name,
                state_label=line.state.label,
                is_late=line.is_late,
                submitted_at=timezone.localtime(line.ret.submitted_at) if line.ret and line.ret.submitted_at else None,
                total=line.total,
                units=snapshot_units(line.ret) if line.rolls_up else None,
            )
            for line in report.lines
        ],
        "total": report.county_total,
        "counted": report.counted_units,
        "expected": report.expected_units,
        "money_decimals": decimals,
        "notes": notes[:1],
    }
    sheets: list[SheetSpec] = [
        (COUNTY_SHEET, write_official_table, {"table": county}),
        (SUMMARY_SHEET, write_summary_sheet, summary),
    ]
    # A county's short name ("区双拥办") means something inside the county only: its sheet in the
    # city's workbook has its full name.
    names = unique_sheet_names(
        (line.unit.name if line.rolls_up else line.unit.display_name for line in report.lines),
        taken=[COUNTY_SHEET, SUMMARY_SHEET],
    )
    for name, line in zip(names, report.lines, strict=True):
        # A county's sheet in a city workbook is the county's table: its own leaders named, its
        # townships' and departments' counted.
        line_others = others_below(line.unit) if line.rolls_up else UNIT_OTHERS
        unit_notes = table_notes(basis=basis, decimals=decimals, county=False, others=line_others)
        table = form_table(
            campaign,
            unit_name=line.unit.name,
            date=today,
            rows=line.rows,
            money_decimals=decimals,
            others_label=line_others,
            status=unit_sheet_status(line.state, counted=report.is_counted(line), expected=line.expected),
            notes=unit_notes,
        )
        sheets.append((name, write_official_table, {"table": table}))
    return sheets


def county_workbook(*, user: User, campaign: Campaign, basis: str) -> bytes:
    return write_workbook(county_workbook_sheets(user=user, campaign=campaign, basis=basis))


TASK_YEAR_NOTE = (
    "填表说明：统计{year}年的任务，即{year}年工作要点的任务、时限在{year}年的任务，"
    "以及以前年度下达、{year}年内仍在办理的任务；没有牵头单位的任务列为“未指定牵头单位”，合计等于任务总数。"
)


def task_closure_workbook(*, user: User, year: int, today: dt.date | None = None) -> bytes:
    """Tasks per lead unit (total / completed / overdue / rate) and 双清单 per troop and direction."""
    today = today or timezone.localdate()
    tasks = [
        TaskLine(unit_name=s.unit_name, total=s.total, completed=s.completed, overdue=s.overdue)
        for s in task_completion_by_unit(user=user, year=year, today=today)
    ]
    dual_list = [
        DualListLine(
            troop_name=s.unit_name,
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
                {
                    "title": f"{year}年双拥工作要点任务完成情况",
                    "date": today,
                    "lines": tasks,
                    "notes": [TASK_YEAR_NOTE.format(year=year)],
                },
            ),
            (
                "双清单销号情况",
                write_dual_list_sheet,
                {"title": f"{year}年军地互办实事“双清单”对账销号情况", "date": today, "lines": dual_list},
            ),
        ]
    )


def unit_table_filename(campaign: Campaign, unit: OrgUnit, *, draft: bool = False) -> str:
    state = "（草稿）" if draft else ""
    return f"{campaign.year}年{campaign.get_kind_display()}双拥活动情况统计表-{unit.name}{state}.xlsx"


def county_workbook_filename(campaign: Campaign, basis: str) -> str:
    scope = "已审核" if basis == Basis.ACCEPTED else "全部已提交"
    return f"{campaign.year}年{campaign.get_kind_display()}双拥活动情况统计汇总（{scope}）.xlsx"


def task_closure_filename(year: int) -> str:
    return f"{year}年双拥工作任务完成情况.xlsx"
