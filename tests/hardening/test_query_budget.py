"""Query budget: every list and detail page costs a fixed number of queries, whatever the rows.

The county is generated twice with ``generate_scale_data`` (same shape, same seed): once with
N rows per list and once with 2 N. Each page is opened by each role that may open it, with the
same objects (same primary keys: the sequences are reset between the two runs), and the number
of queries must be the same both times and stay under the cap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangyong.models import OrgUnit, User
from tasks.models import DualListItem, DualListState, Task, WorkPlan
from visits.models import Beneficiary, BeneficiaryCategory, Campaign, Return, ReturnStatus, VisitRecord

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HTML_CAP = 15  # an HTML page: session, user, unit, the page's own queries, pagination
DOWNLOAD_CAP = 20  # a spreadsheet: a few more lookups (campaign, units, totals), still fixed
# Pages that assemble many panels. Fixed (they do not grow with rows, asserted below) but above
# the general cap; reported to the reports/tasks owners, with caching as the planned fix.
HOME_CAP = 45  # the leader's home: every app's panels incl. the dashboard figures (40 measured)
DASHBOARD_CAP = 35  # two campaign tables, task and 双清单 figures, overdue lists (32 measured)

SHAPE = {"scope": "county", "townships": 3, "members": 2, "troops": 1, "villages": 1, "verbosity": 0}
SMALL = {"beneficiaries": 90, "visits": 90, "tasks": 30, "dual_list": 30}  # 30 per township
LARGE = {"beneficiaries": 180, "visits": 180, "tasks": 60, "dual_list": 60}  # 60 per township

USERS = {
    "office": "sc-x01-office",
    "leader": "sc-x01-leader",
    "township": "sc-x01-t01",
    "member": "sc-x01-m01",
    "troop": "sc-x01-b01",
}


def _first_campaign() -> Campaign:
    return Campaign.objects.order_by("pk").first()


def _editable() -> Return:
    """A return that still takes records (draft or sent back), with at least one record."""
    return (
        Return.objects.filter(status__in=[ReturnStatus.DRAFT, ReturnStatus.RETURNED], records__isnull=False)
        .order_by("org_unit__code", "campaign_id")
        .first()
    )  # type: ignore[return-value]


def _township() -> OrgUnit:
    return OrgUnit.objects.get(code="sc-x01-t01")


def _dual_item() -> DualListItem:
    """An item of the township in the same state in both runs (the page's actions depend on it)."""
    return DualListItem.objects.filter(responsible_unit=_township(), state=DualListState.ASSIGNED).first()


# (url name, kwargs from the generated data, cap). The same kwargs are computed after each run.
PAGES: list[tuple[str, Callable[[], dict[str, Any]], int]] = [
    ("home", dict, HOME_CAP),
    ("unit_list", dict, HTML_CAP),
    ("unit_detail", lambda: {"pk": _township().pk}, HTML_CAP),
    ("notification_list", dict, HTML_CAP),
    ("tasks:task_board", dict, HTML_CAP),
    ("tasks:my_tasks", dict, HTML_CAP),
    ("tasks:completion", dict, HTML_CAP),
    ("tasks:plan_list", dict, HTML_CAP),
    ("tasks:plan_detail", lambda: {"pk": WorkPlan.objects.get().pk}, HTML_CAP),
    ("tasks:task_detail", lambda: {"pk": Task.objects.filter(lead_unit=_township()).first().pk}, HTML_CAP),
    ("tasks:dual_list", dict, HTML_CAP),
    ("tasks:dual_item_detail", lambda: {"pk": _dual_item().pk}, HTML_CAP),
    ("tasks:reconciliation_index", dict, HTML_CAP),
    ("tasks:reconciliation", lambda: {"troop_pk": OrgUnit.objects.get(code="sc-x01-b01").pk, "year": 2026}, HTML_CAP),
    ("visits:beneficiary_list", dict, HTML_CAP),
    (
        "visits:beneficiary_detail",
        lambda: {"pk": Beneficiary.objects.filter(org_unit=_township()).first().pk},
        HTML_CAP,
    ),
    ("visits:campaign_list", dict, HTML_CAP),
    ("visits:campaign_detail", lambda: {"pk": _first_campaign().pk}, HTML_CAP),
    ("visits:campaign_duplicates", lambda: {"pk": _first_campaign().pk}, HTML_CAP),
    ("visits:unit_return", lambda: {"pk": _first_campaign().pk, "unit_pk": _township().pk}, HTML_CAP),
    ("visits:record_detail", lambda: {"pk": VisitRecord.objects.filter(org_unit=_township()).first().pk}, HTML_CAP),
    ("reports:index", dict, HTML_CAP),
    ("reports:dashboard", dict, DASHBOARD_CAP),
    # Form pages (GET): their choice lists must come from one query each, not one per row.
    ("unit_contact_edit", lambda: {"pk": _township().pk}, HTML_CAP),
    ("visits:beneficiary_create", dict, HTML_CAP),
    ("visits:beneficiary_edit", lambda: {"pk": Beneficiary.objects.filter(org_unit=_township()).first().pk}, HTML_CAP),
    ("visits:campaign_create", dict, HTML_CAP),
    ("visits:campaign_edit", lambda: {"pk": _first_campaign().pk}, HTML_CAP),
    ("visits:record_create", lambda: {"pk": _editable().campaign_id, "unit_pk": _editable().org_unit_id}, HTML_CAP),
    ("visits:record_edit", lambda: {"pk": _editable().records.order_by("pk").first().pk}, HTML_CAP),
    ("visits:import_upload", lambda: {"kind": "visits"}, HTML_CAP),
    ("tasks:task_edit", lambda: {"pk": Task.objects.filter(lead_unit=_township()).first().pk}, HTML_CAP),
    ("tasks:dual_item_create", dict, HTML_CAP),
    # Downloads.
    ("tasks:tasks_export", dict, DOWNLOAD_CAP),
    ("tasks:dual_list_export", dict, DOWNLOAD_CAP),
    ("visits:beneficiary_export", dict, DOWNLOAD_CAP),
    ("visits:campaign_records_export", lambda: {"pk": _first_campaign().pk}, DOWNLOAD_CAP),
    ("reports:unit_table", lambda: {"campaign_pk": _first_campaign().pk, "unit_pk": _township().pk}, DOWNLOAD_CAP),
    ("reports:county_workbook", lambda: {"pk": _first_campaign().pk, "basis": "accepted"}, DOWNLOAD_CAP),
    ("reports:task_closure", lambda: {"year": 2026}, DOWNLOAD_CAP),
]


def measure() -> dict[tuple[str, str], int]:
    """Queries of every page for every role that gets a 200 (the others are the access matrix's)."""
    counts: dict[tuple[str, str], int] = {}
    for role, username in USERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(reverse("home"))  # warm the per-process caches (content types, navigation)
        for name, kwargs, _cap in PAGES:
            url = reverse(name, kwargs=kwargs())
            cache.clear()  # measure what a page costs when it is computed, not served from the cache
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code == 200:
                counts[(name, role)] = len(ctx)
    return counts


def generate(rows: dict[str, int], categories: list[BeneficiaryCategory]) -> None:
    call_command("flush", interactive=False, verbosity=0)  # and reset the sequences: same pks
    BeneficiaryCategory.objects.bulk_create(categories)
    call_command("generate_scale_data", seed=11, **SHAPE, **rows)


def test_every_page_costs_a_fixed_number_of_queries(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    categories = list(BeneficiaryCategory.objects.all())
    generate(SMALL, categories)
    small = measure()
    generate(LARGE, categories)
    large = measure()

    caps = {name: cap for name, _, cap in PAGES}
    assert set(small) == set(large)
    # Every page was opened by at least one role (a page nobody may open measures nothing).
    assert {name for name, _ in small} == set(caps)
    grew = {key: (small[key], large[key]) for key in small if large[key] != small[key]}
    assert not grew, f"queries grow with rows (page, role): (N rows, 2N rows) {grew}"
    over = {key: n for key, n in large.items() if n > caps[key[0]]}
    assert not over, f"pages over their query cap: {over}"
