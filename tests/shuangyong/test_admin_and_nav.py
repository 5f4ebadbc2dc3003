import pytest
from django.urls import reverse

from shuangyong import navigation
from shuangyong.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_manages_units_and_users_in_chinese(client_for, county, township_a_unit):
    admin = UserFactory(org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_for(admin)
    units = client.get(reverse("admin:shuangyong_orgunit_changelist")).content.decode()
    assert "组织单位" in units and "巴川街道" in units
    users = client.get(reverse("admin:shuangyong_user_changelist")).content.decode()
    assert "用户" in users and "角色" in users
    add = client.get(reverse("admin:shuangyong_orgunit_add"))
    assert add.status_code == 200 and "上级单位" in add.content.decode()


def test_non_staff_cannot_open_the_admin(client_for, office_user):
    response = client_for(office_user).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_navigation_depends_on_the_role(client_for, office_user, township_a, monkeypatch):
    monkeypatch.setattr(navigation._registry, "nav", dict(navigation._registry.nav))
    navigation.register_nav("仅双拥办可见", "unit_list", roles=[Role.OFFICE], order=1)
    assert "仅双拥办可见" in client_for(office_user).get(reverse("home")).content.decode()
    assert "仅双拥办可见" not in client_for(township_a).get(reverse("home")).content.decode()
