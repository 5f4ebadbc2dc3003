"""Returns roll up without re-entry (issue 15 point 2, docs/levels.md).

A city's campaign links each county's own campaign; a county submits its table (computed from
its accepted township returns, never typed); the city accepts or sends it back; only the office
of the campaign's unit reviews its returns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.levels import IN_WINDOW, accepted_return, build_city, record, submitted_return
from tests.reports.conftest import make_campaign
from visits.forms import UpwardReturnForm
from visits.history import campaign_history
from visits.models import Campaign, Return, ReturnStatus, TableRow, VisitRecord
from visits.services import (
    campaign_update,
    return_accept,
    return_reopen,
    return_send_back,
    upward_return_submit,
)
from visits.table import rows_from_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return time_machine


@pytest.fixture
def cq(frozen, county, township_a_unit, township_b_unit, member_unit, office_user):
    city = build_city(county, office_user)
    for unit in (township_a_unit, township_b_unit, member_unit):
        unit.refresh_from_db()  # re-rooted under the city
    return city


def test_a_city_campaign_links_each_county_campaign_top_down(cq, township_a_unit, township_b_unit, member_unit):
    tl, yc = cq.own(cq.tl), cq.own(cq.yc)
    for own in (tl, yc):
        assert (own.year, own.kind, own.visit_start, own.visit_end) == (
            2027,
            "spring",
            cq.campaign.visit_start,
            cq.campaign.visit_end,
        )
        assert own.return_deadline == cq.campaign.return_deadline
    assert set(tl.expected_units.all()) == {township_a_unit, township_b_unit, member_unit}
    assert set(yc.expected_units.all()) == {cq.yc_a, cq.yc_b}
    # The city's own member unit enters records in the city's campaign; the counties do not.
    assert set(cq.campaign.expected_units.all()) == {cq.tl, cq.yc, cq.city_member}


def test_a_county_campaign_that_exists_is_linked_not_duplicated_and_its_deadline_pulled_in(
    frozen, county, township_a_unit, office_user
):
    existing = make_campaign(county, [township_a_unit])
    existing.return_deadline = dt.date(2027, 2, 28)
    existing.save()
    cq = build_city(county, office_user)
    existing.refresh_from_db()
    assert existing.parent == cq.campaign
    assert existing.return_deadline == dt.date(2027, 2, 25)
    assert Campaign.objects.filter(owner_unit=county, year=2027, kind="spring").count() == 1


def test_a_linked_deadline_is_no_later_than_the_parent(cq, client_for):
    own = cq.own(cq.tl)
    with pytest.raises(ValidationError) as error:
        campaign_update(
            user=cq.tl_office,
            campaign=own,
            expected_units=list(own.expected_units.all()),
            return_deadline=dt.date(2027, 2, 26),
        )
    assert (
        "报送截止日期不能晚于上级活动“2027年春节走访慰问”的截止日期（2027-02-25）。"
        in error.value.message_dict["return_deadline"]
    )
    # Earlier is the county's choice.
    campaign_update(
        user=cq.tl_office,
        campaign=own,
        expected_units=list(own.expected_units.all()),
        return_deadline=dt.date(2027, 2, 20),
    )
    # The city moving its deadline earlier pulls in a county's later one.
    campaign_update(
        user=cq.city_office,
        campaign=cq.campaign,
        expected_units=list(cq.campaign.expected_units.all()),
        return_deadline=dt.date(2027, 2, 18),
    )
    assert cq.own(cq.tl).return_deadline == dt.date(2027, 2, 18)
    assert cq.own(cq.yc).return_deadline == dt.date(2027, 2, 18)


def test_the_deadline_error_is_shown_at_the_field(cq, client_for):
    own = cq.own(cq.tl)
    data = {
        "year": 2027,
        "kind": "spring",
        "title": own.title,
        "visit_start": "2027-01-22",
        "visit_end": "2027-02-20",
        "return_deadline": "2027-03-01",
        "early_submission": "warn",
        "expected_units": [u.pk for u in own.expected_units.all()],
        "version": own.version,
    }
    response = client_for(cq.tl_office).post(reverse("visits:campaign_edit", args=[own.pk]), data)
    assert response.status_code == 200
    assert "不能晚于上级活动" in str(response.context["form"].errors["return_deadline"])


def _fill_tl(cq, township_a_unit, township_b_unit, member_unit):
    tl = cq.own(cq.tl)
    accepted_return(
        tl,
        township_a_unit,
        cq.tl_office,
        [
            record(people=3, money="1200.50", goods="300", lead_leader="张镇长"),
            record(TableRow.TROOPS, people=20, goods="5000.25", lead_leader="李书记"),
        ],
    )
    accepted_return(tl, member_unit, cq.tl_office, [record(TableRow.HARDSHIP, people=1, money="800")])
    # Submitted, not accepted: not in the county's table.
    submitted_return(tl, township_b_unit, cq.tl_office, [record(people=9, money="9999")])
    return tl


def test_the_county_submits_its_table_computed_from_accepted_returns(cq, township_a_unit, township_b_unit, member_unit):
    tl = _fill_tl(cq, township_a_unit, township_b_unit, member_unit)
    records_before = VisitRecord.objects.count()
    ret = upward_return_submit(
        user=cq.tl_office, campaign=tl, summary="全区走访慰问小结。", leaders={TableRow.ENTITLED: "王区长、赵副区长"}
    )
    assert (ret.campaign, ret.org_unit, ret.status) == (cq.campaign, cq.tl, ReturnStatus.SUBMITTED)
    rows = rows_from_figures(ret.figures)
    assert (rows[0].people_visited, rows[0].money_amount, rows[0].goods_spending) == (3, Decimal("1200.50"), 300)
    assert rows[0].leaders == ["王区长", "赵副区长"]  # the county's own, named
    assert rows[0].others_counted == 1 and not rows[0].other_leaders  # the township's 张镇长, counted
    assert (rows[1].people_visited, rows[1].money_amount) == (1, Decimal("800"))
    assert (rows[2].people_visited, rows[2].goods_spending) == (20, Decimal("5000.25"))
    assert ret.figures["counted"] == 2 and ret.figures["expected"] == 3
    # Nothing entered twice: no record was made, and the form has no figure to type.
    assert VisitRecord.objects.count() == records_before
    assert set(UpwardReturnForm().fields) == {"version", "summary", "confirmed"} | {
        f"leaders_{key}" for key in TableRow.values
    }


def test_sent_back_then_resubmitted_replaces_the_figures(cq, township_a_unit, township_b_unit, member_unit):
    tl = _fill_tl(cq, township_a_unit, township_b_unit, member_unit)
    first = upward_return_submit(user=cq.tl_office, campaign=tl, summary="小结", leaders={})
    # While the table is with the city, the county's own reviews are frozen.
    b_return = Return.objects.get(campaign=tl, org_unit=township_b_unit)
    with pytest.raises(ValidationError, match="本级统计表已报送上级"):
        return_accept(user=cq.tl_office, ret=b_return)
    return_send_back(user=cq.city_office, ret=first, reason="东城街道的数据未计入，请审核后重报。")
    # Sent back: the county may review again (accept B, reopen A to correct it).
    return_accept(user=cq.tl_office, ret=b_return)
    a_return = Return.objects.get(campaign=tl, org_unit=township_a_unit)
    return_reopen(user=cq.tl_office, ret=a_return, reason="补录一条")
    first.refresh_from_db()
    again = upward_return_submit(user=cq.tl_office, campaign=tl, summary="重报小结", leaders={}, version=first.version)
    assert again.pk == first.pk and again.status == ReturnStatus.SUBMITTED
    rows = rows_from_figures(again.figures)
    # B's 9 people and 9999 元 now in; A (reopened) now out.
    assert rows[0].people_visited == 9 and rows[0].money_amount == Decimal("9999")
    assert again.figures["counted"] == 2 and again.summary == "重报小结"


def test_only_the_office_of_the_campaign_unit_reviews(cq, township_a_unit, township_b_unit, member_unit, client_for):
    tl = _fill_tl(cq, township_a_unit, township_b_unit, member_unit)
    b_return = Return.objects.get(campaign=tl, org_unit=township_b_unit)
    # A city office cannot accept a township's return of a county campaign …
    with pytest.raises(PermissionDenied):
        return_accept(user=cq.city_office, ret=b_return)
    response = client_for(cq.city_office).post(reverse("visits:return_accept", args=[b_return.pk]))
    assert response.status_code in (403, 404)
    # … and a county office cannot accept its own table to the city.
    upward = upward_return_submit(user=cq.tl_office, campaign=tl, summary="小结", leaders={})
    response = client_for(cq.tl_office).post(reverse("visits:return_accept", args=[upward.pk]))
    assert response.status_code == 403
    upward.refresh_from_db()
    assert upward.status == ReturnStatus.SUBMITTED
    # The other county's office cannot even see it.
    response = client_for(cq.yc_office).post(reverse("visits:return_accept", args=[upward.pk]))
    assert response.status_code == 404
    # The city's office does.
    response = client_for(cq.city_office).post(
        reverse("visits:return_accept", args=[upward.pk]), {"version": upward.version}
    )
    upward.refresh_from_db()
    assert upward.status == ReturnStatus.ACCEPTED


def test_only_the_county_office_submits_its_table(cq):
    with pytest.raises(PermissionDenied):
        upward_return_submit(user=cq.city_office, campaign=cq.own(cq.tl), summary="小结", leaders={})
    with pytest.raises(PermissionDenied):
        upward_return_submit(user=cq.yc_office, campaign=cq.own(cq.tl), summary="小结", leaders={})


def test_the_office_return_pages_submit_in_two_steps(
    cq, township_a_unit, township_b_unit, member_unit, client_for, django_assert_max_num_queries
):
    _fill_tl(cq, township_a_unit, township_b_unit, member_unit)
    client = client_for(cq.tl_office)
    url = reverse("visits:unit_return", args=[cq.campaign.pk, cq.tl.pk])
    with django_assert_max_num_queries(40):
        page = client.get(url)
    assert page.status_code == 200 and "将要报送的统计表" in page.content.decode()
    submit = reverse("visits:office_return_submit", args=[cq.campaign.pk, cq.tl.pk])
    data = {"summary": "全区小结", "leaders_entitled": "王区长", "version": ""}
    confirm = client.post(submit, data)
    assert confirm.status_code == 200 and "确认报送上级" in confirm.content.decode()
    assert not Return.objects.filter(campaign=cq.campaign, org_unit=cq.tl).exclude(status="draft").exists()
    done = client.post(submit, {**data, "confirmed": "True"})
    assert done.status_code == 302
    ret = Return.objects.get(campaign=cq.campaign, org_unit=cq.tl)
    assert ret.status == ReturnStatus.SUBMITTED and rows_from_figures(ret.figures)[0].leaders == ["王区长"]
    # The county's campaign page shows its parent campaign and the upward return.
    detail = client.get(reverse("visits:campaign_detail", args=[cq.own(cq.tl).pk])).content.decode()
    assert "上级活动" in detail and "本级统计表报送上级" in detail
    # The city's office sees the submitted table and the review buttons, not a submit form.
    with django_assert_max_num_queries(40):
        city_page = client_for(cq.city_office).get(url).content.decode()
    assert "已报送的统计表" in city_page and "审核通过" in city_page and "报送上级（下一步核对）" not in city_page


def test_linking_shows_in_the_campaign_history(frozen, county, township_a_unit, office_user, client_for):
    existing = make_campaign(county, [township_a_unit])
    cq = build_city(county, office_user)
    page = client_for(cq.tl_office).get(reverse("visits:campaign_detail", args=[existing.pk])).content.decode()
    assert "上级活动" in page and "2027年春节走访慰问" in page
    changes = [c for entry in campaign_history(existing) for c in entry.changes]
    assert any(c.label == "上级活动" for c in changes)


def test_editing_the_city_campaign_leaves_the_linked_ones_alone(cq):
    before = {c.pk: (c.version, c.history.count()) for c in cq.campaign.linked_campaigns.all()}
    campaign_update(
        user=cq.city_office,
        campaign=cq.campaign,
        expected_units=list(cq.campaign.expected_units.all()),
        title="2027年春节走访慰问活动",
    )
    assert {c.pk: (c.version, c.history.count()) for c in cq.campaign.linked_campaigns.all()} == before


def _edit_form(campaign, **changes) -> dict:
    data = {
        "year": campaign.year,
        "kind": campaign.kind,
        "title": campaign.title,
        "visit_start": campaign.visit_start.isoformat(),
        "visit_end": campaign.visit_end.isoformat(),
        "return_deadline": campaign.return_deadline.isoformat(),
        "early_submission": campaign.early_submission,
        "expected_units": [u.pk for u in campaign.expected_units.all()],
        "version": campaign.version,
    }
    data.update(changes)
    return data


def test_a_linked_campaign_keeps_its_parents_year_and_holiday(cq, client_for):
    """A county's campaign linked to the city's adds to the city's table: a county changing its
    holiday or year would send the city a table of the wrong holiday."""
    own = cq.own(cq.tl)
    client = client_for(cq.tl_office)
    response = client.post(reverse("visits:campaign_edit", args=[own.pk]), _edit_form(own, kind="army_day"))
    assert response.status_code == 200
    assert "类型须与上级一致（春节）" in str(response.context["form"].errors["kind"])
    response = client.post(reverse("visits:campaign_edit", args=[own.pk]), _edit_form(own, year=2026))
    assert "年度须与上级一致（2027年）" in str(response.context["form"].errors["year"])
    own.refresh_from_db()
    assert (own.year, own.kind, own.parent) == (2027, "spring", cq.campaign)


def test_a_campaign_with_campaigns_linked_below_keeps_its_year_and_holiday(cq, client_for):
    city = client_for(cq.city_office)
    response = city.post(
        reverse("visits:campaign_edit", args=[cq.campaign.pk]), _edit_form(cq.campaign, kind="army_day")
    )
    assert response.status_code == 200
    assert "下级单位的活动已关联到本活动，不能修改类型" in str(response.context["form"].errors["kind"])
    with pytest.raises(ValidationError):
        campaign_update(
            user=cq.city_office, campaign=cq.campaign, expected_units=list(cq.campaign.expected_units.all()), year=2028
        )
    assert Campaign.objects.filter(parent=cq.campaign, owner_unit=cq.tl).count() == 1
    cq.campaign.refresh_from_db()
    assert (cq.campaign.year, cq.campaign.kind) == (2027, "spring")
    # Other fields still change.
    response = city.post(
        reverse("visits:campaign_edit", args=[cq.campaign.pk]),
        _edit_form(cq.campaign, title="2027年春节走访慰问（修订）"),
    )
    assert response.status_code == 302
