"""Excel/CSV import of visit records and of the ledger: read, validate every row, save all or nothing.

The stock django-import-export path validates and saves row by row (several queries per row);
10,000 rows must import in well under a minute, so this module validates the whole file in
one pass against lookups fetched once (units, returns, beneficiaries), and saves with
``bulk_create`` inside one transaction. The column layout comes from visits.resources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from shuangyong.access import personal_scope_q, unit_in_scope, units_in_scope
from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.selectors import troop_units_under
from shuangyong.tables import (
    UNIT_NOT_FOUND,
    CellError,
    ChoiceLabelWidget,
    Table,
    column_limits,
    read_table,
)
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    Campaign,
    ContactWay,
    Return,
    TableRow,
    VisitDifficulty,
    VisitRecord,
)
from visits.policy import REPORTING_KINDS, may_enter_records, may_maintain_ledger
from visits.resources import BENEFICIARY_COLUMNS, DIFFICULTY_COLUMNS, VISIT_COLUMNS
from visits.selectors import beneficiaries_for
from visits.services import (
    MAX_COUNT,
    ensure_return_editable,
    foreign_id_numbers_report,
    registered_id_number_messages,
    return_for,
    visit_numbers_errors,
)
from visits.validators import id_number_error, normalize_id_number

MAX_ERRORS_SHOWN = 1000
#: Numbers already in another township's ledger: a few are typos or people who moved; more look
#: like a probe of who is registered elsewhere, and the whole file is refused without row details.
MAX_FOREIGN_ID_NUMBERS = 3
#: The columns typed as free text, each held to its model field's max_length by the reader.
VISIT_TEXT_FIELDS: tuple[str, ...] = ("lead_leader", "notes")
LEDGER_TEXT_FIELDS: tuple[str, ...] = ("name", "phone", "address", "notes")


@dataclass
class ImportResult:
    """Validated rows ready to save, or the errors that stop the whole file."""

    kind: str
    total: int = 0
    objects: list[Any] = field(default_factory=list)
    # Visit records only: the difficulties solved on each record (kind -> count), as ``objects``.
    difficulties: list[dict[str, int]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.total > 0 and not self.errors

    @property
    def shown_errors(self) -> list[CellError]:
        """The preview lists at most this many: a wholly wrong file would otherwise be a 100,000-line page."""
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)

    def errors_by_row(self) -> list[tuple[int, list[CellError]]]:
        grouped: dict[int, list[CellError]] = {}
        for e in self.errors:
            grouped.setdefault(e.row, []).append(e)
        return sorted(grouped.items())


# --- saving ---------------------------------------------------------------------------------


class _Builder:
    """Unsaved instances of ``model`` from field attnames, built positionally: Django's fast path,
    which over 10,000 rows costs half the keyword path (and none of the related descriptors)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.attnames = [f.attname for f in model._meta.concrete_fields]
        self.dynamic = [f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
        self.defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields if f not in self.dynamic}

    def __call__(self, **values: Any) -> Any:
        row = {**self.defaults, **{f.attname: f.get_default() for f in self.dynamic}, **values}
        if len(row) != len(self.attnames):
            raise TypeError(f"{self.model.__name__} has no field {sorted(set(row) - set(self.attnames))}")
        return self.model(*[row[name] for name in self.attnames])


def _bulk_create_with_history(objs: list[Any], model: type[models.Model], *, user: User) -> list[Any]:
    """``bulk_create`` and one "+" history row per object by ``user``: the rows simple_history's
    ``bulk_create_with_history`` writes, copied by the database from the rows just inserted
    (INSERT … SELECT) instead of 10,000 historical instances built and compiled in Python —
    unless a field of the history transforms its value on save."""
    historical: Any = model.history.model  # type: ignore[attr-defined]
    hmeta, quote = historical._meta, connection.ops.quote_name
    if any(not type(f).pre_save.__module__.startswith("django.") for f in hmeta.concrete_fields):
        # A field that writes its history differently (the ledger's identity number is stored
        # masked there) must go through its pre_save: simple_history's own path.
        return bulk_create_with_history(objs, model, batch_size=1000, default_user=user)
    created = model._default_manager.bulk_create(objs, batch_size=1000)
    copied = [(hmeta.get_field(f.name).column, f.column) for f in historical.tracked_fields]
    stamps = [hmeta.get_field(name).column for name in HISTORY_STAMPS]
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = [obj.pk for obj in created]
    # Names from the models' metadata, quoted by the backend; every value is a parameter.
    columns = ", ".join(quote(c) for c in [*(d for d, _ in copied), *stamps])
    sources = ", ".join(quote(c) for _, c in copied)
    pk_field = model._meta.pk
    assert pk_field is not None and pk_field.column is not None
    target, source, pk = quote(hmeta.db_table), quote(model._meta.db_table), quote(pk_field.column)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"INSERT INTO {target} ({columns}) SELECT {sources}, %s, %s, %s, %s FROM {source} WHERE {pk} IN ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [when, "", "+", user.pk, *chunk])
    return created


