"""A visit record names a troop of the campaign's own county, never one of another county."""

import pytest

from shuangyong.models import OrgUnitKind
from tests.factories import OrgUnitFactory
from tests.visits.test_record_form import VALID, _field_errors, _url
from visits.models import VisitRecord

pytestmark = pytest.mark.django_db


def test_only_the_countys_troops_are_offered_and_accepted(frozen, client_for, township_a, campaign, troop_unit):
    other_county = OrgUnitFactory(name="别县双拥办", kind=OrgUnitKind.COUNTY)
    foreign = OrgUnitFactory(name="别县驻军", kind=OrgUnitKind.TROOP, parent=other_county)
    client = client_for(township_a)
    page = client.get(_url(campaign, township_a.org_unit)).content.decode()
    assert troop_unit.name in page and "别县驻军" not in page

    response = client.post(
        _url(campaign, township_a.org_unit), {**VALID, "table_row": "troops", "troop_unit": foreign.pk}
    )
    assert response.status_code == 200 and "troop_unit" in _field_errors(response)
    assert not VisitRecord.objects.exists()

    response = client.post(
        _url(campaign, township_a.org_unit), {**VALID, "table_row": "troops", "troop_unit": troop_unit.pk}
    )
    assert response.status_code == 302
    assert VisitRecord.objects.get().troop_unit == troop_unit
