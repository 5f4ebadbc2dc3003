"""迎检资料: the index lists every linked file, the zip holds each of them byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from evaluation import services
from evaluation.exports import INDEX_NAME
from evaluation.models import BudgetProofKind, DocumentKind, Evaluation, MeetingKind
from tests.evaluation.conftest import assessment, pdf, score

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


@pytest.fixture
def linked(office_user, member_liaison, evaluation, today):
    """Files linked to three items: minutes, a member unit's summary, a payment proof, two uploads."""
    minutes = pdf("2024纪要")
    meeting = services.meeting_create(
        user=office_user, date=dt.date(2024, 3, 1), kind=MeetingKind.LEADING_GROUP, title="全体会议", minutes=minutes
    )
    summary = services.unit_document_upload(
        user=member_liaison,
        year=2024,
        kind=DocumentKind.SUMMARY,
        file=SimpleUploadedFile("教委总结.pdf", b"%PDF-1.7 summary"),
    )
    proof = services.budget_proof_create(
        user=office_user, year=2024, kind=BudgetProofKind.PAYMENT, amount=Decimal("320000"), note="拨付",
        file=SimpleUploadedFile("拨付凭证.jpg", JPEG),
    )  # fmt: skip
    a1, a3 = assessment(evaluation, "1"), assessment(evaluation, "3")
    services.evidence_link_create(user=office_user, assessment=a1, target=meeting)
    services.evidence_link_create(user=office_user, assessment=a1, target=summary)
    services.evidence_link_create(user=office_user, assessment=a3, target=proof)
    uploads = [SimpleUploadedFile("发展规划.pdf", b"%PDF-1.4 plan"), SimpleUploadedFile("照片.jpg", JPEG[:500])]
    services.item_files_add(user=office_user, assessment=assessment(evaluation, "2"), files=uploads)
    score(office_user, evaluation, "1", "1.5", "纪要齐全")
    score(office_user, evaluation, "5", "1", "已推广")
    return {
        "2024纪要.pdf": "%PDF-1.4\n% 2024纪要\n%%EOF\n".encode(),
        "教委总结.pdf": b"%PDF-1.7 summary",
        "拨付凭证.jpg": JPEG,
        "发展规划.pdf": b"%PDF-1.4 plan",
        "照片.jpg": JPEG[:500],
    }


def test_the_zip_holds_every_linked_file_byte_for_byte_and_the_index_lists_them(
    client_for, office_user, evaluation, linked
):
    response = client_for(office_user).get(reverse("evaluation:export_zip", args=[evaluation.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    files = {n: archive.read(n) for n in names if not n.endswith(".xlsx")}
    assert len(files) == 5
    for original, content in linked.items():
        [match] = [n for n in files if n.endswith(f" {original}")]
        assert files[match] == content, match
    # One folder per item: the item's files lie in the folder of its number.
    assert all(n.split("/")[0].split(" ")[1] in {"1", "2", "3"} for n in files)
    # The index at the top of the zip lists each file by its path in the zip.
    sheet = load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    listed = "\n".join(str(r[6] or "") for r in rows.values())
    for name in files:
        assert name in listed, name
    assert rows["1"][4] == 1.5 and rows["1"][5] == "纪要齐全" and rows["1"][0] == "组织领导坚强有力"
    assert "领导小组全体会议 2024年：召开 1 次，有纪要 1 次" in rows["1"][7]
    assert "2025年 领导小组全体会议纪要缺失" in rows["1"][8]
    assert "自评总分 1.50 分" in sheet["A2"].value and "加分 1.00 分" in sheet["A2"].value
    # Each item with portal figures gets its own figure sheet.
    figure_sheets = [n for n in names if n.endswith("自动统计数据.xlsx")]
    assert len(figure_sheets) == 4  # items 1, 2, 2.1 and 3 are linked to figures


def test_the_index_xlsx_alone(client_for, leader, evaluation, linked):
    response = client_for(leader).get(reverse("evaluation:export_index", args=[evaluation.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [r[1] for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert numbers == ["一", "1", "2", "2.1", "3", "4", "5"]


def test_a_formula_in_a_reason_stays_text_in_the_index(client_for, office_user, evaluation, today):
    score(office_user, evaluation, "1", "1", '=HYPERLINK("http://x")')
    response = client_for(office_user).get(reverse("evaluation:export_index", args=[evaluation.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(c for c in sheet["F"] if c.value and str(c.value).startswith("=HYP"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_mid_term_review_builds_the_same_binder_for_its_two_years(client_for, office_user, table, members, today):
    client = client_for(office_user)
    data = {"title": "届中考评", "table": table.pk, "kind": "mid_term", "first_year": 2024, "last_year": 2026}
    refused = client.post(reverse("evaluation:create"), data)
    assert "届中考评的考评期为两年。" in refused.content.decode()
    response = client.post(reverse("evaluation:create"), {**data, "first_year": 2025})
    evaluation = Evaluation.objects.get()
    assert response.url == reverse("evaluation:detail", args=[evaluation.pk]) and evaluation.years == [2025, 2026]
    zipped = client.get(reverse("evaluation:export_zip", args=[evaluation.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content)))
    sheet = load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
    figures = " ".join(str(r[7] or "") for r in sheet.iter_rows(min_row=5, values_only=True))
    assert "2025年" in figures and "2026年" in figures and "2024年" not in figures
