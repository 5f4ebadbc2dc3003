"""Reads of work plans, tasks and the 双清单, always narrowed to what the user may see.

- A task is visible to users whose scope contains its lead unit or any cooperating unit, and
  to the office that owns its plan (which sees every task of the county, assigned or not).
- A 双清单 item is visible to the responsible unit's scope and to the partner troop's scope.
- A work plan is visible to everyone in the county that issued it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Window
from django.shortcuts import get_object_or_404

from shuangyong.access import NOTHING, lines_one_level_down, scope_q, scope_root
from shuangyong.models import READ_ONLY_ROLES, OrgUnit, OrgUnitKind, User
from shuangyong.selectors import nearest_office_unit
from shuangyong.validators import DATE_MAX, DATE_MIN
from tasks.models import (
    SHANGHAI,
    DualListCategory,
    DualListItem,
    DualListItemQuerySet,
    DualListState,
    Evidence,
    OfficeReviewedRequest,
    RequestState,
    Task,
    TaskQuerySet,
    TaskStatus,
    WorkPlan,
    today_shanghai,
)
from tasks.policy import is_confirmer, pending_confirmation_slot

R = TypeVar("R", bound=OfficeReviewedRequest)
M = TypeVar("M", bound=Model)


def plans_for(user: User) -> QuerySet[WorkPlan]:
    """The plans of the offices above the user's unit (or of the unit itself), read by everyone
    below them, and the plans of the offices below it (a city reads its counties' plans)."""
    root = scope_root(user)
    if root is None:
        return WorkPlan.objects.none()
    # The county's plan is read by everyone below the county: its owner is an ancestor (or self);
    # an office above reads the plans of the offices below it (a city its counties' plans).
    return WorkPlan.objects.filter(
        Q(owner_unit_id__in=root.ancestor_pks()) | scope_q(user, "owner_unit")
    ).select_related("owner_unit")


def own_plans_for(user: User) -> QuerySet[WorkPlan]:
    """The plans the user's office owns (and so runs: ``tasks.policy.runs_plan``)."""
    if scope_root(user) is None or user.org_unit_id is None:
        return WorkPlan.objects.none()
    return WorkPlan.objects.filter(owner_unit_id=user.org_unit_id).order_by("-year", "-id")


def plans_of_the_same_notice(user: User, *, doc_number: str, title: str, year: int | None) -> QuerySet[WorkPlan]:
    """The user's unit's plans imported from the same notice (WorkPlan.same_notice)."""
    if user.org_unit_id is None:
        return WorkPlan.objects.none()
    same = WorkPlan.same_notice(doc_number=doc_number, title=title, year=year)
    return plans_for(user).filter(same, owner_unit_id=user.org_unit_id).order_by("-year", "pk")


def get_plan_for(user: User, pk: int) -> WorkPlan:
    return get_object_or_404(plans_for(user), pk=pk)


def _task_scope_q(user: User) -> Q:
    if scope_root(user) is None:
        return NOTHING
    cooperating = Task.cooperating_units.through.objects.filter(scope_q(user, "orgunit")).values("task_id")
    # The plan's owner (the office) also sees tasks not assigned to any unit yet.
    return scope_q(user, "lead_unit", "plan__owner_unit") | Q(pk__in=cooperating)


def visible_tasks(user: User) -> TaskQuerySet:
    """Tasks the user may see, bare: for filters and for lists that show no rolled-up status
    (building ``with_rollup``'s four subqueries costs each query ~2 ms of Python)."""
    return Task.objects.filter(_task_scope_q(user))


def tasks_for(user: User) -> TaskQuerySet:
    """Tasks the user may see, with the progress of their breakdown below (``with_rollup``)."""
    return (
        visible_tasks(user)
        .with_rollup()
        .select_related("plan", "section", "lead_unit")
        .prefetch_related("cooperating_units")
    )


def linked_tasks_for(user: User, task: Task) -> TaskQuerySet:
    """The tasks of the offices below that break ``task`` down, which the user may see, by office."""
    return (
        tasks_for(user)
        .filter(parent_task=task)
        .select_related("plan__owner_unit")
        .order_by("plan__owner_unit__path", "order", "id")
    )


@dataclass(frozen=True)
class LinkedSummary:
    """How many of the linked tasks listed to a viewer there are, and how many show done or late."""

    total: int
    done: int
    late: int


def summarize_linked(tasks: list[Task]) -> LinkedSummary:
    """The counts of the linked tasks a viewer is shown (``linked_tasks_for``), by their shown
    status: a county cooperating on a city task counts its own, not the other counties' it cannot
    see (``with_rollup``'s counts, which cover every linked task, are the owner's roll-up)."""
    shown = [t.display_status for t in tasks]
    return LinkedSummary(
        total=len(shown), done=shown.count(TaskStatus.DONE.value), late=shown.count(TaskStatus.OVERDUE.value)
    )


def visible_parent_task(user: User, task: Task) -> Task | None:
    """The task from above that ``task`` breaks down, if the user may see it."""
    if task.parent_task_id is None:
        return None
    return Task.objects.filter(_task_scope_q(user), pk=task.parent_task_id).select_related("plan__owner_unit").first()


def pending_breakdown_units(task: Task) -> list[OrgUnit]:
    """The office units the task was given to that have not broken it down yet."""
    done = set(Task.objects.filter(parent_task=task).values_list("plan__owner_unit", flat=True))
    units = [u for u in [task.lead_unit, *task.cooperating_units.all()] if u is not None]
    return [u for u in units if u.has_office and u.pk not in done]


def lead_unit_can_ask_closure(task: Task) -> bool:
    """Whether someone of the task's lead unit can ask for its closure: an active user who writes
    (not a leader). Where nobody can (a township without accounts, a member unit not yet set up),
    the office records the completion on its behalf (``services.task_complete_on_behalf``)."""
    if task.lead_unit_id is None:
        return False
    return User.objects.filter(org_unit_id=task.lead_unit_id, is_active=True).exclude(role__in=READ_ONLY_ROLES).exists()


def get_task_for(user: User, pk: int) -> Task:
    return get_object_or_404(tasks_for(user), pk=pk)


def my_visible_tasks(user: User) -> TaskQuerySet:
    """Tasks where the user's own unit leads or cooperates, bare (see ``visible_tasks``)."""
    unit_id = user.org_unit_id
    if scope_root(user) is None or unit_id is None:
        return Task.objects.none()
    cooperating = Task.cooperating_units.through.objects.filter(orgunit_id=unit_id).values("task_id")
    return Task.objects.filter(Q(lead_unit_id=unit_id) | Q(pk__in=cooperating))


def my_tasks(user: User) -> TaskQuerySet:
    """Tasks where the user's own unit leads or cooperates, with their roll-up."""
    return (
        my_visible_tasks(user)
        .with_rollup()
        .select_related("plan", "section", "lead_unit")
        .prefetch_related("cooperating_units")
    )


def task_board(
    user: User,
    *,
    plan: WorkPlan | None = None,
    unit: OrgUnit | None = None,
    status: str = "",
    section_number: str = "",
) -> TaskQuerySet:
    qs = tasks_for(user)
    if plan is not None:
        qs = qs.filter(plan=plan)
    if unit is not None:
        cooperating = Task.cooperating_units.through.objects.filter(orgunit=unit).values("task_id")
        qs = qs.filter(Q(lead_unit=unit) | Q(pk__in=cooperating))
    if status:
        qs = qs.with_shown_status(status)  # as the board shows it: rolled up from the breakdown below
    if section_number:
        qs = qs.filter(section__number=section_number)
    return qs.order_by("plan__year", "plan_id", "order", "id")


def evidence_for(user: User) -> QuerySet[Evidence]:
    return Evidence.objects.filter(
        Q(progress_report__task__in=tasks_for(user).values("pk"))
        | Q(dual_list_item__in=dual_list_items_for(user).values("pk"))
    )


def get_evidence_for(user: User, pk: int) -> Evidence:
    return get_object_or_404(evidence_for(user), pk=pk)


def requests_for(user: User, model: type[R]) -> QuerySet[R]:
    """Closure or extension requests (``model``) on the tasks the user may see."""
    return model._default_manager.filter(task__in=visible_tasks(user).values("pk")).select_related("task")


def pending_requests_for(user: User, model: type[R]) -> QuerySet[R]:
    return requests_for(user, model).filter(state=RequestState.PENDING)


def requests_to_decide(user: User, model: type[R]) -> QuerySet[R]:
    """Pending requests the user's office decides: those on the tasks of its own plans
    (``tasks.policy.runs_plan``), which are all in its scope; none for anyone else."""
    if not user.is_office or user.org_unit_id is None or scope_root(user) is None:
        return model._default_manager.none()
    return model._default_manager.filter(
        task__plan__owner_unit_id=user.org_unit_id, state=RequestState.PENDING
    ).select_related("task")


def dual_list_items_for(user: User) -> DualListItemQuerySet:
    return DualListItem.objects.filter(scope_q(user, "responsible_unit", "troop_unit")).select_related(
        "category", "responsible_unit", "troop_unit", "receiver_confirmed_by", "office_confirmed_by"
    )


def get_dual_list_item_for(user: User, pk: int) -> DualListItem:
    return get_object_or_404(dual_list_items_for(user), pk=pk)


def dual_list_office_for(user: User) -> OrgUnit | None:
    """The office whose 双清单 the user works on: their own office unit, or the one running their unit
    (a troop liaison's county office)."""
    unit = scope_root(user)
    return nearest_office_unit(unit) if unit is not None else None


def categories_for(user: User, *, office: OrgUnit | None = None) -> QuerySet[DualListCategory]:
    """The categories an item can take: the shared defaults (no owner) and the office's own."""
    office = office if office is not None else dual_list_office_for(user)
    own = Q(owner_unit=office) if office is not None else NOTHING
    return DualListCategory.objects.filter(Q(owner_unit__isnull=True) | own).select_related("owner_unit")


def own_categories_for(user: User) -> QuerySet[DualListCategory]:
    """The categories the user's office keeps (``tasks.policy.keeps_category``)."""
    if scope_root(user) is None or user.org_unit_id is None:
        return DualListCategory.objects.none()
    return DualListCategory.objects.filter(owner_unit_id=user.org_unit_id)


def troops_for(user: User) -> QuerySet[OrgUnit]:
    """Troop units in the user's scope or partner of a 双清单 item the user may see."""
    visible_items = DualListItem.objects.filter(scope_q(user, "responsible_unit", "troop_unit"))
    return OrgUnit.objects.filter(
        Q(kind=OrgUnitKind.TROOP), Q(pk__in=visible_items.values("troop_unit")) | scope_q(user, "")
    ).order_by("sort_order", "name")


def years_for(user: User) -> list[int]:
    """Years with a plan or a 双清单 item the user may see, newest first (two small queries)."""
    plan_years = set(plans_for(user).values_list("year", flat=True).distinct())
    item_years = set(
        DualListItem.objects.filter(scope_q(user, "responsible_unit", "troop_unit"))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(plan_years | item_years, reverse=True)


def reconciliation_years(user: User) -> dict[int, list[int]]:
    """troop unit id → the years in which it has 双清单 items the user may see, newest first."""
    pairs = (
        DualListItem.objects.filter(scope_q(user, "responsible_unit", "troop_unit"))
        .order_by()
        .values_list("troop_unit", "year")
        .distinct()
    )
    years: dict[int, list[int]] = {}
    for troop_id, year in pairs:
        years.setdefault(troop_id, []).append(year)
    return {troop_id: sorted(ys, reverse=True) for troop_id, ys in years.items()}


def first_rows_and_total(queryset: QuerySet[M], limit: int) -> tuple[list[M], int]:
    """The first ``limit`` rows and how many rows there are in all, in one query (a window count)."""
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return rows, (rows[0].total_rows if rows else 0)  # type: ignore[attr-defined]


def overdue_tasks_for(user: User) -> TaskQuerySet:
    """Late tasks by their own deadline (lists of number, title, lead unit and deadline: no roll-up)."""
    return visible_tasks(user).overdue().select_related("lead_unit").order_by("deadline", "id")


def overdue_dual_list_items_for(user: User) -> DualListItemQuerySet:
    return dual_list_items_for(user).overdue().order_by("deadline", "id")


def my_overdue_tasks(user: User) -> TaskQuerySet:
    return my_visible_tasks(user).overdue().select_related("lead_unit").order_by("deadline", "id")


def dual_list_items_awaiting_confirmation(user: User) -> list[DualListItem]:
    """Items in 申请销号 on which this user still owes a confirmation."""
    if user.is_read_only:
        return []
    # Deciding needs only the partner troop (its path); the panel links each item by its content.
    candidates = (
        dual_list_items_for(user)
        .filter(state=DualListState.CLOSE_REQUESTED)
        .select_related(None)
        .select_related("troop_unit")
        .order_by("close_requested_at")
    )
    return [item for item in candidates[:200] if is_confirmer(user, item) and pending_confirmation_slot(user, item)]


NO_LEAD_UNIT = "未指定牵头单位"


@dataclass
class UnitTaskStats:
    unit: OrgUnit | None  # None: the tasks without a 牵头单位 (one line, so totals = the tasks)
    total: int
    completed: int
    overdue: int
    # The line of a county (city) below the viewer: the tasks led by it and by the units inside it.
    with_units_below: bool = False

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0

    @property
    def unit_name(self) -> str:
        if self.unit is None:
            return NO_LEAD_UNIT
        return f"{self.unit.name}（含所属单位）" if self.with_units_below else self.unit.name


def tasks_of_year_q(year: int) -> Q:
    """The tasks of a year: those of its plan, those due in it, and those open during it (from an
    earlier plan, not completed before the year began). A leader choosing 2026 sees the 2022
    plan's tasks still being worked on in 2026, not only tasks of a plan dated 2026.
    A year outside the portal's date range has no tasks (a URL's /999999/ is no error)."""
    if not DATE_MIN.year <= year <= DATE_MAX.year:
        return Q(pk__in=[])
    year_start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    open_during = Q(plan__year__lt=year) & (~Q(status=TaskStatus.DONE) | Q(completed_at__gte=year_start))
    return Q(plan__year=year) | Q(deadline__year=year) | open_during


def task_completion_by_unit(*, user: User, year: int, today: dt.date | None = None) -> list[UnitTaskStats]:
    """Per lead unit: how many of the year's tasks (tasks_of_year_q) it leads, how many are done
    or late; the tasks without a lead unit last, under 未指定牵头单位. Above the county, one line
    per county (city) below with the tasks of the units inside it (``lines_one_level_down``).

    Each piece of work counts once: a task broken down (任务分解) into tasks the user also sees
    counts through those linked tasks, not a second time itself (a city task 铜梁 broke down
    into two townships' tasks is those two tasks on 铜梁's line, done when they are done). A task
    of an office's plan below the user without a lead unit counts on that office's line.
    Three queries at most."""
    today = today or today_shanghai()
    root = scope_root(user)
    in_scope = _task_scope_q(user)
    of_year = tasks_of_year_q(year)
    broken_down_here = Exists(Task.objects.filter(in_scope, of_year, parent_task=OuterRef("pk")))
    rows = (
        Task.objects.filter(in_scope)
        .filter(of_year)
        .exclude(broken_down_here)
        .order_by()
        .values("lead_unit", "plan__owner_unit")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=TaskStatus.DONE)),
            overdue=Count("id", filter=Q(deadline__lt=today) & ~Q(status=TaskStatus.DONE)),
        )
    )
    counts: list[tuple[int | None, Any]] = []
    for r in rows:
        owner = r["plan__owner_unit"]
        counts.append((r["lead_unit"] or (owner if root is None or owner != root.pk else None), r))
    units = OrgUnit.objects.filter(pk__in=[pk for pk, _ in counts if pk]).in_bulk()
    line_of = lines_one_level_down(user, units.values())
    lines: dict[int | None, UnitTaskStats] = {}
    for pk, count in counts:
        unit = line_of[pk] if pk is not None else None
        key = unit.pk if unit is not None else None
        line = lines.setdefault(key, UnitTaskStats(unit=unit, total=0, completed=0, overdue=0))
        line.total += count["total"]
        line.completed += count["completed"]
        line.overdue += count["overdue"]
        line.with_units_below |= unit is not None and unit.pk != pk
    # By the tree (a unit's path), the tasks without a lead unit last.
    return sorted(lines.values(), key=lambda s: (s.unit is None, s.unit.path if s.unit is not None else ""))


