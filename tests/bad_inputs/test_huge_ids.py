"""A forged choice too large for any integer column (99999999999999999999999 is past SQLite's and
PostgreSQL's 64 bits) is refused at its field in Chinese like any other unknown choice, never a
500: the lookup that checks the choice (``pk__in`` for several, ``pk`` for one) finds nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.models import OrgUnit
from tests.visits.factories import BeneficiaryFactory, CampaignFactory
from visits.models import BeneficiaryTransfer, Campaign

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
TOO_LARGE = [HUGE, str(2**63), str(-(2**63) - 1)]


@pytest.mark.parametrize("value", TOO_LARGE)
def test_a_huge_id_among_the_expected_units_is_refused_at_the_field(
    client_for, office_user, county, township_a_unit, value
):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    data = {
        "year": campaign.year,
        "kind": campaign.kind,
        "title": "改过的名称",
        "visit_start": campaign.visit_start,
        "visit_end": campaign.visit_end,
        "return_deadline": campaign.return_deadline,
        "expected_units": [township_a_unit.pk, value],
        "version": campaign.version,
    }
    response = client_for(office_user).post(reverse("visits:campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.context["form"].errors["expected_units"][0]
    assert Campaign.objects.get().title != "改过的名称"


def test_a_huge_id_in_a_single_choice_is_refused_at_the_field(client_for, township_a, village_a1, county):
    person = BeneficiaryFactory(org_unit=village_a1)
    url = reverse("visits:transfer_create", args=[person.pk])
    response = client_for(township_a).post(url, {"to_county": HUGE, "reason": "随子女迁居"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.context["form"].errors["to_county"][0]
    assert not BeneficiaryTransfer.objects.exists()


def test_an_in_lookup_with_a_value_out_of_range_finds_only_the_others(county):
    assert list(OrgUnit.objects.filter(pk__in=[int(v) for v in TOO_LARGE])) == []
    assert list(OrgUnit.objects.filter(pk__in=[county.pk, *TOO_LARGE])) == [county]
    assert OrgUnit.objects.exclude(pk__in=TOO_LARGE).filter(pk=county.pk).exists()
