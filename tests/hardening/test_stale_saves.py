"""Lost updates: every form that edits an existing row refuses a save based on an old version.

The attack's race, for each form: two users load the same page, both save; the first is saved,
the second gets the Chinese "changed by someone else" message at the form and changes nothing
(no history row, no notification). One mechanism: shuangyong/concurrency.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from shuangyong.concurrency import STALE_MESSAGE
from shuangyong.models import Notification, OrgUnit, Role
from tasks.models import DualListCategory, DualListState
from tests.factories import UserFactory
from tests.tasks.factories import DualListCategoryFactory, DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory
from visits.models import Campaign, Difficulty, DifficultyKind

pytestmark = pytest.mark.django_db


def loaded_version(response) -> str:
    """The version the page gave the user's browser (the hidden field of the form)."""
    assert response.status_code == 200
    match = re.search(r'name="version" value="(\d+)"', response.content.decode())
    assert match, "the form carries no version"
    return match.group(1)


@pytest.fixture
def second_office(county):
    return UserFactory(username="office2", org_unit=county, role=Role.OFFICE)


def test_task_edit(client_for, office_user, second_office, county, township_a_unit, township_b_unit):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="原任务", lead_unit=None)
    url = reverse("tasks:task_edit", args=[task.pk])
    first, second = client_for(office_user), client_for(second_office)
    v1, v2 = loaded_version(first.get(url)), loaded_version(second.get(url))
    saved = first.post(url, {"title": "甲的修改", "lead_unit": township_a_unit.pk, "version": v1})
    assert saved.status_code == 302
    refused = second.post(url, {"title": "乙的修改", "lead_unit": township_b_unit.pk, "version": v2})
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.context["form"].non_field_errors()
    task.refresh_from_db()
    assert (task.title, task.lead_unit) == ("甲的修改", township_a_unit)
    assert task.history.count() == 2  # created, then A's save
    assert not Notification.objects.filter(recipient__org_unit=township_b_unit).exists()


def test_dual_list_assign_no_notice_for_a_replaced_assignment(
    client_for, office_user, second_office, county, township_a_unit, township_b_unit, troop_unit
):
    item = DualListItemFactory(year=2027, troop_unit=troop_unit, created_by=office_user)
    UserFactory(org_unit=township_a_unit, role=Role.TOWNSHIP_STAFF)
    UserFactory(org_unit=township_b_unit, role=Role.TOWNSHIP_STAFF)
    page = reverse("tasks:dual_item_detail", args=[item.pk])
    url = reverse("tasks:dual_item_action", args=[item.pk, "assign"])
    first, second = client_for(office_user), client_for(second_office)
    v1, v2 = loaded_version(first.get(page)), loaded_version(second.get(page))
    assert first.post(url, {"responsible_unit": township_a_unit.pk, "version": v1}).status_code == 302
    refused = second.post(url, {"responsible_unit": township_b_unit.pk, "version": v2}, follow=True)
    assert STALE_MESSAGE in refused.content.decode()
    item.refresh_from_db()
    assert (item.responsible_unit, item.state) == (township_a_unit, DualListState.ASSIGNED)
    assert item.transitions.count() == 1
    assert Notification.objects.filter(recipient__org_unit=township_a_unit).count() == 1
    assert not Notification.objects.filter(recipient__org_unit=township_b_unit).exists()


def test_difficulty_resolution(client_for, township_a, village_a1):
    colleague = UserFactory(org_unit=township_a.org_unit, role=Role.TOWNSHIP_STAFF)
    person = BeneficiaryFactory(org_unit=village_a1)
    difficulty = Difficulty.objects.create(
        beneficiary=person, kind=DifficultyKind.MEDICAL, description="看病难", raised_on=dt.date(2027, 1, 5)
    )
    page = reverse("visits:beneficiary_detail", args=[person.pk])
    url = reverse("visits:difficulty_update", args=[difficulty.pk])
    first, second = client_for(township_a), client_for(colleague)
    v1, v2 = loaded_version(first.get(page)), loaded_version(second.get(page))
    assert first.post(url, {"state": "resolved", "resolution": "已协调住院", "version": v1}).status_code == 302
    refused = second.post(url, {"state": "open", "resolution": "", "version": v2}, follow=True)
    assert STALE_MESSAGE in refused.content.decode()
    difficulty.refresh_from_db()
    assert (difficulty.state, difficulty.resolution) == ("resolved", "已协调住院")
    assert difficulty.history.count() == 2


def test_unit_contact_details(client_for, township_a, office_user, township_a_unit):
    url = reverse("unit_contact_edit", args=[township_a_unit.pk])
    first, second = client_for(township_a), client_for(office_user)
    v1, v2 = loaded_version(first.get(url)), loaded_version(second.get(url))
    saved = first.post(url, {"contact_person": "李强", "contact_phone": "023-45678901", "version": v1})
    assert saved.status_code == 302
    refused = second.post(url, {"contact_person": "王芳", "contact_phone": "023-45678902", "version": v2})
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.context["form"].non_field_errors()
    township_a_unit.refresh_from_db()
    assert (township_a_unit.contact_person, township_a_unit.contact_phone) == ("李强", "023-45678901")


def test_campaign_edit(client_for, office_user, second_office, county, township_a_unit):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    url = reverse("visits:campaign_edit", args=[campaign.pk])
    first, second = client_for(office_user), client_for(second_office)
    v1, v2 = loaded_version(first.get(url)), loaded_version(second.get(url))

    def data(title, version):
        return {
            "year": campaign.year,
            "kind": campaign.kind,
            "title": title,
            "visit_start": campaign.visit_start,
            "visit_end": campaign.visit_end,
            "return_deadline": campaign.return_deadline,
            "expected_units": [township_a_unit.pk],
            "version": version,
        }

    assert first.post(url, data("甲的名称", v1)).status_code == 302
    refused = second.post(url, data("乙的名称", v2))
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.context["form"].non_field_errors()
    assert Campaign.objects.get().title == "甲的名称"


def test_dual_list_category(client_for, office_user, second_office):
    category = DualListCategoryFactory(name="演训保障", owner_unit=office_user.org_unit)
    url = reverse("tasks:dual_category_edit", args=[category.pk])
    first, second = client_for(office_user), client_for(second_office)
    v1, v2 = loaded_version(first.get(url)), loaded_version(second.get(url))
    assert (
        first.post(url, {"name": "演训保障（甲）", "sort_order": 1, "is_active": "on", "version": v1}).status_code
        == 302
    )
    refused = second.post(url, {"name": "演训保障（乙）", "sort_order": 2, "is_active": "on", "version": v2})
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.context["form"].non_field_errors()
    assert DualListCategory.objects.get().name == "演训保障（甲）"


def test_a_post_without_a_version_is_refused(client_for, office_user, township_a_unit):
    url = reverse("unit_contact_edit", args=[township_a_unit.pk])
    response = client_for(office_user).post(url, {"contact_person": "无版本", "contact_phone": ""})
    assert STALE_MESSAGE in response.context["form"].non_field_errors()
    assert OrgUnit.objects.get(pk=township_a_unit.pk).contact_person != "无版本"
