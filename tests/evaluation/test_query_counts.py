"""Every page of the binder costs a fixed number of queries, whatever the number of meetings,
documents, proofs, linked files and items: measured with N rows, then with 2 N."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    BudgetProof,
    BudgetProofKind,
    DocumentKind,
    ItemAssessment,
    ItemFile,
    Meeting,
    MeetingKind,
    UnitDocument,
)
from tests.evaluation.conftest import assessment, pdf

pytestmark = pytest.mark.django_db

CAP = 25  # session, user, unit, navigation and the page's own (the overview's figures included)


def add_rows(office_user, member_liaison, evaluation, n: int) -> None:
    a1, a3 = assessment(evaluation, "1"), assessment(evaluation, "3")
    for i in range(n):
        year = 2023 + i % 4
        meeting = services.meeting_create(
            user=office_user, date=dt.date(year, 1 + i % 12, 1), kind=list(MeetingKind)[i % 4], title=f"会议{i}",
            minutes=pdf(f"纪要{i}"),
        )  # fmt: skip
        services.evidence_link_create(user=office_user, assessment=a1, target=meeting)
        proof = services.budget_proof_create(
            user=office_user, year=year, kind=BudgetProofKind.PAYMENT, amount=Decimal(1000 + i), note="",
            file=SimpleUploadedFile(f"凭证{i}.pdf", b"%PDF-1.4 x"),
        )  # fmt: skip
        services.evidence_link_create(user=office_user, assessment=a3, target=proof)
        document = services.unit_document_upload(
            user=member_liaison, year=year, kind=list(DocumentKind)[i % 3],
            file=SimpleUploadedFile(f"材料{i}.pdf", b"%PDF-1.4 y"),
        )  # fmt: skip
        services.evidence_link_create(user=office_user, assessment=a1, target=document)
        services.item_files_add(
            user=office_user, assessment=a3, files=[SimpleUploadedFile(f"上传{i}.pdf", b"%PDF-1.4 z")]
        )


def pages(evaluation) -> dict[str, str]:
    a1 = assessment(evaluation, "1")
    meeting = Meeting.objects.order_by("pk").first()
    return {
        "index": reverse("evaluation:index"),
        "detail": reverse("evaluation:detail", args=[evaluation.pk]),
        "item": reverse("evaluation:item", args=[a1.pk]),
        "table": reverse("evaluation:table_detail", args=[evaluation.table_id]),
        "meetings": reverse("evaluation:meeting_list"),
        "budget": reverse("evaluation:budget_list"),
        "documents": reverse("evaluation:documents"),
        "export_index": reverse("evaluation:export_index", args=[evaluation.pk]),
        "create": reverse("evaluation:create"),
        "import": reverse("evaluation:table_import"),
        "template": reverse("evaluation:table_template"),
        "meeting_create": reverse("evaluation:meeting_create"),
        "export_zip": reverse("evaluation:export_zip", args=[evaluation.pk]),
        "item_edit": reverse("evaluation:item_edit", args=[a1.item_id]),
        "item_create": reverse("evaluation:item_create", args=[evaluation.table_id]),
        "meeting_detail": reverse("evaluation:meeting_detail", args=[meeting.pk]),
        "meeting_minutes": reverse("evaluation:meeting_minutes", args=[meeting.pk]),
        "budget_download": reverse("evaluation:budget_download", args=[BudgetProof.objects.first().pk]),
        "document_download": reverse("evaluation:document_download", args=[UnitDocument.objects.first().pk]),
        "item_file_download": reverse("evaluation:item_file_download", args=[ItemFile.objects.first().pk]),
    }


def counts(client, urls: dict[str, str]) -> dict[str, int]:
    out = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.streaming:  # a streamed zip or file queries while it is sent
                b"".join(response.streaming_content)
        assert response.status_code == 200, name
        out[name] = len(ctx)
    return out


def test_each_page_costs_the_same_with_twice_the_rows(
    client_for, office_user, leader, member_liaison, evaluation, today
):
    add_rows(office_user, member_liaison, evaluation, 3)
    urls = pages(evaluation)
    client = client_for(office_user)
    client.get(reverse("home"))  # warm the per-process caches
    small = counts(client, urls)
    add_rows(office_user, member_liaison, evaluation, 6)
    large = counts(client, urls)
    assert small == large
    assert max(large.values()) <= CAP, large
    member_urls = {"documents": reverse("evaluation:documents")}
    member = client_for(member_liaison)
    assert counts(member, member_urls)["documents"] <= CAP
    assert ItemAssessment.objects.get(pk=assessment(evaluation, "1").pk).links.count() == 18
