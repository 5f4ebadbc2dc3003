"""The ledger: people (beneficiaries), contact logs, difficulties and the identity-access log.

Every function re-checks who may do it (``visits.policy``) and raises ValidationError with a
message fit for the user.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from shuangyong.access import personal_data_home, unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.notifications import notify
from shuangyong.selectors import office_users_of
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiaryTransfer,
    ContactLog,
    Difficulty,
    IdentityAccess,
    IdentityAccessLog,
    TransferState,
)
from visits.policy import (
    may_export_full_id_numbers,
    may_maintain_ledger,
    may_see_ledger,
)
from visits.services._common import require
from visits.validators import mask_id_number, normalize_id_number

logger = logging.getLogger(__name__)


def _check_ledger_unit(user: User, org_unit: OrgUnit) -> None:
    require(may_maintain_ledger(user), "只有乡镇（街道）和双拥办可以维护联系工作台账。")
    if not unit_in_scope(user, org_unit) or org_unit.kind not in (OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE):
        raise ValidationError({"org_unit": "只能登记到本辖区的乡镇（街道）或村（社区）。"})


#: In the user's own scope a duplicate is named precisely; a number of another township's ledger
#: gets this one answer, so that the form cannot be used to learn who is registered elsewhere.
DUPLICATE_ID_NUMBER = "该身份证号已登记在台账中，同一身份证号在全系统只能登记一次。"
FOREIGN_ID_NUMBER = "该身份证号无法在本单位登记，请联系双拥办核实。"
#: A number of another county's ledger: the person moved (or is moving) county. The answer says
#: what to do without revealing anything of that county's ledger (not even which county).
TRANSFER_NEEDED = (
    "该身份证号已在其他区县的台账中登记，不能重复登记。人员跨区县迁移须由原区县办理迁出、"
    "本县双拥办确认迁入，请联系本县双拥办。"
)
TRANSFER_PENDING = "该身份证号已有迁入本县的申请（待迁入），请由本县双拥办在“人员迁移”中确认迁入，不能重复登记。"


def office_users_above(user: User) -> list[User]:
    """The active 双拥办 staff of the nearest office at or above the user's unit that has staff
    (``shuangyong.selectors.office_users_of``): its county, not every office up to the province.
    What they are told is about people of the ledger, so never an office outside the county
    (``personal_data_home``): a county without active office staff tells no one above it."""
    if user.org_unit is None:
        return []
    users = office_users_of(user.org_unit)
    home = personal_data_home(user.org_unit)
    if home is None:
        return users
    inside = [u for u in users if u.org_unit is not None and u.org_unit.is_below(home)]
    if users and not inside:
        logger.warning("%s 没有在用的双拥办账号：台账身份证号核查提醒未发给上级双拥办", home.name)
    return inside


def registered_id_number_messages(*, user: User, people: Iterable[Beneficiary]) -> dict[str, str]:
    """What ``user`` is told about each number already registered (id_number -> message), in one
    query whatever the number of people: precisely in the own scope, generically elsewhere in the
    county, and "a transfer is needed" (or "is pending") for another county's person."""
    people = list(people)
    home = personal_data_home(user.org_unit)
    pending: set[int] = set()
    if home is not None and people:
        pending = set(
            BeneficiaryTransfer.objects.filter(
                beneficiary__in=people, state=TransferState.PENDING, to_county=home
            ).values_list("beneficiary_id", flat=True)
        )
    messages = {}
    for person in people:
        if unit_in_scope(user, person.org_unit):
            messages[person.id_number] = DUPLICATE_ID_NUMBER
        elif home is None or person.org_unit.path.startswith(home.path):
            messages[person.id_number] = FOREIGN_ID_NUMBER
        else:
            messages[person.id_number] = TRANSFER_PENDING if person.pk in pending else TRANSFER_NEEDED
    return messages


def foreign_id_numbers_report(*, user: User, people: Sequence[Beneficiary], source: str) -> None:
    """Log (one entry per person) and tell the office that ``user`` entered numbers of another township's ledger.

    Runs in its own transaction and is called before the refusal is raised, so that the entry stays.
    """
    if not people:
        return
    with transaction.atomic():
        IdentityAccessLog.objects.bulk_create(
            [IdentityAccessLog(user=user, beneficiary=p, action=IdentityAccess.FOREIGN_ID_NUMBER) for p in people]
        )
        unit = user.org_unit.name if user.org_unit else ""
        home = personal_data_home(user.org_unit)

        def where(p: Beneficiary) -> str:  # another county's unit is not named (its ledger is its own)
            return p.org_unit.name if home is None or p.org_unit.path.startswith(home.path) else "其他区县"

        numbers = "、".join(f"{mask_id_number(p.id_number)}（{where(p)}）" for p in people[:10])
        more = f"等 {len(people)} 个" if len(people) > 10 else ""
        notify(
            recipients=office_users_above(user),
            title=f"{unit}{user.full_name or user.username}{source}时输入了其他单位台账中的身份证号",
            body=f"身份证号：{numbers}{more}。已拒绝登记，请核实是否重复登记或试探查询。",
            url=reverse("visits:beneficiary_list"),
        )


