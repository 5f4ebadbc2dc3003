"""Who may do what in the tasks app: plain predicates, read by selectors, views and services alike.

No queries beyond the objects given (``shuangyong.access.runs_unit`` asks one only for a troop
not directly under its office), no writes, no raising: a service turns a ``False`` into
PermissionDenied, a view into a hidden button, a selector into a filtered list. This module
imports neither services nor selectors (tests/hardening/test_layering.py).

The 双清单 transitions (``TRANSITIONS``) and who may take each are described in
``tasks/dual_list_services.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangyong.access import is_office_of, runs_unit, unit_in_scope
from shuangyong.models import Role, User
from tasks.models import DualListCategory, DualListDirection, DualListItem, DualListState, Task, WorkPlan

S = DualListState


# --- tasks ----------------------------------------------------------------------------------


def is_task_lead(user: User, task: Task) -> bool:
    """A (writing) user of the task's lead unit (牵头单位): asks for closure and extensions."""
    return user.org_unit_id is not None and user.org_unit_id == task.lead_unit_id and not user.is_read_only


def is_task_unit(user: User, task: Task) -> bool:
    """A (writing) user of the lead or a cooperating unit (配合单位): reports progress."""
    return not user.is_read_only and user.org_unit_id is not None and user.org_unit_id in task.unit_ids()


# Plans at every level (docs/levels.md): the office that owns a plan runs it (edits and assigns
# its tasks, decides closure and extension requests); an office above reads it and changes
# nothing; an office whose unit received a task of a plan above breaks it down (任务分解) into
# tasks of its own plans.


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


# --- the 双清单 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("assign", "交办", frozenset({S.PROPOSED, S.ASSIGNED})),
        Transition("start", "开始办理", frozenset({S.ASSIGNED})),
        Transition("request_close", "申请销号", frozenset({S.IN_PROGRESS})),
        Transition("confirm", "确认销号", frozenset({S.CLOSE_REQUESTED})),
        Transition("send_back", "退回", frozenset({S.CLOSE_REQUESTED})),
    ]
}


def may_propose_dual_list_item(user: User) -> bool:
    """The office and troop liaisons propose 双清单 items."""
    return user.is_office or user.role == Role.TROOP_LIAISON


def keeps_category(user: User, category: DualListCategory) -> bool:
    """An office keeps its own 双清单 categories; the shared defaults (no owner) are the system
    administrator's (Django admin), and another office's are not this office's to change."""
    return category.owner_unit_id is not None and is_office_of(user, category.owner_unit) and not user.is_read_only


def is_responsible(user: User, item: DualListItem) -> bool:
    """A user of the responsible unit (or above it), or the office for an item given to its own unit.

    The office never acts for a township or a member unit below it, but the 双拥办 may itself be
    the responsible unit (the assign form offers the county): then its staff start and close it.
    """
    if user.is_read_only or item.responsible_unit is None:
        return False
    if user.is_office:
        return user.org_unit_id == item.responsible_unit_id
    return unit_in_scope(user, item.responsible_unit)


def runs_dual_list_item(user: User, item: DualListItem) -> bool:
    """The office whose 双清单 it is: the office of the troop's nearest office unit (the county
    for a troop stationed in it, even with a city above: the city reads, it does not sign)."""
    return not user.is_read_only and runs_unit(user, item.troop_unit)


def is_receiving_confirmer(user: User, item: DualListItem) -> bool:
    if user.is_read_only:
        return False
    if item.direction == DualListDirection.TO_TROOPS:
        return user.role == Role.TROOP_LIAISON and unit_in_scope(user, item.troop_unit)
    return runs_dual_list_item(user, item)


def is_office_confirmer(user: User, item: DualListItem) -> bool:
    return runs_dual_list_item(user, item)


def is_confirmer(user: User, item: DualListItem) -> bool:
    """Either side that signs a closure off (and may send it back)."""
    return is_receiving_confirmer(user, item) or is_office_confirmer(user, item)


def pending_confirmation_slot(user: User, item: DualListItem) -> str | None:
    """Which confirmation this user would give now: "receiver", "office" or None."""
    if item.receiver_confirmed_by_id == user.pk or item.office_confirmed_by_id == user.pk:
        return None
    if item.receiver_confirmed_by_id is None and is_receiving_confirmer(user, item):
        return "receiver"
    if item.office_confirmed_by_id is None and is_office_confirmer(user, item):
        return "office"
    return None


def has_role_for(user: User, item: DualListItem, action: str) -> bool:
    """Whether the user's role and unit allow this action on this item at all (whatever its state)."""
    if action == "assign":
        return runs_dual_list_item(user, item)
    if action in ("start", "request_close"):
        return is_responsible(user, item)
    if action in ("confirm", "send_back"):
        return is_confirmer(user, item)
    return False


def allowed_actions(user: User, item: DualListItem) -> list[str]:
    """The actions this user may take on this item now (used to show only the right buttons)."""
    actions = []
    if item.state in TRANSITIONS["assign"].sources and runs_dual_list_item(user, item):
        actions.append("assign")
    if is_responsible(user, item):
        if item.state == S.ASSIGNED:
            actions.append("start")
        if item.state == S.IN_PROGRESS:
            actions.append("request_close")
    if item.state == S.CLOSE_REQUESTED and is_confirmer(user, item):
        if pending_confirmation_slot(user, item) is not None:
            actions.append("confirm")
        actions.append("send_back")
    return actions
