"""Deadline reminders: a registry of sources and the scan that turns "what is due today" into
claims, notification-centre entries and, once a day, one e-mail per person.

Apps register a ``ReminderSource`` in ``AppConfig.ready()`` (``register_source(...)``). A
source describes its open items as ``DeadlineSpec``s: a queryset of open rows, where their
deadline and responsible unit are, and how to name a set of them in one query. Optionally,
``other_reminders()`` yields rules that are not "N days before a deadline" (a 销号 request
waiting for the other side), claimed the same way in Python (they are few).

The scan (``run_scan``) works out today's threshold windows from the office's
``ReminderPolicy`` (7/3/1 days before, on the day, overdue, escalation to the unit's heads) and:

1. **claims** every due (object, recipient, threshold, deadline) with one set-based
   ``INSERT INTO reminder … SELECT … WHERE NOT EXISTS (…) ON CONFLICT DO NOTHING`` per spec and
   kind of recipient (the unit's users, its heads, a delegate), under the table's UNIQUE
   constraint. Items that need nothing are never loaded into Python: a scan that finds nothing
   new is a dozen anti-joins. The rows carry the scan's token; in the *same transaction* their
   notification-centre entries are written (one per item and person). A second scan, a
   concurrent one, or one after a worker died never repeats a claim, and a crash before the
   commit leaves nothing, so the next scan makes it (nothing lost);
2. at the office's digest hour, **one e-mail per person per day** (``reminder_digests``): a
   claim of (person, day) under the same constraint, in the transaction that marks the
   person's unsent reminders as listed and writes the digest into the outbox. Nothing is sent
   to someone who has nothing due. The 双拥办 also gets its county's overdue summary in it,
   and each office's group-chat robots get that summary (``shuangyong.chat``);
3. after commit, ``deliver_pending()`` sends the outbox through the channels (e-mail …),
   marking each message as it goes: delivery is at-least-once, and only the message in flight
   when a worker is killed can go out twice.

Snoozes (a person mutes one item for up to 7 days) and delegations (a unit head hands the
unit's reminders to a colleague for a period) change who is claimed for: see
``shuangyong/reminder_services.py``.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, partial, reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache as django_cache
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from shuangyong.access import lines_below
from shuangyong.bulk import insert_rows
from shuangyong.models import (
    DeliveryState,
    Notification,
    OrgUnit,
    Reminder,
    ReminderDelegation,
    ReminderPolicy,
    ReminderSnooze,
    Role,
    User,
    one_line_title,
)
from shuangyong.notifications import DeliveryResult, absolute_url, deliver_pending

logger = logging.getLogger(__name__)

DUE = "due"
OVERDUE = "overdue"
ESCALATION = "escalation"
DIGEST = "digest"
CLAIM_CHUNK = 1000
SUMMARY_LINES = 20  # the most overdue items listed by name in an office's summary
DIGEST_MAX_LINES = 500  # items listed by name in one person's digest (the rest are counted)
MEMBER_ROLES = [r for r in Role.values if r != Role.LEADER]  # read-only leaders are not reminded


def before(days: int) -> str:
    return f"before_{days}"


THRESHOLD_LABELS = {DUE: "今天到期", OVERDUE: "逾期", ESCALATION: "逾期升级", DIGEST: "每日提醒"}


def threshold_label(threshold: str) -> str:
    if threshold.startswith("before_"):
        return f"提前{threshold.removeprefix('before_')}天"
    return THRESHOLD_LABELS.get(threshold, threshold)


@dataclass(frozen=True)
class ItemText:
    """How an item is named in messages: 工作任务“（四）全力服务部队练兵备战”, its page, its unit."""

    label: str
    url: str
    unit_name: str


@dataclass(frozen=True)
class DeadlineSpec:
    """Open items of one kind, described so that the scan can claim them in SQL.

    ``rows(today)`` returns the open rows (no deadline filter); from a row, ``object_field``
    reaches the id of the reminded object (of ``model``: its content type keys the claim),
    ``deadline_field`` its deadline and ``unit_field`` the unit that must act (a FK to
    OrgUnit). ``describe(object_ids)`` names the items of those objects (a queryset of ids, used
    as a subquery, or a collection) in one query or two, keyed by (object id, unit id).
    """

    kind: str
    model: type[models.Model]
    rows: Callable[[date], QuerySet[Any]]
    describe: Callable[[Any], dict[tuple[int, int], ItemText]]
    object_field: str = "pk"
    deadline_field: str = "deadline"
    unit_field: str = "unit"
    action: str = "办理"  # 请按时{action}
    remind_overdue: bool = True  # False: the unit is reminded before and on the day only
    escalate: bool = True  # overdue by the policy's N days: the unit's heads are told


@dataclass(frozen=True)
class ReminderMessage:
    title: str
    body: str
    url: str  # path of the object's page ("" for none)
    subject: str = ""  # the item as a digest lists it


@dataclass(frozen=True)
class DueReminder:
    """A reminder outside the deadline windows (few): claimed in Python, message rendered only
    if this scan wins the claim."""

    obj: models.Model
    recipient_id: int
    threshold: str
    deadline: date
    message: Callable[[], ReminderMessage]
    unit_id: int | None = None


class ReminderSource:
    """Base class of an app's reminder source."""

    name: str = ""
    # Kind shown in the digest for the thresholds of ``other_reminders`` (e.g. close_confirm).
    other_kinds: dict[str, str] = {}

    def deadline_specs(self) -> Sequence[DeadlineSpec]:
        return ()

    def other_reminders(
        self, *, today: date, policy: ReminderPolicy, policies: ReminderPolicies | None = None
    ) -> Iterable[DueReminder]:
        """``policy``: the site default; ``policies``: each office's own (``ReminderPolicies``)."""
        return ()


