"""Evidence found automatically: the 双清单 closure rate is the reconciliation page's, year by
year; the gap list names exactly the missing minutes and the member units without a summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.figures import EvaluationFigures, percent
from evaluation.models import BudgetProofKind, DocumentKind, MeetingKind, UnitDocument
from shuangyong.models import OrgUnitKind
from tasks.models import DualListState
from tests.evaluation.conftest import assessment, pdf
from tests.factories import OrgUnitFactory
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db


def reconciliation_rate(client, troops, year: int) -> tuple[int, int]:
    """(closed, total) as the 对账 pages of the troops show the year's items."""
    closed = total = 0
    for troop in troops:
        page = client.get(reverse("tasks:reconciliation", args=[troop.pk, year]))
        items = page.context["to_troops"] + page.context["to_locality"]
        total += len(items)
        closed += sum(1 for i in items if i.state == DualListState.CLOSED)
    return closed, total


def test_the_closure_rate_is_the_one_of_the_reconciliation_pages_each_year(
    client_for, office_user, evaluation, county, troop_unit, township_a_unit, today
):
    troop_2 = OrgUnitFactory(name="驻铜某部二营", code="tl-bd2", kind=OrgUnitKind.TROOP, parent=county)
    other_county = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)
    troop_x = OrgUnitFactory(name="驻永某部", code="yc-bd", kind=OrgUnitKind.TROOP, parent=other_county)
    layout = {  # year: [(troop, state), …]
        2023: [(troop_unit, DualListState.CLOSED)] * 3 + [(troop_2, DualListState.IN_PROGRESS)],
        2024: [(troop_unit, DualListState.CLOSED), (troop_2, DualListState.CLOSED), (troop_2, DualListState.ASSIGNED)],
        2025: [(troop_unit, DualListState.CLOSE_REQUESTED)] * 2 + [(troop_2, DualListState.CLOSED)] * 5,
    }
    for year, items in layout.items():
        for troop, state in items:
            DualListItemFactory(year=year, troop_unit=troop, state=state, responsible_unit=township_a_unit)
    DualListItemFactory(year=2024, troop_unit=troop_x, state=DualListState.PROPOSED)  # another county's
    a = assessment(evaluation, "2")
    page = client_for(office_user).get(reverse("evaluation:item", args=[a.pk]))
    html = page.content.decode()
    client = client_for(office_user)
    figures = EvaluationFigures(evaluation)
    for year in (2023, 2024, 2025, 2026):
        closed, total = reconciliation_rate(client, [troop_unit, troop_2], year)
        shown = figures.dual_list_year(year).values
        assert (shown["closed"], shown["total"]) == (closed, total)
        assert shown["rate"] == percent(closed, total)
        if total:
            assert f"{year}年：共 {total} 项，已销号 {closed} 项，办结率 {percent(closed, total)}" in html
    assert "2023年：共 4 项，已销号 3 项，办结率 75.0%" in html
    assert "2024年：共 3 项，已销号 2 项，办结率 66.7%" in html
    assert "2025年：共 7 项，已销号 5 项，办结率 71.4%" in html
    assert "2026年：无双清单事项" in html


def test_a_city_reading_the_binder_sees_the_county_rate_not_its_own(
    client_for, city_office, evaluation, troop_unit, today
):
    DualListItemFactory(year=2024, troop_unit=troop_unit, state=DualListState.CLOSED)
    neighbour = OrgUnitFactory(name="大足区双拥办", code="dz", kind=OrgUnitKind.COUNTY, parent=city_office.org_unit)
    DualListItemFactory(year=2024, troop_unit=OrgUnitFactory(kind=OrgUnitKind.TROOP, parent=neighbour))
    page = client_for(city_office).get(reverse("evaluation:item", args=[assessment(evaluation, "2").pk]))
    assert "2024年：共 1 项，已销号 1 项，办结率 100.0%" in page.content.decode()


def test_the_gap_list_names_exactly_the_missing_minutes_and_the_units_without_a_summary(
    client_for, office_user, evaluation, members, today
):
    education, _civil, finance = members
    for year in (2023, 2024, 2025, 2026):
        # 2024's meeting was held but its minutes never filed; 2026's not held yet.
        if year == 2026:
            continue
        services.meeting_create(
            user=office_user, date=dt.date(year, 3, 1), kind=MeetingKind.LEADING_GROUP, title=f"{year}年全体会议",
            minutes=None if year == 2024 else pdf(f"{year}纪要"),
        )  # fmt: skip
    # A 军地联席会议 with minutes does not stand in for the leading group's.
    services.meeting_create(
        user=office_user, date=dt.date(2026, 5, 1), kind=MeetingKind.JOINT, title="联席会议", minutes=pdf("联席")
    )
    summaries = {2023: members, 2024: [education, finance], 2025: [], 2026: []}
    for year, units in summaries.items():
        for unit in units:
            doc = UnitDocument(unit=unit, year=year, kind=DocumentKind.SUMMARY, original_name="总结.pdf", size=10,
                               uploaded_by=office_user)  # fmt: skip
            doc.file.save("总结.pdf", pdf("总结"), save=True)
    # This year's summaries are due on 2026-12-20: not a gap yet on 2026-11-30.
    services.document_request_create(
        user=office_user, year=2026, kind=DocumentKind.SUMMARY, deadline=dt.date(2026, 12, 20)
    )
    # Item 3 asks for payment proofs: every year has one but 2025.
    for year in (2023, 2024, 2026):
        services.budget_proof_create(
            user=office_user, year=year, kind=BudgetProofKind.PAYMENT, amount=Decimal("1000"), note="",
            file=pdf(f"{year}拨付"),
        )  # fmt: skip
    page = client_for(office_user).get(reverse("evaluation:detail", args=[evaluation.pk]))
    item_1 = [
        "2024年 领导小组全体会议纪要缺失",
        "2026年 领导小组全体会议纪要缺失",
        "1个成员单位缺2024年度总结：区民政局",
        "3个成员单位缺2025年度总结：区教育委员会、区民政局、区财政局",
    ]
    assert _gap_texts(page.content.decode()) == [*(f"1 {g}" for g in item_1), "3 2025年 拨付凭证缺失"]
    item_page = client_for(office_user).get(reverse("evaluation:item", args=[assessment(evaluation, "1").pk]))
    assert _gap_texts(item_page.content.decode()) == item_1


def _gap_texts(html: str) -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'data-testid="gap">(.*?)</(?:li|div)>', html, re.S)]
