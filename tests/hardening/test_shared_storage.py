"""Uploads go to a configurable storage (``FILE_STORAGE_BACKEND``, Django's ``STORAGES["default"]``),
so several web machines can share an object store instead of a local folder. Here the storage is
Django's in-memory one: every upload path works through the storage API alone (no ``.path``, no
file under MEDIA_ROOT)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Evidence
from tests.bad_inputs import corpus
from tests.tasks.factories import TaskFactory
from tests.tasks.helpers import PDF_BYTES, pdf
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import CampaignFactory
from visits.models import VisitRecord
from visits.resources import VISIT_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def _nothing_on_disk(media_root) -> bool:
    return not media_root.exists() or not any(files for _root, _dirs, files in os.walk(media_root))


def test_evidence_is_stored_and_served_through_the_configured_storage(
    shared_storage, client_for, county, township_a_unit, office_user, township_a
):
    task = TaskFactory(
        plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit, deadline=dt.date(2099, 1, 1)
    )
    response = client_for(township_a).post(
        reverse("tasks:progress_create", args=[task.pk]),
        {"report_date": "2022-06-01", "text": "进展", "attachments": [pdf("会议纪要.pdf")]},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert isinstance(evidence.file.storage, InMemoryStorage)
    assert default_storage.exists(evidence.file.name)
    download = client_for(office_user).get(reverse("tasks:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert _nothing_on_disk(shared_storage)


def test_an_import_is_staged_and_confirmed_through_the_configured_storage(
    shared_storage, client_for, township_a, county, township_a_unit, time_machine
):
    time_machine.move_to(IN_WINDOW, tick=False)
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    row = [township_a_unit.name, "2027-02-01", "重点优抚对象", "王镇长", 3, 600, 3, 300, 3, 3, "", "", "", ""]
    client = client_for(township_a)
    preview = client.post(
        reverse("visits:import_upload", kwargs={"kind": "visits"}),
        {
            "file": SimpleUploadedFile("走访记录.xlsx", corpus.xlsx([list(VISIT_COLUMNS.values()), row])),
            "campaign": campaign.pk,
        },
    )
    assert preview.status_code == 200 and preview.context["result"].ok
    assert default_storage.exists(client.session["visits_import"]["token"])  # the staged file's name
    confirm = client.post(
        reverse("visits:import_confirm", kwargs={"kind": "visits"}), {"token": preview.context["token"]}
    )
    assert confirm.status_code == 302
    assert VisitRecord.objects.filter(org_unit=township_a_unit).count() == 1
    assert _nothing_on_disk(shared_storage)
