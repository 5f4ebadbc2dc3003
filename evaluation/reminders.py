"""Member units are chased for the documents the office asked for (registered in EvaluationConfig.ready()):
each (request, member unit) without an upload of that year and kind is reminded before, on and
after the request's deadline, like any other deadline of the portal (shuangyong/reminders.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from evaluation.models import DocumentDue, DocumentKind
from evaluation.selectors import outstanding_dues
from shuangyong.reminders import DeadlineSpec, ItemText, ReminderSource, register_source


def open_dues(today: dt.date) -> QuerySet[DocumentDue]:
    return outstanding_dues(today)


def describe_dues(ids: Any) -> dict[tuple[int, int], ItemText]:
    url = reverse("evaluation:documents")
    labels = dict(DocumentKind.choices)
    rows = DocumentDue.objects.filter(pk__in=ids).values_list(
        "pk", "unit_id", "unit__name", "request__year", "request__kind"
    )
    return {
        (pk, unit): ItemText(f"成员单位材料“{year}年{labels.get(kind, kind)}”", url, name)
        for pk, unit, name, year, kind in rows
    }


class UnitDocumentSource(ReminderSource):
    name = "evaluation.unit_documents"

    def deadline_specs(self) -> Sequence[DeadlineSpec]:
        return (
            DeadlineSpec(
                kind="成员单位材料",
                model=DocumentDue,
                rows=open_dues,
                describe=describe_dues,
                deadline_field="request__deadline",
                unit_field="unit",
                action="上传",
            ),
        )


def register_reminders() -> None:
    register_source(UnitDocumentSource())
