"""The reports page of an office that rolls up (a city, a county under it): no draft unit table of
its own, the level's own words, and whose campaign each row is (docs/levels.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.levels import IN_WINDOW, build_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_WINDOW, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def _page(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["city_office", "city_leader"])
def test_a_city_is_not_offered_a_draft_table_of_its_own_and_reads_its_level_words(cq, client_for, who):
    html = _page(client_for(getattr(cq, who)))
    assert reverse("reports:unit_table", args=[cq.campaign.pk, cq.city.pk]) not in html
    assert "全县（区）" not in html
    assert "全市报表" in html and "全市汇总" in html
    assert reverse("reports:county_workbook", args=[cq.campaign.pk, "accepted"]) in html
    assert "本级活动" in html


def test_a_county_sees_whose_campaign_each_row_is_and_no_workbook_of_the_citys(cq, client_for):
    own = cq.own(cq.yc)
    client = client_for(cq.yc_office)
    html = _page(client)
    assert html.count('data-testid="campaign-row"') == 2
    assert "本级活动" in html and f"上级活动（{cq.city.name}）" in html
    assert "全县（区）汇总" in html
    assert reverse("reports:county_workbook", args=[own.pk, "accepted"]) in html
    assert reverse("reports:county_workbook", args=[cq.campaign.pk, "accepted"]) not in html
    # its table to the city is on the upward return page, not a draft unit table
    assert reverse("visits:unit_return", args=[cq.campaign.pk, cq.yc.pk]) in html
    assert reverse("reports:unit_table", args=[cq.campaign.pk, cq.yc.pk]) not in html
    # and the address itself is refused: it would be the city's table stamped with the county's name
    response = client.get(reverse("reports:county_workbook", args=[cq.campaign.pk, "accepted"]))
    assert response.status_code == 403


def test_a_city_member_unit_still_downloads_its_own_table(cq, client_for):
    from shuangyong.models import Role
    from tests.factories import UserFactory

    liaison = UserFactory(org_unit=cq.city_member, role=Role.MEMBER_LIAISON)
    html = _page(client_for(liaison))
    assert reverse("reports:unit_table", args=[cq.campaign.pk, cq.city_member.pk]) in html


def test_a_township_leader_still_gets_its_part_of_the_county_workbook(cq, client_for):
    from shuangyong.models import Role
    from tests.factories import UserFactory

    leader = UserFactory(org_unit=cq.yc_a, role=Role.LEADER)
    own = cq.own(cq.yc)
    client = client_for(leader)
    assert reverse("reports:county_workbook", args=[own.pk, "accepted"]) in _page(client)
    assert client.get(reverse("reports:county_workbook", args=[own.pk, "accepted"])).status_code == 200


def test_a_countys_dashboard_does_not_offer_the_citys_campaign(cq, client_for):
    response = client_for(cq.yc_office).get(reverse("reports:dashboard"), {"campaign": cq.campaign.pk})
    assert response.status_code == 200
    choices = list(response.context["form"].fields["campaign"].queryset)
    assert choices == [cq.own(cq.yc)]
    assert reverse("reports:county_workbook", args=[cq.campaign.pk, "accepted"]) not in response.content.decode()
