"""Who is told about a workflow step (through shuangyong.notifications, in the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model
from django.urls import reverse

from shuangyong.models import OrgUnit, Role, User
from shuangyong.notifications import notify
from shuangyong.selectors import nearest_office_unit


def short_summary(text: str, limit: int = 30) -> str:
    """A one-line summary of a user's text for a title: whitespace and line breaks folded, cut at ``limit``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def unit_users(units: Iterable[OrgUnit | None], *, roles: Iterable[str] | None = None) -> list[User]:
    ids = [u.pk for u in units if u is not None]
    qs = User.objects.filter(org_unit_id__in=ids, is_active=True).exclude(role=Role.LEADER)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return list(qs)


def office_users(owner_unit: OrgUnit) -> list[User]:
    return unit_users([owner_unit], roles=[Role.OFFICE])


def office_users_running(unit: OrgUnit) -> list[User]:
    """The office staff of the office that runs ``unit`` (``shuangyong.access.runs_unit``): a
    troop's county office, never every office above it nor the root of the tree."""
    office = nearest_office_unit(unit)
    return office_users(office) if office is not None else []


def tell(users: Iterable[User], *, title: str, body: str, url_name: str, pk: int, obj: Model) -> None:
    recipients = list(users)
    if recipients:
        notify(recipients=recipients, title=title, body=body, url=reverse(url_name, args=[pk]), obj=obj)
