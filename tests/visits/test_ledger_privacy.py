"""The security review of the ledger: system admins, probing other townships' numbers, logged reads."""

import pytest
from django.contrib import admin
from django.urls import reverse

from shuangyong.models import Role
from tests.factories import UserFactory
from tests.visits.factories import BeneficiaryFactory
from visits.models import Beneficiary, IdentityAccessLog

pytestmark = pytest.mark.django_db

FULL = "50022419800101118X"
MASKED = "500224********118X"


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