# The columns of a historical row that are not the record's: when, why, what, who.
HISTORY_STAMPS = ("history_date", "history_change_reason", "history_type", "history_user")


# --- reading (shuangyong.tables) ------------------------------------------------------------


def read_import_table(*, kind: str, name: str, content: bytes) -> Table:
    """The upload of a visit-record (``kind="visits"``) or ledger import, read and limited by the
    shared reader; raises shuangyong.tables.UploadRefused."""
    if kind == "visits":
        model: type[models.Model] = VisitRecord
        columns, text_fields = VISIT_COLUMNS, VISIT_TEXT_FIELDS
    else:
        model, columns, text_fields = Beneficiary, BENEFICIARY_COLUMNS, LEDGER_TEXT_FIELDS
    limits = column_limits(model, {columns[f]: f for f in text_fields})
    return read_table(name=name, content=content, columns=columns.values(), max_chars=limits)


def _positions(table: Table, columns: dict[str, str]) -> dict[str, int]:
    """Field -> index of its column, for the columns the table has."""
    found = {name: table.column(label) for name, label in columns.items()}
    return {name: index for name, index in found.items() if index is not None}


# --- cell parsing ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: Any) -> int:
    text = _text(value)
    if not text:
        return 0
    if not re.fullmatch(r"-?\d+(\.0+)?", text):
        raise ValueError("应为整数。")
    return int(Decimal(text))


def _decimal(value: Any) -> Decimal:
    text = _text(value).replace(",", "")
    if not text:
        return Decimal("0")
    try:
        number = Decimal(str(value) if isinstance(value, float) else text)
    except InvalidOperation as e:
        raise ValueError("应为数字（单位：元）。") from e
    if not number.is_finite():
        raise ValueError("应为数字（单位：元）。")
    return number


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.match(_text(value))
    if not match:
        raise ValueError("日期格式应为 2027-02-01。")
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as e:
        raise ValueError("不是有效的日期。") from e


def _unit_lookup(units: Iterable[OrgUnit]) -> dict[str, list[OrgUnit]]:
    by_name: dict[str, list[OrgUnit]] = {}
    for u in units:
        for name in {u.name, u.short_name} - {""}:
            by_name.setdefault(name, []).append(u)
    return by_name


# --- visit records ------------------------------------------------------------------------


def _belongs_to(person: Beneficiary, unit: OrgUnit) -> bool:
    """The person is in the unit's ledger: the unit itself or a unit below it (as in VisitRecordForm)."""
    return person.org_unit.path.startswith(unit.path)


