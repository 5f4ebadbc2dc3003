"""Fixtures of the tasks app: evidence files go to a temporary MEDIA_ROOT, never into var/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


from tests.levels_fixtures import *  # noqa: E402, F403 (a city above the county: issue 15)
