"""A reminder source defined here, so the framework is tested without the real sources.

The "items" are work-point tasks (any model with a deadline and a unit works: a spec names a
queryset and the fields); each entry is one task with a deadline, a lead unit and a label, and
changing an entry (closing it, moving its deadline) saves the task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shuangyong import reminders
from shuangyong.models import OrgUnit
from shuangyong.reminders import DeadlineSpec, ItemText, ReminderSource
from tasks.models import Task, TaskStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2026, 12, 10)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """A moment on ``day`` in Asia/Shanghai (09:00: after the digest hour)."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


class Entry:
    """One reminded item (a task); setting ``open`` or ``deadline`` saves it."""

    def __init__(self, task: Task) -> None:
        self.obj = task

    @property
    def url(self) -> str:
        return f"/tasks/{self.obj.pk}/"

    @property
    def open(self) -> bool:
        return self.obj.status != TaskStatus.DONE

    @open.setter
    def open(self, value: bool) -> None:
        self.obj.status = TaskStatus.NOT_STARTED if value else TaskStatus.DONE
        self.obj.save()

    @property
    def deadline(self) -> dt.date | None:
        return self.obj.deadline

    @deadline.setter
    def deadline(self, value: dt.date) -> None:
        self.obj.deadline = value
        self.obj.save()


@dataclass
class ListSource(ReminderSource):
    """Reminds the tasks added with ``add``; ``remind_overdue``/``escalate`` are its spec's flags."""

    name: str = "test-list"
    kind: str = "测试事项"
    remind_overdue: bool = True
    escalate: bool = True
    entries: list[Entry] = field(default_factory=list)
    plan: object = None

    def add(self, *, unit: OrgUnit, deadline: dt.date = DEADLINE, label: str = "", obj: object = None) -> Entry:
        from tests.tasks.factories import TaskFactory, WorkPlanFactory

        if self.plan is None:
            self.plan = WorkPlanFactory(year=deadline.year)
        n = len(self.entries) + 1
        task = TaskFactory(
            plan=self.plan, number="", title=label or f"测试事项“第{n}项”", lead_unit=unit, deadline=deadline
        )
        entry = Entry(task)
        self.entries.append(entry)
        return entry

    def rows(self, today: dt.date):
        return Task.objects.filter(pk__in=[e.obj.pk for e in self.entries]).exclude(status=TaskStatus.DONE)

    def describe(self, ids):
        rows = Task.objects.filter(pk__in=ids).values_list("pk", "title", "lead_unit_id", "lead_unit__name")
        return {(pk, unit): ItemText(title, f"/tasks/{pk}/", name) for pk, title, unit, name in rows}

    def deadline_specs(self):
        return (
            DeadlineSpec(
                kind=self.kind,
                model=Task,
                rows=self.rows,
                describe=self.describe,
                unit_field="lead_unit",
                remind_overdue=self.remind_overdue,
                escalate=self.escalate,
            ),
        )


@pytest.fixture
def source(monkeypatch) -> ListSource:
    """The only registered source for the test (tasks/ and visits/ sources are set aside)."""
    src = ListSource()
    monkeypatch.setattr(reminders, "_sources", {src.name: src})
    return src


@pytest.fixture
def travel():
    """travel(moment): freeze the clock there (not ticking) until the test ends or the next call."""
    current: list[time_machine.travel] = []

    def _go(moment: dt.datetime) -> None:
        if current:
            current.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        current.append(traveller)

    yield _go
    if current:
        current.pop().stop()


from tests.levels_fixtures import *  # noqa: E402, F403 (a city above the county: issue 15)
