"""Issue 14, point 10 (the smaller findings), as the attack did them."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from tasks.models import Milestone, TaskStatus
from tests.tasks.factories import TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory
from visits.models import Campaign, ContactLog, Difficulty
from visits.services import contact_log_create

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01"
BASE = Path(settings.BASE_DIR)


@pytest.fixture
def person(village_a1):
    return BeneficiaryFactory(org_unit=village_a1)


def test_a_contact_log_of_year_one_is_refused(client_for, township_a, person):
    data = {"date": YEAR_ONE, "way": "home_visit", "contacted_by": "李强", "content": "走访"}
    response = client_for(township_a).post(reverse("visits:contact_create", args=[person.pk]), data, follow=True)
    assert "日期超出合理范围" in response.content.decode()
    assert not ContactLog.objects.exists()
    with pytest.raises(ValidationError):
        contact_log_create(
            user=township_a, beneficiary=person, date=dt.date(1, 1, 1), way="home_visit", contacted_by="x", content="x"
        )
    assert not ContactLog.objects.exists()


def test_a_difficulty_of_year_one_is_refused(client_for, township_a, person):
    data = {"kind": "schooling", "description": "入学", "raised_on": YEAR_ONE, "state": "open"}
    response = client_for(township_a).post(reverse("visits:difficulty_create", args=[person.pk]), data, follow=True)
    assert "日期超出合理范围" in response.content.decode()
    assert not Difficulty.objects.exists()


@pytest.mark.parametrize("field", ["visit_start", "visit_end", "return_deadline"])
def test_a_campaign_date_of_year_one_is_refused_at_its_field(client_for, office_user, township_a_unit, field):
    data = {
        "year": "2027",
        "kind": "army_day",
        "title": "2027年八一走访慰问",
        "visit_start": "2027-07-15",
        "visit_end": "2027-08-10",
        "return_deadline": "2027-08-14",
        "expected_units": [township_a_unit.pk],
        field: YEAR_ONE,
    }
    response = client_for(office_user).post(reverse("visits:campaign_create"), data)
    assert response.status_code == 200
    assert "日期超出合理范围" in " ".join(response.context["form"].errors[field])
    assert not Campaign.objects.exists()


def test_a_campaign_of_year_one_is_refused(client_for, office_user, township_a_unit):
    data = {
        "year": "1",
        "kind": "army_day",
        "title": "八一走访慰问",
        "visit_start": "2027-07-15",
        "visit_end": "2027-08-10",
        "return_deadline": "2027-08-14",
        "expected_units": [township_a_unit.pk],
    }
    response = client_for(office_user).post(reverse("visits:campaign_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["year"]
    assert not Campaign.objects.exists()


def test_no_milestone_on_a_completed_task(client_for, office_user, county, township_a, township_a_unit):
    task = TaskFactory(
        plan=WorkPlanFactory(owner_unit=county, created_by=office_user), lead_unit=township_a_unit, deadline=None
    )
    done = Milestone.objects.create(task=task, title="已完成的节点", deadline=dt.date(2027, 3, 1), done=True)
    task.status = TaskStatus.DONE
    task.save()
    client = client_for(township_a)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert "添加节点" not in page
    response = client.post(
        reverse("tasks:milestone_create", args=[task.pk]), {"title": "追加", "deadline": "2027-06-30"}, follow=True
    )
    assert "任务已完成，不能再添加节点" in response.content.decode()
    assert list(task.milestones.all()) == [done]
    response = client.post(reverse("tasks:milestone_toggle", args=[done.pk]), follow=True)
    assert response.status_code == 200 and "节点不能再修改" in response.content.decode()
    done.refresh_from_db()
    assert done.done


def test_search_text_never_reaches_an_access_log():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", BASE / "deploy" / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    # %(r)s is the request line and %(q)s the query string: both carry "?q=<what was typed>".
    assert "%(r)s" not in conf.access_log_format and "%(q)s" not in conf.access_log_format
    assert "%(U)s" in conf.access_log_format
    nginx = (BASE / "deploy" / "nginx" / "shuangyong.conf").read_text(encoding="utf-8")
    assert "log_format shuangyong" in nginx and "$request_method $uri" in nginx
    assert "access_log /var/log/nginx/shuangyong.access.log shuangyong;" in nginx
    log_format = nginx.split("log_format shuangyong", 1)[1].split(";", 1)[0]
    assert "$request " not in log_format and "$request_uri" not in log_format and "$args" not in log_format


def test_the_readme_says_who_may_export_full_numbers_as_the_code_does(client_for, township_a, person):
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    assert "含完整身份证号的导出只限双拥办" in readme
    assert "完整导出只限本乡镇和双拥办" not in readme
    response = client_for(township_a).post(reverse("visits:beneficiary_export"), {"full": "1"})
    assert response.status_code == 403
