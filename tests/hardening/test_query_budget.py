"""Query budget: every list and detail page costs a fixed number of queries, whatever the rows.

The county is generated twice with ``generate_scale_data`` (same shape, same seed): once with
N rows per list and once with 2 N. The generator writes no history, notifications or child rows,
so :func:`grow` then adds them through the apps' services — k times in the small world, 2 k times
in the large one: edits (history rows), notifications, progress reports with evidence, milestones,
closure and extension requests, 双清单 transitions with evidence, contact logs, difficulties,
visit records with the difficulties they solved, a return sent back and resubmitted.

Each page is opened by each role that may open it, with the same kind of object (the one that
:func:`grow` filled), and the number of queries must be the same in both worlds and stay under
the cap. Every URL pattern of the project is either in ``BUDGET`` or in ``EXCLUDED`` with its
reason: a new page without an entry fails ``test_every_page_is_budgeted_or_excluded``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from simple_history.models import HistoricalRecords

from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from shuangyong.notifications import notify
from shuangyong.services import org_unit_create, user_create
from tasks import dual_list_services as dls
from tasks import services as task_services
from tasks.models import DualListCategory, DualListItem, DualListState, Evidence, Task, TaskStatus, WorkPlan
from visits import services as visit_services
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiaryTransfer,
    Campaign,
    ContactWay,
    DifficultyKind,
    DifficultyState,
    Return,
    ReturnStatus,
    TableRow,
    VisitRecord,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HTML_CAP = 15  # an HTML page: session, user, unit, the page's own queries, pagination
DOWNLOAD_CAP = 20  # a spreadsheet: a few more lookups (campaign, units, totals), still fixed
# Pages that assemble many panels: fixed (they do not grow with rows, asserted below) but above
# the general cap.
HOME_CAP = 30  # the home panels: overdue, waiting requests, returns, the leader's dashboard (24 measured)
DASHBOARD_CAP = 30  # two campaign tables, task and 双清单 figures, overdue lists (25 measured)
# The task page shows seven lists (reports and their evidence, milestones, closure and extension
# requests, cooperating units, history and the names in it): a query each, and no more; for the
# plan's office, one more: whether the lead unit has an account to ask for closure (代为办结).
TASK_DETAIL_CAP = 21
# A return's page: its records, their difficulties, the totals, and the history with the names in
# it (a return once submitted names its submitter: one more query, fixed).
UNIT_RETURN_CAP = 18  # + the 提醒记录 panel: one query, and a content-type lookup the first time a process makes it

SHAPE = {"scope": "county", "townships": 3, "members": 2, "troops": 1, "villages": 1, "verbosity": 0}
SMALL = {"beneficiaries": 90, "visits": 90, "tasks": 30, "dual_list": 30}  # 30 per township
LARGE = {"beneficiaries": 180, "visits": 180, "tasks": 60, "dual_list": 60}  # 60 per township
# How many times grow() repeats each edit and child row. Small enough that the notification list
# (20 a page) and the history panels (20 entries) stay on one page: a query per row would show.
SMALL_K, LARGE_K = 2, 4

USERS = {
    "office": "sc-x01-office",
    "leader": "sc-x01-leader",
    "township": "sc-x01-t01",
    "member": "sc-x01-m01",
    "troop": "sc-x01-b01",
}


# --- the objects the pages are opened with (the ones grow() fills) -----------------------------


def _user(role: str) -> User:
    return User.objects.get(username=USERS[role])


def _township() -> OrgUnit:
    return OrgUnit.objects.get(code="sc-x01-t01")


def _troop() -> OrgUnit:
    return OrgUnit.objects.get(code="sc-x01-b01")


def _campaign() -> Campaign:
    """The open campaign (the generator's last): its returns are in every state."""
    return Campaign.objects.order_by("pk").last()  # type: ignore[return-value]


def _return() -> Return:
    return Return.objects.get(campaign=_campaign(), org_unit=_township())


def _record() -> VisitRecord:
    return _return().records.order_by("pk").first()  # type: ignore[return-value]


def _task() -> Task:
    """A task the township leads that is not done (it still takes reports and requests)."""
    return Task.objects.filter(lead_unit=_township()).exclude(status=TaskStatus.DONE).order_by("pk").first()  # type: ignore[return-value]


def _beneficiary() -> Beneficiary:
    return Beneficiary.objects.filter(org_unit=_township()).order_by("pk").first()  # type: ignore[return-value]


def _transfer() -> BeneficiaryTransfer:
    """The first transfer grow() started (refused: decided, with its history)."""
    return BeneficiaryTransfer.objects.order_by("pk").first()  # type: ignore[return-value]


def _dual_item() -> DualListItem:
    """The item that grow() assigned to the township and took round start, request close, send back."""
    return DualListItem.objects.filter(transitions__isnull=False).distinct().order_by("pk").first()  # type: ignore[return-value]


@dataclass(frozen=True)
class Page:
    kwargs: Callable[[], dict[str, Any]] = dict
    cap: int = HTML_CAP
    query: Callable[[], str] = str  # the query string, without "?"
    html: bool = True  # False: a download (a spreadsheet or a file), not a page to read


def urls_to_walk() -> dict[str, str]:
    """URL name -> URL of every page in BUDGET, with the objects grow() filled (also walked by
    tests/browser/test_accessibility.py)."""
    urls = {}
    for name, page in BUDGET.items():
        query = page.query()
        urls[name] = reverse(name, kwargs=page.kwargs()) + (f"?{query}" if query else "")
    return urls


def _pk(obj: Callable[[], Any], name: str = "pk") -> Callable[[], dict[str, Any]]:
    return lambda: {name: obj().pk}


def _download(kwargs: Callable[[], dict[str, Any]] = dict) -> Page:
    return Page(kwargs, DOWNLOAD_CAP, html=False)


RECONCILIATION = lambda: {"troop_pk": _troop().pk, "year": 2026}  # noqa: E731
UNIT_RETURN = lambda: {"pk": _campaign().pk, "unit_pk": _township().pk}  # noqa: E731

# Every page a GET renders, by URL name.
BUDGET: dict[str, Page] = {
    "home": Page(cap=HOME_CAP),
    "password_change": Page(),
    "password_change_done": Page(),
    "unit_list": Page(),
    "unit_detail": Page(_pk(_township)),
    "unit_contact_edit": Page(_pk(_township)),
    "notification_list": Page(),
    "reminder_settings": Page(),
    "office_reminder_policy": Page(),
    "tasks:task_board": Page(),
    "tasks:my_tasks": Page(),
    "tasks:completion": Page(),
    "tasks:tasks_export": _download(),
    "tasks:tasks_import": Page(),
    "tasks:plan_list": Page(),
    "tasks:plan_import": Page(),
    "tasks:plan_detail": Page(_pk(WorkPlan.objects.get)),
    "tasks:task_detail": Page(_pk(_task), TASK_DETAIL_CAP),
    "tasks:task_edit": Page(_pk(_task)),
    "tasks:evidence_download": _download(_pk(lambda: Evidence.objects.order_by("pk").first())),
    "tasks:dual_list": Page(),
    "tasks:dual_item_create": Page(),
    "tasks:dual_list_export": _download(),
    "tasks:dual_list_import": Page(),
    "tasks:dual_categories": Page(),
    # An office's own category (grow() adds them; the shared defaults are edited in the admin only).
    "tasks:dual_category_edit": Page(
        _pk(lambda: DualListCategory.objects.filter(owner_unit__isnull=False).order_by("pk").first())
    ),
    "tasks:dual_item_detail": Page(_pk(_dual_item)),
    "tasks:reconciliation_index": Page(),
    "tasks:reconciliation": Page(RECONCILIATION),
    "tasks:reconciliation_export": _download(RECONCILIATION),
    "visits:beneficiary_list": Page(),
    "visits:beneficiary_create": Page(),
    "visits:beneficiary_export": _download(),
    "visits:beneficiary_detail": Page(_pk(_beneficiary)),
    "visits:beneficiary_edit": Page(_pk(_beneficiary)),
    "visits:transfer_list": Page(),
    "visits:transfer_create": Page(_pk(_beneficiary)),
    "visits:transfer_detail": Page(_pk(_transfer)),
    "visits:campaign_list": Page(),
    "visits:campaign_create": Page(),
    "visits:campaign_detail": Page(_pk(_campaign)),
    "visits:campaign_edit": Page(_pk(_campaign)),
    "visits:campaign_duplicates": Page(_pk(_campaign)),
    "visits:campaign_completeness": Page(_pk(_campaign)),
    "visits:campaign_records_export": _download(_pk(_campaign)),
    "visits:unit_return": Page(UNIT_RETURN, UNIT_RETURN_CAP),
    "visits:record_create": Page(UNIT_RETURN),
    "visits:person_search": Page(_pk(_township, "unit_pk"), query=lambda: f"q={_beneficiary().name[0]}"),
    "visits:record_detail": Page(_pk(_record)),
    "visits:record_edit": Page(_pk(_record)),
    "visits:import_upload": Page(lambda: {"kind": "visits"}),
    "visits:import_template": _download(lambda: {"kind": "visits"}),
    "reports:index": Page(),
    "reports:dashboard": Page(cap=DASHBOARD_CAP),
    "reports:unit_table": _download(lambda: {"campaign_pk": _campaign().pk, "unit_pk": _township().pk}),
    "reports:county_workbook": _download(lambda: {"pk": _campaign().pk, "basis": "accepted"}),
    "reports:task_closure": _download(lambda: {"year": 2026}),
}

POST_ONLY = "POST only: an action that redirects, nothing to render (its GET answers 405, checked below)"
# URL names that are not measured, each with its reason.
EXCLUDED: dict[str, str] = {
    "login": "the anonymous login form: no rows of any list",
    "health": "the health check: its queries are fixed by design (tests/hardening/test_health.py)",
    "logout": POST_ONLY,
    "large_text_switch": POST_ONLY,
    "notification_read": POST_ONLY,
    "notification_read_all": POST_ONLY,
    "snooze_cancel": POST_ONLY,
    "delegation_revoke": POST_ONLY,
    "snooze_create": "a form about one reminder entry of the user's own (nothing listed); tests/reminders",
    "delegation_create": "a form only a unit head opens (none in the generated data); one select of colleagues",
    "tasks:plan_import_save": POST_ONLY,
    "tasks:task_breakdown": "任务分解 of a task from a plan above: the generated county has no city above it; "
    "its fixed cost is measured in tests/tasks/test_breakdown.py (test_breakdown_page_costs_fixed_queries)",
    "tasks:progress_create": POST_ONLY,
    "tasks:closure_request": POST_ONLY,
    "tasks:complete_on_behalf": POST_ONLY,
    "tasks:extension_request": POST_ONLY,
    "tasks:milestone_create": POST_ONLY,
    "tasks:closure_decide": POST_ONLY,
    "tasks:extension_decide": POST_ONLY,
    "tasks:milestone_toggle": POST_ONLY,
    "tasks:dual_item_action": POST_ONLY,
    "tasks:carry_over": POST_ONLY,
    "visits:beneficiary_reveal": POST_ONLY,
    "visits:contact_create": POST_ONLY,
    "visits:difficulty_create": POST_ONLY,
    "visits:difficulty_update": POST_ONLY,
    "visits:transfer_accept": POST_ONLY,
    "visits:transfer_refuse": POST_ONLY,
    "visits:transfer_withdraw": POST_ONLY,
    "visits:campaign_next_year": POST_ONLY,
    "visits:return_submit": POST_ONLY,
    "visits:office_return_submit": POST_ONLY,
    "visits:return_accept": POST_ONLY,
    "visits:return_send_back": POST_ONLY,
    "visits:return_reopen": POST_ONLY,
    "visits:record_delete": POST_ONLY,
    "visits:import_confirm": POST_ONLY,
    "visits:import_cancel": POST_ONLY,
    **{
        f"evaluation:{name}": "the 考评 binder: measured at N and 2 N rows in tests/evaluation/test_query_counts.py"
        for name in (
            "index",
            "create",
            "detail",
            "item",
            "table_detail",
            "table_import",
            "table_template",
            "meeting_list",
            "meeting_create",
            "budget_list",
            "documents",
            "export_index",
            "export_zip",
            "item_edit",
            "item_create",
            "meeting_detail",
            "meeting_minutes",
            "budget_download",
            "document_download",
            "item_file_download",
        )
    },
    **{
        f"evaluation:{name}": POST_ONLY
        for name in (
            "item_link",
            "item_files",
            "link_delete",
            "item_file_delete",
            "meeting_decision",
            "meeting_decision_task",
        )
    },
}


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue  # Django's admin: staff only, not a page of the portal
            out += _walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern):
            out.append((f"{namespace}{p.name}", p))
    return out


