"""Data quality at entry: no empty record, no default 慰问对象, the date picker offers the campaign
window (and the server refuses other dates), 保存并继续添加 keeps the date and 带队领导, the list
names the person, and as many difficulty lines as needed."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from shuangyong.forms import EMPTY_CHOICE
from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory
from tests.visits.test_record_form import VALID
from visits.models import VisitRecord

pytestmark = pytest.mark.django_db


def _url(campaign, unit):
    return reverse("visits:record_create", args=[campaign.pk, unit.pk])


def _errors(response):
    return {name: errors[0] for name, errors in response.context["form"].errors.items()}


def test_a_record_with_nobody_and_nothing_is_refused(frozen, client_for, township_a, campaign):
    empty = {**VALID, "people_visited": "0", "money_amount": "0", "money_recipients": "0"}
    empty.update(goods_spending="0", goods_count="0", goods_recipients="0")
    response = client_for(township_a).post(_url(campaign, township_a.org_unit), empty)
    assert response.status_code == 200
    assert _errors(response)["people_visited"] == "走访慰问人数为 0，也没有慰问金和慰问品：请填写走访慰问人数。"
    assert VisitRecord.objects.count() == 0


def test_the_table_row_has_no_default(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    html = client.get(_url(campaign, township_a.org_unit)).content.decode()
    select = html.split('name="table_row"')[1].split("</select>")[0]
    assert '<option value="" selected>请选择慰问对象</option>' in select
    assert "selected" not in select.split("请选择慰问对象")[1]
    response = client.post(_url(campaign, township_a.org_unit), {**VALID, "table_row": ""})
    assert _errors(response)["table_row"] == "请选择慰问对象（统计表中的哪一行）。"
    assert VisitRecord.objects.count() == 0


def test_the_date_picker_offers_the_window_and_the_server_refuses_other_days(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    html = client.get(_url(campaign, township_a.org_unit)).content.decode()
    date_input = html.split('name="visit_date"')[1].split(">")[0]
    assert 'min="2027-01-22"' in date_input and 'max="2027-02-20"' in date_input
    response = client.post(_url(campaign, township_a.org_unit), {**VALID, "visit_date": "2027-02-21"})
    assert "走访日期应在活动期间" in _errors(response)["visit_date"]
    assert VisitRecord.objects.count() == 0


def test_save_and_add_another_keeps_the_date_and_the_leader(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    data = {**VALID, "visit_date": "2027-02-05", "lead_leader": "王副镇长", "add_another": "1"}
    response = client.post(_url(campaign, township_a.org_unit), data)
    assert response.status_code == 302
    assert parse_qs(urlparse(response.url).query) == {"visit_date": ["2027-02-05"], "lead_leader": ["王副镇长"]}
    html = client.get(response.url).content.decode()
    assert 'value="2027-02-05"' in html.split('name="visit_date"')[1].split(">")[0]
    assert 'value="王副镇长"' in html.split('name="lead_leader"')[1].split(">")[0]
    # The next record still needs its own 慰问对象 and figures.
    assert 'value="" selected>请选择慰问对象' in html


def test_the_record_list_names_the_person(frozen, client_for, township_a, campaign, village_a1):
    person = BeneficiaryFactory(org_unit=village_a1, name="周大爷")
    VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit, beneficiary=person)
    page = client_for(township_a).get(reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit_id]))
    assert 'data-testid="record-person">周大爷<' in page.content.decode()


def test_as_many_difficulty_lines_as_needed(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    url = _url(campaign, township_a.org_unit)
    html = client.get(url).content.decode()
    assert html.count('data-testid="difficulty-row"') == 2  # one line, and the template for more
    assert 'id="d-empty-form"' in html and "js/formset.js" in html and "<script>" not in html
    # Without JavaScript "再加一行" brings the form back as typed with one more line; nothing saved.
    typed = {**VALID, "lead_leader": "张镇长", "add_line": "1"}
    html = client.post(url, typed).content.decode()
    assert VisitRecord.objects.count() == 0
    assert html.count('data-testid="difficulty-row"') == 3  # the typed line, a new one, the template
    assert 'value="孙子入学"' in html and 'value="张镇长"' in html and "errorlist" not in html
    # Five lines are saved in one go.
    lines = {"d-TOTAL_FORMS": "5", "d-INITIAL_FORMS": "0"}
    for i, kind in enumerate(["schooling", "employment", "housing", "medical", "legal"]):
        lines.update({f"d-{i}-kind": kind, f"d-{i}-count": "1", f"d-{i}-note": ""})
    assert client.post(url, {**VALID, **lines}).status_code == 302
    assert VisitRecord.objects.get().difficulties.count() == 5


def test_no_dashes_as_an_empty_choice(frozen, client_for, township_a, campaign):
    html = client_for(township_a).get(_url(campaign, township_a.org_unit)).content.decode()
    assert "---------" not in html and f">{EMPTY_CHOICE}</option>" in html  # the troop select
