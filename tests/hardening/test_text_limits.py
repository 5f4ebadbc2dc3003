"""Every free-text field has a length that fits its use, enforced on every write path.

The attack stored 10,000+ characters in task fields and a 40 MB 备注 (then served 84 MB of HTML).
One mechanism: ``shuangyong.fields.BoundedTextField`` (a TextField whose limit ``full_clean``
checks, like a CharField's), and every form's CharField carries a max_length.
"""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

import evaluation.forms
import reports.forms
import shuangyong.forms
import tasks.forms
import visits.forms
from shuangyong.fields import LONG_TEXT, NOTE, TEXT, BoundedTextField
from tasks.models import ProgressReport, Task
from tasks.services import progress_report_create
from tests.tasks.factories import TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory
from visits.models import Beneficiary

pytestmark = pytest.mark.django_db

OUR_APPS = {"shuangyong", "tasks", "visits", "reports", "evaluation"}


def test_every_text_field_of_every_model_is_bounded_and_validated():
    unbounded = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                ok = (
                    isinstance(field, BoundedTextField)
                    and field.max_length
                    and any(isinstance(v, MaxLengthValidator) for v in field.validators)
                )
                if not ok:
                    unbounded.append(f"{model._meta.label}.{field.name}")
            elif isinstance(field, models.CharField) and not field.max_length:
                unbounded.append(f"{model._meta.label}.{field.name}")
    assert unbounded == []


def _form_classes():
    for module in (shuangyong.forms, tasks.forms, visits.forms, reports.forms, evaluation.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_input_of_every_form_has_a_max_length():
    missing = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.CharField) and not field.max_length:
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []


def test_the_limits_fit_their_use():
    assert Task._meta.get_field("text").max_length == LONG_TEXT
    assert ProgressReport._meta.get_field("text").max_length == TEXT
    assert Beneficiary._meta.get_field("notes").max_length == TEXT
    assert NOTE <= TEXT <= LONG_TEXT


def test_task_edit_refuses_ten_thousand_characters_at_the_field(client_for, office_user, county, township_a_unit):
    task = TaskFactory(plan=WorkPlanFactory(owner_unit=county, created_by=office_user), section=None, text="原文")
    data = {"title": "任务", "text": "长" * 10_001, "lead_unit": township_a_unit.pk, "version": task.version}
    response = client_for(office_user).post(reverse("tasks:task_edit", args=[task.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    task.refresh_from_db()
    assert task.text == "原文" and task.history.count() == 1


def test_a_service_refuses_it_too_whatever_called_it(county, office_user, township_a, township_a_unit):
    task = TaskFactory(plan=WorkPlanFactory(owner_unit=county, created_by=office_user), lead_unit=township_a_unit)
    with pytest.raises(ValidationError) as refused:
        progress_report_create(user=township_a, task=task, report_date=dt.date(2027, 3, 1), text="进" * (TEXT + 1))
    assert "text" in refused.value.message_dict
    assert not ProgressReport.objects.exists()


def test_the_ledger_notes_are_bounded_at_the_model(village_a1):
    person = BeneficiaryFactory(org_unit=village_a1)
    person.notes = "备" * (40 * 1024 * 1024 // 3)  # the attack's 40 MB 备注
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "notes" in refused.value.message_dict
