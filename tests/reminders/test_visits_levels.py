"""Reminders go to the office that owes the return at each level (issue 15 point 3): the county's
office is reminded of its table to the city, and no longer once it has submitted it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shuangyong.models import Notification, Reminder
from shuangyong.reminders import run_scan
from tests.levels import build_city
from tests.reminders.conftest import at
from visits.services import upward_return_submit

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2027, 2, 25)


@pytest.fixture
def cq(travel, county, township_a_unit, township_b_unit, member_unit, office_user):
    travel(at(dt.date(2027, 2, 1)))
    return build_city(county, office_user)


def reminded(user) -> list[str]:
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


def test_the_county_office_is_reminded_of_its_table_to_the_city(travel, cq, office_user):
    travel(at(DEADLINE - dt.timedelta(days=3)))
    run_scan()
    assert reminded(office_user) == ["before_3"]  # 铜梁区双拥办 owes the city its table
    assert reminded(cq.yc_office) == ["before_3"]
    assert reminded(cq.city_office) == []  # the city owes nothing to anyone above
    note = Notification.objects.exclude(reminder__threshold="digest").get(recipient=office_user)
    assert note.url == reverse("visits:unit_return", args=[cq.campaign.pk, cq.tl.pk])


def test_a_county_that_submitted_its_table_is_not_reminded(travel, cq, office_user):
    upward_return_submit(user=office_user, campaign=cq.own(cq.tl), summary="小结", leaders={})
    travel(at(DEADLINE - dt.timedelta(days=1)))
    run_scan()
    assert reminded(office_user) == []
    assert reminded(cq.yc_office) == ["before_1"]
