"""The downloads page: a township sees its own tables only; the office and leaders also the county's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tests.factories import OrgUnitFactory
from tests.reports.conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_township_sees_its_own_table_links_only(client_for, township_a, campaign, township_b_unit):
    html = client_for(township_a).get(reverse("reports:index")).content.decode()
    assert reverse("reports:unit_table", args=[campaign.pk, township_a.org_unit.pk]) in html
    assert reverse("reports:unit_table", args=[campaign.pk, township_b_unit.pk]) not in html
    assert "/county-" not in html and "/closure.xlsx" not in html


def test_office_sees_county_downloads_for_each_basis(client_for, office_user, campaign):
    html = client_for(office_user).get(reverse("reports:index")).content.decode()
    for basis in ("accepted", "submitted"):
        assert reverse("reports:county_workbook", args=[campaign.pk, basis]) in html
    assert "仅统计已审核的报表" in html and "统计全部已提交的报表（含待审核）" in html


def test_dashboard_refuses_a_campaign_of_another_county_at_the_field(client_for, leader, campaign):
    other = OrgUnitFactory(name="大足区双拥办", kind=OrgUnitKind.COUNTY)
    foreign = make_campaign(other, [OrgUnitFactory(name="龙水镇", parent=other)])
    response = client_for(leader).get(reverse("reports:dashboard"), {"campaign": foreign.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "errorlist" in html
    assert "龙水镇" not in html and campaign.title in html
