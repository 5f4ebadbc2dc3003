"""Home-page panels: what is waiting for this user in the tasks app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, When
from django.urls import reverse
from django.utils.text import Truncator

from shuangyong.navigation import WaitingGroup, WaitingRow
from tasks import selectors
from tasks.models import (
    ClosureRequest,
    DualListItem,
    DualListState,
    ExtensionRequest,
    TaskStatus,
    rollup_depth_below,
    today_shanghai,
)

PANEL_ROWS = 5
WAITING_ROWS = 10


def overdue_panel(user: Any) -> dict[str, Any] | None:
    """Late tasks and 双清单 items: the unit's own for a unit, the whole county for the office."""
    tasks = (
        selectors.overdue_tasks_for(user) if user.is_office or user.is_read_only else selectors.my_overdue_tasks(user)
    )
    items = selectors.overdue_dual_list_items_for(user)
    # The panel shows a line per row (number, title, lead unit, deadline): no other relation is
    # loaded, which also keeps the planner from hash-joining the whole unit and user tables.
    first_tasks, task_count = selectors.first_rows_and_total(tasks.prefetch_related(None), PANEL_ROWS)
    first_items, item_count = selectors.first_rows_and_total(items.select_related(None), PANEL_ROWS)
    if not task_count and not item_count:
        return None
    return {"tasks": first_tasks, "task_count": task_count, "items": first_items, "item_count": item_count}


LEVEL_PLANS = 5  # the office's latest plans on its home
LEVEL_TASKS = 500  # tasks of those plans counted on the home (a plan has a few dozen)


def levels_panel(user: Any) -> dict[str, Any] | None:
    """An office's (or its leader's) home at any level: its own latest plans with their progress,
    and the units it gives work to (a city: its counties and member units) with theirs, the
    breakdown below rolled up (``TaskQuerySet.with_rollup``). Three queries, whatever the level."""
    unit = getattr(user, "org_unit", None)
    if unit is None or not unit.has_office:
        return None
    plans = list(selectors.own_plans_for(user)[:LEVEL_PLANS])
    if not plans:
        return {"unit": unit, "plans": [], "units": []}
    tasks = (
        selectors.visible_tasks(user)
        .filter(plan__in=plans)
        .with_rollup(depth=rollup_depth_below(unit))  # the office's own plans: only the levels below it
        .select_related("lead_unit")
        .order_by("pk")[:LEVEL_TASKS]
    )
    by_plan: dict[int, Progress] = {p.pk: Progress() for p in plans}
    by_unit: dict[int, Progress] = {}
    for task in tasks:
        shown = task.display_status
        by_plan[task.plan_id].add(shown)
        lead = task.lead_unit
        if lead is not None and lead.pk != unit.pk:
            by_unit.setdefault(lead.pk, Progress(unit=lead)).add(shown)
    return {
        "unit": unit,
        "plans": [(plan, by_plan[plan.pk]) for plan in plans],
        "units": sorted(by_unit.values(), key=lambda p: p.unit.path if p.unit else ""),
    }


@dataclass
class Progress:
    """How many tasks, done and late (as shown: rolled up from the breakdown below)."""

    unit: Any = None
    total: int = 0
    done: int = 0
    late: int = 0

    def add(self, shown: str) -> None:
        self.total += 1
        self.done += shown == TaskStatus.DONE
        self.late += shown == TaskStatus.OVERDUE