_sources: dict[str, ReminderSource] = {}


def register_source(source: ReminderSource) -> None:
    if not source.name:
        raise ValueError("a reminder source needs a name")
    _sources[source.name] = source


def registered_sources() -> list[ReminderSource]:
    return list(_sources.values())


def all_specs() -> list[DeadlineSpec]:
    return [spec for source in registered_sources() for spec in source.deadline_specs()]


def url_maker(url_name: str) -> Callable[..., str]:
    """``reverse(url_name, args=…)`` for many ids at the cost of one reverse (a scan names
    thousands of items): the path is reversed once with markers and filled in."""
    marks = ("987654321", "987654322")
    for count in (1, 2):
        try:
            pattern = reverse(url_name, args=marks[:count])
        except NoReverseMatch:
            continue
        template = pattern.replace("%", "%%")
        for i, mark in enumerate(marks[:count]):
            template = template.replace(mark, f"{{{i}}}")
        return lambda *args: template.format(*args)
    raise NoReverseMatch(url_name)


# --- thresholds and messages ---


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def threshold_for(*, deadline: date, today: date, policy: ReminderPolicy) -> str | None:
    """The latest threshold reached today, or None. 5 days left with 7,3,1 → before_7."""
    days_left = (deadline - today).days
    if days_left > 0:
        reached = [n for n in policy.days_before_list if n >= days_left]
        return before(min(reached)) if reached else None
    if days_left == 0:
        return DUE if policy.remind_on_due_day else None
    return OVERDUE if policy.remind_overdue else None


def when_phrase(deadline: date, today: date) -> str:
    days_left = (deadline - today).days
    if days_left > 0:
        return f"还有{days_left}天到期"
    return "今天到期" if days_left == 0 else f"已逾期{-days_left}天"


def deadline_message(
    item: ItemText,
    *,
    deadline: date,
    threshold: str,
    today: date,
    action: str,
    delegated_by: str = "",
    site_url: str | None = None,
) -> ReminderMessage:
    days_left = (deadline - today).days
    site_url = settings.SITE_URL if site_url is None else site_url  # passed in by loops over many
    link = f"{site_url}{item.url}" if item.url.startswith("/") else absolute_url(item.url)
    when = chinese_date(deadline)
    label = item.label
    if threshold == DUE:
        title = f"{label}今天到期"
        text = f"{label}的时限为今天（{when}），请今天内{action}。"
    elif threshold == OVERDUE:
        title = f"{label}已逾期{-days_left}天"
        text = f"{label}的时限为{when}，已逾期{-days_left}天，请尽快{action}并更新进度。"
    elif threshold == ESCALATION:
        title = f"逾期升级：{item.unit_name}的{label}已逾期{-days_left}天"
        text = (
            f"您是{item.unit_name}的负责人。{label}的时限为{when}，已逾期{-days_left}天仍未完成，"
            f"请督促办理。双拥办已在每日逾期汇总中看到此事项。"
        )
    else:
        title = f"{label}还有{days_left}天到期"
        text = f"{label}的时限为{when}，还有{days_left}天到期，请按时{action}。"
    if delegated_by:
        text += f"\n（{delegated_by}已将本单位的提醒委托给您。）"
    return ReminderMessage(one_line_title(title), f"{item.unit_name}：\n{text}\n{link}", item.url, subject=label[:200])


# --- each office's policy ---


@dataclass(frozen=True)
class ReminderPolicies:
    """Every reminder policy, loaded once per scan: the site default (no owner) and the offices'
    own. A unit's items follow the policy of the nearest office at or above it that has one
    (``for_unit``), else the default. ``regions`` turns that into SQL: for each policy, the
    subtree of its office without the subtrees of the offices below that have their own, so that
    the scan claims with one statement per policy (not per item)."""

    default: ReminderPolicy
    by_path: dict[str, ReminderPolicy] = field(default_factory=dict)  # owner unit path → its policy

    @classmethod
    def load(cls) -> ReminderPolicies:
        rows = list(
            ReminderPolicy.objects.filter(Q(owner_unit__isnull=True) | Q(owner_unit__is_active=True))
            .select_related("owner_unit")
            .order_by("pk")
        )  # one query: the scan's steady state stays cheap
        owned = {p.owner_unit.path: p for p in rows if p.owner_unit is not None}
        default = next((p for p in rows if p.owner_unit_id is None), None)
        return cls(default=default or ReminderPolicy.load(), by_path=owned)

    def for_path(self, path: str) -> ReminderPolicy:
        owners = [p for p in self.by_path if path.startswith(p)]
        return self.by_path[max(owners, key=len)] if owners else self.default

    def for_unit(self, unit: OrgUnit | None) -> ReminderPolicy:
        return self.for_path(unit.path) if unit is not None else self.default

    @property
    def all(self) -> list[ReminderPolicy]:
        return [self.default, *self.by_path.values()]

    def regions(self, unit_field: str) -> list[tuple[ReminderPolicy, Q | None]]:
        """(policy, the filter on ``unit_field`` of the units it applies to); None: every unit
        (the default, when no office has a policy of its own: the common case costs nothing)."""
        lookup = f"{unit_field}__path__startswith"

        def under_any(paths: Iterable[str]) -> Q | None:
            parts = [Q(**{lookup: p}) for p in paths]
            return reduce(or_, parts) if parts else None

        regions: list[tuple[ReminderPolicy, Q | None]] = []
        outside = under_any(self.by_path)
        regions.append((self.default, ~outside if outside is not None else None))
        for path, policy in self.by_path.items():
            nested = under_any(p for p in self.by_path if p != path and p.startswith(path))
            region = Q(**{lookup: path})
            regions.append((policy, region & ~nested if nested is not None else region))
        return regions


