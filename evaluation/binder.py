"""The binder of one evaluation as the overview, the item page and the export read it: per item
its heading, the files that prove it, the portal's figures, what is missing, and the score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from evaluation.figures import EvaluationFigures, Figure
from evaluation.models import Evaluation, EvidenceLink, ItemAssessment, ItemFile, ItemKind, ScoringItem
from evaluation.selectors import assessments_of


@dataclass
class EvidenceFile:
    label: str  # what it is: 会议纪要 2024-03-01 领导小组全体会议
    name: str  # the file's own name, as uploaded
    size: int
    file: Any  # a FieldFile, read by the export
    url: str
    link: EvidenceLink | None = None
    item_file: ItemFile | None = None


@dataclass
class ItemRow:
    assessment: ItemAssessment
    heading: ScoringItem | None
    files: list[EvidenceFile] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def item(self) -> ScoringItem:
        return self.assessment.item

    @property
    def gaps(self) -> list[str]:
        return [gap for f in self.figures for gap in f.gaps]

    @property
    def stored_files(self) -> list[EvidenceFile]:
        """The files that exist (a meeting linked before its minutes were filed has none yet)."""
        return [f for f in self.files if f.file]

    @property
    def is_heading(self) -> bool:
        return self.item.kind == ItemKind.HEADING


def link_file(link: EvidenceLink) -> EvidenceFile:
    if link.meeting is not None:
        m = link.meeting
        label = f"会议纪要：{m.date:%Y-%m-%d} {m.title}（{m.get_kind_display()}）"
        if not m.minutes:  # linked, but its minutes are still to be filed: listed, nothing to pack
            return EvidenceFile(f"{label}（未上传纪要）", "", 0, None, "", link)
        return EvidenceFile(
            label, m.minutes_name, m.minutes_size, m.minutes, reverse("evaluation:meeting_minutes", args=[m.pk]), link
        )
    if link.unit_document is not None:
        d = link.unit_document
        label = f"{d.unit.name} {d.year}年{d.get_kind_display()}"
        return EvidenceFile(
            label, d.original_name, d.size, d.file, reverse("evaluation:document_download", args=[d.pk]), link
        )
    p = link.budget_proof
    assert p is not None
    label = f"{p.year}年{p.get_kind_display()} {p.amount} 元"
    return EvidenceFile(
        label, p.original_name, p.size, p.file, reverse("evaluation:budget_download", args=[p.pk]), link
    )


def item_file(f: ItemFile) -> EvidenceFile:
    return EvidenceFile(
        "上传材料", f.original_name, f.size, f.file, reverse("evaluation:item_file_download", args=[f.pk]), item_file=f
    )


def evidence_of(assessment: ItemAssessment) -> list[EvidenceFile]:
    files = [link_file(link) for link in assessment.links.all()]
    return files + [item_file(f) for f in assessment.files.all()]


@dataclass
class Binder:
    evaluation: Evaluation
    rows: list[ItemRow]
    figures: EvaluationFigures

    @property
    def scored_rows(self) -> list[ItemRow]:
        """The rows that carry a score: items and sub-items without sub-items of their own."""
        parents = {r.item.parent_id for r in self.rows}
        return [r for r in self.rows if not r.is_heading and r.item.pk not in parents]

    @property
    def vetoes(self) -> list[ItemRow]:
        return [r for r in self.rows if r.item.is_veto]

    @property
    def total(self) -> Decimal:
        return sum(
            (r.assessment.self_score or Decimal("0") for r in self.scored_rows if not r.item.is_bonus), Decimal("0")
        )

    @property
    def bonus(self) -> Decimal:
        return sum((r.assessment.self_score or Decimal("0") for r in self.scored_rows if r.item.is_bonus), Decimal("0"))

    @property
    def points(self) -> Decimal:
        return sum(
            (r.item.points for r in self.scored_rows if not r.item.is_bonus and not r.item.is_veto), Decimal("0")
        )

    @property
    def unscored(self) -> int:
        return sum(1 for r in self.scored_rows if r.assessment.self_score is None)

    @property
    def gaps(self) -> list[tuple[ItemRow, str]]:
        return [(r, gap) for r in self.rows for gap in r.gaps]

    @property
    def file_count(self) -> int:
        return sum(len(r.stored_files) for r in self.rows)

    @property
    def file_bytes(self) -> int:
        return sum(f.size for r in self.rows for f in r.stored_files)


def binder_for(evaluation: Evaluation, *, today: dt.date | None = None) -> Binder:
    figures = EvaluationFigures(evaluation, today=today)
    rows: list[ItemRow] = []
    heading: ScoringItem | None = None
    for assessment in assessments_of(evaluation):
        item = assessment.item
        if item.kind == ItemKind.HEADING:
            heading = item
        rows.append(ItemRow(assessment, heading, evidence_of(assessment), figures.figures(item.figure_keys)))
    return Binder(evaluation, rows, figures)
