"""Demo data of the tasks app: seed 000's work points as a plan with assigned tasks, and a 双清单.

Deadlines are set relative to today so that the demo always shows a mix: most tasks open, one
late, one done; one 双清单 item waiting for the troop's and the office's confirmation.
Idempotent: a second run finds the plan and the items by their titles and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction

from shuangyong.models import OrgUnit, User
from tasks import dual_list_services as dls
from tasks.models import DualListCategory, DualListDirection, DualListItem, Task, WorkPlan, today_shanghai
from tasks.notice_parser import parse_notice
from tasks.services import (
    BreakdownDraft,
    SectionDraft,
    TaskDraft,
    closure_request_create,
    closure_request_decide,
    progress_report_create,
    task_breakdown,
    work_plan_import,
)

NOTICE = Path(settings.BASE_DIR) / "fixtures" / "notice_2022_work_points.txt"
CATEGORIES = ["演训保障", "子女入学", "随军家属就业", "军民共建", "乡村振兴", "应急救援"]
# item number → (lead unit code, cooperating unit codes)
ASSIGNMENTS = {
    "（一）": ("tl-xcb", ["tl-jw"]),
    "（四）": ("tl-rwb", ["tl-bc", "tl-dc"]),
    "（五）": ("tl-rsj", ["tl-jw", "tl-tyjr"]),
    "（六）": ("tl-tyjr", ["tl-bc", "tl-dc", "tl-nc"]),
    "（七）": ("tl-bd1", ["tl-bc"]),
    "（十二）": ("tl-tyjr", []),
}
DUAL_ITEMS = [
    ("tl-bd1", DualListDirection.TO_TROOPS, "演训保障", "协调解决驻训期间训练场地临时用地问题", "tl-bc"),
    ("tl-bd1", DualListDirection.TO_TROOPS, "子女入学", "解决3名官兵子女秋季就近入学", "tl-jw"),
    ("tl-bd1", DualListDirection.TO_LOCALITY, "乡村振兴", "结对帮扶先锋村，开展农技和医疗服务", "tl-bd1"),
    ("tl-wj", DualListDirection.TO_TROOPS, "随军家属就业", "推荐2名随军家属就业岗位", "tl-rsj"),
    ("tl-xf", DualListDirection.TO_LOCALITY, "应急救援", "汛期前组织联合应急救援演练", None),
]


def _units() -> dict[str, OrgUnit]:
    return {u.code: u for u in OrgUnit.objects.all()}


@transaction.atomic
def seed_tasks_demo() -> None:
    office = User.objects.filter(username="office").first()
    township = User.objects.filter(username="township").first()
    member = User.objects.filter(username="member").first()
    if office is None:
        return
    today = today_shanghai()
    units = _units()
    for i, name in enumerate(CATEGORIES):
        DualListCategory.objects.get_or_create(name=name, defaults={"sort_order": i})
    year = today.year  # the demo's year: its plans', their tasks' deadlines and the 双清单's
    county = units.get("tl")
    outline = parse_notice(demo_notice_text(county, year))
    _rename_legacy_plan(LEGACY_COUNTY_PLAN, owner=county, title=outline.title, year=year)
    if not WorkPlan.objects.filter(year=year, title=outline.title).exists():
        drafts = []
        for index, section in enumerate(outline.sections):
            for item in section.items:
                lead_code, coop_codes = ASSIGNMENTS.get(item.number, (None, []))
                late = item.number == "（六）"
                drafts.append(
                    TaskDraft(
                        section_index=index,
                        number=item.number,
                        title=item.title,
                        text=item.text,
                        lead_unit=units.get(lead_code) if lead_code else None,
                        cooperating_units=[units[c] for c in coop_codes if c in units],
                        deadline=today - dt.timedelta(days=7) if late else None,
                    )
                )
        plan = work_plan_import(
            user=office,
            year=year,
            title=outline.title,
            doc_number=outline.doc_number,
            issuing_unit=outline.issuing_unit,
            issue_date=_issue_date(outline.issue_date, year, today),
            recipients=outline.recipients,
            original_text=outline.text,
            default_deadline=today + dt.timedelta(days=90),
            sections=[SectionDraft(number=s.number, heading=s.heading, intro=s.intro) for s in outline.sections],
            tasks=drafts,
        )
        task = Task.objects.filter(plan=plan, number="（四）").first()
        if township and task:
            progress_report_create(
                user=township,
                task=task,
                report_date=today - dt.timedelta(days=3),
                text="已对接驻铜部队，梳理交通出行和训练场建设需求3项，正在协调落实。",
            )
        done = Task.objects.filter(plan=plan, number="（七）").select_related("lead_unit").first()
        lead_user = done and done.lead_unit and User.objects.filter(org_unit=done.lead_unit).first()
        if done and lead_user:
            request = closure_request_create(user=lead_user, task=done, note="结对帮扶先锋村，本年度帮扶任务已完成。")
            closure_request_decide(user=office, request=request, accept=True)
    for i, (troop_code, direction, category, content, responsible_code) in enumerate(DUAL_ITEMS):
        troop = units.get(troop_code)
        if troop is None or DualListItem.objects.filter(content=content).exists():
            continue
        dual_item = dls.dual_list_item_create(
            user=office,
            year=today.year,
            direction=direction,
            content=content,
            troop_unit=troop,
            category=DualListCategory.objects.get(name=category),
            deadline=today + dt.timedelta(days=-5 if i == 0 else 60),
            responsible_unit=units.get(responsible_code) if responsible_code else None,
        )
        if member and dual_item.responsible_unit_id == member.org_unit_id:
            dls.dual_list_item_start(user=member, item=dual_item)
            dls.dual_list_item_request_close(user=member, item=dual_item, note="3名官兵子女已就近入学。")
    _seed_city_breakdown(today)


# What older demos stored: the notice's county (丰都县) and year (2022) in the county's plan, and a
# city plan titled 2022 but of the demo's year. ``_rename_legacy_plan`` brings them in line.
LEGACY_COUNTY_PLAN = "2022年丰都县双拥工作要点"
LEGACY_CITY_PLAN = "2022年重庆市双拥工作要点（演示）"
NOTICE_COUNTY, NOTICE_YEAR = "丰都县", 2022


def city_plan_title(year: int) -> str:
    return f"{year}年重庆市双拥工作要点（演示）"


def place_name(unit: OrgUnit | None) -> str:
    """The county's own name in a title: 铜梁区 for 铜梁区双拥工作领导小组办公室."""
    if unit is None:
        return NOTICE_COUNTY
    return unit.name.split("双拥")[0] or unit.name


