"""Excel import/export of 双清单 items and tasks (django-import-export), scoped to the user.

- Export reads only the user's selector (what the user may see).
- Import writes only into units in the user's scope: a unit outside it is reported as not
  found, and a row naming an item or a task the user may not see is refused. An import is all
  or nothing (one transaction, rolled back on any error).
- Exports are written by shuangyong.spreadsheets (formula-like text kept, as quote-prefixed text).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from import_export import fields, resources, widgets
from import_export.results import Result

from shuangyong.access import units_in_scope
from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.selectors import units_run_for
from shuangyong.spreadsheets import datasets_xlsx
from shuangyong.tables import UNIT_NOT_FOUND, CellError, ChoiceLabelWidget, column_limits, read_table
from tasks import dual_list_services as dls
from tasks import services
from tasks.models import (
    DualListCategory,
    DualListDirection,
    DualListItem,
    DualListState,
    ProposingSide,
    Task,
    TaskStatus,
)
from tasks.selectors import categories_for, dual_list_items_for, tasks_for
from tasks.validators import YEAR_MAX, YEAR_MIN, validate_date_in_range


class BoundedDateWidget(widgets.DateWidget):
    """A date cell (typed text such as 2027-06-30, or an Excel date) within the shared bounds;
    anything else is refused at its cell in Chinese."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str):
            value = value.strip()
        try:
            parsed = super().clean(value, row, **kwargs)
        except (TypeError, ValueError):
            raise ValueError(f"“{_shown(value)}”不是有效的日期，请填写如 2027-06-30 的日期。") from None
        try:
            validate_date_in_range(parsed)
        except ValidationError as e:
            raise ValueError(e.messages[0]) from None
        return parsed


def _shown(value: Any, limit: int = 30) -> str:
    """A cell's value quoted in a message, cut short (a cell may hold thousands of characters)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _whole_number(value: Any) -> int | None:
    """A cell holding a whole number (7, 7.0, "7"), else None."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


class YearWidget(widgets.IntegerWidget):
    """A year as on the 双清单 form (YEAR_MIN..YEAR_MAX): -5 or 10**30 is a slip, refused at the cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value is None or str(value).strip() == "":
            return None
        year = _whole_number(value)
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            raise ValueError(f"“{_shown(value)}”不是有效的年度，应为 {YEAR_MIN} 至 {YEAR_MAX} 之间的整数，如 2027。")
        return year


class CategoryWidget(widgets.ForeignKeyWidget):
    """A 双清单 category by its name, or a Chinese error at the cell for a name not in the list."""

    def __init__(self, user: User | None = None) -> None:
        super().__init__(DualListCategory, "name")
        self.user = user

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        name = str(value or "").strip()
        if not name:
            return None
        # The shared defaults and the importing office's own categories (never another office's).
        offered = categories_for(self.user) if self.user is not None else DualListCategory.objects.none()
        category = offered.filter(name=name).first()
        if category is None:
            raise ValueError(f"类别“{_shown(name)}”不存在，请填写“类别管理”中已有的类别，或留空。")
        return category


def _row_id(row: Any) -> int | None:
    """The row's 编号 (None when blank); a value that is not a whole number is refused at the row."""
    value = row.get("编号")
    if value is None or str(value).strip() == "":
        return None
    number = _whole_number(value)
    if number is None:
        raise ValidationError(f"编号“{_shown(value)}”无效：请保留导出文件中的编号（新增的行留空）。")
    return number


def _units_named(qs: QuerySet[OrgUnit], names: list[str]) -> list[OrgUnit]:
    """One unit per name, in order; ValueError (Chinese) for a name not found or shared by several.

    A name shared by an active and a disbanded unit means the active one; whether a disabled unit
    may be kept is the resource's decision (``_refuse_inactive``).
    """
    found: dict[str, list[OrgUnit]] = {}
    for unit in qs.filter(name__in=names).order_by("path"):
        found.setdefault(unit.name, []).append(unit)
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(UNIT_NOT_FOUND.format(names="、".join(missing)))
    units = []
    for name in names:
        candidates = [u for u in found[name] if u.is_active] or found[name]
        if len(candidates) > 1:
            raise ValueError(
                f"有 {len(candidates)} 个单位都叫“{name}”，无法确定是哪一个，请先在单位管理中把名称改得能区分"
            )
        units.append(candidates[0])
    return units


def _refuse_inactive(units: Iterable[OrgUnit | None], *, keep: Iterable[int | None] = ()) -> ValidationError | None:
    """An error for a disabled unit newly given work (one it already had may stay)."""
    kept = set(keep)
    names = [u.name for u in units if u is not None and not u.is_active and u.pk not in kept]
    return ValidationError(f"单位“{'、'.join(names)}”已停用，不能再交办。") if names else None


