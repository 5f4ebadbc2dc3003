"""Every 双清单 transition, for the right role and for the wrong ones (service level).

The views' refusals (another township → 404, a leader → 403) are in test_dual_list_views.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangyong.models import Role
from tasks.dual_list_services import (
    dual_list_carry_over,
    dual_list_item_assign,
    dual_list_item_confirm,
    dual_list_item_create,
    dual_list_item_request_close,
    dual_list_item_send_back,
    dual_list_item_start,
)
from tasks.models import DualListDirection, DualListItem, DualListState
from tasks.policy import allowed_actions
from tests.factories import UserFactory
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db
S = DualListState


@pytest.fixture
def item(troop_unit, office_user):
    return DualListItemFactory(troop_unit=troop_unit, created_by=office_user)


@pytest.fixture
def assigned(item, township_a_unit):
    item.responsible_unit = township_a_unit
    item.state = S.ASSIGNED
    item.save()
    return item


@pytest.fixture
def close_requested(assigned):
    assigned.state = S.CLOSE_REQUESTED
    assigned.save()
    return assigned


def _state(item):
    item.refresh_from_db()
    return item.state


def test_troop_proposes_for_its_own_unit_only(troop_liaison, troop_unit, county):
    from tests.factories import OrgUnitFactory

    item = dual_list_item_create(
        user=troop_liaison,
        year=2022,
        direction=DualListDirection.TO_TROOPS,
        content="协调训练场",
        troop_unit=troop_unit,
    )
    assert item.state == S.PROPOSED and item.proposing_side == "troops"
    other_troop = OrgUnitFactory(kind="troop", parent=county)
    with pytest.raises(PermissionDenied):
        dual_list_item_create(user=troop_liaison, year=2022, direction="to_troops", content="x", troop_unit=other_troop)


def test_township_cannot_propose(township_a, troop_unit):
    with pytest.raises(PermissionDenied):
        dual_list_item_create(user=township_a, year=2022, direction="to_troops", content="x", troop_unit=troop_unit)
    assert not DualListItem.objects.exists()


def test_assign_by_office(item, office_user, township_a_unit):
    dual_list_item_assign(user=office_user, item=item, responsible_unit=township_a_unit)
    assert _state(item) == S.ASSIGNED and item.responsible_unit == township_a_unit
    log = item.transitions.get(action="assign")
    assert log.user == office_user and log.from_state == S.PROPOSED and log.at is not None


@pytest.mark.parametrize("who", ["township_a", "troop_liaison", "member_liaison", "leader"])
def test_assign_refused_for_others(request, item, who, township_a_unit):
    with pytest.raises(PermissionDenied):
        dual_list_item_assign(user=request.getfixturevalue(who), item=item, responsible_unit=township_a_unit)
    assert _state(item) == S.PROPOSED


def test_assign_refused_in_wrong_state(assigned, office_user, township_a_unit):
    assigned.state = S.IN_PROGRESS
    assigned.save()
    with pytest.raises(ValidationError, match=r"办理中.*不能交办"):
        dual_list_item_assign(user=office_user, item=assigned, responsible_unit=township_a_unit)


def test_start_by_responsible_unit(assigned, township_a):
    dual_list_item_start(user=township_a, item=assigned)
    assert _state(assigned) == S.IN_PROGRESS


@pytest.mark.parametrize("who", ["office_user", "township_b", "troop_liaison", "leader"])
def test_start_refused_for_others(request, assigned, who):
    with pytest.raises(PermissionDenied):
        dual_list_item_start(user=request.getfixturevalue(who), item=assigned)
    assert _state(assigned) == S.ASSIGNED


def test_start_refused_before_assignment(item, township_a):
    with pytest.raises(PermissionDenied):
        dual_list_item_start(user=township_a, item=item)  # no responsible unit yet


def test_request_close_needs_in_progress_and_a_note(assigned, township_a):
    with pytest.raises(ValidationError, match="不能申请销号"):
        dual_list_item_request_close(user=township_a, item=assigned, note="已办结")
    assert _state(assigned) == S.ASSIGNED
    dual_list_item_start(user=township_a, item=assigned)
    with pytest.raises(ValidationError):
        dual_list_item_request_close(user=township_a, item=assigned, note="  ")
    assert _state(assigned) == S.IN_PROGRESS
    dual_list_item_request_close(user=township_a, item=assigned, note="已协调场地")
    assert _state(assigned) == S.CLOSE_REQUESTED and assigned.close_requested_at is not None


@pytest.mark.parametrize("who", ["office_user", "township_b", "troop_liaison"])
def test_request_close_refused_for_others(request, assigned, who):
    assigned.state = S.IN_PROGRESS
    assigned.save()
    with pytest.raises(PermissionDenied):
        dual_list_item_request_close(user=request.getfixturevalue(who), item=assigned, note="x")
    assert _state(assigned) == S.IN_PROGRESS


def test_one_confirmation_does_not_close_to_troops(close_requested, troop_liaison, office_user):
    dual_list_item_confirm(user=troop_liaison, item=close_requested)
    assert _state(close_requested) == S.CLOSE_REQUESTED
    assert close_requested.receiver_confirmed_by == troop_liaison and close_requested.office_confirmed_by is None
    with pytest.raises(ValidationError, match="已确认过"):
        dual_list_item_confirm(user=troop_liaison, item=close_requested)
    dual_list_item_confirm(user=office_user, item=close_requested)
    assert _state(close_requested) == S.CLOSED
    assert close_requested.office_confirmed_by == office_user and close_requested.closed_at is not None
    assert list(close_requested.transitions.values_list("action", flat=True)) == ["confirm", "confirm"]


def test_office_alone_cannot_close_to_troops(close_requested, office_user):
    dual_list_item_confirm(user=office_user, item=close_requested)
    assert _state(close_requested) == S.CLOSE_REQUESTED
    with pytest.raises(ValidationError):
        dual_list_item_confirm(user=office_user, item=close_requested)
    another_office = UserFactory(org_unit=office_user.org_unit, role=Role.OFFICE)
    # The receiving side of a 地方为部队 item is the troop: a second office user cannot stand in.
    with pytest.raises(ValidationError):
        dual_list_item_confirm(user=another_office, item=close_requested)
    assert _state(close_requested) == S.CLOSE_REQUESTED


@pytest.mark.parametrize("who", ["township_a", "township_b", "member_liaison", "leader"])
def test_confirm_refused_for_others(request, close_requested, who):
    with pytest.raises(PermissionDenied):
        dual_list_item_confirm(user=request.getfixturevalue(who), item=close_requested)
    assert _state(close_requested) == S.CLOSE_REQUESTED


def test_confirm_refused_in_wrong_state(assigned, troop_liaison):
    with pytest.raises(ValidationError, match="不能确认销号"):
        dual_list_item_confirm(user=troop_liaison, item=assigned)


def test_to_locality_needs_two_office_staff(troop_unit, troop_liaison, office_user):
    item = DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=troop_unit,
        direction=DualListDirection.TO_LOCALITY,
        state=S.IN_PROGRESS,
        created_by=office_user,
    )
    dual_list_item_request_close(user=troop_liaison, item=item, note="已完成帮扶")
    with pytest.raises(PermissionDenied):
        dual_list_item_confirm(user=troop_liaison, item=item)  # the troop is the doer, not the receiver
    dual_list_item_confirm(user=office_user, item=item)
    assert _state(item) == S.CLOSE_REQUESTED and item.receiver_confirmed_by == office_user
    second = UserFactory(org_unit=office_user.org_unit, role=Role.OFFICE)
    dual_list_item_confirm(user=second, item=item)
    assert _state(item) == S.CLOSED and item.office_confirmed_by == second


@pytest.mark.parametrize("who", ["troop_liaison", "office_user"])
def test_either_confirmer_sends_back_with_reason(request, close_requested, who, troop_liaison):
    dual_list_item_confirm(user=troop_liaison, item=close_requested) if who == "office_user" else None
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError):
        dual_list_item_send_back(user=user, item=close_requested, reason="")
    assert _state(close_requested) == S.CLOSE_REQUESTED
    dual_list_item_send_back(user=user, item=close_requested, reason="场地尚未交付")
    assert _state(close_requested) == S.IN_PROGRESS
    assert close_requested.receiver_confirmed_by is None and close_requested.office_confirmed_by is None
    log = close_requested.transitions.get(action="send_back")
    assert log.reason == "场地尚未交付" and log.user == user


@pytest.mark.parametrize("who", ["township_a", "township_b", "member_liaison"])
def test_send_back_refused_for_others(request, close_requested, who):
    with pytest.raises(PermissionDenied):
        dual_list_item_send_back(user=request.getfixturevalue(who), item=close_requested, reason="x")
    assert _state(close_requested) == S.CLOSE_REQUESTED


def test_allowed_actions_per_role(close_requested, troop_liaison, office_user, township_a, leader):
    assert allowed_actions(troop_liaison, close_requested) == ["confirm", "send_back"]
    assert allowed_actions(office_user, close_requested) == ["confirm", "send_back"]
    assert allowed_actions(township_a, close_requested) == []
    assert allowed_actions(leader, close_requested) == []


def test_carry_over_keeps_the_link_and_runs_once(troop_unit, office_user, township_a_unit):
    open_item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state=S.IN_PROGRESS)
    DualListItemFactory(troop_unit=troop_unit, state=S.CLOSED)
    created = dual_list_carry_over(user=office_user, troop_unit=troop_unit, year=2022)
    assert len(created) == 1
    copy = created[0]
    assert copy.year == 2023 and copy.carried_over_from == open_item and copy.state == S.ASSIGNED
    assert copy.content == open_item.content and copy.responsible_unit == township_a_unit
    assert dual_list_carry_over(user=office_user, troop_unit=troop_unit, year=2022) == []
    assert DualListItem.objects.filter(year=2023).count() == 1


def test_carry_over_is_office_only(troop_unit, troop_liaison):
    DualListItemFactory(troop_unit=troop_unit)
    with pytest.raises(PermissionDenied):
        dual_list_carry_over(user=troop_liaison, troop_unit=troop_unit, year=2022)


def test_assign_and_request_close_notify(item, office_user, township_a, township_a_unit, troop_liaison):
    from shuangyong.models import Notification

    dual_list_item_assign(user=office_user, item=item, responsible_unit=township_a_unit)
    assert Notification.objects.filter(recipient=township_a, title__startswith="双清单交办").exists()
    dual_list_item_start(user=township_a, item=item)
    dual_list_item_request_close(user=township_a, item=item, note="已办结")
    assert Notification.objects.filter(recipient=troop_liaison, title__startswith="双清单申请销号").exists()
    assert Notification.objects.filter(recipient=office_user, title__startswith="双清单申请销号").exists()