def demo_notice_text(county: OrgUnit | None, year: int) -> str:
    """Seed 000 (a real 丰都县 notice) as the demo county's own notice of the demo's year: the
    county's name throughout, and the year in the plan's title (the body's text stays as written)."""
    text = NOTICE.read_text(encoding="utf-8")
    place = place_name(county)
    text = text.replace(f"{NOTICE_YEAR}年{NOTICE_COUNTY}双拥工作要点", f"{year}年{place}双拥工作要点")
    text = text.replace(NOTICE_COUNTY, place)
    stem = place[:-1] if place[-1:] in ("区", "县", "市") else place  # 铜梁
    text = text.replace("驻丰部队", f"驻{stem[:1]}部队").replace("丰都", stem)
    if place.endswith("区"):
        text = text.replace("全县", "全区").replace("县双拥工作领导小组", "区双拥工作领导小组")
    return text


def _issue_date(parsed: dt.date | None, year: int, today: dt.date) -> dt.date | None:
    """The notice's month and day in the demo's year, never after today."""
    if parsed is None:
        return None
    try:
        moved = parsed.replace(year=year)
    except ValueError:  # 29 February
        moved = parsed.replace(year=year, day=28)
    return min(moved, today)


def _rename_legacy_plan(legacy_title: str, *, owner: OrgUnit | None, title: str, year: int) -> None:
    """A demo seeded by an older version keeps its plan (and its tasks), titled and dated anew."""
    if owner is None or WorkPlan.objects.filter(owner_unit=owner, title=title, year=year).exists():
        return
    for plan in WorkPlan.objects.filter(owner_unit=owner, title=legacy_title):
        plan.title, plan.year = title, year
        plan.save(update_fields=["title", "year"])


def _seed_city_breakdown(today: dt.date) -> None:
    """When the demo has a city above the county (units "cq", "tl", "yc"; users city_office and
    office): a city plan whose task the county breaks down into a township's task (任务分解), so
    that the roll-up can be tried. Skipped without them; idempotent by the plan's title."""
    units = _units()
    city_office = User.objects.filter(username="city_office", org_unit__code="cq").first()
    county_office = User.objects.filter(username="office", org_unit__code="tl").first()
    city, county, township = units.get("cq"), units.get("tl"), units.get("tl-bc")
    if not (city_office and county_office and city and county and township) or county.parent_id != city.pk:
        return
    title = city_plan_title(today.year)
    _rename_legacy_plan(LEGACY_CITY_PLAN, owner=city, title=title, year=today.year)
    if WorkPlan.objects.filter(owner_unit=city, title=title).exists():
        return
    others = [u for u in (units.get("yc"), units.get("cq-jw")) if u is not None]
    plan = work_plan_import(
        user=city_office,
        year=today.year,
        title=title,
        issuing_unit=city.name,
        recipients="各区县双拥办，市双拥领导小组各成员单位",
        default_deadline=today + dt.timedelta(days=120),
        sections=[SectionDraft(number="一", heading="全力服务部队练兵备战")],
        tasks=[
            TaskDraft(
                section_index=0,
                number="（一）",
                title="协调解决驻训部队训练场地和交通保障",
                text="各区县摸清驻训部队需求，建立清单，逐项落实。",
                lead_unit=county,
                cooperating_units=others,
            )
        ],
    )
    parent = plan.tasks.get()
    # A linked task belongs to a plan of the parent's year (the form offers no other).
    county_plan = WorkPlan.objects.filter(owner_unit=county, year=plan.year).order_by("-pk").first()
    task_breakdown(
        user=county_office,
        parent=parent,
        plan=county_plan,
        new_plan_title="" if county_plan else f"{plan.year}年{place_name(county)}落实市双拥工作要点任务分解",
        drafts=[
            BreakdownDraft(title="巴川街道落实驻训部队训练场地保障", lead_unit=township),
            BreakdownDraft(title="区双拥办统筹驻训部队交通保障", lead_unit=county),
        ],
    )
