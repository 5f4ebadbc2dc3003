"""The access matrix: every URL pattern × every role × GET and POST, against an explicit table.

The world: objects of township A (巴川街道) — a beneficiary, a visit record in its return, a task it
leads with evidence, a 双清单 item it is responsible for (partner: the troop) — seen by:

- anonymous: 302 to the login page, everywhere;
- office (county): everything, may change;
- leader (county): reads everything, every POST is 403 (ReadOnlyRoleMiddleware);
- township_a: inside the scope; township_b: outside (404 on A's objects, never 403: the URL does
  not reveal that the object exists);
- member (区教委) and troop: outside A's scope; the troop is the partner of A's 双清单 item.

POSTs carry no data: an allowed user gets the form back with errors (200) or is redirected with
a message (302); what matters here is who gets past the access checks. Every request runs in a
savepoint that is rolled back, so each role meets the same world.

A URL pattern without a row in MATRIX fails ``test_every_url_pattern_has_a_row`` with its name:
a new view must be thought through here before it ships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shuangyong.notifications import notify
from tasks.models import ClosureRequest, DualListState, Evidence, ExtensionRequest, Milestone, ProgressReport
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.models import Difficulty, DifficultyKind

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "office", "leader", "township_a", "township_b", "member", "troop")
PUBLIC = {"login", "health"}


@dataclass
class World:
    users: dict[str, Any]
    objs: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objs[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def expect(default: int, **per_role: int) -> dict[str, int]:
    """Expected status per logged-in role: ``default`` unless named."""
    return {role: per_role.get(role, default) for role in ROLES if role != "anonymous"}


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict[str, Any]] | None
    get: dict[str, int]
    post: dict[str, int]


# Shorthands used in the table below.
ALL_200 = expect(200)
POST_ONLY = expect(405)  # GET of a view that only accepts POST
# POST to a page that ignores the method: it renders like a GET, but the leader is refused first.
POST_AS_GET = expect(200, leader=403)
# Objects of township A: the county sees them, A sees them, nobody else even learns they exist.
A_ONLY_READ = expect(404, office=200, leader=200, township_a=200)
A_ONLY_READ_POST = expect(404, office=200, leader=403, township_a=200)  # a form page of A's object
A_ONLY_WRITE = expect(404, office=302, leader=403, township_a=302)
A_OFFICE_DECIDES = expect(404, office=302, leader=403, township_a=403)  # A sees it, only the office decides
OFFICE_ONLY_PAGE = expect(403, office=200)  # forms and pages only the office uses (403: role)
OFFICE_ONLY_POST = expect(403, office=302)
# The ledger is personal data: its township and the office only; leaders don't see it at all.
LEDGER_LIST = expect(404, office=200, township_a=200, township_b=200)
LEDGER_LIST_POST = expect(404, office=200, leader=403, township_a=200, township_b=200)
LEDGER_A = expect(404, office=200, township_a=200)
LEDGER_A_POST = A_ONLY_READ_POST
# Imports of visit records: the reporting units (townships, member units) and the office.
IMPORTERS = expect(200, leader=403, troop=403)
# A's 双清单 item: the troop is its partner, so it sees the item too.
DUAL_A = expect(404, office=200, leader=200, township_a=200, troop=200)
DUAL_A_POST = expect(404, office=200, leader=403, township_a=200, troop=200)


class Ref(str):
    """The name of an object of the world: the URL gets its primary key."""


def kw(**values: Any) -> Callable[[World], dict[str, Any]]:
    """URL kwargs: a Ref is replaced by that object's pk, anything else is used as it is."""
    return lambda w: {k: (getattr(w, v).pk if isinstance(v, Ref) else v) for k, v in values.items()}


