"""Every field a user can meet (forms, change logs, exports) is named in Chinese: the change log
showed `submitted by：— → 李强` because Return.submitted_by had no verbose name."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("app_label", ["tasks", "visits", "evaluation"])
def test_every_field_of_the_domain_apps_has_a_chinese_label(app_label):
    english = [
        f"{model.__name__}.{f.name}: {f.verbose_name}"
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical")
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and not f.auto_created and not CJK.search(str(f.verbose_name))
    ]
    assert english == []


@pytest.mark.django_db
def test_the_return_change_log_names_the_submitter_in_chinese(client_for, township_a, office_user, county):
    from django.urls import reverse

    from tests.visits.factories import CampaignFactory, VisitRecordFactory

    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a.org_unit])
    VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    url = reverse("visits:return_submit", args=[campaign.pk, township_a.org_unit_id])
    client_for(township_a).post(url, {"summary": "已走访。", "confirmed": "True"})
    page = client_for(office_user).get(reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit_id]))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "提交人" in history and "submitted by" not in history


@pytest.mark.django_db
def test_the_header_names_the_demo_leader_once(client):
    """The header shows name（role）: a demo name with its role or unit in brackets read
    张书记（领导）（领导）."""
    from django.urls import reverse

    from shuangyong.demo import seed_core
    from shuangyong.models import User

    seed_core()
    assert not User.objects.filter(full_name__contains="（").exists()
    client.force_login(User.objects.get(username="leader"))
    html = client.get(reverse("home")).content.decode()
    assert "张书记（领导）" in html and "（领导）（领导）" not in html
