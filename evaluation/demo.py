"""Demo of the evaluation binder: an example scoring table (about 15 items paraphrased from the
national structure, marked 示例), a 届期 evaluation of the demo county over the last four years,
meetings, member units' documents (some missing, so the gap list shows something) and budget
proofs. Idempotent: a second run finds the example table and adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from evaluation import services
from evaluation.models import (
    BudgetProofKind,
    DocumentKind,
    EvaluationKind,
    ItemAssessment,
    MeetingKind,
    ScoringItem,
    ScoringTable,
    UnitDocument,
)
from evaluation.selectors import member_units_of
from shuangyong.models import OrgUnit, User
from tasks.models import today_shanghai

TABLE_NAME = "双拥模范城（县）考评标准（示例）"
# number, parent, content, points, figure keys, veto, bonus
ITEMS: list[tuple[str, str, str, str, list[str], bool, bool]] = [
    ("一", "", "组织领导坚强有力", "6", [], False, False),
    ("1", "一", "双拥工作纳入经济社会发展规划、领导干部实绩考核和政府工作报告", "1.5", [], False, False),
    (
        "2",
        "一",
        "每年召开党委议军会议和军地联席会议，研究解决部队建设和双拥工作问题",
        "2",
        ["meeting_military", "meeting_joint"],
        False,
        False,
    ),
    (
        "3",
        "一",
        "双拥工作领导小组每年至少召开一次全体会议；成员单位职责明确，有年度计划和总结，并在会上述职",
        "1.5",
        ["meeting_leading", "unit_plans", "unit_summaries", "unit_reports"],
        False,
        False,
    ),
    ("4", "一", "双拥工作经费和走访慰问经费列入财政预算，按时足额拨付", "1", ["budget", "payments"], False, False),
    ("二", "", "拥军优属扎实有效", "6", [], False, False),
    (
        "5",
        "二",
        "落实军地互办实事“双清单”制度，责任单位、实事内容、完成时限、工作质量明确，对账销号",
        "2",
        ["dual_list"],
        False,
        False,
    ),
    ("6", "二", "春节、八一走访慰问驻地部队和优抚对象，普遍走访、重点慰问", "2", ["visits", "returns"], False, False),
    ("7", "二", "年度双拥工作要点任务按期完成", "2", ["tasks"], False, False),
    ("7.1", "7", "任务分解到牵头单位和配合单位，明确时限", "1", [], False, False),
    ("7.2", "7", "逾期任务及时督办，年底完成率达到要求", "1", ["tasks"], False, False),
    ("三", "", "拥政爱民成效明显", "4", [], False, False),
    ("8", "三", "驻地部队参加乡村振兴、抢险救灾等地方建设", "2", [], False, False),
    ("9", "三", "定期召开军政座谈会，听取部队意见建议", "2", ["meeting_forum"], False, False),
    ("四", "", "一票否决和加分项目", "0", [], False, False),
    ("10", "四", "发生严重损害军政军民关系事件、造成恶劣影响的，实行一票否决", "0", [], True, False),
    ("11", "四", "双拥工作经验被省级以上推广的，加 1 分", "1", [], False, True),
]


def _pdf(text: str) -> ContentFile:
    body = f"%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return ContentFile(body.encode("utf-8"), name=f"{text}.pdf")


def _table(office: User) -> ScoringTable:
    table = ScoringTable(owner_unit=office.org_unit, name=TABLE_NAME, is_example=True)
    table.full_clean()
    table.save()
    saved: dict[str, ScoringItem] = {}
    for order, (number, parent, content, points, keys, veto, bonus) in enumerate(ITEMS, 1):
        kind = "heading" if not parent else ("sub_item" if parent in saved and saved[parent].parent_id else "item")
        item = ScoringItem(
            table=table,
            parent=saved.get(parent),
            number=number,
            kind=kind,
            content=content,
            points=Decimal(points),
            figure_keys=keys,
            is_veto=veto,
            is_bonus=bonus,
            sort_order=order * 10,
            evidence_asked="会议纪要、文件、凭证等" if keys else "",
        )
        item.full_clean(exclude=["table", "parent"])
        item.save()
        saved[number] = item
    return table


@transaction.atomic
def seed_evaluation_demo() -> None:
    office = User.objects.filter(username="office").select_related("org_unit").first()
    if office is None or office.org_unit is None or ScoringTable.objects.filter(name=TABLE_NAME).exists():
        return
    county: OrgUnit = office.org_unit
    today = today_shanghai()
    first = today.year - 3
    table = _table(office)
    evaluation = services.evaluation_create(
        user=office,
        table=table,
        title=f"{first}—{today.year}年度双拥模范城（县）届期考评（示例）",
        kind=EvaluationKind.TERM,
        first_year=first,
        last_year=today.year,
    )
    meetings = []
    for year in range(first, today.year + 1):
        # The leading group met every year, but the minutes of the second year were never filed.
        meetings.append(
            services.meeting_create(
                user=office,
                date=dt.date(year, 3, 15),
                kind=MeetingKind.LEADING_GROUP,
                title=f"{year}年区双拥工作领导小组全体会议",
                attendees="领导小组组长、副组长，各成员单位负责人",
                decisions="审议年度双拥工作要点\n各成员单位述职",
                minutes=None if year == first + 1 else _pdf(f"{year}年领导小组全体会议纪要"),
            )
        )
        services.meeting_create(
            user=office,
            date=dt.date(year, 7, 20),
            kind=MeetingKind.JOINT,
            title=f"{year}年军地联席会议",
            attendees="区领导、驻铜部队首长、有关部门负责人",
            decisions="商定年度军地互办实事双清单",
            minutes=_pdf(f"{year}年军地联席会议纪要"),
        )
        if year < today.year:
            services.meeting_create(
                user=office,
                date=dt.date(year, 1, 10),
                kind=MeetingKind.MILITARY_AFFAIRS,
                title=f"{year}年区委议军会议",
                minutes=_pdf(f"{year}年议军会议纪要"),
            )
        services.budget_proof_create(
            user=office, year=year, kind=BudgetProofKind.BUDGET, amount=Decimal("500000"),
            note="双拥工作经费预算", file=_pdf(f"{year}年双拥经费预算批复"),
        )  # fmt: skip
        if year < today.year:
            services.budget_proof_create(
                user=office, year=year, kind=BudgetProofKind.PAYMENT, amount=Decimal("320000"),
                note="春节八一慰问经费拨付", file=_pdf(f"{year}年慰问经费拨付凭证"),
            )  # fmt: skip
    members = list(member_units_of(county))
    for year in range(first, today.year + 1):
        for i, unit in enumerate(members):
            kinds = [DocumentKind.PLAN]
            if year < today.year:
                kinds += [DocumentKind.SUMMARY, DocumentKind.REPORT]
            for kind in kinds:
                # Last year three member units still owe their summary: the gap list names them.
                if kind == DocumentKind.SUMMARY and year == today.year - 1 and i < 3:
                    continue
                document = UnitDocument(
                    unit=unit, year=year, kind=kind, original_name=f"{unit.name}{year}年{DocumentKind(kind).label}.pdf",
                    size=0, uploaded_by=office,
                )  # fmt: skip
                content = _pdf(f"{unit.name}{year}{kind}")
                document.size = content.size
                document.file.save(document.original_name, content, save=False)
                document.save()
    services.document_request_create(
        user=office, year=today.year, kind=DocumentKind.SUMMARY, deadline=dt.date(today.year, 12, 20)
    )
    by_number = {a.item.number: a for a in ItemAssessment.objects.filter(evaluation=evaluation).select_related("item")}
    for meeting in meetings:
        services.evidence_link_create(user=office, assessment=by_number["3"], target=meeting)
    scores = {
        "1": ("1.5", "已纳入“十四五”规划和政府工作报告"),
        "5": ("1.8", "双清单逐年对账销号"),
        "10": ("0", "未发生"),
    }
    for number, (score, reason) in scores.items():
        a = by_number[number]
        services.assessment_update(
            user=office, assessment=a, version=a.version, self_score=Decimal(score), reason=reason
        )
