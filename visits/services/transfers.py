"""Writes of a person's move to another county (迁出 → 迁入, docs/levels.md "Transfers").

The identity number is registered once in the deployment, so a person who moves county is not
registered again in the new county: the person's township or county office starts a transfer
naming the destination county (by name only: it learns nothing of that county's ledger); the
destination county's office accepts it, choosing the township, and the ledger entry moves there
with its history, contact logs and difficulties; or it refuses with a reason. The origin may
withdraw a transfer that waits. Every decision is optimistically locked and notifies both offices.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from shuangyong.access import personal_data_home, unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import PERSONAL_DATA_BOUNDARY, OrgUnit, OrgUnitKind, Role, User
from shuangyong.notifications import notify
from visits.models import Beneficiary, BeneficiaryTransfer, TransferState
from visits.policy import may_decide_transfer, may_maintain_ledger, may_withdraw_transfer
from visits.services._common import require

#: The units a person can be registered in (a township or a village of the destination county).
LEDGER_KINDS = (OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE)


def _offices_of(unit: OrgUnit | None) -> QuerySet[User]:
    return User.objects.filter(org_unit=unit, role=Role.OFFICE, is_active=True)


def _url(transfer: BeneficiaryTransfer) -> str:
    return reverse("visits:transfer_detail", args=[transfer.pk])


def _pending(transfer: BeneficiaryTransfer, action: str) -> None:
    if not transfer.is_pending:
        raise ValidationError(f"该迁移申请已{transfer.get_state_display()}，不能再{action}。")


@transaction.atomic
def transfer_request(
    *, user: User, beneficiary: Beneficiary, to_county: OrgUnit, reason: str = ""
) -> BeneficiaryTransfer:
    """迁出: the person's township or county office asks ``to_county`` to take the person over."""
    # The row lock serialises two requests for the same person (the partial unique constraint backs it).
    person = Beneficiary.objects.select_for_update().select_related("org_unit").get(pk=beneficiary.pk)
    require(
        may_maintain_ledger(user) and unit_in_scope(user, person.org_unit),
        "只有联系对象所在的乡镇（街道）和双拥办可以办理迁出。",
    )
    home = personal_data_home(person.org_unit)
    if to_county.kind != PERSONAL_DATA_BOUNDARY or not to_county.is_active:
        raise ValidationError({"to_county": "请选择迁入的区县。"})
    if home is not None and to_county.pk == home.pk:
        raise ValidationError({"to_county": "迁入区县就是该对象所在的区县；县内调整请直接修改所属乡镇（村、社区）。"})
    if BeneficiaryTransfer.objects.filter(beneficiary=person, state=TransferState.PENDING).exists():
        raise ValidationError({"to_county": "该联系对象已有待迁入的迁移申请，请等待对方处理或先撤回。"})
    transfer = BeneficiaryTransfer(
        beneficiary=person, from_unit=person.org_unit, to_county=to_county, reason=reason, requested_by=user
    )
    transfer.full_clean()
    transfer.save()
    origin = home.name if home else person.org_unit.name
    notify(
        recipients=_offices_of(to_county),
        title=f"{origin}申请将 {person.name} 迁入本县",
        body=(
            f"联系对象 {person.name}（{person.masked_id_number}）由{origin}迁出，"
            "请确认迁入并选择所属乡镇（街道），或说明理由拒绝。"
        ),
        url=_url(transfer),
        obj=transfer,
    )
    notify(
        recipients=_offices_of(home).exclude(pk=user.pk),
        title=f"{person.org_unit.name}发起迁出：{person.name} 迁往{to_county.name}",
        body=f"发起人：{user.full_name or user.username}。等待{to_county.name}确认迁入。",
        url=_url(transfer),
        obj=transfer,
    )
    return transfer


@transaction.atomic
def transfer_accept(
    *, user: User, transfer: BeneficiaryTransfer, to_unit: OrgUnit | None, version: Version
) -> BeneficiaryTransfer:
    """迁入: the destination county's office takes the person into one of its townships. The ledger
    entry moves (its history records the move), with its contact logs and difficulties."""
    require(may_decide_transfer(user, transfer), "只有迁入区县的双拥办可以确认迁入。")
    if (
        to_unit is None
        or to_unit.kind not in LEDGER_KINDS
        or not to_unit.is_active
        or not to_unit.is_below(transfer.to_county)
    ):
        raise ValidationError({"to_unit": "请选择本县的乡镇（街道）或村（社区）。"})
    claim_version(transfer, expected_version=version)
    _pending(transfer, "确认迁入")
    person = Beneficiary.objects.select_for_update().get(pk=transfer.beneficiary_id)
    # A ledger form opened before the move is refused (the person is no longer where it was).
    claim_version(person, expected_version=CURRENT)
    person.org_unit = to_unit
    person.full_clean()
    person.save()
    transfer.state = TransferState.ACCEPTED
    transfer.to_unit = to_unit
    transfer.decided_by = user
    transfer.decided_at = timezone.now()
    transfer.full_clean()
    transfer.save()
    origin_home = personal_data_home(transfer.from_unit)
    notify(
        recipients=[*_offices_of(origin_home), transfer.requested_by],
        title=f"{transfer.to_county.name}已确认迁入：{person.name}",
        body="该联系对象的台账（含联系记录、困难问题和修改历史）已转入迁入区县，本县台账不再显示。",
        url=_url(transfer),
        obj=transfer,
    )
    return transfer


@transaction.atomic
def transfer_refuse(*, user: User, transfer: BeneficiaryTransfer, reason: str, version: Version) -> BeneficiaryTransfer:
    """The destination county's office refuses, with a reason; the person stays where it is."""
    require(may_decide_transfer(user, transfer), "只有迁入区县的双拥办可以拒绝迁入。")
    if not reason.strip():
        raise ValidationError({"refusal_reason": "请填写拒绝理由。"})
    claim_version(transfer, expected_version=version)
    _pending(transfer, "拒绝")
    transfer.state = TransferState.REFUSED
    transfer.refusal_reason = reason.strip()
    transfer.decided_by = user
    transfer.decided_at = timezone.now()
    transfer.full_clean()
    transfer.save()
    notify(
        recipients=[*_offices_of(personal_data_home(transfer.from_unit)), transfer.requested_by],
        title=f"{transfer.to_county.name}拒绝迁入：{transfer.beneficiary.name}",
        body=f"拒绝理由：{transfer.refusal_reason}",
        url=_url(transfer),
        obj=transfer,
    )
    return transfer


@transaction.atomic
def transfer_withdraw(*, user: User, transfer: BeneficiaryTransfer, version: Version) -> BeneficiaryTransfer:
    """The origin (the person's township or county office) withdraws a transfer that still waits."""
    require(may_withdraw_transfer(user, transfer), "只有迁出的乡镇（街道）和双拥办可以撤回迁移申请。")
    claim_version(transfer, expected_version=version)
    _pending(transfer, "撤回")
    transfer.state = TransferState.WITHDRAWN
    transfer.decided_by = user
    transfer.decided_at = timezone.now()
    transfer.full_clean()
    transfer.save()
    notify(
        recipients=_offices_of(transfer.to_county),
        title=f"迁移申请已撤回：{transfer.beneficiary.name}",
        body=f"{transfer.from_unit.name}撤回了该联系对象迁入本县的申请。",
        url=_url(transfer),
        obj=transfer,
    )
    return transfer
