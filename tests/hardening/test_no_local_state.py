"""Several web machines behind one PostgreSQL and Redis: a request may reach any of them, so no
view may keep state on the local disk between two requests (uploads go to the configured
storage, everything else to the database or the cache)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.bad_inputs import corpus
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import CampaignFactory
from visits.resources import VISIT_COLUMNS

pytestmark = pytest.mark.django_db


def copies_of(content: bytes, folder: Path, since: float) -> list[Path]:
    """Files under ``folder`` written since ``since`` whose bytes are exactly ``content``."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            try:
                stat = path.stat()
                if stat.st_mtime >= since and stat.st_size == len(content) and path.read_bytes() == content:
                    found.append(path)
            except OSError:
                continue  # another process's file vanished or is not ours to read
    return found


def test_import_preview_keeps_nothing_on_the_local_disk(
    client_for, township_a, county, township_a_unit, time_machine, settings, tmp_path
):
    time_machine.move_to(IN_WINDOW, tick=False)
    settings.MEDIA_ROOT = tmp_path / "uploads"  # the configured upload storage may hold it
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    # A note unique to this run: a copy of these bytes found on disk is ours, whatever else runs.
    nonce = f"run {os.getpid()}-{id(tmp_path)}-{tmp_path.name}"
    good = [township_a_unit.name, "2027-02-01", "重点优抚对象", "王镇长", 3, 600, 3, 300, 3, 3, "", "", "", nonce]
    content = corpus.xlsx([list(VISIT_COLUMNS.values()), good])
    # File times are the real clock (the app's clock is frozen): take "now" from a fresh file.
    marker = tmp_path / "marker"
    marker.write_bytes(b"")
    started = marker.stat().st_mtime - 1
    response = client_for(township_a).post(
        reverse("visits:import_upload", kwargs={"kind": "visits"}),
        {"file": SimpleUploadedFile("走访记录.xlsx", content), "campaign": campaign.pk},
    )
    assert response.status_code == 200
    assert "visits_import" in client_for(township_a).session  # the preview accepted it for confirm
    leftovers = copies_of(content, Path(tempfile.gettempdir()), started)
    for path in leftovers:
        path.unlink()  # leave the machine as we found it
    assert not leftovers, f"files left on the local disk between preview and confirm: {leftovers}"
