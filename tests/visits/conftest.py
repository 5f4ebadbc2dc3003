"""Campaign fixtures on top of the personas of tests/conftest.py.

The campaign is the 2027 春节 one of the county; townships A and B and the member unit are
expected to return. Time is frozen at named instants with time-machine.
"""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest

from tests.visits.factories import CampaignFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: During the 2027 春节 visiting window, before the deadline (2027-02-25).
IN_WINDOW = dt.datetime(2027, 2, 3, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def categories(request):
    """The category list the data migration seeds: a transactional test elsewhere may have flushed it."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("db")
    from visits.models import BeneficiaryCategory

    seed = importlib.import_module("visits.migrations.0002_seed_categories")
    for order, (name, row) in enumerate(seed.CATEGORIES):
        BeneficiaryCategory.objects.get_or_create(name=name, defaults={"table_row": row, "sort_order": order * 10})


@pytest.fixture(autouse=True)
def import_staging_dir(tmp_path, settings):
    """Each test's default storage (where imports are staged) is its own folder: other test runs
    may share the machine at the same time."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT / "import-staging"


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, member_unit):
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit, member_unit])


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return time_machine