def _refuse_registered_id_number(*, user: User, id_number: str, exclude_pk: int | None = None) -> None:
    """A number already in the ledger is refused: precisely in the user's scope, generically (and reported) outside."""
    same = Beneficiary.objects.select_related("org_unit").filter(id_number=id_number)
    existing = (same.exclude(pk=exclude_pk) if exclude_pk is not None else same).first()
    if existing is None:
        return
    message = registered_id_number_messages(user=user, people=[existing])[existing.id_number]
    if message in (FOREIGN_ID_NUMBER, TRANSFER_NEEDED):  # a possible probe: logged and reported
        foreign_id_numbers_report(user=user, people=[existing], source="登记联系对象")
    raise ValidationError({"id_number": message})


def beneficiary_create(
    *,
    user: User,
    org_unit: OrgUnit,
    name: str,
    category: BeneficiaryCategory,
    id_number: str,
    phone: str = "",
    address: str = "",
    notes: str = "",
) -> Beneficiary:
    _check_ledger_unit(user, org_unit)
    number = normalize_id_number(id_number)
    _refuse_registered_id_number(user=user, id_number=number)  # outside the transaction: its report stays
    with transaction.atomic():
        beneficiary = Beneficiary(
            org_unit=org_unit,
            name=name.strip(),
            category=category,
            id_number=number,
            phone=phone,
            address=address,
            notes=notes,
        )
        beneficiary.full_clean()
        beneficiary.save()
    return beneficiary


def beneficiary_update(*, user: User, beneficiary: Beneficiary, version: int, **fields: Any) -> Beneficiary:
    _check_ledger_unit(user, fields.get("org_unit", beneficiary.org_unit))
    if "id_number" in fields:
        fields["id_number"] = normalize_id_number(fields["id_number"])
        if fields["id_number"] != beneficiary.id_number:
            _refuse_registered_id_number(user=user, id_number=fields["id_number"], exclude_pk=beneficiary.pk)
    with transaction.atomic():
        claim_version(beneficiary, expected_version=version)
        for name, value in fields.items():
            setattr(beneficiary, name, value)
        beneficiary.full_clean()
        beneficiary.save()
    return beneficiary


def beneficiary_view_log(*, user: User, beneficiary: Beneficiary) -> None:
    """A read of a person's full record (the detail page) is logged, like every change."""
    IdentityAccessLog.objects.create(user=user, beneficiary=beneficiary, action=IdentityAccess.VIEW)


@transaction.atomic
def beneficiary_reveal_id_number(*, user: User, beneficiary: Beneficiary) -> str:
    """The full identity number, once, with the read logged (who, when, whose)."""
    require(may_see_ledger(user), "您的角色无权查看完整身份证号。")
    IdentityAccessLog.objects.create(user=user, beneficiary=beneficiary, action=IdentityAccess.SHOW)
    return beneficiary.id_number


@transaction.atomic
def identity_export_log(*, user: User, beneficiaries: Iterable[Beneficiary]) -> int:
    """Only the office may export full identity numbers; every exported person is logged."""
    require(may_export_full_id_numbers(user), "只有双拥办可以导出完整身份证号。")
    logs = [IdentityAccessLog(user=user, beneficiary=b, action=IdentityAccess.EXPORT_FULL) for b in beneficiaries]
    IdentityAccessLog.objects.bulk_create(logs)
    return len(logs)


@transaction.atomic
def ledger_export_log(*, user: User, beneficiaries: Iterable[Beneficiary]) -> int:
    """The masked export still carries each person's full record (phone, address, notes): one entry per person."""
    require(may_maintain_ledger(user), "只有乡镇（街道）和双拥办可以导出联系工作台账。")
    logs = [IdentityAccessLog(user=user, beneficiary=b, action=IdentityAccess.EXPORT_MASKED) for b in beneficiaries]
    IdentityAccessLog.objects.bulk_create(logs, batch_size=1000)
    return len(logs)


@transaction.atomic
def contact_log_create(
    *, user: User, beneficiary: Beneficiary, date: dt.date, way: str, contacted_by: str, content: str
) -> ContactLog:
    _check_ledger_unit(user, beneficiary.org_unit)
    log = ContactLog(
        beneficiary=beneficiary, date=date, way=way, contacted_by=contacted_by, content=content, created_by=user
    )
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def difficulty_create(
    *,
    user: User,
    beneficiary: Beneficiary,
    kind: str,
    description: str,
    raised_on: dt.date,
    state: str,
    resolution: str,
) -> Difficulty:
    _check_ledger_unit(user, beneficiary.org_unit)
    difficulty = Difficulty(
        beneficiary=beneficiary,
        kind=kind,
        description=description,
        raised_on=raised_on,
        state=state,
        resolution=resolution,
    )
    difficulty.full_clean()
    difficulty.save()
    return difficulty


@transaction.atomic
def difficulty_update(
    *, user: User, difficulty: Difficulty, state: str, resolution: str, version: Version = CURRENT
) -> Difficulty:
    _check_ledger_unit(user, difficulty.beneficiary.org_unit)
    claim_version(difficulty, expected_version=version)
    difficulty.state = state
    difficulty.resolution = resolution
    difficulty.full_clean()
    difficulty.save()
    return difficulty
