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
    # Two tasks without a lead unit: counted under 未指定牵头单位.
    TaskFactory(plan=plan, lead_unit=None, status=TaskStatus.NOT_STARTED, deadline=december)
    TaskFactory(plan=plan, lead_unit=None, status=TaskStatus.DONE, deadline=june)
    # Last year's plan: a task finished in 2026 is not in 2027's report; one still open is (open
    # during 2027, and overdue).
    last_plan = WorkPlanFactory(owner_unit=county, year=2026, created_by=office_user)
    TaskFactory(
        plan=last_plan,
        lead_unit=township_b_unit,
        status=TaskStatus.DONE,
        deadline=dt.date(2026, 10, 1),
        completed_at=dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI),
    )
    TaskFactory(plan=last_plan, lead_unit=township_b_unit, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 12, 1))
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
    total_row = ws.max_row - 1  # the 填表说明 line follows
    rows = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in range(4, total_row)}
    # The year's tasks: this year's plan, and last year's still open during it.
    in_year = [
        t for t in Task.objects.all() if t.plan.year == 2027 or (t.status != TaskStatus.DONE and t.plan.year < 2027)
    ]
    for unit, name in ((township_a_unit, "巴川街道"), (township_b_unit, "东城街道"), (None, "未指定牵头单位")):
        tasks = [t for t in in_year if t.lead_unit == unit]
        done = sum(t.status == TaskStatus.DONE for t in tasks)
        late = sum(t.status != TaskStatus.DONE and t.deadline < today for t in tasks)
        assert rows[name][2:] == [len(tasks), done, late, pytest.approx(done / len(tasks))]
    assert rows["巴川街道"][2:5] == [4, 2, 1] and rows["东城街道"][2:5] == [2, 0, 2]
    assert rows["未指定牵头单位"][2:5] == [2, 1, 0] and list(rows)[-1] == "未指定牵头单位"
    assert ws.cell(row=4, column=6).number_format == "0.0%"
    total = [c.value for c in ws[total_row]]
    # Totals = the number of the year's tasks, those without a lead unit included.
    assert total[0] == "合计" and total[2:] == [len(in_year), 3, 3, pytest.approx(3 / 8)] and len(in_year) == 8
    assert total[1] == "2 个单位"
    assert ws[f"A{total_row + 1}"].value.startswith("填表说明：统计2027年的任务")

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
