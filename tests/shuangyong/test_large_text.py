"""大字模式: the header switch is kept on the account and applied server-side on every page
(a class on <html> in the HTML itself, so nothing flashes small first)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LARGE = '<html lang="zh-hans" class="sy-large-text">'


def _switch(client, on: bool, next_url: str = "/tasks/"):
    return client.post(reverse("large_text_switch"), {"large_text": "1" if on else "0", "next": next_url})


@pytest.mark.parametrize("page", ["home", "tasks:task_board", "visits:beneficiary_list", "reports:index", "unit_list"])
def test_the_switch_is_kept_on_the_account_and_every_page_is_large(client_for, township_a, page):
    client = client_for(township_a)
    assert LARGE not in client.get(reverse(page)).content.decode()
    response = _switch(client, True)
    assert response.status_code == 302 and response["Location"] == "/tasks/"  # back where it was pressed
    township_a.refresh_from_db()
    assert township_a.large_text
    html = client.get(reverse(page)).content.decode()
    assert LARGE in html
    assert 'aria-pressed="true"' in html and "大字模式：开" in html
    _switch(client, False)
    township_a.refresh_from_db()
    assert not township_a.large_text
    assert LARGE not in client.get(reverse(page)).content.decode()


def test_a_leader_may_switch_it_although_leaders_change_nothing_else(client_for, leader):
    response = _switch(client_for(leader), True)
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.large_text


def test_the_switch_returns_only_to_this_site_and_writes_no_history(client_for, township_a):
    client = client_for(township_a)  # logging in writes last_login (and a history row) first
    before = township_a.history.count()
    response = _switch(client, True, next_url="https://evil.example.com/")
    assert response["Location"] == reverse("home")
    assert township_a.history.count() == before


def test_the_switch_is_post_only_and_needs_login(client_for, township_a):
    assert client_for(township_a).get(reverse("large_text_switch")).status_code == 405
    response = Client().post(reverse("large_text_switch"), {"large_text": "1"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
