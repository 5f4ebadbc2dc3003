"""The city's view of a resubmitted county table says what changed in its figures (docs/levels.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.levels import IN_WINDOW, accepted_return, build_city, record
from visits.services import return_send_back, upward_return_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(IN_WINDOW, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def test_the_history_of_a_resubmitted_county_table_shows_its_figures(cq, client_for):
    own = cq.own(cq.yc)
    accepted_return(own, cq.yc_a, cq.yc_office, [record(people=37)])
    ret = upward_return_submit(user=cq.yc_office, campaign=own, summary="小结", leaders={})
    return_send_back(user=cq.city_office, ret=ret, reason="中山路街道未计入")
    accepted_return(own, cq.yc_b, cq.yc_office, [record(people=5)])
    upward_return_submit(user=cq.yc_office, campaign=own, summary="小结", leaders={"entitled": "王区长"})
    page = client_for(cq.city_office).get(reverse("visits:unit_return", args=[cq.campaign.pk, cq.yc.pk]))
    assert page.status_code == 200
    changes = {c.label: (c.old, c.new) for entry in page.context["history"] for c in entry.changes}
    assert changes["重点优抚对象·走访慰问人数（人）"] == ("37", "42")
    assert changes["重点优抚对象·本级带队领导"] == ("—", "王区长")
    assert changes["计入单位数"] == ("1", "2")
    html = page.content.decode()
    assert "重点优抚对象·走访慰问人数（人）" in html
