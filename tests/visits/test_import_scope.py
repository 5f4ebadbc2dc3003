"""Imports may not cross townships: a person of another unit, or probing another township's numbers."""

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