MATRIX: dict[str, Row] = {
    # --- the shell -----------------------------------------------------------------------------
    "home": Row(None, ALL_200, POST_AS_GET),
    "logout": Row(None, expect(405), expect(302)),  # leaders may log out: not a change of data
    "password_change": Row(None, ALL_200, ALL_200),  # own password: allowed to leaders too
    "password_change_done": Row(None, ALL_200, expect(405, leader=403)),
    "unit_list": Row(None, ALL_200, POST_AS_GET),
    "unit_detail": Row(kw(pk=Ref("unit_a")), A_ONLY_READ, A_ONLY_READ_POST),
    "unit_contact_edit": Row(
        kw(pk=Ref("unit_a")),
        A_ONLY_READ_POST,
        A_ONLY_READ_POST,
    ),
    "notification_list": Row(None, ALL_200, POST_AS_GET),
    # Marking one's own notification read is allowed to leaders too (not a change of portal data).
    "notification_read": Row(kw(pk=Ref("notification")), POST_ONLY, expect(404, township_a=302)),
    "notification_read_all": Row(None, POST_ONLY, expect(302)),
    # --- tasks ---------------------------------------------------------------------------------
    "tasks:task_board": Row(None, ALL_200, POST_AS_GET),
    "tasks:my_tasks": Row(None, ALL_200, POST_AS_GET),
    "tasks:completion": Row(None, ALL_200, POST_AS_GET),
    "tasks:tasks_export": Row(None, ALL_200, POST_AS_GET),
    "tasks:tasks_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:plan_list": Row(None, ALL_200, POST_AS_GET),
    "tasks:plan_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:plan_import_save": Row(None, POST_ONLY, OFFICE_ONLY_PAGE),
    # The work points are published to every unit; the tasks on the page are scoped.
    "tasks:plan_detail": Row(kw(pk=Ref("plan")), ALL_200, POST_AS_GET),
    "tasks:task_detail": Row(kw(pk=Ref("task")), A_ONLY_READ, A_ONLY_READ_POST),
    # Only the office edits a task; its lead unit reports progress instead (403: role).
    "tasks:task_edit": Row(
        kw(pk=Ref("task")),
        expect(404, office=200, leader=403, township_a=403),
        expect(404, office=200, leader=403, township_a=403),
    ),
    "tasks:progress_create": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:closure_request": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:extension_request": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:milestone_create": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:closure_decide": Row(kw(pk=Ref("closure")), POST_ONLY, A_OFFICE_DECIDES),
    "tasks:extension_decide": Row(kw(pk=Ref("extension")), POST_ONLY, A_OFFICE_DECIDES),
    "tasks:milestone_toggle": Row(kw(pk=Ref("milestone")), POST_ONLY, A_ONLY_WRITE),
    "tasks:evidence_download": Row(kw(pk=Ref("evidence")), A_ONLY_READ, A_ONLY_READ_POST),
    "tasks:dual_list": Row(None, ALL_200, POST_AS_GET),
    # Troops propose needs; the office records items; others may not (403: role).
    "tasks:dual_item_create": Row(None, expect(403, office=200, troop=200), expect(403, office=200, troop=200)),
    "tasks:dual_list_export": Row(None, ALL_200, POST_AS_GET),
    "tasks:dual_list_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    # The editable list of 双清单 categories is the office's (403: role).
    "tasks:dual_categories": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:dual_category_edit": Row(lambda w: {"pk": w.dual_item.category_id}, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:dual_item_detail": Row(kw(pk=Ref("dual_item")), DUAL_A, DUAL_A_POST),
    # "start" belongs to the responsible unit alone: the office and the partner troop get 403.
    "tasks:dual_item_action": Row(
        kw(pk=Ref("dual_item"), action="start"),
        POST_ONLY,
        expect(404, office=403, leader=403, township_a=302, troop=403),
    ),
    "tasks:reconciliation_index": Row(None, ALL_200, POST_AS_GET),
    "tasks:reconciliation": Row(kw(troop_pk=Ref("troop_unit"), year=2027), DUAL_A, DUAL_A_POST),
    "tasks:reconciliation_export": Row(kw(troop_pk=Ref("troop_unit"), year=2027), DUAL_A, DUAL_A_POST),
    "tasks:carry_over": Row(
        kw(troop_pk=Ref("troop_unit"), year=2027),
        POST_ONLY,
        expect(404, office=302, leader=403, township_a=403, troop=403),
    ),
    # --- visits: the ledger ---------------------------------------------------------------------
    "visits:beneficiary_list": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_create": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_export": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_detail": Row(kw(pk=Ref("beneficiary")), LEDGER_A, LEDGER_A_POST),
    "visits:beneficiary_edit": Row(kw(pk=Ref("beneficiary")), LEDGER_A, LEDGER_A_POST),
    "visits:beneficiary_reveal": Row(kw(pk=Ref("beneficiary")), POST_ONLY, LEDGER_A_POST),
    "visits:contact_create": Row(kw(pk=Ref("beneficiary")), POST_ONLY, A_ONLY_WRITE),
    "visits:difficulty_create": Row(kw(pk=Ref("beneficiary")), POST_ONLY, A_ONLY_WRITE),
    "visits:difficulty_update": Row(kw(pk=Ref("difficulty")), POST_ONLY, A_ONLY_WRITE),
    # --- visits: campaigns and returns ----------------------------------------------------------
    "visits:campaign_list": Row(None, ALL_200, POST_AS_GET),
    "visits:campaign_create": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "visits:campaign_next_year": Row(None, POST_ONLY, OFFICE_ONLY_POST),
    # Reporting units are sent on to their own return (302); the board is the office's and leaders'.
    # The troop does not report: it sees the board narrowed to its own scope (nothing of A's).
    "visits:campaign_detail": Row(
        kw(pk=Ref("campaign")),
        expect(302, office=200, leader=200, troop=200),
        expect(302, office=200, leader=403, troop=200),
    ),
    "visits:campaign_edit": Row(kw(pk=Ref("campaign")), OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "visits:campaign_duplicates": Row(kw(pk=Ref("campaign")), OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    # Everyone may export the records of the campaign that they can see (scoped rows).
    "visits:campaign_records_export": Row(kw(pk=Ref("campaign")), ALL_200, POST_AS_GET),
    "visits:unit_return": Row(kw(pk=Ref("campaign"), unit_pk=Ref("unit_a")), A_ONLY_READ, A_ONLY_READ_POST),
    "visits:return_submit": Row(kw(pk=Ref("campaign"), unit_pk=Ref("unit_a")), POST_ONLY, A_ONLY_WRITE),
    "visits:record_create": Row(
        kw(pk=Ref("campaign"), unit_pk=Ref("unit_a")),
        A_ONLY_READ_POST,
        A_ONLY_READ_POST,
    ),
    # The record form's person search: A's people for A and the office; leaders may not enter records.
    "visits:person_search": Row(
        kw(unit_pk=Ref("unit_a")), expect(404, office=200, leader=403, township_a=200), expect(405, leader=403)
    ),
    "visits:return_accept": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:return_send_back": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:return_reopen": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:record_detail": Row(kw(pk=Ref("record")), A_ONLY_READ, A_ONLY_READ_POST),
    "visits:record_edit": Row(
        kw(pk=Ref("record")),
        A_ONLY_READ_POST,
        A_ONLY_READ_POST,
    ),
    "visits:record_delete": Row(kw(pk=Ref("record")), POST_ONLY, A_ONLY_WRITE),
    "visits:import_upload": Row(kw(kind="visits"), IMPORTERS, IMPORTERS),
    "visits:import_template": Row(
        kw(kind="visits"), expect(200, leader=403, troop=403), expect(200, leader=403, troop=403)
    ),
    "visits:import_confirm": Row(kw(kind="visits"), POST_ONLY, expect(302, leader=403, troop=403)),
    "visits:import_cancel": Row(kw(kind="visits"), POST_ONLY, expect(302, leader=403, troop=403)),
    # --- reports --------------------------------------------------------------------------------
    "reports:index": Row(None, ALL_200, POST_AS_GET),
    "reports:dashboard": Row(None, expect(403, office=200, leader=200), expect(403, office=200)),
    "reports:unit_table": Row(
        kw(campaign_pk=Ref("campaign"), unit_pk=Ref("unit_a")),
        A_ONLY_READ,
        A_ONLY_READ_POST,
    ),
    "reports:county_workbook": Row(
        kw(pk=Ref("campaign"), basis="accepted"),
        expect(403, office=200, leader=200),
        expect(403, office=200),
    ),
    "reports:task_closure": Row(kw(year=2027), expect(403, office=200, leader=200), expect(403, office=200)),
}


@pytest.fixture
def world(
    settings,
    tmp_path,
    county,
    township_a_unit,
    village_a1,
    township_b_unit,
    member_unit,
    troop_unit,
    office_user,
    leader,
    township_a,
    township_b,
    member_liaison,
    troop_liaison,
) -> World:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    w = World(
        users={
            "office": office_user,
            "leader": leader,
            "township_a": township_a,
            "township_b": township_b,
            "member": member_liaison,
            "troop": troop_liaison,
        }
    )
    o = w.objs
    o["county"], o["unit_a"], o["unit_b"], o["troop_unit"] = county, township_a_unit, township_b_unit, troop_unit
    o["campaign"] = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit, member_unit])
    o["beneficiary"] = BeneficiaryFactory(org_unit=township_a_unit)
    o["difficulty"] = Difficulty.objects.create(
        beneficiary=o["beneficiary"], kind=DifficultyKind.HOUSING, description="房屋漏雨", raised_on=dt.date(2027, 1, 5)
    )
    o["record"] = VisitRecordFactory(campaign=o["campaign"], org_unit=township_a_unit, created_by=township_a)
    o["return"] = o["record"].unit_return
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    o["plan"] = plan
    o["task"] = TaskFactory(plan=plan, section=None, lead_unit=township_a_unit, deadline=dt.date(2027, 12, 31))
    o["milestone"] = Milestone.objects.create(task=o["task"], title="完成调研", deadline=dt.date(2027, 6, 30))
    o["closure"] = ClosureRequest.objects.create(task=o["task"], note="已完成", requested_by=township_a)
    o["extension"] = ExtensionRequest.objects.create(
        task=o["task"],
        original_deadline=o["task"].deadline,
        requested_deadline=dt.date(2028, 3, 31),
        reason="施工延期",
        requested_by=township_a,
    )
    report = ProgressReport.objects.create(
        task=o["task"], unit=township_a_unit, author=township_a, report_date=dt.date(2027, 3, 1), text="已启动"
    )
    evidence = Evidence(progress_report=report, original_name="现场照片.jpg", size=9, uploaded_by=township_a)
    evidence.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff jpeg"), save=True)
    o["evidence"] = evidence
    o["dual_item"] = DualListItemFactory(
        year=2027,
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=DualListState.ASSIGNED,
        created_by=office_user,
    )
    o["notification"] = notify(recipients=[township_a], title="填报已退回", body="请补充。", url="/")[0]
    return w


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue  # Django's admin: staff only, its own login and permission system
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out += _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append((f"{namespace}{p.name}", prefix + str(p.pattern)))
    return out


