"""Form errors are linked to their field and announced; messages sit in a live region; every page
has the skip link. Rendered once, in the shared templates (_form_fields, _field_errors, _messages)."""

from __future__ import annotations

import lxml.html
import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from shuangyong.forms import BootstrapFormMixin
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import CampaignFactory
from tests.visits.test_record_form import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(county, township_a_unit, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit])


class _Form(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="名称", help_text="单位全称")
    count = forms.IntegerField(label="人数", min_value=0)
    agree = forms.BooleanField(label="确认", required=False)


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<div>{html}</div>")


def test_an_error_is_linked_to_its_field_and_the_form_says_how_many():
    form = _Form(data={"name": "", "count": "-1"})
    assert not form.is_valid()
    doc = _doc(render_to_string("shuangyong/_form_fields.html", {"form": form}))
    for name in ["name", "count"]:
        field = doc.get_element_by_id(f"id_{name}")
        assert field.get("aria-invalid") == "true"
        described = field.get("aria-describedby").split()
        assert f"id_{name}_error" in described
        error = doc.get_element_by_id(f"id_{name}_error")
        assert error.text_content().strip() == form.errors[name][0]
    # The help text is linked too, and the unchanged field is not marked.
    assert "id_name_helptext" in doc.get_element_by_id("id_name").get("aria-describedby").split()
    assert doc.get_element_by_id("id_name_helptext").text_content() == "单位全称"
    assert doc.get_element_by_id("id_agree").get("aria-invalid") is None
    summary = doc.xpath("//*[@role='alert']")
    assert [s.text_content().strip() for s in summary] == ["请更正下面标出的 2 处错误。"]


def test_a_valid_form_has_no_error_summary_and_no_invalid_mark():
    doc = _doc(render_to_string("shuangyong/_form_fields.html", {"form": _Form()}))
    assert not doc.xpath("//*[@role='alert']") and not doc.xpath("//*[@aria-invalid]")
    # 必填 is said, not only shown as a red star.
    assert "（必填）" in doc.xpath("//label[@for='id_name']")[0].text_content()


def test_record_form_errors_are_linked_in_the_difficulty_rows_too(client_for, township_a, campaign):
    url = reverse("visits:record_create", args=[campaign.pk, township_a.org_unit.pk])
    response = client_for(township_a).post(url, {**VALID, "money_recipients": "4", "d-0-count": "-1"})
    doc = lxml.html.fromstring(response.content.decode())
    for field_id in ["id_money_recipients", "id_d-0-count"]:
        field = doc.get_element_by_id(field_id)
        assert field.get("aria-invalid") == "true"
        error_id = f"{field_id}_error"
        assert error_id in field.get("aria-describedby").split()
        assert doc.get_element_by_id(error_id).text_content().strip()
    # Every input of the difficulty rows has a label (screen readers read it with the error).
    for field_id in ["id_d-0-kind", "id_d-0-count", "id_d-0-note"]:
        assert doc.xpath(f"//label[@for='{field_id}']"), field_id


def test_messages_are_in_a_live_region(client_for, township_a, campaign):
    client = client_for(township_a)
    url = reverse("visits:record_create", args=[campaign.pk, township_a.org_unit.pk])
    response = client.post(url, {**VALID, "add_another": "1"}, follow=True)
    doc = lxml.html.fromstring(response.content.decode())
    status = doc.xpath("//*[@id='sy-messages']/*[@role='status']")
    assert ["走访记录已保存" in s.text_content() for s in status] == [True]
    announce = doc.get_element_by_id("sy-announce")
    assert announce.get("role") == "status" and announce.get("aria-live") == "polite"


def test_every_page_starts_with_a_skip_link_to_the_main_content(client_for, township_a):
    doc = lxml.html.fromstring(client_for(township_a).get(reverse("home")).content.decode())
    first = doc.body[0]
    assert first.tag == "a" and first.get("href") == "#main" and first.text_content() == "跳到正文"
    assert doc.get_element_by_id("main").tag == "main"
