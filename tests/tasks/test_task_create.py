"""One task added to a plan by its office (tasks.services.task_create, used for a meeting's
decision): at the end of the plan, given only to units the office may assign, its units told,
nothing saved on an error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangyong.models import Notification, OrgUnitKind, Role
from tasks.models import Task
from tasks.services import task_create
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county, office_user):
    return WorkPlanFactory(owner_unit=county, created_by=office_user, year=2026)


@pytest.fixture
def other_county():
    return OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)


def test_a_task_is_appended_to_the_plan_and_its_units_are_told(
    plan, office_user, member_unit, township_a_unit, member_liaison, township_a
):
    TaskFactory(plan=plan, order=7)
    task = task_create(
        user=office_user,
        plan=plan,
        title="协调解决训练场地",
        text="全文",
        lead_unit=member_unit,
        cooperating_units=[township_a_unit, member_unit],
        deadline=dt.date(2026, 12, 31),
    )
    task.refresh_from_db()
    assert task.plan == plan and task.order == 8 and task.lead_unit == member_unit
    assert list(task.cooperating_units.all()) == [township_a_unit]  # the lead is not also cooperating
    assert task.history.filter(history_type="+").count() == 1  # history kept
    told = Notification.objects.filter(title="新任务：协调解决训练场地")
    assert sorted(n.recipient.username for n in told) == ["member", "township_a"]
    assert Notification.objects.filter(recipient=office_user).count() == 0


def test_a_plan_of_another_office_is_refused(county, office_user, member_unit, other_county):
    theirs = WorkPlanFactory(owner_unit=other_county, year=2026)
    with pytest.raises(PermissionDenied):
        task_create(user=office_user, plan=theirs, title="越权", lead_unit=member_unit)
    assert not Task.objects.exists()


def test_the_leader_cannot_add_a_task(plan, leader, member_unit):
    with pytest.raises(PermissionDenied):
        task_create(user=leader, plan=plan, title="领导", lead_unit=member_unit)
    assert not Task.objects.exists()


def test_a_unit_the_office_may_not_assign_is_refused_at_its_field(plan, office_user, member_unit, other_county):
    outsider = OrgUnitFactory(name="永川区民政局", code="yc-mz", kind=OrgUnitKind.MEMBER_UNIT, parent=other_county)
    UserFactory(username="yc-member", org_unit=outsider, role=Role.MEMBER_LIAISON)
    with pytest.raises(ValidationError) as lead:
        task_create(user=office_user, plan=plan, title="交办", lead_unit=outsider)
    assert lead.value.message_dict == {"lead_unit": ["单位“永川区民政局”不是本单位可以交办的单位。"]}
    with pytest.raises(ValidationError) as cooperating:
        task_create(user=office_user, plan=plan, title="交办", lead_unit=member_unit, cooperating_units=[outsider])
    assert list(cooperating.value.message_dict) == ["cooperating_units"]
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_a_deadline_out_of_range_is_refused_at_its_field(plan, office_user, member_unit):
    with pytest.raises(ValidationError) as e:
        task_create(user=office_user, plan=plan, title="交办", lead_unit=member_unit, deadline=dt.date(9999, 12, 31))
    assert "日期超出合理范围" in e.value.message_dict["deadline"][0]
    assert not Task.objects.exists()
