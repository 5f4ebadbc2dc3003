"""The demo binder, and the work records kept for the evaluation (meetings, uploads, links)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import Evaluation, EvidenceLink, ItemFile, Meeting, MeetingKind, ScoringTable
from tasks.models import DualListItem, DualListState
from tests.evaluation.conftest import assessment

pytestmark = pytest.mark.django_db


def test_the_demo_binder_is_an_example_with_gaps_and_runs_twice(client, today):
    from shuangyong.demo import seed_all
    from shuangyong.models import User

    seed_all()
    counts = (ScoringTable.objects.count(), Meeting.objects.count(), EvidenceLink.objects.count())
    seed_all()
    assert (ScoringTable.objects.count(), Meeting.objects.count(), EvidenceLink.objects.count()) == counts
    table = ScoringTable.objects.get()
    assert table.is_example and "示例" in table.name and 14 <= table.items.count() <= 20
    evaluation = Evaluation.objects.get()
    assert evaluation.years == [2023, 2024, 2025, 2026]
    client.force_login(User.objects.get(username="office"))
    html = client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "2024年 领导小组全体会议纪要缺失" in html
    assert "3个成员单位缺2025年度总结：区人武部、区委宣传部、区教育委员会" in html
    assert "2026年 拨付凭证缺失" in html
    assert "一票否决条件（先行核查）" in html


def test_the_office_records_a_meeting_with_its_minutes(client_for, office_user, today):
    response = client_for(office_user).post(
        reverse("evaluation:meeting_create"),
        {"date": "2026-03-01", "kind": MeetingKind.LEADING_GROUP, "title": "全体会议", "attendees": "组长",
         "decisions": "审议要点\n协调训练场地", "minutes_upload": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 m")},
    )  # fmt: skip
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.minutes_name == "纪要.pdf" and meeting.minutes.read() == b"%PDF-1.4 m"
    refused = client_for(office_user).post(
        reverse("evaluation:meeting_create"),
        {"date": "2026-03-02", "kind": MeetingKind.JOINT, "title": "联席会议",
         "minutes_upload": SimpleUploadedFile("纪要.pdf", b"not a pdf")},
    )  # fmt: skip
    assert refused.status_code == 200 and "内容与扩展名不符" in refused.content.decode()
    assert Meeting.objects.count() == 1


def test_a_meeting_decision_becomes_a_dual_list_item(client_for, office_user, troop_unit, member_unit, today):
    meeting = Meeting.objects.create(
        owner_unit=office_user.org_unit, date=dt.date(2026, 3, 1), kind=MeetingKind.JOINT, title="联席会议",
        decisions="审议要点\n协调解决训练场地临时用地",
    )  # fmt: skip
    response = client_for(office_user).post(
        reverse("evaluation:meeting_decision", args=[meeting.pk]),
        {"index": 1, "direction": "to_troops", "troop_unit": troop_unit.pk, "responsible_unit": member_unit.pk},
    )
    item = DualListItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("tasks:dual_item_detail", args=[item.pk])
    assert item.content == "协调解决训练场地临时用地" and item.year == 2026
    assert item.responsible_unit == member_unit and item.state == DualListState.ASSIGNED


def test_the_office_links_records_and_uploads_files_to_an_item(client_for, office_user, evaluation, today):
    meeting = Meeting.objects.create(
        owner_unit=office_user.org_unit, date=dt.date(2025, 3, 1), kind=MeetingKind.JOINT, title="联席会议"
    )
    a = assessment(evaluation, "1")
    client = client_for(office_user)
    assert (
        client.post(reverse("evaluation:item_link", args=[a.pk]), {"target": f"meeting:{meeting.pk}"}).status_code
        == 302
    )
    assert EvidenceLink.objects.get().meeting == meeting
    files = [SimpleUploadedFile("规划.pdf", b"%PDF-1.4 a"), SimpleUploadedFile("报告.pdf", b"%PDF-1.4 b")]
    assert client.post(reverse("evaluation:item_files", args=[a.pk]), {"uploads": files}).status_code == 302
    assert sorted(ItemFile.objects.values_list("original_name", flat=True)) == ["报告.pdf", "规划.pdf"]
    bad = [SimpleUploadedFile("好.pdf", b"%PDF-1.4 a"), SimpleUploadedFile("坏.pdf", b"MZ exe")]
    client.post(reverse("evaluation:item_files", args=[a.pk]), {"uploads": bad})
    assert ItemFile.objects.count() == 2  # one bad file stores none
    page = client.get(reverse("evaluation:item", args=[a.pk])).content.decode()
    assert "规划.pdf" in page and "会议纪要：2025-03-01 联席会议（军地联席会议）（未上传纪要）" in page


def test_the_item_page_keeps_who_linked_unlinked_uploaded_and_deleted_evidence(
    client_for, office_user, evaluation, today, django_assert_max_num_queries
):
    from evaluation.selectors import item_history

    meeting = Meeting.objects.create(
        owner_unit=office_user.org_unit, date=dt.date(2025, 3, 1), kind=MeetingKind.JOINT, title="联席会议"
    )
    a = assessment(evaluation, "1")
    client = client_for(office_user)
    with time_machine.travel(dt.datetime(2026, 11, 30, 2, 1, tzinfo=dt.UTC), tick=False) as clock:  # today's 10:01
        client.post(reverse("evaluation:item_link", args=[a.pk]), {"target": f"meeting:{meeting.pk}"})
        clock.shift(dt.timedelta(minutes=1))
        client.post(reverse("evaluation:link_delete", args=[EvidenceLink.objects.get().pk]))
        clock.shift(dt.timedelta(minutes=1))
        uploads = [SimpleUploadedFile("规划.pdf", b"%PDF-1.4")]
        client.post(reverse("evaluation:item_files", args=[a.pk]), {"uploads": uploads})
        clock.shift(dt.timedelta(minutes=1))
        client.post(reverse("evaluation:item_file_delete", args=[ItemFile.objects.get().pk]))
    assert not EvidenceLink.objects.exists() and not ItemFile.objects.exists()

    with django_assert_max_num_queries(6):
        entries = item_history(a)
    got = [(e.action, e.who, [(c.label, c.new) for c in e.changes]) for e in entries]
    who, meeting_name = office_user.display_name, str(meeting)
    assert got[:4] == [
        ("删除文件", who, [("文件", "规划.pdf")]),
        ("上传文件", who, [("文件", "规划.pdf")]),
        ("取消关联", who, [("会议", meeting_name)]),
        ("关联佐证", who, [("会议", meeting_name)]),
    ]
    page = client.get(reverse("evaluation:item", args=[a.pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "取消关联" in history and "删除文件" in history and "规划.pdf" in history
    assert "— → 规划.pdf" not in history and " → 规划.pdf" not in history  # an event has no old value
