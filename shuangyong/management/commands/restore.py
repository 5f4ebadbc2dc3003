"""``manage.py restore ARCHIVE``: load a ``manage.py backup`` archive into an EMPTY portal.

It refuses a database that already has users or organisation units (a restore must never merge
into, or silently replace, live data) and a JSON dump made at another migration state (restore
with the code version that made the backup, then ``migrate``). Files go back into the configured
upload storage under their original names.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import override_settings

from shuangyong.management.commands.backup import (
    ARCHIVE_VERSION,
    JSON_DUMP,
    MANIFEST,
    PG_DUMP,
    UPLOADS,
    applied_migrations,
    pg_environment,
)
from shuangyong.models import OrgUnit, User


class Command(BaseCommand):
    help = "把 manage.py backup 生成的 .tar.gz 恢复到空数据库（含上传文件）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias: str = options["database"]
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        self._require_empty(alias)
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
            manifest = self._manifest(tar)
            files: list[str] = manifest["files"]
            self._require_no_files(files)
            dump_name = JSON_DUMP if manifest["format"] == "json" else PG_DUMP
            tar.extract(dump_name, tmp, filter="data")
            dump = Path(tmp) / dump_name
            if manifest["format"] == "json":
                self._load_json(alias, dump, manifest)
            else:
                self._pg_restore(alias, dump)
            for name in files:
                member = tar.extractfile(UPLOADS + name)
                if member is None:
                    raise CommandError(f"备份文件不完整：缺少上传文件 {name}")
                saved = default_storage.save(name, member)
                if saved != name:
                    raise CommandError(f"上传文件 {name} 被存为 {saved}：存储中已有同名文件")
        if connections[alias].vendor == "postgresql":
            # pg_restore and loaddata leave the planner without statistics: analyse now, before
            # the first township's ledger is read by a full table scan.
            with connections[alias].cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"恢复完成：{archive}（{len(files)} 个上传文件）"))

    def _manifest(self, tar: tarfile.TarFile) -> dict[str, Any]:
        try:
            member = tar.extractfile(MANIFEST)
        except KeyError as exc:
            raise CommandError("这不是双拥通的备份文件（缺少 manifest.json）。") from exc
        if member is None:
            raise CommandError("这不是双拥通的备份文件（manifest.json 不是文件）。")
        manifest: dict[str, Any] = json.load(member)
        if manifest.get("archive_version") != ARCHIVE_VERSION or manifest.get("format") not in {"json", "pg"}:
            raise CommandError("备份文件的格式版本不受支持。")
        return manifest

    def _require_empty(self, alias: str) -> None:
        if User.objects.using(alias).exists() or OrgUnit.objects.using(alias).exists():
            raise CommandError("目标数据库不是空的（已有用户或组织单位）：请恢复到一个新建并 migrate 过的数据库。")

    def _require_no_files(self, files: list[str]) -> None:
        clashes = [name for name in files if default_storage.exists(name)]
        if clashes:
            raise CommandError(f"上传文件存储中已有同名文件，拒绝覆盖：{clashes[0]} 等 {len(clashes)} 个")

    def _load_json(self, alias: str, dump: Path, manifest: dict[str, Any]) -> None:
        if manifest["migrations"] != applied_migrations(alias):
            raise CommandError("备份时的数据库结构（迁移）与当前不同：请用生成备份时的程序版本恢复，再运行 migrate。")
        with transaction.atomic(using=alias):
            # Empty every table, including content types and permissions that migrate created:
            # the dump carries its own, with the primary keys every other row points at.
            call_command("flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0)
            # The dump carries the history rows already. loaddata's raw saves create none, but
            # setting many-to-many fields fires m2m_changed, which django-simple-history would
            # record as new changes (a Campaign's expected units): switch it off while loading.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(dump), database=alias, verbosity=0)
        ContentType.objects.clear_cache()

    def _pg_restore(self, alias: str, dump: Path) -> None:
        if connections[alias].vendor != "postgresql":
            raise CommandError("这是 PostgreSQL（pg_dump）备份，只能恢复到 PostgreSQL。")
        connections[alias].close()
        args, env = pg_environment(alias)
        cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        result = subprocess.run(  # noqa: S603 — arguments from our own settings
            [*cmd, *args, str(dump)], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore 失败：{result.stderr.strip()}")
        ContentType.objects.clear_cache()
