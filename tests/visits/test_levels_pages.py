"""Completeness and timeliness per level with drill-down (issue 15 point 3), and the duplicate
check across counties that names no one above the county (point 5)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangyong.models import OrgUnitKind
from tests.factories import OrgUnitFactory
from tests.levels import SHANGHAI, accepted_return, build_city, record, submitted_return
from visits.models import Beneficiary, BeneficiaryCategory, Return, ReturnStatus
from visits.services import campaign_update, return_accept, upward_return_submit
from visits.validators import make_id_number

pytestmark = pytest.mark.django_db

ON_TIME = dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI)
LATE = dt.datetime(2027, 2, 27, 10, 0, tzinfo=SHANGHAI)
AFTER = dt.datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def cq(time_machine, county, township_a_unit, township_b_unit, member_unit, office_user):
    time_machine.move_to(ON_TIME, tick=False)
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()
    return city


def _page(client, campaign):
    response = client.get(reverse("visits:campaign_completeness", args=[campaign.pk]))
    assert response.status_code == 200
    return response


def test_completeness_on_time_late_missing_with_drill_down(cq, time_machine, township_a_unit, client_for):
    tl = cq.own(cq.tl)
    accepted_return(tl, township_a_unit, cq.tl_office, [record()])  # on time
    upward = upward_return_submit(user=cq.tl_office, campaign=tl, summary="小结", leaders={})  # on time
    time_machine.move_to(LATE, tick=False)
    accepted_return(cq.own(cq.yc), cq.yc_a, cq.yc_office, [record()])  # late
    time_machine.move_to(AFTER, tick=False)
    client = client_for(cq.city_office)
    page = _page(client, cq.campaign)
    lines = {line.unit.name: line for line in page.context["completeness"].lines}
    assert lines["铜梁区双拥办"].timeliness == "on_time"
    assert lines["永川区双拥办"].timeliness == "missing" and lines["永川区双拥办"].overdue
    assert lines["市教育委员会"].timeliness == "missing"
    below = lines["铜梁区双拥办"].below
    assert (below.expected, below.on_time, below.late, below.missing) == (3, 1, 0, 2)
    below = lines["永川区双拥办"].below
    assert (below.expected, below.on_time, below.late, below.missing) == (2, 0, 1, 1)
    html = page.content.decode()
    drill = reverse("visits:campaign_completeness", args=[tl.pk])
    assert drill in html
    # city → county → township
    county_page = _page(client, tl)
    townships = {line.unit.name: line.timeliness for line in county_page.context["completeness"].lines}
    assert townships == {"巴川街道": "on_time", "东城街道": "missing", "区教育委员会": "missing"}
    assert upward.status == ReturnStatus.SUBMITTED


def test_the_county_sees_its_own_line_of_the_city_campaign_only(cq, client_for):
    page = _page(client_for(cq.tl_office), cq.campaign)
    assert [line.unit.name for line in page.context["completeness"].lines] == ["铜梁区双拥办"]
    # and not the other county's campaign
    other = client_for(cq.tl_office).get(reverse("visits:campaign_completeness", args=[cq.own(cq.yc).pk]))
    assert other.status_code == 404


def test_completeness_costs_the_same_queries_whatever_the_number_of_counties(cq, client_for):
    client = client_for(cq.city_leader)
    _page(client, cq.campaign)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            _page(client, cq.campaign)
        return len(context)

    before = queries()
    for n in range(3):
        county = OrgUnitFactory(name=f"新增{n}区双拥办", code=f"cq-x{n}", kind=OrgUnitKind.COUNTY, parent=cq.city)
        OrgUnitFactory(name=f"新增{n}街道", code=f"cq-x{n}-t", kind=OrgUnitKind.TOWNSHIP, parent=county)
    campaign_update(
        user=cq.city_office,
        campaign=cq.campaign,
        expected_units=[*cq.campaign.expected_units.all(), *cq.city.children.filter(code__startswith="cq-x")],
    )
    assert queries() == before


def _person(unit, i: int) -> Beneficiary:
    return Beneficiary.objects.create(
        name=f"陈{i}兵",
        category=BeneficiaryCategory.objects.first(),
        id_number=make_id_number(region="500224", birth=dt.date(1950, 1, 1 + i), sequence=i),
        org_unit=unit,
    )


def test_duplicates_across_counties_count_people_and_name_no_one_at_city_level(cq, township_a_unit, client_for):
    tl, yc = cq.own(cq.tl), cq.own(cq.yc)
    people = [_person(township_a_unit, i) for i in range(3)]
    accepted_return(tl, township_a_unit, cq.tl_office, [record(money="500", beneficiary=p) for p in people])
    # Two of them moved to 永川 (a transfer moves the ledger entry) and were paid there as well.
    Beneficiary.objects.filter(pk__in=[people[0].pk, people[1].pk]).update(org_unit=cq.yc_a)
    for p in people[:2]:
        p.refresh_from_db()
    accepted_return(yc, cq.yc_a, cq.yc_office, [record(money="600", beneficiary=p) for p in people[:2]])

    html = client_for(cq.city_office).get(reverse("visits:campaign_duplicates", args=[cq.campaign.pk]))
    assert html.status_code == 200
    text = html.content.decode()
    assert "铜梁区双拥办 与 永川区双拥办：2 人" in text
    for p in people:
        assert p.name not in text
        assert p.id_number[-4:] not in text and p.masked_id_number not in text

    # Each county's office sees which of its own records are involved.
    own = client_for(cq.tl_office).get(reverse("visits:campaign_duplicates", args=[tl.pk]))
    items = own.context["own_elsewhere"]
    assert sorted(i.record.beneficiary_id for i in items) == sorted(p.pk for p in people[:2])
    assert all(i.other_units == ["永川区双拥办"] for i in items)
    yc_side = client_for(cq.yc_office).get(reverse("visits:campaign_duplicates", args=[yc.pk])).content.decode()
    assert "铜梁区双拥办" in yc_side and people[0].name in yc_side  # 永川's own ledger now

    # The city opening a county's campaign gets the counts, never the county's records (no unit,
    # date or amount of one person).
    for campaign in (tl, yc):
        city_side = client_for(cq.city_office).get(reverse("visits:campaign_duplicates", args=[campaign.pk]))
        assert city_side.status_code == 200 and city_side.context["own_elsewhere"] == []
        assert 'data-testid="duplicate-elsewhere"' not in city_side.content.decode()
        assert township_a_unit.name not in city_side.content.decode()


def test_duplicates_across_counties_cost_fixed_queries(cq, client_for, django_assert_max_num_queries):
    client = client_for(cq.city_office)
    client.get(reverse("visits:campaign_duplicates", args=[cq.campaign.pk]))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("visits:campaign_duplicates", args=[cq.campaign.pk])).status_code == 200


def test_the_upward_return_after_the_deadline_is_late_in_the_city_summary(cq, time_machine):
    tl = cq.own(cq.tl)
    time_machine.move_to(LATE, tick=False)
    upward = upward_return_submit(user=cq.tl_office, campaign=tl, summary="小结", leaders={})
    assert upward.is_late
    return_accept(user=cq.city_office, ret=upward)
    assert Return.objects.get(pk=upward.pk).status == ReturnStatus.ACCEPTED


def test_a_city_leader_reads_the_completeness_page_but_a_township_cannot(cq, client_for, township_a):
    assert (
        client_for(cq.city_leader).get(reverse("visits:campaign_completeness", args=[cq.campaign.pk])).status_code
        == 200
    )
    township_a.org_unit.refresh_from_db()
    response = client_for(township_a).get(reverse("visits:campaign_completeness", args=[cq.own(cq.tl).pk]))
    assert response.status_code == 403


def test_campaign_lists_show_the_nearest_campaign_of_each_chain(cq, client_for, township_a):
    from visits.selectors import campaigns_listed_for

    township_a.org_unit.refresh_from_db()
    tl = cq.own(cq.tl)
    assert list(campaigns_listed_for(township_a)) == [tl]  # not the city's one its county reports to
    assert set(campaigns_listed_for(cq.tl_office)) == {tl, cq.campaign}
    assert list(campaigns_listed_for(cq.city_office)) == [cq.campaign]  # the counties': via drill-down
    page = client_for(cq.city_office).get(reverse("visits:campaign_detail", args=[tl.pk]))
    assert page.status_code == 200  # the city reads the county's campaign


def test_the_work_queue_of_each_office(cq, township_a_unit, client_for):
    """The city reviews only the tables sent to it; the county is asked for its table to the city."""
    from visits.panels import waiting_groups

    tl = cq.own(cq.tl)
    submitted_return(tl, township_a_unit, cq.tl_office, [record()])
    city_groups = {g.testid: g for g in waiting_groups(cq.city_office)}
    assert city_groups["waiting-returns"].total == 0  # the township's return is the county's to review
    county_groups = {g.testid: g for g in waiting_groups(cq.tl_office)}
    assert county_groups["waiting-returns"].total == 1
    assert [r.label for r in county_groups["waiting-upward"].rows] == [
        "2027年春节走访慰问（报送重庆市双拥工作领导小组办公室）"
    ]
    upward_return_submit(user=cq.tl_office, campaign=tl, summary="小结", leaders={})
    assert "waiting-upward" not in {g.testid for g in waiting_groups(cq.tl_office)}
    assert {g.testid: g for g in waiting_groups(cq.city_office)}["waiting-returns"].total == 1


def _record_cell(html: str, unit_name: str) -> str:
    row = re.search(rf'<tr data-unit="{re.escape(unit_name)}">(.*?)</tr>', html, re.S)
    assert row is not None, unit_name
    cell = re.search(r'<td data-label="走访记录">(.*?)</td>', row.group(1), re.S)
    assert cell is not None
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_the_city_campaign_page_shows_no_record_count_for_counties(cq, client_for, township_a_unit):
    """A county sends its table up, not records: its line says so instead of "0"."""
    page = client_for(cq.city_office).get(reverse("visits:campaign_detail", args=[cq.campaign.pk]))
    assert _record_cell(page.content.decode(), cq.tl.name) == "—（汇总上报）"
    county_page = client_for(cq.tl_office).get(reverse("visits:campaign_detail", args=[cq.own(cq.tl).pk]))
    assert _record_cell(county_page.content.decode(), township_a_unit.name) == "0"


def test_only_the_office_running_a_campaign_edits_it_not_the_levels_above_or_below(cq, client_for):
    from django.core.exceptions import PermissionDenied

    from visits.services import campaign_update

    tl = cq.own(cq.tl)
    city_deadline = cq.campaign.return_deadline
    hostile = {
        "year": 2027,
        "kind": "spring",
        "title": "改过的活动",
        "visit_start": "2027-01-22",
        "visit_end": "2027-02-20",
        "return_deadline": "2027-03-31",
        "expected_units": [cq.city_member.pk],
    }
    # The county cannot move the city's deadline or drop the counties from the city's campaign.
    county = client_for(cq.tl_office)
    assert county.get(reverse("visits:campaign_edit", args=[cq.campaign.pk])).status_code == 403
    assert county.post(reverse("visits:campaign_edit", args=[cq.campaign.pk]), hostile).status_code == 403
    cq.campaign.refresh_from_db()
    assert cq.campaign.return_deadline == city_deadline and cq.campaign.title == "2027年春节走访慰问"
    assert set(cq.campaign.expected_units.all()) == {cq.tl, cq.yc, cq.city_member}
    # The city reads the county's campaign but does not rewrite it.
    city = client_for(cq.city_office)
    assert city.get(reverse("visits:campaign_edit", args=[tl.pk])).status_code == 403
    assert city.post(reverse("visits:campaign_edit", args=[tl.pk]), hostile).status_code == 403
    tl.refresh_from_db()
    assert tl.title != "改过的活动"
    with pytest.raises(PermissionDenied):
        campaign_update(user=cq.city_office, campaign=tl, expected_units=[cq.city_member], title="改过的活动")
    # Each office still edits its own: no edit link on the other level's campaign page.
    assert (
        reverse("visits:campaign_edit", args=[tl.pk])
        not in city.get(reverse("visits:campaign_detail", args=[tl.pk])).content.decode()
    )
    assert client_for(cq.city_office).get(reverse("visits:campaign_edit", args=[cq.campaign.pk])).status_code == 200
    assert client_for(cq.tl_office).get(reverse("visits:campaign_edit", args=[tl.pk])).status_code == 200
