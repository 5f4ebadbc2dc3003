"""Excel import/export pages (django-import-export) and the editable 双清单 categories."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tasks.models import DualListCategory, DualListItem
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db
HEADERS = ["编号", "年度", "清单", "类别", "事项内容", "提出方", "责任单位", "对口部队", "时限", "工作质量要求"]


def _upload(rows) -> SimpleUploadedFile:
    wb = Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("双清单.xlsx", buffer.getvalue())


def test_export_downloads_the_users_items_with_a_chinese_filename(client_for, troop_unit, troop_liaison, township_b):
    DualListItemFactory(troop_unit=troop_unit, content='=HYPERLINK("http://x")')
    response = client_for(troop_liaison).get(reverse("tasks:dual_list_export"))
    assert response.status_code == 200
    assert "filename*=utf-8''%E5%8F%8C%E6%B8%85%E5%8D%95" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["E2"].value == '=HYPERLINK("http://x")' and ws["E2"].quotePrefix
    empty = load_workbook(io.BytesIO(client_for(township_b).get(reverse("tasks:dual_list_export")).content)).active
    assert empty.max_row == 1


def test_office_imports_and_errors_roll_back(client_for, office_user, troop_unit, township_a_unit):
    client = client_for(office_user)
    bad = _upload(
        [
            [None, 2023, "地方为部队办实事", None, "好的一行", "部队", "巴川街道", "驻铜某部一营", None, None],
            [None, 2023, "不存在的清单", None, "坏的一行", "部队", "巴川街道", "驻铜某部一营", None, None],
        ]
    )
    response = client.post(reverse("tasks:dual_list_import"), {"file": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "第 3 行" in html
    assert not DualListItem.objects.exists()
    good = _upload([[None, 2023, "地方为部队办实事", None, "好的一行", "部队", "巴川街道", "驻铜某部一营", None, None]])
    assert client.post(reverse("tasks:dual_list_import"), {"file": good}).status_code == 302
    assert DualListItem.objects.get().content == "好的一行"


def test_import_is_office_only(client_for, troop_liaison, leader):
    assert client_for(troop_liaison).get(reverse("tasks:dual_list_import")).status_code == 403
    assert client_for(leader).post(reverse("tasks:dual_list_import"), {}).status_code == 403
    assert client_for(troop_liaison).get(reverse("tasks:tasks_import")).status_code == 403


def test_import_refuses_a_non_excel_file(client_for, office_user):
    fake = SimpleUploadedFile("x.xlsx", b"MZ" * 50)
    html = client_for(office_user).post(reverse("tasks:dual_list_import"), {"file": fake}).content.decode()
    assert "内容与扩展名不符" in html


def test_office_edits_categories(client_for, office_user, township_a):
    client = client_for(office_user)
    assert (
        client.post(
            reverse("tasks:dual_categories"), {"name": "演训保障", "sort_order": 1, "is_active": "on"}
        ).status_code
        == 302
    )
    category = DualListCategory.objects.get()
    client.post(
        reverse("tasks:dual_category_edit", args=[category.pk]),
        {"name": "演训保障（含驻训）", "sort_order": 2, "version": category.version},
    )
    category.refresh_from_db()
    assert category.name == "演训保障（含驻训）" and not category.is_active
    assert client_for(township_a).post(reverse("tasks:dual_categories"), {"name": "x"}).status_code == 403


def test_tasks_export_page(client_for, office_user):
    response = client_for(office_user).get(reverse("tasks:tasks_export"))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["F1"].value == "任务"
