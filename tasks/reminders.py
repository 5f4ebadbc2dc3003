"""Reminders for work-point tasks, milestones and 双清单 items (registered in TasksConfig.ready()).

- Tasks and milestones: the lead unit's users, before, on and after the deadline.
- 双清单 items being handled (已交办/办理中): the responsible unit before and on the deadline.
- 双清单 items in 申请销号 for the policy's N days (default 3): the side(s) whose confirmation is
  still missing (tasks/dual_list_services.py: the receiving side and the office).
Overdue items are escalated to the unit's heads and listed in the office's daily digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache, partial

from django.urls import reverse

from shuangyong.models import OrgUnit, ReminderPolicy, Role, User
from shuangyong.notifications import absolute_url
from shuangyong.reminders import (
    DeadlineItem,
    DueReminder,
    ReminderMessage,
    ReminderSource,
    chinese_date,
    register_source,
)
from tasks.models import SHANGHAI, DualListDirection, DualListItem, DualListState, Milestone, Task, TaskStatus
from tasks.notifying import short_summary

CLOSE_CONFIRM = "close_confirm"
UNIT_FIELDS = ("id", "name", "path")


def _unit_only(prefix: str) -> list[str]:
    return [f"{prefix}__{f}" for f in UNIT_FIELDS]


class TaskSource(ReminderSource):
    name = "tasks.tasks"

    def deadline_items(self, *, today: dt.date, until: dt.date) -> Iterable[DeadlineItem]:
        tasks = (
            Task.objects.filter(deadline__lte=until, lead_unit__is_active=True)
            .exclude(status=TaskStatus.DONE)
            .select_related("lead_unit")
            .only("id", "number", "title", "deadline", *_unit_only("lead_unit"))
            .order_by("pk")
        )
        milestones = (
            Milestone.objects.filter(deadline__lte=until, done=False, task__lead_unit__is_active=True)
            .exclude(task__status=TaskStatus.DONE)
            .select_related("task__lead_unit")
            .only("id", "title", "deadline", "task__id", "task__number", "task__title", *_unit_only("task__lead_unit"))
            .order_by("pk")
        )
        items = []
        for task in tasks:
            assert task.lead_unit is not None and task.deadline is not None
            items.append(
                DeadlineItem(
                    obj=task,
                    label=f"工作任务“{task}”",
                    deadline=task.deadline,
                    unit=task.lead_unit,
                    url_name="tasks:task_detail",
                    url_args=(task.pk,),
                )
            )
        for milestone in milestones:
            assert milestone.task.lead_unit is not None
            items.append(
                DeadlineItem(
                    obj=milestone,
                    label=f"工作任务“{milestone.task}”的节点“{milestone.title}”",
                    deadline=milestone.deadline,
                    unit=milestone.task.lead_unit,
                    url_name="tasks:task_detail",
                    url_args=(milestone.task_id,),
                )
            )
        return items


class DualListSource(ReminderSource):
    name = "tasks.dual_list"

    def deadline_items(self, *, today: dt.date, until: dt.date) -> Iterable[DeadlineItem]:
        items = (
            DualListItem.objects.filter(
                state__in=[DualListState.ASSIGNED, DualListState.IN_PROGRESS],
                deadline__lte=until,
                responsible_unit__is_active=True,
            )
            .select_related("responsible_unit")
            .only("id", "year", "direction", "content", "deadline", *_unit_only("responsible_unit"))
            .order_by("pk")
        )
        result = []
        for item in items:
            assert item.responsible_unit is not None and item.deadline is not None
            result.append(
                DeadlineItem(
                    obj=item,
                    label=f"双清单（{item.get_direction_display()}）事项“{short_summary(item.content)}”",
                    deadline=item.deadline,
                    unit=item.responsible_unit,
                    url_name="tasks:dual_item_detail",
                    url_args=(item.pk,),
                    remind_overdue=False,
                )
            )
        return result

    def other_reminders(self, *, today: dt.date, policy: ReminderPolicy) -> Iterable[DueReminder]:
        """申请销号 waiting N days: remind whoever still has to confirm (receiving side, office)."""
        days = policy.close_confirm_after_days
        cutoff = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min, tzinfo=SHANGHAI)
        waiting = list(
            DualListItem.objects.filter(state=DualListState.CLOSE_REQUESTED, close_requested_at__lt=cutoff)
            .select_related("troop_unit", "responsible_unit")
            .order_by("pk")
        )
        if not waiting:
            return []
        confirmers = list(
            User.objects.filter(is_active=True, role__in=[Role.OFFICE, Role.TROOP_LIAISON], org_unit__is_active=True)
            .select_related("org_unit")
            .order_by("pk")
        )
        dues: list[DueReminder] = []
        for item in waiting:
            assert item.close_requested_at is not None
            requested = item.close_requested_at.astimezone(SHANGHAI).date()
            recipients = self._missing_confirmers(item, confirmers)
            message = cache(partial(self._message, item, requested=requested, today=today))
            dues.extend(DueReminder(item, uid, CLOSE_CONFIRM, requested, message) for uid in recipients)
        return dues

    @staticmethod
    def _missing_confirmers(item: DualListItem, confirmers: list[User]) -> list[int]:
        def covers(user: User, unit: OrgUnit) -> bool:
            return user.org_unit is not None and unit.path.startswith(user.org_unit.path)

        offices = [u for u in confirmers if u.role == Role.OFFICE and covers(u, item.troop_unit)]
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
        label = f"双清单（{item.get_direction_display()}）事项“{short_summary(item.content)}”"
        unit = item.responsible_unit.name if item.responsible_unit else "责任单位"
        path = reverse("tasks:dual_item_detail", args=[item.pk])
        link = absolute_url(path)
        title = f"{label}申请销号已{waited}天，等待您确认"
        body = (
            f"{unit}于{chinese_date(requested)}申请销号（时限"
            f"{chinese_date(item.deadline) if item.deadline else '未定'}），已等待{waited}天。"
            f"请核实办结情况后确认销号或退回。\n{link}"
        )
        return ReminderMessage(title[:200], body, path)


def register_reminders() -> None:
    register_source(TaskSource())
    register_source(DualListSource())
