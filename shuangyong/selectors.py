"""Reads of org units and users, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Length

from shuangyong.access import scope_root, scoped, units_in_scope
from shuangyong.models import OFFICE_KINDS, PATH_STEP, OrgUnit, OrgUnitKind, Role, User


def units_for(user: User, *, kinds: list[str] | None = None) -> QuerySet[OrgUnit]:
    qs = units_in_scope(user).filter(is_active=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.select_related("parent")


def reporting_units_for(user: User) -> QuerySet[OrgUnit]:
    """Townships and member units in scope: the units that send returns and lead tasks."""
    return units_for(user, kinds=[OrgUnitKind.TOWNSHIP, OrgUnitKind.MEMBER_UNIT]).order_by("kind", "sort_order", "name")


def troop_units_for(user: User) -> QuerySet[OrgUnit]:
    return units_for(user, kinds=[OrgUnitKind.TROOP])


def troop_units_under(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The stationed troops partnered with a county (or any unit above them), active only."""
    return OrgUnit.objects.below(unit).filter(kind=OrgUnitKind.TROOP, is_active=True).order_by("sort_order", "name")


def users_of_units(units: QuerySet[OrgUnit]) -> QuerySet[User]:
    return User.objects.filter(org_unit__in=units, is_active=True)


def users_for(user: User) -> QuerySet[User]:
    return scoped(User.objects.select_related("org_unit"), user, "org_unit")


def get_unit_for(user: User, pk: int) -> OrgUnit:
    """One unit in the user's scope, or 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(units_for(user), pk=pk)


# --- offices at every level (docs/levels.md) ---


def nearest_office_unit(unit: OrgUnit, *, include_self: bool = True) -> OrgUnit | None:
    """The office unit that runs ``unit``: the unit itself if it has an office (unless
    ``include_self`` is False), else the nearest office unit above it. One query at most."""
    if include_self and unit.has_office:
        return unit
    ancestors = [pk for pk in unit.ancestor_pks() if pk != unit.pk]
    if unit.parent_id is not None and unit.parent_id not in ancestors:
        ancestors.append(unit.parent_id)  # a unit saved without its path yet
    return OrgUnit.objects.filter(pk__in=ancestors, kind__in=OFFICE_KINDS).order_by("-path").first()


def office_users_of(unit: OrgUnit) -> list[User]:
    """The active 双拥办 staff of the nearest office at or above ``unit`` that has staff: a
    township without office accounts of its own is covered by its county, and no office further
    up is told. One query."""
    users = list(
        User.objects.filter(
            org_unit_id__in=unit.ancestor_pks() or [unit.pk],
            org_unit__kind__in=OFFICE_KINDS,
            role=Role.OFFICE,
            is_active=True,
        ).select_related("org_unit")
    )
    if not users:
        return []
    deepest = max(len(u.org_unit.path) for u in users if u.org_unit)
    return [u for u in users if u.org_unit and len(u.org_unit.path) == deepest]


def units_run_by(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and the units its office runs: every unit below it down to, and including, the
    next office units (a city: its member units, troops and counties, not the counties'
    townships; a street office: its villages), in path order.

    Read two levels at a time (the units whose path is one or two steps longer than the unit's):
    one query in practice, as only a unit without an office (a member unit) has its children run
    by the office above, and such chains are rarely deeper."""
    step = PATH_STEP + 1
    run = [unit]
    frontier = {unit.path}  # the units whose children the office runs
    depth = len(unit.path)
    while frontier:
        batch = (
            OrgUnit.objects.alias(_path_length=Length("path"))
            .filter(path__startswith=unit.path, _path_length__gt=depth, _path_length__lte=depth + 2 * step)
            .order_by("path")  # a parent before its children
        )
        deepest: set[str] = set()
        for child in batch:
            if child.path[:-step] not in frontier:
                continue
            run.append(child)
            if not child.has_office:
                frontier.add(child.path)
                if len(child.path) == depth + 2 * step:
                    deepest.add(child.path)
        frontier, depth = deepest, depth + 2 * step
    return sorted(run, key=lambda u: u.path)


def units_run_for(user: User) -> list[OrgUnit]:
    """``units_run_by`` of the user's unit (their scope root): the units work is given to."""
    root = scope_root(user)
    return units_run_by(root) if root is not None else []
