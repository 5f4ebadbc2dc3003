"""Large units: the return page is paginated, the record form searches the ledger instead of listing it."""

import re

import pytest
from django.urls import reverse

from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory
from tests.visits.test_record_form import VALID
from visits.models import VisitRecord

pytestmark = pytest.mark.django_db


def _search(client, unit, q):
    response = client.get(reverse("visits:person_search", args=[unit.pk]), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


# --- the return page ------------------------------------------------------------------------------


def test_unit_return_is_paginated_in_fixed_queries(
    frozen, client_for, township_a, campaign, township_b_unit, django_assert_max_num_queries
):
    unit = township_a.org_unit
    VisitRecordFactory.create_batch(5, campaign=campaign, org_unit=unit)
    VisitRecordFactory(campaign=campaign, org_unit=township_b_unit, lead_leader="东城带队")
    client = client_for(township_a)
    url = reverse("visits:unit_return", args=[campaign.pk, unit.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    VisitRecordFactory.create_batch(55, campaign=campaign, org_unit=unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(url).content.decode()
    assert first.count('data-testid="record"') == 20
    assert "第 1 / 3 页，共 60 条" in first and "东城带队" not in first
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count('data-testid="record"') == 20
    assert "共 60 条" in last  # the summary counts every record, not the page


# --- the person search ----------------------------------------------------------------------------


@pytest.fixture
def people(village_a1, township_b_unit):
    BeneficiaryFactory.create_batch(25, name="王某", org_unit=village_a1)
    return {
        "own": BeneficiaryFactory(name="李建国", id_number="500224193503011236", org_unit=village_a1),
        "other": BeneficiaryFactory(name="李建军", id_number="500224193503021232", org_unit=township_b_unit),
    }


def test_search_by_name_or_last_four_digits_masked_and_limited(client_for, township_a, people):
    client = client_for(township_a)
    unit = township_a.org_unit
    own = people["own"]
    assert _search(client, unit, "李建") == [{"id": own.pk, "label": "李建国（500224********1236）"}]
    assert _search(client, unit, "1236") == [{"id": own.pk, "label": "李建国（500224********1236）"}]
    assert _search(client, unit, "1232") == []  # township B's person, not found from A
    assert len(_search(client, unit, "王某")) == 20
    assert _search(client, unit, "") == []
    response = client.get(reverse("visits:person_search", args=[unit.pk]), {"q": "李"})
    assert own.id_number not in response.content.decode()


def test_search_is_scoped_to_the_unit(
    client_for, township_a, township_a_unit, office_user, member_liaison, people, township_b_unit
):
    assert client_for(township_a).get(reverse("visits:person_search", args=[township_b_unit.pk])).status_code == 404
    # The office sees the county, but the search of A's form offers only A's people.
    assert [p["id"] for p in _search(client_for(office_user), township_a_unit, "李建")] == [people["own"].pk]
    # A member unit enters records but has no ledger: nothing to find.
    assert _search(client_for(member_liaison), member_liaison.org_unit, "李建") == []


def test_record_form_has_a_search_box_not_the_whole_ledger(frozen, client_for, township_a, campaign, people):
    client = client_for(township_a)
    page = client.get(reverse("visits:record_create", args=[campaign.pk, township_a.org_unit.pk])).content.decode()
    assert "王某" not in page and "李建国" not in page and not re.search(r'<select[^>]*name="beneficiary"', page)
    search_url = reverse("visits:person_search", args=[township_a.org_unit.pk])
    assert f'data-person-search="{search_url}"' in page and 'name="beneficiary"' in page


def test_record_form_saves_the_chosen_person_and_refuses_another_townships(
    frozen, client_for, township_a, campaign, people
):
    client = client_for(township_a)
    url = reverse("visits:record_create", args=[campaign.pk, township_a.org_unit.pk])
    refused = client.post(url, {**VALID, "beneficiary": people["other"].pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["beneficiary"] == ["请从搜索结果中选择本单位台账中的联系对象。"]
    assert not VisitRecord.objects.exists()
    assert client.post(url, {**VALID, "beneficiary": people["own"].pk}).status_code == 302
    record = VisitRecord.objects.get()
    assert record.beneficiary == people["own"]
    # The edit form shows the chosen person (masked) in the search box and keeps the pk.
    page = client.get(reverse("visits:record_edit", args=[record.pk])).content.decode()
    assert "李建国（500224********1236）" in page and f'value="{people["own"].pk}" data-person-pk' in page
    assert "500224193503011236" not in page
