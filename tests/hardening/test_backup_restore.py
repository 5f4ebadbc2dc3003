"""``manage.py backup`` + ``manage.py restore``: a dump restores to an identical dataset, uploaded
files included, and restore refuses a database that is not empty."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from shuangyong.management.commands.backup import EXCLUDED_MODELS, storage_files
from shuangyong.models import OrgUnit, OrgUnitKind, Role, User
from shuangyong.services import org_unit_update_contact
from tasks.models import Evidence
from tasks.services import progress_report_create
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory

# transaction=True: the tests flush the database; serialized_rollback restores the migrations' seed
# rows (e.g. beneficiary categories) for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Recreated by migrate with other primary keys; compared by natural key instead (see below).
VOLATILE = {ContentType, Permission}


def snapshot() -> dict[str, object]:
    """Every row of every model, serialized, ordered by primary key; content types and
    permissions by natural key (they are what the other rows point at)."""
    rows: dict[str, object] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in EXCLUDED_MODELS:
            continue
        if model in VOLATILE:
            rows[model._meta.label] = sorted(str(obj.natural_key()) for obj in model.objects.all())
            continue
        if model._meta.auto_created:
            # A many-to-many link row is its two ends: restore re-creates the links, and their own
            # id follows the table's sequence, which an earlier test in the run may have advanced.
            rows[model._meta.label] = sorted(row[1:] for row in model._default_manager.values_list())
            continue
        rows[model._meta.label] = json.loads(
            serializers.serialize("json", model._default_manager.order_by("pk"), use_natural_foreign_keys=False)
        )
        # The values as the database gives them back: the serializer above cuts times to milliseconds.
        rows[f"{model._meta.label} (values)"] = list(model._default_manager.order_by("pk").values_list())
    return rows


def uploaded_files() -> dict[str, bytes]:
    """Every file a backup must carry: the upload storage minus the transient import staging."""
    out = {}
    for name in storage_files(default_storage):
        if name.startswith("import-staging/"):
            continue
        with default_storage.open(name, "rb") as fh:
            out[name] = fh.read()
    return out


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def dataset(uploads):
    county = OrgUnitFactory(name="铜梁区双拥办", code="tl", kind=OrgUnitKind.COUNTY)
    town = OrgUnitFactory(name="巴川街道", code="tl-bc", kind=OrgUnitKind.TOWNSHIP, parent=county)
    OrgUnitFactory(name="玉泉社区", code="tl-bc-1", kind=OrgUnitKind.VILLAGE, parent=town)
    office = UserFactory(username="office", org_unit=county, role=Role.OFFICE)
    office.user_permissions.add(Permission.objects.get(codename="view_orgunit"))
    township = UserFactory(username="township", org_unit=town, role=Role.TOWNSHIP_STAFF)
    org_unit_update_contact(unit=town, contact_person="李强", contact_phone="023-45678901")  # a history row
    troop = OrgUnitFactory(name="驻铜某部一营", code="tl-bd1", kind=OrgUnitKind.TROOP, parent=county)
    # The apps' records: a campaign with a return and a visit record, the ledger, a task with a
    # progress report whose evidence photo is an uploaded file, a 双清单 item.
    campaign = CampaignFactory(owner_unit=county, expected_units=[town])
    person = BeneficiaryFactory(org_unit=town)
    VisitRecordFactory(campaign=campaign, org_unit=town, beneficiary=person, created_by=township)
    plan = WorkPlanFactory(owner_unit=county, created_by=office, year=2027)
    task = TaskFactory(plan=plan, section=None, lead_unit=town, deadline=dt.date(2027, 12, 31))
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, content_type="image/jpeg")
    progress_report_create(user=township, task=task, report_date=dt.date(2027, 3, 1), text="已启动", files=[photo])
    DualListItemFactory(year=2027, troop_unit=troop, responsible_unit=town, created_by=office)
    default_storage.save("imports/走访记录.xlsx", ContentFile(b"PK\x03\x04 xlsx bytes"))
    # A previewed import waiting for confirm: transient, never backed up.
    default_storage.save("import-staging/1795000000-AbCdEfGhIjKlMnOpQrSt.staged", ContentFile(b"encrypted"))


def _wipe(uploads) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in list(storage_files(default_storage)):
        default_storage.delete(name)
    assert not OrgUnit.objects.exists()


def test_backup_flush_restore_gives_back_the_same_rows_and_files(dataset, uploads, tmp_path):
    before_rows, before_files = snapshot(), uploaded_files()
    assert len(before_files) == 2
    assert default_storage.listdir("import-staging")[1]  # a previewed import waits there
    assert before_rows["shuangyong.HistoricalOrgUnit"]  # the backup carries history too
    for label in ("visits.VisitRecord", "visits.Beneficiary", "tasks.Evidence", "tasks.DualListItem"):
        assert before_rows[label], f"no {label} in the dataset"

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    evidence = Evidence.objects.get()
    assert {"manifest.json", "data.json", f"uploads/{evidence.file.name}", "uploads/imports/走访记录.xlsx"} <= names
    assert not [name for name in names if "import-staging" in name]

    _wipe(uploads)
    assert snapshot() != before_rows
    call_command("restore", str(archive), verbosity=0)

    assert snapshot() == before_rows
    assert uploaded_files() == before_files


def test_restore_refuses_a_database_that_is_not_empty(dataset, uploads, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)
    units_before = OrgUnit.objects.count()
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(archive), verbosity=0)
    assert OrgUnit.objects.count() == units_before


def test_restore_refuses_to_overwrite_existing_upload_files(dataset, uploads, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # database empty, files still there
    with pytest.raises(CommandError, match="同名文件"):
        call_command("restore", str(archive), verbosity=0)
    assert not OrgUnit.objects.exists()


def test_restore_refuses_something_that_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="readme.txt")
    with pytest.raises(CommandError, match="不是双拥通的备份文件"):
        call_command("restore", str(bogus), verbosity=0)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL")
def test_pg_format_round_trip(dataset, uploads, tmp_path):
    before_rows, before_files = snapshot(), uploaded_files()
    archive = tmp_path / "backup-pg.tar.gz"
    call_command("backup", output=str(archive), format="pg", verbosity=0)
    _wipe(uploads)
    call_command("restore", str(archive), verbosity=0)
    assert snapshot() == before_rows
    assert uploaded_files() == before_files


def test_restore_refuses_a_json_dump_made_at_another_migration_state(dataset, uploads, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)
    # The same archive, as if made by a newer version of the portal (one more migration).
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(newer, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append(["visits", "9999_future"])
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    _wipe(uploads)
    with pytest.raises(CommandError, match="迁移"):
        call_command("restore", str(newer), verbosity=0)
    assert not OrgUnit.objects.exists()


def _formats() -> list[str]:
    return ["json", "pg"] if connection.vendor == "postgresql" else ["json"]


@pytest.fixture
def live_logins(dataset, client):
    """A logged-in session and a locked-out account: what the attack took from an archive."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.sessions.models import Session

    client.force_login(User.objects.get(username="office"))
    attacker = Client()
    for _ in range(5):
        attacker.post(reverse("login"), {"username": "township", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert Session.objects.exists()
    assert AccessAttempt.objects.filter(username="township").exists()
    assert AccessFailureLog.objects.exists()
    return client


@pytest.mark.parametrize("fmt", _formats())
def test_no_session_nor_lockout_record_in_either_format(live_logins, uploads, tmp_path, fmt):
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.sessions.models import Session

    archive = tmp_path / f"backup-{fmt}.tar.gz"
    call_command("backup", output=str(archive), format=fmt, verbosity=0)
    with tarfile.open(archive) as tar:
        dump = tar.extractfile("data.json" if fmt == "json" else "database.pgdump").read()
    if fmt == "json":
        labels = {row["model"] for row in json.loads(dump)}
        assert "shuangyong.user" in labels
        assert not labels & {"sessions.session", "axes.accessattempt", "axes.accessfailurelog"}
    session_key = Session.objects.get().session_key
    assert session_key.encode() not in dump

    _wipe(uploads)
    call_command("restore", str(archive), verbosity=0)
    assert User.objects.filter(username="office").exists()
    assert not Session.objects.exists()
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    live_logins.cookies["sessionid"] = session_key  # the stolen key logs nobody in
    assert live_logins.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("fmt", _formats())
def test_the_archive_is_readable_by_its_owner_only(dataset, uploads, tmp_path, fmt):
    archive = tmp_path / "backups" / "backup.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"an older file under the same name, world-readable")
    archive.chmod(0o644)
    call_command("backup", output=str(archive), format=fmt, verbosity=0)
    assert archive.stat().st_mode & 0o777 == 0o600


def test_json_round_trip_keeps_times_to_the_microsecond(dataset, uploads, tmp_path):
    """Django's own JSON cut every timestamp to milliseconds (27 tables on PostgreSQL)."""
    exact = dt.datetime(2027, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    Evidence.objects.update(uploaded_at=exact)
    before = list(Evidence.objects.values_list("pk", "uploaded_at"))
    assert before[0][1].microsecond == 123456
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)
    _wipe(uploads)
    call_command("restore", str(archive), verbosity=0)
    assert list(Evidence.objects.values_list("pk", "uploaded_at")) == before
