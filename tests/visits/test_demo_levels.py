"""The demo's city (issue 15 point 7): 重庆市's campaign with the demo county's linked under it and
the second county's table accepted; without the city units the seeder does nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.demo import seed_core
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from tests.factories import OrgUnitFactory, UserFactory
from tests.reports.helpers import open_workbook, response_bytes
from tests.reports.printed import check_county_workbook
from visits.demo import seed_levels, seed_visits
from visits.models import Campaign, Return, ReturnStatus

pytestmark = pytest.mark.django_db


def _city_units() -> None:
    """What the core seeder adds for the city (another part of issue 15), made here if it has not."""
    city = OrgUnit.objects.filter(code="cq").first() or OrgUnitFactory(
        name="重庆市双拥工作领导小组办公室", code="cq", kind=OrgUnitKind.CITY
    )
    county = OrgUnit.objects.get(code="tl")
    if county.parent_id != city.pk:
        county.parent = city
        county.save()
    yc = OrgUnit.objects.filter(code="yc").first() or OrgUnitFactory(
        name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY, parent=city
    )
    for i, name in enumerate(("胜利路街道", "中山路街道")):
        if not OrgUnit.objects.filter(parent=yc, kind=OrgUnitKind.TOWNSHIP, name=name).exists():
            OrgUnitFactory(name=name, code=f"yc-demo-{i}", kind=OrgUnitKind.TOWNSHIP, parent=yc)
    if not User.objects.filter(org_unit=city, role=Role.OFFICE).exists():
        UserFactory(username="city_office", org_unit=city, role=Role.OFFICE)
    if not User.objects.filter(org_unit=yc, role=Role.OFFICE).exists():
        UserFactory(username="yc_office_demo", org_unit=yc, role=Role.OFFICE)


def test_without_a_city_office_the_levels_seeder_does_nothing():
    seed_core()
    seed_visits()
    User.objects.filter(org_unit__code="cq", role=Role.OFFICE).update(is_active=False)
    seed_levels()
    assert not Campaign.objects.filter(owner_unit__code="cq").exists()
    assert not Campaign.objects.filter(parent__isnull=False).exists()


def test_the_demo_city_rolls_up_and_is_idempotent(client):
    seed_core()
    seed_visits()
    _city_units()
    seed_levels()
    city_campaign = Campaign.objects.get(owner_unit__code="cq", year=2027, kind="spring")
    county_spring = Campaign.objects.get(owner_unit__code="tl", year=2027, kind="spring")
    assert county_spring.parent == city_campaign  # linked, not duplicated
    assert Campaign.objects.filter(owner_unit__code="tl", year=2027, kind="spring").count() == 1
    yc_return = Return.objects.get(campaign=city_campaign, org_unit__code="yc")
    assert yc_return.status == ReturnStatus.ACCEPTED and yc_return.figures["counted"] >= 2
    counts = [m.objects.count() for m in (Campaign, Return)]
    seed_levels()
    assert counts == [m.objects.count() for m in (Campaign, Return)]
    client.force_login(User.objects.filter(org_unit__code="cq", role=Role.OFFICE).first())
    response = client.get(reverse("reports:county_workbook", args=[city_campaign.pk, "accepted"]))
    assert response.status_code == 200
    check_county_workbook(open_workbook(response_bytes(response)))
    page = client.get(reverse("visits:campaign_completeness", args=[city_campaign.pk]))
    assert page.status_code == 200 and OrgUnit.objects.get(code="yc").name in page.content.decode()
