"""Reads of org units and users, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from shuangyong.access import scoped, units_in_scope
from shuangyong.models import OrgUnit, OrgUnitKind, User


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
