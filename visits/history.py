"""Which fields the visits pages show in their history panels (shuangyong/history.py does the work).

The identity number is shown masked in every history entry, never in full.
"""

from __future__ import annotations

from typing import Any

from shuangyong.history import ACTION_LABELS, EMPTY, Change, HistoryEntry, changed_by, history_entries
from visits.models import (
    RECORD_FIELDS,
    Beneficiary,
    Campaign,
    DifficultyKind,
    Return,
    TableRow,
    VisitDifficulty,
    VisitRecord,
)
from visits.table import Measures, rows_from_figures
from visits.validators import mask_id_number

SHOWN = 20

BENEFICIARY_FIELDS = ("name", "category", "id_number", "phone", "address", "org_unit", "notes")
RETURN_FIELDS = ("status", "no_visits", "summary", "submitted_at", "submitted_by", "return_reason", "reviewed_at")
CAMPAIGN_FIELDS = ("year", "kind", "title", "visit_start", "visit_end", "return_deadline", "owner_unit", "parent")


def beneficiary_history(person: Beneficiary) -> list[HistoryEntry]:
    return history_entries(
        person.history.all(),  # type: ignore[attr-defined]
        Beneficiary,
        BENEFICIARY_FIELDS,
        limit=SHOWN,
        masks={"id_number": mask_id_number},
    )


def record_history(record: VisitRecord, *, show_person: bool) -> list[HistoryEntry]:
    """The record's own changes and its 解决实际困难 lines added or removed, newest first. Who was
    visited stays hidden from those who may not see the ledger (leaders, member units)."""
    fields = RECORD_FIELDS if show_person else tuple(f for f in RECORD_FIELDS if f != "beneficiary")
    entries = history_entries(record.history.all(), VisitRecord, fields, limit=SHOWN)  # type: ignore[attr-defined]
    lines = VisitDifficulty.history.filter(record_id=record.pk)  # type: ignore[attr-defined]
    for line in lines.select_related("history_user").order_by("-history_date", "-history_id")[:SHOWN]:
        text = f"{DifficultyKind(line.kind).label} {line.count} 件" + (f"（{line.note}）" if line.note else "")
        removed = line.history_type == "-"
        entries.append(
            HistoryEntry(
                when=line.history_date,
                who=changed_by(line),
                action=ACTION_LABELS["-" if removed else "~"],
                changes=[Change("解决实际困难", text if removed else EMPTY, EMPTY if removed else text)],
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:SHOWN]


def return_history(ret: Return | None) -> list[HistoryEntry]:
    """The return's changes; for an office unit's table (its snapshot), also what changed in its
    figures from one submission to the next, per row and column (走访慰问人数 37 → 42)."""
    if ret is None:
        return []
    entries = history_entries(ret.history.all(), Return, RETURN_FIELDS, limit=SHOWN)  # type: ignore[attr-defined]
    if ret.figures is None:
        return entries
    by_when = {entry.when: entry for entry in entries}
    for record, changes in _figure_changes(ret):
        entry = by_when.get(record.history_date)
        if entry is None:
            entry = HistoryEntry(when=record.history_date, who=changed_by(record), action=ACTION_LABELS["~"])
            by_when[record.history_date] = entry
            entries.append(entry)
        entry.changes.extend(changes)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:SHOWN]


# The snapshot's columns as the table names them (money in 元, as the return page shows it).
FIGURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("people_visited", "走访慰问人数（人）"),
    ("money_amount", "慰问金（元）"),
    ("money_recipients", "慰问金发放人数（人）"),
    ("goods_spending", "慰问品支出（元）"),
    ("goods_count", "慰问品数量（件）"),
    ("goods_recipients", "慰问品发放人数（人）"),
    ("difficulties_solved", "解决实际困难（件）"),
    ("others_counted", "下级领导（人次）"),
)


def _cell(row: Measures, attr: str) -> str:
    return str(getattr(row, attr))


def _figure_changes(ret: Return) -> list[tuple[Any, list[Change]]]:
    """(historical row, changes) for each save whose figures differ from the last figures before
    it (the previous submission's: a send-back keeps them). The first submission is no change."""
    rows = ret.history.select_related("history_user").order_by("history_date", "history_id")  # type: ignore[attr-defined]
    result: list[tuple[Any, list[Change]]] = []
    last = None
    for record in rows:
        figures = record.figures
        if not figures:
            continue
        if last is not None and figures != last:
            old_rows, new_rows = rows_from_figures(last), rows_from_figures(figures)
            changes = []
            for label, old, new in zip(TableRow.labels, old_rows, new_rows, strict=True):
                for attr, column in FIGURE_COLUMNS:
                    if _cell(old, attr) != _cell(new, attr):
                        changes.append(Change(f"{label}·{column}", _cell(old, attr), _cell(new, attr)))
                if old.leaders != new.leaders:
                    before, after = "、".join(old.leaders) or EMPTY, "、".join(new.leaders) or EMPTY
                    changes.append(Change(f"{label}·本级带队领导", before, after))
            for key, label in (("counted", "计入单位数"), ("expected", "应报单位数")):
                if last.get(key) != figures.get(key):
                    changes.append(Change(label, str(last.get(key, EMPTY)), str(figures.get(key, EMPTY))))
            if changes:
                result.append((record, changes))
        last = figures
    return result


def campaign_history(campaign: Campaign) -> list[HistoryEntry]:
    return history_entries(campaign.history.all(), Campaign, CAMPAIGN_FIELDS, limit=SHOWN)  # type: ignore[attr-defined]
