"""Plans at every level (issue 15 point 1): only the office owning a plan runs it, an office above
reads it; each office gives tasks to the units it runs (a city: its member units and counties; a
street office: its villages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tasks.forms import task_units_for
from tasks.models import Task
from tasks.services import SectionDraft, TaskDraft, closure_request_create, closure_request_decide, task_update
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_task(levels_city, county, levels_city_office):
    return TaskFactory(plan__owner_unit=levels_city, plan__created_by=levels_city_office, lead_unit=county)


@pytest.fixture
def county_task(levels_city, county, office_user, township_a_unit):
    return TaskFactory(plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit)


def _edit(user, task):
    return task_update(
        user=user,
        task=task,
        title="改过的标题",
        text="",
        lead_unit=task.lead_unit,
        cooperating_units=[],
        deadline=dt.date(2022, 12, 1),
        version=task.version,
    )


def test_a_city_office_cannot_edit_a_county_plan(county_task, levels_city_office, client):
    with pytest.raises(PermissionDenied):
        _edit(levels_city_office, county_task)
    client.force_login(levels_city_office)
    assert client.get(reverse("tasks:task_detail", args=[county_task.pk])).status_code == 200  # it reads it
    assert client.get(reverse("tasks:plan_detail", args=[county_task.plan_id])).status_code == 200
    assert client.get(reverse("tasks:task_edit", args=[county_task.pk])).status_code == 403
    page = client.get(reverse("tasks:task_detail", args=[county_task.pk])).content.decode()
    assert reverse("tasks:task_edit", args=[county_task.pk]) not in page
    assert Task.objects.get(pk=county_task.pk).title == county_task.title


def test_a_county_office_cannot_edit_a_city_plan(city_task, office_user, client):
    with pytest.raises(PermissionDenied):
        _edit(office_user, city_task)
    client.force_login(office_user)
    assert client.get(reverse("tasks:task_edit", args=[city_task.pk])).status_code == 403
    assert Task.objects.get(pk=city_task.pk).title == city_task.title


def test_the_owning_offices_edit_their_own(county_task, city_task, office_user, levels_city_office):
    assert _edit(office_user, county_task).title == "改过的标题"
    assert _edit(levels_city_office, city_task).title == "改过的标题"


def test_only_the_city_decides_the_countys_closure_request(city_task, office_user, levels_city_office):
    request = closure_request_create(user=office_user, task=city_task, note="已完成")
    with pytest.raises(PermissionDenied):  # the county asked: it cannot accept its own request
        closure_request_decide(user=office_user, request=request, accept=True)
    closure_request_decide(user=levels_city_office, request=request, accept=True)


def test_a_city_gives_tasks_to_its_member_units_and_counties(
    levels_city_office, levels_city, levels_city_member, levels_county2, county, township_a_unit, member_unit
):
    units = set(task_units_for(levels_city_office))
    assert {levels_city, levels_city_member, levels_county2, county} <= units
    assert township_a_unit not in units and member_unit not in units  # the county's, not the city's


def test_a_county_under_a_city_gives_tasks_as_before(
    office_user, levels_city, county, township_a_unit, township_b_unit, member_unit, troop_unit, village_a1
):
    units = set(task_units_for(office_user))
    assert units == {county, township_a_unit, township_b_unit, member_unit, troop_unit}
    assert village_a1 not in units and levels_city not in units


def test_a_street_office_publishes_its_plan_to_its_villages(
    levels_street_office, township_a_unit, village_a1, township_b_unit, county, client
):
    """Seed 001's shape: 通惠街道 sends its own 要点 to its villages (各村（居）民委员会)."""
    village_user = UserFactory(username="village", org_unit=village_a1)
    other_village = OrgUnitFactory(name="东城某社区", kind=OrgUnitKind.VILLAGE, parent=township_b_unit)
    assert set(task_units_for(levels_street_office)) == {township_a_unit, village_a1}
    client.force_login(levels_street_office)
    from tasks.services import work_plan_import

    plan = work_plan_import(
        user=levels_street_office,
        year=2022,
        title="2022年巴川街道双拥工作要点",
        sections=[SectionDraft(number="一", heading="加强双拥宣传")],
        tasks=[TaskDraft(section_index=0, number="1.", title="开展国防教育", text="……", lead_unit=village_a1)],
    )
    assert plan.owner_unit == township_a_unit
    task = plan.tasks.get()
    task.refresh_from_db()
    _edit(levels_street_office, task)  # the street office runs its plan
    client.force_login(village_user)
    assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 200
    assert "改过的标题" in client.get(reverse("tasks:my_tasks")).content.decode()
    # The county above reads it; another township's village does not see it.
    client.force_login(UserFactory(username="dc_village", org_unit=other_village))
    assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 404
    client.force_login(UserFactory(username="county_office2", org_unit=county, role="office"))
    assert client.get(reverse("tasks:plan_detail", args=[plan.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        _edit(UserFactory(username="county_office3", org_unit=county, role="office"), task)


def test_the_work_queue_at_each_level(city_task, county_task, office_user, levels_city_office, township_a):
    """The county office finds the city's task it received (to break down); the county's pending
    closure request waits for the county, not for the city that only reads it."""
    from tasks.panels import waiting_groups

    closure_request_create(user=township_a, task=county_task, note="已完成")
    city = {g.testid: g for g in waiting_groups(levels_city_office)}
    county = {g.testid: g for g in waiting_groups(office_user)}
    assert city["waiting-closures"].total == 0 and county["waiting-closures"].total == 1
    assert county["waiting-received"].total == 1
    assert county["waiting-received"].rows[0].url == reverse("tasks:task_detail", args=[city_task.pk])
    assert city["waiting-received"].total == 0


def test_the_task_import_changes_only_the_offices_own_plans(city_task, county_task, office_user):
    """The county's export lists the city's task it received; importing it back changes nothing."""
    from tasks.resources import TaskResource, export_xlsx, import_errors, import_table

    resource = TaskResource(user=office_user)
    content = export_xlsx(resource)
    result = import_table(TaskResource(user=office_user), name="tasks.xlsx", content=content)
    errors = import_errors(result, resource)
    assert any(f"编号 {city_task.pk} 的任务不存在或您无权修改" in str(e) for e in errors)
    assert Task.objects.get(pk=city_task.pk).version == city_task.version
