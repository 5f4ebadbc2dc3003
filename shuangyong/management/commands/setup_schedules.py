"""Create the periodic tasks of Celery beat (django-celery-beat), idempotently.

An existing entry keeps the schedule and on/off switch the office may have changed in the
admin (周期任务); only its task path is kept right. ``--reset`` restores the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    minute: str
    hour: str
    description: str


SCHEDULES = [
    Schedule(
        name="到期提醒扫描",
        task="shuangyong.jobs.scan_reminders",
        minute="*/10",
        hour="*",
        description="每 10 分钟：生成当天应发的到期、逾期、升级提醒（每条只发一次），发送待发邮件。",
    ),
    Schedule(
        name="每日逾期汇总",
        task="shuangyong.jobs.send_daily_digest",
        minute="30",
        hour="8",
        description=(
            "每天 8:30（北京时间）：补发当天的提醒邮件（每人一封）、双拥办逾期汇总和群机器人消息"
            "（扫描在汇总时间后也会发，只发一次）。"
        ),
    ),
]


class Command(BaseCommand):
    help = "创建或更新 Celery beat 周期任务（可重复运行；之后可在管理后台“周期任务”中修改）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="把已有周期任务的时间表恢复为默认值")

    @transaction.atomic
    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        for item in SCHEDULES:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=item.minute,
                hour=item.hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            task = PeriodicTask.objects.filter(name=item.name).first()
            if task is None:
                PeriodicTask.objects.create(
                    name=item.name, task=item.task, crontab=crontab, description=item.description, enabled=True
                )
                self.stdout.write(f"已创建周期任务：{item.name}")
                continue
            task.task = item.task
            fields = ["task"]
            if reset:
                task.crontab, task.interval, task.solar, task.clocked = crontab, None, None, None
                task.enabled, task.description = True, item.description
                fields += ["crontab", "interval", "solar", "clocked", "enabled", "description"]
            task.save(update_fields=fields)
            self.stdout.write(f"{'已重置' if reset else '已存在，保留后台设置'}：{item.name}")
