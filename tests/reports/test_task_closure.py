"""The task-closure report: per lead unit and per troop/direction, numbers equal to the database."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse

from tasks.models import DualListDirection, DualListItem, DualListState, Task, TaskStatus
from tests.reports.conftest import SHANGHAI
from tests.reports.helpers import open_workbook, response_bytes
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2027, 7, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def work(county, office_user, township_a_unit, township_b_unit, troop_unit, time_machine):
    time_machine.move_to(TODAY, tick=False)
    plan = WorkPlanFactory(owner_unit=county, year=2027, created_by=office_user)
    june, december = dt.date(2027, 6, 30), dt.date(2027, 12, 31)
    for status, deadline in [
        (TaskStatus.DONE, june),
        (TaskStatus.DONE, december),
        (TaskStatus.IN_PROGRESS, june),  # overdue
        (TaskStatus.NOT_STARTED, december),
    ]:
        TaskFactory(plan=plan, lead_unit=township_a_unit, status=status, deadline=deadline)
    TaskFactory(plan=plan, lead_unit=township_b_unit, status=TaskStatus.NOT_STARTED, deadline=june)  # overdue
    # Last year's plan is not in this year's report.
    TaskFactory(plan=WorkPlanFactory(owner_unit=county, year=2026, created_by=office_user), lead_unit=township_b_unit)
    for direction, state, deadline in [
        (DualListDirection.TO_TROOPS, DualListState.CLOSED, june),
        (DualListDirection.TO_TROOPS, DualListState.IN_PROGRESS, june),  # overdue
        (DualListDirection.TO_TROOPS, DualListState.ASSIGNED, december),
        (DualListDirection.TO_LOCALITY, DualListState.CLOSED, december),
    ]:
        DualListItemFactory(
            year=2027,
            direction=direction,
            state=state,
            deadline=deadline,
            troop_unit=troop_unit,
            responsible_unit=township_a_unit,
            created_by=office_user,
        )


def test_task_closure_report_equals_the_database(client_for, leader, work, township_a_unit, township_b_unit):
    response = client_for(leader).get(reverse("reports:task_closure", args=[2027]))
    assert response.status_code == 200
    name = "2027年双拥工作任务完成情况.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    wb = open_workbook(response_bytes(response))
    assert wb.sheetnames == ["任务完成情况", "双清单销号情况"]

    ws = wb["任务完成情况"]
    assert ws["A1"].value == "2027年双拥工作要点任务完成情况"
    assert [c.value for c in ws[3]] == ["序号", "牵头单位", "任务总数", "已完成", "逾期", "完成率"]
    today = TODAY.date()
    rows = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in range(4, ws.max_row)}
    for unit in (township_a_unit, township_b_unit):
        tasks = list(Task.objects.filter(plan__year=2027, lead_unit=unit))
        done = sum(t.status == TaskStatus.DONE for t in tasks)
        late = sum(t.status != TaskStatus.DONE and t.deadline < today for t in tasks)
        assert rows[unit.name][2:] == [len(tasks), done, late, pytest.approx(done / len(tasks))]
    assert rows["巴川街道"][2:5] == [4, 2, 1] and rows["东城街道"][2:5] == [1, 0, 1]
    assert ws.cell(row=4, column=6).number_format == "0.0%"
    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "合计" and total[2:] == [5, 2, 2, pytest.approx(0.4)]

    ws = wb["双清单销号情况"]
    assert [c.value for c in ws[3]] == ["序号", "部队单位", "清单", "事项总数", "已销号", "逾期", "销号率"]
    lines = {ws.cell(row=r, column=3).value: [c.value for c in ws[r]] for r in range(4, ws.max_row)}
    for direction in DualListDirection:
        items = list(DualListItem.objects.filter(year=2027, direction=direction))
        closed = sum(i.state == DualListState.CLOSED for i in items)
        late = sum(i.state != DualListState.CLOSED and i.deadline < today for i in items)
        assert lines[direction.label][1] == "驻铜某部一营"
        assert lines[direction.label][3:6] == [len(items), closed, late]
    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "合计" and total[3:6] == [4, 2, 1]


def test_empty_year_gives_empty_sheets_with_zero_totals(client_for, office_user):
    wb = open_workbook(response_bytes(client_for(office_user).get(reverse("reports:task_closure", args=[2030]))))
    ws = wb["任务完成情况"]
    assert [c.value for c in ws[4]][:5] == ["合计", "0 个单位", 0, 0, 0]
