"""The 双拥办 may itself be the responsible unit of a 双清单 item or the lead unit of a task.

The assign forms offer the county unit (``task_units_for``); an item given to it must be
workable by the office's staff, while the office still never acts for a township below it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangyong.models import Role
from tasks.models import DualListState, TaskStatus
from tests.factories import UserFactory
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db
S = DualListState


def test_office_starts_and_requests_close_of_an_item_given_to_the_county(client_for, office_user, county, troop_unit):
    item = DualListItemFactory(troop_unit=troop_unit, created_by=office_user)
    client = client_for(office_user)
    response = client.post(
        reverse("tasks:dual_item_action", args=[item.pk, "assign"]),
        {"responsible_unit": county.pk, "version": item.version},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == S.ASSIGNED and item.responsible_unit == county

    page = client.get(reverse("tasks:dual_item_detail", args=[item.pk]))
    assert reverse("tasks:dual_item_action", args=[item.pk, "start"]) in page.content.decode()

    assert client.post(reverse("tasks:dual_item_action", args=[item.pk, "start"])).status_code == 302
    item.refresh_from_db()
    assert item.state == S.IN_PROGRESS
    response = client.post(reverse("tasks:dual_item_action", args=[item.pk, "request_close"]), {"note": "已协调落实"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == S.CLOSE_REQUESTED
    assert list(item.transitions.values_list("action", "user")) == [
        ("assign", office_user.pk),
        ("start", office_user.pk),
        ("request_close", office_user.pk),
    ]


def test_office_still_cannot_act_for_a_township(client_for, office_user, troop_unit, township_a_unit):
    item = DualListItemFactory(
        troop_unit=troop_unit, responsible_unit=township_a_unit, state=S.ASSIGNED, created_by=office_user
    )
    response = client_for(office_user).post(reverse("tasks:dual_item_action", args=[item.pk, "start"]))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == S.ASSIGNED


def test_other_township_cannot_see_an_item_of_the_county(client_for, office_user, county, troop_unit, township_b):
    item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=county, state=S.ASSIGNED, created_by=office_user)
    client = client_for(township_b)
    assert client.post(reverse("tasks:dual_item_action", args=[item.pk, "start"])).status_code == 404
    item.refresh_from_db()
    assert item.state == S.ASSIGNED


def test_leader_of_the_county_cannot_start_it(client_for, leader, office_user, county, troop_unit):
    item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=county, state=S.ASSIGNED, created_by=office_user)
    assert client_for(leader).post(reverse("tasks:dual_item_action", args=[item.pk, "start"])).status_code == 403
    item.refresh_from_db()
    assert item.state == S.ASSIGNED


@time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False)
def test_office_leads_a_task_of_its_own_and_a_colleague_accepts_it(client_for, office_user, county):
    task = TaskFactory(plan__owner_unit=county, lead_unit=county, title="规范双拥工作运行机制")
    client = client_for(office_user)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert reverse("tasks:closure_request", args=[task.pk]) in page

    response = client.post(
        reverse("tasks:progress_create", args=[task.pk]), {"report_date": "2026-05-06", "text": "已起草制度"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert client.post(reverse("tasks:closure_request", args=[task.pk]), {"note": "制度已印发"}).status_code == 302
    closure = task.closure_requests.get()
    colleague = UserFactory(org_unit=county, role=Role.OFFICE)
    response = client_for(colleague).post(reverse("tasks:closure_decide", args=[closure.pk]), {"decision": "accept"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
