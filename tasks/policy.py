"""Who may do what with work plans and tasks, at every level of the tree (docs/levels.md).

Read by selectors, views and services alike (selectors never import services):
- the office that owns a plan runs it: edits and assigns its tasks, decides closure and extension
  requests (``runs_plan``); an office above reads it and changes nothing;
- an office whose unit received a task of a plan above (its unit leads or cooperates) breaks it
  down (任务分解) into tasks of its own plans (``may_break_down``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shuangyong.access import is_office_of

if TYPE_CHECKING:
    from shuangyong.models import User
    from tasks.models import Task, WorkPlan


def runs_plan(user: User, plan: WorkPlan) -> bool:
    """The staff of the office that owns the plan (not an office above it, not a leader)."""
    return is_office_of(user, plan.owner_unit) and not user.is_read_only


def runs_task(user: User, task: Task) -> bool:
    return runs_plan(user, task.plan)


def may_break_down(user: User, task: Task) -> bool:
    """An office (any level) whose own unit leads or cooperates on a task of another unit's plan."""
    unit = user.org_unit
    if unit is None or user.is_read_only or not user.is_office or not unit.has_office:
        return False
    if task.plan.owner_unit_id == unit.pk:
        return False
    return unit.pk in task.unit_ids()
