"""Factories for visits/ tests."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    Campaign,
    CampaignKind,
    Return,
    ReturnStatus,
    TableRow,
    VisitRecord,
)
from visits.validators import make_id_number

_seq = itertools.count(1)


def valid_id_number() -> str:
    n = next(_seq)
    return make_id_number(region="500224", birth=dt.date(1950, 1, 1) + dt.timedelta(days=n), sequence=n)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    year = 2027
    kind = CampaignKind.SPRING
    title = factory.LazyAttribute(lambda c: f"{c.year}年{'春节' if c.kind == CampaignKind.SPRING else '八一'}走访慰问")
    visit_start = dt.date(2027, 1, 22)
    visit_end = dt.date(2027, 2, 20)
    return_deadline = dt.date(2027, 2, 25)

    @factory.post_generation
    def expected_units(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expected_units.set(extracted)


def category(name: str = "烈属") -> BeneficiaryCategory:
    return BeneficiaryCategory.objects.get(name=name)


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    name = factory.Sequence(lambda n: f"对象{n}")
    category = factory.LazyFunction(category)
    id_number = factory.LazyFunction(valid_id_number)
    phone = "13800000000"
    address = "某路1号"


class ReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Return

    status = ReturnStatus.DRAFT


class VisitRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitRecord

    unit_return = factory.LazyAttribute(
        lambda r: Return.objects.get_or_create(campaign=r.campaign, org_unit=r.org_unit)[0]
    )
    visit_date = dt.date(2027, 2, 1)
    table_row = TableRow.ENTITLED
    people_visited = 3
