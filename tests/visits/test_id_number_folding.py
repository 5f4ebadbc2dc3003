"""Identity numbers are folded to ASCII (NFKC) before anything else, wherever they enter.

The attack registered ５００２２４… (full-width) and ٥٠٠٢٢٤… (Arabic-Indic) numbers beside the ASCII
ones, bypassing the county-wide uniqueness, and crashed the form with 50022419700101²23X (a 500
from int('²')). One function, ``visits.validators.normalize_id_number``, folds every number: the
ledger form, the model field (full_clean and every save), the ledger and visit imports, and the
record form's person search.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.visits.factories import BeneficiaryFactory
from tests.visits.test_import import HEADER, LEDGER_HEADER, confirm, errors_of, ledger_row, upload, visit_row, xlsx
from visits.models import Beneficiary, BeneficiaryCategory, VisitRecord
from visits.validators import id_number_error, normalize_id_number

pytestmark = pytest.mark.django_db

ASCII = "50022419800101118X"
FULL_WIDTH = "５００２２４１９８００１０１１１８Ｘ"
ARABIC_INDIC = "٥٠٠٢٢٤١٩٨٠٠١٠١١١٨X"
SUPERSCRIPT = "50022419700101²23X"


def test_full_width_folds_to_the_same_number():
    assert normalize_id_number(FULL_WIDTH) == ASCII
    assert normalize_id_number(" ５００２２４ １９８００１０１１１８ｘ\u3000") == ASCII


@pytest.mark.parametrize("value", [ARABIC_INDIC, "５００２２４１９８００１０１١١٨X", "50022419800101118\u0130"])
def test_digits_that_are_not_ascii_after_folding_are_refused(value):
    assert "前 17 位应为数字" in (id_number_error(normalize_id_number(value)) or "")


def test_superscript_is_an_answer_not_a_crash():
    assert id_number_error(normalize_id_number(SUPERSCRIPT)) is not None  # folds to …01223X: a wrong check digit
    assert id_number_error("50022419700101²23X") is not None  # even unfolded: no int('²')


def _form(unit, number):
    category = BeneficiaryCategory.objects.first()
    return {
        "name": "李四",
        "category": category.pk,
        "org_unit": unit.pk,
        "phone": "",
        "address": "",
        "id_number": number,
    }


@pytest.mark.parametrize("number", [FULL_WIDTH, ARABIC_INDIC, SUPERSCRIPT])
def test_the_ledger_form_never_registers_a_twin_nor_crashes(client_for, office_user, village_a1, number):
    BeneficiaryFactory(name="王建国", id_number=ASCII, org_unit=village_a1)
    response = client_for(office_user).post(reverse("visits:beneficiary_create"), _form(village_a1, number))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert list(Beneficiary.objects.values_list("id_number", flat=True)) == [ASCII]


def test_a_full_width_number_is_stored_in_ascii(client_for, township_a, village_a1):
    response = client_for(township_a).post(reverse("visits:beneficiary_create"), _form(village_a1, FULL_WIDTH))
    assert response.status_code == 302
    assert Beneficiary.objects.get().id_number == ASCII


def test_the_model_field_folds_on_every_write(village_a1):
    person = BeneficiaryFactory.build(id_number=FULL_WIDTH, org_unit=village_a1)
    person.category = BeneficiaryCategory.objects.first()
    person.full_clean()
    assert person.id_number == ASCII
    other = BeneficiaryFactory(id_number="４４０５２４１９８００１０１００１３", org_unit=village_a1)
    other.refresh_from_db()
    assert other.id_number == "440524198001010013"


def test_the_ledger_import_folds_and_refuses_the_twin(client_for, township_a, village_a1):
    BeneficiaryFactory(id_number=ASCII, org_unit=village_a1)
    rows = [ledger_row(id_number=FULL_WIDTH), ledger_row(id_number=ARABIC_INDIC), ledger_row(id_number=SUPERSCRIPT)]
    preview = upload(client_for(township_a), "ledger", xlsx(LEDGER_HEADER, rows))
    assert preview.status_code == 200
    messages = {(r, c): m for r, c, m in errors_of(preview)}
    assert "已登记" in messages[(2, "身份证号")]
    assert "前 17 位应为数字" in messages[(3, "身份证号")]
    assert "校验位" in messages[(4, "身份证号")]
    assert Beneficiary.objects.count() == 1


def test_the_ledger_import_stores_ascii(client_for, township_a, village_a1):
    client = client_for(township_a)
    preview = upload(client, "ledger", xlsx(LEDGER_HEADER, [ledger_row(id_number=FULL_WIDTH)]))
    assert errors_of(preview) == []
    assert confirm(client, "ledger", preview).status_code == 302
    assert Beneficiary.objects.get().id_number == ASCII


def test_the_visit_import_finds_the_person_by_a_full_width_number(frozen, client_for, township_a, campaign, village_a1):
    person = BeneficiaryFactory(id_number=ASCII, org_unit=village_a1)
    client = client_for(township_a)
    row = visit_row(**{"联系对象身份证号": FULL_WIDTH})
    preview = upload(client, "visits", xlsx(HEADER, [row]), campaign=campaign)
    assert errors_of(preview) == []
    assert confirm(client, "visits", preview).status_code == 302
    assert VisitRecord.objects.get().beneficiary == person


def test_the_person_search_folds_the_last_four(client_for, township_a, township_a_unit, village_a1):
    person = BeneficiaryFactory(name="王建国", id_number=ASCII, org_unit=village_a1)
    url = reverse("visits:person_search", args=[township_a_unit.pk])
    for query in ("118X", "１１８Ｘ", "118x"):
        results = client_for(township_a).get(url, {"q": query}).json()["results"]
        assert [r["id"] for r in results] == [person.pk], query
