"""A person moves county (迁出 → 迁入, docs/levels.md "Transfers").

The world: the city over the county of tests/conftest.py (铜梁, township A with village A1,
township B) and a second county (永川) with one township. 王建国 lives in village A1.

- the origin (township A or the 铜梁 office) starts the transfer, naming the destination county;
- the 永川 office accepts (choosing the township) or refuses with a reason; the origin withdraws;
- the ledger entry moves with its history, contact logs and difficulties, and is never
  registered twice: a township of 永川 registering the number is told a transfer is needed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shuangyong.concurrency import STALE_MESSAGE
from shuangyong.models import Notification, OrgUnitKind, Role
from tests.factories import OrgUnitFactory, UserFactory
from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory, category
from visits.models import (
    Beneficiary,
    BeneficiaryTransfer,
    ContactLog,
    ContactWay,
    Difficulty,
    DifficultyKind,
    ReturnStatus,
    TransferState,
    VisitRecord,
)

pytestmark = pytest.mark.django_db

FULL = "50022419800101118X"
MASKED = "500224********118X"


@pytest.fixture
def county_y(city_unit):
    return OrgUnitFactory(name="永川区双拥办", code="yc", kind=OrgUnitKind.COUNTY, parent=city_unit)


@pytest.fixture
def township_y_unit(county_y):
    return OrgUnitFactory(name="胜利路街道", code="yc-sl", kind=OrgUnitKind.TOWNSHIP, parent=county_y)


@pytest.fixture
def yc_office(county_y):
    return UserFactory(username="yc_office", full_name="郑洁", org_unit=county_y, role=Role.OFFICE)


@pytest.fixture
def yc_township(township_y_unit):
    return UserFactory(username="yc_township", org_unit=township_y_unit, role=Role.TOWNSHIP_STAFF)


@pytest.fixture
def person(city_unit, village_a1, township_a):
    person = BeneficiaryFactory(name="王建国", id_number=FULL, org_unit=village_a1)
    person.address = "玉泉社区8号"  # a change of the origin's: the history must keep it
    person.save()
    ContactLog.objects.create(
        beneficiary=person,
        date=dt.date(2026, 7, 20),
        way=ContactWay.HOME_VISIT,
        contacted_by="李强",
        content="反映孙子入学问题",
        created_by=township_a,
    )
    Difficulty.objects.create(
        beneficiary=person, kind=DifficultyKind.HOUSING, description="房屋漏雨", raised_on=dt.date(2026, 7, 1)
    )
    return person


def _request(client, person, to_county, reason="随子女迁居永川"):
    return client.post(
        reverse("visits:transfer_create", args=[person.pk]), {"to_county": to_county.pk, "reason": reason}
    )


def _accept(client, transfer, unit, version=None):
    url = reverse("visits:transfer_accept", args=[transfer.pk])
    return client.post(url, {"to_unit": unit.pk, "version": transfer.version if version is None else version})


def test_a_transfer_moves_the_person_with_history_contacts_and_difficulties(
    client_for, person, township_a, office_user, yc_office, yc_township, township_y_unit, county_y
):
    history_before = person.history.count()
    response = _request(client_for(township_a), person, county_y)
    transfer = BeneficiaryTransfer.objects.get()
    assert response.status_code == 302 and response.url == reverse("visits:transfer_detail", args=[transfer.pk])
    assert (transfer.state, transfer.from_unit, transfer.to_county, transfer.to_unit) == (
        TransferState.PENDING,
        person.org_unit,
        county_y,
        None,
    )
    # Both offices are told; 永川's office sees the person's name and masked number, nothing more yet.
    assert Notification.objects.filter(recipient=yc_office, title__contains="王建国").exists()
    assert Notification.objects.filter(recipient=office_user, title__contains="迁出").exists()
    client = client_for(yc_office)
    listing = client.get(reverse("visits:transfer_list")).content.decode()
    assert "待本县确认迁入" in listing and "王建国" in listing
    assert client.get(reverse("visits:beneficiary_detail", args=[person.pk])).status_code == 404
    page = client.get(reverse("visits:transfer_detail", args=[transfer.pk])).content.decode()
    assert MASKED in page and FULL not in page and "玉泉社区8号" not in page and "反映孙子入学问题" not in page

    response = _accept(client, transfer, township_y_unit)
    assert response.status_code == 302 and response.url == reverse("visits:beneficiary_detail", args=[person.pk])
    person.refresh_from_db()
    transfer.refresh_from_db()
    assert person.org_unit == township_y_unit
    assert (transfer.state, transfer.to_unit, transfer.decided_by) == (
        TransferState.ACCEPTED,
        township_y_unit,
        yc_office,
    )
    # The same ledger entry, its history kept (plus the move), its contact logs and difficulties with it.
    assert Beneficiary.objects.filter(id_number=FULL).count() == 1
    assert person.history.count() == history_before + 1
    assert ContactLog.objects.get().beneficiary_id == person.pk
    assert Difficulty.objects.get().beneficiary_id == person.pk
    detail = client_for(yc_township).get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()
    assert "反映孙子入学问题" in detail and "房屋漏雨" in detail and "玉泉社区8号" in detail
    # The origin no longer sees the person; it is told, and still sees its transfer's outcome.
    assert client_for(township_a).get(reverse("visits:beneficiary_detail", args=[person.pk])).status_code == 404
    assert Notification.objects.filter(recipient=township_a, title__contains="已确认迁入").exists()
    outcome = client_for(township_a).get(reverse("visits:transfer_detail", args=[transfer.pk])).content.decode()
    assert "已迁入" in outcome and "胜利路街道" not in outcome
    person_url = reverse("visits:beneficiary_detail", args=[person.pk])
    assert person_url not in outcome  # no longer in the origin's ledger: no link
    assert (
        person_url in client_for(yc_office).get(reverse("visits:transfer_detail", args=[transfer.pk])).content.decode()
    )


def test_one_pending_transfer_per_person(client_for, person, township_a, office_user, county_y):
    assert _request(client_for(township_a), person, county_y).status_code == 302
    response = _request(client_for(office_user), person, county_y)
    assert response.status_code == 200 and "已有待迁入的迁移申请" in response.content.decode()
    assert BeneficiaryTransfer.objects.count() == 1


def test_the_own_county_is_not_a_destination_and_the_choice_shows_county_names_only(
    client_for, person, township_a, county, county_y
):
    page = client_for(township_a).get(reverse("visits:transfer_create", args=[person.pk])).content.decode()
    assert "永川区双拥办" in page and f'<option value="{county.pk}"' not in page
    response = _request(client_for(township_a), person, county)
    assert response.status_code == 200 and not BeneficiaryTransfer.objects.exists()


def test_refusal_needs_a_reason_and_keeps_the_person_where_it_is(
    client_for, person, township_a, yc_office, county_y, village_a1
):
    _request(client_for(township_a), person, county_y)
    transfer = BeneficiaryTransfer.objects.get()
    url = reverse("visits:transfer_refuse", args=[transfer.pk])
    response = client_for(yc_office).post(url, {"refusal_reason": "", "version": transfer.version})
    assert response.status_code == 200 and "拒绝理由" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING
    response = client_for(yc_office).post(url, {"refusal_reason": "户籍未迁入本区", "version": transfer.version})
    assert response.status_code == 302
    transfer.refresh_from_db()
    person.refresh_from_db()
    assert (transfer.state, transfer.refusal_reason, person.org_unit) == (
        TransferState.REFUSED,
        "户籍未迁入本区",
        village_a1,
    )
    assert Notification.objects.filter(recipient=township_a, body__contains="户籍未迁入本区").exists()
    # Refused is decided: a new transfer may be started.
    assert _request(client_for(township_a), person, county_y).status_code == 302


def test_the_origin_withdraws_and_a_decision_on_an_old_version_changes_nothing(
    client_for, person, township_a, yc_office, county_y, township_y_unit, village_a1
):
    _request(client_for(township_a), person, county_y)
    transfer = BeneficiaryTransfer.objects.get()
    loaded = transfer.version
    url = reverse("visits:transfer_withdraw", args=[transfer.pk])
    assert client_for(township_a).post(url, {"version": loaded}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == TransferState.WITHDRAWN
    assert Notification.objects.filter(recipient=yc_office, title__contains="撤回").exists()
    # 永川's office accepts from the page it loaded before the withdrawal: refused, nothing moves.
    response = _accept(client_for(yc_office), transfer, township_y_unit, version=loaded)
    assert response.status_code == 200 and STALE_MESSAGE in response.content.decode()
    person.refresh_from_db()
    assert person.org_unit == village_a1
    transfer.refresh_from_db()
    assert transfer.state == TransferState.WITHDRAWN and transfer.to_unit is None
    # With the current version: the transfer is no longer pending.
    response = _accept(client_for(yc_office), transfer, township_y_unit)
    assert "已撤回" in response.content.decode()
    person.refresh_from_db()
    assert person.org_unit == village_a1


def test_the_destination_chooses_one_of_its_own_townships(
    client_for, person, township_a, yc_office, county_y, township_b_unit
):
    _request(client_for(township_a), person, county_y)
    transfer = BeneficiaryTransfer.objects.get()
    response = _accept(client_for(yc_office), transfer, township_b_unit)  # a township of 铜梁
    assert response.status_code == 200
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING


def test_who_may_see_and_decide(
    client_for,
    person,
    township_a,
    township_b,
    leader,
    office_user,
    yc_office,
    yc_township,
    city_office,
    county_y,
    township_y_unit,
):
    _request(client_for(township_a), person, county_y)
    transfer = BeneficiaryTransfer.objects.get()
    detail = reverse("visits:transfer_detail", args=[transfer.pk])
    accept = reverse("visits:transfer_accept", args=[transfer.pk])
    withdraw = reverse("visits:transfer_withdraw", args=[transfer.pk])
    data = {"to_unit": township_y_unit.pk, "version": transfer.version}
    # Outside the scope (another township, 永川's township before the move, the city office): 404.
    for user in (township_b, yc_township, city_office):
        client = client_for(user)
        assert client.get(detail).status_code == 404, user
        assert client.post(accept, data).status_code == 404, user
        assert client.get(reverse("visits:transfer_list")).status_code in (200, 404)
        assert "王建国" not in client.get(reverse("visits:transfer_list")).content.decode()
    # Leaders read no ledger (404) and change nothing (403).
    assert client_for(leader).get(detail).status_code == 404
    assert client_for(leader).post(accept, data).status_code == 403
    # The origin may not accept for the destination, nor the destination withdraw for the origin.
    assert client_for(township_a).post(accept, data).status_code == 403
    assert client_for(yc_office).post(withdraw, {"version": transfer.version}).status_code == 403
    assert client_for(city_office).get(reverse("visits:transfer_list")).status_code == 404
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING


def _register(client, unit, id_number=FULL):
    data = {"name": "王建国", "category": category().pk, "org_unit": unit.pk, "id_number": id_number}
    return client.post(reverse("visits:beneficiary_create"), data)


def test_registering_a_number_of_another_county_says_a_transfer_is_needed(
    client_for, person, township_a, yc_township, yc_office, township_y_unit, county_y
):
    response = _register(client_for(yc_township), township_y_unit)
    page = response.content.decode()
    assert response.status_code == 200 and "迁出" in page and "迁入" in page
    # Nothing of 铜梁's ledger is revealed: not the unit, not the person's details.
    assert "玉泉社区" not in page and "巴川街道" not in page and "铜梁" not in page
    assert not Notification.objects.filter(
        body__contains="玉泉社区", recipient__org_unit__path__startswith=county_y.path
    )
    assert Beneficiary.objects.filter(id_number=FULL).count() == 1


def test_a_pending_transfer_refuses_a_second_registration(
    client_for, person, township_a, yc_office, yc_township, township_y_unit, county_y
):
    _request(client_for(township_a), person, county_y)
    for user in (yc_township, yc_office):
        response = _register(client_for(user), township_y_unit)
        page = response.content.decode()
        assert response.status_code == 200 and "待迁入" in page, user
    assert Beneficiary.objects.filter(id_number=FULL).count() == 1
    assert BeneficiaryTransfer.objects.get().state == TransferState.PENDING


def test_the_destination_office_finds_the_transfer_in_its_work_queue(
    client_for, person, township_a, yc_office, county_y
):
    _request(client_for(township_a), person, county_y)
    page = client_for(yc_office).get(reverse("home")).content.decode()
    assert 'data-testid="waiting-transfers"' in page and "王建国" in page
    transfer = BeneficiaryTransfer.objects.get()
    assert reverse("visits:transfer_detail", args=[transfer.pk]) in page


def test_the_ledger_import_says_the_same_and_names_nothing_of_the_other_county(
    client_for, person, township_a, yc_township, yc_office, county_y, township_y_unit
):
    from tests.visits.test_import import LEDGER_HEADER, errors_of, ledger_row, upload, xlsx
    from visits.services import TRANSFER_NEEDED, TRANSFER_PENDING

    client = client_for(yc_township)
    rows = [ledger_row(unit=township_y_unit.name, id_number=FULL)]
    assert [m for _, _, m in errors_of(upload(client, "ledger", xlsx(LEDGER_HEADER, rows)))] == [TRANSFER_NEEDED]
    # The report to 永川's office gives the masked number, and "其他区县" for where it is registered.
    note = Notification.objects.get(recipient=yc_office)
    assert MASKED in note.body and "其他区县" in note.body and "玉泉社区" not in note.body
    _request(client_for(township_a), person, county_y)
    client = client_for(yc_township)  # the one test client, logged in again
    assert [m for _, _, m in errors_of(upload(client, "ledger", xlsx(LEDGER_HEADER, rows)))] == [TRANSFER_PENDING]
    assert Beneficiary.objects.filter(id_number=FULL).count() == 1


RECORD = {
    "visit_date": "2027-02-01",
    "table_row": "entitled",
    "way": "home_visit",
    "lead_leader": "张镇长",
    "people_visited": "5",
    "money_amount": "100",
    "money_recipients": "1",
    "goods_spending": "0",
    "goods_count": "0",
    "goods_recipients": "0",
    "notes": "",
    "d-TOTAL_FORMS": "0",
    "d-INITIAL_FORMS": "0",
}


@pytest.mark.parametrize("status", [ReturnStatus.DRAFT, ReturnStatus.RETURNED])
def test_the_origin_keeps_editing_its_records_of_a_person_who_moved_away(
    frozen,
    client_for,
    person,
    township_a,
    township_a_unit,
    village_a1,
    campaign,
    yc_office,
    county_y,
    township_y_unit,
    status,
):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a_unit, beneficiary=person, money_amount=100)
    record.unit_return.status = status
    record.unit_return.save()
    other = BeneficiaryFactory(name="李秀英", org_unit=village_a1)
    summary = reverse("visits:unit_return", args=[campaign.pk, township_a_unit.pk])
    figures = client_for(township_a).get(summary).context["summary"]
    _request(client_for(township_a), other, county_y)
    _request(client_for(township_a), person, county_y)
    for transfer in BeneficiaryTransfer.objects.all():
        assert _accept(client_for(yc_office), transfer, township_y_unit).status_code == 302
    client = client_for(township_a)
    # The return's figures do not change because someone moved.
    assert client.get(summary).context["summary"] == figures

    # The record keeps the person it names: the edit is saved, the person still named.
    url = reverse("visits:record_edit", args=[record.pk])
    page = client.get(url).content.decode()
    assert "王建国" in page and "胜利路街道" not in page and "永川" not in page
    response = client.post(url, {**RECORD, "beneficiary": person.pk, "version": record.version})
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert (record.people_visited, record.beneficiary_id) == (5, person.pk)

    # A new choice is still one of the unit's own ledger: not another person who moved away.
    response = client.post(url, {**RECORD, "beneficiary": other.pk, "version": record.version, "people_visited": "6"})
    assert response.status_code == 200
    assert "请从搜索结果中选择本单位台账中的联系对象" in response.content.decode()
    assert "李秀英" not in response.content.decode()
    # Nor may a new record name the person who moved away.
    create = reverse("visits:record_create", args=[campaign.pk, township_a_unit.pk])
    assert client.post(create, {**RECORD, "beneficiary": person.pk}).status_code == 200
    assert VisitRecord.objects.count() == 1
    # The search finds only the unit's own ledger.
    search = reverse("visits:person_search", args=[township_a_unit.pk])
    assert client.get(search, {"q": "王建国"}).json() == {"results": []}
