"""generate_scale_data: the county option writes what it says, and the same seed gives the same rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from scale.generator import CAMPAIGNS, GENERATED_MODELS, ScalePlan
from shuangyong.access import personal_scope_q, scoped
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from tasks.models import DualListItem, Task
from visits.models import Beneficiary, BeneficiaryCategory, Campaign, Return, VisitRecord
from visits.validators import id_number_error

# transaction=True: the test flushes the database between two runs; serialized_rollback puts the
# migrations' seed rows (beneficiary categories) back for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SMALL = {
    "scope": "county",
    "townships": 3,
    "members": 2,
    "troops": 1,
    "villages": 1,
    "beneficiaries": 60,
    "visits": 40,
    "tasks": 6,
    "dual_list": 8,
    "verbosity": 0,
}


def model_fields(model: type[models.Model]) -> list[str]:
    """Every column except the ones the clock fills (auto_now / auto_now_add)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        m._meta.label: list(m._default_manager.order_by("pk").values_list(*model_fields(m))) for m in GENERATED_MODELS
    }


def reset_database(categories: list[BeneficiaryCategory]) -> None:
    call_command("flush", interactive=False, verbosity=0)  # also resets the id sequences
    BeneficiaryCategory.objects.bulk_create(categories)


def test_county_scale_writes_the_requested_shape():
    call_command("generate_scale_data", seed=3, **SMALL)
    county = OrgUnit.objects.get(code="sc-x01")
    assert county.kind == OrgUnitKind.COUNTY and county.parent is None
    townships = OrgUnit.objects.filter(kind=OrgUnitKind.TOWNSHIP)
    assert townships.count() == 3
    below = OrgUnit.objects.exclude(pk=county.pk)
    assert all(u.path.startswith(county.path) and u.depth == 2 for u in below.exclude(kind=OrgUnitKind.VILLAGE))
    villages = OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE)
    assert villages.count() == 3
    assert all(v.depth == 3 and v.path.startswith(v.parent.path) for v in villages)
    assert Beneficiary.objects.count() == 60
    assert all(id_number_error(b.id_number) is None for b in Beneficiary.objects.all())
    assert Campaign.objects.filter(owner_unit=county).count() == 4
    assert Return.objects.count() == 4 * 5  # every township and member unit, every campaign
    assert VisitRecord.objects.count() == 4 * 40
    assert Task.objects.count() == 6
    assert DualListItem.objects.count() == 8
    # Every record belongs to its own unit's return, inside the campaign window.
    for record in VisitRecord.objects.select_related("unit_return", "campaign"):
        assert record.unit_return.org_unit_id == record.org_unit_id
        assert record.campaign.visit_start <= record.visit_date <= record.campaign.visit_end
        assert record.money_recipients <= record.people_visited
    # The accounts log in and see only their own scope.
    office = User.objects.get(username="sc-x01-office")
    assert office.role == Role.OFFICE and office.check_password("Shuangyong@2026")
    township_user = User.objects.get(username="sc-x01-t01")
    assert scoped(Beneficiary.objects.all(), township_user).count() < 60
    assert scoped(Beneficiary.objects.all(), office).count() == 60


def test_same_seed_gives_the_same_rows_and_another_seed_does_not():
    categories = list(BeneficiaryCategory.objects.all())
    reset_database(categories)  # earlier transactional tests leave the id sequences advanced
    call_command("generate_scale_data", seed=7, **SMALL)
    first = snapshot()
    assert sum(len(rows) for rows in first.values()) > 300

    reset_database(categories)
    call_command("generate_scale_data", seed=7, **SMALL)
    assert snapshot() == first

    reset_database(categories)
    call_command("generate_scale_data", seed=8, **SMALL)
    other = snapshot()
    assert other["visits.VisitRecord"] != first["visits.VisitRecord"]
    assert other["visits.Beneficiary"] != first["visits.Beneficiary"]


def test_refuses_to_generate_twice_into_the_same_database():
    call_command("generate_scale_data", seed=1, **SMALL)
    with pytest.raises(CommandError, match="规模数据已存在"):
        call_command("generate_scale_data", seed=1, **SMALL)


def test_province_scope_builds_cities_above_counties():
    call_command(
        "generate_scale_data",
        seed=1,
        **{**SMALL, "scope": "province", "cities": 2, "counties_per_city": 2, "visits": 5, "beneficiaries": 10},
    )
    province = OrgUnit.objects.get(code="sc-p")
    assert OrgUnit.objects.filter(kind=OrgUnitKind.CITY, parent=province).count() == 2
    counties = OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY)
    assert counties.count() == 4
    assert all(c.depth == 3 and c.path.startswith(province.path) for c in counties)
    assert Beneficiary.objects.count() == 40
    assert len(set(Beneficiary.objects.values_list("id_number", flat=True))) == 40
    # An office and a leader account at every level: the province, each city, each county.
    offices = OrgUnit.objects.filter(kind__in=[OrgUnitKind.PROVINCE, OrgUnitKind.CITY, OrgUnitKind.COUNTY])
    assert offices.count() == 1 + 2 + 4
    for unit in offices:
        office = User.objects.get(username=f"{unit.code}-office")
        leader = User.objects.get(username=f"{unit.code}-leader")
        assert (office.org_unit, office.role, leader.org_unit, leader.role) == (unit, Role.OFFICE, unit, Role.LEADER)
    city_office = User.objects.get(username="sc-c01-office")
    assert city_office.check_password("Shuangyong@2026")
    # The city's accounts see the counties' units, but no person of their ledgers.
    assert scoped(OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY), city_office, "").count() == 2
    assert Beneficiary.objects.filter(personal_scope_q(city_office, "org_unit")).count() == 0


