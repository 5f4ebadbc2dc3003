"""Writes of org units and users."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from shuangyong.access import keeps_unit_settings
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, Role, User


@transaction.atomic
def org_unit_create(
    *,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None,
    short_name: str = "",
    sort_order: int = 0,
    troop_name: str = "",
) -> OrgUnit:
    unit = OrgUnit(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        short_name=short_name,
        sort_order=sort_order,
        troop_name=troop_name,
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    return unit


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    org_unit: OrgUnit,
    role: str,
    full_name: str = "",
    email: str = "",
    is_unit_head: bool = False,
) -> User:
    user = User(
        username=username,
        org_unit=org_unit,
        role=role,
        full_name=full_name,
        email=email,
        is_unit_head=is_unit_head,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def org_unit_update_contact(
    *, unit: OrgUnit, contact_person: str, contact_phone: str, version: Version = CURRENT
) -> OrgUnit:
    return _save_unit(unit, version=version, contact_person=contact_person, contact_phone=contact_phone)


def _save_unit(unit: OrgUnit, *, version: Version, **fields: str) -> OrgUnit:
    """Set ``fields`` on the unit if ``version`` is still current, checked, with its history."""
    claim_version(unit, expected_version=version)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path"])
    unit.save(update_fields=[*fields, "version"])
    return unit


@transaction.atomic
def office_unit_update(
    *,
    user: User,
    unit: OrgUnit,
    contact_person: str,
    contact_phone: str,
    troop_name: str,
    version: Version = CURRENT,
) -> OrgUnit:
    """An office keeps its own unit's contacts and its own settings (``OfficeUnitForm``): the
    troop name in the titles of its 八一 tables is the office's, not the deployment's."""
    if not keeps_unit_settings(user, unit):
        raise PermissionDenied("只有本级双拥办可以修改本单位的设置。")
    return _save_unit(
        unit,
        version=version,
        contact_person=contact_person,
        contact_phone=contact_phone,
        troop_name=" ".join(troop_name.split()),
    )


def user_set_large_text(*, user: User, enabled: bool) -> None:
    """Remember 大字模式 on the account: every page is then rendered large for this user.

    A direct UPDATE: a display preference writes no history row and cannot clash with an admin
    editing the same account."""
    User.objects.filter(pk=user.pk).update(large_text=enabled)
    user.large_text = enabled
