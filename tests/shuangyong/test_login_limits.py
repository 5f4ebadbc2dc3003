"""Login limits as the attack tried them, and the real client address behind nginx.

- 24 wrong passwords over 6 accounts from one address locked nothing: now the address is locked
  after AXES_IP_FAILURE_LIMIT (20) wrong passwords, whatever the user names;
- anyone could lock any account for 30 minutes with 5 requests: now a user name is locked per
  address, and its owner still logs in from the office;
- behind nginx every request came from 127.0.0.1: the client address is taken from
  X-Forwarded-For, only when the request came from a trusted proxy.
"""

from __future__ import annotations

import pytest
from axes.checks import axes_lockout_params_check
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.test import Client
from django.urls import reverse

from shuangyong.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFICE_NAT = "10.20.30.40"
ATTACKER = "203.0.113.9"


def attempt(username: str, password: str, *, address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(township_a, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(township_a.username, "wrong-password", address=ATTACKER)
    locked = attempt(township_a.username, password, address=ATTACKER)
    assert locked.status_code == 429 and "账号已锁定" in locked.content.decode()
    owner = attempt(township_a.username, password, address=OFFICE_NAT)
    assert owner.status_code == 302  # the owner, from the office, logs in


def test_one_address_guessing_across_accounts_is_locked(county, password):
    accounts = [UserFactory(org_unit=county, role=Role.OFFICE) for _ in range(6)]
    for i in range(24):
        response = attempt(accounts[i % 6].username, "Guess-123456", address=ATTACKER)
        assert response.status_code in (200, 429)
    # Fewer than 5 per account, yet the address is locked: even a right password is refused there.
    refused = attempt(accounts[0].username, password, address=ATTACKER)
    assert refused.status_code == 429
    assert attempt(accounts[0].username, password, address=OFFICE_NAT).status_code == 302


def test_a_colleague_mistyping_does_not_lock_the_shared_office_address(county, township_a, password):
    colleagues = [UserFactory(org_unit=township_a.org_unit, role=Role.TOWNSHIP_STAFF) for _ in range(4)]
    for colleague in colleagues:
        for _ in range(3):
            attempt(colleague.username, "typo-typo-typo", address=OFFICE_NAT)
    assert attempt(township_a.username, password, address=OFFICE_NAT).status_code == 302


def test_behind_nginx_the_client_address_is_recorded(township_a, password):
    attempt(township_a.username, "wrong-password", address="127.0.0.1", forwarded="198.51.100.7")
    assert AccessFailureLog.objects.get().ip_address == "198.51.100.7"
    assert AccessAttempt.objects.filter(ip_address="198.51.100.7").exists()
    attempt(township_a.username, password, address="127.0.0.1", forwarded="198.51.100.7")
    assert AccessLog.objects.get().ip_address == "198.51.100.7"


def test_a_forged_header_is_believed_only_as_far_as_the_trusted_proxy_wrote_it(township_a):
    # The client wrote "1.1.1.1"; nginx appended the real peer: the rightmost untrusted address wins.
    attempt(township_a.username, "wrong-password", address="127.0.0.1", forwarded="1.1.1.1, 198.51.100.8")
    # A client talking to the portal directly cannot choose its address with the header.
    attempt(township_a.username, "wrong-password", address=ATTACKER, forwarded="1.1.1.1")
    assert sorted(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["198.51.100.8", ATTACKER]


def test_the_lockout_parameters_include_the_address_and_no_check_is_silenced():
    assert "axes.W006" not in settings.SILENCED_SYSTEM_CHECKS
    assert axes_lockout_params_check(None) == []