# --- claiming, set-based ---


@dataclass(frozen=True)
class Windows:
    """Today's threshold windows as SQL: which deadlines are claimed, and with which threshold."""

    member_q: Q | None
    member_threshold: Case | None
    escalation_q: Q | None

    @classmethod
    def build(cls, spec: DeadlineSpec, *, today: date, policy: ReminderPolicy) -> Windows:
        d = spec.deadline_field
        whens: list[When] = []
        parts: list[Q] = []
        if policy.remind_overdue and spec.remind_overdue:
            whens.append(When(**{f"{d}__lt": today}, then=Value(OVERDUE)))
            parts.append(Q(**{f"{d}__lt": today}))
        if policy.remind_on_due_day:
            whens.append(When(**{d: today}, then=Value(DUE)))
            parts.append(Q(**{d: today}))
        previous = 0
        for days in sorted(policy.days_before_list):
            whens.append(When(**{f"{d}__lte": today + timedelta(days=days)}, then=Value(before(days))))
            parts.append(Q(**{f"{d}__gt": today + timedelta(days=previous), f"{d}__lte": today + timedelta(days=days)}))
            previous = days
        member_q = reduce(or_, parts) if parts else None
        case = Case(*whens, output_field=models.CharField()) if whens else None
        escalation_q = Q(**{f"{d}__lte": today - timedelta(days=policy.escalate_after_days)}) if spec.escalate else None
        return cls(member_q, case, escalation_q)


@dataclass(frozen=True)
class ActiveDelegations:
    units: frozenset[int]
    delegators: frozenset[int]

    @classmethod
    def load(cls, today: date) -> ActiveDelegations:
        rows = active_delegations(today).values_list("unit_id", "delegator_id")
        return cls(frozenset(u for u, _ in rows), frozenset(d for _, d in rows))


def active_delegations(today: date) -> QuerySet[ReminderDelegation]:
    """Delegations in force today. One whose delegate has been deactivated or has moved to
    another unit is not: the unit's own users are reminded again (else nobody would be, or
    someone who can no longer open the unit's pages)."""
    return ReminderDelegation.objects.filter(
        revoked_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
        delegate__is_active=True,
        delegate__org_unit=F("unit"),
    )


def active_snoozes(today: date) -> QuerySet[ReminderSnooze]:
    return ReminderSnooze.objects.filter(cancelled_at__isnull=True, until__gte=today)


def release_snoozed(today: date) -> int:
    """Claims muted by a snooze that has ended or was cancelled wait for the next digest again
    (not yet e-mailed, no longer muted): an overdue item snoozed for two days is in the digest
    after them, not silenced for good (its overdue claim exists, so the scan claims no new one).
    One query on a partial index; the items still open are checked when the digest is written."""
    return (
        Reminder.objects.filter(snooze__isnull=False)
        .exclude(snooze__in=active_snoozes(today).values("pk"))
        .update(snooze=None, digest_day=None)
    )


REMINDER_COLUMNS = (
    "content_type_id",
    "object_id",
    "recipient_id",
    "threshold",
    "deadline",
    "unit_id",
    "delegation_id",
    "claim_token",
    "claimed_at",
)


