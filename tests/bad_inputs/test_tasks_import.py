"""Hostile files through the office's Excel imports of tasks and of the 双清单: each is refused
with its own Chinese message (at the row and column that is wrong), and not a row changed.
Hostile files (executables, zip bombs, a million rows, NUL bytes, huge cells …) go through every
importer in test_every_importer.py; this file holds the hostile cells of these two imports.

Every file carries the import's own header, so that what refuses it is the protection under
test (the upload check, the row limit, the cell limit, a cell's widget), not the header check.
Hostile text that is legitimate (a title may start with "=", a note may contain "<") is saved,
rendered escaped on the pages and neutralised in the exports.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import DualListItem, DualListState, Task
from tests.bad_inputs import corpus
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

TASK_HEADER = ["编号", "年度", "工作要点", "部分", "序号", "任务", "牵头单位", "配合单位", "完成时限", "状态", "内容"]
DUAL_HEADER = [
    "编号",
    "年度",
    "清单",
    "类别",
    "事项内容",
    "提出方",
    "责任单位",
    "对口部队",
    "时限",
    "工作质量要求",
    "状态",
]
HEADERS = {"tasks:tasks_import": TASK_HEADER, "tasks:dual_list_import": DUAL_HEADER}
URLS = list(HEADERS)

OUT_OF_RANGE = "日期超出合理范围（2000-01-01 至 2099-12-31）。"
NOT_A_DATE = "不是有效的日期，请填写如 2027-06-30 的日期。"
NOT_A_YEAR = "不是有效的年度，应为 2000 至 2100 之间的整数，如 2027。"
BAD_ID = "无效：请保留导出文件中的编号（新增的行留空）。"
NO_SUCH_TASK = "的任务不存在或您无权修改；Excel 只能更新已有任务。"
NOT_IN_SCOPE = "不存在或不在您的管辖范围内"
NO_SUCH_CATEGORY = "不存在，请填写“类别管理”中已有的类别，或留空。"


def cut(text: str) -> str:
    """How a long cell is quoted in a message (its first 30 characters)."""
    return text if len(text) <= 30 else text[:30] + "…"


@pytest.fixture
def existing(county, office_user, troop_unit, township_a_unit):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="原任务", lead_unit=township_a_unit)
    other = TaskFactory(plan=plan, section=None, title="另一任务", lead_unit=township_a_unit)
    item = DualListItemFactory(
        year=2027, content="原事项", troop_unit=troop_unit, state=DualListState.ASSIGNED, created_by=office_user
    )
    return task, other, item


def snapshot() -> tuple[list[tuple], list[tuple]]:
    return (
        list(Task.objects.order_by("pk").values_list("pk", "title", "text", "lead_unit_id", "deadline")),
        list(
            DualListItem.objects.order_by("pk").values_list(
                "pk", "year", "content", "category_id", "responsible_unit_id", "deadline", "quality_requirement"
            )
        ),
    )


def errors_of(page: str) -> list[str]:
    """The messages of the refusal: the import's error box, or the errors at the file field."""
    if 'data-testid="import-errors"' in page:
        box = page.split('data-testid="import-errors"', 1)[1].split("<form", 1)[0]
        return [html.unescape(m) for m in re.findall(r"<div[^>]*>(.*?)</div>", box, re.S)]
    if 'data-field="file"' in page:
        box = page.split('data-field="file"', 1)[1].split("</ul>", 1)[0]
        return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", box, re.S)]
    raise AssertionError("no error shown: " + page[-2000:])


def assert_escaped(page: str) -> None:
    assert "<script>alert" not in page and "<img src=x" not in page