class ScopedUnitWidget(widgets.ForeignKeyWidget):
    """A unit looked up by name among the units the user's office runs (``units_run_for``), or
    among the units of these kinds in the user's scope."""

    def __init__(self, user: User, *, kinds: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(OrgUnit, "name", **kwargs)
        self.user = user
        self.kinds = kinds

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        return _candidate_units(self.user, self.kinds)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        name = str(value or "").strip()
        if not name:
            return None
        return _units_named(self.get_queryset(value, row), [name])[0]


class ScopedUnitsWidget(widgets.ManyToManyWidget):
    def __init__(self, user: User, *, kinds: tuple[str, ...] = ()) -> None:
        super().__init__(OrgUnit, separator="、", field="name")
        self.user = user
        self.kinds = kinds

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        names = [n.strip() for n in str(value or "").replace("，", "、").replace(",", "、").split("、") if n.strip()]
        return _units_named(_candidate_units(self.user, self.kinds), list(dict.fromkeys(names)))


def _candidate_units(user: User, kinds: tuple[str, ...]) -> QuerySet[OrgUnit]:
    if kinds:
        return units_in_scope(user).filter(kind__in=kinds)
    return OrgUnit.objects.filter(pk__in=[u.pk for u in units_run_for(user)])


IMPORT_EDITABLE_STATES = frozenset({DualListState.PROPOSED, DualListState.ASSIGNED})


@dataclass(frozen=True)
class _Before:
    """An item as it was before the import touched it."""

    state: str
    direction: str
    troop_unit_id: int
    responsible_unit: OrgUnit | None


class DualListItemResource(resources.ModelResource):
    """Export what the user sees; import new items and edits of items not yet started.

    An update may change the wording, category, deadline and (for 已提出/已交办 items only) the
    responsible unit; never the list (清单) nor the partner troop, and never an item already in
    the workflow (办理中, 申请销号, 已销号): such a row is refused and the file saves nothing.
    """

    id = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=YearWidget())
    direction = fields.Field(attribute="direction", column_name="清单", widget=ChoiceLabelWidget(DualListDirection))
    category = fields.Field(attribute="category", column_name="类别", widget=CategoryWidget())
    content = fields.Field(attribute="content", column_name="事项内容", widget=widgets.CharWidget(allow_blank=True))
    proposing_side = fields.Field(
        attribute="proposing_side", column_name="提出方", widget=ChoiceLabelWidget(ProposingSide)
    )
    responsible_unit = fields.Field(attribute="responsible_unit", column_name="责任单位")
    troop_unit = fields.Field(attribute="troop_unit", column_name="对口部队")
    deadline = fields.Field(attribute="deadline", column_name="时限", widget=BoundedDateWidget())
    quality_requirement = fields.Field(
        attribute="quality_requirement", column_name="工作质量要求", widget=widgets.CharWidget(allow_blank=True)
    )
    state = fields.Field(attribute="state", column_name="状态", readonly=True, widget=ChoiceLabelWidget(DualListState))

    class Meta:
        model = DualListItem
        import_id_fields = ["id"]
        fields = [
            "id",
            "year",
            "direction",
            "category",
            "content",
            "proposing_side",
            "responsible_unit",
            "troop_unit",
            "deadline",
            "quality_requirement",
            "state",
        ]
        skip_unchanged = False
        clean_model_instances = True

    def __init__(self, *, user: User) -> None:
        super().__init__()
        self.user = user
        self._before: dict[int, _Before] = {}
        self.fields["responsible_unit"].widget = ScopedUnitWidget(user)
        self.fields["troop_unit"].widget = ScopedUnitWidget(user, kinds=(OrgUnitKind.TROOP,))
        self.fields["category"].widget = CategoryWidget(user)

    def get_queryset(self) -> QuerySet[DualListItem]:
        return dual_list_items_for(self.user)

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        pk = _row_id(row)
        if pk is None:
            return None
        if not self.get_queryset().filter(pk=pk).exists():
            raise ValidationError(f"编号 {pk} 的事项不存在或您无权修改。")
        # Locked until the import commits: no workflow step slips in between the check and the save.
        locked = DualListItem.objects.select_for_update(of=("self",)).select_related("responsible_unit")
        instance = locked.get(pk=pk)
        self._before[instance.pk] = _Before(
            state=instance.state,
            direction=instance.direction,
            troop_unit_id=instance.troop_unit_id,
            responsible_unit=instance.responsible_unit,
        )
        return instance

    def after_init_instance(self, instance: DualListItem, new: bool, row: Any, **kwargs: Any) -> None:
        if new:
            instance.created_by = self.user

    def validate_instance(
        self, instance: DualListItem, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        """The workflow's rules for an update, at the row, together with the cells' own errors."""
        errors: dict[str, Any] = dict(import_validation_errors or {})
        before = self._before.get(instance.pk) if instance.pk else None
        if before is not None:
            if before.state not in IMPORT_EDITABLE_STATES:
                errors[NON_FIELD_ERRORS] = ValidationError(
                    f"编号 {instance.pk} 的事项当前状态为“{DualListState(before.state).label}”，"
                    f"只有“已提出”“已交办”的事项可以通过导入修改，请在事项页面办理。"
                )
            if "direction" not in errors and instance.direction != before.direction:
                errors["direction"] = ValidationError(
                    f"已有事项的清单不能通过导入修改（原为“{DualListDirection(before.direction).label}”）。"
                )
            if "troop_unit" not in errors and instance.troop_unit_id != before.troop_unit_id:
                errors["troop_unit"] = ValidationError("已有事项的对口部队不能通过导入修改。")
            if "responsible_unit" not in errors and before.responsible_unit and instance.responsible_unit_id is None:
                errors["responsible_unit"] = ValidationError("已交办事项的责任单位不能清空。")
        kept = {
            "responsible_unit": before.responsible_unit.pk if before and before.responsible_unit else None,
            "troop_unit": before.troop_unit_id if before else None,
        }
        for name, kept_pk in kept.items():
            unit = getattr(instance, name) if getattr(instance, f"{name}_id") else None
            if name not in errors and (error := _refuse_inactive([unit], keep=[kept_pk])):
                errors[name] = error
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance: DualListItem, is_create: bool) -> None:
        """New rows and changes of the responsible unit go through the workflow's services.

        So an imported item is logged (提出/交办) and its responsible unit told, as on the page.
        """
        if is_create:
            item = dls.dual_list_item_create(
                user=self.user,
                year=instance.year,
                direction=instance.direction,
                content=instance.content,
                troop_unit=instance.troop_unit,
                category=instance.category,
                proposing_side=instance.proposing_side,
                deadline=instance.deadline,
                quality_requirement=instance.quality_requirement,
                responsible_unit=instance.responsible_unit,
            )
            instance.pk, instance.state = item.pk, item.state
            return
        before = self._before[instance.pk]
        new_unit = instance.responsible_unit
        instance.responsible_unit = before.responsible_unit
        instance.save()
        if new_unit is not None and new_unit != before.responsible_unit:
            item = dls.dual_list_item_assign(user=self.user, item=instance, responsible_unit=new_unit)
            instance.responsible_unit, instance.state = item.responsible_unit, item.state


