import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_the_users_unit_and_role(client_for, township_a):
    html = client_for(township_a).get(reverse("home")).content.decode()
    assert "巴川街道" in html and "乡镇填报员" in html
    assert 'lang="zh-hans"' in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html


def test_bootstrap_is_served_by_the_site(client_for, township_a):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/js/bootstrap.bundle.min.js")


def test_settings_are_chinese_and_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_demo_data_loads_twice_without_change(db):
    from shuangyong.demo import seed_all
    from shuangyong.models import OrgUnit, OrgUnitKind, Role, User

    seed_all()
    counts = (OrgUnit.objects.count(), User.objects.count())
    seed_all()
    assert (OrgUnit.objects.count(), User.objects.count()) == counts
    county = OrgUnit.objects.below(OrgUnit.objects.get(code="tl"))
    assert county.filter(kind=OrgUnitKind.TOWNSHIP).count() == 10
    assert county.filter(kind=OrgUnitKind.MEMBER_UNIT).count() == 8
    assert county.filter(kind=OrgUnitKind.TROOP).count() == 3
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
