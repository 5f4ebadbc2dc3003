"""Spreadsheets leaving the portal: through the resources, masked, and written by the shared
writer (``shuangyong.spreadsheets``), which keeps formula-like text as quote-prefixed text."""

from __future__ import annotations

from collections.abc import Iterable

import tablib
from django.http import HttpResponse

from shuangyong import spreadsheets
from visits.models import Beneficiary, VisitRecord
from visits.resources import VISIT_COLUMNS, BeneficiaryResource, VisitRecordResource

__all__ = ["ledger_dataset", "template_dataset", "visit_records_dataset", "xlsx_response"]


def ledger_dataset(people: Iterable[Beneficiary], *, full_id_numbers: bool) -> tablib.Dataset:
    data = BeneficiaryResource(full_id_numbers=full_id_numbers).export(list(people))
    data.title = "联系工作台账"
    return data


def visit_records_dataset(
    records: Iterable[VisitRecord], *, show_beneficiary: bool, beneficiary_column: bool = True
) -> tablib.Dataset:
    """The records; ``beneficiary_column`` False leaves out the 联系对象身份证号 column itself (above
    the county, where no ledger is kept)."""
    data = VisitRecordResource(show_beneficiary=show_beneficiary).export(list(records))
    if not beneficiary_column:
        del data[VISIT_COLUMNS["beneficiary"]]
    data.title = "走访记录"
    return data


def template_dataset(kind: str) -> tablib.Dataset:
    resource = VisitRecordResource() if kind == "visits" else BeneficiaryResource()
    return tablib.Dataset(headers=resource.get_export_headers(), title="导入模板")


def xlsx_response(dataset: tablib.Dataset, filename: str) -> HttpResponse:
    return spreadsheets.xlsx_response(spreadsheets.datasets_xlsx(dataset), filename)
