"""factory_boy factories of the tasks app."""

from __future__ import annotations

import datetime as dt

import factory

from shuangyong.models import OrgUnitKind, Role
from tasks.models import (
    DualListCategory,
    DualListDirection,
    DualListItem,
    DualListState,
    ProposingSide,
    Section,
    Task,
    TaskStatus,
    WorkPlan,
)
from tests.factories import OrgUnitFactory, UserFactory


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    year = 2022
    title = factory.Sequence(lambda n: f"2022年双拥工作要点{n}")
    doc_number = "吕拥办发〔2022〕4号"
    owner_unit = factory.SubFactory(OrgUnitFactory, kind=OrgUnitKind.COUNTY)
    created_by = factory.SubFactory(UserFactory, org_unit=factory.SelfAttribute("..owner_unit"), role=Role.OFFICE)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    plan = factory.SubFactory(WorkPlanFactory)
    number = "一"
    heading = "持续深化双拥宣传教育"
    order = factory.Sequence(int)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    plan = factory.SubFactory(WorkPlanFactory)
    section = factory.SubFactory(SectionFactory, plan=factory.SelfAttribute("..plan"))
    number = factory.Sequence(lambda n: f"（{n}）")
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"任务{n}")
    text = "任务内容。"
    lead_unit = None
    deadline = dt.date(2022, 12, 31)
    status = TaskStatus.NOT_STARTED

    @factory.post_generation
    def cooperating_units(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.cooperating_units.set(extracted)


class DualListCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DualListCategory
        django_get_or_create = ("name",)

    name = "演训保障"


class DualListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DualListItem

    year = 2022
    direction = DualListDirection.TO_TROOPS
    content = factory.Sequence(lambda n: f"协调解决训练场地问题{n}")
    category = factory.SubFactory(DualListCategoryFactory)
    proposing_side = ProposingSide.TROOPS
    responsible_unit = None
    troop_unit = factory.SubFactory(OrgUnitFactory, kind=OrgUnitKind.TROOP)
    deadline = dt.date(2022, 10, 31)
    state = DualListState.PROPOSED
    created_by = factory.SubFactory(UserFactory, role=Role.OFFICE)
