"""Assigning a task: 配合单位 are checkboxes grouped by kind of unit (no Ctrl-click) with a
search box from a static file, and a deadline before today is warned about before it is saved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(county, office_user):
    return TaskFactory(
        plan__owner_unit=county,
        plan__created_by=office_user,
        title="全力服务部队练兵备战",
        deadline=dt.date(2022, 12, 31),
    )


def _post(client, task, **data):
    task.refresh_from_db()  # the version the page would show now (optimistic locking)
    data = {"title": task.title, "text": "", "version": task.version, **data}
    return client.post(reverse("tasks:task_edit", args=[task.pk]), data)


@time_machine.travel(TODAY, tick=False)
def test_cooperating_units_are_checkboxes_grouped_by_kind(
    client_for, task, office_user, township_a_unit, township_b_unit, member_unit, troop_unit
):
    client = client_for(office_user)
    html = client.get(reverse("tasks:task_edit", args=[task.pk])).content.decode()
    picker = html.split("data-unit-picker")[1].split("</details>")[0]
    assert "<select" not in picker and 'type="search"' in picker and "js/unit_picker.js" in html
    legends = [part.split("</legend>")[0] for part in picker.split('<legend class="small fw-semibold mb-1">')[1:]]
    assert legends == ["县（区）双拥办", "乡镇、街道", "成员单位", "驻地部队"]
    townships = picker.split("乡镇、街道</legend>")[1].split("</fieldset>")[0]
    assert township_a_unit.name in townships and township_b_unit.name in townships
    assert member_unit.name in picker.split("成员单位</legend>")[1].split("</fieldset>")[0]

    response = _post(
        client,
        task,
        lead_unit=township_a_unit.pk,
        cooperating_units=[township_b_unit.pk, member_unit.pk],
        deadline="2022-12-31",
    )
    assert response.status_code == 302
    assert set(task.cooperating_units.all()) == {township_b_unit, member_unit}
    html = client.get(reverse("tasks:task_edit", args=[task.pk])).content.decode()
    assert f'value="{member_unit.pk}" id="id_cooperating_units_' in html
    assert "已选 <span data-unit-count>2</span> 个" in html


@time_machine.travel(TODAY, tick=False)
def test_a_deadline_in_the_past_is_warned_about_before_saving(client_for, task, office_user, township_a_unit):
    client = client_for(office_user)
    before = task.deadline
    response = _post(client, task, lead_unit=township_a_unit.pk, deadline="2022-08-15")
    assert response.status_code == 200
    errors = response.content.decode().split('data-field="deadline"')[1].split("</ul>")[0]
    assert "完成时限 2022-08-15 早于今天（2022-09-01）" in errors
    assert 'type="checkbox" name="past_deadline_ok"' in response.content.decode()
    task.refresh_from_db()
    assert task.deadline == before and task.lead_unit is None  # nothing saved
    # Confirmed: saved.
    response = _post(client, task, lead_unit=township_a_unit.pk, deadline="2022-08-15", past_deadline_ok="on")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2022, 8, 15)
    # An unchanged past deadline is not asked about again; a future one never is.
    assert _post(client, task, lead_unit=township_a_unit.pk, deadline="2022-08-15").status_code == 302
    assert _post(client, task, lead_unit=township_a_unit.pk, deadline="2022-10-01").status_code == 302
