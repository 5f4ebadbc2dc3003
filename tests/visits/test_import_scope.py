"""What the visit-record and ledger imports tell about units and people outside the user's scope
(nothing), and identity numbers checked exactly as the ledger's form checks them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tests.bad_inputs import corpus
from tests.factories import OrgUnitFactory
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, valid_id_number
from visits.forms import BeneficiaryForm
from visits.models import Beneficiary, BeneficiaryCategory, VisitRecord
from visits.resources import BENEFICIARY_COLUMNS, VISIT_COLUMNS
from visits.validators import id_check_digit

pytestmark = pytest.mark.django_db

VISIT_HEADER = list(VISIT_COLUMNS.values())
LEDGER_HEADER = list(BENEFICIARY_COLUMNS.values())


def visit_row(**cells: object) -> list[object]:
    row = dict(
        zip(
            VISIT_HEADER,
            ["巴川街道", "2027-02-01", "重点优抚对象", "王镇长", 3, 600, 3, 300, 3, 3, "登门看望", "", "", ""],
            strict=True,
        )
    )
    row.update(cells)
    return [row[h] for h in VISIT_HEADER]


def ledger_row(**cells: object) -> list[object]:
    row = dict(zip(LEDGER_HEADER, ["王建国", "烈属", valid_id_number(), "", "", "玉泉社区", ""], strict=True))
    row.update(cells)
    return [row[h] for h in LEDGER_HEADER]


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])


@pytest.fixture
def other_county(db):
    """Another county in the same portal, with a troop and a township named like ours."""
    county = OrgUnitFactory(name="大足区双拥办", code="dz", kind=OrgUnitKind.COUNTY)
    OrgUnitFactory(name="驻足某部", code="dz-bd", kind=OrgUnitKind.TROOP, parent=county)
    OrgUnitFactory(name="巴川街道", code="dz-bc", kind=OrgUnitKind.TOWNSHIP, parent=county)
    OrgUnitFactory(name="玉泉社区", code="dz-bc-1", kind=OrgUnitKind.VILLAGE, parent=county)
    return county


def preview(
    client, kind: str, header: list[str], rows: list[list[object]], campaign=None
) -> list[tuple[int, str, str]]:
    data: dict[str, object] = {"file": SimpleUploadedFile("导入.xlsx", corpus.xlsx([header, *rows]))}
    if campaign is not None:
        data["campaign"] = campaign.pk
    response = client.post(reverse("visits:import_upload", args=[kind]), data)
    assert response.status_code == 200
    result = response.context["result"]
    return [(e.row, e.column, e.message) for e in result.errors]


def test_visit_import_refuses_a_troop_of_another_county_as_the_form_does(
    client_for, township_a, campaign, troop_unit, other_county
):
    rows = [visit_row(慰问部队="驻铜某部一营"), visit_row(慰问部队="驻足某部"), visit_row(慰问部队="没有这支部队")]
    errors = preview(client_for(township_a), "visits", VISIT_HEADER, rows, campaign)
    assert errors == [
        (3, "慰问部队", "部队“驻足某部”不存在或不是本活动所在县（区）的驻地部队。"),
        (4, "慰问部队", "部队“没有这支部队”不存在或不是本活动所在县（区）的驻地部队。"),
    ]
    assert not VisitRecord.objects.exists()


def test_visit_import_says_the_same_of_a_unit_out_of_scope_and_of_no_unit(client_for, township_a, campaign):
    rows = [visit_row(填报单位="东城街道"), visit_row(填报单位="没有这个街道")]
    assert preview(client_for(township_a), "visits", VISIT_HEADER, rows, campaign) == [
        (2, "填报单位", "单位“东城街道”不存在或不在您的管辖范围内。"),
        (3, "填报单位", "单位“没有这个街道”不存在或不在您的管辖范围内。"),
    ]


def test_a_namesake_in_another_county_neither_blocks_nor_shows(client_for, township_a, campaign, other_county):
    """Another county's 巴川街道 used to make the name "not unique": both telling and blocking."""
    assert preview(client_for(township_a), "visits", VISIT_HEADER, [visit_row()], campaign) == []


def test_ledger_import_says_the_same_of_a_unit_out_of_scope_and_of_no_unit(
    client_for, township_a, village_a1, township_b_unit, other_county
):
    rows = [ledger_row(所属单位="东城街道"), ledger_row(所属单位="没有这个社区"), ledger_row()]
    assert preview(client_for(township_a), "ledger", LEDGER_HEADER, rows) == [
        (2, "所属单位", "单位“东城街道”不存在或不在您的管辖范围内，只能导入本辖区的联系对象。"),
        (3, "所属单位", "单位“没有这个社区”不存在或不在您的管辖范围内，只能导入本辖区的联系对象。"),
    ]
    assert not Beneficiary.objects.exists()


FIRST17 = "50022419700101123"
BAD_NUMBERS = [
    FIRST17 + ("1" if id_check_digit(FIRST17) != "1" else "2"),  # check digit
    "50022419700230123X",  # 30 February
    "5002241970",  # too short
    "ABCDEFGHIJKLMNOPQR",
    "=cmd|' /C calc'!A0",
]


def form_error(user, unit, value: str) -> str:
    category = BeneficiaryCategory.objects.get(name="烈属")
    form = BeneficiaryForm(
        data={"name": "王建国", "category": category.pk, "id_number": value, "org_unit": unit.pk}, user=user
    )
    assert not form.is_valid()
    return form.errors["id_number"][0]


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_identity_numbers_in_both_imports_are_checked_as_the_form_checks_them(
    client_for, township_a, village_a1, campaign, value
):
    expected = form_error(township_a, village_a1, value)
    client = client_for(township_a)
    assert preview(client, "ledger", LEDGER_HEADER, [ledger_row(身份证号=value)]) == [(2, "身份证号", expected)]
    visits = preview(client, "visits", VISIT_HEADER, [visit_row(联系对象身份证号=value)], campaign)
    assert visits == [(2, "联系对象身份证号", expected)]


def test_a_visit_names_the_person_by_the_number_as_the_ledger_stores_it(client_for, township_a, village_a1, campaign):
    person = BeneficiaryFactory(org_unit=village_a1)
    typed = " " + person.id_number.lower() + " "
    assert preview(client_for(township_a), "visits", VISIT_HEADER, [visit_row(联系对象身份证号=typed)], campaign) == []
