"""Hostile values typed into the forms: refused at the field in Chinese with nothing saved, or —
where the text is legitimate (a note may contain "<" or "=") — saved, rendered escaped on every
page and neutralised in every spreadsheet the portal hands out."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tasks.models import DualListState
from tests.bad_inputs import corpus
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.models import Beneficiary, ReturnStatus, VisitRecord

pytestmark = pytest.mark.django_db

GOOD_RECORD = {
    "version": "",
    "visit_date": "2027-02-01",
    "table_row": "entitled",
    "way": "home_visit",
    "lead_leader": "王镇长",
    "people_visited": "3",
    "money_amount": "600",
    "money_recipients": "3",
    "goods_spending": "300",
    "goods_count": "3",
    "goods_recipients": "3",
    "notes": "",
    "d-TOTAL_FORMS": "0",
    "d-INITIAL_FORMS": "0",
}


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])


def field_errors(html: str, field: str) -> str:
    marker = f'data-field="{field}"'
    assert marker in html, f"no error at {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


def test_the_good_record_is_saved_so_the_refusals_below_are_about_the_hostile_values(client_for, township_a, campaign):
    url = reverse("visits:record_create", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id})
    assert client_for(township_a).post(url, GOOD_RECORD).status_code == 302
    assert VisitRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("people_visited", "-5", "不能为负数"),
        ("money_amount", "-100", "负数"),
        ("money_amount", "100000000000000000000", "过大"),
        ("goods_count", "99999999999", "过大"),
        ("visit_date", "1900-01-01", "走访日期应在活动期间"),
        ("visit_date", "2027-13-45", "有效的日期"),
        ("visit_date", "9999-12-31", "走访日期应在活动期间"),
        ("lead_leader", corpus.LONG_TEXT, "100"),
        ("table_row", corpus.SCRIPT, "选择一个有效的选项"),
    ],
    ids=[
        "negative-count",
        "negative-money",
        "huge-money",
        "huge-count",
        "date-1900",
        "date-invalid",
        "date-9999",
        "10000-characters",
        "script-as-choice",
    ],
)
def test_hostile_value_in_the_record_form_is_refused_at_its_field(
    client_for, township_a, campaign, field, value, message
):
    url = reverse("visits:record_create", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id})
    response = client_for(township_a).post(url, {**GOOD_RECORD, field: value})
    assert response.status_code == 200
    errors = field_errors(response.content.decode(), field)
    assert message in errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors), f"the error is not in Chinese: {errors}"
    assert VisitRecord.objects.count() == 0


def test_ten_thousand_characters_in_the_ledger_form_are_refused(client_for, township_a, township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit)
    response = client_for(township_a).post(
        reverse("visits:beneficiary_edit", kwargs={"pk": person.pk}),
        {
            "name": corpus.LONG_TEXT,
            "category": person.category_id,
            "id_number": person.id_number,
            "phone": corpus.LONG_TEXT,
            "address": corpus.LONG_TEXT,
            "org_unit": township_a_unit.pk,
            "version": person.version,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("name", "phone", "address"):
        assert "个字，请删减" in field_errors(html, field)
    person.refresh_from_db()
    assert person.name != corpus.LONG_TEXT


def test_script_in_text_fields_is_saved_as_text_and_rendered_escaped(
    client_for, township_a, office_user, campaign, township_a_unit
):
    client = client_for(township_a)
    url = reverse("visits:record_create", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id})
    assert (
        client.post(url, {**GOOD_RECORD, "lead_leader": corpus.SCRIPT[:100], "notes": corpus.SCRIPT}).status_code == 302
    )
    record = VisitRecord.objects.get()
    person = BeneficiaryFactory(org_unit=township_a_unit, name="<b>王</b>", address=corpus.SCRIPT, notes=corpus.SCRIPT)
    pages = [
        reverse("visits:record_detail", kwargs={"pk": record.pk}),
        reverse("visits:unit_return", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id}),
        reverse("visits:beneficiary_detail", kwargs={"pk": person.pk}),
        reverse("visits:beneficiary_list"),
    ]
    for url in pages:
        html = client_for(office_user).get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "<b>王</b>" not in html, url
    assert "&lt;script&gt;" in client_for(office_user).get(pages[0]).content.decode()


def _cells(response) -> list[Any]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    out = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                out.append(cell)
    return out


def _assert_neutralised(cells: list[Any]) -> None:
    """The payload is in the file exactly as typed (nothing dropped, no apostrophe added), as a
    text cell with the quote-prefix style, so no spreadsheet runs it (shuangyong.spreadsheets)."""
    texts = [c for c in cells if isinstance(c.value, str) and "cmd|" in c.value]
    assert texts, "the payload is not in the export at all"
    assert any(corpus.FORMULA in c.value for c in texts), [c.value for c in texts]
    for cell in texts:
        if cell.value.startswith(("=", "+", "-", "@")):
            assert cell.data_type == "s" and cell.quotePrefix, f"{cell.coordinate}: {cell.value}"
        assert not cell.value.startswith("'"), cell.value


@pytest.fixture
def formula_world(campaign, county, township_a, township_a_unit, troop_unit, office_user):
    record = VisitRecordFactory(
        campaign=campaign,
        org_unit=township_a_unit,
        created_by=township_a,
        lead_leader=corpus.FORMULA,
        notes=corpus.FORMULA,
    )
    record.unit_return.status = ReturnStatus.ACCEPTED
    record.unit_return.save()
    BeneficiaryFactory(org_unit=township_a_unit, name=corpus.FORMULA, address=corpus.FORMULA)
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    TaskFactory(plan=plan, section=None, title=corpus.FORMULA, text=corpus.FORMULA, lead_unit=township_a_unit)
    DualListItemFactory(
        year=2027,
        content=corpus.FORMULA,
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=DualListState.ASSIGNED,
        created_by=office_user,
    )
    return {"campaign": campaign, "unit": township_a_unit, "troop": troop_unit}


@pytest.mark.parametrize(
    "download",
    [
        "visits:campaign_records_export",
        "visits:beneficiary_export",
        "tasks:tasks_export",
        "tasks:dual_list_export",
        "tasks:reconciliation_export",
        "reports:unit_table",
        "reports:county_workbook",
    ],
)
def test_formula_payloads_are_neutralised_in_every_spreadsheet(client_for, office_user, formula_world, download):
    w = formula_world
    kwargs = {
        "visits:campaign_records_export": {"pk": w["campaign"].pk},
        "visits:beneficiary_export": {},
        "tasks:tasks_export": {},
        "tasks:dual_list_export": {},
        "tasks:reconciliation_export": {"troop_pk": w["troop"].pk, "year": 2027},
        "reports:unit_table": {"campaign_pk": w["campaign"].pk, "unit_pk": w["unit"].pk},
        "reports:county_workbook": {"pk": w["campaign"].pk, "basis": "accepted"},
    }[download]
    _assert_neutralised(_cells(client_for(office_user).get(reverse(download, kwargs=kwargs))))


def test_nothing_was_saved_by_a_refused_ledger_form(client_for, township_a, township_a_unit):
    before = Beneficiary.objects.count()
    response = client_for(township_a).post(
        reverse("visits:beneficiary_create"),
        {"name": corpus.SCRIPT, "id_number": "=cmd|' /C calc'!A0", "org_unit": township_a_unit.pk},
    )
    assert response.status_code == 200
    assert "身份证号" in field_errors(response.content.decode(), "id_number")
    assert Beneficiary.objects.count() == before


def test_script_in_task_and_dual_list_text_is_rendered_escaped(
    client_for, office_user, township_a, troop_liaison, county, township_a_unit, troop_unit
):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027, title=corpus.SCRIPT)
    task = TaskFactory(plan=plan, section=None, title=corpus.SCRIPT, text=corpus.SCRIPT, lead_unit=township_a_unit)
    item = DualListItemFactory(
        year=2027,
        content=corpus.SCRIPT,
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=DualListState.ASSIGNED,
        created_by=office_user,
    )
    pages = [
        reverse("tasks:task_board"),
        reverse("tasks:my_tasks"),
        reverse("tasks:plan_list"),
        reverse("tasks:plan_detail", kwargs={"pk": plan.pk}),
        reverse("tasks:task_detail", kwargs={"pk": task.pk}),
        reverse("tasks:dual_list"),
        reverse("tasks:dual_item_detail", kwargs={"pk": item.pk}),
        reverse("tasks:reconciliation", kwargs={"troop_pk": troop_unit.pk, "year": 2027}),
        reverse("home"),
    ]
    for user in (office_user, township_a, troop_liaison):
        client = client_for(user)
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                continue  # who may open what is the access matrix's business
            html = response.content.decode()
            assert "<script>alert" not in html, f"{url} as {user.username}"
            assert "<img src=x" not in html, f"{url} as {user.username}"
    assert "&lt;script&gt;" in client_for(office_user).get(pages[4]).content.decode()
