"""A reminder source defined here, so the framework is tested without tasks/ or visits/.

The "items" are OrgUnit rows used as stand-in objects (any model works: the claim keys on
content type + primary key); each has a deadline and the unit that must act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shuangyong import reminders
from shuangyong.models import OrgUnit
from shuangyong.reminders import DeadlineItem, ReminderSource

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2026, 12, 10)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """A moment on ``day`` in Asia/Shanghai (09:00: after the digest hour)."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


@dataclass
class Entry:
    obj: OrgUnit
    unit: OrgUnit
    deadline: dt.date
    label: str
    remind_overdue: bool = True
    escalate: bool = True
    open: bool = True


@dataclass
class ListSource(ReminderSource):
    """Reminds the entries of a list; ``queries`` counts calls to prove set-based use."""

    name: str = "test-list"
    entries: list[Entry] = field(default_factory=list)

    def add(self, *, obj: OrgUnit, unit: OrgUnit, deadline: dt.date = DEADLINE, label: str = "", **kw) -> Entry:
        entry = Entry(obj=obj, unit=unit, deadline=deadline, label=label or f"测试事项“{obj.name}”", **kw)
        self.entries.append(entry)
        return entry

    def deadline_items(self, *, today: dt.date, until: dt.date):
        return [
            DeadlineItem(
                obj=e.obj,
                label=e.label,
                deadline=e.deadline,
                unit=e.unit,
                url_name="unit_detail",
                url_args=(e.obj.pk,),
                remind_overdue=e.remind_overdue,
                escalate=e.escalate,
            )
            for e in self.entries
            if e.open and e.deadline <= until
        ]


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
