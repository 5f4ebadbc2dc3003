"""The access matrix: every URL pattern × every role × GET and POST, against an explicit table.

The table's answers are written for the objects of township A (巴川街道) — a beneficiary (with a
contact log, and a pending transfer to the other county), a visit record of that person in its
return, a task it leads with evidence, a 双清单 item it is responsible for (partner: the troop) —
as seen by:

- anonymous: 302 to the login page, everywhere;
- office (county): everything, may change;
- leader (county): reads everything, every POST is 403 (ReadOnlyRoleMiddleware);
- admin (系统管理员, at the county): runs the county like the office (it may enter visit records
  too), but never reads the personal ledger (台账): every ledger URL answers it 404
  (visits.policy.LEDGER_ROLES), and its person search finds nobody;
- township_a: inside the scope; township_b: outside (404 on A's objects, never 403: the URL does
  not reveal that the object exists);
- member (区教委) and troop: outside A's scope; the troop is the partner of A's 双清单 item.

The same URLs are then tried on the objects of other places (PLACES), whose answers follow from
the table's by a stated rule:

- township B and the member unit have objects of their own (the member unit: no ledger, which is
  a township's, and no 双清单 item): the owner answers as township_a does for A's, and township_a
  as the owner does;
- another county (永川区, a second root of the tree) has a township with the same objects, its own
  campaign, work plan and troop: nobody of this county — office, leader and admin included —
  learns that they exist. Every answer is 404, except the two refusals that come before any lookup: 405 for the wrong
  method, and the leader's 403 on POST (ReadOnlyRoleMiddleware).

The county sits under a city under a province (docs/levels.md). Their offices and leaders are
tried separately (``test_access_from_above``): they read the subtree's tables, returns and task
progress, and every URL of personal data below the county (the ledger, people, visit records,
contact logs, transfers) answers them 404; no page they can open shows a name or an identity
number of the county's ledger (``test_nothing_personal_reaches_an_office_above``).

A URL parameter that is not a primary key (an action, an import kind, a counting basis) is tried
with each value the view accepts and with one it does not (404).

POSTs carry no data: an allowed user gets the form back with errors (200) or is redirected with
a message (302); what matters here is who gets past the access checks. Every request runs in a
savepoint that is rolled back, so each role meets the same world.

A URL pattern without a row in MATRIX fails ``test_every_url_pattern_has_a_row`` with its name,
and a value of a parameter without a row fails ``test_every_parameter_value_has_a_row``: a new
view or action must be thought through here before it ships.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluation.models import (
    BudgetProof,
    BudgetProofKind,
    DocumentKind,
    Evaluation,
    EvidenceLink,
    ItemAssessment,
    ItemFile,
    ItemKind,
    Meeting,
    MeetingKind,
    ScoringItem,
    ScoringTable,
    UnitDocument,
)
from reports.selectors import Basis
from shuangyong.models import (
    DeliveryState,
    Notification,
    OrgUnitKind,
    Reminder,
    ReminderDelegation,
    ReminderSnooze,
    Role,
)
from shuangyong.notifications import notify
from tasks.models import ClosureRequest, DualListState, Evidence, ExtensionRequest, Milestone, ProgressReport
from tasks.policy import TRANSITIONS
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import DualListCategoryFactory, DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.models import BeneficiaryTransfer, ContactLog, ContactWay, Difficulty, DifficultyKind
from visits.views_import import KINDS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "office", "leader", "admin", "township_a", "township_b", "member", "troop")
# The people of the places' ledgers: a page that shows one of these names shows personal data.
PERSON_NAMES = {"tl-bc": "甄秀英", "tl-dc": "贾德明", "yc-sl": "常永福"}
PUBLIC = {"login", "health"}


class Place:
    """The objects of one place of the world, by name (``place.task``)."""

    def __init__(self, objs: dict[str, Any]) -> None:
        self.objs = objs

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objs"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class World:
    users: dict[str, Any]
    places: dict[str, Place]


def expect(default: int, **per_role: int) -> dict[str, int]:
    """Expected status per logged-in role: ``default`` unless named."""
    unknown = set(per_role) - set(ROLES)
    assert not unknown, f"unknown role(s) {unknown}"
    return {role: per_role.get(role, default) for role in ROLES if role != "anonymous"}


@dataclass(frozen=True)
class Row:
    kwargs: Kwargs | None
    get: dict[str, int]
    post: dict[str, int]
    label: str = ""  # the value of a non-pk URL parameter that this row tries


# Shorthands used in the table below.
ALL_200 = expect(200)
POST_ONLY = expect(405)  # GET of a view that only accepts POST
# POST to a page that ignores the method: it renders like a GET, but the leader is refused first.
POST_AS_GET = expect(200, leader=403)
# Objects of township A: the county sees them, A sees them, nobody else even learns they exist.
A_ONLY_READ = expect(404, office=200, leader=200, admin=200, township_a=200)
A_ONLY_READ_POST = expect(404, office=200, leader=403, admin=200, township_a=200)  # a form page of A's object
A_ONLY_WRITE = expect(404, office=302, leader=403, admin=302, township_a=302)
# A sees it, only the office (and the admin) decides.
A_OFFICE_DECIDES = expect(404, office=302, leader=403, admin=302, township_a=403)
OFFICE_ONLY_PAGE = expect(403, office=200, admin=200)  # forms and pages only the office uses (403: role)
OFFICE_ONLY_POST = expect(403, office=302, admin=302)
# The ledger is personal data: its township and the office only; leaders and the admin don't see it
# at all (404: the page does not exist for them).
LEDGER_LIST = expect(404, office=200, township_a=200, township_b=200)
LEDGER_LIST_POST = expect(404, office=200, leader=403, township_a=200, township_b=200)
LEDGER_A = expect(404, office=200, township_a=200)
LEDGER_A_POST = expect(404, office=200, leader=403, township_a=200)
LEDGER_A_WRITE = expect(404, office=302, leader=403, township_a=302)
LEDGER_LIST_WRITE = expect(404, office=302, leader=403, township_a=302, township_b=302)
# Imports of visit records: the reporting units (townships, member units) and the office.
IMPORTERS = expect(200, leader=403, troop=403)
IMPORTERS_WRITE = expect(302, leader=403, troop=403)
# A's 双清单 item: the troop is its partner, so it sees the item too.
DUAL_A = expect(404, office=200, leader=200, admin=200, township_a=200, troop=200)
DUAL_A_POST = expect(404, office=200, leader=403, admin=200, township_a=200, troop=200)
# The troop's 对账 page: the troop, the county, and the units responsible for one of its items
# (A and B; the member unit has none: 404).
TROOP_PAGE = expect(404, office=200, leader=200, admin=200, township_a=200, township_b=200, troop=200)
TROOP_PAGE_POST = expect(404, office=200, leader=403, admin=200, township_a=200, township_b=200, troop=200)
# The county's evaluation binder (evaluation/): office and admin edit, the leader reads, nobody else.
EVAL_READERS = expect(403, office=200, leader=200, admin=200)
EVAL_READERS_POST = expect(403, office=200, admin=200)
COUNTY_READ = expect(404, office=200, leader=200, admin=200)
COUNTY_READ_POST = expect(404, office=200, leader=403, admin=200)
COUNTY_WRITE = expect(404, office=302, leader=403, admin=302)
# An office's own 双清单 category: its office (and the admin) edits it, its leader may not (403).
OWN_CATEGORY = expect(404, office=200, admin=200, leader=403)
# A value of a URL parameter that the view does not know: 404 (the leader's POST is refused first).
UNKNOWN_VALUE = expect(404)
UNKNOWN_VALUE_POST = expect(404, leader=403)


class Ref(str):
    """The name of an object of the place tried: the URL gets its primary key."""


@dataclass(frozen=True)
class Kwargs:
    """URL kwargs: a Ref is replaced by that object's pk, anything else is used as it is."""

    values: dict[str, Any]

    def __call__(self, place: Place) -> dict[str, Any]:
        return {k: (getattr(place, v).pk if isinstance(v, Ref) else v) for k, v in self.values.items()}

    @property
    def refs(self) -> set[str]:
        return {v for v in self.values.values() if isinstance(v, Ref)}