def _insert_claims(
    rows: QuerySet[Any],
    *,
    ct_id: int,
    spec: DeadlineSpec,
    recipient: F,
    threshold: Case | Value,
    delegation: F | Value,
    token: uuid.UUID,
    now: datetime,
    today: date,
    snoozes: bool,
    not_to: frozenset[int] = frozenset(),
) -> int:
    """One ``INSERT … SELECT``: the rows' (object, recipient, threshold, deadline) not claimed yet,
    for no recipient in ``not_to``."""
    qs = rows.annotate(
        _ct=Value(ct_id, output_field=models.IntegerField()),
        _oid=F(spec.object_field),
        _rid=recipient,
        _th=threshold,
        _dl=F(spec.deadline_field),
        _unit=F(f"{spec.unit_field}__id"),
        _del=delegation,
        _token=Value(token, output_field=models.UUIDField()),
        _at=Value(now, output_field=models.DateTimeField()),
    )
    if not_to:  # on the recipient of each row, not on the item (another head is still reminded)
        qs = qs.exclude(_rid__in=not_to)
    qs = qs.filter(
        ~Exists(
            Reminder.objects.filter(
                content_type_id=ct_id,
                object_id=OuterRef("_oid"),
                recipient_id=OuterRef("_rid"),
                threshold=OuterRef("_th"),
                deadline=OuterRef("_dl"),
            )
        )
    )
    if snoozes:  # only when someone has muted something: the common scan has one anti-join less
        qs = qs.filter(
            ~Exists(
                active_snoozes(today).filter(
                    content_type_id=ct_id, object_id=OuterRef("_oid"), user_id=OuterRef("_rid")
                )
            )
        )
    # One global order: concurrent scans take the unique index entries in the same order (no deadlock).
    select = qs.order_by("_oid", "_rid").values_list(
        *(f"_{c}" for c in ("ct", "oid", "rid", "th", "dl", "unit", "del", "token", "at"))
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in REMINDER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


def _claim_spec(
    spec: DeadlineSpec,
    *,
    today: date,
    policy: ReminderPolicy,
    token: uuid.UUID,
    now: datetime,
    delegations: ActiveDelegations,
    snoozes: bool,
    region: Q | None = None,
) -> int:
    """Claims of one spec for the unit's users, its heads and the delegates of active delegations,
    for the items of the units in ``region`` (the units that ``policy`` applies to; None: all)."""
    windows = Windows.build(spec, today=today, policy=policy)
    ct_id = ContentType.objects.get_for_model(spec.model).pk
    unit = spec.unit_field
    base = spec.rows(today).filter(**{f"{unit}__is_active": True})
    if region is not None:
        base = base.filter(region)
    insert = partial(_insert_claims, ct_id=ct_id, spec=spec, token=token, now=now, today=today, snoozes=snoozes)
    no_delegation = Value(None, output_field=models.IntegerField())
    claimed = 0
    if windows.member_q is not None and windows.member_threshold is not None:
        members = base.filter(windows.member_q).filter(
            **{f"{unit}__users__is_active": True, f"{unit}__users__role__in": MEMBER_ROLES}
        )
        if delegations.units:
            members = members.exclude(**{f"{unit}__in": delegations.units})
        claimed += insert(
            members,
            recipient=F(f"{unit}__users__id"),
            threshold=windows.member_threshold,
            delegation=no_delegation,
        )
    if windows.escalation_q is not None:
        heads = base.filter(windows.escalation_q).filter(
            **{f"{unit}__users__is_active": True, f"{unit}__users__is_unit_head": True}
        )
        claimed += insert(
            heads,
            recipient=F(f"{unit}__users__id"),
            threshold=Value(ESCALATION),
            delegation=no_delegation,
            not_to=delegations.delegators,  # a head who delegated: the delegate gets it (below)
        )
    if not delegations.units:
        return claimed
    active = {
        f"{unit}__reminder_delegations__revoked_at__isnull": True,
        f"{unit}__reminder_delegations__starts_on__lte": today,
        f"{unit}__reminder_delegations__ends_on__gte": today,
        f"{unit}__reminder_delegations__delegate__is_active": True,
        f"{unit}__reminder_delegations__delegate__org_unit": F(unit),
    }
    delegate = F(f"{unit}__reminder_delegations__delegate_id")
    delegation = F(f"{unit}__reminder_delegations__id")
    if windows.member_q is not None and windows.member_threshold is not None:
        claimed += insert(
            base.filter(windows.member_q).filter(**active),
            recipient=delegate,
            threshold=windows.member_threshold,
            delegation=delegation,
        )
    if windows.escalation_q is not None:
        claimed += insert(
            base.filter(windows.escalation_q).filter(**active),
            recipient=delegate,
            threshold=Value(ESCALATION),
            delegation=delegation,
        )
    return claimed


NOTIFICATION_COLUMNS = ("recipient_id", "title", "subject", "body", "url", "object_id", "reminder_id")


def _write_entries(spec: DeadlineSpec, *, token: uuid.UUID, today: date, now: datetime) -> int:
    """The notification-centre entries of this scan's claims of ``spec`` (one query to name the
    items, one bulk insert). Messages are rendered only for the claims this scan won."""
    ct_id = ContentType.objects.get_for_model(spec.model).pk
    claims = list(
        Reminder.objects.filter(claim_token=token, content_type_id=ct_id)
        .exclude(threshold=DIGEST)
        .values_list("pk", "object_id", "recipient_id", "threshold", "deadline", "unit_id", "delegation__delegator_id")
    )
    if not claims:
        return 0
    texts = spec.describe(Reminder.objects.filter(claim_token=token, content_type_id=ct_id).values("object_id"))
    delegators = (
        dict(User.objects.filter(pk__in={d for *_, d in claims if d}).values_list("pk", "full_name"))
        if any(d for *_, d in claims)
        else {}
    )
    site_url = settings.SITE_URL
    render = cache(
        lambda oid, uid, th, dl, by: deadline_message(
            texts[(oid, uid)],
            deadline=dl,
            threshold=th,
            today=today,
            action=spec.action,
            delegated_by=by,
            site_url=site_url,
        )
    )
    rows = []
    for pk, oid, rid, th, dl, uid, delegator in claims:
        if (oid, uid) not in texts:  # gone between the claim and now: still one (plain) entry
            texts[(oid, uid)] = ItemText(f"{spec.kind}#{oid}", "", "")
        message = render(oid, uid, th, dl, delegators.get(delegator, "") if delegator else "")
        rows.append((rid, message.title, message.subject, message.body, message.url, oid, pk))
    constants = {
        "content_type_id": ct_id,
        "created_at": now,
        "delivery_state": DeliveryState.IN_DIGEST,  # e-mailed in the day's digest, not one by one
        "delivered_via": [],
        "delivery_attempts": 0,
        "delivery_error": "",
    }
    insert_rows(Notification, NOTIFICATION_COLUMNS, rows, constants=constants)
    return len(rows)


def record(dues: Iterable[DueReminder], *, now: datetime | None = None) -> int:
    """Claim ``dues`` (reminders outside the deadline windows) and write their entries."""
    now = now or timezone.now()
    types: dict[type[models.Model], int] = {}
    keyed: dict[tuple[int, int, int, str, date], DueReminder] = {}
    for due in dues:
        model = type(due.obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model).pk
        keyed.setdefault((types[model], due.obj.pk, due.recipient_id, due.threshold, due.deadline), due)
    ordered = sorted(keyed.items(), key=lambda kv: kv[0])
    won = 0
    for start in range(0, len(ordered), CLAIM_CHUNK):
        won += _claim_chunk(ordered[start : start + CLAIM_CHUNK], now=now)
    return won


@transaction.atomic
def _claim_chunk(chunk: list[tuple[tuple[int, int, int, str, date], DueReminder]], *, now: datetime) -> int:
    token = uuid.uuid4()
    Reminder.objects.bulk_create(
        [
            Reminder(
                content_type_id=key[0],
                object_id=key[1],
                recipient_id=key[2],
                threshold=key[3],
                deadline=key[4],
                unit_id=due.unit_id,
                claim_token=token,
            )
            for key, due in chunk
        ],
        ignore_conflicts=True,
    )
    mine = {
        (ct, oid, rid, th, dl): pk
        for ct, oid, rid, th, dl, pk in Reminder.objects.filter(claim_token=token).values_list(
            "content_type_id", "object_id", "recipient_id", "threshold", "deadline", "pk"
        )
    }
    notes = []
    for key, due in chunk:
        if key in mine:
            message = due.message()
            notes.append(
                Notification(
                    recipient_id=due.recipient_id,
                    title=one_line_title(message.title),
                    subject=message.subject[:200],
                    body=message.body,
                    url=message.url,
                    content_type_id=key[0],
                    object_id=key[1],
                    reminder_id=mine[key],
                    delivery_state=DeliveryState.IN_DIGEST,
                )
            )
    Notification.objects.bulk_create(notes)
    return len(mine)


# --- the scan ---


@dataclass
class ScanResult:
    reminders_created: int = 0
    digests_created: int = 0
    chat_posts: int = 0
    delivery: DeliveryResult = field(default_factory=DeliveryResult)


def claim_deadline_reminders(
    *, today: date, policy: ReminderPolicy | None = None, now: datetime | None = None,
    policies: ReminderPolicies | None = None,
) -> int:  # fmt: skip
    """Every deadline reminder due today, claimed and written in one transaction per spec: one
    claim statement per policy (each office's own, for the units under it) and kind of recipient.
    ``policy`` alone (tests, the bench) applies one policy to every unit."""
    now = now or timezone.now()
    if policies is None:
        policies = ReminderPolicies(default=policy) if policy is not None else ReminderPolicies.load()
    delegations = ActiveDelegations.load(today)
    snoozes = active_snoozes(today).exists()
    created = 0
    for spec in all_specs():
        token = uuid.uuid4()
        with transaction.atomic():
            claimed = 0
            for region_policy, region in policies.regions(spec.unit_field):
                claimed += _claim_spec(
                    spec,
                    today=today,
                    policy=region_policy,
                    token=token,
                    now=now,
                    delegations=delegations,
                    snoozes=snoozes,
                    region=region,
                )
            if claimed:
                created += _write_entries(spec, token=token, today=today, now=now)
    if created >= ANALYZE_AFTER_CLAIMS:
        _refresh_statistics()
    return created


#: A scan that claims this many reminders (the first scan over a year's backlog) refreshes the
#: planner's statistics of the tables it grew before the digests read them back.
ANALYZE_AFTER_CLAIMS = 10_000


def _refresh_statistics() -> None:
    """What autovacuum would do a minute later, now: with statistics from before the backlog, the
    digests' per-person reads and updates of the claims scanned the whole table each time."""
    if connection.vendor != "postgresql":
        return  # SQLite keeps no statistics unless asked (and plans these by their indexes anyway)
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Reminder, Notification))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def run_scan(*, today: date | None = None, deliver: bool = True) -> ScanResult:
    """Produce every reminder due today (idempotent), the digests once it is time, then deliver."""
    from shuangyong import chat

    now = timezone.localtime()
    today = today or now.date()
    policies = ReminderPolicies.load()
    policy = policies.default  # the retry interval and the other site-wide settings are the default's
    result = ScanResult()
    release_snoozed(today)
    result.reminders_created = claim_deadline_reminders(today=today, policies=policies)
    snoozed = _snoozed_pairs(today)
    for source in registered_sources():
        dues = source.other_reminders(today=today, policy=policy, policies=policies)
        dues = [d for d in dues if not _is_snoozed(d, snoozed)]
        result.reminders_created += record(dues)
    if any(digest_due(p, today=today, now=now) for p in policies.all):
        # Digests ride on the scan too, so a missed digest job is caught up the same day; each
        # office's people and group chat from that office's own digest hour on.
        result.digests_created = reminder_digests(today=today, policies=policies, now=now)
        result.chat_posts = chat.prepare_posts(today=today, policy=policy, policies=policies, now=now)
    if deliver:
        result.delivery = deliver_pending()  # e-mail first: a slow group chat never holds it up
        chat.deliver_posts()
    logger.info(
        "提醒扫描 %s：新提醒 %d 条，每日提醒 %d 份，群消息 %d 条，外发 %d 条",
        today,
        result.reminders_created,
        result.digests_created,
        result.chat_posts,
        result.delivery.sent,
    )
    return result