@pytest.fixture
def post(client_for, office_user, existing):
    """Upload a refused file: the form again (200), data untouched; returns the page."""
    client = client_for(office_user)

    def _post(url_name: str, content: bytes, name: str = "导入.xlsx") -> str:
        before = snapshot()
        response = client.post(reverse(url_name), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, "a refused import stays on the form"
        assert snapshot() == before, "a refused import changed data"
        return response.content.decode()

    return _post


def task_row(task: Task, **cells: object) -> list[object]:
    values: dict[str, object] = dict.fromkeys(TASK_HEADER, "")
    values.update({"编号": task.pk, "年度": 2027, "任务": task.title, "牵头单位": "巴川街道", "完成时限": "2027-06-30"})
    values.update(cells)
    return [values[h] for h in TASK_HEADER]


def dual_row(**cells: object) -> list[object]:
    """A new item (编号 blank) that would be accepted as it is."""
    values: dict[str, object] = dict.fromkeys(DUAL_HEADER, "")
    values.update(
        {
            "年度": 2027,
            "清单": "地方为部队办实事",
            "事项内容": "协调营区供水",
            "提出方": "部队",
            "对口部队": "驻铜某部一营",
            "时限": "2027-06-30",
        }
    )
    values.update(cells)
    return [values[h] for h in DUAL_HEADER]


# ------------------------------------------------------------------------------------------
# Files that are not our spreadsheet


@pytest.mark.parametrize(
    ("url_name", "missing"),
    [
        ("tasks:tasks_import", "编号、任务、牵头单位、配合单位、完成时限、内容"),
        ("tasks:dual_list_import", "编号、年度、清单、类别、事项内容、提出方、责任单位、对口部队、时限、工作质量要求"),
    ],
)
def test_wrong_sheet_layout_is_refused(post, url_name, missing):
    page = post(url_name, corpus.xlsx([["姓名", "金额"], ["张三", 100]]))
    assert errors_of(page) == [f"表头不对，缺少列：{missing}。请用“导出 Excel”得到的模板填写后上传。"]


def test_ragged_task_row_is_refused_at_its_cells(post, existing):
    task, _, _ = existing
    page = post("tasks:tasks_import", corpus.xlsx([TASK_HEADER, [task.pk, 2027]]))
    assert errors_of(page) == ["第 2 行 任务：此字段不能为空。"]


def test_ragged_dual_list_row_is_refused_at_its_cells(post, existing):
    _, _, item = existing
    page = post("tasks:dual_list_import", corpus.xlsx([DUAL_HEADER, [item.pk, 2027]]))
    assert sorted(errors_of(page)) == sorted(
        [
            "第 2 行 清单：应为以下之一：地方为部队办实事、部队为地方办实事。",
            "第 2 行 提出方：应为以下之一：部队、地方。",
            "第 2 行 对口部队：已有事项的对口部队不能通过导入修改。",
            "第 2 行 事项内容：此字段不能为空。",
        ]
    )


# ------------------------------------------------------------------------------------------
# Hostile cells: row 2 is a good change, row 3 holds the hostile cell; the whole file is refused


TASK_CASES = [
    ({"任务": corpus.LONG_TEXT}, "第 3 行 任务：最多 200 个字（本格有 10000 个字），请删减后重新上传。"),
    ({"完成时限": "0001-01-01"}, f"第 3 行 完成时限：{OUT_OF_RANGE}"),
    ({"完成时限": "1999-12-31"}, f"第 3 行 完成时限：{OUT_OF_RANGE}"),
    ({"完成时限": "2100-01-01"}, f"第 3 行 完成时限：{OUT_OF_RANGE}"),
    ({"完成时限": "9999-12-31"}, f"第 3 行 完成时限：{OUT_OF_RANGE}"),
    ({"完成时限": "2027-13-45"}, f"第 3 行 完成时限：“2027-13-45”{NOT_A_DATE}"),
    ({"完成时限": -5}, f"第 3 行 完成时限：“-5”{NOT_A_DATE}"),
    ({"完成时限": 10**12}, f"第 3 行 完成时限：“1000000000000”{NOT_A_DATE}"),
    ({"完成时限": corpus.SCRIPT}, f"第 3 行 完成时限：“{cut(corpus.SCRIPT)}”{NOT_A_DATE}"),
    ({"编号": -5}, f"第 3 行：编号 -5 {NO_SUCH_TASK}"),
    ({"编号": 10**30}, f"第 3 行：编号 {10**30} {NO_SUCH_TASK}"),
    ({"编号": 1.5}, f"第 3 行：编号“1.5”{BAD_ID}"),
    ({"编号": corpus.SCRIPT}, f"第 3 行：编号“{cut(corpus.SCRIPT)}”{BAD_ID}"),
    ({"编号": corpus.FORMULA}, f"第 3 行：编号“{corpus.FORMULA}”{BAD_ID}"),
    ({"牵头单位": corpus.SCRIPT}, f"第 3 行 牵头单位：单位“{corpus.SCRIPT}”{NOT_IN_SCOPE}"),
    ({"配合单位": corpus.FORMULA}, f"第 3 行 配合单位：单位“{corpus.FORMULA}”{NOT_IN_SCOPE}"),
]


@pytest.mark.parametrize(
    ("cells", "message"),
    TASK_CASES,
    ids=[
        "10000-characters",
        "date-0001",
        "date-1999",
        "date-2100",
        "date-9999",
        "date-invalid",
        "date-negative",
        "date-huge",
        "date-script",
        "id-negative",
        "id-huge",
        "id-fraction",
        "id-script",
        "id-formula",
        "unit-script",
        "units-formula",
    ],
)
def test_hostile_cell_in_the_task_import_is_refused_at_its_row_and_column(post, existing, cells, message):
    task, other, _ = existing
    rows = [TASK_HEADER, task_row(task, 任务="改过的任务"), task_row(other, **cells)]
    page = post("tasks:tasks_import", corpus.xlsx(rows))
    assert errors_of(page) == [message]
    assert_escaped(page)


DUAL_CASES = [
    ({"年度": -5}, f"第 3 行 年度：“-5”{NOT_A_YEAR}"),
    ({"年度": 10**30}, f"第 3 行 年度：“{cut(str(10**30))}”{NOT_A_YEAR}"),
    ({"年度": 1999}, f"第 3 行 年度：“1999”{NOT_A_YEAR}"),
    ({"年度": corpus.FORMULA}, f"第 3 行 年度：“{corpus.FORMULA}”{NOT_A_YEAR}"),
    ({"时限": "0001-01-01"}, f"第 3 行 时限：{OUT_OF_RANGE}"),
    ({"时限": "9999-12-31"}, f"第 3 行 时限：{OUT_OF_RANGE}"),
    ({"时限": "1900-13-01"}, f"第 3 行 时限：“1900-13-01”{NOT_A_DATE}"),
    ({"时限": -5}, f"第 3 行 时限：“-5”{NOT_A_DATE}"),
    ({"类别": corpus.SCRIPT}, f"第 3 行 类别：类别“{cut(corpus.SCRIPT)}”{NO_SUCH_CATEGORY}"),
    ({"清单": corpus.SCRIPT}, "第 3 行 清单：应为以下之一：地方为部队办实事、部队为地方办实事。"),
    ({"提出方": "外星人"}, "第 3 行 提出方：应为以下之一：部队、地方。"),
    ({"对口部队": "不存在的部队"}, f"第 3 行 对口部队：单位“不存在的部队”{NOT_IN_SCOPE}"),
    ({"责任单位": corpus.SCRIPT}, f"第 3 行 责任单位：单位“{corpus.SCRIPT}”{NOT_IN_SCOPE}"),
    ({"编号": "abc"}, f"第 3 行：编号“abc”{BAD_ID}"),
    ({"编号": 10**30}, f"第 3 行：编号 {10**30} 的事项不存在或您无权修改。"),
]


@pytest.mark.parametrize(
    ("cells", "message"),
    DUAL_CASES,
    ids=[
        "year-negative",
        "year-huge",
        "year-1999",
        "year-formula",
        "date-0001",
        "date-9999",
        "date-invalid",
        "date-negative",
        "category-script",
        "list-script",
        "side-unknown",
        "troop-unknown",
        "unit-script",
        "id-text",
        "id-huge",
    ],
)
def test_hostile_cell_in_the_dual_list_import_is_refused_at_its_row_and_column(post, existing, cells, message):
    _, _, item = existing
    change = dual_row(编号=item.pk, 事项内容="改过的事项", 对口部队=item.troop_unit.name)
    page = post("tasks:dual_list_import", corpus.xlsx([DUAL_HEADER, change, dual_row(**cells)]))
    assert errors_of(page) == [message]
    assert_escaped(page)


def _openpyxl_file(header: list[str], row: list[object]) -> bytes:
    """A file as Excel writes it: a date typed into a date cell arrives as a datetime."""
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("when", [dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)])
def test_excel_date_cell_out_of_range_is_refused(post, existing, when):
    task, _, _ = existing
    page = post("tasks:tasks_import", _openpyxl_file(TASK_HEADER, task_row(task, 完成时限=when)))
    assert errors_of(page) == [f"第 2 行 完成时限：{OUT_OF_RANGE}"]


