"""An office keeps its own settings on its unit page: the troop name in its 八一 table titles is
the county's own (issue 15 point 1), set by its office, not by an office above or the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangyong.models import OrgUnit
from shuangyong.services import office_unit_update

pytestmark = pytest.mark.django_db


def test_the_county_office_sets_its_troop_name_on_its_unit_page(client, county, office_user):
    client.force_login(office_user)
    url = reverse("unit_contact_edit", args=[county.pk])
    page = client.get(url).content.decode()
    assert "驻地部队称谓" in page and "本单位信息和设置" in page
    response = client.post(
        url, {"contact_person": "王丽", "contact_phone": "023-45678901", "troop_name": " 驻铜部队 ", "version": 1}
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.troop_name == "驻铜部队" and county.contact_person == "王丽"
    assert county.history.first().troop_name == "驻铜部队"  # who and when: kept in the unit's history
    assert "驻铜部队" in client.get(reverse("unit_detail", args=[county.pk])).content.decode()


def test_an_office_above_edits_contacts_but_not_the_countys_settings(
    client, county, levels_city, levels_city_office, office_user
):
    OrgUnit.objects.filter(pk=county.pk).update(troop_name="驻铜部队")
    client.force_login(levels_city_office)
    url = reverse("unit_contact_edit", args=[county.pk])
    assert "驻地部队称谓" not in client.get(url).content.decode()
    county.refresh_from_db()
    data = {"contact_person": "张三", "contact_phone": "023-45678901", "troop_name": "改掉", "version": county.version}
    client.post(url, data)
    county.refresh_from_db()
    assert county.troop_name == "驻铜部队"  # the field is not the city's to post
    with pytest.raises(PermissionDenied):
        office_unit_update(user=levels_city_office, unit=county, contact_person="", contact_phone="", troop_name="改掉")
