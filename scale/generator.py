"""Deterministic scale data: one county, or a province of 10 cities and 100 counties.

Same seed, same rows: every county draws from its own ``random.Random(f"{seed}-{county}")`` and
every date and time is derived from fixed reference dates, never from the clock (only the models'
``auto_now_add`` columns carry the time of the run). Rows are written with ``bulk_create`` in
batches, one transaction per county, so memory stays flat whatever the scale.

Province scale (the defaults of ``ScalePlan.province()``): 1 province → 10 cities → 100 counties
→ 2,000 townships + 1,000 member units (+ 200 stationed troops), 1,000,000 beneficiaries,
2,000,000 visit records over four campaigns, 5,000 tasks and 10,000 双清单 items.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import models, reset_queries, transaction

from shuangyong.models import PATH_STEP, OrgUnit, OrgUnitKind, Role, User
from tasks.models import (
    DualListCategory,
    DualListDirection,
    DualListItem,
    DualListState,
    ProposingSide,
    Section,
    Task,
    TaskStatus,
    WorkPlan,
)
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    Campaign,
    CampaignKind,
    ContactWay,
    DifficultyKind,
    Return,
    ReturnStatus,
    TableRow,
    VisitDifficulty,
    VisitRecord,
)
from visits.validators import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE_PREFIX = "sc"
BATCH_SIZE = 5000
PLAN_YEAR = 2026
JOINED = dt.datetime(2025, 1, 1, 9, 0, tzinfo=SHANGHAI)
# Four campaigns, the last one still open for returns.
CAMPAIGNS: list[tuple[int, str]] = [
    (2025, CampaignKind.SPRING),
    (2025, CampaignKind.ARMY_DAY),
    (2026, CampaignKind.SPRING),
    (2026, CampaignKind.ARMY_DAY),
]

M = TypeVar("M", bound=models.Model)
#: The two accounts of every office unit: ``<unit code>-office`` and ``<unit code>-leader``.
OFFICE_ACCOUNTS: tuple[tuple[str, str], ...] = (("office", Role.OFFICE), ("leader", Role.LEADER))


def level_campaign(year: int, kind: str, owner: OrgUnit, parent: Campaign | None) -> Campaign:
    """A campaign of an office above the county (its window is the counties' own)."""
    start, end, deadline = campaign_window(year, kind)
    return Campaign(
        year=year,
        kind=kind,
        title=f"{year}年{CampaignKind(kind).label}走访慰问",
        visit_start=start,
        visit_end=end,
        return_deadline=deadline,
        owner_unit=owner,
        parent=parent,
    )


@dataclass(frozen=True)
class ScalePlan:
    scope: str
    cities: int
    counties_per_city: int
    townships_per_county: int
    members_per_county: int
    troops_per_county: int
    villages_per_township: int
    beneficiaries_per_county: int
    visits_per_campaign_per_county: int
    tasks_per_county: int
    dual_list_items_per_county: int

    @classmethod
    def province(cls) -> ScalePlan:
        return cls("province", 10, 10, 20, 10, 2, 0, 10_000, 5_000, 50, 100)

    @classmethod
    def county(cls) -> ScalePlan:
        return cls("county", 1, 1, 20, 10, 2, 2, 10_000, 5_000, 50, 100)

    def with_overrides(self, **overrides: int | None) -> ScalePlan:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]

    @property
    def counties(self) -> int:
        return self.cities * self.counties_per_city

    def totals(self) -> dict[str, int]:
        n = self.counties
        return {
            "县（区）": n,
            "乡镇街道": n * self.townships_per_county,
            "成员单位": n * self.members_per_county,
            "驻地部队": n * self.troops_per_county,
            "村社区": n * self.townships_per_county * self.villages_per_township,
            "联系对象": n * self.beneficiaries_per_county,
            "走访记录": n * self.visits_per_campaign_per_county * len(CAMPAIGNS),
            "任务": n * self.tasks_per_county,
            "双清单事项": n * self.dual_list_items_per_county,
        }


class ScaleDataExists(Exception):
    pass


