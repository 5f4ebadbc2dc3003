"""The demo seeder: campaigns, a ledger with valid identity numbers, returns in several states; idempotent."""

import pytest

from shuangyong.demo import seed_core
from visits.demo import seed_visits
from visits.models import Beneficiary, Campaign, Return, ReturnStatus, VisitRecord
from visits.validators import id_number_error

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_covers_every_state():
    seed_core()
    seed_visits()
    models = (Campaign, Beneficiary, VisitRecord, Return)
    counts = [m.objects.count() for m in models]
    seed_visits()
    assert counts == [m.objects.count() for m in models]
    assert set(Campaign.objects.values_list("year", "kind")) == {(2026, "army_day"), (2027, "spring")}
    assert Beneficiary.objects.count() == 30
    assert all(id_number_error(n) is None for n in Beneficiary.objects.values_list("id_number", flat=True))
    states = set(Return.objects.values_list("status", flat=True))
    assert states == {ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED, ReturnStatus.RETURNED}
    assert Return.objects.filter(no_visits=True, status=ReturnStatus.SUBMITTED).exists()
