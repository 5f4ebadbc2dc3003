"""Visit records: the numbers rules, entering, editing and deleting a unit's records of a campaign."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangyong.access import unit_in_personal_scope
from shuangyong.concurrency import claim_version
from shuangyong.models import OrgUnit, User
from visits.models import (
    RECORD_FIELDS,
    Campaign,
    Return,
    ReturnStatus,
    VisitDifficulty,
    VisitRecord,
)
from visits.policy import (
    REPORTING_KINDS,
    may_enter_records,
    record_editable,  # noqa: F401  (re-exported by visits.services)
)
from visits.services._common import require


@dataclass(frozen=True)
class DifficultySolved:
    kind: str
    count: int
    note: str = ""


def check_record_unit(user: User, campaign: Campaign, org_unit: OrgUnit) -> None:
    require(may_enter_records(user), "您的角色不能填写走访记录。")
    # Records name people: entered only inside their county (never by an office above it).
    if not unit_in_personal_scope(user, org_unit) or org_unit.kind not in REPORTING_KINDS:
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


def _clean_record(record: VisitRecord, *, named_before: int | None = None) -> None:
    errors = visit_numbers_errors({f: getattr(record, f) for f in RECORD_FIELDS}, record.campaign)
    person = record.beneficiary
    if person is not None and person.pk != named_before and not person.org_unit.path.startswith(record.org_unit.path):
        # A newly named person is one of the unit's own ledger (or of a village below it), whoever
        # enters the record. The person a record already names stays, even one who has moved to
        # another county since (transfer_accept): the unit's records and figures stay as they were.
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
    named_before = record.beneficiary_id
    for name, value in fields.items():
        setattr(record, name, value)
    _clean_record(record, named_before=named_before)
    record.save()
    _set_difficulties(record, difficulties)
    return record


@transaction.atomic
def visit_record_delete(*, user: User, record: VisitRecord) -> None:
    check_record_unit(user, record.campaign, record.org_unit)
    ensure_return_editable(return_for(campaign=record.campaign, org_unit=record.org_unit))
    record.delete()
