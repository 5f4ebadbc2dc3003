"""Entering visit records in the browser: every rule at its field, in Chinese; scope; locking."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory
from visits.models import ReturnStatus, VisitRecord

pytestmark = pytest.mark.django_db

VALID = {
    "visit_date": "2027-02-01",
    "table_row": "entitled",
    "way": "home_visit",
    "lead_leader": "张镇长",
    "people_visited": "3",
    "money_amount": "1000.50",
    "money_recipients": "3",
    "goods_spending": "200",
    "goods_count": "6",
    "goods_recipients": "3",
    "notes": "",
    "d-TOTAL_FORMS": "2",
    "d-INITIAL_FORMS": "0",
    "d-0-kind": "schooling",
    "d-0-count": "1",
    "d-0-note": "孙子入学",
    "d-1-kind": "",
    "d-1-count": "",
    "d-1-note": "",
}


def _url(campaign, unit):
    return reverse("visits:record_create", args=[campaign.pk, unit.pk])


def _field_errors(response):
    form = response.context["form"]
    return {name: errors[0] for name, errors in form.errors.items()}


def test_valid_record_is_saved_with_difficulties(frozen, client_for, township_a, campaign, village_a1):
    person = BeneficiaryFactory(org_unit=village_a1)
    response = client_for(township_a).post(_url(campaign, township_a.org_unit), {**VALID, "beneficiary": person.pk})
    assert response.status_code == 302
    record = VisitRecord.objects.get()
    assert record.money_amount == Decimal("1000.50") and record.beneficiary == person
    assert record.unit_return.status == ReturnStatus.DRAFT and record.created_by == township_a
    assert [(d.kind, d.count, d.note) for d in record.difficulties.all()] == [("schooling", 1, "孙子入学")]
    assert record.history.get().history_user == township_a
    page = client_for(township_a).get(reverse("visits:record_detail", args=[record.pk])).content.decode()
    assert 'data-testid="history"' in page and "李强" in page and "子女入学 1 件" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"people_visited": "-1"}, "people_visited", "不能为负数"),
        ({"goods_count": "-2"}, "goods_count", "不能为负数"),
        ({"people_visited": "99999999999"}, "people_visited", "走访慰问人数过大"),
        ({"money_amount": "-5"}, "money_amount", "金额不能为负数"),
        ({"goods_spending": "-0.01"}, "goods_spending", "金额不能为负数"),
        ({"money_amount": "10.005"}, "money_amount", "最多保留两位小数"),
        ({"money_recipients": "4"}, "money_recipients", "不能多于走访慰问人数"),
        ({"goods_recipients": "9"}, "goods_recipients", "不能多于走访慰问人数"),
        ({"visit_date": "2027-01-21"}, "visit_date", "应在活动期间（2027-01-22 至 2027-02-20）内"),
        ({"visit_date": "2027-02-21"}, "visit_date", "应在活动期间"),
        ({"d-0-count": ""}, None, None),
    ],
)
def test_each_rule_is_reported_at_its_field(frozen, client_for, township_a, campaign, changes, field, message):
    response = client_for(township_a).post(_url(campaign, township_a.org_unit), {**VALID, **changes})
    assert response.status_code == 200
    assert not VisitRecord.objects.exists()
    if field:
        assert message in _field_errors(response)[field]
        html = response.content.decode()
        assert f'data-field="{field}"' in html and "is-invalid" in html
    else:
        assert "请填写解决件数" in response.content.decode()


def test_number_fields_open_the_numeric_keypad(frozen, client_for, township_a, campaign):
    html = client_for(township_a).get(_url(campaign, township_a.org_unit)).content.decode()
    assert 'name="people_visited"' in html and 'inputmode="numeric"' in html
    assert 'inputmode="decimal"' in html
    assert 'name="visit_date" value="2027-02-03"' in html  # today, inside the window


def test_the_person_is_chosen_in_a_search_box_not_a_select(frozen, client_for, township_a, campaign):
    html = client_for(township_a).get(_url(campaign, township_a.org_unit)).content.decode()
    search_url = reverse("visits:person_search", args=[township_a.org_unit.pk])
    assert f'data-person-search="{search_url}"' in html and 'data-testid="person-search"' in html
    assert 'type="hidden" name="beneficiary"' in html and '<select name="beneficiary"' not in html


def test_township_a_cannot_enter_view_or_edit_township_b(frozen, client_for, township_a, campaign, township_b_unit):
    client = client_for(township_a)
    assert client.post(_url(campaign, township_b_unit), VALID).status_code == 404
    record = VisitRecordFactory(campaign=campaign, org_unit=township_b_unit)
    for name in ("record_detail", "record_edit"):
        assert client.get(reverse(f"visits:{name}", args=[record.pk])).status_code == 404
    assert client.post(reverse("visits:record_delete", args=[record.pk])).status_code == 404
    assert client.get(reverse("visits:unit_return", args=[campaign.pk, township_b_unit.pk])).status_code == 404
    export = client.get(reverse("visits:campaign_records_export", args=[campaign.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1  # header only: B's record is not exported to A
    assert VisitRecord.objects.filter(org_unit=township_b_unit).count() == 1


def test_leader_reads_but_cannot_enter(frozen, client_for, leader, campaign, township_a_unit):
    client = client_for(leader)
    assert client.get(reverse("visits:unit_return", args=[campaign.pk, township_a_unit.pk])).status_code == 200
    assert client.post(_url(campaign, township_a_unit), VALID).status_code == 403
    page = client.get(reverse("visits:unit_return", args=[campaign.pk, township_a_unit.pk])).content.decode()
    assert "添加走访记录" not in page


def test_edit_with_a_stale_version_is_refused(frozen, client_for, township_a, campaign):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    url = reverse("visits:record_edit", args=[record.pk])
    client = client_for(township_a)
    assert client.post(url, {**VALID, "version": "1", "people_visited": "5"}).status_code == 302
    stale = client.post(url, {**VALID, "version": "1", "people_visited": "7"})
    assert stale.status_code == 200
    assert "该记录已被他人修改，请刷新后重试" in stale.content.decode()
    record.refresh_from_db()
    assert record.people_visited == 5


def test_member_unit_enters_its_own_records(frozen, client_for, member_liaison, campaign):
    response = client_for(member_liaison).post(_url(campaign, member_liaison.org_unit), VALID)
    assert response.status_code == 302
    assert VisitRecord.objects.get().org_unit == member_liaison.org_unit


def test_return_page_costs_a_fixed_number_of_queries(
    frozen, client_for, township_a, campaign, django_assert_max_num_queries
):
    for i in range(15):
        VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit, visit_date=dt.date(2027, 2, 1 + i % 9))
    client = client_for(township_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit.pk])).status_code == 200