# --- names -------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰德福文斌海波成林云飞鹏辉浩宇"
CITY_NAMES = ["江州", "渝北", "合川", "永川", "涪陵", "万州", "黔江", "綦江", "大足", "璧山"]
COUNTY_WORDS = ["铜梁", "潼南", "荣昌", "开州", "梁平", "武隆", "城口", "丰都", "垫江", "忠县", "云阳", "奉节"]
TOWNSHIP_WORDS = ["巴川", "东城", "南城", "蒲吕", "旧县", "土桥", "二坪", "水口", "安居", "白羊", "围龙", "华兴"]
MEMBER_UNITS = [
    "教育委员会",
    "人力社保局",
    "卫生健康委",
    "民政局",
    "公安局",
    "财政局",
    "住房城乡建委",
    "交通局",
    "司法局",
    "退役军人事务局",
]
TASK_TITLES = [
    "深入开展国防教育和双拥宣传",
    "全力服务部队练兵备战",
    "落实军人军属优待政策",
    "做好随军家属就业安置",
    "解决部队官兵子女入学问题",
    "开展双拥模范城创建",
    "加强退役军人服务保障",
    "组织春节八一走访慰问",
]
DUAL_LIST_CONTENT = {
    DualListDirection.TO_TROOPS: [
        "协调训练场地",
        "解决营区供水供电",
        "随军家属就业推荐",
        "官兵子女入学入托",
        "营区道路维修",
    ],
    DualListDirection.TO_LOCALITY: ["助力乡村振兴帮扶", "参加抢险救灾演练", "开展志愿服务活动", "协助国防教育进校园"],
}
ROW_WEIGHTS = [(TableRow.ENTITLED, 5), (TableRow.HARDSHIP, 3), (TableRow.TROOPS, 1), (TableRow.BORDER, 1)]
CHINESE_DIGITS = "零一二三四五六七八九"
ACCOUNT_SUFFIX: dict[str, str] = {Role.OFFICE: "办公室", Role.LEADER: "领导"}


