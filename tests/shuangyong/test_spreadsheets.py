"""One escaping rule for every spreadsheet leaving the portal (shuangyong.spreadsheets).

A value starting with = + - @ (or a tab) is written into an .xlsx as a string cell with the
quote-prefix style: the value is exactly what was typed (no apostrophe, nothing dropped) and it
stays text. Only a CSV gets the apostrophe. Every export of every app is checked, and the source
tree is scanned so that no module writes an .xlsx (or CSV) around the shared writer.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from shuangyong.spreadsheets import XlsxBook, escape_csv, is_formula_like
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory

FORMULA_LIKE = ['=HYPERLINK("http://x","点我")', "+1-2", "-3+4", "@SUM(A1)"]


@pytest.mark.parametrize("text", [*FORMULA_LIKE, "\tx", "\r=1"])
def test_formula_like_text_is_recognised_and_only_csv_gets_an_apostrophe(text):
    assert is_formula_like(text)
    assert escape_csv(text) == "'" + text


@pytest.mark.parametrize("value", ["张镇长", "1+1", -5, 3.5, None])
def test_other_values_are_left_alone(value):
    assert not is_formula_like(value)
    assert escape_csv(value) == value


def test_the_writer_keeps_the_text_and_marks_it_quote_prefixed():
    book = XlsxBook()
    ws = book.add_worksheet("表")
    for row, value in enumerate([*FORMULA_LIKE, "张镇长", -5]):
        book.write(ws, row, 0, value)
    sheet = load_workbook(io.BytesIO(book.to_bytes())).active
    for row, value in enumerate(FORMULA_LIKE, 1):
        cell = sheet.cell(row=row, column=1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)
    assert sheet["A5"].value == "张镇长" and not sheet["A5"].quotePrefix
    assert sheet["A6"].value == -5 and sheet["A6"].data_type == "n"


def _cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _assert_kept(content: bytes, values: list[str]) -> None:
    """Each formula-like value is in the file exactly as typed, as a quote-prefixed string cell."""
    cells = _cells(content)
    for value in values:
        found = [c for c in cells if c.value == value]
        assert found, f"{value!r} is missing or changed in the export"
        assert all(c.data_type == "s" and c.quotePrefix for c in found), value
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


@pytest.mark.django_db
def test_tasks_export(client_for, office_user, county):
    for title in FORMULA_LIKE:
        TaskFactory(plan__owner_unit=county, plan__created_by=office_user, title=title)
    _assert_kept(client_for(office_user).get(reverse("tasks:tasks_export")).content, FORMULA_LIKE)


@pytest.mark.django_db
def test_dual_list_exports(client_for, office_user, troop_unit, township_a_unit):
    for content in FORMULA_LIKE:
        DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, content=content, year=2022)
    client = client_for(office_user)
    _assert_kept(client.get(reverse("tasks:dual_list_export")).content, FORMULA_LIKE)
    recon = client.get(reverse("tasks:reconciliation_export", args=[troop_unit.pk, 2022])).content
    _assert_kept(recon, FORMULA_LIKE)


@pytest.mark.django_db
def test_ledger_and_visit_record_exports(client_for, office_user, county, township_a_unit, village_a1):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    for text in FORMULA_LIKE:
        BeneficiaryFactory(org_unit=village_a1, name=text)
        VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, lead_leader=text)
    client = client_for(office_user)
    _assert_kept(client.get(reverse("visits:beneficiary_export")).content, FORMULA_LIKE)
    _assert_kept(client.get(reverse("visits:campaign_records_export", args=[campaign.pk])).content, FORMULA_LIKE)


@pytest.mark.django_db
def test_report_tables(client_for, office_user, county, township_a_unit):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, lead_leader="=HYPERLINK(1)")
    url = reverse("reports:unit_table", args=[campaign.pk, township_a_unit.pk])
    _assert_kept(client_for(office_user).get(url).content, ["=HYPERLINK(1)"])


# Writing a spreadsheet anywhere but the shared module (reading one with load_workbook is fine).
_OTHER_WRITERS = re.compile(
    r"xlsxwriter\.Workbook\(|openpyxl\.Workbook\(|from openpyxl import [^\n]*\bWorkbook\b"
    r"|\.export\(\s*[\"'](xlsx|csv|xls)|export_data\(|csv\.writer\(|csv\.DictWriter\("
)
APPS = ("shuangyong", "tasks", "visits", "reports", "scale", "evaluation")


def test_no_module_writes_a_spreadsheet_around_the_shared_writer():
    base = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(base))
        for app in APPS
        for path in (base / app).rglob("*.py")
        if path != base / "shuangyong" / "spreadsheets.py" and _OTHER_WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # django-import-export's own "escape" deletes a leading "=": it must stay off.
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is False
