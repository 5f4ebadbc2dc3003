"""The records' export and import are offered only to those who can have records in the campaign:
above a county, only for the office's own record units, and without an ID-number column (docs/levels.md)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.levels import IN_WINDOW, build_city
from visits.models import Return
from visits.resources import VISIT_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_WINDOW, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def test_a_city_campaign_without_record_units_of_the_city_offers_no_export_or_import(cq, client_for):
    cq.campaign.expected_units.remove(cq.city_member)
    html = client_for(cq.city_office).get(reverse("visits:campaign_detail", args=[cq.campaign.pk])).content.decode()
    assert reverse("visits:campaign_records_export", args=[cq.campaign.pk]) not in html
    assert "导出走访记录" not in html and "Excel 导入" not in html
    # nor the county's campaign read from above: its records stay in the county
    html = client_for(cq.city_office).get(reverse("visits:campaign_detail", args=[cq.own(cq.yc).pk])).content.decode()
    assert "导出走访记录" not in html and "Excel 导入" not in html


def test_the_city_exports_and_imports_its_member_units_records_without_an_id_column(cq, client_for):
    client = client_for(cq.city_office)
    html = client.get(reverse("visits:campaign_detail", args=[cq.campaign.pk])).content.decode()
    assert 'data-testid="records-export"' in html and 'data-testid="records-import"' in html
    Return.objects.create(campaign=cq.campaign, org_unit=cq.city_member)
    response = client.get(reverse("visits:campaign_records_export", args=[cq.campaign.pk]))
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert VISIT_COLUMNS["beneficiary"] not in header and VISIT_COLUMNS["org_unit"] in header
    # the county still exports the column, and sees both buttons on its own campaign
    county = client_for(cq.yc_office)
    html = county.get(reverse("visits:campaign_detail", args=[cq.own(cq.yc).pk])).content.decode()
    assert 'data-testid="records-export"' in html and 'data-testid="records-import"' in html
    response = county.get(reverse("visits:campaign_records_export", args=[cq.own(cq.yc).pk]))
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert VISIT_COLUMNS["beneficiary"] in header
