"""Dates out of range typed into the task and 双清单 forms (0001-01-01, 9999-12-31, one day
outside 2000-01-01 … 2099-12-31): refused at the field in Chinese through the view, nothing saved.
The last day inside the range is accepted, so the refusals are about the bound."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from tasks.models import DualListItem, DualListState, ExtensionRequest, Milestone, ProgressReport, Task, WorkPlan
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.tasks.test_plan_import import SEED_000, _form_data

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "日期超出合理范围（2000-01-01 至 2099-12-31）。"
BAD_DATES = ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"]


@pytest.fixture
def task(county, township_a_unit, office_user):
    return TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        title="全力服务部队练兵备战",
        lead_unit=township_a_unit,
        deadline=dt.date(2027, 6, 30),
    )


@pytest.fixture
def item(office_user, troop_unit):
    return DualListItemFactory(
        year=2027, content="协调营区供水", troop_unit=troop_unit, state=DualListState.PROPOSED, created_by=office_user
    )


def field_error(page: str, field: str) -> str:
    marker = f'data-field="{field}"'
    assert marker in page, f"no error at {field}"
    return html.unescape(page.split(marker, 1)[1].split("</ul>", 1)[0])


def flashed(client, response) -> str:
    """The task and 双清单 actions redirect to the page and report errors as messages there."""
    assert response.status_code == 302
    return html.unescape(client.get(response.url).content.decode())


def task_row(task: Task) -> tuple:
    return Task.objects.filter(pk=task.pk).values_list("title", "deadline", "lead_unit_id").get()


@pytest.mark.parametrize("bad", BAD_DATES)
def test_task_edit_refuses_a_deadline_out_of_range(client_for, office_user, task, township_a_unit, bad):
    before = task_row(task)
    data = {"title": "改过的标题", "text": "", "deadline": bad, "lead_unit": township_a_unit.pk}
    response = client_for(office_user).post(reverse("tasks:task_edit", args=[task.pk]), data)
    assert response.status_code == 200
    assert OUT_OF_RANGE in field_error(response.content.decode(), "deadline")
    assert task_row(task) == before


def test_task_edit_accepts_the_last_day_in_range(client_for, office_user, task, township_a_unit):
    data = {"title": "改过的标题", "text": "", "deadline": "2099-12-31", "lead_unit": township_a_unit.pk, "version": 1}
    assert client_for(office_user).post(reverse("tasks:task_edit", args=[task.pk]), data).status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2099, 12, 31)


@pytest.mark.parametrize("bad", BAD_DATES)
def test_extension_request_refuses_a_date_out_of_range(client_for, township_a, task, bad):
    client = client_for(township_a)
    response = client.post(
        reverse("tasks:extension_request", args=[task.pk]), {"requested_deadline": bad, "reason": "汛期"}
    )
    assert f"申请延期至：{OUT_OF_RANGE}" in flashed(client, response)
    assert not ExtensionRequest.objects.exists()


def test_extension_request_accepts_the_last_day_in_range(client_for, township_a, task):
    client = client_for(township_a)
    client.post(reverse("tasks:extension_request", args=[task.pk]), {"requested_deadline": "2099-12-31", "reason": "x"})
    assert ExtensionRequest.objects.get().requested_deadline == dt.date(2099, 12, 31)


@pytest.mark.parametrize("bad", BAD_DATES)
def test_milestone_refuses_a_deadline_out_of_range(client_for, office_user, task, bad):
    client = client_for(office_user)
    response = client.post(reverse("tasks:milestone_create", args=[task.pk]), {"title": "完成方案", "deadline": bad})
    assert f"节点时限：{OUT_OF_RANGE}" in flashed(client, response)
    assert not Milestone.objects.exists()


def test_milestone_accepts_the_first_day_in_range(client_for, office_user, task):
    client = client_for(office_user)
    client.post(reverse("tasks:milestone_create", args=[task.pk]), {"title": "完成方案", "deadline": "2000-01-01"})
    assert Milestone.objects.get().deadline == dt.date(2000, 1, 1)


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31"])
def test_progress_report_refuses_a_date_out_of_range(client_for, township_a, task, bad):
    client = client_for(township_a)
    response = client.post(reverse("tasks:progress_create", args=[task.pk]), {"report_date": bad, "text": "已推进"})
    assert f"进展日期：{OUT_OF_RANGE}" in flashed(client, response)
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("bad", BAD_DATES)
def test_dual_list_item_form_refuses_a_deadline_out_of_range(client_for, office_user, troop_unit, bad):
    data = {
        "year": 2027,
        "direction": "to_troops",
        "content": "协调营区供水",
        "troop_unit": troop_unit.pk,
        "proposing_side": "troops",
        "deadline": bad,
    }
    response = client_for(office_user).post(reverse("tasks:dual_item_create"), data)
    assert response.status_code == 200
    assert OUT_OF_RANGE in field_error(response.content.decode(), "deadline")
    assert not DualListItem.objects.exists()


def test_dual_list_item_form_accepts_the_last_day_in_range(client_for, office_user, troop_unit):
    data = {
        "year": 2027,
        "direction": "to_troops",
        "content": "协调营区供水",
        "troop_unit": troop_unit.pk,
        "proposing_side": "troops",
        "deadline": "2099-12-31",
    }
    assert client_for(office_user).post(reverse("tasks:dual_item_create"), data).status_code == 302
    assert DualListItem.objects.get().deadline == dt.date(2099, 12, 31)


@pytest.mark.parametrize("bad", BAD_DATES)
def test_assign_refuses_a_deadline_out_of_range(client_for, office_user, item, township_a_unit, bad):
    client = client_for(office_user)
    response = client.post(
        reverse("tasks:dual_item_action", args=[item.pk, "assign"]),
        {"responsible_unit": township_a_unit.pk, "deadline": bad},
    )
    assert f"时限：{OUT_OF_RANGE}" in flashed(client, response)
    item.refresh_from_db()
    assert item.state == DualListState.PROPOSED and item.responsible_unit is None
    assert item.deadline == dt.date(2022, 10, 31)


def test_assign_accepts_the_last_day_in_range(client_for, office_user, item, township_a_unit):
    client_for(office_user).post(
        reverse("tasks:dual_item_action", args=[item.pk, "assign"]),
        {"responsible_unit": township_a_unit.pk, "deadline": "2099-12-31", "version": item.version},
    )
    item.refresh_from_db()
    assert item.state == DualListState.ASSIGNED and item.deadline == dt.date(2099, 12, 31)


@pytest.mark.parametrize("field", ["issue_date", "default_deadline", "items-0-deadline"])
def test_notice_import_refuses_a_date_out_of_range(client_for, office_user, field):
    client = client_for(office_user)
    data = _form_data(client.post(reverse("tasks:plan_import"), {"text": SEED_000}).content.decode())
    data[field] = "9999-12-31"
    response = client.post(reverse("tasks:plan_import_save"), data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "导入未保存" in page and OUT_OF_RANGE in page
    assert not WorkPlan.objects.exists() and not Task.objects.exists()


def test_the_date_pickers_offer_the_same_range(client_for, office_user, task):
    page = client_for(office_user).get(reverse("tasks:task_edit", args=[task.pk])).content.decode()
    assert 'name="deadline" value="2027-06-30" min="2000-01-01" max="2099-12-31"' in page