ALL_PATTERNS = dict(_walk(get_resolver().url_patterns))


def test_every_page_is_budgeted_or_excluded():
    missing = sorted(set(ALL_PATTERNS) - set(BUDGET) - set(EXCLUDED))
    assert not missing, f"URL pattern(s) neither in BUDGET nor in EXCLUDED (with a reason): {', '.join(missing)}"
    stale = sorted((set(BUDGET) | set(EXCLUDED)) - set(ALL_PATTERNS))
    assert not stale, f"entries for URL patterns that no longer exist: {', '.join(stale)}"
    both = sorted(set(BUDGET) & set(EXCLUDED))
    assert not both, f"both measured and excluded: {', '.join(both)}"
    assert all(reason.strip() for reason in EXCLUDED.values())


def _any_kwargs(pattern: URLPattern) -> dict[str, Any]:
    """Arguments that fit the pattern's converters (a POST-only view refuses before it looks them up)."""
    return {
        name: 1 if isinstance(conv, IntConverter) else "visits" for name, conv in pattern.pattern.converters.items()
    }


def assert_post_only_pages_refuse_get() -> None:
    client = Client()
    client.force_login(_user("office"))
    refused = {}
    for name, reason in EXCLUDED.items():
        if reason == POST_ONLY:
            refused[name] = client.get(reverse(name, kwargs=_any_kwargs(ALL_PATTERNS[name]))).status_code
    wrong = {name: status for name, status in refused.items() if status != 405}
    assert not wrong, f"excluded as POST only, but their GET renders something: {wrong}"


