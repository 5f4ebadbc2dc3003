"""Celery beat entries (django-celery-beat), the Celery app's broker folders and its tasks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from shuangyong.celery import app, ensure_broker_folders

pytestmark = pytest.mark.django_db


def test_setup_schedules_is_idempotent_and_keeps_admin_changes():
    call_command("setup_schedules")
    call_command("setup_schedules")
    tasks = {t.name: t for t in PeriodicTask.objects.all()}
    assert set(tasks) == {"到期提醒扫描", "每日逾期汇总"}
    assert tasks["到期提醒扫描"].task == "shuangyong.jobs.scan_reminders"
    assert tasks["每日逾期汇总"].crontab.hour == "8" and str(tasks["每日逾期汇总"].crontab.timezone) == "Asia/Shanghai"

    # The office moves the digest to 7:00 in the admin; running the command again keeps it.
    seven, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="7", timezone="Asia/Shanghai")
    PeriodicTask.objects.filter(name="每日逾期汇总").update(crontab=seven, enabled=False)
    call_command("setup_schedules")
    digest = PeriodicTask.objects.get(name="每日逾期汇总")
    assert digest.crontab == seven and not digest.enabled

    call_command("setup_schedules", "--reset")
    digest.refresh_from_db()
    assert digest.crontab.hour == "8" and digest.enabled
    assert PeriodicTask.objects.count() == 2


def test_scheduled_task_names_are_registered_celery_tasks():
    call_command("setup_schedules")
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the jobs modules
    for task in PeriodicTask.objects.all():
        assert task.task in app.tasks, task.task


def test_filesystem_broker_folders_are_created(tmp_path):
    folders = {
        k: str(tmp_path / k) for k in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
    }
    sender = SimpleNamespace(conf=SimpleNamespace(broker_url="filesystem://", broker_transport_options=folders))
    ensure_broker_folders(sender)
    assert all((tmp_path / k).is_dir() for k in folders)


def test_the_filesystem_broker_keeps_its_folders_under_var(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.REDIS_URL:
        pytest.skip("Redis broker")
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        assert options[key].startswith(str(settings.VAR_DIR)), key


def test_redis_broker_creates_no_folders(tmp_path):
    options = {"data_folder_in": str(tmp_path / "in")}
    sender = SimpleNamespace(conf=SimpleNamespace(broker_url="redis://x:6379/0", broker_transport_options=options))
    ensure_broker_folders(sender)
    assert not (tmp_path / "in").exists()


def test_scan_job_runs_the_scan(source, village_a1, township_a_unit, township_a, travel):
    from shuangyong.jobs import scan_reminders
    from tests.reminders.conftest import DEADLINE, at

    source.add(obj=village_a1, unit=township_a_unit)
    travel(at(DEADLINE))
    assert scan_reminders.delay().get()["reminders_created"] == 1
    assert scan_reminders.delay().get()["reminders_created"] == 0


def test_tasks_are_late_acknowledged_and_requeued_if_the_worker_dies():
    task = app.tasks["shuangyong.jobs.scan_reminders"]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
