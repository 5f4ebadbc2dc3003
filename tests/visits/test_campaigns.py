"""Campaign pages: the office creates and edits; errors at the field; others may not; history shown."""

import datetime as dt

import pytest
from django.urls import reverse

from visits.models import Campaign

pytestmark = pytest.mark.django_db

DATA = {
    "year": "2026",
    "kind": "army_day",
    "title": "2026年八一走访慰问",
    "visit_start": "2026-07-15",
    "visit_end": "2026-08-10",
    "return_deadline": "2026-08-14",
}


def test_office_creates_a_campaign_for_its_units(client_for, office_user, township_a_unit, member_unit, troop_unit):
    data = {**DATA, "expected_units": [township_a_unit.pk, member_unit.pk]}
    response = client_for(office_user).post(reverse("visits:campaign_create"), data)
    campaign = Campaign.objects.get()
    assert response.url == reverse("visits:campaign_detail", args=[campaign.pk])
    assert campaign.owner_unit == office_user.org_unit
    assert set(campaign.expected_units.all()) == {township_a_unit, member_unit}
    assert campaign.return_deadline == dt.date(2026, 8, 14)
    # A troop is not a reporting unit: it is not offered.
    form_html = client_for(office_user).get(reverse("visits:campaign_create")).content.decode()
    assert troop_unit.name not in form_html


def test_window_errors_are_at_the_field(client_for, office_user, township_a_unit):
    data = {**DATA, "visit_end": "2026-07-01", "expected_units": [township_a_unit.pk]}
    response = client_for(office_user).post(reverse("visits:campaign_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["visit_end"] == ["走访结束日期不能早于开始日期。"]
    assert not Campaign.objects.exists()


def test_one_campaign_per_kind_and_year(client_for, office_user, township_a_unit):
    client = client_for(office_user)
    data = {**DATA, "expected_units": [township_a_unit.pk]}
    client.post(reverse("visits:campaign_create"), data)
    response = client.post(reverse("visits:campaign_create"), data)
    assert response.status_code == 200
    assert "本年度已有同类活动" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_township_and_leader_cannot_create_or_edit(client_for, township_a, leader, campaign):
    for user, status in ((township_a, 403), (leader, 403)):
        client = client_for(user)
        assert client.post(reverse("visits:campaign_create"), DATA).status_code == status
        assert client.post(reverse("visits:campaign_edit", args=[campaign.pk]), DATA).status_code == status
        assert client.post(reverse("visits:campaign_next_year"), {"year": 2028}).status_code == status
    assert Campaign.objects.count() == 1


def test_edit_is_kept_in_history_and_shown(client_for, office_user, campaign, township_a_unit):
    client = client_for(office_user)
    data = {
        **DATA,
        "year": "2027",
        "kind": "spring",
        "title": "2027年春节走访慰问（修订）",
        "visit_start": "2027-01-22",
        "visit_end": "2027-02-20",
        "return_deadline": "2027-02-26",
        "expected_units": [township_a_unit.pk],
        "version": campaign.version,
    }
    assert client.post(reverse("visits:campaign_edit", args=[campaign.pk]), data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.return_deadline == dt.date(2027, 2, 26)
    assert campaign.history.latest().history_user == office_user
    page = client.get(reverse("visits:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="history"' in page and "王丽" in page


def test_campaigns_of_the_county_are_listed_for_units(client_for, township_a, campaign):
    assert campaign.title in client_for(township_a).get(reverse("visits:campaign_list")).content.decode()
