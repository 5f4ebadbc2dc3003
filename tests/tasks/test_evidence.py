"""Evidence files: stored privately, downloaded only inside the scope, bad files refused."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import DualListState, Evidence, ProgressReport
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.tasks.helpers import PDF_BYTES, exe_as_pdf, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(county, township_a_unit, office_user):
    return TaskFactory(
        plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit, deadline=dt.date(2099, 1, 1)
    )


def _report(client, task, *files):
    return client.post(
        reverse("tasks:progress_create", args=[task.pk]),
        {"report_date": "2022-06-01", "text": "进展", "attachments": list(files)},
    )


def test_upload_and_download_in_scope(client_for, task, township_a, office_user, private_media):
    assert _report(client_for(township_a), task, pdf("会议纪要.pdf")).status_code == 302
    evidence = Evidence.objects.get()
    assert (private_media / evidence.file.name).exists()
    response = client_for(office_user).get(reverse("tasks:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment") and "会议纪要.pdf" in disposition


def test_download_outside_scope_is_404(client_for, task, township_a, township_b, troop_liaison):
    _report(client_for(township_a), task, pdf())
    evidence = Evidence.objects.get()
    url = reverse("tasks:evidence_download", args=[evidence.pk])
    assert client_for(township_b).get(url).status_code == 404
    assert client_for(troop_liaison).get(url).status_code == 404


def test_evidence_is_not_served_from_a_media_url(client_for, task, township_a, settings):
    _report(client_for(township_a), task, pdf())
    evidence = Evidence.objects.get()
    assert client_for(township_a).get(settings.MEDIA_URL + evidence.file.name).status_code == 404


def test_exe_renamed_pdf_is_refused(client_for, task, township_a):
    client = client_for(township_a)
    response = _report(client, task, exe_as_pdf("报告.pdf"))
    assert response.status_code == 302
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    page = client.get(response.url).content.decode()
    assert "内容与扩展名不符" in page


def test_file_over_the_limit_is_refused(client_for, task, township_a, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("大文件.pdf", PDF_BYTES + b"0" * 4096)
    client = client_for(township_a)
    response = _report(client, task, big)
    assert not Evidence.objects.exists()
    assert "太大" in client.get(response.url).content.decode()


def test_dual_list_evidence_visible_to_partner_troop_only(
    client_for, troop_unit, township_a_unit, township_a, troop_liaison, township_b
):
    item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state=DualListState.IN_PROGRESS)
    response = client_for(township_a).post(
        reverse("tasks:dual_item_action", args=[item.pk, "request_close"]),
        {"note": "已办结", "attachments": [pdf("场地协议.pdf")]},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(dual_list_item=item)
    url = reverse("tasks:evidence_download", args=[evidence.pk])
    assert client_for(troop_liaison).get(url).status_code == 200
    assert client_for(township_b).get(url).status_code == 404
