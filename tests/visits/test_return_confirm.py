"""Submitting a return takes two steps: the unit sees what it sends (records, people, money,
difficulties, the 书面小结) and confirms. An empty return needs 本期无走访; before the visiting
window opens the campaign's setting refuses or warns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.visits.conftest import SHANGHAI
from tests.visits.factories import VisitRecordFactory
from visits.models import DifficultyKind, EarlySubmission, Return, ReturnStatus, VisitDifficulty

pytestmark = pytest.mark.django_db

BEFORE_WINDOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # the 2027 春节 window opens 2027-01-22


def _post(client, campaign, unit, **data):
    return client.post(reverse("visits:return_submit", args=[campaign.pk, unit.pk]), data)


def _status(campaign, unit):
    ret = Return.objects.filter(campaign=campaign, org_unit=unit).first()
    return ret.status if ret else None


def test_submit_shows_the_summary_and_saves_only_when_confirmed(frozen, client_for, township_a, campaign):
    unit = township_a.org_unit
    first = VisitRecordFactory(
        campaign=campaign, org_unit=unit, people_visited=3, money_amount=Decimal("600"), money_recipients=3
    )
    VisitRecordFactory(campaign=campaign, org_unit=unit, people_visited=2, goods_spending=Decimal("150.50"))
    VisitDifficulty.objects.create(record=first, kind=DifficultyKind.MEDICAL, count=2)
    client = client_for(township_a)

    response = _post(client, campaign, unit, summary="走访重点优抚对象 5 人。")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="confirm-summary"' in html
    assert "2 条" in html.split('data-testid="confirm-records"')[1][:20]
    assert "5 人" in html.split('data-testid="confirm-people"')[1][:20]
    assert "600.00 元" in html.split('data-testid="confirm-money"')[1][:30]
    assert "看病就医 2 件" in html.split('data-testid="confirm-difficulties"')[1][:40]
    assert "走访重点优抚对象 5 人。" in html.split('data-testid="confirm-text"')[1][:80]
    assert "确认提交给双拥办" in html
    assert _status(campaign, unit) == ReturnStatus.DRAFT  # nothing submitted yet

    response = _post(client, campaign, unit, summary="走访重点优抚对象 5 人。", confirmed="True")
    assert response.status_code == 302
    ret = Return.objects.get(campaign=campaign, org_unit=unit)
    assert ret.status == ReturnStatus.SUBMITTED and ret.summary == "走访重点优抚对象 5 人。"


def test_back_from_the_confirmation_keeps_what_was_typed(frozen, client_for, township_a, campaign):
    unit = township_a.org_unit
    VisitRecordFactory(campaign=campaign, org_unit=unit)
    response = _post(client_for(township_a), campaign, unit, summary="还要补充一句。", back="1")
    assert response.status_code == 200
    assert "还要补充一句。</textarea>" in response.content.decode()
    assert _status(campaign, unit) == ReturnStatus.DRAFT


def test_an_empty_return_needs_no_visits(frozen, client_for, township_a, campaign):
    unit = township_a.org_unit
    client = client_for(township_a)
    for confirmed in ("", "True"):
        response = _post(client, campaign, unit, summary="无。", confirmed=confirmed)
        if response.status_code == 302:  # the confirmed post is refused by the service
            page = client.get(response.url).content.decode()
            assert "勾选“本期无走访”" in page
        else:
            html = response.content.decode()
            assert "勾选“本期无走访”" in html.split('data-field="no_visits"')[1][:200]
        assert _status(campaign, unit) in (None, ReturnStatus.DRAFT)

    response = _post(client, campaign, unit, no_visits="on")
    html = response.content.decode()
    assert response.status_code == 200 and "<strong>本期无走访</strong>" in html
    _post(client, campaign, unit, no_visits="on", confirmed="True")
    ret = Return.objects.get(campaign=campaign, org_unit=unit)
    assert ret.status == ReturnStatus.SUBMITTED and ret.no_visits


def test_the_written_summary_is_required_with_records(frozen, client_for, township_a, campaign):
    unit = township_a.org_unit
    VisitRecordFactory(campaign=campaign, org_unit=unit)
    response = _post(client_for(township_a), campaign, unit, summary="  ")
    assert response.status_code == 200
    assert "请填写书面小结" in response.content.decode().split('data-field="summary"')[1][:100]
    assert _status(campaign, unit) == ReturnStatus.DRAFT


def test_before_the_window_a_refusing_campaign_refuses(time_machine, client_for, township_a, campaign):
    campaign.early_submission = EarlySubmission.REFUSE
    campaign.save()
    time_machine.move_to(BEFORE_WINDOW, tick=False)
    unit = township_a.org_unit
    VisitRecordFactory(campaign=campaign, org_unit=unit)
    client = client_for(township_a)
    response = _post(client, campaign, unit, summary="提前写好。")
    assert response.status_code == 200
    assert "2027-01-22 开始，开始前不能提交填报" in response.content.decode()
    response = _post(client, campaign, unit, summary="提前写好。", confirmed="True")
    assert "开始前不能提交填报" in client.get(response.url).content.decode()
    assert _status(campaign, unit) == ReturnStatus.DRAFT


def test_before_the_window_a_warning_campaign_warns_then_submits(time_machine, client_for, township_a, campaign):
    assert campaign.early_submission == EarlySubmission.WARN
    time_machine.move_to(BEFORE_WINDOW, tick=False)
    unit = township_a.org_unit
    VisitRecordFactory(campaign=campaign, org_unit=unit)
    client = client_for(township_a)
    response = _post(client, campaign, unit, summary="提前写好。")
    assert "现在还没有开始：请确认确实要提前提交" in response.content.decode().split('data-testid="early-warning"')[1]
    _post(client, campaign, unit, summary="提前写好。", confirmed="True")
    assert _status(campaign, unit) == ReturnStatus.SUBMITTED
    page = client.get(reverse("visits:unit_return", args=[campaign.pk, unit.pk])).content.decode()
    assert "（走访开始前提交）" in page and "（按时）" not in page


def test_the_office_sets_the_rule_per_campaign(client_for, office_user, campaign):
    data = {
        "year": 2027,
        "kind": campaign.kind,
        "title": campaign.title,
        "visit_start": "2027-01-22",
        "visit_end": "2027-02-20",
        "return_deadline": "2027-02-25",
        "early_submission": EarlySubmission.REFUSE,
        "expected_units": [u.pk for u in campaign.expected_units.all()],
        "version": campaign.version,
    }
    response = client_for(office_user).post(reverse("visits:campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.early_submission == EarlySubmission.REFUSE


def test_the_review_page_shows_the_written_summary(frozen, client_for, township_a, office_user, campaign):
    unit = township_a.org_unit
    VisitRecordFactory(campaign=campaign, org_unit=unit)
    _post(client_for(township_a), campaign, unit, summary="走访烈属家庭 3 户。", confirmed="True")
    html = client_for(office_user).get(reverse("visits:unit_return", args=[campaign.pk, unit.pk])).content.decode()
    assert "走访烈属家庭 3 户。" in html.split('data-testid="return-summary"')[1].split('data-testid="history"')[0]
    assert 'data-state="submitted"' in html
