"""Optimistic locking: the second of two saves based on the same version is refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangyong.concurrency import STALE_MESSAGE, claim_version
from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory
from visits.models import Beneficiary, VisitRecord
from visits.services import beneficiary_update, visit_record_update

pytestmark = pytest.mark.django_db


def test_second_of_two_record_saves_is_refused(frozen, campaign, township_a, township_a_unit):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a_unit)
    # Two people opened the form at version 1.
    first = VisitRecord.objects.get(pk=record.pk)
    second = VisitRecord.objects.get(pk=record.pk)
    visit_record_update(user=township_a, record=first, version=1, money_amount=Decimal("100.00"))
    with pytest.raises(ValidationError) as refused:
        visit_record_update(user=township_a, record=second, version=1, money_amount=Decimal("999.00"))
    assert STALE_MESSAGE in refused.value.messages
    record.refresh_from_db()
    assert record.money_amount == Decimal("100.00") and record.version == 2


def test_second_of_two_beneficiary_saves_is_refused(township_a, township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit)
    beneficiary_update(user=township_a, beneficiary=Beneficiary.objects.get(pk=person.pk), version=1, phone="1")
    with pytest.raises(ValidationError, match="已被他人修改"):
        beneficiary_update(user=township_a, beneficiary=Beneficiary.objects.get(pk=person.pk), version=1, phone="2")
    person.refresh_from_db()
    assert person.phone == "1"


def test_claim_version_bumps_only_the_expected_version(township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit)
    with transaction.atomic():
        claim_version(person, expected_version=1)
    assert Beneficiary.objects.get(pk=person.pk).version == 2 == person.version
    with transaction.atomic(), pytest.raises(ValidationError):
        claim_version(person, expected_version=1)
    assert Beneficiary.objects.get(pk=person.pk).version == 2
