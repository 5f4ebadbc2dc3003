"""The dashboard is computed once per scope and role for a short while, never shared across scopes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboard import cached_dashboard_for
from shuangyong.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_second_look_reuses_the_figures(leader, django_assert_num_queries):
    first = cached_dashboard_for(leader, campaign=None)
    with django_assert_num_queries(0):
        again = cached_dashboard_for(leader, campaign=None)
    assert again.computed_at == first.computed_at


def test_another_scope_or_role_is_computed_for_itself(leader, office_user, township_a_unit):
    cached_dashboard_for(leader, campaign=None)
    township_leader = UserFactory(org_unit=township_a_unit, role=Role.LEADER)
    for other in (township_leader, office_user):
        with CaptureQueriesContext(connection) as queries:
            cached_dashboard_for(other, campaign=None)
        assert len(queries) > 0, other


def test_the_page_is_served_from_the_cache_the_second_time(client_for, leader, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    client = client_for(leader)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("reports:dashboard"))
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    assert len(second) < len(first)
