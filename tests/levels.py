"""A city above the test county (docs/levels.md), shared by the levels tests of every app.

重庆市双拥工作领导小组办公室 (cq) with two counties: the test county 铜梁区双拥办 (tl, with its
townships A and B and its member unit) and 永川区双拥办 (yc, two townships), and a member unit
of the city itself. The city's 2027 春节 campaign expects both counties and the member unit;
creating it links each county's own campaign under it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from tests.factories import OrgUnitFactory, UserFactory
from tests.reports.helpers import make_record
from visits.models import Campaign, CampaignKind, Return, ReturnStatus, TableRow
from visits.services import campaign_create, return_accept, return_submit

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2027, 2, 25)
IN_WINDOW = dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI)


@dataclass
class City:
    city: OrgUnit
    tl: OrgUnit
    yc: OrgUnit
    yc_a: OrgUnit
    yc_b: OrgUnit
    city_member: OrgUnit
    city_office: User
    city_leader: User
    tl_office: User
    yc_office: User
    campaign: Campaign

    def own(self, county: OrgUnit) -> Campaign:
        return Campaign.objects.get(parent=self.campaign, owner_unit=county)


def build_city(county: OrgUnit, tl_office: User, *, deadline: dt.date = DEADLINE) -> City:
    city = OrgUnitFactory(name="重庆市双拥工作领导小组办公室", code="cq", kind=OrgUnitKind.CITY)
    county.parent = city
    county.save()  # re-roots the county's subtree under the city
    tl_office.org_unit.refresh_from_db()
    yc = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY, parent=city)
    yc_a = OrgUnitFactory(name="胜利路街道", code="yc-sl", kind=OrgUnitKind.TOWNSHIP, parent=yc)
    yc_b = OrgUnitFactory(name="中山路街道", code="yc-zs", kind=OrgUnitKind.TOWNSHIP, parent=yc)
    city_member = OrgUnitFactory(name="市教育委员会", code="cq-jw", kind=OrgUnitKind.MEMBER_UNIT, parent=city)
    city_office = UserFactory(username="city_office", org_unit=city, role=Role.OFFICE)
    city_leader = UserFactory(username="city_leader", org_unit=city, role=Role.LEADER)
    yc_office = UserFactory(username="yc_office", org_unit=yc, role=Role.OFFICE)
    campaign = campaign_create(
        user=city_office,
        year=2027,
        kind=CampaignKind.SPRING,
        title="2027年春节走访慰问",
        visit_start=dt.date(2027, 1, 22),
        visit_end=dt.date(2027, 2, 20),
        return_deadline=deadline,
        expected_units=[county, yc, city_member],
    )
    return City(city, county, yc, yc_a, yc_b, city_member, city_office, city_leader, tl_office, yc_office, campaign)


def accepted_return(campaign: Campaign, unit: OrgUnit, office: User, records: list[dict]) -> Return:
    """A unit's return with these records, submitted (on time) and accepted by ``office``."""
    ret = Return.objects.create(campaign=campaign, org_unit=unit)
    for fields in records:
        make_record(ret, **fields)
    ret = return_submit(user=office, campaign=campaign, org_unit=unit, version=None, no_visits=False, summary="小结")
    return return_accept(user=office, ret=ret)


def submitted_return(campaign: Campaign, unit: OrgUnit, office: User, records: list[dict]) -> Return:
    ret = Return.objects.create(campaign=campaign, org_unit=unit)
    for fields in records:
        make_record(ret, **fields)
    return return_submit(user=office, campaign=campaign, org_unit=unit, version=None, no_visits=False, summary="小结")


def record(row: str = TableRow.ENTITLED, people: int = 2, money: str = "0", goods: str = "0", **more) -> dict:
    fields = {
        "row": row,
        "people_visited": people,
        "money_amount": Decimal(money),
        "money_recipients": min(people, 1) if Decimal(money) else 0,
        "goods_spending": Decimal(goods),
        "goods_count": 3 if Decimal(goods) else 0,
        "goods_recipients": min(people, 2) if Decimal(goods) else 0,
        "visit_date": dt.date(2027, 2, 1),
    }
    fields.update(more)
    return fields


ACCEPTED = (ReturnStatus.ACCEPTED,)