class TaskResource(resources.ModelResource):
    """Export every visible task; import updates the assignment of existing tasks (office only).

    Each row is saved through ``task_update``, like the task's edit page; a unit named twice in
    the user's scope, or a disabled unit newly given the task, is refused at the row.
    """

    id = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    year = fields.Field(attribute="plan__year", column_name="年度", readonly=True)
    plan = fields.Field(attribute="plan__title", column_name="工作要点", readonly=True)
    section = fields.Field(attribute="section__heading", column_name="部分", readonly=True)
    number = fields.Field(attribute="number", column_name="序号", readonly=True)
    title = fields.Field(attribute="title", column_name="任务", widget=widgets.CharWidget(allow_blank=True))
    lead_unit = fields.Field(attribute="lead_unit", column_name="牵头单位")
    cooperating_units = fields.Field(attribute="cooperating_units", column_name="配合单位", m2m_add=False)
    deadline = fields.Field(attribute="deadline", column_name="完成时限", widget=BoundedDateWidget())
    status = fields.Field(column_name="状态", readonly=True)
    text = fields.Field(attribute="text", column_name="内容", widget=widgets.CharWidget(allow_blank=True))

    class Meta:
        model = Task
        import_id_fields = ["id"]
        fields = [
            "id",
            "year",
            "plan",
            "section",
            "number",
            "title",
            "lead_unit",
            "cooperating_units",
            "deadline",
            "status",
            "text",
        ]
        skip_unchanged = False
        clean_model_instances = True

    def __init__(self, *, user: User) -> None:
        super().__init__()
        self.user = user
        self._before: dict[int, tuple[int | None, set[int]]] = {}
        self._cooperating: dict[int, list[OrgUnit]] = {}
        self.fields["lead_unit"].widget = ScopedUnitWidget(user)
        self.fields["cooperating_units"].widget = ScopedUnitsWidget(user)

    def get_queryset(self) -> QuerySet[Task]:
        return tasks_for(self.user).order_by("plan__year", "plan_id", "order", "id")

    def dehydrate_status(self, task: Task) -> str:
        return TaskStatus(task.display_status).label

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        pk = _row_id(row)
        # Only the office owning a plan changes its tasks (tasks.policy.runs_plan): the export
        # also lists the tasks of plans above and below, which this import refuses by row.
        own = self.get_queryset().filter(plan__owner_unit_id=self.user.org_unit_id)
        instance = own.filter(pk=pk).first() if pk is not None else None
        if instance is None:
            raise ValidationError(f"编号 {pk or '（空）'} 的任务不存在或您无权修改；Excel 只能更新已有任务。")
        self._before[instance.pk] = (instance.lead_unit_id, {u.pk for u in instance.cooperating_units.all()})
        return instance

    def import_instance(self, instance: Task, row: Any, **kwargs: Any) -> None:
        """The cells, and the cooperating units read now so that their errors show at the row."""
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        field = self.fields["cooperating_units"]
        try:
            units = field.clean(row) if field.column_name in row else list(instance.cooperating_units.all())
        except ValueError as e:
            errors["cooperating_units"] = [ValidationError(str(e))]
        else:
            if error := _refuse_inactive(units, keep=self._before[instance.pk][1]):
                errors["cooperating_units"] = [error]
            self._cooperating[instance.pk] = units
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self, instance: Task, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors: dict[str, Any] = dict(import_validation_errors or {})
        lead_before = self._before[instance.pk][0]
        if "lead_unit" not in errors and (error := _refuse_inactive([instance.lead_unit], keep=[lead_before])):
            errors["lead_unit"] = error
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance: Task, is_create: bool) -> None:
        """Saved by task_update, as on the task's edit page: the units newly given the task are told."""
        services.task_update(
            user=self.user,
            task=Task.objects.get(pk=instance.pk),
            title=instance.title,
            text=instance.text,
            lead_unit=instance.lead_unit,
            cooperating_units=self._cooperating[instance.pk],
            deadline=instance.deadline,
        )

    def save_m2m(self, instance: Task, row: Any, **kwargs: Any) -> None:
        """task_update has set the cooperating units already."""


