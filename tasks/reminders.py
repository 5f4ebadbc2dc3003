"""Reminders for work-point tasks, milestones and 双清单 items (registered in TasksConfig.ready()).

- Tasks and milestones: the lead unit's users, before, on and after the deadline.
- 双清单 items being handled (已交办/办理中): the responsible unit before and on the deadline.
- 双清单 items in 申请销号 for the policy's N days (default 3): the side(s) whose confirmation is
  still missing (tasks/dual_list_services.py: the receiving side and the office).
Overdue items are escalated to the unit's heads and listed in the office's daily summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache, partial
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from shuangyong.models import OFFICE_KINDS, OrgUnit, ReminderPolicy, Role, User
from shuangyong.notifications import absolute_url
from shuangyong.reminders import (
    DeadlineSpec,
    DueReminder,
    ItemText,
    ReminderMessage,
    ReminderPolicies,
    ReminderSource,
    chinese_date,
    register_source,
    url_maker,
)
from tasks.models import SHANGHAI, DualListDirection, DualListItem, DualListState, Milestone, Task, TaskStatus
from tasks.notifying import short_summary

CLOSE_CONFIRM = "close_confirm"
OPEN_DUAL_STATES = [DualListState.ASSIGNED, DualListState.IN_PROGRESS]


def open_tasks(today: dt.date) -> QuerySet[Task]:
    """Open tasks with a deadline and a lead unit, except those the lead unit's office has broken
    down (任务分解): its linked tasks, due no later, carry the reminders to the units that do the
    work, and the task itself shows 已完成 once they are closed (reminding the county of a task
    its page shows as done would be noise). One anti-join on the parent-task index."""
    # Only a breakdown whose tasks can be reminded themselves (a lead unit and a deadline) takes
    # over: a linked task given to no unit leaves the county reminded of the task from above.
    broken_down = Task.objects.filter(
        parent_task=OuterRef("pk"),
        plan__owner_unit=OuterRef("lead_unit"),
        lead_unit__isnull=False,
        deadline__isnull=False,
    )
    return (
        Task.objects.exclude(status=TaskStatus.DONE)
        .filter(deadline__isnull=False, lead_unit__isnull=False)
        .filter(~Exists(broken_down))
    )


def open_milestones(today: dt.date) -> QuerySet[Milestone]:
    return Milestone.objects.filter(done=False, task__lead_unit__isnull=False).exclude(task__status=TaskStatus.DONE)


def open_dual_items(today: dt.date) -> QuerySet[DualListItem]:
    return DualListItem.objects.filter(
        state__in=OPEN_DUAL_STATES, deadline__isnull=False, responsible_unit__isnull=False
    )


def task_label(number: str, title: str) -> str:
    return f"工作任务“{number}{title}”"


def describe_tasks(ids: Any) -> dict[tuple[int, int], ItemText]:
    url = url_maker("tasks:task_detail")
    rows = Task.objects.filter(pk__in=ids).values_list("pk", "number", "title", "lead_unit_id", "lead_unit__name")
    return {(pk, unit): ItemText(task_label(number, title), url(pk), name) for pk, number, title, unit, name in rows}


def describe_milestones(ids: Any) -> dict[tuple[int, int], ItemText]:
    url = url_maker("tasks:task_detail")
    rows = Milestone.objects.filter(pk__in=ids).values_list(
        "pk", "title", "task_id", "task__number", "task__title", "task__lead_unit_id", "task__lead_unit__name"
    )
    return {
        (pk, unit): ItemText(f"{task_label(number, task_title)}的节点“{title}”", url(task_id), name)
        for pk, title, task_id, number, task_title, unit, name in rows
    }


def dual_label(direction: str, content: str) -> str:
    return f"双清单（{DualListDirection(direction).label}）事项“{short_summary(content)}”"


def describe_dual_items(ids: Any) -> dict[tuple[int, int], ItemText]:
    url = url_maker("tasks:dual_item_detail")
    rows = DualListItem.objects.filter(pk__in=ids).values_list(
        "pk", "direction", "content", "responsible_unit_id", "responsible_unit__name"
    )
    return {
        (pk, unit): ItemText(dual_label(direction, content), url(pk), name)
        for pk, direction, content, unit, name in rows
    }


class TaskSource(ReminderSource):
    name = "tasks.tasks"

    def deadline_specs(self) -> Sequence[DeadlineSpec]:
        return (
            DeadlineSpec(kind="工作任务", model=Task, rows=open_tasks, describe=describe_tasks, unit_field="lead_unit"),
            DeadlineSpec(
                kind="任务节点",
                model=Milestone,
                rows=open_milestones,
                describe=describe_milestones,
                unit_field="task__lead_unit",
            ),
        )


class DualListSource(ReminderSource):
    name = "tasks.dual_list"
    other_kinds = {CLOSE_CONFIRM: "双清单销号确认"}

    def deadline_specs(self) -> Sequence[DeadlineSpec]:
        return (
            DeadlineSpec(
                kind="双清单事项",
                model=DualListItem,
                rows=open_dual_items,
                describe=describe_dual_items,
                unit_field="responsible_unit",
                remind_overdue=False,
            ),
        )

    def other_reminders(
        self, *, today: dt.date, policy: ReminderPolicy, policies: ReminderPolicies | None = None
    ) -> Iterable[DueReminder]:
        """申请销号 waiting N days: remind whoever still has to confirm (receiving side, office)."""
        # Each item waits the days of its office's policy (ReminderPolicies); the query takes the
        # shortest wait of any policy, and each item is then held to its own.
        policies = policies if policies is not None and policies.by_path else None
        days = min(p.close_confirm_after_days for p in policies.all) if policies else policy.close_confirm_after_days
        cutoff = _cutoff(today, days)
        waiting = list(
            DualListItem.objects.filter(state=DualListState.CLOSE_REQUESTED, close_requested_at__lt=cutoff)
            .select_related("troop_unit", "responsible_unit")
            .order_by("pk")
        )
        if policies is not None:
            waiting = [
                i
                for i in waiting
                if i.close_requested_at
                and i.close_requested_at < _cutoff(today, policies.for_unit(i.troop_unit).close_confirm_after_days)
            ]
        if not waiting:
            return []
        confirmers = list(
            User.objects.filter(is_active=True, role__in=[Role.OFFICE, Role.TROOP_LIAISON], org_unit__is_active=True)
            .select_related("org_unit")
            .order_by("pk")
        )
        office_units = _office_units_running([item.troop_unit for item in waiting])
        dues: list[DueReminder] = []
        for item in waiting:
            assert item.close_requested_at is not None
            requested = item.close_requested_at.astimezone(SHANGHAI).date()
            recipients = self._missing_confirmers(item, confirmers, office_units.get(item.troop_unit_id))
            message = cache(partial(self._message, item, requested=requested, today=today))
            dues.extend(
                DueReminder(item, uid, CLOSE_CONFIRM, requested, message, unit_id=item.responsible_unit_id)
                for uid in recipients
            )
        return dues

    @staticmethod
    def _missing_confirmers(item: DualListItem, confirmers: list[User], office_unit_id: int | None) -> list[int]:
        def covers(user: User, unit: OrgUnit) -> bool:
            return user.org_unit is not None and unit.path.startswith(user.org_unit.path)

        # The office that signs is the troop's own (tasks.policy.runs_dual_list_item), not every office above.
        offices = [u for u in confirmers if u.role == Role.OFFICE and u.org_unit_id == office_unit_id]
        wanted: list[User] = []
        if item.receiver_confirmed_by_id is None:
            if item.direction == DualListDirection.TO_TROOPS:
                wanted += [u for u in confirmers if u.role == Role.TROOP_LIAISON and covers(u, item.troop_unit)]
            else:
                wanted += offices
        if item.office_confirmed_by_id is None:
            wanted += offices
        already = {item.receiver_confirmed_by_id, item.office_confirmed_by_id}
        return sorted({u.pk for u in wanted if u.pk not in already})

    @staticmethod
    def _message(item: DualListItem, *, requested: dt.date, today: dt.date) -> ReminderMessage:
        waited = (today - requested).days
        label = dual_label(item.direction, item.content)
        unit = item.responsible_unit.name if item.responsible_unit else "责任单位"
        path = url_maker("tasks:dual_item_detail")(item.pk)
        link = absolute_url(path)
        title = f"{label}申请销号已{waited}天，等待您确认"
        body = (
            f"{unit}于{chinese_date(requested)}申请销号（时限"
            f"{chinese_date(item.deadline) if item.deadline else '未定'}），已等待{waited}天。"
            f"请核实办结情况后确认销号或退回。\n{link}"
        )
        return ReminderMessage(title[:200], body, path, subject=label)


def _cutoff(today: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min, tzinfo=SHANGHAI)


def _office_units_running(troops: list[OrgUnit]) -> dict[int, int]:
    """troop id → the id of its nearest office unit above, for many troops in one query."""
    ancestors = {pk for troop in troops for pk in troop.ancestor_pks()}
    offices = set(OrgUnit.objects.filter(pk__in=ancestors, kind__in=OFFICE_KINDS).values_list("pk", flat=True))
    running: dict[int, int] = {}
    for troop in troops:
        above = [pk for pk in troop.ancestor_pks()[:-1] if pk in offices]
        if above:
            running[troop.pk] = above[-1]
    return running


def register_reminders() -> None:
    register_source(TaskSource())
    register_source(DualListSource())
