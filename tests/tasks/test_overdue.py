"""逾期 is derived from the deadline in Asia/Shanghai: it flips when the day passes (time frozen)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tasks.models import DualListState, Task, TaskStatus
from tasks.selectors import overdue_dual_list_items_for, overdue_tasks_for
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2022-06-30 23:30 in Shanghai is still the deadline day; 00:30 the next day it is late.
LAST_EVENING = dt.datetime(2022, 6, 30, 23, 30, tzinfo=SHANGHAI)
NEXT_MORNING = dt.datetime(2022, 7, 1, 0, 30, tzinfo=SHANGHAI)


@pytest.fixture
def task(county, township_a_unit, office_user):
    return TaskFactory(
        plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit, deadline=dt.date(2022, 6, 30)
    )


def test_task_flips_to_overdue_after_the_deadline_day(task, office_user):
    with time_machine.travel(LAST_EVENING, tick=False):
        assert not task.is_overdue and task.display_status == TaskStatus.NOT_STARTED
        assert not overdue_tasks_for(office_user).exists()
        assert Task.objects.with_board_status().get().board_status == TaskStatus.NOT_STARTED
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert task.is_overdue and task.display_status_label == "逾期"
        assert list(overdue_tasks_for(office_user)) == [task]
        assert Task.objects.with_board_status().get().board_status == TaskStatus.OVERDUE
        assert list(Task.objects.with_status(TaskStatus.OVERDUE)) == [task]
        assert not Task.objects.with_status(TaskStatus.NOT_STARTED).exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED  # never stored


def test_done_task_is_never_overdue(task, office_user):
    task.status = TaskStatus.DONE
    task.save()
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert not task.is_overdue and not overdue_tasks_for(office_user).exists()


def test_overdue_task_is_not_visible_to_other_township(task, township_b, township_a):
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert list(overdue_tasks_for(township_a)) == [task]
        assert not overdue_tasks_for(township_b).exists()


def test_dual_list_item_flips_to_overdue(troop_unit, troop_liaison):
    item = DualListItemFactory(troop_unit=troop_unit, deadline=dt.date(2022, 6, 30), state=DualListState.ASSIGNED)
    with time_machine.travel(LAST_EVENING, tick=False):
        assert not item.is_overdue and not overdue_dual_list_items_for(troop_liaison).exists()
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert item.is_overdue and list(overdue_dual_list_items_for(troop_liaison)) == [item]
        item.state = DualListState.CLOSED
        item.save()
        assert not overdue_dual_list_items_for(troop_liaison).exists()