@dataclass
class DualListStats:
    troop_unit: OrgUnit  # above the county: the county (city) line of the troops inside it
    direction: str
    total: int
    closed: int
    overdue: int
    with_units_below: bool = False

    @property
    def unit_name(self) -> str:
        return f"{self.troop_unit.name}（含驻地部队）" if self.with_units_below else self.troop_unit.name


def dual_list_summary(*, user: User, year: int, today: dt.date | None = None) -> list[DualListStats]:
    """Per troop unit and direction: items, items 已销号, items late; above the county, per county
    (city) below and direction (``lines_one_level_down``). Three queries at most."""
    today = today or today_shanghai()
    rows = list(
        DualListItem.objects.filter(scope_q(user, "responsible_unit", "troop_unit"), year=year)
        .order_by()
        .values("troop_unit", "direction")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(state=DualListState.CLOSED)),
            overdue=Count("id", filter=Q(deadline__lt=today) & ~Q(state=DualListState.CLOSED)),
        )
    )
    troops = OrgUnit.objects.in_bulk({r["troop_unit"] for r in rows})
    line_of = lines_one_level_down(user, troops.values())
    lines: dict[tuple[int, str], DualListStats] = {}
    for r in rows:
        unit = line_of[r["troop_unit"]]
        line = lines.setdefault(
            (unit.pk, r["direction"]),
            DualListStats(troop_unit=unit, direction=r["direction"], total=0, closed=0, overdue=0),
        )
        line.total += r["total"]
        line.closed += r["closed"]
        line.overdue += r["overdue"]
        line.with_units_below |= unit.pk != r["troop_unit"]
    return sorted(lines.values(), key=lambda s: (s.troop_unit.path, s.direction != "to_troops"))
