"""Every download URL respects the scope: own unit only for a township, the county for the
office and leaders, another county's campaign is 404, anonymous users go to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tests.factories import OrgUnitFactory
from tests.reports.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(campaign, township_a_unit, township_b_unit):
    return {
        "unit_a": reverse("reports:unit_table", args=[campaign.pk, township_a_unit.pk]),
        "unit_b": reverse("reports:unit_table", args=[campaign.pk, township_b_unit.pk]),
        "county_accepted": reverse("reports:county_workbook", args=[campaign.pk, "accepted"]),
        "county_submitted": reverse("reports:county_workbook", args=[campaign.pk, "submitted"]),
        "tasks": reverse("reports:task_closure", args=[2027]),
        "dashboard": reverse("reports:dashboard"),
        "index": reverse("reports:index"),
    }


def test_anonymous_is_sent_to_login_from_every_url(client, urls):
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_township_gets_its_own_table_only(client_for, township_a, urls):
    client = client_for(township_a)
    assert client.get(urls["unit_a"]).status_code == 200
    assert client.get(urls["unit_b"]).status_code == 404
    for name in ("county_accepted", "county_submitted", "tasks", "dashboard"):
        response = client.get(urls[name])
        assert response.status_code == 403, name
    assert client.get(urls["index"]).status_code == 200


def test_township_b_cannot_get_township_a(client_for, township_b, urls):
    client = client_for(township_b)
    assert client.get(urls["unit_a"]).status_code == 404
    assert client.get(urls["unit_b"]).status_code == 200


def test_member_liaison_gets_only_its_unit(client_for, member_liaison, campaign, member_unit, urls):
    client = client_for(member_liaison)
    assert client.get(reverse("reports:unit_table", args=[campaign.pk, member_unit.pk])).status_code == 200
    assert client.get(urls["unit_a"]).status_code == 404
    assert client.get(urls["county_accepted"]).status_code == 403


@pytest.mark.parametrize("persona", ["leader", "office_user"])
def test_leader_and_office_get_everything(request, client_for, persona, urls):
    client = client_for(request.getfixturevalue(persona))
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name


def test_another_countys_campaign_is_404(client_for, leader, township_a):
    other_county = OrgUnitFactory(name="大足区双拥办", kind=OrgUnitKind.COUNTY)
    other_town = OrgUnitFactory(name="龙水镇", parent=other_county)
    foreign = make_campaign(other_county, [other_town])
    client = client_for(leader)
    assert client.get(reverse("reports:county_workbook", args=[foreign.pk, "accepted"])).status_code == 404
    assert client.get(reverse("reports:unit_table", args=[foreign.pk, other_town.pk])).status_code == 404
    assert (
        client_for(township_a).get(reverse("reports:unit_table", args=[foreign.pk, township_a.org_unit.pk])).status_code
        == 404
    )


def test_unknown_basis_is_404(client_for, leader, campaign):
    assert client_for(leader).get(reverse("reports:county_workbook", args=[campaign.pk, "all"])).status_code == 404


def test_leader_cannot_post_to_a_download(client_for, leader, urls):
    assert client_for(leader).post(urls["county_accepted"]).status_code == 403
