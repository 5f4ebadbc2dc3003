"""A button's address opened as a page: after a login that timed out while a button was pressed,
login's ?next= sends the browser to the button's address with a GET."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_button_address_opened_as_a_page_explains_itself_in_chinese(client, township_a):
    url = reverse("notification_read_all")
    response = client.post(url)  # the session ran out: to the login page, back here after it
    assert response.status_code == 302 and "next=" in response.url
    client.force_login(township_a)
    response = client.get(url)
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "请从页面上的按钮操作" in page and "再点一次按钮" in page and reverse("home") in page


def test_other_answers_are_left_alone(client, township_a):
    client.force_login(township_a)
    assert client.post(reverse("notification_read_all")).status_code == 302
    assert client.get(reverse("home")).status_code == 200
