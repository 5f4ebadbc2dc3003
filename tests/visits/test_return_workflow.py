"""The return workflow at the service level: submit, send back, accept, reopen, lateness, locking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.visits.conftest import SHANGHAI
from visits.models import Return, ReturnStatus, TableRow
from visits.selectors import UnitState, campaign_overview
from visits.services import (
    return_accept,
    return_reopen,
    return_send_back,
    return_submit,
    visit_record_create,
    visit_record_update,
)

pytestmark = pytest.mark.django_db


def _add(user, campaign, unit, **kw):
    data = {"visit_date": dt.date(2027, 2, 1), "table_row": TableRow.ENTITLED, "people_visited": 2}
    data.update(kw)
    return visit_record_create(user=user, campaign=campaign, org_unit=unit, **data)


def _submit(user, campaign, unit, no_visits=False):
    return return_submit(user=user, campaign=campaign, org_unit=unit, version=None, no_visits=no_visits, summary="")


def test_submit_accept_and_then_locked(frozen, campaign, township_a, office_user, township_a_unit):
    record = _add(township_a, campaign, township_a_unit)
    ret = _submit(township_a, campaign, township_a_unit)
    assert ret.status == ReturnStatus.SUBMITTED and ret.submitted_at is not None and not ret.is_late
    with pytest.raises(ValidationError, match="已提交"):
        _add(township_a, campaign, township_a_unit)
    return_accept(user=office_user, ret=ret)
    with pytest.raises(ValidationError, match="已审核锁定"):
        visit_record_update(user=township_a, record=record, version=record.version, people_visited=5)
    return_reopen(user=office_user, ret=ret, reason="金额有误")
    visit_record_update(user=township_a, record=record, version=record.version, people_visited=5)
    record.refresh_from_db()
    assert record.people_visited == 5


def test_send_back_needs_reason_and_reopens_editing(frozen, campaign, township_a, office_user, township_a_unit):
    _add(township_a, campaign, township_a_unit)
    ret = _submit(township_a, campaign, township_a_unit)
    with pytest.raises(ValidationError, match="退回原因"):
        return_send_back(user=office_user, ret=ret, reason=" ")
    ret = return_send_back(user=office_user, ret=ret, reason="请补充带队领导")
    assert ret.status == ReturnStatus.RETURNED and ret.return_reason == "请补充带队领导"
    _add(township_a, campaign, township_a_unit)  # editable again
    assert _submit(township_a, campaign, township_a_unit).status == ReturnStatus.SUBMITTED


def test_only_the_office_reviews(frozen, campaign, township_a, township_a_unit):
    _add(township_a, campaign, township_a_unit)
    ret = _submit(township_a, campaign, township_a_unit)
    with pytest.raises(PermissionDenied):
        return_accept(user=township_a, ret=ret)


def test_empty_submit_needs_the_explicit_no_visits(frozen, campaign, township_a, township_a_unit):
    with pytest.raises(ValidationError, match="本期无走访"):
        _submit(township_a, campaign, township_a_unit)
    ret = _submit(township_a, campaign, township_a_unit, no_visits=True)
    assert ret.no_visits and ret.status == ReturnStatus.SUBMITTED


def test_no_visits_refused_when_records_exist(frozen, campaign, township_a, township_a_unit):
    _add(township_a, campaign, township_a_unit)
    with pytest.raises(ValidationError, match="已有走访记录"):
        _submit(township_a, campaign, township_a_unit, no_visits=True)


def test_late_versus_on_time_in_shanghai_time(time_machine, campaign, township_a, township_b, member_liaison):
    # Deadline 2027-02-25: 23:59 Beijing time that day is on time, 00:01 the next day is late.
    time_machine.move_to(dt.datetime(2027, 2, 25, 23, 59, tzinfo=SHANGHAI), tick=False)
    on_time = _submit(township_a, campaign, township_a.org_unit, no_visits=True)
    time_machine.move_to(dt.datetime(2027, 2, 26, 0, 1, tzinfo=SHANGHAI), tick=False)
    late = _submit(township_b, campaign, township_b.org_unit, no_visits=True)
    assert not on_time.is_late
    assert late.is_late


def test_overview_counts_each_state(time_machine, campaign, township_a, township_b, office_user, member_unit):
    time_machine.move_to(dt.datetime(2027, 2, 3, 9, tzinfo=SHANGHAI), tick=False)
    _submit(township_a, campaign, township_a.org_unit, no_visits=True)  # on time, 本期无走访
    time_machine.move_to(dt.datetime(2027, 2, 27, 9, tzinfo=SHANGHAI), tick=False)
    _add(township_b, campaign, township_b.org_unit, visit_date=dt.date(2027, 2, 10), money_amount=Decimal("1"))
    late = _submit(township_b, campaign, township_b.org_unit)
    return_accept(user=office_user, ret=late)
    overview = campaign_overview(user=office_user, campaign=campaign)
    assert overview.counts == {
        UnitState.SUBMITTED: 1,
        UnitState.NO_VISITS: 1,
        UnitState.LATE: 1,
        UnitState.ACCEPTED: 1,
        UnitState.NOT_SUBMITTED: 1,  # the member unit
    }
    by_unit = {row.unit: row for row in overview.rows}
    assert by_unit[member_unit].ret is None
    assert by_unit[township_a.org_unit].submitted  # 本期无走访 is a submitted return
    assert Return.objects.count() == 2


def test_record_rules_are_enforced_by_the_service(frozen, campaign, township_a, township_a_unit):
    with pytest.raises(ValidationError) as e:
        _add(
            township_a, campaign, township_a_unit, people_visited=1, money_recipients=2, visit_date=dt.date(2027, 3, 1)
        )
    assert set(e.value.message_dict) == {"money_recipients", "visit_date"}


def test_township_cannot_enter_for_another_township(frozen, campaign, township_a, township_b_unit):
    with pytest.raises(ValidationError, match="只能为本单位"):
        _add(township_a, campaign, township_b_unit)


def test_workflow_events_notify_the_other_side(frozen, campaign, township_a, township_b, office_user, township_a_unit):
    from shuangyong.models import Notification

    _add(township_a, campaign, township_a_unit)
    ret = _submit(township_a, campaign, township_a_unit)
    note = Notification.objects.get(recipient=office_user)
    assert "巴川街道提交了" in note.title and "1 条走访记录" in note.body
    assert note.url == f"/visits/campaigns/{campaign.pk}/units/{township_a_unit.pk}/"
    return_send_back(user=office_user, ret=ret, reason="请补充带队领导")
    sent_back = Notification.objects.get(recipient=township_a)
    assert "被退回" in sent_back.title and "请补充带队领导" in sent_back.body
    assert not Notification.objects.filter(recipient=township_b).exists()  # the other township hears nothing
