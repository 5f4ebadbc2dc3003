"""personal_scope_q: personal data never leaves the county (docs/levels.md "Privacy by level").

The tree: a province over a city over the county of tests/conftest.py (its townships and
villages), a second county under the city, and a member unit of the city itself.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangyong.access import personal_scope_q, scope_q, within_personal_data_boundary
from shuangyong.models import OrgUnit, OrgUnitKind, Role
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(city_unit, city_member_unit, province_unit, county, township_a_unit, village_a1, township_b_unit):
    county_y = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY, parent=city_unit)
    township_y = OrgUnitFactory(name="胜利路街道", code="yc-sl", kind=OrgUnitKind.TOWNSHIP, parent=county_y)
    # a second city of the province, with a member unit of its own
    city_2 = OrgUnitFactory(name="某市双拥办", code="mc", kind=OrgUnitKind.CITY, parent=province_unit)
    city_2_member = OrgUnitFactory(name="某市民政局", code="mc-mz", kind=OrgUnitKind.MEMBER_UNIT, parent=city_2)
    return {
        "province": province_unit,
        "city": city_unit,
        "city_member": city_member_unit,
        "county": county,
        "township_a": township_a_unit,
        "village_a1": village_a1,
        "township_b": township_b_unit,
        "county_y": county_y,
        "township_y": township_y,
        "city_2": city_2,
        "city_2_member": city_2_member,
    }


def _codes(user, q_builder=personal_scope_q) -> set[str]:
    return set(OrgUnit.objects.filter(q_builder(user, "")).values_list("code", flat=True))


def _units_of_field(user) -> set[str]:
    """The same filter through a foreign key (``"parent"``: units whose parent is visible)."""
    return set(OrgUnit.objects.filter(personal_scope_q(user, "parent")).values_list("code", flat=True))


def test_a_city_office_sees_its_own_member_units_but_nothing_inside_a_county(tree):
    city_office = UserFactory(org_unit=tree["city"], role=Role.OFFICE)
    assert _codes(city_office) == {"cq", "cq-tyjr"}
    # through a foreign key: the children of visible units (the counties themselves are children
    # of the city; nothing whose parent is inside a county)
    assert _units_of_field(city_office) == {"cq-tyjr", "tl", "yc"}
    # the whole subtree stays in scope for tables and returns
    assert {"tl", "tl-bc", "tl-bc-1", "yc-sl"} <= _codes(city_office, scope_q)
    assert not within_personal_data_boundary(city_office)


def test_a_province_user_sees_the_member_units_of_each_city_and_nothing_of_the_counties(tree):
    province_leader = UserFactory(org_unit=tree["province"], role=Role.LEADER)
    assert _codes(province_leader) == {"prov", "cq", "cq-tyjr", "mc", "mc-mz"}


@pytest.mark.parametrize("unit", ["county", "township_a", "village_a1", "city_member"])
def test_a_user_at_or_below_the_county_is_unaffected(tree, unit):
    user = UserFactory(org_unit=tree[unit], role=Role.OFFICE)
    assert _codes(user) == _codes(user, scope_q)
    assert within_personal_data_boundary(user)


def test_a_county_office_sees_its_own_county_only(tree):
    office = UserFactory(org_unit=tree["county"], role=Role.OFFICE)
    assert _codes(office) == {"tl", "tl-bc", "tl-bc-1", "tl-dc"}


def test_re_rooting_a_county_under_another_city_follows_the_paths(tree):
    city_2_office = UserFactory(org_unit=tree["city_2"], role=Role.OFFICE)
    tree["county_y"].parent = tree["city_2"]
    tree["county_y"].save()
    assert _codes(city_2_office) == {"mc", "mc-mz"}
    assert "yc-sl" in _codes(city_2_office, scope_q)


def test_inactive_or_anonymous_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert _codes(AnonymousUser()) == set()
    user = UserFactory(org_unit=tree["city"], role=Role.OFFICE, is_active=False)
    assert _codes(user) == set()


def test_one_query_whatever_the_number_of_counties(tree, city_unit):
    """Set-based: the filter is one SQL statement (no query per county)."""
    city_office = UserFactory(org_unit=tree["city"], role=Role.OFFICE)
    with CaptureQueriesContext(connection) as few:
        _codes(city_office)
    for i in range(5):
        extra = OrgUnitFactory(code=f"x{i}", kind=OrgUnitKind.COUNTY, parent=city_unit)
        OrgUnitFactory(code=f"x{i}-t", kind=OrgUnitKind.TOWNSHIP, parent=extra)
    with CaptureQueriesContext(connection) as many:
        assert _codes(city_office) == {"cq", "cq-tyjr"}
    assert len(few) == len(many)