def waiting_groups(user: Any) -> list[WaitingGroup]:
    """The tasks app's part of 等待我处理: requests to decide and 销号 to confirm (office), the
    unit's open tasks, its 双清单 items (newly assigned ones first) and the items it confirms."""
    groups: list[WaitingGroup] = []
    confirm = selectors.dual_list_items_awaiting_confirmation(user)
    groups.append(
        WaitingGroup(
            title="待确认销号的双清单事项",
            rows=[_item_row(item) for item in confirm[:WAITING_ROWS]],
            total=len(confirm),
            more_url=reverse("tasks:dual_list") + "?state=" + DualListState.CLOSE_REQUESTED,
            testid="waiting-dual-close",
        )
    )
    if user.is_office:
        # Only the office owning the plan decides (tasks.policy.runs_plan): an office above reads.
        closures: Any = selectors.requests_to_decide(user, ClosureRequest)
        extensions: Any = selectors.requests_to_decide(user, ExtensionRequest)
        groups.append(_request_group(closures, title="待审核的完成申请", testid="waiting-closures"))
        groups.append(_request_group(extensions, title="待审批的延期申请", testid="waiting-extensions"))
    if user.is_office and user.org_unit_id is not None:
        # Tasks an office above gave to this office's unit: to carry out or break down (任务分解).
        received = (
            selectors.my_visible_tasks(user)
            .exclude(status=TaskStatus.DONE)
            .exclude(plan__owner_unit_id=user.org_unit_id)
        )
        groups.append(_task_group(received, title="上级交办的任务", testid="waiting-received"))
    elif user.org_unit_id is not None and not user.is_read_only:
        open_tasks = selectors.my_visible_tasks(user).exclude(status=TaskStatus.DONE)
        groups.append(_task_group(open_tasks, title="本单位未完成的任务"))
        mine = (
            selectors.dual_list_items_for(user)
            .filter(responsible_unit_id=user.org_unit_id, state__in=[DualListState.ASSIGNED, DualListState.IN_PROGRESS])
            .select_related(None)
            .order_by(
                Case(When(state=DualListState.ASSIGNED, then=0), default=1),
                F("deadline").asc(nulls_last=True),
                "pk",
            )
        )
        first_items, total = selectors.first_rows_and_total(mine, WAITING_ROWS)
        groups.append(
            WaitingGroup(
                title="交给本单位办理的双清单事项",
                rows=[_item_row(item, new=item.state == DualListState.ASSIGNED) for item in first_items],
                total=total,
                more_url=reverse("tasks:dual_list"),
                testid="waiting-dual-mine",
            )
        )
    return groups


def _task_group(open_tasks: Any, *, title: str, testid: str = "waiting-tasks") -> WaitingGroup:
    """Open tasks of the user's unit, the soonest deadline first (no deadline last)."""
    first_tasks, total = selectors.first_rows_and_total(
        open_tasks.order_by(F("deadline").asc(nulls_last=True), "pk"), WAITING_ROWS
    )
    today = today_shanghai()
    rows = [
        WaitingRow(
            f"{t.number}{t.title}",
            reverse("tasks:task_detail", args=[t.pk]),
            note=f"时限 {t.deadline:%m-%d}" if t.deadline else "",
            state="overdue" if t.deadline and t.deadline < today else t.status,
            state_label="逾期" if t.deadline and t.deadline < today else t.get_status_display(),
        )
        for t in first_tasks
    ]
    return WaitingGroup(title=title, rows=rows, total=total, more_url=reverse("tasks:my_tasks"), testid=testid)


def _request_group(pending: Any, *, title: str, testid: str) -> WaitingGroup:
    """Closure or extension requests waiting for the office, oldest first."""
    first, total = selectors.first_rows_and_total(pending.select_related("task").order_by("pk"), WAITING_ROWS)
    rows = [WaitingRow(f"{r.task.number}{r.task.title}", reverse("tasks:task_detail", args=[r.task_id])) for r in first]
    return WaitingGroup(title=title, rows=rows, total=total, testid=testid)


def _item_row(item: DualListItem, *, new: bool = False) -> WaitingRow:
    return WaitingRow(
        Truncator(item.content).chars(30),
        reverse("tasks:dual_item_detail", args=[item.pk]),
        note=f"时限 {item.deadline:%m-%d}" if item.deadline else "",
        state="new" if new else item.state,
        state_label="新交办" if new else item.get_state_display(),
    )