ALL_PATTERNS = _walk(get_resolver().url_patterns)


def observe(world: World, name: str, row: Row) -> dict[str, dict[str, int]]:
    url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else None)
    seen: dict[str, dict[str, int]] = {"get": {}, "post": {}}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for method in ("get", "post"):
            sid = transaction.savepoint()
            try:
                response = getattr(client, method)(url)
            finally:
                transaction.savepoint_rollback(sid)
            if role == "anonymous":
                assert response.status_code == 302, f"{name} {method.upper()} anonymous → {response.status_code}"
                assert response.url.startswith(reverse("login")), f"{name}: anonymous sent to {response.url}"
            seen[method][role] = response.status_code
    return seen


def test_every_url_pattern_has_a_row():
    missing = [name for name, _ in ALL_PATTERNS if name not in MATRIX and name not in PUBLIC]
    assert not missing, f"URL pattern(s) without a row in the access matrix: {', '.join(missing)}"
    stale = set(MATRIX) - {name for name, _ in ALL_PATTERNS}
    assert not stale, f"rows for URL patterns that no longer exist: {', '.join(sorted(stale))}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(world, name):
    row = MATRIX[name]
    seen = observe(world, name, row)
    seen["get"].pop("anonymous")
    seen["post"].pop("anonymous")
    assert seen == {"get": row.get, "post": row.post}, f"{name}: expected {row}, observed {seen}"