def validate_visit_rows(*, user: User, campaign: Campaign, table: Table) -> ImportResult:
    """One pass over the rows with lookups fetched up front: a fixed number of queries.

    Units and troops are looked up only among those the user may name (the units in scope, the
    troops of the campaign's county, as on the form): a unit elsewhere reads as one that does not
    exist, so that an import never tells whether a name exists outside the user's scope.
    """
    result = ImportResult(kind="visits", total=len(table.rows))
    if not may_enter_records(user):
        result.errors.append(CellError(0, "", "您的角色不能导入走访记录。"))
        return result
    col = _positions(table, VISIT_COLUMNS)
    difficulty_col = _positions(table, DIFFICULTY_COLUMNS)
    labels = {**VISIT_COLUMNS, **DIFFICULTY_COLUMNS}
    expected = set(campaign.expected_units.values_list("pk", flat=True))
    # Records name people: only units whose personal data the user may see (not a county below a city).
    own_units = _unit_lookup(
        OrgUnit.objects.filter(personal_scope_q(user, ""), kind__in=REPORTING_KINDS, is_active=True)
    )
    troops = _unit_lookup(troop_units_under(campaign.owner_unit))
    returns = {r.org_unit_id: r for r in Return.objects.filter(campaign=campaign)}
    ids = {normalize_id_number(_text(r[col["beneficiary"]])) for r in table.rows if _text(r[col["beneficiary"]])}
    people = {b.id_number: b for b in beneficiaries_for(user).filter(id_number__in=ids)}
    table_rows = ChoiceLabelWidget(TableRow)
    new_record = _Builder(VisitRecord)
    ways = ChoiceLabelWidget(ContactWay)

    for line, raw in zip(table.row_numbers, table.rows, strict=True):
        errors: dict[str, str] = {}

        def cell(
            name: str, parse: Callable[[Any], Any], raw: Sequence[Any] = raw, errors: dict[str, str] = errors
        ) -> Any:
            try:
                return parse(raw[col[name]])
            except ValueError as e:
                errors[name] = str(e)
                return None

        unit_name = cell("org_unit", _text)
        candidates = own_units.get(unit_name or "", [])
        unit = candidates[0] if len(candidates) == 1 else None
        if not unit_name:
            errors["org_unit"] = "请填写填报单位。"
        elif unit is None:
            errors["org_unit"] = (
                f"单位名称“{unit_name}”不唯一。" if candidates else UNIT_NOT_FOUND.format(names=unit_name) + "。"
            )
        elif unit.pk not in expected:
            errors["org_unit"] = f"“{unit_name}”不在本次活动的应报送单位中。"
        elif unit.pk in returns and not returns[unit.pk].is_editable:
            errors["org_unit"] = f"“{unit_name}”的填报已{returns[unit.pk].get_status_display()}，不能再导入。"

        values: dict[str, Any] = {
            "visit_date": cell("visit_date", _date),
            "people_visited": cell("people_visited", _int),
            "money_amount": cell("money_amount", _decimal),
            "money_recipients": cell("money_recipients", _int),
            "goods_spending": cell("goods_spending", _decimal),
            "goods_count": cell("goods_count", _int),
            "goods_recipients": cell("goods_recipients", _int),
            "lead_leader": cell("lead_leader", _text),
            "notes": cell("notes", _text),
            "table_row": cell("table_row", table_rows.clean),
            "way": cell("way", lambda v: ways.clean(v) if _text(v) else ContactWay.HOME_VISIT),
        }
        id_number = normalize_id_number(cell("beneficiary", _text) or "")
        values["beneficiary"] = people.get(id_number) if id_number else None
        if id_number and (id_error := id_number_error(id_number)):
            errors["beneficiary"] = id_error
        elif id_number and values["beneficiary"] is None:
            errors["beneficiary"] = "台账中没有该身份证号的联系对象（或不在您的辖区）。"
        elif values["beneficiary"] is not None and unit is not None and not _belongs_to(values["beneficiary"], unit):
            # The office sees the whole county: the person must still be of the row's unit (or below it).
            errors["beneficiary"] = f"该联系对象不属于“{unit.name}”，只能填写本单位（含下属村、社区）台账中的对象。"
        troop_name = cell("troop_unit", _text)
        values["troop_unit"] = troops[troop_name][0] if troop_name in troops else None
        if troop_name and values["troop_unit"] is None:
            errors["troop_unit"] = f"部队“{troop_name}”不存在或不是本活动所在县（区）的驻地部队。"
        numbers = {k: v for k, v in values.items() if k not in errors and v is not None}
        for name, message in visit_numbers_errors(numbers, campaign).items():
            errors.setdefault(name, message)
        solved: dict[str, int] = {}
        for kind, index in difficulty_col.items():
            try:
                count = _int(raw[index])
            except ValueError:
                errors[kind] = "应为整数（解决件数；没有解决的可留空）。"
                continue
            if count < 0:
                errors[kind] = "解决件数不能为负数。"
            elif count > MAX_COUNT:
                errors[kind] = f"解决件数过大（超过 {MAX_COUNT} ），请核对。"
            elif count:
                solved[kind] = count

        if errors:
            result.errors.extend(CellError(line, labels[name], msg) for name, msg in errors.items())
            continue
        assert unit is not None
        # By ids, not objects: 10,000 rows cost a tenth of the time in Django's related descriptors.
        beneficiary, troop = values.pop("beneficiary"), values.pop("troop_unit")
        result.objects.append(
            new_record(
                campaign_id=campaign.pk,
                org_unit_id=unit.pk,
                created_by_id=user.pk,
                beneficiary_id=beneficiary.pk if beneficiary else None,
                troop_unit_id=troop.pk if troop else None,
                **values,
            )
        )
        result.difficulties.append(solved)
    return result


