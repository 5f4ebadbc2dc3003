"""Privacy by level (docs/levels.md): an office above the county reads returns and their totals,
never the people; a city's own member units' records stay the city office's to see."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuangyong.models import Role
from tests.factories import UserFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.selectors import beneficiaries_for, visit_records_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_unit, city_member_unit, county, township_a_unit, city_office, office_user, township_a):
    county_person = BeneficiaryFactory(name="甄秀英", org_unit=township_a_unit)
    city_campaign = CampaignFactory(owner_unit=city_unit, expected_units=[city_member_unit])
    county_campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    city_staff = UserFactory(org_unit=city_member_unit, role=Role.MEMBER_LIAISON)
    return {
        "county_person": county_person,
        "city_record": VisitRecordFactory(
            campaign=city_campaign, org_unit=city_member_unit, created_by=city_staff, lead_leader="市领导甲"
        ),
        "county_record": VisitRecordFactory(
            campaign=county_campaign, org_unit=township_a_unit, created_by=township_a, beneficiary=county_person
        ),
        "city_campaign": city_campaign,
        "county_campaign": county_campaign,
    }


def test_the_city_office_sees_its_member_units_records_and_none_of_the_county(world, city_office, office_user):
    assert list(visit_records_for(city_office)) == [world["city_record"]]
    assert not beneficiaries_for(city_office).exists()
    # The county's office still sees its own records and people (unaffected).
    assert list(visit_records_for(office_user)) == [world["county_record"]]
    assert list(beneficiaries_for(office_user)) == [world["county_person"]]


def test_record_pages_follow_the_same_rule(client_for, world, city_office):
    client = client_for(city_office)
    assert client.get(reverse("visits:record_detail", args=[world["city_record"].pk])).status_code == 200
    assert client.get(reverse("visits:record_detail", args=[world["county_record"].pk])).status_code == 404
    assert client.get(reverse("visits:beneficiary_detail", args=[world["county_person"].pk])).status_code == 404
    assert client.get(reverse("visits:beneficiary_list")).status_code == 404  # no ledger above the county


def test_the_county_return_is_read_from_above_with_its_totals(client_for, world, city_office, township_a_unit):
    client = client_for(city_office)
    url = reverse("visits:unit_return", args=[world["county_campaign"].pk, township_a_unit.pk])
    page = client.get(url).content.decode()
    assert "共 1 条" in page and 'data-testid="records-hidden"' in page
    assert "甄秀英" not in page
    # ... and may not enter records into it (they would name people of the county).
    new_record = reverse("visits:record_create", args=[world["county_campaign"].pk, township_a_unit.pk])
    assert client.get(new_record).status_code == 404


def test_the_records_export_of_the_city_has_its_own_rows_only(client_for, world, city_office):
    client = client_for(city_office)
    for campaign, expected in ((world["city_campaign"], 1), (world["county_campaign"], 0)):
        response = client.get(reverse("visits:campaign_records_export", args=[campaign.pk]))
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert len(rows) - 1 == expected, campaign


def test_the_menu_of_an_office_above_has_no_ledger_link(client_for, city_office, office_user):
    ledger = f'href="{reverse("visits:beneficiary_list")}"'
    assert ledger not in client_for(city_office).get(reverse("home")).content.decode()
    assert ledger in client_for(office_user).get(reverse("home")).content.decode()
