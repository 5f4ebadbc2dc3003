"""What a county is told about its table to the city: the 统计表 and the reviewing office, not a
township's 走访记录 (docs/levels.md)."""

from __future__ import annotations

import pytest

from shuangyong.models import Notification
from tests.levels import IN_WINDOW, accepted_return, build_city, record
from visits.services import return_accept, return_reopen, return_send_back, upward_return_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_WINDOW, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def _latest(user) -> Notification:
    return Notification.objects.filter(recipient=user).order_by("-pk").first()


def test_the_county_is_told_of_its_table_and_of_the_office_that_reviewed_it(cq):
    own = cq.own(cq.yc)
    accepted_return(own, cq.yc_a, cq.yc_office, [record()])
    ret = upward_return_submit(user=cq.yc_office, campaign=own, summary="小结", leaders={})
    return_send_back(user=cq.city_office, ret=ret, reason="请核对")
    told = _latest(cq.yc_office)
    assert "本级统计表被退回" in told.title and cq.city.name in told.body and "请核对" in told.body
    ret = upward_return_submit(user=cq.yc_office, campaign=own, summary="小结", leaders={})
    return_accept(user=cq.city_office, ret=ret)
    told = _latest(cq.yc_office)
    assert told.body == f"{cq.city.name}已审核通过本级统计表。"
    assert "记录已锁定" not in told.body
    return_reopen(user=cq.city_office, ret=ret, reason="数字有误")
    told = _latest(cq.yc_office)
    assert "本级统计表已重新打开" in told.title and "走访记录" not in told.body and cq.city.name in told.body


def test_a_township_is_still_told_of_its_records(cq):
    ret = accepted_return(cq.own(cq.yc), cq.yc_a, cq.yc_office, [record()])
    assert ret.status == "accepted"
    from shuangyong.models import Role
    from tests.factories import UserFactory

    staff = UserFactory(org_unit=cq.yc_b, role=Role.TOWNSHIP_STAFF)
    accepted_return(cq.own(cq.yc), cq.yc_b, cq.yc_office, [record()])
    assert _latest(staff).body == "双拥办已审核通过，记录已锁定。"
