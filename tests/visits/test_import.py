"""Excel import: template, preview with every bad cell, all-or-nothing save, limits, scope, CSV encodings."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shuangyong import tables
from shuangyong.tables import Table
from tests.visits.factories import BeneficiaryFactory, VisitRecordFactory, valid_id_number
from visits import importing
from visits.models import Beneficiary, DifficultyKind, Return, ReturnStatus, VisitDifficulty, VisitRecord
from visits.resources import (
    BENEFICIARY_COLUMNS,
    DIFFICULTY_COLUMNS,
    DIFFICULTY_FIELDS,
    VISIT_COLUMNS,
    VisitRecordResource,
)

pytestmark = pytest.mark.django_db

HEADER = list(VISIT_COLUMNS.values())


def visit_row(unit="巴川街道", **over):
    row = {
        "填报单位": unit,
        "走访日期": "2027-02-01",
        "慰问对象": "重点优抚对象",
        "带队领导": "张镇长",
        "走访慰问人数": 3,
        "慰问金金额（元）": 333.33,
        "慰问金发放人数": 3,
        "慰问品支出（元）": "100",
        "慰问品数量（件）": 3,
        "慰问品发放人数": 2,
        "走访方式": "登门看望",
        "联系对象身份证号": "",
        "慰问部队": "",
        "备注": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def xlsx(header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind, content, name="data.xlsx", campaign=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if campaign:
        data["campaign"] = campaign.pk
    return client.post(reverse("visits:import_upload", args=[kind]), data)


def confirm(client, kind, response):
    return client.post(reverse("visits:import_confirm", args=[kind]), {"token": response.context["token"]})


def errors_of(response):
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


# The template's visit columns: the record's, then one count per difficulty kind, 备注 last.
TEMPLATE_HEADER = [*HEADER[:-1], *DIFFICULTY_COLUMNS.values(), HEADER[-1]]


def test_template_has_the_columns(client_for, township_a):
    for kind, columns in (("visits", TEMPLATE_HEADER), ("ledger", list(BENEFICIARY_COLUMNS.values()))):
        response = client_for(township_a).get(reverse("visits:import_template", args=[kind]))
        header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert list(header) == columns
    assert HEADER[-1] == "备注"


def test_every_difficulty_kind_has_a_column():
    """A kind added to DifficultyKind without its resource field would silently drop from files."""
    assert set(DIFFICULTY_COLUMNS) == set(DifficultyKind.values)
    assert set(DIFFICULTY_FIELDS.values()) <= set(VisitRecordResource.fields)


def with_difficulties(row, **counts):
    """A row of HEADER widened to TEMPLATE_HEADER, with difficulty counts by kind label."""
    by_label = {f"解决实际困难：{label}（件）": n for label, n in counts.items()}
    return [*row[:-1], *(by_label.get(column) for column in DIFFICULTY_COLUMNS.values()), row[-1]]


def test_difficulties_solved_are_imported_with_their_record(frozen, client_for, township_a, campaign):
    rows = [
        with_difficulties(visit_row(**{"带队领导": "甲"}), 子女入学=2, 看病就医=1),
        with_difficulties(visit_row(**{"带队领导": "乙"})),
        with_difficulties(visit_row(**{"带队领导": "丙"}), 其他="3"),
    ]
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(TEMPLATE_HEADER, rows), campaign=campaign)
    assert preview.context["result"].ok, errors_of(preview)
    assert confirm(client, "visits", preview).status_code == 302
    solved = {(d.record.lead_leader, d.kind, d.count) for d in VisitDifficulty.objects.select_related("record")}
    assert solved == {
        ("甲", DifficultyKind.SCHOOLING, 2),
        ("甲", DifficultyKind.MEDICAL, 1),
        ("丙", DifficultyKind.OTHER, 3),
    }


def test_bad_difficulty_counts_are_named_at_their_cell_and_save_nothing(frozen, client_for, township_a, campaign):
    rows = [
        with_difficulties(visit_row(), 子女入学=1),
        with_difficulties(visit_row(), 家属就业=-1),
        with_difficulties(visit_row(), 住房改造="两件", 法律援助=2_000_000),
    ]
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(TEMPLATE_HEADER, rows), campaign=campaign)
    messages = {(row, column): message for row, column, message in errors_of(preview)}
    assert set(messages) == {
        (3, "解决实际困难：家属就业（件）"),
        (4, "解决实际困难：住房改造（件）"),
        (4, "解决实际困难：法律援助（件）"),
    }
    assert "不能为负数" in messages[(3, "解决实际困难：家属就业（件）")]
    assert "应为整数" in messages[(4, "解决实际困难：住房改造（件）")]
    assert "过大" in messages[(4, "解决实际困难：法律援助（件）")]
    assert not preview.context["result"].ok
    assert not VisitRecord.objects.exists() and not VisitDifficulty.objects.exists()


def test_an_exported_file_imports_again_with_its_difficulties(
    frozen, client_for, office_user, township_a, campaign, township_a_unit
):
    rows = [with_difficulties(visit_row(), 子女入学=2, 生活困难=1), with_difficulties(visit_row())]
    client = client_for(township_a)
    assert confirm(client, "visits", upload(client, "visits", xlsx(TEMPLATE_HEADER, rows), campaign=campaign))
    exported = client_for(office_user).get(reverse("visits:campaign_records_export", args=[campaign.pk])).content
    header, *data = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert list(header) == TEMPLATE_HEADER
    counts = [dict(zip(header, row, strict=True)) for row in data]
    assert sorted((c["解决实际困难：子女入学（件）"] or 0, c["解决实际困难：生活困难（件）"] or 0) for c in counts) == [
        (0, 0),
        (2, 1),
    ]
    VisitRecord.objects.all().delete()
    again = upload(client, "visits", exported, campaign=campaign)
    assert again.context["result"].ok, errors_of(again)
    confirm(client, "visits", again)
    assert sorted(VisitDifficulty.objects.values_list("kind", "count")) == [
        (DifficultyKind.LIVING, 1),
        (DifficultyKind.SCHOOLING, 2),
    ]


def test_preview_then_confirm_saves_every_row(frozen, client_for, township_a, campaign, village_a1):
    person = BeneficiaryFactory(org_unit=village_a1)
    rows = [visit_row(), visit_row(**{"联系对象身份证号": person.id_number}), visit_row()]
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(HEADER, rows), campaign=campaign)
    assert preview.status_code == 200 and preview.context["result"].ok
    assert not VisitRecord.objects.exists()  # the preview saves nothing
    assert 'data-slow="正在导入……"' in preview.content.decode()
    response = confirm(client, "visits", preview)
    assert response.status_code == 302
    records = VisitRecord.objects.order_by("pk")
    assert records.count() == 3 and records[1].beneficiary == person
    assert sum(r.money_amount for r in records) == Decimal("999.99")
    assert records[0].unit_return.status == ReturnStatus.DRAFT
    assert records[0].history.get().history_user == township_a


def test_one_bad_row_saves_nothing_and_every_bad_cell_is_listed(frozen, client_for, township_a, campaign):
    rows = [
        visit_row(),
        visit_row(**{"走访慰问人数": -1}),
        visit_row(**{"慰问金金额（元）": "12.345", "走访日期": "2027-03-01"}),
        visit_row(**{"慰问金发放人数": 5, "慰问对象": "村民"}),
        visit_row(**{"慰问品支出（元）": "-3", "走访方式": "视频"}),
        visit_row(**{"联系对象身份证号": valid_id_number()}),
    ]
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(HEADER, rows), campaign=campaign)
    found = errors_of(preview)
    assert {(row, column) for row, column, _ in found} == {
        (3, "走访慰问人数"),
        (4, "慰问金金额（元）"),
        (4, "走访日期"),
        (5, "慰问金发放人数"),
        (5, "慰问对象"),
        (6, "慰问品支出（元）"),
        (6, "走访方式"),
        (7, "联系对象身份证号"),
    }
    messages = {(row, column): message for row, column, message in found}
    assert "不能为负数" in messages[(3, "走访慰问人数")]
    assert "两位小数" in messages[(4, "慰问金金额（元）")]
    assert "活动期间" in messages[(4, "走访日期")]
    assert "不能多于走访慰问人数" in messages[(5, "慰问金发放人数")]
    assert "重点优抚对象" in messages[(5, "慰问对象")]
    assert "金额不能为负数" in messages[(6, "慰问品支出（元）")]
    assert "登门看望" in messages[(6, "走访方式")]
    assert "台账中没有" in messages[(7, "联系对象身份证号")]
    assert (2, "填报单位") not in messages  # the good row has no error
    html = preview.content.decode()
    assert "第 4 行" in html and "整个文件都不会导入" in html and "确认导入" not in html
    assert not VisitRecord.objects.exists()
    # Confirm without a token from a clean preview saves nothing either.
    client.post(reverse("visits:import_confirm", args=["visits"]), {"token": "forged"})
    assert not VisitRecord.objects.exists()


def test_import_only_into_own_scope(frozen, client_for, township_a, campaign, township_b_unit):
    rows = [visit_row(), visit_row(unit="东城街道")]
    preview = upload(client_for(township_a), "visits", xlsx(HEADER, rows), campaign=campaign)
    assert errors_of(preview) == [(3, "填报单位", "单位“东城街道”不存在或不在您的管辖范围内。")]
    assert not VisitRecord.objects.exists()


def test_office_imports_for_several_units(frozen, client_for, office_user, campaign):
    rows = [visit_row(), visit_row(unit="东城街道"), visit_row(unit="区教育委员会")]
    client = client_for(office_user)
    confirm(client, "visits", upload(client, "visits", xlsx(HEADER, rows), campaign=campaign))
    assert VisitRecord.objects.values("org_unit").distinct().count() == 3


def test_import_into_a_submitted_return_is_refused(frozen, client_for, township_a, campaign):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    record.unit_return.status = ReturnStatus.SUBMITTED
    record.unit_return.save()
    preview = upload(client_for(township_a), "visits", xlsx(HEADER, [visit_row()]), campaign=campaign)
    assert "已提交" in errors_of(preview)[0][2]


def test_return_submitted_between_preview_and_confirm_saves_nothing(frozen, client_for, township_a, campaign):
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(HEADER, [visit_row(), visit_row()]), campaign=campaign)
    VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit)
    from visits.models import Return

    Return.objects.update(status=ReturnStatus.SUBMITTED)
    response = confirm(client, "visits", preview)
    assert response.status_code == 200
    assert VisitRecord.objects.count() == 1


def test_file_type_size_and_row_limits(frozen, client_for, township_a, campaign, monkeypatch):
    client = client_for(township_a)
    response = upload(client, "visits", b"x", name="data.xls", campaign=campaign)
    assert response.context["form"].errors["file"] == ["不支持的文件类型“.xls”，只能上传：Excel 表格、CSV 文件。"]
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 100)
    response = upload(client, "visits", xlsx(HEADER, [visit_row()]), campaign=campaign)
    assert "MB" in response.context["form"].errors["file"][0]
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    response = upload(client, "visits", xlsx(HEADER, [visit_row()] * 3), campaign=campaign)
    assert "一次最多导入 2 行" in response.context["form"].errors["file"][0]
    response = upload(client, "visits", xlsx(["错误的表头"], [["x"]]), campaign=campaign)
    assert "缺少列" in response.context["form"].errors["file"][0]


def test_zip_bomb_is_refused_before_it_is_opened(frozen, client_for, township_a, campaign):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (tables.MAX_INFLATED_BYTES + 1))
    assert len(out.getvalue()) < 1024 * 1024
    response = upload(client_for(township_a), "visits", out.getvalue(), campaign=campaign)
    assert response.context["form"].errors["file"] == ["文件“data.xlsx”解压后异常巨大，疑似压缩炸弹，已拒绝上传。"]


def test_huge_count_is_refused_at_its_cell(frozen, client_for, township_a, campaign):
    content = xlsx(HEADER, [visit_row(**{"走访慰问人数": 10**11})])
    preview = upload(client_for(township_a), "visits", content, campaign=campaign)
    assert errors_of(preview)[0][:2] == (2, "走访慰问人数") and "过大" in errors_of(preview)[0][2]


def test_gbk_csv_from_excel_is_read(frozen, client_for, township_a, campaign):
    lines = [",".join(HEADER), ",".join(str(v) for v in visit_row())]
    content = "\r\n".join(lines).encode("gbk")
    client = client_for(township_a)
    preview = upload(client, "visits", content, name="走访.csv", campaign=campaign)
    assert preview.context["result"].ok
    confirm(client, "visits", preview)
    assert VisitRecord.objects.get().money_amount == Decimal("333.33")


def test_utf8_csv_with_bom_is_read(frozen, client_for, township_a, campaign):
    content = ("\ufeff" + ",".join(HEADER) + "\n" + ",".join(str(v) for v in visit_row())).encode("utf-8")
    assert upload(client_for(township_a), "visits", content, name="a.csv", campaign=campaign).context["result"].ok


# --- the ledger -----------------------------------------------------------------------------

LEDGER_HEADER = list(BENEFICIARY_COLUMNS.values())


def ledger_row(unit="玉泉社区", id_number=None, **over):
    row = {
        "姓名": "王建国",
        "类别": "烈属",
        "身份证号": id_number or valid_id_number(),
        "联系电话": "13800000000",
        "住址": "某路1号",
        "所属单位": unit,
        "备注": "",
    }
    row.update(over)
    return [row[h] for h in LEDGER_HEADER]


def test_ledger_import_all_or_nothing(client_for, township_a, village_a1, township_b_unit):
    existing = BeneficiaryFactory(org_unit=village_a1)
    same = valid_id_number()
    rows = [
        ledger_row(),
        ledger_row(id_number="500224198001011231"),  # bad check digit
        ledger_row(id_number="500224198002301234"),  # 30 February
        ledger_row(id_number=existing.id_number),
        ledger_row(id_number=same),
        ledger_row(id_number=same),
        ledger_row(unit="东城街道"),
        ledger_row(**{"类别": "不存在", "姓名": ""}),
    ]
    client = client_for(township_a)
    preview = upload(client, "ledger", xlsx(LEDGER_HEADER, rows))
    messages = {(r, c): m for r, c, m in errors_of(preview)}
    assert "校验位" in messages[(3, "身份证号")]
    assert "出生日期" in messages[(4, "身份证号")]
    assert "已登记" in messages[(5, "身份证号")]
    assert "与第 6 行的身份证号重复" in messages[(7, "身份证号")]
    assert messages[(8, "所属单位")] == "单位“东城街道”不存在或不在您的管辖范围内，只能导入本辖区的联系对象。"
    assert "请填写姓名" in messages[(9, "姓名")] and "类别清单" in messages[(9, "类别")]
    assert Beneficiary.objects.count() == 1


def test_ledger_import_saves_with_history(client_for, township_a, village_a1):
    client = client_for(township_a)
    preview = upload(client, "ledger", xlsx(LEDGER_HEADER, [ledger_row(), ledger_row(unit="巴川街道")]))
    assert confirm(client, "ledger", preview).status_code == 302
    assert Beneficiary.objects.count() == 2
    assert Beneficiary.history.filter(history_user=township_a).count() == 2


@pytest.mark.parametrize("persona", ["leader", "member_liaison"])
def test_ledger_import_is_closed_to_those_without_the_ledger(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("visits:import_upload", args=["ledger"])).status_code == 404
    assert client.get(reverse("visits:import_template", args=["ledger"])).status_code == 404


def test_validation_is_a_fixed_number_of_queries(
    frozen, township_a, campaign, village_a1, django_assert_max_num_queries
):
    people = BeneficiaryFactory.create_batch(5, org_unit=village_a1)
    rows = [visit_row(**{"联系对象身份证号": people[i % 5].id_number}) for i in range(200)]
    with django_assert_max_num_queries(8):
        table = Table(HEADER, [tuple(r) for r in rows], list(range(2, len(rows) + 2)))
        result = importing.validate_visit_rows(user=township_a, campaign=campaign, table=table)
    assert result.ok and len(result.objects) == 200


def test_preview_lists_at_most_a_thousand_errors(frozen, client_for, township_a, campaign):
    rows = [visit_row(**{"走访慰问人数": -1}) for _ in range(1200)]
    preview = upload(client_for(township_a), "visits", xlsx(HEADER, rows), campaign=campaign)
    html = preview.content.decode()
    assert html.count('data-testid="import-error"') == 1000
    assert "另有 200 处错误未列出" in html and "发现 1200 处错误" in html


def test_unconfirmed_uploads_are_removed_after_a_day(frozen, client_for, township_a, campaign):
    from django.core.files.storage import default_storage

    client = client_for(township_a)
    first = upload(client, "visits", xlsx(HEADER, [visit_row()]), campaign=campaign).context["token"]
    assert default_storage.exists(first)
    # The preview is never confirmed; its session idles out, so only the clean-up can remove it.
    frozen.shift(dt.timedelta(hours=23))
    upload(client_for(township_a), "visits", xlsx(HEADER, [visit_row()]), campaign=campaign)
    assert default_storage.exists(first)  # a day has not passed yet
    frozen.shift(dt.timedelta(hours=2))
    upload(client_for(township_a), "visits", xlsx(HEADER, [visit_row()]), campaign=campaign)
    assert not default_storage.exists(first)


def test_preview_is_staged_encrypted_in_the_default_storage_and_deleted_on_confirm(
    frozen, client_for, township_a, campaign, import_staging_dir
):
    from django.core.files.storage import default_storage

    client = client_for(township_a)
    content = xlsx(HEADER, [visit_row(lead_leader="王镇长")])
    token = upload(client, "visits", content, campaign=campaign).context["token"]
    assert token.startswith("import-staging/")
    staged = default_storage.open(token).read()
    assert staged and content not in staged and b"PK" not in staged[:2]  # encrypted, not the file itself
    assert [p.name for p in import_staging_dir.iterdir()] == [token.split("/")[1]]
    assert client.post(reverse("visits:import_confirm", args=["visits"]), {"token": token}).status_code == 302
    assert VisitRecord.objects.count() == 1
    assert not default_storage.exists(token)
    assert "visits_import" not in client.session


def test_cancel_deletes_the_staged_file_and_saves_nothing(frozen, client_for, township_a, campaign):
    from django.core.files.storage import default_storage

    client = client_for(township_a)
    token = upload(client, "visits", xlsx(HEADER, [visit_row()]), campaign=campaign).context["token"]
    response = client.post(reverse("visits:import_cancel", args=["visits"]))
    assert response.status_code == 302
    assert not default_storage.exists(token)
    assert "visits_import" not in client.session
    confirm_after = client.post(reverse("visits:import_confirm", args=["visits"]), {"token": token}, follow=True)
    assert "导入已过期" in confirm_after.content.decode()
    assert not VisitRecord.objects.exists()


def test_a_staged_file_older_than_a_day_is_refused_on_confirm(frozen, client_for, township_a, campaign, settings):
    settings.SESSION_COOKIE_AGE = 3 * 24 * 3600  # the session outlives the staged file
    client = client_for(township_a)
    preview = upload(client, "visits", xlsx(HEADER, [visit_row()]), campaign=campaign)
    frozen.shift(dt.timedelta(hours=25))
    response = client.post(
        reverse("visits:import_confirm", args=["visits"]), {"token": preview.context["token"]}, follow=True
    )
    assert "导入已过期" in response.content.decode()
    assert not VisitRecord.objects.exists()


def test_another_session_cannot_confirm_a_staged_file(frozen, client_for, township_a, campaign):
    from django.test import Client

    token = upload(client_for(township_a), "visits", xlsx(HEADER, [visit_row()]), campaign=campaign).context["token"]
    other = Client()  # the same user on another browser: not the session that previewed
    other.force_login(township_a)
    response = other.post(reverse("visits:import_confirm", args=["visits"]), {"token": token}, follow=True)
    assert "导入已过期" in response.content.decode()
    assert not VisitRecord.objects.exists()


def test_an_import_into_a_no_visits_return_reopens_it_in_its_history(frozen, client_for, township_a, campaign):
    """本期无走访 is cleared by imported records as by the form, and the return's history says who did it."""
    ret = Return.objects.create(campaign=campaign, org_unit=township_a.org_unit, no_visits=True)
    client = client_for(township_a)
    assert confirm(client, "visits", upload(client, "visits", xlsx(HEADER, [visit_row()]), campaign=campaign))
    ret.refresh_from_db()
    assert ret.no_visits is False
    latest = ret.history.order_by("-history_date", "-history_id").first()
    assert latest.no_visits is False and latest.history_user == township_a
