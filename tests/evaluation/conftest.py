"""The evaluation binder's world: the county of tests/conftest.py with three member units, an
imported scoring table and a 届期 evaluation over 2023–2026, seen on 2026-11-30."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from evaluation import services
from evaluation.models import EvaluationKind, ItemAssessment, ScoringTable
from shuangyong.models import OrgUnitKind, Role
from tests.factories import OrgUnitFactory, UserFactory

TODAY = dt.date(2026, 11, 30)
CSV_HEADER = "序号,层级,上级序号,考评内容,分值,评分标准,所需材料,一票否决,加分项,关联数据\n"
GOOD_ROWS = (
    "一,考评项目,,组织领导坚强有力,6,,,,,\n"
    "1,考评内容,一,领导小组每年召开全体会议，成员单位有年度计划和总结,2,每缺一年扣0.5分,会议纪要,,,"
    "领导小组全体会议、成员单位年度总结\n"
    "2,考评内容,一,落实双清单制度，对账销号,2,,,,,双清单办结率\n"
    "2.1,细项,2,办结率达到90%,1,,,,,双清单办结率\n"
    "3,考评内容,一,经费列入预算并按时拨付,1,,,,,经费拨付凭证\n"
    "4,考评内容,一,发生严重损害军政军民关系事件,0,,,是,,\n"
    "5,考评内容,一,经验被省级以上推广,1,,,,是,\n"
)


def pdf(text: str) -> ContentFile:
    return ContentFile(f"%PDF-1.4\n% {text}\n%%EOF\n".encode(), name=f"{text}.pdf")


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield TODAY


@pytest.fixture
def members(county, member_unit):
    """区教育委员会 (member_unit, with a liaison in tests/conftest.py) and two more member units."""
    return [
        member_unit,
        OrgUnitFactory(name="区民政局", code="tl-mzj", kind=OrgUnitKind.MEMBER_UNIT, parent=county, sort_order=1),
        OrgUnitFactory(name="区财政局", code="tl-czj", kind=OrgUnitKind.MEMBER_UNIT, parent=county, sort_order=2),
    ]


@pytest.fixture
def table(office_user) -> ScoringTable:
    content = (CSV_HEADER + GOOD_ROWS).encode("utf-8")
    return services.scoring_table_import(user=office_user, name="考评标准", file_name="标准.csv", content=content)


@pytest.fixture
def evaluation(office_user, table, members):
    return services.evaluation_create(
        user=office_user, table=table, title="2023—2026年届期考评", kind=EvaluationKind.TERM,
        first_year=2023, last_year=2026,
    )  # fmt: skip


def assessment(evaluation, number: str) -> ItemAssessment:
    return ItemAssessment.objects.select_related("item").get(evaluation=evaluation, item__number=number)


@pytest.fixture
def city_office(county):
    """An office of a city above the county: it reads the county's binder and changes nothing."""
    city = OrgUnitFactory(name="重庆市双拥办", code="cq", kind=OrgUnitKind.CITY)
    county.parent = city
    county.save()
    return UserFactory(username="city_office", org_unit=city, role=Role.OFFICE)


def score(user, evaluation, number: str, value: str, reason: str = "") -> None:
    a = assessment(evaluation, number)
    services.assessment_update(user=user, assessment=a, version=a.version, self_score=Decimal(value), reason=reason)
