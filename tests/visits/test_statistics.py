"""The contract selector campaign_statistics: exact money, scope, statuses, fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.visits.factories import VisitRecordFactory
from visits.models import DifficultyKind, ReturnStatus, TableRow, VisitDifficulty
from visits.selectors import TableCell, campaign_statistics

pytestmark = pytest.mark.django_db


def _record(campaign, unit, **kw):
    record = VisitRecordFactory(campaign=campaign, org_unit=unit, **kw)
    return record


def test_sums_are_exact_decimals_per_unit_and_row(campaign, office_user, township_a_unit, township_b_unit):
    for leader in ("张镇长", "李书记", "张镇长"):
        _record(
            campaign,
            township_a_unit,
            lead_leader=leader,
            people_visited=4,
            money_amount=Decimal("333.33"),
            money_recipients=2,
            goods_spending=Decimal("0.10"),
            goods_count=5,
            goods_recipients=3,
        )
    # Entered last but visited first: leaders are listed in the order of their first visit.
    _record(campaign, township_a_unit, lead_leader="王部长", visit_date=dt.date(2027, 1, 25), people_visited=0)
    troops = _record(campaign, township_a_unit, table_row=TableRow.TROOPS, people_visited=20)
    VisitDifficulty.objects.create(record=troops, kind=DifficultyKind.SCHOOLING, count=2)
    VisitDifficulty.objects.create(record=troops, kind=DifficultyKind.EMPLOYMENT, count=1)
    _record(campaign, township_b_unit, money_amount=Decimal("0.01"), people_visited=1, money_recipients=1)

    stats = campaign_statistics(user=office_user, campaign=campaign)

    cell = stats[township_a_unit.pk][TableRow.ENTITLED]
    assert cell.money_amount == Decimal("999.99")
    assert cell.goods_spending == Decimal("0.30")
    assert (cell.people_visited, cell.money_recipients, cell.goods_count, cell.goods_recipients) == (12, 6, 15, 9)
    assert cell.leaders == ["王部长", "张镇长", "李书记"]
    troops_cell = stats[township_a_unit.pk][TableRow.TROOPS]
    assert troops_cell == TableCell(people_visited=20, difficulties={"子女入学": 2, "家属就业": 1})
    assert list(troops_cell.difficulties) == ["子女入学", "家属就业"]  # the official order
    assert stats[township_b_unit.pk][TableRow.ENTITLED].money_amount == Decimal("0.01")


def test_scope_statuses_and_unit_ids(campaign, township_a, office_user, township_a_unit, township_b_unit):
    _record(campaign, township_a_unit, money_amount=Decimal("10"))
    b = _record(campaign, township_b_unit, money_amount=Decimal("20"))
    assert set(campaign_statistics(user=township_a, campaign=campaign)) == {township_a_unit.pk}
    b.unit_return.status = ReturnStatus.ACCEPTED
    b.unit_return.save()
    accepted = campaign_statistics(user=office_user, campaign=campaign, statuses=[ReturnStatus.ACCEPTED])
    assert set(accepted) == {township_b_unit.pk}
    only_a = campaign_statistics(user=office_user, campaign=campaign, unit_ids=[township_a_unit.pk])
    assert set(only_a) == {township_a_unit.pk}


def test_fixed_query_count(campaign, office_user, township_a_unit, township_b_unit, django_assert_num_queries):
    for i in range(30):
        r = _record(campaign, township_a_unit if i % 2 else township_b_unit, lead_leader=f"领导{i % 3}")
        VisitDifficulty.objects.create(record=r, kind=DifficultyKind.HOUSING, count=1)
    # One query for the sums and leaders together, one for the difficulties.
    with django_assert_num_queries(2):
        stats = campaign_statistics(user=office_user, campaign=campaign, statuses=[ReturnStatus.DRAFT])
    assert stats[township_a_unit.pk][TableRow.ENTITLED].difficulties == {"住房改造": 15}
