"""``manage.py generate_scale_data --scope county|province --seed N``: deterministic bulk data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from scale.generator import BATCH_SIZE, ScaleDataExists, ScaleGenerator, ScalePlan

DEFAULT_PASSWORD = "Shuangyong@2026"  # noqa: S105 — the demo password, printed in the README


class Command(BaseCommand):
    help = (
        "生成规模测试数据（同一种子生成完全相同的数据）。county：一个区县；province：1 省 10 市 100 县、"
        "100 万联系对象、200 万走访记录。账号：<单位代码>（乡镇、成员单位、部队）、<区县代码>-office、"
        "<区县代码>-leader，密码见 --password。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", choices=["county", "province"], default="county")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有生成账号的密码")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        # Overrides of the scope's defaults (per county), for quick runs and tests.
        for name, helptext in [
            ("cities", "市的数量（province）"),
            ("counties-per-city", "每个市的区县数（province）"),
            ("townships", "每个区县的乡镇街道数"),
            ("members", "每个区县的成员单位数"),
            ("troops", "每个区县的驻地部队数"),
            ("villages", "每个乡镇的村社区数"),
            ("beneficiaries", "每个区县的联系对象数"),
            ("visits", "每个区县每次活动的走访记录数"),
            ("tasks", "每个区县的任务数"),
            ("dual-list", "每个区县的双清单事项数"),
        ]:
            parser.add_argument(f"--{name}", type=int, help=helptext)

    def handle(self, *args: Any, **options: Any) -> None:
        base = ScalePlan.province() if options["scope"] == "province" else ScalePlan.county()
        overrides = {
            "townships_per_county": options["townships"],
            "members_per_county": options["members"],
            "troops_per_county": options["troops"],
            "villages_per_township": options["villages"],
            "beneficiaries_per_county": options["beneficiaries"],
            "visits_per_campaign_per_county": options["visits"],
            "tasks_per_county": options["tasks"],
            "dual_list_items_per_county": options["dual_list"],
        }
        if options["scope"] == "province":
            overrides |= {"cities": options["cities"], "counties_per_city": options["counties_per_city"]}
        if any(v is not None and v < 0 for v in overrides.values()):
            raise CommandError("数量不能为负数。")
        plan = base.with_overrides(**overrides)
        if plan.townships_per_county + plan.members_per_county == 0:
            raise CommandError("每个区县至少需要一个乡镇或成员单位。")
        generator = ScaleGenerator(
            plan,
            seed=options["seed"],
            password=options["password"],
            batch_size=options["batch_size"],
            log=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
        )
        try:
            totals = generator.run()
        except ScaleDataExists as exc:
            raise CommandError(str(exc)) from exc
        if connection.vendor == "postgresql":
            # Millions of rows just arrived: without fresh statistics the planner guesses and,
            # e.g., scans all beneficiaries for one township's ledger (≈200 ms instead of <1 ms).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        summary = "，".join(f"{k} {v:,}" for k, v in totals.items())
        self.stdout.write(self.style.SUCCESS(f"规模数据已生成（种子 {options['seed']}）：{summary}"))
