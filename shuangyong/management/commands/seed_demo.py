from typing import Any

from django.core.management.base import BaseCommand

from shuangyong.demo import demo_definition, seed_all


class Command(BaseCommand):
    help = "载入演示数据（可重复运行）：一个区县、乡镇街道、成员单位、驻地部队和每个角色的演示账号。"

    def handle(self, *args: Any, **options: Any) -> None:
        seed_all()
        data = demo_definition()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {data['password']}）："))
        for u in data["users"]:
            self.stdout.write(f"  {u['username']:<10} {u['full_name']}")
