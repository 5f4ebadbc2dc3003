"""Who sees and changes what: the office edits, leaders read (POST 403), a member unit sees only
its own documents (another unit's: 404), a city above the county reads the county's self-scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import services
from evaluation.models import DocumentDue, DocumentKind, ItemAssessment, UnitDocument
from shuangyong.models import Notification, OrgUnitKind, Reminder, Role
from shuangyong.reminders import run_scan
from tests.evaluation.conftest import assessment, score
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_member(members):
    civil = members[1]
    return UserFactory(username="civil", org_unit=civil, role=Role.MEMBER_LIAISON)


def upload(client, year=2025, kind=DocumentKind.SUMMARY, name="总结.pdf"):
    return client.post(
        reverse("evaluation:documents"),
        {"year": year, "kind": kind, "upload": SimpleUploadedFile(name, b"%PDF-1.4 own")},
    )


def test_a_member_unit_uploads_and_sees_only_its_own_documents(client_for, member_liaison, other_member, members):
    assert upload(client_for(other_member), name="民政局总结.pdf").status_code == 302
    assert upload(client_for(member_liaison), name="教委总结.pdf").status_code == 302
    own = UnitDocument.objects.get(unit=member_liaison.org_unit)
    theirs = UnitDocument.objects.get(unit=other_member.org_unit)
    client = client_for(member_liaison)
    page = client.get(reverse("evaluation:documents")).content.decode()
    assert "教委总结.pdf" in page and "民政局总结.pdf" not in page
    download = client.get(reverse("evaluation:document_download", args=[own.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 own"
    assert client.get(reverse("evaluation:document_download", args=[theirs.pk])).status_code == 404


def test_a_member_unit_never_sees_the_evaluation(client_for, member_liaison, evaluation):
    client = client_for(member_liaison)
    assert client.get(reverse("evaluation:index")).status_code == 403
    assert client.get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 404
    assert client.get(reverse("evaluation:export_zip", args=[evaluation.pk])).status_code == 404


def test_the_leader_reads_and_every_post_is_403(client_for, leader, evaluation):
    a = assessment(evaluation, "1")
    client = client_for(leader)
    assert client.get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 200
    assert client.get(reverse("evaluation:item", args=[a.pk])).status_code == 200
    response = client.post(
        reverse("evaluation:item", args=[a.pk]), {"self_score": "1", "reason": "x", "version": a.version}
    )
    assert response.status_code == 403
    assert client.post(reverse("evaluation:meeting_create"), {}).status_code == 403
    a.refresh_from_db()
    assert a.self_score is None


def test_the_office_scores_an_item_within_its_points(client_for, office_user, evaluation):
    a = assessment(evaluation, "1")
    client = client_for(office_user)
    url = reverse("evaluation:item", args=[a.pk])
    too_much = client.post(url, {"self_score": "2.5", "reason": "", "version": a.version})
    assert "自评得分不能超过该条目的分值（2.00 分）" in too_much.content.decode()
    assert client.post(url, {"self_score": "1.5", "reason": "纪要齐全", "version": a.version}).status_code == 302
    a.refresh_from_db()
    assert a.self_score == Decimal("1.5") and a.reason == "纪要齐全"
    stale = client.post(url, {"self_score": "1", "reason": "", "version": a.version - 1})
    assert "该记录已被他人修改" in stale.content.decode()


def test_a_city_above_the_county_reads_its_self_scores_and_changes_nothing(
    client_for, city_office, office_user, evaluation
):
    score(office_user, evaluation, "1", "1.5", "纪要齐全")
    client = client_for(city_office)
    assert evaluation.title in client.get(reverse("evaluation:index")).content.decode()
    detail = client.get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert detail.status_code == 200 and 'data-testid="total">1.50<' in detail.content.decode()
    a = assessment(evaluation, "1")
    page = client.get(reverse("evaluation:item", args=[a.pk])).content.decode()
    assert "自评得分：1.50" in page and "保存自评" not in page
    assert (
        client.post(
            reverse("evaluation:item", args=[a.pk]), {"self_score": "0", "reason": "", "version": a.version}
        ).status_code
        == 403
    )
    assert ItemAssessment.objects.get(pk=a.pk).self_score == Decimal("1.5")


def test_another_county_does_not_learn_the_evaluation_exists(client_for, evaluation):
    other = OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY)
    office_x = UserFactory(org_unit=other, role=Role.OFFICE)
    client = client_for(office_x)
    assert client.get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 404
    assert client.get(reverse("evaluation:item", args=[assessment(evaluation, "1").pk])).status_code == 404


def test_member_units_without_the_requested_document_are_reminded(
    office_user, member_liaison, other_member, members, today
):
    services.document_request_create(user=office_user, year=2026, kind=DocumentKind.PLAN, deadline=dt.date(2026, 12, 1))
    assert DocumentDue.objects.count() == 3
    services.unit_document_upload(
        user=member_liaison, year=2026, kind=DocumentKind.PLAN, file=SimpleUploadedFile("计划.pdf", b"%PDF-1.4 p")
    )
    run_scan()  # 2026-11-30: one day before the deadline
    reminded = set(Reminder.objects.values_list("recipient__username", flat=True))
    assert reminded == {"civil"}  # the 民政局 liaison; 教委 has uploaded, 财政局 has nobody to remind
    notes = Notification.objects.filter(recipient=other_member, url=reverse("evaluation:documents"))
    assert any("成员单位材料“2026年年度计划”" in n.title for n in notes), [n.title for n in notes]


def test_the_member_unit_finds_the_documents_asked_of_it_in_its_work_queue(
    client_for, office_user, member_liaison, members, today
):
    services.document_request_create(user=office_user, year=2026, kind=DocumentKind.PLAN, deadline=dt.date(2026, 3, 31))
    services.document_request_create(
        user=office_user, year=2026, kind=DocumentKind.SUMMARY, deadline=dt.date(2026, 12, 20)
    )
    client = client_for(member_liaison)
    home = client.get(reverse("home")).content.decode()
    queue = home.split('data-testid="waiting-documents"')[1]
    assert "2026年年度计划" in queue and "已过截止日期" in queue and "2026年年度总结" in queue
    upload(client, year=2026, kind=DocumentKind.PLAN)
    queue = client.get(reverse("home")).content.decode().split('data-testid="waiting-documents"')[1]
    assert "2026年年度计划" not in queue and "2026年年度总结" in queue


def test_the_office_sees_who_still_owes_a_requested_document(client_for, office_user, member_liaison, members, today):
    services.document_request_create(user=office_user, year=2026, kind=DocumentKind.PLAN, deadline=dt.date(2026, 3, 31))
    upload(client_for(member_liaison), year=2026, kind=DocumentKind.PLAN)
    page = client_for(office_user).get(reverse("evaluation:documents")).content.decode()
    owed = page.split('data-testid="outstanding"')[1].split("</table>")[0]
    assert "区民政局" in owed and "区财政局" in owed and "区教育委员会" not in owed
