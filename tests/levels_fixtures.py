"""A city above the test county (tests/conftest.py's ``county``), for the levels tests (issue 15).

重庆市双拥办 (city) ── 铜梁区双拥办 (``county``, with its townships, member unit and troop)
                   ├─ 永川区双拥办 (``levels_county2``)
                   ├─ 市教委 (a member unit of the city)
                   └─ (the province, when ``levels_province`` is used, sits above the city)

Import the fixtures into an app's conftest (``from tests.levels_fixtures import *``).
"""

from __future__ import annotations

import pytest

from shuangyong.models import OrgUnitKind, Role
from tests.factories import OrgUnitFactory, UserFactory

__all__ = [
    "levels_city",
    "levels_city_leader",
    "levels_city_member",
    "levels_city_office",
    "levels_county2",
    "levels_county2_office",
    "levels_province",
    "levels_province_leader",
    "levels_province_office",
    "levels_street_office",
]


COUNTY_UNITS = ["county", "township_a_unit", "township_b_unit", "village_a1", "member_unit", "troop_unit"]


@pytest.fixture
def levels_city(request, county):
    """The city, with the county moved under it. Every unit fixture of the county is made first
    and reloaded after the move, so that no test holds a unit with its old path (users share
    these objects as their ``org_unit``)."""
    units = [request.getfixturevalue(name) for name in COUNTY_UNITS]
    city = OrgUnitFactory(
        name="重庆市双拥工作领导小组办公室", short_name="重庆市双拥办", code="lv-cq", kind=OrgUnitKind.CITY
    )
    county.parent = city
    county.save()
    for unit in units:
        unit.refresh_from_db()
    return city


@pytest.fixture
def levels_city_member(levels_city):
    return OrgUnitFactory(name="重庆市教委", code="lv-cq-jw", kind=OrgUnitKind.MEMBER_UNIT, parent=levels_city)


@pytest.fixture
def levels_county2(levels_city):
    return OrgUnitFactory(name="永川区双拥办", code="lv-yc", kind=OrgUnitKind.COUNTY, parent=levels_city)


@pytest.fixture
def levels_city_office(levels_city):
    return UserFactory(username="lv_city_office", full_name="陈市办", org_unit=levels_city, role=Role.OFFICE)


@pytest.fixture
def levels_city_leader(levels_city):
    return UserFactory(username="lv_city_leader", full_name="周市长", org_unit=levels_city, role=Role.LEADER)


@pytest.fixture
def levels_county2_office(levels_county2):
    return UserFactory(username="lv_yc_office", full_name="吴区办", org_unit=levels_county2, role=Role.OFFICE)


@pytest.fixture
def levels_province(request, levels_city):
    province = OrgUnitFactory(name="某省双拥办", code="lv-prov", kind=OrgUnitKind.PROVINCE)
    levels_city.parent = province
    levels_city.save()
    for name in [*COUNTY_UNITS, "levels_city", "levels_county2", "levels_city_member"]:
        request.getfixturevalue(name).refresh_from_db()
    return province


@pytest.fixture
def levels_province_office(levels_province):
    return UserFactory(username="lv_prov_office", full_name="省办", org_unit=levels_province, role=Role.OFFICE)


@pytest.fixture
def levels_province_leader(levels_province):
    return UserFactory(username="lv_prov_leader", full_name="省领导", org_unit=levels_province, role=Role.LEADER)


@pytest.fixture
def levels_street_office(township_a_unit):
    """Office staff of the street office (巴川街道): it publishes its own plan to its villages."""
    return UserFactory(username="lv_street_office", full_name="街道双拥办", org_unit=township_a_unit, role=Role.OFFICE)
