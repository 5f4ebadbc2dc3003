"""Campaign returns: only units that have not submitted are reminded, before and on the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from shuangyong.models import Notification, Reminder
from shuangyong.reminders import run_scan
from tests.factories import UserFactory
from tests.reminders.conftest import at
from tests.visits.factories import CampaignFactory, ReturnFactory
from visits.models import ReturnStatus
from visits.services import return_accept, return_reopen, return_send_back, return_submit

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
RETURN_DEADLINE = dt.date(2027, 2, 25)


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, member_unit):
    c = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit, member_unit])
    assert c.return_deadline == RETURN_DEADLINE
    return c


@pytest.fixture
def member_user(member_liaison):
    return member_liaison


@pytest.fixture
def township_b_submitted(campaign, township_b_unit):
    return ReturnFactory(
        campaign=campaign,
        org_unit=township_b_unit,
        status=ReturnStatus.SUBMITTED,
        submitted_at=at(RETURN_DEADLINE - 9 * DAY),
    )


@pytest.fixture
def member_no_visits(campaign, member_unit):
    return ReturnFactory(
        campaign=campaign, org_unit=member_unit, status=ReturnStatus.SUBMITTED, no_visits=True, summary="本期无走访。"
    )


def reminded(user) -> list[str]:
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


def test_only_units_that_have_not_submitted_are_reminded(
    travel, campaign, township_a, township_b, member_user, township_b_submitted, member_no_visits, office_user
):
    ReturnFactory(campaign=campaign, org_unit=township_a.org_unit, status=ReturnStatus.DRAFT)
    travel(at(RETURN_DEADLINE - 3 * DAY))
    assert run_scan().reminders_created == 1
    assert reminded(township_a) == ["before_3"]
    assert reminded(township_b) == [] and reminded(member_user) == [] and reminded(office_user) == []

    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a)
    assert note.title == "“2027年春节走访慰问”统计表还有3天到期"
    assert "时限为2027年2月25日，还有3天到期，请按时填报并提交" in note.body
    link = reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit.pk])
    assert note.url == link and f"http://127.0.0.1:8000{link}" in note.body
    assert [m.to for m in mail.outbox] == [[township_a.email]]

    assert run_scan().reminders_created == 0


def test_a_unit_without_any_return_yet_is_reminded_on_the_day(travel, campaign, township_a, township_b):
    travel(at(RETURN_DEADLINE))
    run_scan()
    run_scan()
    assert reminded(township_a) == ["due"] and reminded(township_b) == ["due"]
    assert "今天到期" in Notification.objects.exclude(reminder__threshold="digest").get(recipient=township_a).title


def test_a_sent_back_return_is_reminded_again(travel, campaign, township_a):
    ReturnFactory(campaign=campaign, org_unit=township_a.org_unit, status=ReturnStatus.RETURNED)
    travel(at(RETURN_DEADLINE - DAY))
    run_scan()
    assert reminded(township_a) == ["before_1"]


@pytest.mark.parametrize("how", ["send_back", "reopen"])
def test_a_sent_back_no_visits_return_is_reminded_until_submitted_again(
    travel, campaign, member_unit, member_user, office_user, member_no_visits, how
):
    travel(at(RETURN_DEADLINE - 3 * DAY))
    if how == "reopen":
        return_accept(user=office_user, ret=member_no_visits)
        return_reopen(user=office_user, ret=member_no_visits, reason="请核实是否确无走访")
    else:
        return_send_back(user=office_user, ret=member_no_visits, reason="请核实是否确无走访")
    member_no_visits.refresh_from_db()
    assert (member_no_visits.status, member_no_visits.no_visits) == (ReturnStatus.RETURNED, True)
    run_scan()
    assert reminded(member_user) == ["before_3"]  # it owes a new submission, like any missing return

    return_submit(user=member_user, campaign=campaign, org_unit=member_unit, version=None, no_visits=True, summary="")
    for days in (1, 0):
        travel(at(RETURN_DEADLINE - days * DAY))
        run_scan()
    assert reminded(member_user) == ["before_3"]


def test_submitting_between_two_thresholds_stops_the_reminders(travel, campaign, township_a):
    travel(at(RETURN_DEADLINE - 7 * DAY))
    run_scan()
    ReturnFactory(
        campaign=campaign,
        org_unit=township_a.org_unit,
        status=ReturnStatus.SUBMITTED,
        submitted_at=at(RETURN_DEADLINE - 5 * DAY),
    )
    for days in (3, 1, 0):
        travel(at(RETURN_DEADLINE - days * DAY))
        run_scan()
    assert reminded(township_a) == ["before_7"]


def test_after_the_deadline_the_unit_is_not_nagged_but_the_office_digest_and_heads_know(
    travel, campaign, township_a, township_a_head, office_user, township_b_submitted, member_no_visits
):
    travel(at(RETURN_DEADLINE + DAY))
    run_scan()
    assert reminded(township_a) == []
    digest = Notification.objects.get(recipient=office_user, reminder__threshold="digest")
    assert "“2027年春节走访慰问”统计表｜巴川街道｜时限2027年2月25日｜逾期1天" in digest.body
    assert "东城街道" not in digest.body and "区教育委员会" not in digest.body

    travel(at(RETURN_DEADLINE + 3 * DAY))
    run_scan()
    assert reminded(township_a_head) == ["escalation"]


def test_a_leader_of_the_unit_is_not_reminded(travel, campaign, township_a_unit):
    from shuangyong.models import Role

    leader_of_a = UserFactory(org_unit=township_a_unit, role=Role.LEADER)
    travel(at(RETURN_DEADLINE))
    run_scan()
    assert reminded(leader_of_a) == []
