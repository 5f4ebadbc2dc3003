"""A meeting's decision becomes a work-point task (issue 17 point 2): in one of the office's plans
of the meeting's year, led by a unit the office may assign, seen on the plan and task pages and
told to the lead unit; refused whole otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import Meeting, MeetingKind
from shuangyong.models import Notification, OrgUnitKind, Role
from tasks.models import Task
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import WorkPlanFactory

pytestmark = pytest.mark.django_db

LONG = "协调解决驻地部队训练场地临时用地问题" * 12  # longer than a task title (200)


@pytest.fixture
def meeting(office_user):
    return Meeting.objects.create(
        owner_unit=office_user.org_unit, date=dt.date(2026, 3, 1), kind=MeetingKind.JOINT, title="联席会议",
        decisions=f"审议年度要点\n{LONG}",
    )  # fmt: skip


@pytest.fixture
def plan(county, office_user):
    return WorkPlanFactory(owner_unit=county, created_by=office_user, year=2026, title="2026年双拥工作要点")


@pytest.fixture
def other_county():
    return OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)


def post(client, meeting, **data):
    return client.post(reverse("evaluation:meeting_decision_task", args=[meeting.pk]), data)


def test_a_decision_becomes_a_task_of_the_plan_seen_and_told(
    client_for, office_user, meeting, plan, member_unit, member_liaison, today
):
    client = client_for(office_user)
    page = client.get(reverse("evaluation:meeting_detail", args=[meeting.pk])).content.decode()
    assert page.count(">转为双清单事项</button>") == 2 and page.count(">转为工作任务</button>") == 2
    assert "2026年双拥工作要点" in page
    response = post(client, meeting, index=1, plan=plan.pk, lead_unit=member_unit.pk, deadline="2026-12-31")
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == reverse("tasks:task_detail", args=[task.pk])
    assert task.plan == plan and task.lead_unit == member_unit and task.deadline == dt.date(2026, 12, 31)
    assert len(task.title) == 200 and task.title.endswith("…") and LONG.startswith(task.title[:-1])
    assert task.text == f"{LONG}\n来源：2026-03-01 军地联席会议联席会议"
    assert Notification.objects.filter(recipient=member_liaison, title__startswith="新任务：").count() == 1
    plan_page = client.get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    assert task.title in plan_page
    liaison_page = client_for(member_liaison).get(reverse("tasks:task_detail", args=[task.pk]))
    assert liaison_page.status_code == 200 and "来源：2026-03-01 军地联席会议联席会议" in liaison_page.content.decode()


def test_a_plan_of_another_office_or_year_is_refused(client_for, office_user, meeting, member_unit, other_county):
    theirs = WorkPlanFactory(owner_unit=other_county, year=2026)
    last_year = WorkPlanFactory(owner_unit=office_user.org_unit, created_by=office_user, year=2025)
    client = client_for(office_user)
    for refused in (theirs, last_year):
        response = post(client, meeting, index=0, plan=refused.pk, lead_unit=member_unit.pk)
        assert response.status_code == 302 and response.url == reverse("evaluation:meeting_detail", args=[meeting.pk])
        assert not Task.objects.exists()
    page = client.get(response.url).content.decode()
    assert "工作要点：" in page  # the message names the field
    # The service itself refuses a plan of another year at its field.
    with pytest.raises(services.ValidationError) as e:
        services.meeting_decision_to_task(user=office_user, meeting=meeting, index=0, plan=last_year,
                                          lead_unit=member_unit)  # fmt: skip
    assert list(e.value.message_dict) == ["plan"]


def test_a_unit_the_office_may_not_assign_is_refused_at_the_field(client_for, office_user, meeting, plan, other_county):
    outsider = OrgUnitFactory(name="永川区民政局", code="yc-mz", kind=OrgUnitKind.MEMBER_UNIT, parent=other_county)
    client = client_for(office_user)
    response = post(client, meeting, index=0, plan=plan.pk, lead_unit=outsider.pk)
    assert response.status_code == 302 and not Task.objects.exists()
    assert "牵头单位：" in client.get(response.url).content.decode()
    with pytest.raises(services.ValidationError) as e:  # the service refuses it too, at the field
        services.meeting_decision_to_task(user=office_user, meeting=meeting, index=0, plan=plan, lead_unit=outsider)
    assert e.value.message_dict == {"lead_unit": ["单位“永川区民政局”不是本单位可以交办的单位。"]}
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_an_unknown_decision_is_refused(client_for, office_user, meeting, plan, member_unit):
    post(client_for(office_user), meeting, index=5, plan=plan.pk, lead_unit=member_unit.pk)
    assert not Task.objects.exists()


def test_leader_member_and_another_county_cannot(
    client_for, leader, member_liaison, meeting, plan, member_unit, other_county
):
    data = {"index": 0, "plan": plan.pk, "lead_unit": member_unit.pk}
    assert post(client_for(leader), meeting, **data).status_code == 403
    assert post(client_for(member_liaison), meeting, **data).status_code in (403, 404)
    their_office = UserFactory(username="yc-office", org_unit=other_county, role=Role.OFFICE)
    assert post(client_for(their_office), meeting, **data).status_code == 404
    assert client_for(leader).get(reverse("evaluation:meeting_decision_task", args=[meeting.pk])).status_code in (
        403,
        405,
    )
    office_get = client_for(meeting.owner_unit.users.get(role=Role.OFFICE))
    assert office_get.get(reverse("evaluation:meeting_decision_task", args=[meeting.pk])).status_code == 405
    assert not Task.objects.exists()


def test_without_a_plan_of_the_year_the_page_says_to_import_one(client_for, office_user, meeting, today):
    page = client_for(office_user).get(reverse("evaluation:meeting_detail", args=[meeting.pk])).content.decode()
    assert "本单位还没有2026年度的工作要点" in page and "转为双清单事项" in page
