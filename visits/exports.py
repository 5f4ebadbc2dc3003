"""Spreadsheets leaving the portal: through the resources, masked, with formulas neutralised."""

from __future__ import annotations

from collections.abc import Iterable

import tablib
from django.http import HttpResponse

from shuangyong import spreadsheets
from shuangyong.spreadsheets import escape_formula
from visits.models import Beneficiary, VisitRecord
from visits.resources import BeneficiaryResource, VisitRecordResource

__all__ = ["escape_formula", "escaped", "ledger_dataset", "template_dataset", "visit_records_dataset", "xlsx_response"]


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    clean = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        clean.append([escape_formula(v) for v in row])
    return clean


def ledger_dataset(people: Iterable[Beneficiary], *, full_id_numbers: bool) -> tablib.Dataset:
    data = BeneficiaryResource(full_id_numbers=full_id_numbers).export(list(people))
    data.title = "联系工作台账"
    return escaped(data)


def visit_records_dataset(records: Iterable[VisitRecord], *, show_beneficiary: bool) -> tablib.Dataset:
    data = VisitRecordResource(show_beneficiary=show_beneficiary).export(list(records))
    data.title = "走访记录"
    return escaped(data)


def template_dataset(kind: str) -> tablib.Dataset:
    resource = VisitRecordResource() if kind == "visits" else BeneficiaryResource()
    return tablib.Dataset(headers=resource.get_export_headers(), title="导入模板")


def xlsx_response(dataset: tablib.Dataset, filename: str) -> HttpResponse:
    return spreadsheets.xlsx_response(dataset.export("xlsx"), filename)