def _snoozed_pairs(today: date) -> set[tuple[int, int, int]]:
    return set(active_snoozes(today).values_list("content_type_id", "object_id", "user_id"))


def _is_snoozed(due: DueReminder, snoozed: set[tuple[int, int, int]]) -> bool:
    if not snoozed:
        return False
    ct = ContentType.objects.get_for_model(type(due.obj)).pk
    return (ct, due.obj.pk, due.recipient_id) in snoozed


# --- the office's overdue summary (its digest section and its group chats) ---


@dataclass
class SummaryLine:
    label: str
    unit_name: str
    deadline: date
    url: str
    escalated: bool


@dataclass
class OverdueSummary:
    unit: OrgUnit
    today: date
    escalate_after_days: int
    total: int = 0
    escalated: int = 0
    by_unit: list[tuple[str, int]] = field(default_factory=list)
    lines: list[SummaryLine] = field(default_factory=list)

    @property
    def title(self) -> str:
        title = f"每日逾期汇总（{chinese_date(self.today)}）：{self.total}项逾期"
        if self.escalated:
            title += f"，{self.escalated}项逾期{self.escalate_after_days}天以上"
        return title


def overdue_summary(unit: OrgUnit, *, today: date, policy: ReminderPolicy) -> OverdueSummary:
    """Everything overdue under ``unit``: counts, counts per unit, the most overdue by name.
    A fixed number of queries per spec (count, escalated, per unit, the first lines)."""
    summary = OverdueSummary(unit=unit, today=today, escalate_after_days=policy.escalate_after_days)
    per_unit_id: dict[int, int] = defaultdict(int)
    candidates: list[tuple[date, str, int, int, DeadlineSpec]] = []
    for spec in all_specs():
        d, u = spec.deadline_field, spec.unit_field
        qs = spec.rows(today).filter(
            **{f"{d}__lt": today, f"{u}__path__startswith": unit.path, f"{u}__is_active": True}
        )
        counts = qs.values(f"{u}__id").annotate(n=Count("pk")).order_by()
        for row in counts:
            per_unit_id[row[f"{u}__id"]] += row["n"]
            summary.total += row["n"]
        if spec.escalate:
            summary.escalated += qs.filter(**{f"{d}__lte": today - timedelta(days=policy.escalate_after_days)}).count()
        first = qs.order_by(d, spec.object_field).values_list(d, f"{u}__path", spec.object_field, f"{u}__id")
        candidates.extend((dl, path, oid, uid, spec) for dl, path, oid, uid in first[:SUMMARY_LINES])
    # Above the county, one count per county (city) below: "区退役军人事务局" alone would not say
    # which county's (lines_below: the same lines as the office's completion tables).
    units = OrgUnit.objects.in_bulk(per_unit_id)
    line_of = lines_below(unit, units.values())
    per_line: dict[tuple[str, str], int] = defaultdict(int)
    for uid, n in per_unit_id.items():
        line = line_of.get(uid)
        if line is not None:
            per_line[(line.path, line.name)] += n
    summary.by_unit = [(name, n) for (_, name), n in sorted(per_line.items(), key=lambda kv: (-kv[1], kv[0][0]))]
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    chosen = candidates[:SUMMARY_LINES]
    texts: dict[tuple[int, tuple[int, int]], ItemText] = {}
    for spec in {id(c[4]): c[4] for c in chosen}.values():
        for key, text in spec.describe({oid for _, _, oid, _, s in chosen if s is spec}).items():
            texts[(id(spec), key)] = text
    for dl, _, oid, uid, spec in chosen:
        named = texts.get((id(spec), (oid, uid)))
        if named:
            escalated = spec.escalate and (today - dl).days >= policy.escalate_after_days
            line = line_of.get(uid)
            where = named.unit_name
            if line is not None and line.pk != uid:  # a unit inside a county below: say which county
                where = f"{line.name}·{named.unit_name}"
            summary.lines.append(SummaryLine(named.label, where, dl, named.url, escalated))
    return summary


