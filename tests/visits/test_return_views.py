"""The return workflow through the pages: submit, review, lock, and the office's overview."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.visits.conftest import SHANGHAI
from tests.visits.factories import CampaignFactory, VisitRecordFactory
from tests.visits.test_record_form import VALID
from visits.models import Campaign, Return, ReturnStatus

pytestmark = pytest.mark.django_db


def _submit(client, campaign, unit, **data):
    """Submit and confirm (the confirmation step is tested in test_return_confirm.py)."""
    data = {"summary": "春节期间走访慰问情况小结。", "confirmed": "True", **data}
    return client.post(reverse("visits:return_submit", args=[campaign.pk, unit.pk]), data)


def test_unit_submits_office_accepts_then_editing_is_refused(frozen, client_for, township_a, office_user, campaign):
    unit = township_a.org_unit
    record = VisitRecordFactory(campaign=campaign, org_unit=unit)
    client = client_for(township_a)
    assert _submit(client, campaign, unit, summary="已完成").status_code == 302
    ret = Return.objects.get()
    assert ret.status == ReturnStatus.SUBMITTED and ret.summary == "已完成" and ret.submitted_by == township_a

    office = client_for(office_user)
    assert office.post(reverse("visits:return_accept", args=[ret.pk])).status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.ACCEPTED

    client = client_for(township_a)
    page = client.get(reverse("visits:unit_return", args=[campaign.pk, unit.pk])).content.decode()
    assert "已审核" in page and "添加走访记录" not in page
    # The form is not offered any more, and a POST made anyway is refused by the service.
    edit_page = client.get(reverse("visits:record_edit", args=[record.pk]))
    assert edit_page.status_code == 302 and edit_page.url == reverse("visits:record_detail", args=[record.pk])
    assert client.get(reverse("visits:record_create", args=[campaign.pk, unit.pk])).status_code == 302
    changed = {**VALID, "version": "1", "people_visited": "9"}
    edit = client.post(reverse("visits:record_edit", args=[record.pk]), changed)
    assert edit.status_code == 200 and "已审核锁定" in edit.content.decode()
    create = client.post(reverse("visits:record_create", args=[campaign.pk, unit.pk]), VALID)
    assert create.status_code == 200 and "已审核锁定" in create.content.decode()
    record.refresh_from_db()
    assert record.people_visited == 3
    assert client.post(reverse("visits:record_delete", args=[record.pk])).status_code == 302
    assert Return.objects.get().records.count() == 1


def test_send_back_requires_a_reason_and_shows_it(frozen, client_for, township_a, office_user, campaign):
    VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    _submit(client_for(township_a), campaign, township_a.org_unit)
    ret = Return.objects.get()
    office = client_for(office_user)
    office.post(reverse("visits:return_send_back", args=[ret.pk]), {"reason": ""})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    office.post(reverse("visits:return_send_back", args=[ret.pk]), {"reason": "请补充带队领导"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED
    page = client_for(township_a).get(reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit.pk]))
    assert "请补充带队领导" in page.content.decode()


def test_reopen_unlocks_an_accepted_return(frozen, client_for, township_a, office_user, campaign):
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    ret = Return.objects.get()
    office = client_for(office_user)
    office.post(reverse("visits:return_accept", args=[ret.pk]))
    office.post(reverse("visits:return_reopen", args=[ret.pk]), {"reason": "补录一条"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED and ret.is_editable


def test_units_cannot_review_and_b_cannot_touch_a(frozen, client_for, township_a, township_b, campaign):
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    ret = Return.objects.get()
    assert client_for(township_a).post(reverse("visits:return_accept", args=[ret.pk])).status_code == 403
    assert client_for(township_b).post(reverse("visits:return_accept", args=[ret.pk])).status_code == 404
    assert _submit(client_for(township_b), campaign, township_a.org_unit).status_code == 404
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED


def test_leader_cannot_review(frozen, client_for, township_a, leader, campaign):
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    ret = Return.objects.get()
    assert client_for(leader).post(reverse("visits:return_accept", args=[ret.pk])).status_code == 403


def test_stale_review_is_refused(frozen, client_for, township_a, office_user, campaign):
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    ret = Return.objects.get()
    office = client_for(office_user)
    office.post(reverse("visits:return_send_back", args=[ret.pk]), {"reason": "x", "version": ret.version})
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    response = client_for(office_user).post(
        reverse("visits:return_accept", args=[ret.pk]), {"version": ret.version}, follow=True
    )
    assert "该记录已被他人修改" in response.content.decode() or "不能执行此操作" in response.content.decode()
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED


def test_office_overview_shows_each_state_with_counts(
    time_machine, client_for, township_a, township_b, office_user, campaign, django_assert_max_num_queries
):
    time_machine.move_to(dt.datetime(2027, 2, 3, 9, tzinfo=SHANGHAI), tick=False)
    _submit(client_for(township_a), campaign, township_a.org_unit, no_visits="on")
    time_machine.move_to(dt.datetime(2027, 2, 26, 9, tzinfo=SHANGHAI), tick=False)
    VisitRecordFactory(campaign=campaign, org_unit=township_b.org_unit)
    _submit(client_for(township_b), campaign, township_b.org_unit)
    client = client_for(office_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visits:campaign_detail", args=[campaign.pk]))
    html = response.content.decode()
    assert 'data-state="submitted">已按时提交 1' in html
    assert 'data-state="late">逾期提交 1' in html
    assert 'data-state="not_submitted">未提交 1' in html
    assert 'data-state="no_visits">本期无走访 1' in html


def test_overview_query_count_does_not_grow_with_units(client_for, office_user, county, django_assert_max_num_queries):
    from tests.factories import OrgUnitFactory

    units = [OrgUnitFactory(parent=county) for _ in range(25)]
    campaign = CampaignFactory(owner_unit=county, expected_units=units)
    for u in units[:10]:
        Return.objects.create(campaign=campaign, org_unit=u, status=ReturnStatus.SUBMITTED)
    client = client_for(office_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:campaign_detail", args=[campaign.pk])).status_code == 200


def test_township_is_sent_to_its_own_return(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    response = client.get(reverse("visits:campaign_detail", args=[campaign.pk]))
    assert response.url == reverse("visits:unit_return", args=[campaign.pk, township_a.org_unit.pk])
    page = client.get(response.url).content.decode()
    import_url = reverse("visits:import_upload", args=["visits"]) + f"?campaign={campaign.pk}"
    assert import_url in page
    form_html = client.get(import_url).content.decode()
    assert f'<option value="{campaign.pk}" selected>' in form_html


def test_next_year_campaigns_are_offered_with_lunar_dates(client_for, office_user, township_a_unit):
    client = client_for(office_user)
    client.post(reverse("visits:campaign_next_year"), {"year": 2027})
    client.post(reverse("visits:campaign_next_year"), {"year": 2027})  # idempotent
    spring = Campaign.objects.get(kind="spring")
    assert (spring.visit_start, spring.visit_end, spring.return_deadline) == (
        dt.date(2027, 1, 22),
        dt.date(2027, 2, 20),
        dt.date(2027, 2, 25),
    )
    assert list(spring.expected_units.all()) == [township_a_unit]
    assert spring.history.count() >= 1


def test_home_panels(frozen, client_for, township_a, office_user, campaign):
    page = client_for(township_a).get(reverse("home")).content.decode()
    assert campaign.title in page and "添加走访记录" in page and "2027-02-25" in page
    page = client_for(office_user).get(reverse("home")).content.decode()
    assert "填报情况" in page and "未提交：<strong>3</strong>" in page