def chinese_number(n: int) -> str:
    """1..99 as written in notices: 一, 十, 十二, 二十, 二十三."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[ones] if ones else "") if n else "零"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def campaign_window(year: int, kind: str) -> tuple[dt.date, dt.date, dt.date]:
    if kind == CampaignKind.SPRING:
        return dt.date(year, 1, 10), dt.date(year, 2, 10), dt.date(year, 2, 15)
    return dt.date(year, 7, 15), dt.date(year, 8, 5), dt.date(year, 8, 14)


def bulk(model: type[M], objs: Iterable[M], batch_size: int) -> list[M]:
    return model._default_manager.bulk_create(list(objs), batch_size=batch_size)


# --- the generator -----------------------------------------------------------------------------


class ScaleGenerator:
    def __init__(
        self,
        plan: ScalePlan,
        *,
        seed: int,
        password: str,
        batch_size: int = BATCH_SIZE,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.batch_size = batch_size
        self.log = log
        # One hash for every generated account, with a salt derived from the seed so that the
        # same seed gives the very same rows (these are load-test accounts, not people).
        self.password_hash = make_password(password, salt=f"scale{seed}")

    def run(self) -> dict[str, int]:
        root_code = f"{CODE_PREFIX}-p" if self.plan.scope == "province" else f"{CODE_PREFIX}-x01"
        if OrgUnit.objects.filter(code=root_code).exists():
            raise ScaleDataExists(f"规模数据已存在（单位代码 {root_code}）：请在新数据库中生成。")
        started = time.monotonic()
        self.categories = list(BeneficiaryCategory.objects.order_by("sort_order", "pk"))
        if not self.categories:
            raise ScaleDataExists("没有联系对象类别：请先运行 migrate。")
        self.dual_list_categories = list(DualListCategory.objects.order_by("sort_order", "pk"))
        counties = self._create_upper_levels()
        for index, (county_code, county_name, parent) in enumerate(counties, start=1):
            t0 = time.monotonic()
            with transaction.atomic():
                self._create_county(index, county_code, county_name, parent)
            # With DEBUG on, Django keeps every query's SQL: drop it, or memory grows per county.
            reset_queries()
            self.log(f"[{index}/{len(counties)}] {county_name} {time.monotonic() - t0:.1f}s")
        if self.plan.scope == "province":
            t0 = time.monotonic()
            self._link_levels()
            self.log(f"省、市活动逐级关联，区县、市统计表逐级报送 {time.monotonic() - t0:.1f}s")
            t0 = time.monotonic()
            self._cascade_tasks()
            self.log(f"省、市工作要点逐级分解到区县 {time.monotonic() - t0:.1f}s")
        self.log(f"共用时 {time.monotonic() - started:.1f}s")
        return self.plan.totals()

    # org units ---------------------------------------------------------------------------------

    def _units(self, specs: Sequence[tuple[str, str, str, OrgUnit | None, int]]) -> list[OrgUnit]:
        """bulk_create units of one level, then write their materialised paths (they need the pk)."""
        units = bulk(
            OrgUnit,
            (
                OrgUnit(code=code, name=name, kind=kind, parent=parent, sort_order=order)
                for code, name, kind, parent, order in specs
            ),
            self.batch_size,
        )
        for unit in units:
            prefix = unit.parent.path if unit.parent else ""
            unit.path = f"{prefix}{unit.pk:0{PATH_STEP}d}."
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=self.batch_size)
        return units

    def _create_upper_levels(self) -> list[tuple[str, str, OrgUnit | None]]:
        """The province and its cities (province scope); the list of counties to create."""
        if self.plan.scope != "province":
            return [(f"{CODE_PREFIX}-x01", "铜梁区双拥办（规模测试）", None)]
        with transaction.atomic():
            (province,) = self._units([(f"{CODE_PREFIX}-p", "重庆市双拥办（规模测试）", OrgUnitKind.PROVINCE, None, 0)])
            self.province = province
            self.cities = cities = self._units(
                [
                    (f"{CODE_PREFIX}-c{c:02d}", f"{CITY_NAMES[(c - 1) % 10]}市双拥办", OrgUnitKind.CITY, province, c)
                    for c in range(1, self.plan.cities + 1)
                ]
            )
            self._create_office_accounts([province, *cities])
        counties: list[tuple[str, str, OrgUnit | None]] = []
        for c, city in enumerate(cities, start=1):
            for x in range(1, self.plan.counties_per_city + 1):
                word = COUNTY_WORDS[(c * 7 + x) % len(COUNTY_WORDS)]
                counties.append((f"{CODE_PREFIX}-c{c:02d}-x{x:02d}", f"{word}{c:02d}{x:02d}区双拥办", city))
        return counties

    def _create_county(self, index: int, code: str, name: str, parent: OrgUnit | None) -> None:
        rng = random.Random(f"{self.seed}-{index}")  # noqa: S311 — reproducible test data
        p = self.plan
        (county,) = self._units([(code, name, OrgUnitKind.COUNTY, parent, index)])
        county.troop_name = f"驻{name[0]}部队"  # its 八一 table's troop name (驻铜部队)
        OrgUnit.objects.filter(pk=county.pk).update(troop_name=county.troop_name)
        townships = self._units(
            [
                (
                    f"{code}-t{i:02d}",
                    f"{TOWNSHIP_WORDS[(i - 1) % 12]}{'街道' if i % 3 else '镇'}{i:02d}",
                    OrgUnitKind.TOWNSHIP,
                    county,
                    i,
                )
                for i in range(1, p.townships_per_county + 1)
            ]
        )
        members = self._units(
            [
                (
                    f"{code}-m{i:02d}",
                    f"区{MEMBER_UNITS[(i - 1) % 10]}{'' if i <= 10 else i}",
                    OrgUnitKind.MEMBER_UNIT,
                    county,
                    100 + i,
                )
                for i in range(1, p.members_per_county + 1)
            ]
        )
        troops = self._units(
            [
                (f"{code}-b{i:02d}", f"驻{name[:2]}某部{chinese_number(i)}营", OrgUnitKind.TROOP, county, 200 + i)
                for i in range(1, p.troops_per_county + 1)
            ]
        )
        villages = self._units(
            [
                (f"{t.code}-v{v}", f"{t.name[:2]}第{chinese_number(v)}社区", OrgUnitKind.VILLAGE, t, v)
                for t in townships
                for v in range(1, p.villages_per_township + 1)
            ]
        )
        users = self._create_users(county, townships, members, troops)
        ledger_units = townships + villages
        beneficiaries = self._create_beneficiaries(rng, index, ledger_units)
        self._create_campaigns(rng, county, townships, members, troops, users, beneficiaries)
        self._create_tasks(rng, county, townships, members, users)
        self._create_dual_list(rng, townships, members, troops, users)

    def _create_office_accounts(self, offices: Sequence[OrgUnit]) -> list[User]:
        """``<code>-office`` and ``<code>-leader`` at each office unit (province, city, county):
        the accounts a load test logs in with at every level."""
        specs = [(f"{u.code}-{suffix}", u, role) for u in offices for suffix, role in OFFICE_ACCOUNTS]
        return self._accounts(specs)

    def _create_users(
        self, county: OrgUnit, townships: list[OrgUnit], members: list[OrgUnit], troops: list[OrgUnit]
    ) -> dict[int | str, User]:
        """office + leader at the county, one account per township, member unit and troop."""
        specs: list[tuple[str, OrgUnit, str]] = [
            (f"{county.code}-{suffix}", county, role) for suffix, role in OFFICE_ACCOUNTS
        ]
        specs += [(u.code, u, Role.TOWNSHIP_STAFF) for u in townships]
        specs += [(u.code, u, Role.MEMBER_LIAISON) for u in members]
        specs += [(u.code, u, Role.TROOP_LIAISON) for u in troops]
        created = self._accounts(specs)
        by_unit: dict[int | str, User] = {u.org_unit.pk: u for u in created[2:] if u.org_unit}
        by_unit["office"], by_unit["leader"] = created[0], created[1]
        return by_unit

    def _accounts(self, specs: Sequence[tuple[str, OrgUnit, str]]) -> list[User]:
        return bulk(
            User,
            (
                User(
                    username=username,
                    password=self.password_hash,
                    full_name=f"{unit.name[:6]}{ACCOUNT_SUFFIX.get(role, '专干')}",
                    email=f"{username}@example.invalid",
                    org_unit=unit,
                    role=role,
                    date_joined=JOINED,
                )
                for username, unit, role in specs
            ),
            self.batch_size,
        )

    # levels (docs/levels.md) ---------------------------------------------------------------------

    def _link_levels(self) -> None:
        """Offices at every level: each (year, holiday) campaign linked top-down (province → city →
        the counties' own); each county's table submitted to its city and each city's to the
        province, computed by the one table builder from the accepted returns (the closed
        campaigns' accepted, the open one's in mixed states)."""
        from visits.table import BASIS_STATUSES, Basis, campaign_report, figures_from_rows

        rng = random.Random(f"{self.seed}-levels")  # noqa: S311 — reproducible test data
        # The province's and cities' accounts were made with their units (_create_office_accounts).
        offices: dict[int, User] = {
            u.org_unit_id: u
            for u in User.objects.filter(org_unit__in=[self.province, *self.cities], role=Role.OFFICE).order_by("pk")
            if u.org_unit_id is not None
        }
        counties = list(OrgUnit.objects.filter(parent__in=self.cities, kind=OrgUnitKind.COUNTY).order_by("path"))
        county_offices = {
            u.org_unit_id: u for u in User.objects.filter(org_unit__in=counties, role=Role.OFFICE).order_by("pk")
        }
        Through = Campaign.expected_units.through
        accepted = BASIS_STATUSES[Basis.ACCEPTED]
        for c_index, (year, kind) in enumerate(CAMPAIGNS):
            is_open = c_index == len(CAMPAIGNS) - 1
            (top,) = bulk(Campaign, [level_campaign(year, kind, self.province, None)], self.batch_size)
            city_campaigns = bulk(
                Campaign, (level_campaign(year, kind, city, top) for city in self.cities), self.batch_size
            )
            bulk(Through, (Through(campaign=top, orgunit=city) for city in self.cities), self.batch_size)
            bulk(
                Through,
                (
                    Through(campaign=cc, orgunit=county)
                    for cc in city_campaigns
                    for county in counties
                    if county.parent_id == cc.owner_unit_id
                ),
                self.batch_size,
            )
            parent_of: dict[int | None, Campaign] = {cc.owner_unit_id: cc for cc in city_campaigns}
            own = list(
                Campaign.objects.filter(owner_unit__in=counties, year=year, kind=kind).select_related("owner_unit")
            )
            for county_campaign in own:
                county_campaign.parent = parent_of[county_campaign.owner_unit.parent_id]
            Campaign.objects.bulk_update(own, ["parent"], batch_size=self.batch_size)
            # Each county's table to its city, then each city's to the province. A city sends its
            # table only once it has accepted every county's (its own campaign is then frozen).
            settled: dict[int, bool] = {}  # city unit → all its counties' tables accepted
            for level, campaigns in (("county", own), ("city", city_campaigns)):
                returns = []
                for lower in campaigns:
                    assert lower.parent is not None
                    office = county_offices[lower.owner_unit_id] if level == "county" else offices[lower.owner_unit_id]
                    status = (
                        rng.choices([ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED], [1, 2, 3])[0]
                        if is_open
                        else ReturnStatus.ACCEPTED
                    )
                    if level == "county":
                        city_pk = lower.parent.owner_unit_id
                        settled[city_pk] = settled.get(city_pk, True) and status == ReturnStatus.ACCEPTED
                    elif not settled.get(lower.owner_unit_id, True):
                        status = ReturnStatus.DRAFT
                    if status == ReturnStatus.DRAFT:
                        continue
                    report = campaign_report(user=office, campaign=lower, statuses=accepted)
                    day = lower.parent.return_deadline - dt.timedelta(days=rng.randint(0, 3))
                    returns.append(
                        Return(
                            campaign=lower.parent,
                            org_unit=lower.owner_unit,
                            status=status,
                            summary=f"{lower.owner_unit.name}{lower.title}工作小结。",
                            figures=figures_from_rows(
                                report.county_rows, counted=report.counted_units, expected=report.expected_units
                            ),
                            submitted_at=at(day, 17),
                            submitted_by=office,
                            reviewed_at=at(day + dt.timedelta(days=1)) if status == ReturnStatus.ACCEPTED else None,
                        )
                    )
                bulk(Return, returns, self.batch_size)

    def _cascade_tasks(self) -> None:
        """Work points that cascade down (任务分解): the province's plan gives each city a task;
        each city breaks it down into a task of its own plan per county; each county breaks that
        down into a task of its own plan led by one of its townships, in mixed states, so that the
        upper task boards have roll-ups to compute (province → city → county)."""
        if self.plan.tasks_per_county == 0:
            return
        rng = random.Random(f"{self.seed}-cascade")  # noqa: S311 — reproducible test data
        office_of = {
            u.org_unit_id: u
            for u in User.objects.filter(
                org_unit__kind__in=[OrgUnitKind.PROVINCE, OrgUnitKind.CITY, OrgUnitKind.COUNTY], role=Role.OFFICE
            ).order_by("pk")
        }

        def plan_of(unit: OrgUnit, title: str) -> WorkPlan:
            (plan,) = bulk(
                WorkPlan,
                [
                    WorkPlan(
                        year=PLAN_YEAR,
                        title=title,
                        issuing_unit=unit.name,
                        issue_date=dt.date(PLAN_YEAR, 2, 10),
                        default_deadline=dt.date(PLAN_YEAR, 12, 31),
                        owner_unit=unit,
                        created_by=office_of[unit.pk],
                    )
                ],
                self.batch_size,
            )
            return plan

        def give(
            plan: WorkPlan, units: Sequence[OrgUnit], title: Callable[[OrgUnit], str], **more: object
        ) -> list[Task]:
            """One task of ``plan`` per unit, led by it."""
            return bulk(
                Task,
                (
                    Task(plan=plan, number=f"（{chinese_number(n)}）", order=n, title=title(u), lead_unit=u, **more)
                    for n, u in enumerate(units, start=1)
                ),
                self.batch_size,
            )

        top = plan_of(self.province, f"{PLAN_YEAR}年{self.province.name}双拥工作要点")
        province_tasks = give(
            top,
            self.cities,
            lambda city: f"{rng.choice(TASK_TITLES)}（{city.name}）",
            deadline=dt.date(PLAN_YEAR, 12, 31),
        )
        counties = list(OrgUnit.objects.filter(parent__in=self.cities, kind=OrgUnitKind.COUNTY).order_by("path"))
        county_plans = {p.owner_unit_id: p for p in WorkPlan.objects.filter(owner_unit__in=counties).order_by("pk")}
        townships: dict[int, list[int]] = defaultdict(list)
        for pk, parent in OrgUnit.objects.filter(parent__in=counties, kind=OrgUnitKind.TOWNSHIP).values_list(
            "pk", "parent_id"
        ):
            townships[parent].append(pk)
        for province_task, city in zip(province_tasks, self.cities, strict=True):
            city_plan = plan_of(city, f"{PLAN_YEAR}年{city.name}双拥工作要点")
            own = [c for c in counties if c.parent_id == city.pk]
            city_tasks = give(
                city_plan,
                own,
                partial(lambda parent, county: f"{parent.title}·{county.name}", province_task),
                deadline=dt.date(PLAN_YEAR, 11, 30),
                parent_task=province_task,
            )
            county_tasks = []
            for city_task, county in zip(city_tasks, own, strict=True):
                status = rng.choices(TaskStatus.values[:3], weights=[1, 2, 3])[0]
                deadline = dt.date(PLAN_YEAR, rng.randint(6, 11), rng.randint(1, 28))
                county_tasks.append(
                    Task(
                        plan=county_plans[county.pk],
                        number="（分解）",
                        order=10_000 + city_task.pk,
                        title=f"落实{city_task.title}",
                        lead_unit_id=rng.choice(townships[county.pk]),
                        deadline=deadline,
                        status=status,
                        completed_at=at(deadline) if status == TaskStatus.DONE else None,
                        parent_task=city_task,
                    )
                )
            bulk(Task, county_tasks, self.batch_size)

    # visits ------------------------------------------------------------------------------------

    def _create_beneficiaries(
        self, rng: random.Random, county_index: int, units: list[OrgUnit]
    ) -> dict[int, list[int]]:
        """The ledger; returns the beneficiary ids of each township (villages count for theirs)."""
        n = self.plan.beneficiaries_per_county
        region = f"5002{county_index % 100:02d}"
        objs = []
        for i in range(n):
            unit = units[rng.randrange(len(units))]
            serial = county_index * n + i  # unique over the province: birth day × sequence
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=serial % 27_000)
            objs.append(
                Beneficiary(
                    name=person_name(rng),
                    category=rng.choice(self.categories),
                    id_number=make_id_number(region=region, birth=birth, sequence=serial // 27_000),
                    phone=f"13{rng.randrange(10**9):09d}",
                    address=f"{unit.name}{rng.randrange(1, 300)}号",
                    org_unit=unit,
                )
            )
        created = bulk(Beneficiary, objs, self.batch_size)
        township_of: dict[int, int] = {
            u.pk: (u.parent.pk if u.parent and u.kind == OrgUnitKind.VILLAGE else u.pk) for u in units
        }
        by_township: dict[int, list[int]] = {}
        for b in created:
            by_township.setdefault(township_of[b.org_unit_id], []).append(b.pk)
        return by_township

    def _create_campaigns(
        self,
        rng: random.Random,
        county: OrgUnit,
        townships: list[OrgUnit],
        members: list[OrgUnit],
        troops: list[OrgUnit],
        users: dict[int | str, User],
        beneficiaries: dict[int, list[int]],
    ) -> None:
        reporting = townships + members
        campaigns = bulk(
            Campaign,
            (
                Campaign(
                    year=year,
                    kind=kind,
                    title=f"{year}年{CampaignKind(kind).label}走访慰问",
                    visit_start=campaign_window(year, kind)[0],
                    visit_end=campaign_window(year, kind)[1],
                    return_deadline=campaign_window(year, kind)[2],
                    owner_unit=county,
                )
                for year, kind in CAMPAIGNS
            ),
            self.batch_size,
        )
        Through = Campaign.expected_units.through
        bulk(Through, (Through(campaign=c, orgunit=u) for c in campaigns for u in reporting), self.batch_size)
        leaders = {u.pk: [person_name(rng) + "同志" for _ in range(2)] for u in reporting}
        for c_index, campaign in enumerate(campaigns):
            is_open = c_index == len(campaigns) - 1
            counts = [0] * len(reporting)
            picks = [rng.randrange(len(reporting)) for _ in range(self.plan.visits_per_campaign_per_county)]
            for k in picks:
                counts[k] += 1
            returns = bulk(
                Return,
                (
                    self._return(rng, campaign, unit, users[unit.pk], is_open, counts[k] == 0)
                    for k, unit in enumerate(reporting)
                ),
                self.batch_size,
            )
            records = bulk(
                VisitRecord,
                (self._visit_record(rng, campaign, returns[k], troops, users, beneficiaries, leaders) for k in picks),
                self.batch_size,
            )
            bulk(
                VisitDifficulty,
                (
                    VisitDifficulty(record=r, kind=rng.choice(DifficultyKind.values), count=rng.randint(1, 3))
                    for r in records
                    if rng.random() < 0.1
                ),
                self.batch_size,
            )

    def _return(
        self, rng: random.Random, campaign: Campaign, unit: OrgUnit, user: User, is_open: bool, empty: bool
    ) -> Return:
        if is_open:
            status = rng.choices(
                [ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, ReturnStatus.ACCEPTED],
                weights=[3, 4, 1, 2],
            )[0]
        else:
            status = ReturnStatus.ACCEPTED
        submitted = status != ReturnStatus.DRAFT
        # One return in twenty arrives after the deadline.
        day = campaign.return_deadline + dt.timedelta(
            days=rng.randint(1, 4) if rng.random() < 0.05 else -rng.randint(0, 5)
        )
        return Return(
            campaign=campaign,
            org_unit=unit,
            status=status,
            no_visits=empty and submitted,
            summary=f"{unit.name}{campaign.title}工作小结。" if submitted else "",
            submitted_at=at(day, 16) if submitted else None,
            submitted_by=user if submitted else None,
            return_reason="请补充慰问品发放人数。" if status == ReturnStatus.RETURNED else "",
            reviewed_at=at(day + dt.timedelta(days=2)) if status == ReturnStatus.ACCEPTED else None,
        )

    def _visit_record(
        self,
        rng: random.Random,
        campaign: Campaign,
        unit_return: Return,
        troops: list[OrgUnit],
        users: dict[int | str, User],
        beneficiaries: dict[int, list[int]],
        leaders: dict[int, list[str]],
    ) -> VisitRecord:
        row = rng.choices([r for r, _ in ROW_WEIGHTS], weights=[w for _, w in ROW_WEIGHTS])[0]
        unit_id = unit_return.org_unit_id
        people = rng.randint(1, 12) if row != TableRow.TROOPS else rng.randint(10, 80)
        money_recipients = rng.randint(0, people)
        goods_recipients = rng.randint(0, people)
        ledger = beneficiaries.get(unit_id, [])
        days = (campaign.visit_end - campaign.visit_start).days
        return VisitRecord(
            campaign=campaign,
            org_unit_id=unit_id,
            unit_return=unit_return,
            visit_date=campaign.visit_start + dt.timedelta(days=rng.randint(0, days)),
            table_row=row,
            beneficiary_id=rng.choice(ledger) if ledger and row in (TableRow.ENTITLED, TableRow.HARDSHIP) else None,
            troop_unit=rng.choice(troops) if troops and row == TableRow.TROOPS else None,
            lead_leader=rng.choice(leaders[unit_id]),
            people_visited=people,
            money_amount=Decimal(money_recipients * rng.choice((200, 300, 500, 800))),
            money_recipients=money_recipients,
            goods_spending=Decimal(goods_recipients * rng.choice((100, 150, 260)))
            + Decimal("0.50") * rng.randint(0, 1),
            goods_count=goods_recipients * rng.randint(1, 3),
            goods_recipients=goods_recipients,
            way=rng.choice(ContactWay.values),
            created_by=users[unit_id],
        )

    # tasks and the 双清单 -------------------------------------------------------------------------

    def _create_tasks(
        self,
        rng: random.Random,
        county: OrgUnit,
        townships: list[OrgUnit],
        members: list[OrgUnit],
        users: dict[int | str, User],
    ) -> None:
        if self.plan.tasks_per_county == 0:
            return
        (plan,) = bulk(
            WorkPlan,
            [
                WorkPlan(
                    year=PLAN_YEAR,
                    title=f"关于印发《{PLAN_YEAR}年{county.name}双拥工作要点》的通知",
                    doc_number=f"拥办发〔{PLAN_YEAR - 1}〕{rng.randint(1, 20)}号",
                    issuing_unit=county.name,
                    issue_date=dt.date(PLAN_YEAR, 2, 20),
                    recipients="各乡镇人民政府、街道办事处，区双拥工作领导小组各成员单位",
                    default_deadline=dt.date(PLAN_YEAR, 12, 31),
                    owner_unit=county,
                    created_by=users["office"],
                )
            ],
            self.batch_size,
        )
        sections = bulk(
            Section,
            (
                Section(plan=plan, number=chinese_number(s), heading=f"第{chinese_number(s)}部分重点工作", order=s)
                for s in range(1, 5)
            ),
            self.batch_size,
        )
        units = members + townships
        tasks = []
        for n in range(1, self.plan.tasks_per_county + 1):
            deadline = dt.date(PLAN_YEAR, rng.randint(3, 12), rng.randint(1, 28))
            status = rng.choices(TaskStatus.values[:3], weights=[2, 5, 3])[0]
            tasks.append(
                Task(
                    plan=plan,
                    section=sections[(n - 1) * len(sections) // self.plan.tasks_per_county],
                    number=f"（{chinese_number(n)}）",
                    order=n,
                    title=rng.choice(TASK_TITLES),
                    text=f"{rng.choice(TASK_TITLES)}，确保取得实效。",
                    lead_unit=rng.choice(units),
                    deadline=deadline,
                    status=status,
                    completed_at=at(deadline - dt.timedelta(days=rng.randint(0, 30)))
                    if status == TaskStatus.DONE
                    else None,
                )
            )
        tasks = bulk(Task, tasks, self.batch_size)
        Through = Task.cooperating_units.through
        links = []
        for task in tasks:
            for unit in rng.sample(units, k=min(len(units), rng.randint(0, 3))):
                if unit.pk != task.lead_unit_id:
                    links.append(Through(task=task, orgunit=unit))
        bulk(Through, links, self.batch_size)

    def _create_dual_list(
        self,
        rng: random.Random,
        townships: list[OrgUnit],
        members: list[OrgUnit],
        troops: list[OrgUnit],
        users: dict[int | str, User],
    ) -> None:
        if not troops:
            return
        office = users["office"]
        units = members + townships
        items = []
        for _ in range(self.plan.dual_list_items_per_county):
            direction = rng.choice(DualListDirection.values)
            state = rng.choices(DualListState.values, weights=[1, 2, 3, 1, 3])[0]
            troop = rng.choice(troops)
            deadline = dt.date(PLAN_YEAR, rng.randint(3, 12), rng.randint(1, 28))
            requested = state in (DualListState.CLOSE_REQUESTED, DualListState.CLOSED)
            close_requested = at(deadline - dt.timedelta(days=5)) if requested else None
            closed_at = at(deadline - dt.timedelta(days=3)) if state == DualListState.CLOSED else None
            # 销号 needs both sides: the receiving side (the troop, or the office for the locality).
            receiver = users[troop.pk] if direction == DualListDirection.TO_TROOPS else office
            items.append(
                DualListItem(
                    year=PLAN_YEAR,
                    direction=direction,
                    content=rng.choice(DUAL_LIST_CONTENT[DualListDirection(direction)]),
                    category=rng.choice(self.dual_list_categories) if self.dual_list_categories else None,
                    proposing_side=ProposingSide.TROOPS
                    if direction == DualListDirection.TO_TROOPS
                    else ProposingSide.LOCALITY,
                    responsible_unit=None if state == DualListState.PROPOSED else rng.choice(units),
                    troop_unit=troop,
                    deadline=deadline,
                    state=state,
                    close_requested_at=close_requested,
                    completion_note="已按要求办结。" if requested else "",
                    receiver_confirmed_by=receiver if closed_at else None,
                    receiver_confirmed_at=closed_at,
                    office_confirmed_by=office if closed_at else None,
                    office_confirmed_at=closed_at,
                    closed_at=closed_at,
                    created_by=office,
                )
            )
        bulk(DualListItem, items, self.batch_size)


GENERATED_MODELS: list[type[models.Model]] = [
    OrgUnit,
    User,
    Beneficiary,
    Campaign,
    Campaign.expected_units.through,
    Return,
    VisitRecord,
    VisitDifficulty,
    WorkPlan,
    Section,
    Task,
    Task.cooperating_units.through,
    DualListItem,
]
