"""The ledger: masked identity numbers, the logged "show" action, exports, and who may see it."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.visits.factories import BeneficiaryFactory, category
from visits.models import Beneficiary, IdentityAccess, IdentityAccessLog

pytestmark = pytest.mark.django_db

FULL = "50022419800101118X"
MASKED = "500224********118X"


@pytest.fixture
def person(village_a1):
    return BeneficiaryFactory(name="王建国", id_number=FULL, org_unit=village_a1)


def _sheet(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_list_and_detail_show_the_number_masked(client_for, township_a, person):
    client = client_for(township_a)
    for url in (reverse("visits:beneficiary_list"), reverse("visits:beneficiary_detail", args=[person.pk])):
        page = client.get(url).content.decode()
        assert MASKED in page and FULL not in page


def test_show_full_number_is_a_logged_post(client_for, township_a, person, time_machine):
    client = client_for(township_a)
    assert client.get(reverse("visits:beneficiary_reveal", args=[person.pk])).status_code == 405
    response = client.post(reverse("visits:beneficiary_reveal", args=[person.pk]))
    assert response.status_code == 200 and FULL in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    log = IdentityAccessLog.objects.get()
    assert (log.user, log.beneficiary, log.action) == (township_a, person, IdentityAccess.SHOW)
    # Shown once: the next visit of the page is masked again.
    assert FULL not in client.get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()


def test_export_masks_numbers_and_escapes_formulas(client_for, township_a, village_a1):
    BeneficiaryFactory(name="=HYPERLINK(1)", id_number=FULL, org_unit=village_a1, address="+1-2")
    rows = _sheet(client_for(township_a).get(reverse("visits:beneficiary_export")))
    assert rows[0] == ("姓名", "类别", "身份证号", "联系电话", "住址", "所属单位", "备注")
    # Kept exactly as typed: quote-prefixed text cells (tests/shuangyong/test_spreadsheets.py).
    assert rows[1][0] == "=HYPERLINK(1)" and rows[1][2] == MASKED and rows[1][4] == "+1-2"
    assert list(IdentityAccessLog.objects.values_list("action", flat=True)) == [IdentityAccess.EXPORT_MASKED]


def test_office_full_export_is_logged_per_person(client_for, office_user, person, township_b_unit):
    other = BeneficiaryFactory(org_unit=township_b_unit)
    rows = _sheet(client_for(office_user).post(reverse("visits:beneficiary_export"), {"full": "1"}))
    assert {r[2] for r in rows[1:]} == {FULL, other.id_number}
    logs = IdentityAccessLog.objects.filter(action=IdentityAccess.EXPORT_FULL, user=office_user)
    assert {log.beneficiary for log in logs} == {person, other}


def test_township_cannot_export_full_numbers(client_for, township_a, person):
    response = client_for(township_a).post(reverse("visits:beneficiary_export"), {"full": "1"})
    assert response.status_code == 403
    assert not IdentityAccessLog.objects.exists()


def test_township_a_cannot_list_view_edit_or_export_township_b(client_for, township_a, township_b_unit):
    other = BeneficiaryFactory(name="赵某", org_unit=township_b_unit)
    client = client_for(township_a)
    assert "赵某" not in client.get(reverse("visits:beneficiary_list")).content.decode()
    for name in ("beneficiary_detail", "beneficiary_edit"):
        assert client.get(reverse(f"visits:{name}", args=[other.pk])).status_code == 404
    assert client.post(reverse("visits:beneficiary_reveal", args=[other.pk])).status_code == 404
    assert client.post(reverse("visits:beneficiary_edit", args=[other.pk]), {"name": "x"}).status_code == 404
    assert len(_sheet(client.get(reverse("visits:beneficiary_export")))) == 1  # header only
    assert not IdentityAccessLog.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "member_liaison", "troop_liaison"])
def test_leaders_member_units_and_troops_do_not_see_the_ledger(request, client_for, persona, person):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("visits:beneficiary_list")).status_code == 404
    assert client.get(reverse("visits:beneficiary_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("visits:beneficiary_export")).status_code == 404
    assert "联系工作台账" not in client.get(reverse("home")).content.decode()


def test_create_validates_the_identity_number_at_the_field(client_for, township_a, village_a1):
    data = {"name": "李四", "category": category("残疾军人").pk, "org_unit": village_a1.pk, "phone": "", "address": ""}
    client = client_for(township_a)
    response = client.post(reverse("visits:beneficiary_create"), {**data, "id_number": "500224198001011231"})
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    response = client.post(reverse("visits:beneficiary_create"), {**data, "id_number": "500224198002301234"})
    assert "出生日期无效" in response.content.decode()
    response = client.post(reverse("visits:beneficiary_create"), {**data, "id_number": FULL.lower()})
    assert response.status_code == 302
    assert Beneficiary.objects.get().id_number == FULL


def test_same_number_cannot_be_registered_twice_in_the_county(client_for, office_user, township_b_unit, person):
    # The office sees the whole county and gets the precise message; a township asking about another
    # township's number gets a generic one (tests/visits/test_ledger_privacy.py).
    data = {"name": "重复", "category": category().pk, "org_unit": township_b_unit.pk, "id_number": FULL}
    response = client_for(office_user).post(reverse("visits:beneficiary_create"), data)
    assert response.status_code == 200
    assert "已登记在台账中" in response.content.decode()
    assert Beneficiary.objects.count() == 1


def test_township_cannot_register_into_another_township(client_for, township_a, township_b_unit):
    data = {"name": "x", "category": category().pk, "org_unit": township_b_unit.pk, "id_number": FULL}
    response = client_for(township_a).post(reverse("visits:beneficiary_create"), data)
    assert response.status_code == 200 and not Beneficiary.objects.exists()


def test_edit_keeps_number_when_blank_and_refuses_a_stale_version(client_for, township_a, person):
    url = reverse("visits:beneficiary_edit", args=[person.pk])
    data = {"name": "王建国", "category": person.category_id, "org_unit": person.org_unit_id, "id_number": ""}
    client = client_for(township_a)
    assert FULL not in client.get(url).content.decode()
    assert client.post(url, {**data, "phone": "1", "version": 1}).status_code == 302
    stale = client.post(url, {**data, "phone": "2", "version": 1})
    assert "该记录已被他人修改，请刷新后重试" in stale.content.decode()
    person.refresh_from_db()
    assert (person.phone, person.id_number, person.version) == ("1", FULL, 2)
    assert person.history.count() == 2


def test_contact_log_and_difficulty_are_recorded(client_for, township_a, person):
    client = client_for(township_a)
    client.post(
        reverse("visits:contact_create", args=[person.pk]),
        {"date": "2026-07-20", "way": "home_visit", "contacted_by": "李强", "content": "反映孙子入学"},
    )
    client.post(
        reverse("visits:difficulty_create", args=[person.pk]),
        {"kind": "schooling", "description": "孙子入学", "raised_on": "2026-07-20", "state": "open"},
    )
    difficulty = person.difficulties.get()
    update = {"state": "resolved", "resolution": "已协调入学", "version": difficulty.version}
    client.post(reverse("visits:difficulty_update", args=[difficulty.pk]), update)
    difficulty.refresh_from_db()
    assert person.contacts.get().way == "home_visit"
    assert (difficulty.state, difficulty.resolution) == ("resolved", "已协调入学")
    page = client.get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()
    assert "反映孙子入学" in page and "已协调入学" in page


def test_list_costs_a_fixed_number_of_queries(client_for, township_a, village_a1, django_assert_max_num_queries):
    BeneficiaryFactory.create_batch(30, org_unit=village_a1)
    client = client_for(township_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:beneficiary_list")).status_code == 200


def test_access_log_admin_and_history_show_the_number_masked(client_for, township_a, county, person):
    from shuangyong.models import Role
    from tests.factories import UserFactory

    client_for(township_a).post(reverse("visits:beneficiary_reveal", args=[person.pk]))
    log = IdentityAccessLog.objects.get()
    assert FULL not in str(log.beneficiary) and MASKED in str(log.beneficiary)
    admin = UserFactory(org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_for(admin)
    changelist = client.get(reverse("admin:visits_identityaccesslog_changelist")).content.decode()
    assert MASKED in changelist and FULL not in changelist
    assert "李强" in changelist  # who
    # The system administrator never reads the ledger's names (not even through this log).
    assert person.name not in changelist
    log_page = client.get(reverse("admin:visits_identityaccesslog_change", args=[log.pk])).content.decode()
    assert log_page.count(MASKED) >= 1 and person.name not in log_page and FULL not in log_page
    detail = client_for(township_a).get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()
    assert 'data-testid="history"' in detail and FULL not in detail


def test_every_read_of_a_full_record_is_logged(client_for, township_a, office_user, person):
    client_for(township_a).get(reverse("visits:beneficiary_detail", args=[person.pk]))
    client_for(office_user).get(reverse("visits:beneficiary_detail", args=[person.pk]))
    logs = IdentityAccessLog.objects.filter(beneficiary=person, action=IdentityAccess.VIEW)
    assert sorted(log.user.username for log in logs) == ["office", "township_a"]
