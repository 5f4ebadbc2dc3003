"""Exports of visit records: masked identity numbers, formulas neutralised, numbers stay numbers."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db


def test_record_export(client_for, office_user, campaign, village_a1, township_a_unit):
    person = BeneficiaryFactory(org_unit=village_a1, id_number="50022419800101118X")
    VisitRecordFactory(
        campaign=campaign,
        org_unit=township_a_unit,
        beneficiary=person,
        lead_leader='=HYPERLINK("http://x")',
        notes="@cmd",
        money_amount=Decimal("333.33"),
    )
    response = client_for(office_user).get(reverse("visits:campaign_records_export", args=[campaign.pk]))
    # Personal data: no browser or proxy keeps a copy of the file.
    assert response["Cache-Control"] == "private, no-store"
    ws = load_workbook(io.BytesIO(response.content)).active
    header, row = list(ws.iter_rows(max_row=2))
    cells = dict(zip([c.value for c in header], row, strict=True))
    values = {name: cell.value for name, cell in cells.items()}
    assert values["填报单位"] == "巴川街道" and values["慰问对象"] == "重点优抚对象"
    assert values["联系对象身份证号"] == "500224********118X"
    # Formula-like text: exactly as typed, a quote-prefixed string cell (no apostrophe shown).
    assert values["带队领导"] == '=HYPERLINK("http://x")' and values["备注"] == "@cmd"
    for name in ("带队领导", "备注"):
        assert cells[name].data_type == "s" and cells[name].quotePrefix
    assert Decimal(str(values["慰问金金额（元）"])) == Decimal("333.33")


def test_leaders_and_member_units_get_no_ledger_data_from_records(
    client_for, leader, office_user, campaign, village_a1, township_a_unit
):
    person = BeneficiaryFactory(name="王建国", org_unit=village_a1)
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=person)
    client = client_for(leader)
    response = client.get(reverse("visits:campaign_records_export", args=[campaign.pk]))
    header, row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True))["联系对象身份证号"] in (None, "")
    page = client.get(reverse("visits:record_detail", args=[record.pk])).content.decode()
    assert "王建国" not in page and "仅乡镇和双拥办可见" in page
    assert "王建国" in client_for(office_user).get(reverse("visits:record_detail", args=[record.pk])).content.decode()
