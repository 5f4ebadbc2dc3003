"""Imports may not cross townships: a person of another unit, or probing another township's numbers."""

import datetime as dt

import pytest

from tests.visits.factories import BeneficiaryFactory
from tests.visits.test_import import HEADER, confirm, errors_of, upload, visit_row, xlsx
from visits.models import VisitRecord

pytestmark = pytest.mark.django_db


def test_office_import_cannot_attach_another_townships_person(
    frozen, client_for, office_user, campaign, village_a1, township_b_unit
):
    own = BeneficiaryFactory(org_unit=village_a1)  # of 巴川街道 through its village
    foreign = BeneficiaryFactory(org_unit=township_b_unit)  # of 东城街道
    rows = [
        visit_row(联系对象身份证号=own.id_number),
        visit_row(联系对象身份证号=foreign.id_number),
        visit_row(unit="东城街道", 联系对象身份证号=foreign.id_number),
    ]
    client = client_for(office_user)
    preview = upload(client, "visits", xlsx(HEADER, rows), campaign=campaign)
    assert errors_of(preview) == [
        (3, "联系对象身份证号", "该联系对象不属于“巴川街道”，只能填写本单位（含下属村、社区）台账中的对象。")
    ]
    assert not VisitRecord.objects.exists()
    # Without the bad row the file imports, each person on their own unit's record.
    client = client_for(office_user)
    confirm(client, "visits", upload(client, "visits", xlsx(HEADER, [rows[0], rows[2]]), campaign=campaign))
    assert {(r.org_unit.name, r.beneficiary) for r in VisitRecord.objects.select_related("org_unit")} == {
        ("巴川街道", own),
        ("东城街道", foreign),
    }


def test_the_record_service_refuses_another_townships_person(
    frozen, office_user, campaign, village_a1, township_b_unit
):
    from django.core.exceptions import ValidationError

    from visits.services import visit_record_create, visit_record_update

    own = BeneficiaryFactory(org_unit=village_a1)
    foreign = BeneficiaryFactory(org_unit=township_b_unit)
    fields = {"visit_date": dt.date(2027, 2, 1), "table_row": "entitled", "people_visited": 1}
    unit = village_a1.parent
    with pytest.raises(ValidationError) as refused:
        visit_record_create(user=office_user, campaign=campaign, org_unit=unit, beneficiary=foreign, **fields)
    assert "不属于“巴川街道”" in refused.value.message_dict["beneficiary"][0]
    record = visit_record_create(user=office_user, campaign=campaign, org_unit=unit, beneficiary=own, **fields)
    with pytest.raises(ValidationError):
        visit_record_update(user=office_user, record=record, version=record.version, beneficiary=foreign)
    record.refresh_from_db()
    assert record.beneficiary == own
