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


def test_demo_pages_render_for_each_role(client):
    from django.urls import reverse

    from shuangyong.models import User

    seed_core()
    seed_visits()
    spring = Campaign.objects.get(year=2027)
    army = Campaign.objects.get(year=2026)
    record = VisitRecord.objects.filter(campaign=spring).first()
    person = Beneficiary.objects.first()
    for username in ("office", "township", "leader", "member", "admin"):
        user = User.objects.get(username=username)
        client.force_login(user)
        urls = [
            reverse("home"),
            reverse("visits:campaign_list"),
            reverse("visits:campaign_detail", args=[army.pk]),
            reverse("visits:campaign_records_export", args=[spring.pk]),
        ]
        if user.org_unit.kind in ("township", "member"):
            urls.append(reverse("visits:unit_return", args=[spring.pk, user.org_unit.pk]))
            urls.append(reverse("visits:record_create", args=[spring.pk, user.org_unit.pk]))
        if username in ("office", "township"):  # the ledger: not for system admins (domain.md §4)
            urls += [reverse("visits:beneficiary_list"), reverse("visits:beneficiary_detail", args=[person.pk])]
        if user.is_office or username == "township":
            urls += [
                reverse("visits:import_upload", args=["visits"]),
                reverse("visits:record_detail", args=[record.pk]),
            ]
        if user.is_office:
            urls += [
                reverse("visits:campaign_duplicates", args=[spring.pk]),
                reverse("visits:campaign_edit", args=[spring.pk]),
                reverse("visits:unit_return", args=[army.pk, record.org_unit.pk]),
            ]
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url, response.status_code)
