"""The demo city: 重庆市 over the demo county (铜梁区) and a second county (永川区), with accounts
at every level; a demo seeded when the county was the root is re-rooted under the city."""

from __future__ import annotations

import pytest

from shuangyong.demo import demo_definition, seed_all, seed_core
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from shuangyong.services import org_unit_create

pytestmark = pytest.mark.django_db


def test_the_city_has_two_counties_and_accounts_at_every_level():
    seed_core()
    city = OrgUnit.objects.get(code="cq")
    assert (city.kind, city.short_name, city.parent) == (OrgUnitKind.CITY, "市双拥办", None)
    counties = OrgUnit.objects.filter(parent=city, kind=OrgUnitKind.COUNTY).order_by("sort_order")
    assert [c.code for c in counties] == ["tl", "yc"]
    yc = OrgUnit.objects.get(code="yc")
    assert 2 <= OrgUnit.objects.filter(parent=yc, kind=OrgUnitKind.TOWNSHIP).count() <= 3
    assert OrgUnit.objects.filter(parent=yc, kind=OrgUnitKind.MEMBER_UNIT).exists()
    accounts = {u.username: (u.org_unit.code, u.role) for u in User.objects.select_related("org_unit")}
    assert accounts["city_office"] == ("cq", Role.OFFICE)
    assert accounts["city_leader"] == ("cq", Role.LEADER)
    assert accounts["yc_office"] == ("yc", Role.OFFICE)
    assert accounts["yc_township"][1] == Role.TOWNSHIP_STAFF
    assert OrgUnit.objects.get(code=accounts["yc_township"][0]).parent == yc
    password = demo_definition()["password"]
    assert all(User.objects.get(username=n).check_password(password) for n in ("city_office", "yc_township"))


def test_a_demo_seeded_with_the_county_as_root_is_moved_under_the_city():
    # What an older seed_demo left: the county at the root, a township and a village below it.
    county = org_unit_create(name="铜梁区双拥工作领导小组办公室", code="tl", kind=OrgUnitKind.COUNTY, parent=None)
    township = org_unit_create(name="巴川街道", code="tl-bc", kind=OrgUnitKind.TOWNSHIP, parent=county)
    village = org_unit_create(name="玉泉社区", code="tl-bc-1", kind=OrgUnitKind.VILLAGE, parent=township)
    seed_all()
    city = OrgUnit.objects.get(code="cq")
    for unit in (county, township, village):
        unit.refresh_from_db()
        assert unit.path.startswith(city.path) and unit.is_below(city)
    assert county.parent == city
    assert village.path == f"{township.path}{village.pk:07d}."
    counts = (OrgUnit.objects.count(), User.objects.count())
    seed_all()
    assert (OrgUnit.objects.count(), User.objects.count()) == counts


def test_the_demo_has_a_person_waiting_to_move_into_the_second_county(client):
    from visits.models import BeneficiaryTransfer, TransferState

    seed_all()
    transfer = BeneficiaryTransfer.objects.get()
    assert (
        transfer.state,
        transfer.to_county.code,
        transfer.from_unit.is_below(OrgUnit.objects.get(code="tl-bc")),
    ) == (
        TransferState.PENDING,
        "yc",
        True,
    )
    client.force_login(User.objects.get(username="yc_office"))
    assert transfer.beneficiary.name in client.get("/").content.decode()  # 等待我处理: 待确认迁入的人员
    seed_all()
    assert BeneficiaryTransfer.objects.count() == 1
