"""Demo data for visits/: categories come from the migration; this adds campaigns, a ledger,
visit records and returns in every state. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from visits.calendar import army_day_defaults, spring_defaults
from visits.levels import expected_unit_choices
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiaryTransfer,
    Campaign,
    CampaignKind,
    ContactWay,
    Return,
    TableRow,
)
from visits.services import (
    beneficiary_create,
    campaign_create,
    contact_log_create,
    return_accept,
    return_send_back,
    return_submit,
    transfer_request,
    upward_return_submit,
    visit_record_create,
)
from visits.validators import make_id_number

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何罗高林"
SUMMARY = "八一期间走访慰问驻地部队和优抚对象。"
GIVEN = ["建国", "秀英", "国华", "玉兰", "志强", "桂芳", "德明", "淑珍", "永福", "春梅"]


def _campaign(office: User, year: int, kind: str, units: list[OrgUnit]) -> Campaign:
    existing = Campaign.objects.filter(owner_unit=office.org_unit, year=year, kind=kind).first()
    if existing:
        return existing
    d = spring_defaults(year) if kind == CampaignKind.SPRING else army_day_defaults(year)
    return campaign_create(
        user=office,
        year=year,
        kind=kind,
        title=d.title,
        visit_start=d.visit_start,
        visit_end=d.visit_end,
        return_deadline=d.return_deadline,
        expected_units=units,
    )


def _ledger(office: User, townships: list[OrgUnit]) -> list[Beneficiary]:
    categories = list(BeneficiaryCategory.objects.all())
    villages = list(OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE, parent__in=townships).order_by("path"))
    people = []
    for i in range(30):
        id_number = make_id_number(region="500224", birth=dt.date(1935, 3, 1) + dt.timedelta(days=611 * i), sequence=i)
        person = Beneficiary.objects.filter(id_number=id_number).first()
        if person is None:
            unit = villages[i % len(villages)] if villages else townships[i % len(townships)]
            person = beneficiary_create(
                user=office,
                org_unit=unit,
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
                category=categories[i % len(categories)],
                id_number=id_number,
                phone=f"1390000{i:04d}",
                address=f"{unit.name}{i + 1}号",
            )
            if i % 3 == 0:
                contact_log_create(
                    user=office,
                    beneficiary=person,
                    date=dt.date(2026, 7, 20),
                    way=ContactWay.HOME_VISIT,
                    contacted_by="李强",
                    content="身体尚好，反映孙子入学问题。",
                )
        people.append(person)
    return people


def _records(user: User, campaign: Campaign, unit: OrgUnit, people: list[Beneficiary], n: int) -> None:
    for i in range(n):
        person = people[i] if i < len(people) else None
        visit_record_create(
            user=user,
            campaign=campaign,
            org_unit=unit,
            visit_date=campaign.visit_start + dt.timedelta(days=i + 1),
            table_row=[TableRow.ENTITLED, TableRow.HARDSHIP, TableRow.TROOPS][i % 3],
            beneficiary=person if i % 3 != 2 else None,
            lead_leader=["张镇长", "李书记"][i % 2],
            people_visited=3 + i,
            money_amount=Decimal("500.00") * (i + 1),
            money_recipients=2,
            goods_spending=Decimal("180.50"),
            goods_count=4,
            goods_recipients=2,
            way=ContactWay.HOME_VISIT,
        )


def _transfer(township: User, people: list[Beneficiary]) -> None:
    """One person of 巴川街道 moving to the second county (永川区): yc_office accepts or refuses it."""
    to_county = OrgUnit.objects.filter(code="yc").first()
    leaving = next((p for p in people if township.org_unit and p.org_unit.is_below(township.org_unit)), None)
    if to_county is None or leaving is None or BeneficiaryTransfer.objects.exists():
        return
    transfer_request(user=township, beneficiary=leaving, to_county=to_county, reason="随子女迁居永川。")


@transaction.atomic
def seed_visits() -> None:
    office = User.objects.filter(username="office").select_related("org_unit").first()
    township = User.objects.filter(username="township").select_related("org_unit").first()
    township2 = User.objects.filter(username="township2").select_related("org_unit").first()
    if office is None or township is None or township2 is None:
        return
    bc, dc = township.org_unit, township2.org_unit
    if bc is None or dc is None:
        return
    county = office.org_unit
    assert county is not None
    units = list(
        OrgUnit.objects.below(county).filter(kind__in=[OrgUnitKind.TOWNSHIP, OrgUnitKind.MEMBER_UNIT], is_active=True)
    )
    townships = [u for u in units if u.kind == OrgUnitKind.TOWNSHIP][:4]
    people = _ledger(office, townships)
    army = _campaign(office, 2026, CampaignKind.ARMY_DAY, units)
    spring = _campaign(office, 2027, CampaignKind.SPRING, units)
    _transfer(township, people)
    if Return.objects.filter(campaign__in=[army, spring]).exists():
        return  # records and returns were seeded before
    a_people = [p for p in people if p.org_unit.path.startswith(bc.path)]
    b_people = [p for p in people if p.org_unit.path.startswith(dc.path)]
    # 2026 八一: 巴川 accepted, 东城 submitted, 南城 本期无走访, the rest not submitted.
    _records(township, army, bc, a_people, 3)
    accepted = return_submit(user=township, campaign=army, org_unit=bc, version=None, no_visits=False, summary=SUMMARY)
    Return.objects.filter(pk=accepted.pk).update(submitted_at=timezone.make_aware(dt.datetime(2026, 8, 12, 16, 0)))
    return_accept(user=office, ret=accepted)
    _records(township2, army, dc, b_people, 2)
    return_submit(user=township2, campaign=army, org_unit=dc, version=None, no_visits=False, summary="")
    other = next((u for u in townships if u not in (bc, dc)), None)
    if other is not None:
        return_submit(user=office, campaign=army, org_unit=other, version=None, no_visits=True, summary="本期无走访。")
    # 2027 春节: 巴川 is entering (draft), 东城 was sent back.
    _records(township, spring, bc, a_people, 2)
    _records(township2, spring, dc, b_people, 1)
    sent = return_submit(user=township2, campaign=spring, org_unit=dc, version=None, no_visits=False, summary="")
    return_send_back(user=office, ret=sent, reason="请补充带队领导和慰问品发放人数。")


# --- levels: the city above the demo county (docs/levels.md) -------------------------------------

CITY_CODE, COUNTY_CODE, SECOND_COUNTY_CODE = "cq", "tl", "yc"


def _office_of(unit: OrgUnit) -> User | None:
    return User.objects.filter(org_unit=unit, role=Role.OFFICE, is_active=True).order_by("pk").first()


@transaction.atomic
def seed_levels() -> None:
    """重庆市's 2027 春节 campaign with the demo county's campaign linked under it, and the second
    county's table submitted and accepted, so that the roll-up can be tried from ./run.sh.

    Runs after the county's seeders; does nothing unless the city (cq) is above the demo county
    (tl) with an office account (the units and accounts come from the core seeder); a second
    county (yc) without an office account is linked but left for the user to fill."""
    city = OrgUnit.objects.filter(code=CITY_CODE, kind=OrgUnitKind.CITY).first()
    county = OrgUnit.objects.filter(code=COUNTY_CODE, parent=city).first() if city else None
    city_office = _office_of(city) if city else None
    if city is None or county is None or city_office is None:
        return
    if Campaign.objects.filter(owner_unit=city, year=2027, kind=CampaignKind.SPRING).exists():
        return  # seeded before
    d = spring_defaults(2027)
    county_spring = Campaign.objects.filter(owner_unit=county, year=2027, kind=CampaignKind.SPRING).first()
    campaign = campaign_create(
        user=city_office,
        year=2027,
        kind=CampaignKind.SPRING,
        title=d.title,
        visit_start=d.visit_start,
        visit_end=d.visit_end,
        # Not before the county's own deadline: the county reports to the city after its units.
        return_deadline=max(d.return_deadline, county_spring.return_deadline if county_spring else d.return_deadline),
        expected_units=list(expected_unit_choices(city_office)),
    )
    second = OrgUnit.objects.filter(code=SECOND_COUNTY_CODE, parent=city).first()
    second_office = _office_of(second) if second else None
    own = Campaign.objects.filter(parent=campaign, owner_unit=second).first() if second else None
    if own is None or second_office is None:
        return
    # 永川: its townships' returns accepted, its table submitted to the city and accepted there.
    for i, township in enumerate(own.expected_units.filter(kind=OrgUnitKind.TOWNSHIP).order_by("sort_order", "pk")[:3]):
        _records(second_office, own, township, [], 2 + i)
        ret = return_submit(
            user=second_office, campaign=own, org_unit=township, version=None, no_visits=False, summary=SUMMARY
        )
        return_accept(user=second_office, ret=ret)
    upward = upward_return_submit(
        user=second_office,
        campaign=own,
        summary="永川区春节走访慰问工作小结。",
        leaders={TableRow.ENTITLED: "陈区长", TableRow.TROOPS: "刘部长"},
    )
    return_accept(user=city_office, ret=upward)
