"""Writes of the ledger, campaigns, visit records and returns.

Every function re-checks who may do it (views check too, but a service is also called by the
importer and the demo seeder) and raises ValidationError with a message fit for the user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from shuangyong.access import unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from shuangyong.notifications import notify
from visits.calendar import campaign_defaults
from visits.models import (
    EDITABLE_STATUSES,
    RECORD_FIELDS,
    Beneficiary,
    BeneficiaryCategory,
    Campaign,
    CampaignKind,
    ContactLog,
    Difficulty,
    EarlySubmission,
    IdentityAccess,
    IdentityAccessLog,
    Return,
    ReturnStatus,
    VisitDifficulty,
    VisitRecord,
)
from visits.validators import mask_id_number, normalize_id_number

#: The ledger is personal data: the person's township and the office only (domain.md §4). System
#: administrators manage accounts in the admin; they do not read, reveal or export the ledger.
LEDGER_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.OFFICE})
RECORD_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.MEMBER_LIAISON, Role.OFFICE, Role.ADMIN})
REPORTING_KINDS = frozenset({OrgUnitKind.TOWNSHIP, OrgUnitKind.MEMBER_UNIT})


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_office(user: User) -> None:
    _require(user.is_office, "只有双拥办可以执行此操作。")


# --- the ledger ---------------------------------------------------------------------------


def _check_ledger_unit(user: User, org_unit: OrgUnit) -> None:
    _require(user.role in LEDGER_ROLES, "只有乡镇（街道）和双拥办可以维护联系工作台账。")
    if not unit_in_scope(user, org_unit) or org_unit.kind not in (OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE):
        raise ValidationError({"org_unit": "只能登记到本辖区的乡镇（街道）或村（社区）。"})


#: In the user's own scope a duplicate is named precisely; a number of another township's ledger
#: gets this one answer, so that the form cannot be used to learn who is registered elsewhere.
DUPLICATE_ID_NUMBER = "该身份证号已登记在台账中，同一县内不能重复登记。"
FOREIGN_ID_NUMBER = "该身份证号无法在本单位登记，请联系双拥办核实。"


def office_users_above(user: User) -> QuerySet[User]:
    """The active 双拥办 staff of the user's county (the office units above or at the user's unit)."""
    ancestors = user.org_unit.ancestor_pks() if user.org_unit else []
    return User.objects.filter(org_unit_id__in=ancestors, role=Role.OFFICE, is_active=True)


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
        numbers = "、".join(f"{mask_id_number(p.id_number)}（{p.org_unit.name}）" for p in people[:10])
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
    if unit_in_scope(user, existing.org_unit):
        raise ValidationError({"id_number": DUPLICATE_ID_NUMBER})
    foreign_id_numbers_report(user=user, people=[existing], source="登记联系对象")
    raise ValidationError({"id_number": FOREIGN_ID_NUMBER})


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
    _require(user.role in LEDGER_ROLES, "您的角色无权查看完整身份证号。")
    IdentityAccessLog.objects.create(user=user, beneficiary=beneficiary, action=IdentityAccess.SHOW)
    return beneficiary.id_number


@transaction.atomic
def identity_export_log(*, user: User, beneficiaries: Iterable[Beneficiary]) -> int:
    """Only the office may export full identity numbers; every exported person is logged."""
    _require(user.role == Role.OFFICE, "只有双拥办可以导出完整身份证号。")
    logs = [IdentityAccessLog(user=user, beneficiary=b, action=IdentityAccess.EXPORT_FULL) for b in beneficiaries]
    IdentityAccessLog.objects.bulk_create(logs)
    return len(logs)


@transaction.atomic
def ledger_export_log(*, user: User, beneficiaries: Iterable[Beneficiary]) -> int:
    """The masked export still carries each person's full record (phone, address, notes): one entry per person."""
    _require(user.role in LEDGER_ROLES, "只有乡镇（街道）和双拥办可以导出联系工作台账。")
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


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    user: User,
    year: int,
    kind: str,
    title: str,
    visit_start: dt.date,
    visit_end: dt.date,
    return_deadline: dt.date,
    expected_units: Iterable[OrgUnit],
    early_submission: str = EarlySubmission.WARN,
) -> Campaign:
    _require_office(user)
    assert user.org_unit is not None
    campaign = Campaign(
        year=year,
        kind=kind,
        title=title,
        visit_start=visit_start,
        visit_end=visit_end,
        return_deadline=return_deadline,
        early_submission=early_submission,
        owner_unit=user.org_unit,
    )
    _clean_campaign(campaign)
    campaign.save()
    campaign.expected_units.set(_reporting_units(user, expected_units))
    return campaign