#: Offices found with nothing overdue are remembered for an hour, so that the scans after the
#: digest hour (every 10 minutes) do not work the summary out again all day; an item that becomes
#: overdue later in the day (a plan imported with past deadlines, a task reopened) is in the
#: office's summary within the hour.
NOTHING_OVERDUE_SECONDS = 3600


def daily_overdue_summary(unit: OrgUnit, *, today: date, policy: ReminderPolicy) -> OverdueSummary | None:
    """``overdue_summary`` for the day's digest and group-chat post; None when the office has
    nothing overdue (remembered in the cache for NOTHING_OVERDUE_SECONDS; a cache that is down
    only means the summary is worked out again: ``shuangyong.cache``)."""
    key = f"reminders:nothing-overdue:{unit.pk}:{today.isoformat()}"
    if django_cache.get(key):
        return None
    summary = overdue_summary(unit, today=today, policy=policy)
    if summary.total:
        return summary
    django_cache.set(key, 1, NOTHING_OVERDUE_SECONDS)
    return None


def summary_text(summary: OverdueSummary) -> str:
    lines = [f"截至{chinese_date(summary.today)}，辖区内共有{summary.total}项逾期未完成。"]
    if summary.by_unit:
        lines.append("按单位：" + "；".join(f"{name}{n}项" for name, n in summary.by_unit))
    lines.append(f"逾期最久的{len(summary.lines)}项：" if summary.total > len(summary.lines) else "明细：")
    for line in summary.lines:
        days = (summary.today - line.deadline).days
        flag = "（已升级）" if line.escalated else ""
        lines.append(
            f"· {line.label}｜{line.unit_name}｜时限{chinese_date(line.deadline)}｜逾期{days}天{flag}\n"
            f"  {absolute_url(line.url)}"
        )
    return "\n".join(lines)


# --- the daily e-mail: one per person per day ---


@dataclass
class DigestLine:
    kind: str
    text: str
    url: str
    urgency: tuple[int, date]


def digest_due(policy: ReminderPolicy, *, today: date, now: datetime) -> bool:
    """Whether ``today``'s digests under ``policy`` are due at ``now``: from its digest hour on
    (Asia/Shanghai), and at any time for a day that has passed (a scan catching up)."""
    local = timezone.localtime(now)
    return today < local.date() or local.hour >= policy.digest_hour


