"""The shared history panel (shuangyong/history.py + shuangyong/_history.html) on tasks and visits pages:
old → new values by field name, identity numbers masked, a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangyong.history import history_entries
from tests.tasks.factories import TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, valid_id_number
from visits.history import BENEFICIARY_FIELDS
from visits.models import Beneficiary
from visits.validators import mask_id_number

pytestmark = pytest.mark.django_db


def history_html(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('data-testid="history"')[1].split("</table>")[0]


def test_identity_number_change_is_shown_masked_old_and_new(client_for, township_a, township_a_unit):
    old_number, new_number = valid_id_number(), valid_id_number()
    person = BeneficiaryFactory(org_unit=township_a_unit, id_number=old_number)
    client = client_for(township_a)
    response = client.post(
        reverse("visits:beneficiary_edit", kwargs={"pk": person.pk}),
        {
            "name": person.name,
            "category": person.category_id,
            "id_number": new_number,
            "phone": person.phone,
            "address": person.address,
            "org_unit": township_a_unit.pk,
            "notes": "",
            "version": person.version,
        },
    )
    assert response.status_code == 302
    history = history_html(client.get(reverse("visits:beneficiary_detail", kwargs={"pk": person.pk})))
    assert f"身份证号：</span>{mask_id_number(old_number)} → {mask_id_number(new_number)}" in history
    assert old_number not in history and new_number not in history


def test_task_page_shows_old_and_new_values_through_the_shared_panel(client_for, office_user, county, township_a_unit):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="旧标题", lead_unit=township_a_unit)
    task.title = "新标题"
    task.save()
    history = history_html(client_for(office_user).get(reverse("tasks:task_detail", kwargs={"pk": task.pk})))
    assert "旧标题 → 新标题" in history and "修改" in history


def test_campaign_page_shows_old_and_new_values(client_for, office_user, county):
    campaign = CampaignFactory(owner_unit=county, title="春节走访")
    campaign.title = "春节走访慰问"
    campaign.save()
    history = history_html(client_for(office_user).get(reverse("visits:campaign_detail", kwargs={"pk": campaign.pk})))
    assert "名称：</span>春节走访 → 春节走访慰问" in history


@pytest.mark.parametrize("saves", [1, 30])
def test_entries_cost_a_fixed_number_of_queries(django_assert_num_queries, township_a_unit, saves):
    person = BeneficiaryFactory(org_unit=township_a_unit, phone="0")
    for n in range(saves):
        person.phone = str(n + 1)
        person.save()
    # the historical rows with their users, the categories, the units
    with django_assert_num_queries(3):
        entries = history_entries(person.history.all(), Beneficiary, BENEFICIARY_FIELDS, limit=20)
    assert len(entries) == min(saves + 1, 20)


def test_limit_keeps_the_newest_entries_with_their_old_values(township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit, phone="0")
    for n in range(1, 26):
        person.phone = str(n)
        person.save()
    entries = history_entries(person.history.all(), Beneficiary, BENEFICIARY_FIELDS, limit=20)
    assert [(c.old, c.new) for c in entries[0].changes] == [("24", "25")]
    assert [(c.old, c.new) for c in entries[-1].changes] == [("5", "6")]  # not shown as a creation
    assert all(e.action == "修改" for e in entries)


def test_saves_that_change_no_shown_field_are_left_out(township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit)
    person.save()  # nothing changed
    entries = history_entries(person.history.all(), Beneficiary, BENEFICIARY_FIELDS)
    assert [e.action for e in entries] == ["创建"]
    assert "姓名" in [c.label for c in entries[0].changes]
