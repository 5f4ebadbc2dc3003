"""Which fields the visits pages show in their history panels (shuangyong/history.py does the work).

The identity number is shown masked in every history entry, never in full.
"""

from __future__ import annotations

from shuangyong.history import ACTION_LABELS, EMPTY, Change, HistoryEntry, changed_by, history_entries
from visits.models import RECORD_FIELDS, Beneficiary, Campaign, DifficultyKind, Return, VisitDifficulty, VisitRecord
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
    if ret is None:
        return []
    return history_entries(ret.history.all(), Return, RETURN_FIELDS, limit=SHOWN)  # type: ignore[attr-defined]


def campaign_history(campaign: Campaign) -> list[HistoryEntry]:
    return history_entries(campaign.history.all(), Campaign, CAMPAIGN_FIELDS, limit=SHOWN)  # type: ignore[attr-defined]