def reminder_digests(
    *,
    today: date | None = None,
    policy: ReminderPolicy | None = None,
    policies: ReminderPolicies | None = None,
    now: datetime | None = None,
) -> int:
    """One message per person for today: their reminders not yet e-mailed (and, for the
    双拥办, its subtree's overdue summary, by its own policy). With ``now`` (the scan, the beat
    job), only the people whose office's digest hour has come: each office sets its own
    (``digest_due``). Returns how many this call wrote."""
    today = today or timezone.localdate()
    if policies is None:
        policies = ReminderPolicies(default=policy) if policy is not None else ReminderPolicies.load()
    done = Reminder.objects.filter(threshold=DIGEST, deadline=today).values("recipient_id")
    waiting = set(
        Reminder.objects.filter(digest_day__isnull=True)
        .exclude(recipient_id__in=done)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    offices = list(
        User.objects.filter(role=Role.OFFICE, is_active=True, org_unit__isnull=False)
        .exclude(pk__in=done)
        .select_related("org_unit")
    )
    if now is not None and not all(digest_due(p, today=today, now=now) for p in policies.all):
        # Some offices' hour has not come yet: their people wait for a later scan today.
        def due(path: str | None) -> bool:
            return digest_due(policies.for_path(path) if path else policies.default, today=today, now=now)

        paths = dict(User.objects.filter(pk__in=waiting).values_list("pk", "org_unit__path")) if waiting else {}
        waiting = {pk for pk in waiting if due(paths.get(pk))}
        offices = [u for u in offices if u.org_unit is not None and due(u.org_unit.path)]
    summaries: dict[int, OverdueSummary | None] = {}
    for office in offices:
        assert office.org_unit is not None
        if office.org_unit.pk not in summaries:
            summaries[office.org_unit.pk] = daily_overdue_summary(
                office.org_unit, today=today, policy=policies.for_unit(office.org_unit)
            )
    office_summary = {
        u.pk: summary for u in offices if u.org_unit and (summary := summaries[u.org_unit.pk]) is not None
    }
    recipients = sorted(waiting | set(office_summary))
    if not recipients:
        return 0
    still_open = _still_open(today=today, policies=policies) if waiting else StillOpen()
    return sum(
        _digest_for(user_id, today=today, summary=office_summary.get(user_id), still_open=still_open)
        for user_id in recipients
    )


@dataclass
class StillOpen:
    """Which waiting deadline reminders are still worth sending, worked out once for everyone:
    (content type, object, unit, deadline) of items still open → their kind."""

    kinds: dict[tuple[int, int, int, date], str] = field(default_factory=dict)
    # (content type, object) looked up again for one person's digest (``recheck``): claimed
    # after the read above by a concurrent scan, or closed since; each is looked up once.
    rechecked: set[tuple[int, int]] = field(default_factory=set)
    deadline_cts: set[int] = field(default_factory=set)
    deadline_thresholds: frozenset[str] = frozenset()
    other_kinds: dict[str, str] = field(default_factory=dict)


def _still_open(*, today: date, policies: ReminderPolicies) -> StillOpen:
    found = StillOpen(
        deadline_thresholds=frozenset().union(*(_deadline_thresholds(p) for p in policies.all)),
        other_kinds={th: kind for source in registered_sources() for th, kind in source.other_kinds.items()},
    )
    waiting = Reminder.objects.filter(digest_day__isnull=True, threshold__in=found.deadline_thresholds)
    for spec in all_specs():
        ct_id = ContentType.objects.get_for_model(spec.model).pk
        found.deadline_cts.add(ct_id)
        _add_open_items(found, spec, ct_id, waiting.filter(content_type_id=ct_id).values("object_id"), today=today)
    return found


def _add_open_items(found: StillOpen, spec: DeadlineSpec, ct_id: int, ids: Any, *, today: date) -> None:
    """Record which of the items ``ids`` (of ``spec``) are still open, with their unit and deadline."""
    rows = spec.rows(today).filter(**{f"{spec.object_field}__in": ids})
    for oid, uid, dl in rows.values_list(spec.object_field, f"{spec.unit_field}__id", spec.deadline_field):
        found.kinds.setdefault((ct_id, oid, uid, dl), spec.kind)


def _recheck(still_open: StillOpen, settled: list[tuple[Any, ...]], *, today: date) -> None:
    """Look up the items of ``settled`` deadline reminders that the scan-wide read did not find
    open. Most were closed since they were claimed (and stay out), but a reminder claimed by a
    concurrent scan after that read, now settled by this digest, must be in it: without this
    second look it would be marked e-mailed and never sent. One query per kind of item, only
    when there is something to look up (none in a steady state of open items)."""
    missing: dict[int, set[int]] = defaultdict(set)
    for ct_id, oid, threshold, deadline, unit_id, *_ in settled:
        if (
            ct_id in still_open.deadline_cts
            and threshold in still_open.deadline_thresholds
            and (ct_id, oid, unit_id, deadline) not in still_open.kinds
            and (ct_id, oid) not in still_open.rechecked
        ):
            missing[ct_id].add(oid)
    if not missing:
        return
    for spec in all_specs():
        ct_id = ContentType.objects.get_for_model(spec.model).pk
        ids = missing.pop(ct_id, None)
        if not ids:
            continue
        _add_open_items(still_open, spec, ct_id, ids, today=today)
        still_open.rechecked.update((ct_id, oid) for oid in ids)


@transaction.atomic
def _digest_for(user_id: int, *, today: date, summary: OverdueSummary | None, still_open: StillOpen) -> int:
    token = uuid.uuid4()
    user_ct = ContentType.objects.get_for_model(User).pk
    Reminder.objects.bulk_create(
        [
            Reminder(
                content_type_id=user_ct,
                object_id=user_id,
                recipient_id=user_id,
                threshold=DIGEST,
                deadline=today,
                digest_day=today,
                claim_token=token,
            )
        ],
        ignore_conflicts=True,
    )
    # No ORDER BY (``first()`` would add one by pk): at most one row has this token, and right
    # after a backlog, before the table's statistics are fresh, PostgreSQL walked the whole
    # primary-key index to find it (70 ms a person, 81 people: 5.7 s of the first scan).
    digest_claim = next(iter(Reminder.objects.filter(claim_token=token).order_by()[:1]), None)
    if digest_claim is None:
        return 0  # another worker has written today's digest for this person
    # Holding today's digest claim, this transaction alone settles the person's waiting reminders;
    # claims committed by a concurrent scan after this UPDATE wait for tomorrow's digest.
    Reminder.objects.filter(recipient_id=user_id, digest_day__isnull=True).update(digest_day=today)
    settled = (
        Reminder.objects.filter(recipient_id=user_id, digest_day=today, snooze__isnull=True)
        .exclude(threshold=DIGEST)
        .values_list(
            "content_type_id",
            "object_id",
            "threshold",
            "deadline",
            "unit_id",
            "notification__subject",
            "notification__title",
            "notification__url",
        )
    )
    settled_rows = list(settled)
    _recheck(still_open, settled_rows, today=today)
    lines = _digest_lines(settled_rows, today=today, still_open=still_open)
    if not lines and summary is None:
        digest_claim.delete()  # nothing due: no e-mail, and a later scan today may still send one
        return 0
    title, body = _digest_text(lines, today=today, summary=summary)
    Notification.objects.create(
        recipient_id=user_id, title=one_line_title(title), body=body, url="", reminder=digest_claim
    )
    return 1


def _digest_lines(settled: list[tuple[Any, ...]], *, today: date, still_open: StillOpen) -> list[DigestLine]:
    """One line per item (its most urgent reminder), only for items still open with that deadline."""
    best: dict[tuple[int, int, int | None], DigestLine] = {}
    for ct_id, oid, threshold, deadline, unit_id, subject, title, url in settled:
        if ct_id in still_open.deadline_cts and threshold in still_open.deadline_thresholds:
            kind = still_open.kinds.get((ct_id, oid, unit_id, deadline))
            if kind is None:
                continue  # done, closed or its deadline moved since: nothing to remind
            phrase = when_phrase(deadline, today)
            escalated = threshold == ESCALATION
            text = f"{subject or title}｜{phrase}{'（已升级）' if escalated else ''}｜时限{chinese_date(deadline)}"
            line = DigestLine(kind, text, url or "", (0 if escalated else 1, deadline))
        else:
            line = DigestLine(still_open.other_kinds.get(threshold, "其他提醒"), title or "", url or "", (1, deadline))
        key = (ct_id, oid, unit_id)
        if key not in best or line.urgency < best[key].urgency:
            best[key] = line
    return list(best.values())


@cache
def _deadline_thresholds_cached(days: tuple[int, ...]) -> frozenset[str]:
    return frozenset({DUE, OVERDUE, ESCALATION, *(before(n) for n in days)})


def _deadline_thresholds(policy: ReminderPolicy) -> frozenset[str]:
    return _deadline_thresholds_cached(tuple(policy.days_before_list))


def _digest_text(lines: list[DigestLine], *, today: date, summary: OverdueSummary | None) -> tuple[str, str]:
    """Grouped by kind, the kind with the most urgent item first; inside a kind, escalated,
    then the earliest deadline (most overdue) first."""
    by_kind: dict[str, list[DigestLine]] = defaultdict(list)
    for line in lines:
        by_kind[line.kind].append(line)
    for kind_lines in by_kind.values():
        kind_lines.sort(key=lambda line: (line.urgency, line.text))
    kinds = sorted(by_kind, key=lambda k: (by_kind[k][0].urgency, k))
    overdue = sum(1 for line in lines if line.urgency[1] < today)
    due_today = sum(1 for line in lines if line.urgency[1] == today and line.urgency[0] == 1)
    if lines:
        title = f"每日提醒（{chinese_date(today)}）：{len(lines)}项待办"
        counts = [f"{overdue}项已逾期" if overdue else "", f"{due_today}项今天到期" if due_today else ""]
        if any(counts):
            title += "，其中" + "、".join(c for c in counts if c)
    else:
        assert summary is not None
        title = summary.title
    parts: list[str] = []
    if lines:
        parts.append(f"截至{chinese_date(today)}，您有以下{len(lines)}项需要办理（最紧急的在前）：")
        room = DIGEST_MAX_LINES
        for kind in kinds:
            parts.append(f"\n【{kind}】{len(by_kind[kind])}项")
            for line in by_kind[kind][:room]:
                parts.append(f"· {line.text}\n  {absolute_url(line.url)}" if line.url else f"· {line.text}")
            if len(by_kind[kind]) > room:
                parts.append(f"……另有{len(by_kind[kind]) - room}项，请在系统的通知中心查看。")
            room = max(0, room - len(by_kind[kind]))
    if summary is not None:
        if lines:
            parts.append(f"\n【{summary.title}】")
        parts.append(summary_text(summary))
    return title, "\n".join(parts)


def send_digests(*, today: date | None = None, policy: ReminderPolicy | None = None) -> int:
    """Kept for the beat entry's job: the day's digests (see ``reminder_digests``)."""
    return reminder_digests(today=today, policy=policy) if policy is not None else reminder_digests(today=today)