@transaction.atomic
def campaign_update(
    *,
    user: User,
    campaign: Campaign,
    expected_units: Iterable[OrgUnit],
    version: Version = CURRENT,
    **fields: Any,
) -> Campaign:
    _require_office(user)
    claim_version(campaign, expected_version=version)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _clean_campaign(campaign)
    campaign.save()
    campaign.expected_units.set(_reporting_units(user, expected_units))
    return campaign


def _clean_campaign(campaign: Campaign) -> None:
    campaign.full_clean()
    if campaign.visit_end < campaign.visit_start:
        raise ValidationError({"visit_end": "走访结束日期不能早于开始日期。"})
    if campaign.return_deadline < campaign.visit_start:
        raise ValidationError({"return_deadline": "报送截止日期不能早于走访开始日期。"})


def _reporting_units(user: User, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    return [u for u in units if unit_in_scope(user, u) and u.kind in REPORTING_KINDS]


@transaction.atomic
def campaigns_create_for_year(*, user: User, year: int, expected_units: Sequence[OrgUnit]) -> list[Campaign]:
    """Create the year's 春节 and 八一 campaigns with the default windows; existing ones are kept."""
    _require_office(user)
    created = []
    for kind in (CampaignKind.SPRING, CampaignKind.ARMY_DAY):
        if Campaign.objects.filter(owner_unit=user.org_unit, year=year, kind=kind).exists():
            continue
        d = campaign_defaults(year=year, kind=kind)
        created.append(
            campaign_create(
                user=user,
                year=year,
                kind=kind,
                title=d.title,
                visit_start=d.visit_start,
                visit_end=d.visit_end,
                return_deadline=d.return_deadline,
                expected_units=expected_units,
            )
        )
    return created


# --- visit records ------------------------------------------------------------------------


@dataclass(frozen=True)
class DifficultySolved:
    kind: str
    count: int
    note: str = ""


def check_record_unit(user: User, campaign: Campaign, org_unit: OrgUnit) -> None:
    _require(user.role in RECORD_ROLES, "您的角色不能填写走访记录。")
    if not unit_in_scope(user, org_unit) or org_unit.kind not in REPORTING_KINDS:
        raise ValidationError({"org_unit": "只能为本单位（或本辖区的填报单位）填写走访记录。"})
    if not campaign.expected_units.filter(pk=org_unit.pk).exists():
        raise ValidationError({"org_unit": f"{org_unit.name}不在本次活动的应报送单位中。"})


def return_for(*, campaign: Campaign, org_unit: OrgUnit) -> Return:
    """The unit's return for the campaign (a draft is opened on first use), locked for this transaction."""
    ret, _ = Return.objects.get_or_create(campaign=campaign, org_unit=org_unit)
    return Return.objects.select_for_update().select_related("campaign", "org_unit").get(pk=ret.pk)


def ensure_return_editable(ret: Return) -> None:
    if ret.status == ReturnStatus.SUBMITTED:
        raise ValidationError("本单位的填报已提交，等待双拥办审核，不能再修改走访记录；如需修改请联系双拥办退回。")
    if ret.status == ReturnStatus.ACCEPTED:
        raise ValidationError("本单位的填报已审核锁定，不能再修改走访记录；如需修改请联系双拥办重新打开。")


MAX_COUNT = 1_000_000  # far above any township's holiday; catches a typed-in ID or phone number
COUNT_LABELS = {
    "people_visited": "走访慰问人数",
    "money_recipients": "慰问金发放人数",
    "goods_count": "慰问品数量",
    "goods_recipients": "慰问品发放人数",
}


def visit_numbers_errors(values: dict[str, Any], campaign: Campaign) -> dict[str, str]:
    """The issue's rules for a visit record, field -> Chinese message. Shared by the form and the importer."""
    errors: dict[str, str] = {}
    for name, label in COUNT_LABELS.items():
        value = values.get(name)
        if value is not None and value < 0:
            errors[name] = "不能为负数。"
        elif value is not None and value > MAX_COUNT:
            errors[name] = f"{label}过大（超过 {MAX_COUNT} ），请核对。"
    for name in ("money_amount", "goods_spending"):
        value = values.get(name)
        if value is None:
            continue
        if value < 0:
            errors[name] = "金额不能为负数。"
        elif value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
            errors[name] = "金额最多保留两位小数（元、角、分）。"
        elif value >= Decimal("1e12"):
            errors[name] = "金额过大，请核对（单位：元）。"
    people = values.get("people_visited")
    if people is not None and "people_visited" not in errors:
        # Only against a valid head count: a bad one is reported once, at its own cell.
        for name, label in (("money_recipients", "慰问金发放人数"), ("goods_recipients", "慰问品发放人数")):
            if name not in errors and (values.get(name) or 0) > people:
                errors[name] = f"{label}不能多于走访慰问人数（{people} 人）。"
    money, goods = values.get("money_amount"), values.get("goods_spending")
    if (
        people == 0
        and "people_visited" not in errors
        and not errors.keys() & {"money_amount", "goods_spending"}
        and not money
        and not goods
    ):
        # Nobody visited and nothing given: an empty line that would only blur the table.
        errors["people_visited"] = "走访慰问人数为 0，也没有慰问金和慰问品：请填写走访慰问人数。"
    day = values.get("visit_date")
    if day is not None and not campaign.in_window(day):
        errors["visit_date"] = (
            f"走访日期应在活动期间（{campaign.visit_start:%Y-%m-%d} 至 {campaign.visit_end:%Y-%m-%d}）内。"
        )
    return errors


def _clean_record(record: VisitRecord) -> None:
    errors = visit_numbers_errors({f: getattr(record, f) for f in RECORD_FIELDS}, record.campaign)
    person = record.beneficiary
    if person is not None and not person.org_unit.path.startswith(record.org_unit.path):
        # Only a person of the unit's own ledger (or of a village below it), whoever enters the record.
        errors["beneficiary"] = f"该联系对象不属于“{record.org_unit.name}”，只能选择本单位台账中的对象。"
    if errors:
        raise ValidationError(errors)
    record.full_clean()


def _set_difficulties(record: VisitRecord, difficulties: Iterable[DifficultySolved]) -> None:
    """The record's lines become ``difficulties``: lines that stay the same are kept, the others
    are deleted and added, one by one, so that the history holds only real changes, with the user."""
    wanted = [VisitDifficulty(record=record, kind=d.kind, count=d.count, note=d.note) for d in difficulties if d.count]
    for row in wanted:
        row.full_clean(exclude=["record"])

    def line(d: VisitDifficulty) -> tuple[str, int, str]:
        return (d.kind, d.count, d.note)

    stale = list(record.difficulties.all())  # every line not wanted again is deleted
    for row in wanted:
        same = next((d for d in stale if line(d) == line(row)), None)
        if same is not None:
            stale.remove(same)
        else:
            row.save()
    for gone in stale:
        gone.delete()


@transaction.atomic
def visit_record_create(
    *,
    user: User,
    campaign: Campaign,
    org_unit: OrgUnit,
    difficulties: Iterable[DifficultySolved] = (),
    **fields: Any,
) -> VisitRecord:
    check_record_unit(user, campaign, org_unit)
    ret = return_for(campaign=campaign, org_unit=org_unit)
    ensure_return_editable(ret)
    record = VisitRecord(campaign=campaign, org_unit=org_unit, unit_return=ret, created_by=user, **fields)
    _clean_record(record)
    record.save()
    _set_difficulties(record, difficulties)
    if ret.no_visits:
        # Entering a record means the unit did visit after all.
        ret.no_visits = False
        ret.save(update_fields=["no_visits"])
    return record


@transaction.atomic
def visit_record_update(
    *,
    user: User,
    record: VisitRecord,
    version: int,
    difficulties: Iterable[DifficultySolved] = (),
    **fields: Any,
) -> VisitRecord:
    check_record_unit(user, record.campaign, record.org_unit)
    ensure_return_editable(return_for(campaign=record.campaign, org_unit=record.org_unit))
    claim_version(record, expected_version=version)
    for name, value in fields.items():
        setattr(record, name, value)
    _clean_record(record)
    record.save()
    _set_difficulties(record, difficulties)
    return record


@transaction.atomic
def visit_record_delete(*, user: User, record: VisitRecord) -> None:
    check_record_unit(user, record.campaign, record.org_unit)
    ensure_return_editable(return_for(campaign=record.campaign, org_unit=record.org_unit))
    record.delete()


# --- the return workflow ------------------------------------------------------------------


def _return_url(ret: Return) -> str:
    return reverse("visits:unit_return", args=[ret.campaign_id, ret.org_unit_id])


def _notify_unit(ret: Return, *, title: str, body: str) -> None:
    recipients = User.objects.filter(org_unit=ret.org_unit, is_active=True, role__in=RECORD_ROLES)
    notify(recipients=recipients, title=title, body=body, url=_return_url(ret), obj=ret)


def _notify_office(ret: Return, *, title: str, body: str) -> None:
    recipients = User.objects.filter(org_unit=ret.campaign.owner_unit, is_active=True, role=Role.OFFICE)
    notify(recipients=recipients, title=title, body=body, url=_return_url(ret), obj=ret)


def return_submit_errors(*, campaign: Campaign, has_records: bool, no_visits: bool) -> dict[str, str]:
    """Why a return cannot be submitted now, by form field ("" = the whole form). The submit page
    asks this before its confirmation step; ``return_submit`` asks it again when it saves."""
    today = timezone.localdate()
    if campaign.refuses_submission_on(today):
        return {"": campaign.early_submission_message(today)}
    if no_visits and has_records:
        return {"no_visits": "已有走访记录，不能选择“本期无走访”。"}
    if not no_visits and not has_records:
        return {"no_visits": "还没有走访记录：请先填写走访记录，或勾选“本期无走访”后提交。"}
    return {}


@transaction.atomic
def return_submit(
    *, user: User, campaign: Campaign, org_unit: OrgUnit, version: int | None, no_visits: bool, summary: str
) -> Return:
    """草稿/已退回 → 已提交. ``no_visits`` is the explicit "本期无走访" (only allowed with no records)."""
    check_record_unit(user, campaign, org_unit)
    ret = return_for(campaign=campaign, org_unit=org_unit)
    ensure_return_editable(ret)
    if version is not None:
        claim_version(ret, expected_version=version)
    errors = return_submit_errors(campaign=campaign, has_records=ret.records.exists(), no_visits=no_visits)
    if "" in errors:
        raise ValidationError(errors[""])
    if errors:
        raise ValidationError(errors)
    ret.no_visits = no_visits
    ret.summary = summary
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at = timezone.now()
    ret.submitted_by = user
    ret.return_reason = ""
    ret.full_clean()
    ret.save()
    what = "本期无走访" if no_visits else f"{ret.records.count()} 条走访记录"
    late = "（逾期）" if ret.is_late else ""
    _notify_office(ret, title=f"{org_unit.name}提交了{campaign.title}填报{late}", body=f"{what}，请审核。")
    return ret


def _office_transition(user: User, ret: Return, *, allowed_from: set[str], version: int | None) -> Return:
    _require_office(user)
    _require(unit_in_scope(user, ret.org_unit), "只能审核本县的填报。")
    locked = Return.objects.select_for_update().select_related("campaign", "org_unit").get(pk=ret.pk)
    if locked.status not in allowed_from:
        raise ValidationError(f"当前状态为“{locked.get_status_display()}”，不能执行此操作。")
    if version is not None:
        claim_version(locked, expected_version=version)
    return locked


@transaction.atomic
def return_send_back(*, user: User, ret: Return, reason: str, version: int | None = None) -> Return:
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因。"})
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.SUBMITTED}, version=version)
    locked.status = ReturnStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.reviewed_at = timezone.now()
    locked.save()
    _notify_unit(locked, title=f"{locked.campaign.title}填报被退回", body=f"退回原因：{locked.return_reason}")
    return locked


@transaction.atomic
def return_accept(*, user: User, ret: Return, version: int | None = None) -> Return:
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.SUBMITTED}, version=version)
    locked.status = ReturnStatus.ACCEPTED
    locked.reviewed_at = timezone.now()
    locked.save()
    _notify_unit(locked, title=f"{locked.campaign.title}填报已审核", body="双拥办已审核通过，记录已锁定。")
    return locked


@transaction.atomic
def return_reopen(*, user: User, ret: Return, reason: str, version: int | None = None) -> Return:
    """已审核 → 已退回: the office unlocks an accepted return so that the unit can correct it."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新打开的原因。"})
    locked = _office_transition(user, ret, allowed_from={ReturnStatus.ACCEPTED}, version=version)
    locked.status = ReturnStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.save()
    body = f"可以修改走访记录。原因：{locked.return_reason}"
    _notify_unit(locked, title=f"{locked.campaign.title}填报已重新打开", body=body)
    return locked


def record_editable(record: VisitRecord) -> bool:
    return record.unit_return.status in EDITABLE_STATUSES
