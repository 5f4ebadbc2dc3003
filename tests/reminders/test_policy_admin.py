"""The office edits the reminder thresholds and the beat schedule in the admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from shuangyong.models import ReminderPolicy, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, county):
    admin = UserFactory(org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def policy_form(**changes) -> dict:
    data = {
        "days_before": "7,3,1",
        "remind_on_due_day": "on",
        "remind_overdue": "on",
        "escalate_after_days": "3",
        "close_confirm_after_days": "3",
        "digest_hour": "8",
        "retry_after_minutes": "10",
    }
    data.update(changes)
    return data


def test_the_office_changes_the_thresholds_in_the_admin(admin_client):
    policy = ReminderPolicy.load()
    url = reverse("admin:shuangyong_reminderpolicy_change", args=[policy.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, policy_form(days_before="10,5,2", escalate_after_days="5"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.days_before_list == [10, 5, 2] and policy.escalate_after_days == 5
    assert policy.history.count() == 2  # created, then changed: who and when is kept


def test_a_bad_list_of_days_is_refused_at_the_field(admin_client):
    policy = ReminderPolicy.load()
    url = reverse("admin:shuangyong_reminderpolicy_change", args=[policy.pk])
    response = admin_client.post(url, policy_form(days_before="七天"))
    assert response.status_code == 200
    assert "逗号分隔" in response.content.decode()
    policy.refresh_from_db()
    assert policy.days_before == "7,3,1"


def test_an_office_gets_its_own_policy_and_the_default_stays_one(admin_client, county, township_a_unit, member_unit):
    default = ReminderPolicy.load()
    url = reverse("admin:shuangyong_reminderpolicy_add")
    page = admin_client.get(url).content.decode()
    assert "所属双拥办" in page and "不填为全站默认设置" in page
    assert admin_client.post(url, policy_form(owner_unit=str(county.pk), days_before="10")).status_code == 302
    assert ReminderPolicy.objects.get(owner_unit=county).days_before_list == [10]
    refused = admin_client.post(url, policy_form(days_before="5"))  # a second site default
    assert "全站默认设置已有一份" in refused.content.decode()
    refused = admin_client.post(url, policy_form(owner_unit=str(member_unit.pk)))  # no office of its own
    assert "只能为双拥办" in refused.content.decode()
    refused = admin_client.post(url, policy_form(owner_unit=str(county.pk)))  # one per office
    assert refused.status_code == 200 and ReminderPolicy.objects.count() == 2
    delete = reverse("admin:shuangyong_reminderpolicy_delete", args=[default.pk])
    assert admin_client.get(delete).status_code == 403


def test_the_beat_schedule_is_listed_in_the_admin(admin_client):
    call_command("setup_schedules")
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "到期提醒扫描" in page and "每日逾期汇总" in page
