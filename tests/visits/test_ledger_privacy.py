"""The security review of the ledger: system admins, probing other townships' numbers, logged reads."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangyong.models import Notification, Role
from tests.factories import UserFactory
from tests.visits.factories import BeneficiaryFactory, category, valid_id_number
from tests.visits.test_import import LEDGER_HEADER, confirm, errors_of, ledger_row, upload, xlsx
from visits.models import Beneficiary, IdentityAccess, IdentityAccessLog
from visits.selectors import ACCESS_LOG_SHOWN, access_log_of
from visits.validators import mask_id_number

pytestmark = pytest.mark.django_db

FULL = "50022419800101118X"
MASKED = "500224********118X"
SECOND, THIRD = valid_id_number(), valid_id_number()


@pytest.fixture
def person(village_a1):
    return BeneficiaryFactory(name="王建国", id_number=FULL, org_unit=village_a1)


@pytest.fixture
def system_admin(county):
    return UserFactory(username="sysadmin", org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)


# --- 5. system administrators do not read the ledger ---------------------------------------------


def test_system_admin_cannot_list_read_reveal_or_export_the_ledger(client_for, system_admin, person):
    client = client_for(system_admin)
    assert client.get(reverse("visits:beneficiary_list")).status_code == 404
    assert client.get(reverse("visits:beneficiary_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("visits:beneficiary_edit", args=[person.pk])).status_code == 404
    assert client.post(reverse("visits:beneficiary_reveal", args=[person.pk])).status_code == 404
    assert client.get(reverse("visits:beneficiary_export")).status_code == 404
    assert client.post(reverse("visits:beneficiary_export"), {"full": "1"}).status_code == 404
    assert "联系工作台账" not in client.get(reverse("home")).content.decode()
    assert not IdentityAccessLog.objects.exists()


def test_system_admin_cannot_import_the_ledger(client_for, system_admin):
    response = client_for(system_admin).get(reverse("visits:import_upload", args=["ledger"]))
    assert response.status_code == 404


def test_django_admin_never_shows_a_full_identity_number(client_for, system_admin, township_a, person):
    # The ledger itself is not in the admin; the access log shows whose record, masked.
    assert Beneficiary not in admin.site._registry
    assert Beneficiary.history.model not in admin.site._registry
    client_for(township_a).post(reverse("visits:beneficiary_reveal", args=[person.pk]))
    client = client_for(system_admin)
    for url in (
        reverse("admin:visits_identityaccesslog_changelist"),
        reverse("admin:visits_identityaccesslog_change", args=[IdentityAccessLog.objects.get().pk]),
    ):
        page = client.get(url).content.decode()
        assert MASKED in page and FULL not in page


def test_system_admin_services_refuse_the_ledger(system_admin, person):
    from django.core.exceptions import PermissionDenied

    from visits.services import beneficiary_reveal_id_number, identity_export_log

    with pytest.raises(PermissionDenied):
        beneficiary_reveal_id_number(user=system_admin, beneficiary=person)
    with pytest.raises(PermissionDenied):
        identity_export_log(user=system_admin, beneficiaries=[person])
    assert not IdentityAccessLog.objects.exists()


# --- 1. another township's numbers cannot be probed ------------------------------------------------

GENERIC = "该身份证号无法在本单位登记，请联系双拥办核实。"
PRECISE = "该身份证号已登记在台账中"


def _create(client, unit, id_number, name="重复"):
    data = {"name": name, "category": category().pk, "org_unit": unit.pk, "id_number": id_number}
    return client.post(reverse("visits:beneficiary_create"), data)


def test_registering_another_townships_number_gets_a_generic_answer_logged_and_reported(
    client_for, township_b, township_b_unit, office_user, person
):
    response = _create(client_for(township_b), township_b_unit, FULL)
    page = response.content.decode()
    assert response.status_code == 200
    assert GENERIC in page and PRECISE not in page
    assert Beneficiary.objects.count() == 1
    log = IdentityAccessLog.objects.get()
    assert (log.user, log.beneficiary, log.action) == (township_b, person, IdentityAccess.FOREIGN_ID_NUMBER)
    note = Notification.objects.get()
    assert note.recipient == office_user
    assert MASKED in note.body and FULL not in note.body + note.title
    # A number registered nowhere answers nothing different from a free one: the person is saved.
    assert _create(client_for(township_b), township_b_unit, valid_id_number()).status_code == 302


def test_a_duplicate_in_the_own_scope_keeps_the_precise_message(client_for, township_a, village_a1, person):
    response = _create(client_for(township_a), village_a1, FULL)
    assert PRECISE in response.content.decode()
    assert not IdentityAccessLog.objects.exists() and not Notification.objects.exists()


def test_the_office_gets_the_precise_message(client_for, office_user, township_b_unit, person):
    assert PRECISE in _create(client_for(office_user), township_b_unit, FULL).content.decode()
    assert not IdentityAccessLog.objects.exists()


def test_editing_a_number_into_another_townships_is_refused_the_same_way(
    client_for, township_b, township_b_unit, person
):
    own = BeneficiaryFactory(org_unit=township_b_unit)
    data = {"name": own.name, "category": own.category_id, "org_unit": township_b_unit.pk, "id_number": FULL}
    response = client_for(township_b).post(reverse("visits:beneficiary_edit", args=[own.pk]), {**data, "version": 1})
    assert GENERIC in response.content.decode() and PRECISE not in response.content.decode()
    own.refresh_from_db()
    assert own.id_number != FULL and own.version == 1
    assert IdentityAccessLog.objects.filter(action=IdentityAccess.FOREIGN_ID_NUMBER, beneficiary=person).count() == 1


def test_ledger_import_answers_generically_and_refuses_a_probing_file(
    client_for, township_b, township_b_unit, office_user, village_a1
):
    foreign = BeneficiaryFactory.create_batch(4, org_unit=village_a1)
    own = BeneficiaryFactory(org_unit=township_b_unit)
    client = client_for(township_b)
    rows = [
        ledger_row(unit="东城街道", id_number=foreign[0].id_number),
        ledger_row(unit="东城街道", id_number=own.id_number),
    ]
    messages = {(r, c): m for r, c, m in errors_of(upload(client, "ledger", xlsx(LEDGER_HEADER, rows)))}
    assert messages[(2, "身份证号")] == GENERIC
    assert PRECISE in messages[(3, "身份证号")]
    assert IdentityAccessLog.objects.filter(user=township_b, action=IdentityAccess.FOREIGN_ID_NUMBER).count() == 1
    assert Notification.objects.filter(recipient=office_user).count() == 1

    # More than three: the whole file is refused, no row says which numbers are registered.
    rows = [ledger_row(unit="东城街道", id_number=p.id_number) for p in foreign] + [ledger_row(unit="东城街道")]
    preview = upload(client, "ledger", xlsx(LEDGER_HEADER, rows))
    errors = errors_of(preview)
    assert len(errors) == 1 and errors[0][0] == 0 and "整个文件不予导入" in errors[0][2]
    assert IdentityAccessLog.objects.filter(action=IdentityAccess.FOREIGN_ID_NUMBER).count() == 1 + 4
    assert Beneficiary.objects.count() == 5


# --- 3. every read of a full record is logged ----------------------------------------------------


def test_opening_the_edit_form_is_a_logged_read(client_for, township_a, person):
    client = client_for(township_a)
    url = reverse("visits:beneficiary_edit", args=[person.pk])
    page = client.get(url).content.decode()
    assert person.phone in page and person.address in page  # the full record is on the page
    log = IdentityAccessLog.objects.get()
    assert (log.user, log.beneficiary, log.action) == (township_a, person, IdentityAccess.VIEW)
    data = {"name": person.name, "category": person.category_id, "org_unit": person.org_unit_id, "id_number": ""}
    assert client.post(url, {**data, "phone": "1", "version": 1}).status_code == 302
    assert IdentityAccessLog.objects.count() == 1  # the save is in the history, not a second read


def test_masked_export_logs_every_exported_person_in_fixed_queries(
    client_for, township_a, village_a1, township_b_unit, django_assert_max_num_queries
):
    mine = BeneficiaryFactory.create_batch(3, org_unit=village_a1)
    BeneficiaryFactory(org_unit=township_b_unit)  # not exported by A, not logged
    client = client_for(township_a)
    client.get(reverse("visits:beneficiary_export"))
    logs = IdentityAccessLog.objects.filter(action=IdentityAccess.EXPORT_MASKED)
    assert sorted(log.beneficiary_id for log in logs) == sorted(p.pk for p in mine)
    assert {log.user for log in logs} == {township_a}
    BeneficiaryFactory.create_batch(40, org_unit=village_a1)
    with django_assert_max_num_queries(10):  # session, user, people, one bulk insert, savepoints
        client.get(reverse("visits:beneficiary_export"))
    assert IdentityAccessLog.objects.filter(action=IdentityAccess.EXPORT_MASKED).count() == 3 + 43


# --- 6. the history table never keeps a full identity number -------------------------------------


def test_history_rows_keep_the_number_masked(client_for, township_a, village_a1, person):
    person.id_number = SECOND
    person.save()
    BeneficiaryFactory(org_unit=village_a1, id_number=THIRD)
    stored = set(Beneficiary.history.values_list("id_number", flat=True))
    assert stored == {MASKED, mask_id_number(SECOND), mask_id_number(THIRD)}
    person.refresh_from_db()
    assert person.id_number == SECOND  # the ledger itself keeps the full number


def test_imported_people_are_masked_in_the_history_too(client_for, township_a, village_a1):
    number = valid_id_number()
    client = client_for(township_a)
    preview = upload(client, "ledger", xlsx(LEDGER_HEADER, [ledger_row(id_number=number)]))
    assert confirm(client, "ledger", preview).status_code == 302
    assert Beneficiary.objects.get().id_number == number
    assert list(Beneficiary.history.values_list("id_number", flat=True)) == [mask_id_number(number)]


def test_the_migration_masks_numbers_already_in_the_history(person):
    from importlib import import_module

    from django.apps import apps

    Beneficiary.history.update(id_number=FULL)  # as a history row written before the fix
    import_module("visits.migrations.0007_id_number_masked_in_history").mask_history(apps, None)
    assert list(Beneficiary.history.values_list("id_number", flat=True)) == [MASKED]


# --- who read the record: shown to the office on the person's page --------------------------------


def test_the_office_sees_who_read_the_record_and_the_township_does_not(client, township_a, office_user, person):
    client.force_login(township_a)
    client.post(reverse("visits:beneficiary_reveal", args=[person.pk]))
    township_page = client.get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()
    assert 'data-testid="access-log"' not in township_page  # a clerk does not audit the office

    client.force_login(office_user)
    page = client.get(reverse("visits:beneficiary_detail", args=[person.pk])).content.decode()
    assert 'data-testid="access-log"' in page
    log = page.split('data-testid="access-log"')[1]
    assert "查看完整身份证号" in log and township_a.display_name in log and "巴川街道" in log
    assert log.count("查看联系对象档案") == 2  # the township's second read and this one
    assert FULL not in page


def test_the_access_log_on_the_page_is_one_query_and_bounded(client, office_user, person, township_a):
    IdentityAccessLog.objects.bulk_create(
        IdentityAccessLog(user=township_a, beneficiary=person, action=IdentityAccess.VIEW) for _ in range(50)
    )
    with CaptureQueriesContext(connection) as queries:
        entries = access_log_of(office_user, person)
    assert len(entries) == ACCESS_LOG_SHOWN and len(queries) == 1
    assert [e.user.org_unit.name for e in entries] == ["巴川街道"] * ACCESS_LOG_SHOWN
