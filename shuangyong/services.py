"""Writes of org units and users."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from shuangyong.access import is_office_of
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
    claim_version(unit, expected_version=version)
    unit.contact_person = contact_person
    unit.contact_phone = contact_phone
    unit.full_clean(exclude=["path"])
    unit.save(update_fields=["contact_person", "contact_phone", "version"])
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
    if not is_office_of(user, unit) or not unit.has_office:
        raise PermissionDenied("只有本级双拥办可以修改本单位的设置。")
    claim_version(unit, expected_version=version)
    unit.contact_person = contact_person
    unit.contact_phone = contact_phone
    unit.troop_name = " ".join(troop_name.split())
    unit.full_clean(exclude=["path"])
    unit.save(update_fields=["contact_person", "contact_phone", "troop_name", "version"])
    return unit


def user_set_large_text(*, user: User, enabled: bool) -> None:
    """Remember 大字模式 on the account: every page is then rendered large for this user.

    A direct UPDATE: a display preference writes no history row and cannot clash with an admin
    editing the same account."""
    User.objects.filter(pk=user.pk).update(large_text=enabled)
    user.large_text = enabled
