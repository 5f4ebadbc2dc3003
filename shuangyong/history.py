"""The change history shown on an object's page, for every app: who changed what, when, old → new.

django-simple-history keeps one historical row per save. :func:`history_entries` turns an object's
historical rows into :class:`HistoryEntry` items for ``templates/shuangyong/_history.html``: each
with the fields that changed since the row before, by their verbose names, and the old and new
values as a person reads them (choice labels, names of related objects, 是/否, local times).

Queries are fixed: one for the historical rows (with their users), one per many-to-many field
shown (its historical rows, when the model's history tracks it with ``m2m_fields``), one per
related model among the shown fields, however many rows. Values that must never be shown in full (the identity
number) are passed through the caller's ``masks``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

ACTION_LABELS = {"+": "创建", "~": "修改", "-": "删除"}
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    changes: list[Change] = field(default_factory=list)
    # An event with no old value (evidence linked, a file deleted): each change shows its new value only.
    is_event: bool = False

    @property
    def is_creation(self) -> bool:
        return self.action == ACTION_LABELS["+"]

    @property
    def shows_old(self) -> bool:
        return not (self.is_creation or self.is_event)


def changed_by(record: Any) -> str:
    """Who made a historical row, as the panel names them (系统 for changes without a user)."""
    user = record.history_user
    return getattr(user, "display_name", None) or (str(user) if user else "系统")


def _display(value: Any, model_field: Any, related: Mapping[tuple[type[Model], Any], str]) -> str:
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        return related.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _m2m_history_accessor(history_model: type[Model], m2m_field: Any) -> str:
    """The name under which a historical row reaches the rows of ``m2m_field`` saved with it
    (django-simple-history's ``Historical<Model>_<field>`` table, tracked with ``m2m_fields``)."""
    through_name = f"{history_model._meta.model_name}_{m2m_field.name}".lower()
    for relation in history_model._meta.related_objects:
        accessor = relation.get_accessor_name()
        if relation.related_model._meta.model_name == through_name and accessor:
            return accessor
    raise ValueError(f"{history_model.__name__} does not track {m2m_field.name} (HistoricalRecords(m2m_fields=…))")


def history_entries(
    records: QuerySet[Any],
    model: type[Model],
    fields: Sequence[str],
    *,
    limit: int | None = None,
    masks: Mapping[str, Callable[[Any], str]] | None = None,
) -> list[HistoryEntry]:
    """Entries newest first for ``records`` (an object's ``.history`` queryset, in any order).

    ``fields`` are the model fields compared between consecutive rows; ``limit`` keeps the newest
    entries (one more row is read so the oldest shown entry still has its old values); ``masks``
    maps a field name to the function that makes its value safe to show.
    """
    masks = masks or {}
    model_fields: list[Any] = [model._meta.get_field(name) for name in fields]
    # A many-to-many field's state at each save: the historical rows of its through table.
    m2m = {f.name: _m2m_history_accessor(records.model, f) for f in model_fields if f.many_to_many}
    rows = records.select_related("history_user").order_by("-history_date", "-history_id")
    rows = rows.prefetch_related(*m2m.values())
    fetched = list(rows[: limit + 1] if limit is not None else rows)
    fetched.reverse()  # oldest first
    baseline = fetched.pop(0) if limit is not None and len(fetched) > limit else None
    every = ([baseline] if baseline else []) + fetched

    def m2m_ids(record: Any, f: Any) -> list[Any]:
        return [getattr(link, f.m2m_reverse_field_name() + "_id") for link in getattr(record, m2m[f.name]).all()]

    related: dict[tuple[type[Model], Any], str] = {}
    ids_by_model: dict[type[Model], set[Any]] = {}
    for f in model_fields:
        if f.is_relation and f.many_to_one:
            ids = {getattr(r, f.attname) for r in every}
        elif f.many_to_many:
            ids = {pk for r in every for pk in m2m_ids(r, f)}
        else:
            continue
        ids_by_model.setdefault(f.related_model, set()).update(ids - {None})
    for related_model, ids in ids_by_model.items():
        if ids:
            for pk, obj in related_model._default_manager.in_bulk(ids).items():
                related[(related_model, pk)] = str(obj)

    def shown(record: Any, f: Any) -> str:
        if f.many_to_many:
            names = sorted(related.get((f.related_model, pk), f"#{pk}") for pk in m2m_ids(record, f))
            return "、".join(names) or EMPTY
        value = getattr(record, f.attname)
        if f.name in masks and value not in (None, ""):
            return masks[f.name](value)
        return _display(value, f, related)

    entries: list[HistoryEntry] = []
    previous = baseline
    for record in fetched:
        changes: list[Change] = []
        if record.history_type != "-":
            for f in model_fields:
                new = shown(record, f)
                old = shown(previous, f) if previous is not None else EMPTY
                if old != new:
                    changes.append(Change(str(f.verbose_name), old, new))
        previous_record, previous = previous, record
        if record.history_type == "~" and not changes and previous_record is not None:
            continue  # a save that changed nothing shown here (a version number, a timestamp)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=changed_by(record),
                action=ACTION_LABELS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    entries.reverse()
    return entries
