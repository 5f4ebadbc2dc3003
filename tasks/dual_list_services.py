"""The 双清单 workflow: 已提出 → 已交办 → 办理中 → 申请销号 → 已销号, with two-sided sign-off.

Allowed transitions, per role (``tasks.policy.TRANSITIONS`` is the whole table; anything else is
refused; the role predicates live in ``tasks/policy.py``):

| action         | from               | to               | who                                               |
|----------------|--------------------|------------------|---------------------------------------------------|
| assign         | 已提出 / 已交办    | 已交办           | the office (picks the responsible unit)            |
| start          | 已交办             | 办理中           | the responsible unit (the office for its own unit) |
| request_close  | 办理中             | 申请销号         | the responsible unit (with a note and evidence)    |
| confirm        | 申请销号           | 申请销号/已销号  | the receiving side and the office, one each        |
| send_back      | 申请销号           | 办理中           | either confirmer, with a reason                    |

The receiving side is the partner troop for 地方为部队 items and the office for 部队为地方 items.
For 部队为地方 items both confirmations are therefore the office's: they must come from two
different office staff, so that one person alone never crosses an item off.

A refused transition raises PermissionDenied (wrong role: 403) or ValidationError (wrong
state) with a Chinese message; every service is atomic, so nothing is half-applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from shuangyong.access import runs_unit, unit_in_scope
from shuangyong.concurrency import CURRENT, Version, claim_version
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from tasks.models import (
    DualListCategory,
    DualListDirection,
    DualListItem,
    DualListState,
    DualListTransition,
    ProposingSide,
)
from tasks.notifying import office_users_running, short_summary, tell, unit_users
from tasks.policy import (
    TRANSITIONS,
    is_confirmer,
    is_responsible,
    keeps_category,
    pending_confirmation_slot,
    runs_dual_list_item,
)
from tasks.services import evidence_create_many

S = DualListState


def _check_state(item: DualListItem, action: str) -> None:
    transition = TRANSITIONS[action]
    if item.state not in transition.sources:
        allowed = "、".join(S(s).label for s in sorted(transition.sources))
        raise ValidationError(
            f"事项当前状态为“{item.get_state_display()}”，不能{transition.label}（只有“{allowed}”的事项可以）。"
        )


def _log(item: DualListItem, *, action: str, from_state: str, user: User, reason: str = "") -> None:
    DualListTransition.objects.create(
        item=item, action=action, from_state=from_state, to_state=item.state, user=user, reason=reason
    )


def _locked(item: DualListItem) -> DualListItem:
    return DualListItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def dual_list_item_create(
    *,
    user: User,
    year: int,
    direction: str,
    content: str,
    troop_unit: OrgUnit,
    category: DualListCategory | None = None,
    proposing_side: str | None = None,
    deadline: dt.date | None = None,
    quality_requirement: str = "",
    responsible_unit: OrgUnit | None = None,
) -> DualListItem:
    """The office records an item; a troop liaison proposes one for its own troop unit.

    An item recorded with its responsible unit is 已交办 at once, and that unit is told.
    """
    if user.is_read_only:
        raise PermissionDenied("领导账号只能查看和下载，不能修改。")
    if not user.is_office:
        if user.role != Role.TROOP_LIAISON or not unit_in_scope(user, troop_unit):
            raise PermissionDenied("只有双拥办或对口部队可以提出双清单事项。")
        responsible_unit = None  # only the office assigns
    if troop_unit.kind != OrgUnitKind.TROOP:
        raise ValidationError({"troop_unit": "对口单位必须是驻地部队。"})
    if not unit_in_scope(user, troop_unit):
        raise ValidationError({"troop_unit": "该部队不在您的管辖范围内。"})
    if user.is_office and not runs_unit(user, troop_unit):
        # The 双清单 is the troop's own office's (a city reads its counties' lists).
        raise ValidationError({"troop_unit": "该部队的双清单由其所在地的双拥办记录。"})
    if responsible_unit is not None and not unit_in_scope(user, responsible_unit):
        raise ValidationError({"responsible_unit": "责任单位不在您的管辖范围内。"})
    if category is not None and category.owner_unit is not None and not troop_unit.is_below(category.owner_unit):
        raise ValidationError({"category": "该类别属于其他双拥办，请选择默认类别或本双拥办的类别。"})
    if proposing_side is None:
        proposing_side = ProposingSide.TROOPS if user.role == Role.TROOP_LIAISON else ProposingSide.LOCALITY
    item = DualListItem(
        year=year,
        direction=direction,
        content=content,
        category=category,
        proposing_side=proposing_side,
        troop_unit=troop_unit,
        deadline=deadline,
        quality_requirement=quality_requirement,
        responsible_unit=responsible_unit,
        state=S.ASSIGNED if responsible_unit else S.PROPOSED,
        created_by=user,
    )
    item.full_clean()
    item.save()
    _log(item, action="create", from_state="", user=user)
    if responsible_unit is not None:
        _tell_assigned(item)
    return item


@transaction.atomic
def dual_list_item_assign(
    *,
    user: User,
    item: DualListItem,
    responsible_unit: OrgUnit,
    deadline: dt.date | None = None,
    version: Version = CURRENT,
) -> DualListItem:
    """交办. ``version`` is the item's version the office user loaded: an assignment based on an
    older one (another office user assigned it meanwhile) is refused, and nobody is told."""
    if not runs_dual_list_item(user, item):
        raise PermissionDenied("只有对口部队所在地的双拥办可以交办事项。")
    item = _locked(item)
    claim_version(item, expected_version=version)
    _check_state(item, "assign")
    if not unit_in_scope(user, responsible_unit):
        raise ValidationError({"responsible_unit": "责任单位不在您的管辖范围内。"})
    from_state = item.state
    item.responsible_unit = responsible_unit
    if deadline is not None:
        item.deadline = deadline
    item.state = S.ASSIGNED
    item.full_clean()
    item.save()
    _log(item, action="assign", from_state=from_state, user=user, reason=f"责任单位：{responsible_unit.name}")
    _tell_assigned(item)
    return item


def _tell_assigned(item: DualListItem) -> None:
    tell(
        unit_users([item.responsible_unit]),
        title=f"双清单交办：{short_summary(item.content)}",
        body=f"{item.year}年{item.get_direction_display()}，时限：{item.deadline or '未定'}",
        url_name="tasks:dual_item_detail",
        pk=item.pk,
        obj=item,
    )


@transaction.atomic
def dual_list_item_start(*, user: User, item: DualListItem) -> DualListItem:
    item = _locked(item)
    if not is_responsible(user, item):
        raise PermissionDenied("只有责任单位可以开始办理。")
    _check_state(item, "start")
    item.state = S.IN_PROGRESS
    item.save()
    _log(item, action="start", from_state=S.ASSIGNED, user=user)
    return item


@transaction.atomic
def dual_list_item_request_close(
    *, user: User, item: DualListItem, note: str, files: Sequence[UploadedFile] = ()
) -> DualListItem:
    item = _locked(item)
    if not is_responsible(user, item):
        raise PermissionDenied("只有责任单位可以申请销号。")
    _check_state(item, "request_close")
    if not note.strip():
        raise ValidationError({"note": "请写明办结情况。"})
    evidence_create_many(user=user, files=files, dual_list_item=item)
    item.state = S.CLOSE_REQUESTED
    item.completion_note = note.strip()
    item.close_requested_at = timezone.now()
    item.receiver_confirmed_by = item.office_confirmed_by = None
    item.receiver_confirmed_at = item.office_confirmed_at = None
    item.save()
    _log(item, action="request_close", from_state=S.IN_PROGRESS, user=user, reason=item.completion_note)
    confirmers = office_users_running(item.troop_unit)
    if item.direction == DualListDirection.TO_TROOPS:
        confirmers += unit_users([item.troop_unit], roles=[Role.TROOP_LIAISON])
    tell(
        confirmers,
        title=f"双清单申请销号：{short_summary(item.content)}",
        body=item.completion_note,
        url_name="tasks:dual_item_detail",
        pk=item.pk,
        obj=item,
    )
    return item


@transaction.atomic
def dual_list_item_confirm(*, user: User, item: DualListItem) -> DualListItem:
    """One side's confirmation; the item is 已销号 only once both sides have confirmed."""
    item = _locked(item)
    if not is_confirmer(user, item):
        raise PermissionDenied("只有受益方和双拥办可以确认销号。")
    _check_state(item, "confirm")
    slot = pending_confirmation_slot(user, item)
    if slot is None:
        raise ValidationError("您已确认过该事项，需等待另一方确认。")
    now = timezone.now()
    if slot == "receiver":
        item.receiver_confirmed_by, item.receiver_confirmed_at = user, now
    else:
        item.office_confirmed_by, item.office_confirmed_at = user, now
    if item.receiver_confirmed_by_id and item.office_confirmed_by_id:
        item.state = S.CLOSED
        item.closed_at = now
    item.save()
    side = "受益方" if slot == "receiver" else "双拥办"
    _log(item, action="confirm", from_state=S.CLOSE_REQUESTED, user=user, reason=f"{side}确认")
    return item