def test_the_province_plan_is_the_size_the_issue_asks_for():
    """1 province → 10 cities → 100 counties → ~3,000 townships and member units; 1,000,000
    beneficiaries; 2,000,000 visit records over four campaigns; 5,000 tasks; 10,000 双清单 items.
    The smaller runs above only shrink these numbers, so the defaults are checked here."""
    totals = ScalePlan.province().totals()
    assert ScalePlan.province().cities == 10 and totals["县（区）"] == 100
    assert totals["乡镇街道"] + totals["成员单位"] == 3_000
    assert totals["联系对象"] == 1_000_000
    assert totals["走访记录"] == 2_000_000 and len(CAMPAIGNS) == 4
    assert totals["任务"] == 5_000 and totals["双清单事项"] == 10_000
    assert ScalePlan.county().counties == 1


def test_province_scope_links_campaigns_top_down_and_sends_the_tables_up():
    """Offices at every level (issue 15 point 7): accounts, campaigns linked province → city →
    county, and each county's and city's table on its return to the level above."""
    from visits.models import Campaign, Return, ReturnStatus
    from visits.table import campaign_report, rows_from_figures

    call_command(
        "generate_scale_data",
        seed=1,
        **{**SMALL, "scope": "province", "cities": 2, "counties_per_city": 2, "visits": 20, "beneficiaries": 10},
    )
    province = OrgUnit.objects.get(code="sc-p")
    assert User.objects.filter(org_unit=province, role="office").exists()
    assert User.objects.filter(org_unit__kind=OrgUnitKind.CITY, role="leader").count() == 2
    top = Campaign.objects.filter(owner_unit=province)
    assert top.count() == 4  # one per (year, holiday)
    for campaign in top:
        cities = campaign.linked_campaigns.all()
        assert cities.count() == 2 and set(campaign.expected_units.all()) == {c.owner_unit for c in cities}
        for city_campaign in cities:
            counties = city_campaign.linked_campaigns.all()
            assert counties.count() == 2
            assert all(c.return_deadline <= city_campaign.return_deadline for c in counties)
    # A closed campaign: every county's table accepted, equal to its own campaign's accepted table.
    closed = top.order_by("year", "kind").first()
    for county_campaign in Campaign.objects.filter(parent__parent=closed).select_related("owner_unit"):
        ret = Return.objects.get(campaign=county_campaign.parent, org_unit=county_campaign.owner_unit)
        assert ret.status == ReturnStatus.ACCEPTED
        office = User.objects.get(org_unit=county_campaign.owner_unit, role="office")
        report = campaign_report(user=office, campaign=county_campaign, statuses=(ReturnStatus.ACCEPTED,))
        assert [r.people_visited for r in rows_from_figures(ret.figures)] == [
            r.people_visited for r in report.county_rows
        ]
    assert Return.objects.filter(campaign=closed, status=ReturnStatus.ACCEPTED).count() == 2
    # The open campaign: a city's table went up only after it accepted all its counties' tables.
    for city_return in Return.objects.filter(campaign__in=top, org_unit__kind=OrgUnitKind.CITY):
        city_campaign = Campaign.objects.get(parent=city_return.campaign, owner_unit=city_return.org_unit)
        county_returns = Return.objects.filter(campaign=city_campaign, org_unit__kind=OrgUnitKind.COUNTY)
        assert county_returns.count() == 2
        assert set(county_returns.values_list("status", flat=True)) == {ReturnStatus.ACCEPTED}

    # Work points cascade down: the province's task per city, broken down per county by the city,
    # and by each county for one of its townships; the province sees the roll-up.
    from tasks.models import Task
    from tasks.selectors import tasks_for

    province_tasks = Task.objects.filter(plan__owner_unit=province)
    assert province_tasks.count() == 2
    for task in province_tasks:
        city_parts = Task.objects.filter(parent_task=task)
        assert city_parts.count() == 2 and {t.plan.owner_unit for t in city_parts} == {task.lead_unit}
        for part in city_parts:
            (county_part,) = Task.objects.filter(parent_task=part)
            assert county_part.plan.owner_unit == part.lead_unit
            assert county_part.lead_unit.parent == part.lead_unit and county_part.deadline <= part.deadline
    province_office = User.objects.get(org_unit=province, role="office")
    shown = [t.display_status for t in tasks_for(province_office).filter(plan__owner_unit=province)]
    assert len(shown) == 2 and all(s in {"not_started", "in_progress", "done", "overdue"} for s in shown)
