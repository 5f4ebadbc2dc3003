"""``manage.py backup``: the whole portal in one .tar.gz — database and uploaded files.

Archive layout::

    manifest.json          format, time, database vendor, applied migrations, file list
    data.json              --format json: every row of every model (``dumpdata``)
    database.pgdump        --format pg: ``pg_dump -Fc`` of the PostgreSQL database
    uploads/<name>         every file of the upload storage, under its storage name

The JSON dump keeps primary keys (not natural keys) and includes content types and permissions,
so ``restore`` into an empty database gives back the very same rows: history rows may point at
deleted users, which natural keys cannot express. ``--format pg`` is the one to use for a large
PostgreSQL database (minutes instead of hours at province scale). Files are read through the
configured upload storage, so a shared or object-store backend is backed up the same way.

The archive is personal data (full identity numbers): it is written 0600, and sessions and login
lockout records are never in it (EXCLUDED_MODELS, in both formats).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
JSON_DUMP = "data.json"
PG_DUMP = "database.pgdump"
UPLOADS = "uploads/"
ARCHIVE_VERSION = 1
# Left out of both formats: sessions (a session key from an archive would log into the live
# portal; a restored portal asks everyone to log in again) and login lockout state (django-axes:
# a restore must neither lock accounts again nor carry addresses of failed logins).
EXCLUDED_MODELS = ["sessions.session", "axes.accessattempt", "axes.accessattemptexpiration", "axes.accessfailurelog"]
# Times to the microsecond (shuangyong/exact_json.py); the file is plain JSON that loaddata reads.
JSON_FORMAT = "json-exact"
# Upload-storage folders of transient files: an Excel import waiting for "confirm" (encrypted
# with a key derived from SECRET_KEY, useless elsewhere, deleted within a day).
TRANSIENT_FOLDERS = ("import-staging/",)


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, recursively, in a stable order."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for sub in sorted(dirs):
        yield from storage_files(storage, f"{folder}{sub}/")


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    recorder = MigrationRecorder(connections[alias])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def pg_environment(alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore from the Django settings."""
    db = settings.DATABASES[alias]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def excluded_tables() -> list[str]:
    """The database tables of EXCLUDED_MODELS (for pg_dump)."""
    return [apps.get_model(label)._meta.db_table for label in EXCLUDED_MODELS]


@contextlib.contextmanager
def _private_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file only its owner may read: the archive holds full identity numbers (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there before, and whatever the umask
    with os.fdopen(fd, "wb") as fh:
        yield fh


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个 .tar.gz 文件（用 manage.py restore 恢复到空数据库）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="备份文件路径（默认 var/backups/shuangyong-时间.tar.gz）")
        parser.add_argument(
            "--format",
            choices=["json", "pg"],
            default="json",
            help="json：Django dumpdata（任何数据库）；pg：pg_dump（PostgreSQL，大数据量用它）",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias: str = options["database"]
        fmt: str = options["format"]
        vendor = connections[alias].vendor
        if fmt == "pg" and vendor != "postgresql":
            raise CommandError(f"--format pg 只适用于 PostgreSQL，当前数据库是 {vendor}；请用 --format json。")
        output = Path(options["output"] or self._default_output())
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

        partial = output.with_name(output.name + ".partial")
        with (
            tempfile.TemporaryDirectory() as tmp,
            _private_file(partial) as fh,
            tarfile.open(fileobj=fh, mode="w:gz") as tar,
        ):
            dump = Path(tmp) / (JSON_DUMP if fmt == "json" else PG_DUMP)
            if fmt == "json":
                self._json_dump(alias, dump)
            else:
                self._pg_dump(alias, dump)
            # Files are listed after the database snapshot: every file a dumped row names is there.
            files = [name for name in storage_files(default_storage) if not name.startswith(TRANSIENT_FOLDERS)]
            manifest = {
                "archive_version": ARCHIVE_VERSION,
                "format": fmt,
                "created_at": timezone.now().isoformat(),
                "database_vendor": vendor,
                "migrations": applied_migrations(alias),
                "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            tar.add(dump, arcname=dump.name)
            for name in files:
                info = tarfile.TarInfo(UPLOADS + name)
                info.size = default_storage.size(name)
                info.mode = 0o600
                with default_storage.open(name, "rb") as fh:
                    tar.addfile(info, fh)  # streamed: a large upload is never held in memory
        partial.replace(output)  # a crash mid-way never leaves a truncated file under the real name
        self.stdout.write(self.style.SUCCESS(f"备份完成：{output}（{len(files)} 个上传文件）"))

    def _default_output(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path(settings.VAR_DIR) / "backups" / f"shuangyong-{stamp}.tar.gz"

    def _json_dump(self, alias: str, target: Path) -> None:
        """Every table read from one snapshot, so that rows written meanwhile never half-appear."""
        connection = connections[alias]
        outermost = not connection.in_atomic_block  # SET TRANSACTION must open the transaction
        with transaction.atomic(using=alias):
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            call_command(
                "dumpdata",
                format=JSON_FORMAT,
                exclude=EXCLUDED_MODELS,
                output=str(target),
                database=alias,
                indent=None,
                verbosity=0,
            )

    def _pg_dump(self, alias: str, target: Path) -> None:
        args, env = pg_environment(alias)
        cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args]
        # The tables stay (the schema is whole), their rows do not.
        cmd += [f"--exclude-table-data={table}" for table in excluded_tables()]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 — our settings
        if result.returncode != 0:
            raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")
