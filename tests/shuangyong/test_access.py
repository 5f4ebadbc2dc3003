"""The one scoping mechanism, seen through the unit pages of the core app."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, township_a_unit):
    response = client.get(reverse("unit_detail", args=[township_a_unit.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_township_user_sees_own_unit_and_villages_only(client_for, township_a, village_a1, township_b_unit):
    client = client_for(township_a)
    assert client.get(reverse("unit_detail", args=[township_a.org_unit.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[village_a1.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[township_b_unit.pk])).status_code == 404
    listed = client.get(reverse("unit_list")).content.decode()
    assert "玉泉社区" in listed and "东城街道" not in listed


def test_township_user_cannot_change_another_township(client_for, township_a, township_b_unit):
    response = client_for(township_a).post(
        reverse("unit_contact_edit", args=[township_b_unit.pk]), {"contact_person": "x", "contact_phone": "1"}
    )
    assert response.status_code == 404
    township_b_unit.refresh_from_db()
    assert township_b_unit.contact_person == ""


def test_township_user_changes_own_contact_and_history_is_kept(client_for, township_a):
    unit = township_a.org_unit
    response = client_for(township_a).post(
        reverse("unit_contact_edit", args=[unit.pk]),
        {"contact_person": "李强", "contact_phone": "13800000000", "version": unit.version},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.contact_person == "李强"
    latest = unit.history.latest()
    assert latest.history_user == township_a and latest.contact_phone == "13800000000"


def test_office_sees_and_changes_every_unit(client_for, office_user, township_b_unit):
    client = client_for(office_user)
    assert client.get(reverse("unit_detail", args=[township_b_unit.pk])).status_code == 200
    response = client.post(
        reverse("unit_contact_edit", args=[township_b_unit.pk]),
        {"contact_person": "赵敏", "contact_phone": "13800000000", "version": township_b_unit.version},
    )
    assert response.status_code == 302


def test_leader_reads_but_every_write_is_403(client_for, leader, township_b_unit):
    client = client_for(leader)
    assert client.get(reverse("unit_detail", args=[township_b_unit.pk])).status_code == 200
    response = client.post(
        reverse("unit_contact_edit", args=[township_b_unit.pk]), {"contact_person": "x", "contact_phone": "1"}
    )
    assert response.status_code == 403
    assert "领导账号只能查看" in response.content.decode()


def test_leader_may_still_log_out(client_for, leader):
    client = client_for(leader)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_user_of_an_inactive_unit_sees_nothing(client_for, township_a):
    unit = township_a.org_unit
    unit.is_active = False
    unit.save()
    assert client_for(township_a).get(reverse("unit_detail", args=[unit.pk])).status_code == 404


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("023-45678901", "023-45678901"),
        ("１３８００００００００", "13800000000"),
        ("(023)4567 8901转801", "(023)4567 8901转801"),
    ],
)
def test_a_unit_phone_is_a_phone_number(client_for, office_user, township_b_unit, typed, saved):
    url = reverse("unit_contact_edit", args=[township_b_unit.pk])
    client = client_for(office_user)
    response = client.post(url, {"contact_person": "赵敏", "contact_phone": typed, "version": township_b_unit.version})
    assert response.status_code == 302
    township_b_unit.refresh_from_db()
    assert township_b_unit.contact_phone == saved


@pytest.mark.parametrize("typed", ["abc-!!", "1", "<script>", "电话见群"])
def test_a_unit_phone_that_is_no_number_is_refused_at_the_field(client_for, office_user, township_b_unit, typed):
    url = reverse("unit_contact_edit", args=[township_b_unit.pk])
    response = client_for(office_user).post(
        url, {"contact_person": "赵敏", "contact_phone": typed, "version": township_b_unit.version}
    )
    assert response.status_code == 200
    assert "请填写电话号码" in str(response.context["form"].errors["contact_phone"])
    township_b_unit.refresh_from_db()
    assert township_b_unit.contact_phone == ""
