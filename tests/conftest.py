"""Personas and the county they live in.

The county (its 双拥办) is the root. Under it:
- township A (巴川街道) with village A1, township B (东城街道);
- member unit 教育局; troop unit 驻铜某部.

Who may see what:
- office_user (双拥办, at the county): the whole county, may change what the office changes.
- leader (at the county): reads everything in the county, every write answers 403.
- township_a / township_b: only their own township (and its villages); the other's objects 404.
- member_liaison: only 教育局's own objects.
- troop_liaison: only the troop unit's own objects (and 双清单 items naming it as partner).
"""

from __future__ import annotations

import pytest

from shuangyong.models import OrgUnitKind, Role
from tests.factories import PASSWORD, OrgUnitFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the migrations' rows (categories, content types).

    A transaction=True test ends with a flush that also deletes the rows that data migrations
    seeded. Without serialized_rollback the next test would miss them, or re-create content
    types under new ids that collide with a later restore. One rule here instead of a flag that
    each new transactional test has to remember.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the serialized test database for serialized_rollback on *every* connection object.

    Django stores it on the connection that created the test database. Playwright's sync API
    switches the async context of the main thread, after which Django hands out a new connection
    object for the same (shared in-memory) database, without that attribute: the next
    serialized_rollback test would silently restore nothing.
    """
    from django.db import connections

    saved = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    handler = type(connections)
    original = handler.create_connection

    def create_connection(self, alias):
        connection = original(self, alias)
        if alias in saved:
            connection._test_serialized_contents = saved[alias]
        return connection

    handler.create_connection = create_connection
    yield
    handler.create_connection = original


@pytest.fixture(autouse=True)
def _empty_cache():
    """No test sees what another one cached (primary keys are reused after a rollback)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def county(db):
    return OrgUnitFactory(name="铜梁区双拥办", code="tl", kind=OrgUnitKind.COUNTY)


@pytest.fixture
def township_a_unit(county):
    return OrgUnitFactory(name="巴川街道", code="tl-bc", kind=OrgUnitKind.TOWNSHIP, parent=county)


@pytest.fixture
def village_a1(township_a_unit):
    return OrgUnitFactory(name="玉泉社区", code="tl-bc-1", kind=OrgUnitKind.VILLAGE, parent=township_a_unit)


@pytest.fixture
def township_b_unit(county):
    return OrgUnitFactory(name="东城街道", code="tl-dc", kind=OrgUnitKind.TOWNSHIP, parent=county)


@pytest.fixture
def member_unit(county):
    return OrgUnitFactory(name="区教育委员会", code="tl-jw", kind=OrgUnitKind.MEMBER_UNIT, parent=county)


@pytest.fixture
def troop_unit(county):
    return OrgUnitFactory(name="驻铜某部一营", code="tl-bd1", kind=OrgUnitKind.TROOP, parent=county)


@pytest.fixture
def office_user(county):
    return UserFactory(username="office", full_name="王丽", org_unit=county, role=Role.OFFICE)


@pytest.fixture
def leader(county):
    return UserFactory(username="leader", full_name="张书记", org_unit=county, role=Role.LEADER)


@pytest.fixture
def township_a(township_a_unit):
    return UserFactory(username="township_a", full_name="李强", org_unit=township_a_unit, role=Role.TOWNSHIP_STAFF)


@pytest.fixture
def township_a_head(township_a_unit):
    return UserFactory(
        username="township_a_head", org_unit=township_a_unit, role=Role.TOWNSHIP_STAFF, is_unit_head=True
    )


@pytest.fixture
def township_b(township_b_unit):
    return UserFactory(username="township_b", full_name="赵敏", org_unit=township_b_unit, role=Role.TOWNSHIP_STAFF)


@pytest.fixture
def member_liaison(member_unit):
    return UserFactory(username="member", full_name="刘伟", org_unit=member_unit, role=Role.MEMBER_LIAISON)


@pytest.fixture
def troop_liaison(troop_unit):
    return UserFactory(username="troop", full_name="孙参谋", org_unit=troop_unit, role=Role.TROOP_LIAISON)


@pytest.fixture
def client_for(client):
    """client_for(user) logs the test client in as that user and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- levels above the county (docs/levels.md) --------------------------------------------------
# A province over a city over the county above. Their offices and leaders see the subtree's
# tables, returns and task progress, never personal data inside the county (404).
# Request these before the township fixtures in a test's arguments: re-rooting the county
# rewrites the stored paths, and a unit object loaded earlier keeps its old path in memory.


@pytest.fixture
def province_unit(db):
    return OrgUnitFactory(name="重庆省双拥办", code="prov", kind=OrgUnitKind.PROVINCE)


@pytest.fixture
def city_unit(county, province_unit):
    city = OrgUnitFactory(
        name="重庆市双拥工作领导小组办公室",
        short_name="市双拥办",
        code="cq",
        kind=OrgUnitKind.CITY,
        parent=province_unit,
    )
    county.parent = city
    county.save()  # moves the county's subtree under the city (OrgUnit.save rewrites the paths)
    return city


@pytest.fixture
def city_member_unit(city_unit):
    """A member unit of the city itself (not inside a county): its records are the city's own."""
    return OrgUnitFactory(name="市退役军人事务局", code="cq-tyjr", kind=OrgUnitKind.MEMBER_UNIT, parent=city_unit)


@pytest.fixture
def city_office(city_unit):
    return UserFactory(username="city_office", full_name="市办刘敏", org_unit=city_unit, role=Role.OFFICE)


@pytest.fixture
def city_leader(city_unit):
    return UserFactory(username="city_leader", full_name="市领导", org_unit=city_unit, role=Role.LEADER)


@pytest.fixture
def province_office(province_unit, city_unit):
    return UserFactory(username="province_office", full_name="省办周平", org_unit=province_unit, role=Role.OFFICE)


@pytest.fixture
def province_leader(province_unit, city_unit):
    return UserFactory(username="province_leader", full_name="省领导", org_unit=province_unit, role=Role.LEADER)