@transaction.atomic
def dual_list_item_send_back(*, user: User, item: DualListItem, reason: str) -> DualListItem:
    item = _locked(item)
    if not is_confirmer(user, item):
        raise PermissionDenied("只有受益方和双拥办可以退回。")
    _check_state(item, "send_back")
    if not reason.strip():
        raise ValidationError({"reason": "退回时请写明理由。"})
    item.state = S.IN_PROGRESS
    item.receiver_confirmed_by = item.office_confirmed_by = None
    item.receiver_confirmed_at = item.office_confirmed_at = None
    item.close_requested_at = None
    item.save()
    _log(item, action="send_back", from_state=S.CLOSE_REQUESTED, user=user, reason=reason.strip())
    tell(
        unit_users([item.responsible_unit]),
        title=f"双清单销号被退回：{short_summary(item.content)}",
        body=reason.strip(),
        url_name="tasks:dual_item_detail",
        pk=item.pk,
        obj=item,
    )
    return item


@transaction.atomic
def dual_list_category_save(
    *,
    user: User,
    category: DualListCategory | None = None,
    name: str,
    sort_order: int = 0,
    is_active: bool = True,
    version: Version = CURRENT,
) -> DualListCategory:
    """An office keeps its own categories (演训保障, 子女入学 …) beside the shared defaults: a new one
    belongs to the user's office unit; another office's, and the defaults, are not its to change."""
    if not user.is_office or user.org_unit is None or not user.org_unit.has_office or user.is_read_only:
        raise PermissionDenied("只有双拥办可以维护类别。")
    if category is not None:
        if not keeps_category(user, category):
            raise PermissionDenied("只能修改本单位的类别；默认类别由系统管理员维护。")
        claim_version(category, expected_version=version)
    category = category or DualListCategory(owner_unit=user.org_unit)
    category.name, category.sort_order, category.is_active = name.strip(), sort_order, is_active
    if DualListCategory.objects.filter(owner_unit__isnull=True, name=category.name).exists():
        raise ValidationError({"name": "已有同名的默认类别，无需另建。"})
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def dual_list_carry_over(*, user: User, troop_unit: OrgUnit, year: int) -> list[DualListItem]:
    """Copy the troop's unfinished items of ``year`` into ``year + 1``, each linked to its original.

    Running it twice copies nothing more: an item already carried over is skipped (and the
    one-to-one link forbids a second copy even under a race).
    """
    if not user.is_office:
        raise PermissionDenied("只有双拥办可以结转事项。")
    if not runs_unit(user, troop_unit):
        raise PermissionDenied("只有对口部队所在地的双拥办可以结转事项。")
    already_copied = DualListItem.objects.filter(carried_over_from__isnull=False).values("carried_over_from")
    originals = (
        DualListItem.objects.select_for_update()
        .filter(troop_unit=troop_unit, year=year)
        .exclude(state=S.CLOSED)
        .exclude(pk__in=already_copied)
        .order_by("id")
    )
    created = []
    for original in originals:
        copy = DualListItem(
            year=year + 1,
            direction=original.direction,
            content=original.content,
            category=original.category,
            proposing_side=original.proposing_side,
            responsible_unit=original.responsible_unit,
            troop_unit=original.troop_unit,
            deadline=None,
            quality_requirement=original.quality_requirement,
            state=S.ASSIGNED if original.responsible_unit_id else S.PROPOSED,
            carried_over_from=original,
            created_by=user,
        )
        copy.full_clean()
        copy.save()
        _log(copy, action="carry_over", from_state="", user=user, reason=f"由{year}年结转")
        created.append(copy)
    return created
