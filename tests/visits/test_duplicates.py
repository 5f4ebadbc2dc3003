"""Duplicate check: a beneficiary who received money from two units in the same campaign."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.selectors import money_duplicates

pytestmark = pytest.mark.django_db


def test_money_from_two_units_is_flagged(
    client_for, campaign, office_user, county, village_a1, township_a_unit, member_unit
):
    twice = BeneficiaryFactory(name="双份", org_unit=village_a1)
    once = BeneficiaryFactory(name="一份", org_unit=village_a1)
    goods_only = BeneficiaryFactory(name="只有慰问品", org_unit=village_a1)
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=twice, money_amount=Decimal("500"))
    VisitRecordFactory(campaign=campaign, org_unit=member_unit, beneficiary=twice, money_amount=Decimal("300"))
    # Same unit twice is not "two units"; goods only is not money; another campaign does not count.
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=once, money_amount=Decimal("1"))
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=once, money_amount=Decimal("1"))
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=goods_only)
    VisitRecordFactory(campaign=campaign, org_unit=member_unit, beneficiary=goods_only)
    army = CampaignFactory(
        owner_unit=county, kind="army_day", visit_start=dt.date(2027, 7, 15), visit_end=dt.date(2027, 8, 10)
    )
    VisitRecordFactory(campaign=army, org_unit=member_unit, beneficiary=once, money_amount=Decimal("9"))

    flagged = money_duplicates(user=office_user, campaign=campaign)
    assert [(p, {r.org_unit for r in recs}) for p, recs in flagged] == [(twice, {township_a_unit, member_unit})]

    html = client_for(office_user).get(reverse("visits:campaign_duplicates", args=[campaign.pk])).content.decode()
    assert "双份" in html and "一份" not in html and "区教育委员会" in html


def test_only_the_office_sees_the_duplicate_page(client_for, township_a, leader, campaign):
    assert client_for(township_a).get(reverse("visits:campaign_duplicates", args=[campaign.pk])).status_code == 403
    assert client_for(leader).get(reverse("visits:campaign_duplicates", args=[campaign.pk])).status_code == 403
