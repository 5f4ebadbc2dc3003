"""Turn django-simple-history records into rows a person can read: who changed what, when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

TYPE_LABELS = {"+": "创建", "~": "修改", "-": "删除"}


@dataclass
class HistoryRow:
    when: Any
    who: str
    action: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def _display(record: Any, field: Any, unit_names: dict[int, str]) -> str:
    value = getattr(record, field.attname)
    if value in (None, ""):
        return "—"
    if field.is_relation:
        return unit_names.get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def history_rows(records: Iterable[Any], model: type[Model], fields: Sequence[str]) -> list[HistoryRow]:
    """Rows newest first; ``records`` come oldest first with ``history_user`` selected."""
    from shuangyong.models import OrgUnit

    records = list(records)
    meta_fields: list[Any] = [model._meta.get_field(name) for name in fields]
    unit_fields = [f for f in meta_fields if f.is_relation and f.related_model is OrgUnit]
    unit_ids = {getattr(r, f.attname) for r in records for f in unit_fields} - {None}
    unit_names = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    rows: list[HistoryRow] = []
    previous = None
    for record in records:
        changes = []
        for field in meta_fields:
            new = _display(record, field, unit_names)
            old = _display(previous, field, unit_names) if previous is not None else "—"
            if previous is None and new == "—":
                continue
            if previous is None or old != new:
                changes.append((str(field.verbose_name), old, new))
        if changes or previous is None:
            user = record.history_user
            rows.append(
                HistoryRow(
                    when=record.history_date,
                    who=user.display_name if user else "系统",
                    action=TYPE_LABELS.get(record.history_type, record.history_type),
                    changes=changes,
                )
            )
        previous = record
    rows.reverse()
    return rows
