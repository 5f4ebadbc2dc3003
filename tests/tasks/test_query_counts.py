"""Detail pages cost a fixed number of queries, however many reports, files and history rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tasks.services import progress_report_create
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.tasks.helpers import pdf

pytestmark = pytest.mark.django_db


def test_task_detail_query_count_is_fixed(
    client_for, county, township_a_unit, member_unit, township_a, office_user, django_assert_max_num_queries
):
    task = TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        lead_unit=township_a_unit,
        cooperating_units=[member_unit],
        deadline=dt.date(2099, 1, 1),
    )
    client = client_for(office_user)
    url = reverse("tasks:task_detail", args=[task.pk])
    progress_report_create(user=township_a, task=task, report_date=dt.date(2022, 6, 1), text="一", files=[pdf()])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        progress_report_create(
            user=township_a,
            task=task,
            report_date=dt.date(2022, 6, 2),
            text=f"进展{i}",
            files=[pdf(f"{i}.pdf"), pdf(f"{i}b.pdf")],
        )
        task.title = f"标题{i}"
        task.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_dual_item_detail_query_count_is_fixed(
    client_for, troop_unit, township_a_unit, office_user, django_assert_max_num_queries
):
    item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state="assigned")
    client = client_for(office_user)
    url = reverse("tasks:dual_item_detail", args=[item.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(6):
        item.content = f"内容{i}"
        item.save()
        item.transitions.create(action="note", from_state="assigned", to_state="assigned", user=office_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
