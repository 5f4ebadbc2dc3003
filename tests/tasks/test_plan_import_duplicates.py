"""Pasting the same notice again is detected (same 文号, or same title and year): the preview
offers to open the existing plan, and saving a second copy needs an explicit "not a duplicate"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tasks.models import WorkPlan
from tests.tasks.factories import WorkPlanFactory
from tests.tasks.test_plan_import import SEED_000, _form_data

pytestmark = pytest.mark.django_db


def _import(client, text: str = SEED_000) -> str:
    return client.post(reverse("tasks:plan_import"), {"text": text}).content.decode()


def test_a_second_import_of_the_same_notice_is_detected(client_for, office_user):
    client = client_for(office_user)
    first = _import(client)
    assert 'data-testid="duplicate-notice"' not in first
    assert client.post(reverse("tasks:plan_import_save"), _form_data(first)).status_code == 302
    plan = WorkPlan.objects.get()

    second = _import(client)
    warning = second.split('data-testid="duplicate-notice"')[1].split("</div>")[0]
    assert (
        reverse("tasks:plan_detail", args=[plan.pk]) in warning and "打开已有的《2022年丰都县双拥工作要点》" in warning
    )
    # Saving anyway is refused, with the reason and the link; nothing is saved.
    response = client.post(reverse("tasks:plan_import_save"), _form_data(second))
    assert response.status_code == 200
    assert "这份通知已经导入过：《2022年丰都县双拥工作要点》" in response.content.decode()
    assert WorkPlan.objects.count() == 1
    # The office says it is another notice: then it is saved.
    data = {**_form_data(second), "allow_duplicate": "on"}
    assert client.post(reverse("tasks:plan_import_save"), data).status_code == 302
    assert WorkPlan.objects.count() == 2


def test_same_title_and_year_or_same_doc_number_count_as_the_same_notice(client_for, office_user, county):
    client = client_for(office_user)
    data = _form_data(_import(client))
    WorkPlanFactory(owner_unit=county, created_by=office_user, year=2022, title=data["title"], doc_number="")
    assert 'data-testid="duplicate-notice"' in _import(client)

    # The same 文号 under another title (the title was retyped) is the same notice.
    WorkPlan.objects.all().delete()
    WorkPlanFactory(
        owner_unit=county, created_by=office_user, year=2022, title="另一个标题", doc_number="丰拥办发〔2022〕3号"
    )
    with_number = SEED_000.replace("的通知\n", "的通知\n丰拥办发〔2022〕3号\n", 1)
    assert _form_data(_import(client, with_number))["doc_number"] == "丰拥办发〔2022〕3号"
    assert 'data-testid="duplicate-notice"' in _import(client, with_number)

    WorkPlan.objects.all().delete()
    WorkPlanFactory(
        owner_unit=county, created_by=office_user, year=2021, title=data["title"], doc_number="X〔2021〕1号"
    )
    assert 'data-testid="duplicate-notice"' not in _import(client)  # same title, another year and number