def test_excel_date_cell_in_range_is_imported(client_for, office_user, existing):
    task, _, _ = existing
    content = _openpyxl_file(TASK_HEADER, task_row(task, 完成时限=dt.datetime(2099, 12, 31)))
    response = client_for(office_user).post(
        reverse("tasks:tasks_import"), {"file": SimpleUploadedFile("导入.xlsx", content)}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2099, 12, 31)


# ------------------------------------------------------------------------------------------
# Legitimate text that looks hostile: saved as text, escaped on the pages, neutralised on export


def _export_cells(response) -> list[Any]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = []
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value}"
            cells.append(cell)
    return cells


def _assert_neutralised(cells: list[Any]) -> None:
    """Exactly as imported (the export dropped the "=" before), a quote-prefixed text cell."""
    payloads = [c for c in cells if isinstance(c.value, str) and "cmd|" in c.value]
    assert payloads, "the payload is not in the export at all"
    assert [c.value for c in payloads] == [corpus.FORMULA]
    assert all(c.data_type == "s" and c.quotePrefix for c in payloads)


def test_script_and_formula_imported_into_a_task_are_escaped_on_pages_and_exports(client_for, office_user, existing):
    task, _, _ = existing
    client = client_for(office_user)
    content = corpus.xlsx([TASK_HEADER, task_row(task, 任务=corpus.FORMULA, 内容=corpus.SCRIPT)])
    response = client.post(reverse("tasks:tasks_import"), {"file": SimpleUploadedFile("导入.xlsx", content)})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.text) == (corpus.FORMULA, corpus.SCRIPT)
    for url in (reverse("tasks:task_detail", args=[task.pk]), reverse("tasks:task_board")):
        page = client.get(url).content.decode()
        assert_escaped(page)
        assert html.escape(corpus.FORMULA, quote=True) in page, url
    assert "&lt;script&gt;alert" in client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    _assert_neutralised(_export_cells(client.get(reverse("tasks:tasks_export"))))


def test_script_and_formula_imported_into_the_dual_list_are_escaped_on_pages_and_exports(
    client_for, office_user, existing
):
    client = client_for(office_user)
    content = corpus.xlsx([DUAL_HEADER, dual_row(事项内容=corpus.SCRIPT, 工作质量要求=corpus.FORMULA)])
    response = client.post(reverse("tasks:dual_list_import"), {"file": SimpleUploadedFile("导入.xlsx", content)})
    assert response.status_code == 302
    item = DualListItem.objects.get(content=corpus.SCRIPT)
    assert item.quality_requirement == corpus.FORMULA
    for url in (reverse("tasks:dual_item_detail", args=[item.pk]), reverse("tasks:dual_list")):
        page = client.get(url).content.decode()
        assert_escaped(page)
        assert "&lt;script&gt;alert" in page, url
    _assert_neutralised(_export_cells(client.get(reverse("tasks:dual_list_export"))))