@transaction.atomic
def visit_records_import(*, user: User, campaign: Campaign, table: Table) -> ImportResult:
    """Validate and save every row, or nothing: one bad row and the whole file is refused."""
    result = validate_visit_rows(user=user, campaign=campaign, table=table)
    if not result.ok:
        return result
    returns: dict[int, Return] = {}
    units = OrgUnit.objects.in_bulk({record.org_unit_id for record in result.objects})
    for unit_id in sorted(units):  # in one order, so that two imports never wait on each other
        # Locks each unit's return for this transaction; a return submitted meanwhile stops the import.
        returns[unit_id] = ret = return_for(campaign=campaign, org_unit=units[unit_id])
        ensure_return_editable(ret)
    for record in result.objects:
        record.unit_return_id = returns[record.org_unit_id].pk
    created = _bulk_create_with_history(result.objects, VisitRecord, user=user)
    # PostgreSQL and SQLite hand back the new ids in order, so each row's difficulties follow it.
    assert all(record.pk for record in created)
    _bulk_create_with_history(
        [
            VisitDifficulty(record=record, kind=kind, count=count)
            for record, solved in zip(created, result.difficulties, strict=True)
            for kind, count in solved.items()
        ],
        VisitDifficulty,
        user=user,
    )
    for ret in returns.values():
        if ret.no_visits:
            # Records mean the unit did visit after all (as on the form). Saved one by one, not
            # updated in bulk, so that each return's history keeps the change and who made it.
            ret.no_visits = False
            ret.save(update_fields=["no_visits"])
    return result


# --- the ledger ---------------------------------------------------------------------------


def validate_beneficiary_rows(*, user: User, table: Table) -> ImportResult:
    """Every row checked as the ledger's form checks it (identity numbers by the same validator);
    units are looked up in the user's scope only (one message for "no such unit" and "not yours")."""
    result = ImportResult(kind="ledger", total=len(table.rows))
    if not may_maintain_ledger(user):
        result.errors.append(CellError(0, "", "您的角色不能导入联系工作台账。"))
        return result
    col = _positions(table, BENEFICIARY_COLUMNS)
    units = _unit_lookup(
        units_in_scope(user).filter(kind__in=[OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE], is_active=True)
    )
    categories = {c.name: c for c in BeneficiaryCategory.objects.filter(is_active=True)}
    ids_in_file = [normalize_id_number(_text(r[col["id_number"]])) for r in table.rows]
    registered = {
        b.id_number: b for b in Beneficiary.objects.select_related("org_unit").filter(id_number__in=set(ids_in_file))
    }
    refusals = registered_id_number_messages(user=user, people=registered.values())
    foreign = [b for b in registered.values() if not unit_in_scope(user, b.org_unit)]
    if foreign:
        foreign_id_numbers_report(user=user, people=foreign, source="导入联系工作台账")
    if len(foreign) > MAX_FOREIGN_ID_NUMBERS:
        message = (
            f"文件中有 {len(foreign)} 个身份证号无法在本单位登记，整个文件不予导入。"
            "请核对文件是否只包含本辖区的联系对象，或联系双拥办核实。"
        )
        result.errors.append(CellError(0, "", message))
        return result
    seen: dict[str, int] = {}

    for offset, (line, raw) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        errors: dict[str, str] = {}
        value = {name: _text(raw[i]) for name, i in col.items()}
        if not value["name"]:
            errors["name"] = "请填写姓名。"
        category = categories.get(value["category"])
        if category is None:
            errors["category"] = f"类别“{value['category']}”不在类别清单中。"
        id_number = ids_in_file[offset]
        id_error = id_number_error(id_number)
        if id_error:
            errors["id_number"] = id_error
        elif id_number in registered:
            errors["id_number"] = refusals[id_number]
        elif id_number in seen:
            errors["id_number"] = f"与第 {seen[id_number]} 行的身份证号重复。"
        else:
            seen[id_number] = line
        candidates = units.get(value["org_unit"], [])
        if len(candidates) > 1:
            errors["org_unit"] = f"单位名称“{value['org_unit']}”不唯一。"
        elif not candidates:
            errors["org_unit"] = UNIT_NOT_FOUND.format(names=value["org_unit"]) + "，只能导入本辖区的联系对象。"
        if errors:
            result.errors.extend(CellError(line, BENEFICIARY_COLUMNS[n], m) for n, m in errors.items())
            continue
        result.objects.append(
            Beneficiary(
                name=value["name"],
                category=category,
                id_number=id_number,
                phone=value["phone"],
                address=value["address"],
                org_unit=candidates[0],
                notes=value["notes"],
            )
        )
    return result


@transaction.atomic
def beneficiaries_import(*, user: User, table: Table) -> ImportResult:
    result = validate_beneficiary_rows(user=user, table=table)
    if result.ok:
        try:
            _bulk_create_with_history(result.objects, Beneficiary, user=user)
        except IntegrityError as e:  # a number registered by someone else since the preview
            raise ValidationError("导入时发现身份证号已被登记，请重新上传核对。") from e
    return result
