"""Insert many plain rows fast: the reminder scan's backlog writes ~100,000 notification rows,
where ``bulk_create`` spends most of its time building and preparing model instances.

``insert_rows(Model, columns, rows)`` takes database column names and tuples of Python values;
values of fields that need preparing for the database (dates and times, JSON, UUIDs) are
prepared by their field, the rest are passed as they are. Nothing is validated: callers insert
rows they built themselves, never user input unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

PAGE = 1000
NEEDS_PREP = (models.DateTimeField, models.DateField, models.JSONField, models.UUIDField)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
) -> None:
    """``constants``: columns with the same value in every row, prepared once."""
    if not rows:
        return
    by_column = {f.column: f for f in model._meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    prep = [i for i, f in enumerate(fields) if isinstance(f, NEEDS_PREP)]
    if prep:
        # Rows usually share one object per such column (the same time, the same empty list):
        # each distinct object is prepared once.
        memo: dict[tuple[int, int], Any] = {}
        prepared = []
        for row in rows:
            values = list(row)
            for i in prep:
                key = (i, id(values[i]))
                if key not in memo:
                    memo[key] = fields[i].get_db_prep_save(values[i], connection)
                values[i] = memo[key]
            prepared.append(values)
        rows = prepared
    if constants:
        fixed = tuple(by_column[c].get_db_prep_save(v, connection) for c, v in constants.items())
        columns = [*columns, *constants]
        rows = [(*row, *fixed) for row in rows]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # One statement run per row by SQLite itself: no placeholder rewriting of a huge text.
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows)  # noqa: S608 (model's own names)
            return
        # PostgreSQL: multi-row VALUES, PAGE rows a statement (psycopg2's executemany is a
        # round trip per row).
        for start in range(0, len(rows), PAGE):
            chunk = rows[start : start + PAGE]
            params = [value for row in chunk for value in row]
            placeholders = ", ".join([one] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {placeholders}", params)  # noqa: S608 (model's own names)
