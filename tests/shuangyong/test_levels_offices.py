"""Offices at every level (issue 15): which office runs a unit, and who is told — the nearest
office, never the root of the tree nor every office above."""

from __future__ import annotations

import pytest

from shuangyong.access import runs_unit
from shuangyong.selectors import nearest_office_unit, office_users_of, units_run_by
from visits.services import office_users_above

pytestmark = pytest.mark.django_db


def test_the_nearest_office_is_told_not_every_office_above(
    levels_city, levels_city_office, county, office_user, township_a_unit, village_a1, township_a, levels_street_office
):
    assert nearest_office_unit(county) == county and nearest_office_unit(levels_city) == levels_city
    assert office_users_of(county) == [office_user]
    # The street office has staff of its own: its villages' office is the street office.
    assert office_users_of(village_a1) == [levels_street_office]
    assert office_users_above(township_a) == [levels_street_office]
    levels_street_office.is_active = False
    levels_street_office.save()
    # Without them, the county (not the city, the root of the tree now) covers the street.
    assert office_users_of(village_a1) == [office_user]
    assert levels_city_office not in office_users_of(township_a_unit)


def test_reports_about_the_ledger_never_go_above_the_county(
    levels_city, levels_city_office, county, office_user, township_a
):
    """A township typing another unit's ID number is reported to its county's office; with no
    active office account in the county, to nobody above it (the number names a person)."""
    assert office_users_above(township_a) == [office_user]
    office_user.is_active = False
    office_user.save()
    assert levels_city_office in office_users_of(township_a.org_unit)  # the general rule climbs …
    assert office_users_above(township_a) == []  # … a report about people does not leave the county


def test_a_troop_is_run_by_its_county_office_not_the_city(
    levels_city, levels_city_office, county, office_user, troop_unit, leader
):
    assert nearest_office_unit(troop_unit) == county
    assert runs_unit(office_user, troop_unit) and not runs_unit(levels_city_office, troop_unit)
    assert not runs_unit(leader, troop_unit)  # a leader reads; it runs nothing
    assert runs_unit(levels_city_office, county) and runs_unit(levels_city_office, levels_city)


def test_units_run_by_stop_at_the_next_offices(
    levels_city, levels_city_member, levels_county2, county, township_a_unit, village_a1, member_unit
):
    assert set(units_run_by(levels_city)) == {levels_city, levels_city_member, levels_county2, county}
    assert set(units_run_by(township_a_unit)) == {township_a_unit, village_a1}
    assert member_unit in set(units_run_by(county)) and village_a1 not in set(units_run_by(county))


def test_units_below_a_unit_without_an_office_are_run_by_the_office_above(county, member_unit, township_a_unit):
    """A member unit's own sub-units (any depth) are the county's to task, down to the next office."""
    from shuangyong.models import OrgUnitKind
    from tests.factories import OrgUnitFactory

    section = OrgUnitFactory(name="教委科室", kind=OrgUnitKind.MEMBER_UNIT, parent=member_unit)
    team = OrgUnitFactory(name="科室小组", kind=OrgUnitKind.MEMBER_UNIT, parent=section)
    squad = OrgUnitFactory(name="小组分队", kind=OrgUnitKind.MEMBER_UNIT, parent=team)
    street = OrgUnitFactory(name="小组下的街道", kind=OrgUnitKind.TOWNSHIP, parent=team)
    below_street = OrgUnitFactory(name="街道下的村", kind=OrgUnitKind.VILLAGE, parent=street)
    run = units_run_by(county)
    assert {section, team, squad, street} <= set(run) and below_street not in run
    assert [u.path for u in run] == sorted(u.path for u in run)


def test_asking_whether_an_office_runs_many_units_costs_one_query(
    levels_city, levels_county2, levels_city_office, django_assert_max_num_queries
):
    """Pages ask ``runs_unit`` for every row they list (a city's work queue, for each 双清单 item
    awaiting sign-off): the offices below are read once, not once per row."""
    from shuangyong.models import OrgUnitKind, User
    from tests.factories import OrgUnitFactory

    troops = [
        OrgUnitFactory(name=f"驻永某部{i}", code=f"lv-yc-bd{i}", kind=OrgUnitKind.TROOP, parent=levels_county2)
        for i in range(12)
    ]
    user = User.objects.select_related("org_unit").get(pk=levels_city_office.pk)  # fresh, as in a request
    with django_assert_max_num_queries(1):
        answers = [runs_unit(user, troop) for troop in troops]
    assert answers == [False] * 12  # 永川's troops are its county office's, not the city's
    assert runs_unit(user, levels_county2)