def kw(**values: Any) -> Kwargs:
    return Kwargs(values)


def _dual_action(action: str, get: dict[str, int], post: dict[str, int]) -> Row:
    return Row(kw(pk=Ref("dual_item"), action=action), get, post, label=action)


def _import(kind: str, get: dict[str, int], post: dict[str, int]) -> Row:
    return Row(kw(kind=kind), get, post, label=kind)


def _workbook(basis: str, get: dict[str, int], post: dict[str, int]) -> Row:
    return Row(kw(pk=Ref("campaign"), basis=basis), get, post, label=basis)


MATRIX: dict[str, Row | tuple[Row, ...]] = {
    # --- the shell -----------------------------------------------------------------------------
    "home": Row(None, ALL_200, POST_AS_GET),
    "logout": Row(None, expect(405), expect(302)),  # leaders may log out: not a change of data
    # 大字模式 is the user's own display preference: leaders may switch it too.
    "large_text_switch": Row(None, POST_ONLY, expect(302)),
    "password_change": Row(None, ALL_200, ALL_200),  # own password: allowed to leaders too
    "password_change_done": Row(None, ALL_200, expect(405, leader=403)),
    "unit_list": Row(None, ALL_200, POST_AS_GET),
    "unit_detail": Row(kw(pk=Ref("unit")), A_ONLY_READ, A_ONLY_READ_POST),
    # The unit itself or the office (and the admin) keeps a unit's contact details.
    "unit_contact_edit": Row(kw(pk=Ref("unit")), A_ONLY_READ_POST, A_ONLY_READ_POST),
    "notification_list": Row(None, ALL_200, POST_AS_GET),
    # Marking one's own notification read is allowed to leaders too (not a change of portal data).
    "notification_read": Row(kw(pk=Ref("notification")), POST_ONLY, expect(404, township_a=302)),
    "notification_read_all": Row(None, POST_ONLY, expect(302)),
    # --- reminders: snooze and delegation --------------------------------------------------------
    "reminder_settings": Row(None, ALL_200, POST_AS_GET),  # each sees their own, the county all in scope
    # 本单位提醒规则: the office (any level) sets its own, its leader reads it; other units: 403 (role).
    # A POST without data is the form with its errors (200).
    "office_reminder_policy": Row(None, expect(403, office=200, admin=200, leader=200), OFFICE_ONLY_PAGE),
    # Only the recipient snoozes a reminder entry of their own (no data: the form with errors, 200).
    "snooze_create": Row(
        kw(notification_pk=Ref("reminder_note")), expect(404, township_a=200), expect(404, leader=403, township_a=200)
    ),
    # The one who snoozed, or the office of the scope, cancels it.
    "snooze_cancel": Row(
        kw(pk=Ref("snooze")), POST_ONLY, expect(404, office=302, admin=302, leader=403, township_a=302)
    ),
    "delegation_create": Row(None, expect(403), expect(403)),  # only a unit head (nobody here) delegates
    # The unit sees its delegation but only its head or the office revokes it.
    "delegation_revoke": Row(
        kw(pk=Ref("delegation")), POST_ONLY, expect(404, office=302, admin=302, leader=403, township_a=403)
    ),
    # --- tasks ---------------------------------------------------------------------------------
    "tasks:task_board": Row(None, ALL_200, POST_AS_GET),
    "tasks:my_tasks": Row(None, ALL_200, POST_AS_GET),
    "tasks:completion": Row(None, ALL_200, POST_AS_GET),
    "tasks:tasks_export": Row(None, ALL_200, POST_AS_GET),
    "tasks:tasks_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:plan_list": Row(None, ALL_200, POST_AS_GET),
    "tasks:plan_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "tasks:plan_import_save": Row(None, POST_ONLY, OFFICE_ONLY_PAGE),
    # The work points are published to every unit of the county; the tasks on the page are scoped.
    "tasks:plan_detail": Row(kw(pk=Ref("plan")), ALL_200, POST_AS_GET),
    "tasks:task_detail": Row(kw(pk=Ref("task")), A_ONLY_READ, A_ONLY_READ_POST),
    # Only the office (and the admin) edits a task; its lead unit reports progress instead (403: role).
    "tasks:task_edit": Row(
        kw(pk=Ref("task")),
        expect(404, office=200, leader=403, admin=200, township_a=403),
        expect(404, office=200, leader=403, admin=200, township_a=403),
    ),
    # 任务分解 is for an office that received the task from a plan above (tests/tasks/test_breakdown.py):
    # the county's own task is not one (403: role), A is no office, and the task is A's alone (404).
    "tasks:task_breakdown": Row(
        kw(pk=Ref("task")),
        expect(404, office=403, leader=403, admin=403, township_a=403),
        expect(404, office=403, leader=403, admin=403, township_a=403),
    ),
    "tasks:progress_create": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:closure_request": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:extension_request": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:milestone_create": Row(kw(pk=Ref("task")), POST_ONLY, A_ONLY_WRITE),
    "tasks:closure_decide": Row(kw(pk=Ref("closure")), POST_ONLY, A_OFFICE_DECIDES),
    # 代为办结: the office running the plan (A has an account, so the office's POST is refused with
    # a message: 302); A itself asks for closure instead (403), the leader reads (403).
    "tasks:complete_on_behalf": Row(kw(pk=Ref("task")), POST_ONLY, A_OFFICE_DECIDES),
    "tasks:extension_decide": Row(kw(pk=Ref("extension")), POST_ONLY, A_OFFICE_DECIDES),
    "tasks:milestone_toggle": Row(kw(pk=Ref("milestone")), POST_ONLY, A_ONLY_WRITE),
    "tasks:evidence_download": Row(kw(pk=Ref("evidence")), A_ONLY_READ, A_ONLY_READ_POST),
    "tasks:dual_list": Row(None, ALL_200, POST_AS_GET),
    # Troops propose needs; the office records items; others may not (403: role).
    "tasks:dual_item_create": Row(
        None, expect(403, office=200, admin=200, troop=200), expect(403, office=200, admin=200, troop=200)
    ),
    "tasks:dual_list_export": Row(None, ALL_200, POST_AS_GET),
    "tasks:dual_list_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    # The editable list of 双清单 categories is the office's (403: role).
    "tasks:dual_categories": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    # A category is its office's own (DualListCategory.owner_unit): nobody else learns it exists.
    "tasks:dual_category_edit": Row(
        kw(pk=Ref("category")),
        expect(404, office=200, admin=200, leader=403),
        expect(404, office=200, admin=200, leader=403),
    ),
    "tasks:dual_item_detail": Row(kw(pk=Ref("dual_item")), DUAL_A, DUAL_A_POST),
    # Each step of the workflow (tasks.policy.TRANSITIONS) on A's 已交办 地方为部队 item.
    # Who may take it is checked whatever the item's state (403: role); a step that does not fit
    # the state, or a form without data, is sent back to the item's page with a message (302).
    "tasks:dual_item_action": (
        # The office (and the admin) assigns.
        _dual_action("assign", POST_ONLY, expect(404, office=302, leader=403, admin=302, township_a=403, troop=403)),
        # The responsible unit alone starts and asks for closure: the office and the troop get 403.
        _dual_action("start", POST_ONLY, expect(404, office=403, leader=403, admin=403, township_a=302, troop=403)),
        _dual_action(
            "request_close", POST_ONLY, expect(404, office=403, leader=403, admin=403, township_a=302, troop=403)
        ),
        # The receiving side (the partner troop) and the office confirm or send back; A may not.
        _dual_action("confirm", POST_ONLY, expect(404, office=302, leader=403, admin=302, township_a=403, troop=302)),
        _dual_action("send_back", POST_ONLY, expect(404, office=302, leader=403, admin=302, township_a=403, troop=302)),
        _dual_action("close", POST_ONLY, UNKNOWN_VALUE_POST),
    ),
    "tasks:reconciliation_index": Row(None, ALL_200, POST_AS_GET),
    "tasks:reconciliation": Row(kw(troop_pk=Ref("troop_unit"), year=2027), TROOP_PAGE, TROOP_PAGE_POST),
    "tasks:reconciliation_export": Row(kw(troop_pk=Ref("troop_unit"), year=2027), TROOP_PAGE, TROOP_PAGE_POST),
    "tasks:carry_over": Row(
        kw(troop_pk=Ref("troop_unit"), year=2027),
        POST_ONLY,
        expect(403, office=302, admin=302, member=404),  # only the office carries items over
    ),
    # --- visits: the ledger ---------------------------------------------------------------------
    "visits:beneficiary_list": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_create": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_export": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:beneficiary_detail": Row(kw(pk=Ref("beneficiary")), LEDGER_A, LEDGER_A_POST),
    "visits:beneficiary_edit": Row(kw(pk=Ref("beneficiary")), LEDGER_A, LEDGER_A_POST),
    "visits:beneficiary_reveal": Row(kw(pk=Ref("beneficiary")), POST_ONLY, LEDGER_A_POST),
    "visits:contact_create": Row(kw(pk=Ref("beneficiary")), POST_ONLY, LEDGER_A_WRITE),
    "visits:difficulty_create": Row(kw(pk=Ref("beneficiary")), POST_ONLY, LEDGER_A_WRITE),
    "visits:difficulty_update": Row(kw(pk=Ref("difficulty")), POST_ONLY, LEDGER_A_WRITE),
    # --- visits: transfers (迁出 → 迁入) ---------------------------------------------------------
    # A's person is moving to the other county: A and the county's office (the origin) see the
    # transfer; only the destination county's office decides (403 to the origin), only the
    # origin withdraws (an empty POST: the stale-version answer on the page, 200).
    "visits:transfer_list": Row(None, LEDGER_LIST, LEDGER_LIST_POST),
    "visits:transfer_create": Row(kw(pk=Ref("beneficiary")), LEDGER_A, LEDGER_A_POST),
    "visits:transfer_detail": Row(kw(pk=Ref("transfer")), LEDGER_A, LEDGER_A_POST),
    "visits:transfer_accept": Row(
        kw(pk=Ref("transfer")), POST_ONLY, expect(404, office=403, leader=403, township_a=403)
    ),
    "visits:transfer_refuse": Row(
        kw(pk=Ref("transfer")), POST_ONLY, expect(404, office=403, leader=403, township_a=403)
    ),
    "visits:transfer_withdraw": Row(kw(pk=Ref("transfer")), POST_ONLY, LEDGER_A_POST),
    # --- visits: campaigns and returns ----------------------------------------------------------
    "visits:campaign_list": Row(None, ALL_200, POST_AS_GET),
    "visits:campaign_create": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "visits:campaign_next_year": Row(None, POST_ONLY, OFFICE_ONLY_POST),
    # Reporting units are sent on to their own return (302); the board is the office's and leaders'.
    # The troop does not report: it sees the board narrowed to its own scope (nothing of A's).
    "visits:campaign_detail": Row(
        kw(pk=Ref("campaign")),
        expect(302, office=200, leader=200, admin=200, troop=200),
        expect(302, office=200, leader=403, admin=200, troop=200),
    ),
    "visits:campaign_edit": Row(kw(pk=Ref("campaign")), OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "visits:campaign_duplicates": Row(kw(pk=Ref("campaign")), OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    # Completeness and timeliness: the offices and leaders (403: role), scoped lines.
    "visits:campaign_completeness": Row(
        kw(pk=Ref("campaign")), expect(403, office=200, leader=200, admin=200), expect(403, office=200, admin=200)
    ),
    # An office unit's table to the level above; a township is no office unit (back to its page, 302).
    "visits:office_return_submit": Row(
        kw(pk=Ref("campaign"), unit_pk=Ref("unit")),
        POST_ONLY,
        expect(404, office=302, leader=403, admin=302, township_a=302),
    ),
    # Everyone may export the records of the campaign that they can see (scoped rows).
    "visits:campaign_records_export": Row(kw(pk=Ref("campaign")), ALL_200, POST_AS_GET),
    "visits:unit_return": Row(kw(pk=Ref("campaign"), unit_pk=Ref("unit")), A_ONLY_READ, A_ONLY_READ_POST),
    # An unconfirmed submit answers with the confirmation step (or the form's errors): a page of A's return.
    "visits:return_submit": Row(kw(pk=Ref("campaign"), unit_pk=Ref("unit")), POST_ONLY, A_ONLY_READ_POST),
    # The admin may enter records (visits.policy.RECORD_ROLES), without seeing the ledger.
    "visits:record_create": Row(kw(pk=Ref("campaign"), unit_pk=Ref("unit")), A_ONLY_READ_POST, A_ONLY_READ_POST),
    # The record form's person search: A's people for A and the office; leaders may not enter records.
    # (The admin's search answers, but from an empty ledger: beneficiaries_for(admin) is empty.)
    "visits:person_search": Row(
        kw(unit_pk=Ref("unit")),
        expect(404, office=200, leader=403, admin=200, township_a=200),
        expect(405, leader=403),
    ),
    "visits:return_accept": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:return_send_back": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:return_reopen": Row(kw(pk=Ref("return")), POST_ONLY, A_OFFICE_DECIDES),
    "visits:record_detail": Row(kw(pk=Ref("record")), A_ONLY_READ, A_ONLY_READ_POST),
    "visits:record_edit": Row(kw(pk=Ref("record")), A_ONLY_READ_POST, A_ONLY_READ_POST),
    "visits:record_delete": Row(kw(pk=Ref("record")), POST_ONLY, A_ONLY_WRITE),
    # Imports (visits.views_import.KINDS): visit records for the reporting units and the office;
    # the ledger for its townships and the office only (the others, the admin included: 404).
    "visits:import_upload": (
        _import("visits", IMPORTERS, IMPORTERS),
        _import("ledger", LEDGER_LIST, LEDGER_LIST_POST),
        _import("contacts", UNKNOWN_VALUE, UNKNOWN_VALUE_POST),
    ),
    "visits:import_template": (
        _import("visits", IMPORTERS, IMPORTERS),
        _import("ledger", LEDGER_LIST, LEDGER_LIST_POST),
        _import("contacts", UNKNOWN_VALUE, UNKNOWN_VALUE_POST),
    ),
    "visits:import_confirm": (
        _import("visits", POST_ONLY, IMPORTERS_WRITE),
        _import("ledger", POST_ONLY, LEDGER_LIST_WRITE),
        _import("contacts", POST_ONLY, UNKNOWN_VALUE_POST),
    ),
    "visits:import_cancel": (
        _import("visits", POST_ONLY, IMPORTERS_WRITE),
        _import("ledger", POST_ONLY, LEDGER_LIST_WRITE),
        _import("contacts", POST_ONLY, UNKNOWN_VALUE_POST),
    ),
    # --- reports --------------------------------------------------------------------------------
    "reports:index": Row(None, ALL_200, POST_AS_GET),
    "reports:dashboard": Row(None, expect(403, office=200, leader=200, admin=200), expect(403, office=200, admin=200)),
    "reports:unit_table": Row(
        kw(campaign_pk=Ref("campaign"), unit_pk=Ref("unit")),
        A_ONLY_READ,
        A_ONLY_READ_POST,
    ),
    # Each counting basis (reports.selectors.Basis); the role is checked before the basis.
    "reports:county_workbook": (
        _workbook("accepted", expect(403, office=200, leader=200, admin=200), expect(403, office=200, admin=200)),
        _workbook("submitted", expect(403, office=200, leader=200, admin=200), expect(403, office=200, admin=200)),
        _workbook("everything", expect(403, office=404, leader=404, admin=404), expect(403, office=404, admin=404)),
    ),
    "reports:task_closure": Row(
        kw(year=2027), expect(403, office=200, leader=200, admin=200), expect(403, office=200, admin=200)
    ),
    # --- evaluation: the 考评 binder of the county (evaluation/policy.py) ------------------------
    # The county's binder: its office and admin edit, its leader reads; townships, member units and
    # troops do not see it (404 on its objects, 403 on the pages without an object).
    "evaluation:index": Row(None, EVAL_READERS, EVAL_READERS_POST),
    "evaluation:create": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "evaluation:detail": Row(kw(pk=Ref("evaluation")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:export_index": Row(kw(pk=Ref("evaluation")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:export_zip": Row(kw(pk=Ref("evaluation")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:item": Row(kw(pk=Ref("assessment")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:item_link": Row(kw(pk=Ref("assessment")), POST_ONLY, COUNTY_WRITE),
    "evaluation:item_files": Row(kw(pk=Ref("assessment")), POST_ONLY, COUNTY_WRITE),
    "evaluation:link_delete": Row(kw(pk=Ref("evidence_link")), POST_ONLY, COUNTY_WRITE),
    "evaluation:item_file_download": Row(kw(pk=Ref("item_file")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:item_file_delete": Row(kw(pk=Ref("item_file")), POST_ONLY, COUNTY_WRITE),
    "evaluation:table_import": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "evaluation:table_template": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "evaluation:table_detail": Row(kw(pk=Ref("scoring_table")), COUNTY_READ, COUNTY_READ_POST),
    # Only the office edits the table; the leader reads it on the table page (403: role).
    "evaluation:item_edit": Row(
        kw(pk=Ref("scoring_item")), expect(404, office=200, admin=200, leader=403), COUNTY_READ_POST
    ),
    "evaluation:item_create": Row(
        kw(pk=Ref("scoring_table")), expect(404, office=200, admin=200, leader=403), COUNTY_READ_POST
    ),
    "evaluation:meeting_list": Row(None, EVAL_READERS, EVAL_READERS_POST),
    "evaluation:meeting_create": Row(None, OFFICE_ONLY_PAGE, OFFICE_ONLY_PAGE),
    "evaluation:meeting_detail": Row(kw(pk=Ref("meeting")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:meeting_minutes": Row(kw(pk=Ref("meeting")), COUNTY_READ, COUNTY_READ_POST),
    "evaluation:meeting_decision": Row(kw(pk=Ref("meeting")), POST_ONLY, COUNTY_WRITE),
    "evaluation:meeting_decision_task": Row(kw(pk=Ref("meeting")), POST_ONLY, COUNTY_WRITE),
    "evaluation:budget_list": Row(None, EVAL_READERS, EVAL_READERS_POST),
    "evaluation:budget_download": Row(kw(pk=Ref("budget_proof")), COUNTY_READ, COUNTY_READ_POST),
    # Member units upload their own plans and summaries here; the office sets the requests.
    "evaluation:documents": Row(
        None, expect(403, office=200, leader=200, admin=200, member=200), expect(403, office=200, admin=200, member=200)
    ),
    # A unit's own document: the unit and the county (a member unit: never another unit's).
    "evaluation:document_download": Row(kw(pk=Ref("unit_document")), A_ONLY_READ, A_ONLY_READ_POST),
}

# The values each non-pk URL parameter accepts; every one needs a row (and one unknown value).
PARAMETER_VALUES: dict[tuple[str, str], set[str]] = {
    ("tasks:dual_item_action", "action"): set(TRANSITIONS),
    **{
        (f"visits:{name}", "kind"): set(KINDS)
        for name in ("import_upload", "import_template", "import_confirm", "import_cancel")
    },
    ("reports:county_workbook", "basis"): set(Basis.values),
}


# --- the places whose objects are tried --------------------------------------------------------

# Township A's answers are the table's. A unit with objects of its own answers for them as
# township_a does for A's (and township_a as that unit does): the owner of each place.
OWNERS = {"a": "township_a", "b": "township_b", "member": "member"}
OTHER_COUNTY = "other_county"
# The county's 考评 binder (tests/hardening: _evaluation_objects).
EVALUATION_OBJECTS = {
    "evaluation",
    "assessment",
    "evidence_link",
    "item_file",
    "scoring_table",
    "scoring_item",
    "meeting",
    "budget_proof",
}
PLACES = (*OWNERS, OTHER_COUNTY)
# Shared by the units of one county (the 双清单 category is the county office's own), and the
# county's 考评 binder (tests/hardening: _evaluation_objects).
COUNTY_OBJECTS = {"county", "campaign", "plan", "troop_unit", "category", *EVALUATION_OBJECTS}
GLOBAL_OBJECTS: set[str] = set()  # nothing is one object for the whole portal
# The member unit keeps no ledger (a township's), and has no 双清单 item: so that the troop's
# 对账 page has a unit of the county that it stays hidden from.
NOT_IN_MEMBER_PLACE = {"beneficiary", "difficulty", "dual_item", "transfer"}


def tried_in(row: Row, place: str) -> bool:
    """Whether the place has an object of its own for this row's URL (else it is A's URL again)."""
    if place == "a":
        return True
    refs = row.kwargs.refs if row.kwargs else set()
    if place == "member" and refs & NOT_IN_MEMBER_PLACE:
        return False
    shared = GLOBAL_OBJECTS if place == OTHER_COUNTY else GLOBAL_OBJECTS | COUNTY_OBJECTS
    return bool(refs - shared)


def _foreign(method: str, role: str, a_answer: int) -> int:
    """Another county's objects: 404, after the refusals that come before any lookup."""
    if a_answer == 405:
        return 405  # require_POST / require_GET
    if method == "post" and role == "leader" and a_answer == 403:
        return 403  # ReadOnlyRoleMiddleware refuses the leader's POST before the view runs
    return 404


def expected(row: Row, place: str) -> dict[str, dict[str, int]]:
    table = {"get": row.get, "post": row.post}
    if place == OTHER_COUNTY:
        return {m: {role: _foreign(m, role, a) for role, a in answers.items()} for m, answers in table.items()}
    swapped = {"township_a": OWNERS[place], OWNERS[place]: "township_a"}
    return {m: {role: answers[swapped.get(role, role)] for role in answers} for m, answers in table.items()}


def _rows(entry: Row | tuple[Row, ...]) -> tuple[Row, ...]:
    return entry if isinstance(entry, tuple) else (entry,)


def _place_objects(
    o: dict[str, Any],
    *,
    unit: Any,
    staff: Any,
    office: Any,
    plan: Any,
    campaign: Any,
    troop: Any,
    transfer_to: Any = None,
    full: bool = True,
) -> None:
    """One unit's own objects: a visit record in its return, a task it leads with a milestone, a
    closure and an extension request and evidence, a notification to its staff; unless not
    ``full``, a person of its ledger (named, with a contact log and a difficulty, visited in the
    record, and moving to ``transfer_to``: a pending transfer) and a 双清单 item it is responsible
    for (partner: the troop)."""
    o["unit"] = unit
    if full:
        o["beneficiary"] = BeneficiaryFactory(org_unit=unit, name=PERSON_NAMES[unit.code])
        ContactLog.objects.create(
            beneficiary=o["beneficiary"], date=dt.date(2027, 1, 3), way=ContactWay.PHONE, contacted_by="联络员",
            content="反映住房困难", created_by=staff,
        )  # fmt: skip
        o["transfer"] = BeneficiaryTransfer.objects.create(
            beneficiary=o["beneficiary"], from_unit=unit, to_county=transfer_to, requested_by=staff
        )
        o["difficulty"] = Difficulty.objects.create(
            beneficiary=o["beneficiary"],
            kind=DifficultyKind.HOUSING,
            description="房屋漏雨",
            raised_on=dt.date(2027, 1, 5),
        )
    o["record"] = VisitRecordFactory(
        campaign=campaign, org_unit=unit, created_by=staff, beneficiary=o.get("beneficiary")
    )
    o["return"] = o["record"].unit_return
    o["task"] = TaskFactory(plan=plan, section=None, lead_unit=unit, deadline=dt.date(2027, 12, 31))
    o["milestone"] = Milestone.objects.create(task=o["task"], title="完成调研", deadline=dt.date(2027, 6, 30))
    o["closure"] = ClosureRequest.objects.create(task=o["task"], note="已完成", requested_by=staff)
    o["extension"] = ExtensionRequest.objects.create(
        task=o["task"],
        original_deadline=o["task"].deadline,
        requested_deadline=dt.date(2028, 3, 31),
        reason="施工延期",
        requested_by=staff,
    )
    report = ProgressReport.objects.create(
        task=o["task"], unit=unit, author=staff, report_date=dt.date(2027, 3, 1), text="已启动"
    )
    evidence = Evidence(progress_report=report, original_name="现场照片.jpg", size=9, uploaded_by=staff)
    evidence.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff jpeg"), save=True)
    o["evidence"] = evidence
    if full:
        o["dual_item"] = DualListItemFactory(
            year=2027, troop_unit=troop, responsible_unit=unit, state=DualListState.ASSIGNED, created_by=office
        )
    document = UnitDocument(
        unit=unit, year=2027, kind=DocumentKind.PLAN, original_name="计划.pdf", size=9, uploaded_by=staff
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    o["unit_document"] = document
    o["notification"] = notify(recipients=[staff], title="填报已退回", body="请补充。", url="/")[0]
    task_type = ContentType.objects.get_for_model(o["task"])
    reminder = Reminder.objects.create(
        content_type=task_type, object_id=o["task"].pk, recipient=staff, threshold="due",
        deadline=o["task"].deadline, unit=unit, claim_token=uuid.uuid4(),
    )  # fmt: skip
    o["reminder_note"] = Notification.objects.create(
        recipient=staff, title="工作任务今天到期", subject="工作任务", url="/", content_type=task_type,
        object_id=o["task"].pk, reminder=reminder, delivery_state=DeliveryState.IN_DIGEST,
    )  # fmt: skip
    o["snooze"] = ReminderSnooze.objects.create(
        content_type=task_type, object_id=o["task"].pk, user=staff, unit=unit, subject="工作任务",
        until=dt.date(2027, 12, 31), reason="等待回复",
    )  # fmt: skip
    o["delegation"] = ReminderDelegation.objects.create(
        unit=unit, delegator=staff, delegate=UserFactory(org_unit=unit), starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 1, 31), reason="外出学习",
    )  # fmt: skip


def _evaluation_objects(o: dict[str, Any], *, county: Any, office: Any) -> None:
    """The county's 考评 binder: a table with one item, an evaluation, a meeting with minutes, a
    budget proof, both linked to the item, and a file uploaded to it."""
    table = ScoringTable.objects.create(owner_unit=county, name="考评标准")
    item = ScoringItem.objects.create(table=table, number="1", kind=ItemKind.ITEM, content="召开全体会议", points=1)
    evaluation = Evaluation.objects.create(
        owner_unit=county, table=table, title="届期考评", first_year=2024, last_year=2027
    )
    assessment = ItemAssessment.objects.create(evaluation=evaluation, item=item)
    meeting = Meeting(owner_unit=county, date=dt.date(2027, 3, 1), kind=MeetingKind.LEADING_GROUP, title="全体会议",
                      decisions="议定事项", minutes_name="纪要.pdf")  # fmt: skip
    meeting.minutes.save("minutes.pdf", ContentFile(b"%PDF-1.4 m"), save=True)
    proof = BudgetProof(owner_unit=county, year=2027, kind=BudgetProofKind.PAYMENT, amount=1, original_name="凭证.pdf",
                        size=9, uploaded_by=office)  # fmt: skip
    proof.file.save("proof.pdf", ContentFile(b"%PDF-1.4 p"), save=True)
    item_file = ItemFile(assessment=assessment, original_name="规划.pdf", size=9, uploaded_by=office)
    item_file.file.save("plan.pdf", ContentFile(b"%PDF-1.4 f"), save=True)
    o.update(
        evaluation=evaluation, assessment=assessment, scoring_table=table, scoring_item=item, meeting=meeting,
        budget_proof=proof, item_file=item_file,
        evidence_link=EvidenceLink.objects.create(assessment=assessment, meeting=meeting),
    )  # fmt: skip


def _build_world() -> World:
    # The personas of tests/conftest.py (built here, once for the module: see ``world``).
    # Above the county (docs/levels.md): a province over a city over it, with an office and a
    # leader at each level (ABOVE), who read tables, returns and task progress, never people.
    province = OrgUnitFactory(name="重庆省双拥办", code="prov", kind=OrgUnitKind.PROVINCE)
    city = OrgUnitFactory(name="重庆市双拥办", code="cq", kind=OrgUnitKind.CITY, parent=province)
    county = OrgUnitFactory(name="铜梁区双拥办", code="tl", kind=OrgUnitKind.COUNTY, parent=city)
    township_a_unit = OrgUnitFactory(name="巴川街道", code="tl-bc", kind=OrgUnitKind.TOWNSHIP, parent=county)
    OrgUnitFactory(name="玉泉社区", code="tl-bc-1", kind=OrgUnitKind.VILLAGE, parent=township_a_unit)
    township_b_unit = OrgUnitFactory(name="东城街道", code="tl-dc", kind=OrgUnitKind.TOWNSHIP, parent=county)
    member_unit = OrgUnitFactory(name="区教育委员会", code="tl-jw", kind=OrgUnitKind.MEMBER_UNIT, parent=county)
    troop_unit = OrgUnitFactory(name="驻铜某部一营", code="tl-bd1", kind=OrgUnitKind.TROOP, parent=county)
    users = {
        "office": UserFactory(username="office", org_unit=county, role=Role.OFFICE),
        "leader": UserFactory(username="leader", org_unit=county, role=Role.LEADER),
        "admin": UserFactory(username="admin", org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True),
        "township_a": UserFactory(username="township_a", org_unit=township_a_unit, role=Role.TOWNSHIP_STAFF),
        "township_b": UserFactory(username="township_b", org_unit=township_b_unit, role=Role.TOWNSHIP_STAFF),
        "member": UserFactory(username="member", org_unit=member_unit, role=Role.MEMBER_LIAISON),
        "troop": UserFactory(username="troop", org_unit=troop_unit, role=Role.TROOP_LIAISON),
        "city_office": UserFactory(username="city_office", org_unit=city, role=Role.OFFICE),
        "city_leader": UserFactory(username="city_leader", org_unit=city, role=Role.LEADER),
        "province_office": UserFactory(username="province_office", org_unit=province, role=Role.OFFICE),
        "province_leader": UserFactory(username="province_leader", org_unit=province, role=Role.LEADER),
    }
    office_user, township_a, township_b, member_liaison = (
        users[r] for r in ("office", "township_a", "township_b", "member")
    )
    # Another county: a second root of the tree (its objects are built below).
    county_x = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)
    # ... and a third, where the other county's person is moving (nothing of this county's).
    county_z = OrgUnitFactory(name="荣昌区双拥办", code="rc", kind=OrgUnitKind.COUNTY)
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit, member_unit])
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    category = DualListCategoryFactory(name="演训保障（铜梁）", owner_unit=county)
    shared = {"county": county, "campaign": campaign, "plan": plan, "troop_unit": troop_unit, "category": category}
    county_of = {
        "office": office_user, "plan": plan, "campaign": campaign, "troop": troop_unit, "transfer_to": county_x,
    }  # fmt: skip
    _evaluation_objects(shared, county=county, office=office_user)
    places = {name: dict(shared) for name in OWNERS}
    _place_objects(places["a"], unit=township_a_unit, staff=township_a, **county_of)
    _place_objects(places["b"], unit=township_b_unit, staff=township_b, **county_of)
    _place_objects(places["member"], unit=member_unit, staff=member_liaison, full=False, **county_of)

    # The other county's own campaign, plan, troop and township.
    township_x = OrgUnitFactory(name="胜利路街道", code="yc-sl", kind=OrgUnitKind.TOWNSHIP, parent=county_x)
    troop_x = OrgUnitFactory(name="驻永某部", code="yc-bd1", kind=OrgUnitKind.TROOP, parent=county_x)
    office_x = UserFactory(username="office_x", org_unit=county_x, role=Role.OFFICE)
    staff_x = UserFactory(username="township_x", org_unit=township_x, role=Role.TOWNSHIP_STAFF)
    campaign_x = CampaignFactory(owner_unit=county_x, expected_units=[township_x])
    plan_x = WorkPlanFactory(owner_unit=county_x, created_by=office_x, year=2027)
    category_x = DualListCategoryFactory(name="演训保障（永川）", owner_unit=county_x)
    other = {"county": county_x, "campaign": campaign_x, "plan": plan_x, "troop_unit": troop_x, "category": category_x}
    _evaluation_objects(other, county=county_x, office=office_x)
    _place_objects(
        other,
        unit=township_x,
        staff=staff_x,
        office=office_x,
        plan=plan_x,
        campaign=campaign_x,
        troop=troop_x,
        transfer_to=county_z,
    )
    places[OTHER_COUNTY] = other
    return World(users=users, places={name: Place(objs) for name, objs in places.items()})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at its end (some 200 cases would
    otherwise build it 200 times). Each test runs in a savepoint inside it, each request in
    another one, so every role of every case meets the same world."""
    uploads = tmp_path_factory.mktemp("uploads")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=uploads), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


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


@dataclass(frozen=True)
class Case:
    name: str
    row: Row
    place: str

    def __str__(self) -> str:
        label = f"[{self.row.label}]" if self.row.label else ""
        return f"{self.name}{label}@{self.place}"

    def url(self, world: World) -> str:
        if self.row.kwargs is None:
            return reverse(self.name)
        kwargs = self.row.kwargs(world.places[self.place])
        if self.place != "a":
            assert kwargs != self.row.kwargs(world.places["a"]), f"{self}: the same URL as A's"
        return reverse(self.name, kwargs=kwargs)


CASES = [
    Case(name, row, place)
    for name, entry in MATRIX.items()
    for row in _rows(entry)
    for place in PLACES
    if tried_in(row, place)
]


def observe(world: World, case: Case) -> tuple[str, dict[str, dict[str, int]]]:
    url = case.url(world)
    seen: dict[str, dict[str, int]] = {}
    # What is answered before anything is looked up is tried once, on A's objects: anonymous users
    # are sent to log in, and the GET of a POST-only view is 405.
    roles = ROLES if case.place == "a" else ROLES[1:]
    methods = ("post",) if case.place != "a" and set(case.row.get.values()) == {405} else ("get", "post")
    for role in roles:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for method in methods:
            sid = transaction.savepoint()
            try:
                response = getattr(client, method)(url)
            finally:
                transaction.savepoint_rollback(sid)
            if role == "anonymous":
                assert response.status_code == 302, f"{case} {method.upper()} anonymous → {response.status_code}"
                assert response.url.startswith(reverse("login")), f"{case}: anonymous sent to {response.url}"
                continue
            seen.setdefault(method, {})[role] = response.status_code
    return url, seen


def test_every_url_pattern_has_a_row():
    missing = [name for name, _ in ALL_PATTERNS if name not in MATRIX and name not in PUBLIC]
    assert not missing, f"URL pattern(s) without a row in the access matrix: {', '.join(missing)}"
    stale = set(MATRIX) - {name for name, _ in ALL_PATTERNS}
    assert not stale, f"rows for URL patterns that no longer exist: {', '.join(sorted(stale))}"


def test_every_parameter_value_has_a_row():
    """Every non-pk parameter (slug, str) is listed, and each value it accepts has its own row."""
    params = {
        (name, param)
        for name, route in ALL_PATTERNS
        for param in re.findall(r"<(?:slug|str|path):(\w+)>", route)
        if name in MATRIX
    }
    assert params == set(PARAMETER_VALUES), f"parameters not in PARAMETER_VALUES: {params ^ set(PARAMETER_VALUES)}"
    for (name, param), accepted in PARAMETER_VALUES.items():
        tried = {row.label for row in _rows(MATRIX[name])}
        assert accepted <= tried, f"{name}: {param} values without a row: {sorted(accepted - tried)}"
        assert tried - accepted, f"{name}: no row tries a {param} that the view does not accept"


def test_the_admin_person_search_finds_nobody_of_the_ledger(world):
    """The admin may enter visit records (the search answers 200 above) but reads no ledger."""
    person = world.places["a"].beneficiary
    url = reverse("visits:person_search", kwargs={"unit_pk": person.org_unit_id})
    found = {}
    for role in ("office", "admin"):
        client = Client()
        client.force_login(world.users[role])
        found[role] = [p["id"] for p in client.get(url, {"q": person.name}).json()["results"]]
    assert found == {"office": [person.pk], "admin": []}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_access(world, case):
    url, seen = observe(world, case)
    want = {method: answers for method, answers in expected(case.row, case.place).items() if method in seen}
    assert seen == want, f"{case} {url}: expected {want}, observed {seen}"


# --- offices above the county (docs/levels.md "Privacy by level") -------------------------------
#
# The province's and the city's office and leader (ABOVE) read their subtree's tables, returns and
# task progress (READ_FROM_ABOVE: 200), and get 404 on every URL of personal data below the county
# (PERSONAL: the ledger, people, visit records, contact logs, transfers, the ledger's imports),
# after the refusals that come before any lookup (405 for the wrong method, the leader's 403 on
# POST), as another county's objects answer. Whatever else they may open, no page shows a name or
# an identity number of a county's ledger (test_nothing_personal_reaches_an_office_above).

ABOVE = ("city_office", "city_leader", "province_office", "province_leader")
# The county's persona whose answers an ABOVE persona's follow (the same role, one level down).
ABOVE_AS = {"city_office": "office", "city_leader": "leader", "province_office": "office", "province_leader": "leader"}
PERSONAL = {
    "visits:beneficiary_list",
    "visits:beneficiary_create",
    "visits:beneficiary_export",
    "visits:beneficiary_detail",
    "visits:beneficiary_edit",
    "visits:beneficiary_reveal",
    "visits:contact_create",
    "visits:difficulty_create",
    "visits:difficulty_update",
    "visits:record_create",
    "visits:record_detail",
    "visits:record_edit",
    "visits:record_delete",
    "visits:person_search",
    "visits:return_submit",  # a unit's own return is sent from inside its county
    "visits:transfer_list",
    "visits:transfer_create",
    "visits:transfer_detail",
    "visits:transfer_accept",
    "visits:transfer_refuse",
    "visits:transfer_withdraw",
    ("visits:import_upload", "ledger"),
    ("visits:import_template", "ledger"),
    ("visits:import_confirm", "ledger"),
    ("visits:import_cancel", "ledger"),
}
READ_FROM_ABOVE = {
    "home",
    "unit_list",
    "unit_detail",
    "notification_list",
    "tasks:task_board",
    "tasks:plan_list",
    "tasks:plan_detail",
    "tasks:task_detail",
    "tasks:completion",
    "tasks:tasks_export",
    "tasks:dual_list",
    "tasks:dual_item_detail",
    "visits:campaign_list",
    "visits:campaign_detail",
    "visits:unit_return",  # the return: its state and totals (its records: records_hidden)
    "visits:campaign_records_export",  # the rows they may see: none of the county's
    "reports:index",
    "reports:dashboard",
    "reports:unit_table",
    ("reports:county_workbook", "accepted"),
    ("reports:county_workbook", "submitted"),
    "reports:task_closure",
}


def _key(name: str, row: Row) -> str | tuple[str, str]:
    return (name, row.label) if row.label else name


def _personal_name(name: str) -> bool:
    """URL names that by their words concern people: each must be in PERSONAL."""
    words = r"beneficiar|^visits:contact|difficult|record_(create|detail|edit|delete)|person|transfer"
    return bool(re.search(words, name))


ABOVE_CASES = [
    Case(name, row, place)
    for name, entry in MATRIX.items()
    for row in _rows(entry)
    if _key(name, row) in PERSONAL | READ_FROM_ABOVE
    for place in ("a", "b")
    if tried_in(row, place)
]


def test_every_personal_url_is_closed_to_the_offices_above():
    names = {name for name, _ in ALL_PATTERNS}
    missing = sorted(n for n in names if _personal_name(n) and n not in PERSONAL)
    assert not missing, f"URLs of personal data not in PERSONAL: {missing}"
    stale = {k if isinstance(k, str) else k[0] for k in PERSONAL | READ_FROM_ABOVE} - names
    assert not stale, f"stale names in PERSONAL/READ_FROM_ABOVE: {sorted(stale)}"


def _above_expected(case: Case, method: str, persona: str) -> int:
    county_answer = {"get": case.row.get, "post": case.row.post}[method][ABOVE_AS[persona]]
    if _key(case.name, case.row) in PERSONAL:
        return _foreign(method, ABOVE_AS[persona], county_answer)
    return county_answer if method == "post" or county_answer in (403, 405) else 200


@pytest.mark.parametrize("case", ABOVE_CASES, ids=str)
def test_access_from_above(world, case):
    """GET (and, for personal data, POST) as each persona above the county."""
    url = case.url(world)
    methods = ("get", "post") if _key(case.name, case.row) in PERSONAL else ("get",)
    seen: dict[str, dict[str, int]] = {}
    want: dict[str, dict[str, int]] = {}
    for persona in ABOVE:
        client = Client()
        client.force_login(world.users[persona])
        for method in methods:
            sid = transaction.savepoint()
            try:
                seen.setdefault(method, {})[persona] = getattr(client, method)(url).status_code
            finally:
                transaction.savepoint_rollback(sid)
            want.setdefault(method, {})[persona] = _above_expected(case, method, persona)
    assert seen == want, f"{case} {url}: expected {want}, observed {seen}"


def _page_text(response: Any) -> str:
    """What a person reads in the response: the HTML or JSON text, or every cell of a workbook."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("persona", ABOVE)
def test_nothing_personal_reaches_an_office_above(world, persona):
    """Every page of every URL (the places of this county, GET) that the persona may open: no name,
    no identity number (full or masked), no contact log of the county's people."""
    people = [world.places[p].beneficiary for p in ("a", "b")]
    secrets = [s for p in people for s in (p.name, p.id_number, p.masked_id_number)] + ["反映住房困难"]
    client = Client()
    client.force_login(world.users[persona])
    opened = 0
    urls = {c.url(world) for c in CASES if c.place in ("a", "b", "member")}
    urls |= {reverse("visits:campaign_records_export", args=[world.places["a"].campaign.pk])}
    for url in sorted(urls):
        sid = transaction.savepoint()
        try:
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened += 1
            text = _page_text(response)
        finally:
            transaction.savepoint_rollback(sid)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{persona} {url}: shows {leaked}"
    assert opened >= len(READ_FROM_ABOVE) - 5, f"{persona} opened only {opened} pages"


def test_the_return_from_above_shows_its_totals_but_no_records(world):
    """The city office reads A's return (state, counts, money) but not its records' people."""
    a = world.places["a"]
    client = Client()
    client.force_login(world.users["city_office"])
    page = client.get(reverse("visits:unit_return", args=[a.campaign.pk, a.unit.pk])).content.decode()
    assert 'data-testid="records-hidden"' in page and "共 1 条" in page
    assert reverse("visits:record_detail", args=[a.record.pk]) not in page