# --- the rows the generator does not make ------------------------------------------------------


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Services called outside a request: the history rows name this user, as the middleware does."""
    HistoricalRecords.context.request = SimpleNamespace(user=user)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del HistoricalRecords.context.request  # type: ignore[attr-defined]


def _png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\0" * 32, content_type="image/png")


def grow(k: int) -> None:
    """Add k of every child row and edit, through the services, as the users who make them."""
    office, township, unit = _user("office"), _user("township"), _township()
    day = dt.date(2026, 3, 1)
    later = dt.date(2027, 6, 30)  # after every generated deadline (2026): a valid extension

    users = [_user(role) for role in USERS]
    for i in range(3 * k):
        notify(recipients=users, title=f"通知{i + 1}", body="请查看 /tasks/ 。", url="/tasks/")

    # The task page: history, milestones, progress with evidence, closure and extension requests.
    task, member = _task(), OrgUnit.objects.get(code="sc-x01-m01")
    for i in range(k):
        with acting_as(office):
            task_services.task_update(
                user=office,
                task=task,
                title=f"{task.title}（修改{i + 1}）",
                text=task.text,
                lead_unit=unit,
                cooperating_units=[member],
                deadline=task.deadline,
            )
            task_services.milestone_create(user=office, task=task, title=f"节点{i + 1}", deadline=day)
        with acting_as(township):
            task_services.progress_report_create(
                user=township, task=task, report_date=day, text=f"进展{i + 1}", files=[_png("a.png"), _png("b.png")]
            )
            closure = task_services.closure_request_create(user=township, task=task, note=f"已完成{i + 1}")
            extension = task_services.extension_request_create(
                user=township, task=task, requested_deadline=later, reason="施工延期"
            )
        with acting_as(office):
            task_services.closure_request_decide(user=office, request=closure, accept=False, reason="请补充材料。")
            task_services.extension_request_decide(user=office, request=extension, approve=False, note="理由不足。")
    # Pending requests for the office's home panels, on other tasks.
    others = Task.objects.filter(lead_unit__code__startswith="sc-x01-t").exclude(status=TaskStatus.DONE)
    for other in others.exclude(pk=task.pk).select_related("lead_unit").order_by("pk")[:k]:
        lead = User.objects.get(org_unit=other.lead_unit)
        task_services.closure_request_create(user=lead, task=other, note="已完成")
        task_services.extension_request_create(user=lead, task=other, requested_deadline=later, reason="施工延期")

    # The 双清单: categories, and one item taken round start → request close → send back k times.
    for i in range(k):
        dls.dual_list_category_save(user=office, name=f"类别{i + 1}", sort_order=i)
    waiting = DualListItem.objects.filter(state__in=[DualListState.PROPOSED, DualListState.ASSIGNED])
    item = waiting.order_by("pk").first()
    assert item is not None, "the generated county has no 双清单 item waiting to be assigned"
    with acting_as(office):
        dls.dual_list_item_assign(user=office, item=item, responsible_unit=unit)
    with acting_as(township):
        dls.dual_list_item_start(user=township, item=item)
    for i in range(k):
        with acting_as(township):
            dls.dual_list_item_request_close(user=township, item=item, note=f"已办结{i + 1}", files=[_png("c.png")])
        with acting_as(office):
            dls.dual_list_item_send_back(user=office, item=item, reason="请补充照片。")

    # The ledger: edits, contact logs, difficulties.
    person, categories = _beneficiary(), list(BeneficiaryCategory.objects.order_by("pk"))
    for i in range(k):
        person.refresh_from_db()
        with acting_as(township):
            visit_services.beneficiary_update(
                user=township,
                beneficiary=person,
                version=person.version,
                phone=f"1390000000{i}",
                category=categories[i % len(categories)],
            )
            visit_services.contact_log_create(
                user=township,
                beneficiary=person,
                date=day,
                way=ContactWay.PHONE,
                contacted_by="王明",
                content="电话问候",
            )
            difficulty = visit_services.difficulty_create(
                user=township,
                beneficiary=person,
                kind=DifficultyKind.values[i % len(DifficultyKind.values)],
                description="房屋漏雨",
                raised_on=day,
                state=DifficultyState.OPEN,
                resolution="",
            )
            visit_services.difficulty_update(
                user=township, difficulty=difficulty, state=DifficultyState.IN_PROGRESS, resolution="已联系住建局"
            )

    # Transfers (迁出 → 迁入) to another county: k people of the township leave, each refused by
    # the destination's office (decided, with history), and one more waits (pending).
    destination = OrgUnit.objects.filter(code="sc-dest").first() or org_unit_create(
        name="荣昌区双拥办", code="sc-dest", kind=OrgUnitKind.COUNTY, parent=None
    )
    dest_office = User.objects.filter(username="sc-dest-office").first() or user_create(
        username="sc-dest-office", password="x-Passw0rd-2026", org_unit=destination, role=Role.OFFICE
    )
    leaving = Beneficiary.objects.filter(org_unit=unit).exclude(pk=person.pk).order_by("pk")[: k + 1]
    for i, moving in enumerate(leaving):
        with acting_as(township):
            transfer = visit_services.transfer_request(user=township, beneficiary=moving, to_county=destination)
        if i < k:
            with acting_as(dest_office):
                visit_services.transfer_refuse(
                    user=dest_office, transfer=transfer, reason="户籍未迁入", version=transfer.version
                )

    # The open campaign: its title edited, the township's return reopened, k records entered, the
    # first one edited k times (one more kind of difficulty solved each time), and the return
    # submitted and sent back k times: it ends 已退回 (editable) in both worlds.
    campaign = _campaign()
    with acting_as(office):
        for i in range(k):
            visit_services.campaign_update(
                user=office,
                campaign=campaign,
                expected_units=campaign.expected_units.all(),
                title=f"{campaign.title}{i}",
            )
        ret = _return()
        if ret.status == ReturnStatus.SUBMITTED:
            visit_services.return_send_back(user=office, ret=ret, reason="请补充。")
        elif ret.status == ReturnStatus.ACCEPTED:
            visit_services.return_reopen(user=office, ret=ret, reason="请补充。")
    kinds = DifficultyKind.values
    with acting_as(township):
        for i in range(k):
            visit_services.visit_record_create(
                user=township,
                campaign=campaign,
                org_unit=unit,
                difficulties=[visit_services.DifficultySolved(kind=kinds[i % len(kinds)], count=1)],
                visit_date=campaign.visit_start,
                table_row=TableRow.ENTITLED,
                beneficiary=person,
                lead_leader="张三",
                people_visited=2,
                money_amount=Decimal(600),
                money_recipients=2,
                way=ContactWay.HOME_VISIT,
            )
        record = _record()
        for i in range(k):
            record.refresh_from_db()
            solved = [visit_services.DifficultySolved(kind=kind, count=1) for kind in kinds[: i + 1]]
            visit_services.visit_record_update(
                user=township, record=record, version=record.version, difficulties=solved, people_visited=100 + i
            )
    for _ in range(k):
        with acting_as(township):
            visit_services.return_submit(
                user=township, campaign=campaign, org_unit=unit, version=None, no_visits=False, summary="已走访。"
            )
        with acting_as(office):
            visit_services.return_send_back(user=office, ret=_return(), reason="请补充慰问品发放人数。")


def assert_grown(k: int) -> None:
    """The pages are opened with the objects grow() filled (else nothing grew where it is measured)."""
    task, person, record, item = _task(), _beneficiary(), _record(), _dual_item()
    assert task.title.endswith(f"（修改{k}）")  # the same task that grow() edited
    assert [
        task.progress_reports.count(),
        Evidence.objects.filter(progress_report__task=task).count(),
        task.milestones.count(),
        task.closure_requests.count(),
        task.extension_requests.count(),
    ] == [k, 2 * k, k, k, k]
    assert [item.transitions.count(), item.evidence.count()] == [2 + 2 * k, k]
    assert [person.contacts.count(), person.difficulties.count()] == [k, k]
    assert [BeneficiaryTransfer.objects.count(), _transfer().history.count()] == [k + 1, 2]  # type: ignore[attr-defined]
    assert record.difficulties.count() == k
    assert _return().status == ReturnStatus.RETURNED
    # At least one history row per edit (a service may save an object more than once).
    for obj, edits in [(task, k), (item, 2 + 2 * k), (person, k), (record, k), (_return(), 2 * k), (_campaign(), k)]:
        assert obj.history.count() >= edits, obj  # type: ignore[attr-defined]
    for role in USERS:
        assert _user(role).notifications.count() >= 3 * k


# --- measuring ---------------------------------------------------------------------------------


def measure() -> dict[tuple[str, str], int]:
    """Queries of every page for every role that gets a 200 (the others are the access matrix's)."""
    counts: dict[tuple[str, str], int] = {}
    urls = urls_to_walk()
    for role, username in USERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(reverse("home"))  # warm the per-process caches (content types, navigation)
        for name, url in urls.items():
            cache.clear()  # measure what a page costs when it is computed, not served from the cache
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code == 200:
                counts[(name, role)] = len(ctx)
    return counts


def generate(rows: dict[str, int], categories: list[BeneficiaryCategory], k: int) -> None:
    call_command("flush", interactive=False, verbosity=0)  # and reset the sequences: same pks
    BeneficiaryCategory.objects.bulk_create(categories)
    DualListCategory.objects.bulk_create(
        [DualListCategory(name=n, sort_order=i) for i, n in enumerate(["演训保障", "子女入学"])]
    )
    call_command("generate_scale_data", seed=11, **SHAPE, **rows)
    grow(k)
    assert_grown(k)


def test_every_page_costs_a_fixed_number_of_queries(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    categories = list(BeneficiaryCategory.objects.all())
    generate(SMALL, categories, SMALL_K)
    assert_post_only_pages_refuse_get()
    small = measure()
    generate(LARGE, categories, LARGE_K)
    large = measure()

    assert set(small) == set(large)
    # Every page was opened by at least one role (a page nobody may open measures nothing).
    assert {name for name, _ in small} == set(BUDGET)
    grew = {key: (small[key], large[key]) for key in small if large[key] != small[key]}
    assert not grew, f"queries grow with rows (page, role): (N rows, 2N rows) {grew}"
    over = {key: n for key, n in large.items() if n > BUDGET[key[0]].cap}
    assert not over, f"pages over their query cap: {over}"