def export_xlsx(resource: resources.ModelResource, queryset: QuerySet[Any] | None = None) -> bytes:
    return datasets_xlsx(resource.export(queryset))


@dataclass(frozen=True)
class SheetImport:
    """An import's result with the sheet row of every dataset row, so that errors name the row
    the user sees in Excel even when blank rows were skipped."""

    result: Result
    sheet_rows: list[int]

    @property
    def totals(self) -> dict[str, int]:
        return self.result.totals

    def sheet_row(self, line: int) -> int:
        """django-import-export's 1-based dataset line → the row number in the sheet."""
        return self.sheet_rows[line - 1] if 0 < line <= len(self.sheet_rows) else line + 1


def text_limits(resource: resources.ModelResource) -> dict[str, int]:
    """Column → its model field's max_length, for every column typed as free text."""
    model = resource._meta.model
    text_columns = {
        f.column_name: f.attribute
        for f in resource.get_import_fields()
        if isinstance(f.widget, widgets.CharWidget) and f.attribute and not f.readonly
    }
    return column_limits(model, text_columns)


def import_table(resource: resources.ModelResource, *, name: str, content: bytes) -> SheetImport:
    """Import every row of an .xlsx or .csv, or none: errors and invalid rows roll the whole file back.

    The file is read by the shared reader (shuangyong.tables), which raises UploadRefused for a
    file or cells refused before any row (type, size, zip bomb, rows, cell lengths, NUL).
    """
    columns = [f.column_name for f in resource.get_import_fields() if not f.readonly and f.column_name]
    table = read_table(
        name=name,
        content=content,
        columns=columns,
        max_chars=text_limits(resource),
        hint="请用“导出 Excel”得到的模板填写后上传。",
    )
    dataset = tablib.Dataset(*table.rows, headers=table.header)
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    return SheetImport(result, table.row_numbers)


def _message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def import_errors(outcome: SheetImport, resource: resources.ModelResource | None = None) -> list[CellError]:
    """The rows that failed, each error at the row the user sees in Excel (the header is row 1;
    skipped blank rows still count) and, with the resource, at its column (“对口部队”, not the
    model attribute)."""
    result = outcome.result
    columns = {f.attribute: f.column_name for f in resource.fields.values()} if resource is not None else {}
    errors = [CellError(0, "", f"文件错误：{_message(e.error)}") for e in result.base_errors]
    for line, row_errors in result.row_errors():
        errors.extend(CellError(outcome.sheet_row(line), "", _message(e.error)) for e in row_errors)
    for invalid in result.invalid_rows:
        for field_name, errs in invalid.error_dict.items():
            column = "" if field_name == NON_FIELD_ERRORS else columns.get(field_name, field_name)
            errors.extend(CellError(outcome.sheet_row(invalid.number), column, str(err)) for err in errs)
    return errors
