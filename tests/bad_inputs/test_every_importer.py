"""Every hostile file through every importer: tasks, 双清单, visit records, the ledger, scoring tables.

All four read their upload through one reader (shuangyong.tables), so each case must be refused
by each of them with the same exact Chinese message, at the same row and column, with nothing
saved (nor staged for a confirm) and no 500. A case that one importer refuses differently is a
fix that landed in one pipeline and not the other.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from evaluation.models import ScoringItem, ScoringTable
from evaluation.services import COLUMNS as SCORING_COLUMNS
from evaluation.services import REQUIRED_COLUMNS as SCORING_REQUIRED
from shuangyong import tables
from shuangyong.tables import CellError
from tasks.models import DualListItem, DualListState, Task
from tests.bad_inputs import corpus
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import CampaignFactory, valid_id_number
from visits.models import Beneficiary, VisitRecord
from visits.resources import BENEFICIARY_COLUMNS, VISIT_COLUMNS

pytestmark = pytest.mark.django_db

TASK_HEADER = ["编号", "年度", "工作要点", "部分", "序号", "任务", "牵头单位", "配合单位", "完成时限", "状态", "内容"]
DUAL_HEADER = [
    *("编号", "年度", "清单", "类别", "事项内容", "提出方", "责任单位", "对口部队", "时限", "工作质量要求", "状态"),
]
EXPORT_HINT = "请用“导出 Excel”得到的模板填写后上传。"
TEMPLATE_HINT = "请下载导入模板，按模板的列填写。"


@dataclass
class Importer:
    """One import as a user meets it: its page, its template's columns, a row it accepts, and the
    free-text column with the model field that bounds it."""

    name: str
    post: Callable[[str, bytes], Any]
    header: list[str]
    required: list[str]
    hint: str
    good_row: list[object]
    text_column: str
    text_field: tuple[type[models.Model], str]
    snapshot: Callable[[], object]
    staged: Callable[[], bool]

    def cell(self, column: str, value: object) -> list[object]:
        """The good row with one cell changed."""
        row = list(self.good_row)
        row[self.header.index(column)] = value
        return row

    @property
    def text_limit(self) -> int:
        model, name = self.text_field
        return model._meta.get_field(name).max_length or tables.MAX_CELL_CHARS


def _refusal(response: Any) -> list[tuple[int, str, str]]:
    """What the page says is wrong, as (row, column, message); row 0 = the file as a whole."""
    assert response.status_code == 200, f"status {response.status_code}"
    page = response.content.decode()
    found: list[tuple[int, str, str]] = []
    if 'data-field="file"' in page:
        box = page.split('data-field="file"', 1)[1].split("</ul>", 1)[0]
        found += [(0, "", html.unescape(m)) for m in re.findall(r"<li>(.*?)</li>", box, re.S)]
    # The tasks page: one <div> per error; the visit preview: one table row per error.
    for row, column, text in re.findall(
        r'<div data-testid="import-error" data-row="(\d+)" data-column="([^"]*)">(.*?)</div>', page, re.S
    ):
        prefix = str(CellError(int(row), html.unescape(column), ""))
        found.append((int(row), html.unescape(column), html.unescape(text).removeprefix(prefix)))
    for row, column, text in re.findall(
        r'<tr data-testid="import-error"><td>(?:第 (\d+) 行|—)</td><td>(.*?)</td><td>(.*?)</td></tr>', page, re.S
    ):
        found.append((int(row or 0), html.unescape(column), html.unescape(text)))
    assert found, "no refusal shown: " + page[-1500:]
    return found


@pytest.fixture
def importers(client_for, county, office_user, township_a, township_a_unit, village_a1, troop_unit, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="原任务", lead_unit=township_a_unit)
    DualListItemFactory(year=2027, content="原事项", troop_unit=troop_unit, state=DualListState.ASSIGNED)
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])

    def tasks_post(url: str, user: Any) -> Callable[[str, bytes], Any]:
        def post(name: str, content: bytes) -> Any:
            return client_for(user).post(reverse(url), {"file": SimpleUploadedFile(name, content)})

        return post

    def visits_post(kind: str) -> Callable[[str, bytes], Any]:
        def post(name: str, content: bytes) -> Any:
            data: dict[str, Any] = {"file": SimpleUploadedFile(name, content)}
            if kind == "visits":
                data["campaign"] = campaign.pk
            return client_for(township_a).post(reverse("visits:import_upload", args=[kind]), data)

        return post

    def staged() -> bool:
        return "visits_import" in client_for(township_a).session

    def task_rows() -> object:
        return list(Task.objects.order_by("pk").values_list()), Task.history.count()

    def dual_rows() -> object:
        return list(DualListItem.objects.order_by("pk").values_list()), DualListItem.history.count()

    task_row = dict.fromkeys(TASK_HEADER, "") | {"编号": task.pk, "年度": 2027, "任务": "改过的任务"}
    task_row |= {"牵头单位": "巴川街道", "完成时限": "2027-06-30"}
    dual_row = dict.fromkeys(DUAL_HEADER, "") | {"年度": 2027, "清单": "地方为部队办实事", "事项内容": "协调营区供水"}
    dual_row |= {"提出方": "部队", "对口部队": "驻铜某部一营", "时限": "2027-06-30"}
    visit_row = ["巴川街道", "2027-02-01", "重点优抚对象", "王镇长", 3, 600, 3, 300, 3, 3, "登门看望", "", "", "无"]
    ledger_row = ["王建国", "烈属", valid_id_number(), "13800000000", "某路1号", "玉泉社区", "无"]

    def table_post(name: str, content: bytes) -> Any:
        data = {"name": "考评标准", "file": SimpleUploadedFile(name, content)}
        return client_for(office_user).post(reverse("evaluation:table_import"), data)

    scoring_row = ["1", "考评项目", "", "组织领导", 6, "", "", "", "", ""]
    return [
        Importer(
            name="scoring_table",
            post=table_post,
            header=list(SCORING_COLUMNS),
            required=SCORING_REQUIRED,
            hint=TEMPLATE_HINT,
            good_row=scoring_row,
            text_column="考评内容",
            text_field=(ScoringItem, "content"),
            snapshot=lambda: (ScoringTable.objects.count(), ScoringItem.objects.count(), ScoringItem.history.count()),
            staged=lambda: False,
        ),
        Importer(
            name="tasks",
            post=tasks_post("tasks:tasks_import", office_user),
            header=TASK_HEADER,
            required=["编号", "任务", "牵头单位", "配合单位", "完成时限", "内容"],
            hint=EXPORT_HINT,
            good_row=[task_row[h] for h in TASK_HEADER],
            text_column="内容",
            text_field=(Task, "text"),
            snapshot=task_rows,
            staged=lambda: False,
        ),
        Importer(
            name="dual_list",
            post=tasks_post("tasks:dual_list_import", office_user),
            header=DUAL_HEADER,
            required=[h for h in DUAL_HEADER if h != "状态"],
            hint=EXPORT_HINT,
            good_row=[dual_row[h] for h in DUAL_HEADER],
            text_column="工作质量要求",
            text_field=(DualListItem, "quality_requirement"),
            snapshot=dual_rows,
            staged=lambda: False,
        ),
        Importer(
            name="visits",
            post=visits_post("visits"),
            header=list(VISIT_COLUMNS.values()),
            required=list(VISIT_COLUMNS.values()),
            hint=TEMPLATE_HINT,
            good_row=visit_row,
            text_column="备注",
            text_field=(VisitRecord, "notes"),
            snapshot=lambda: (VisitRecord.objects.count(), VisitRecord.history.count()),
            staged=staged,
        ),
        Importer(
            name="ledger",
            post=visits_post("ledger"),
            header=list(BENEFICIARY_COLUMNS.values()),
            required=list(BENEFICIARY_COLUMNS.values()),
            hint=TEMPLATE_HINT,
            good_row=ledger_row,
            text_column="备注",
            text_field=(Beneficiary, "notes"),
            snapshot=lambda: (Beneficiary.objects.count(), Beneficiary.history.count()),
            staged=staged,
        ),
    ]


IMPORTERS = ["tasks", "dual_list", "visits", "ledger", "scoring_table"]


@pytest.fixture(params=IMPORTERS)
def importer(request, importers) -> Importer:
    return next(i for i in importers if i.name == request.param)


def csv_file(rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def refuse(importer: Importer, name: str, content: bytes) -> list[tuple[int, str, str]]:
    # How fast a refusal is belongs to the bench, not to a timed test: under load any limit flakes.
    before = importer.snapshot()
    response = importer.post(name, content)
    assert importer.snapshot() == before, "a refused file changed data"
    assert not importer.staged(), "a refused file was staged for the confirm step"
    assert len(response.content) < 200_000, "the file's content was echoed into the page"
    return _refusal(response)


# ------------------------------------------------------------------------------------------
# The file as a whole


def whole(message: str) -> list[tuple[int, str, str]]:
    return [(0, "", message)]


FILE_CASES: dict[str, Callable[[Importer], tuple[str, bytes, list[tuple[int, str, str]]]]] = {
    "executable-as-xlsx": lambda i: (
        "导入.xlsx",
        corpus.EXECUTABLE,
        whole("文件“导入.xlsx”的内容与扩展名不符，不是有效的Excel 表格，已拒绝上传。"),
    ),
    "executable-as-csv": lambda i: (
        "导入.csv",
        corpus.EXECUTABLE,
        whole("文件“导入.csv”的内容与扩展名不符，不是有效的CSV 文件，已拒绝上传。"),
    ),
    "other-type": lambda i: (
        "导入.exe",
        corpus.EXECUTABLE,
        whole("不支持的文件类型“.exe”，只能上传：Excel 表格、CSV 文件。"),
    ),
    "too-large": lambda i: (
        "导入.csv",
        csv_file([i.header]) + b"," * (6 * 1024 * 1024),
        whole(
            f"文件“导入.csv”太大（{(len(csv_file([i.header])) + 6 * 1024 * 1024) / 1024 / 1024:.1f} MB），"
            "单个文件不能超过 5 MB。"
        ),
    ),
    "zip-bomb": lambda i: (
        "导入.xlsx",
        corpus.zip_bomb_xlsx(i.header, megabytes=300),
        whole("文件“导入.xlsx”解压后异常巨大，疑似压缩炸弹，已拒绝上传。"),
    ),
    "million-rows-xlsx": lambda i: (
        "导入.xlsx",
        corpus.million_rows_xlsx(i.header, [1]),
        whole("一次最多导入 20000 行，请分批导入。"),
    ),
    "too-many-rows-csv": lambda i: (
        "导入.csv",
        csv_file([i.header] + [i.good_row] * 20_001),
        whole("一次最多导入 20000 行，请分批导入。"),
    ),
    "cell-at-XFD1048576": lambda i: (
        "导入.xlsx",
        corpus.far_cell_xlsx(i.header, "XFD1048576"),
        whole("一次最多导入 20000 行，请分批导入。"),
    ),
    "cell-at-XFD2": lambda i: (
        "导入.xlsx",
        corpus.far_cell_xlsx(i.header, "xfd2"),
        whole("文件超过 100 列，不是导入模板的格式，请用导入模板填写。"),
    ),
    "row-of-20000-cells": lambda i: (
        "导入.xlsx",
        corpus.wide_row_xlsx(i.header),
        whole("文件超过 100 列，不是导入模板的格式，请用导入模板填写。"),
    ),
    "damaged-xlsx": lambda i: (
        "导入.xlsx",
        corpus.damaged_xlsx(),
        whole("无法读取该 Excel 文件，请用导入模板（或导出的 Excel）填写后另存为 .xlsx 再上传。"),
    ),
    "undecodable-csv": lambda i: (
        "导入.csv",
        # Valid for the first 64 KB that the type check samples, then not text in any encoding.
        csv_file([i.header] + [i.good_row] * 2000) + b"\xff\xfe",
        whole("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”或 .xlsx 后上传。"),
    ),
    "unbalanced-quote-csv": lambda i: (
        "导入.csv",
        csv_file([i.header, i.good_row]) + b'"x,\n' + b"a" * 10,
        whole("第 3 行不是有效的 CSV 格式（引号不成对？），请用 Excel 另存为 CSV 后上传。"),
    ),
    "wrong-header": lambda i: (
        "导入.xlsx",
        corpus.xlsx([["姓名x", "金额"], ["张三", 100]]),
        whole(f"表头不对，缺少列：{'、'.join(i.required)}。{i.hint}"),
    ),
    "header-only": lambda i: ("导入.xlsx", corpus.xlsx([i.header]), whole("文件中没有数据行。")),
    "blank-rows-only-csv": lambda i: (
        "导入.csv",
        csv_file([i.header, [""] * len(i.header), [" "] * len(i.header)]),
        whole("文件中没有数据行。"),
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_hostile_file_is_refused_by_every_importer(importer, case):
    name, content, expected = FILE_CASES[case](importer)
    assert refuse(importer, name, content) == expected


def test_an_empty_upload_is_refused_by_the_form(importer):
    assert refuse(importer, "导入.csv", b"") == whole("所提交的是空文件。")


# ------------------------------------------------------------------------------------------
# Cells: the good row of each importer with one hostile cell, refused at that cell

NUL = tables.NUL_IN_CELL
OVER_EXCEL = tables.CELL_OVER_EXCEL_LIMIT


def over_field(importer: Importer) -> tuple[str, str]:
    """A text one character longer than its column's model field allows, and the message."""
    limit = importer.text_limit
    text = "长" * (limit + 1)
    if limit >= tables.MAX_CELL_CHARS:
        return text, OVER_EXCEL
    return text, tables.CELL_OVER_FIELD_LIMIT.format(limit=limit, length=limit + 1)


CELL_CASES: dict[str, Callable[[Importer], tuple[str, bytes, list[tuple[int, str, str]]]]] = {
    "nul-in-csv-cell": lambda i: (
        "导入.csv",
        csv_file([i.header, i.good_row, i.cell(i.text_column, "前\x00后")]),
        [(3, i.text_column, NUL)],
    ),
    "nul-in-xlsx-cell": lambda i: (
        "导入.xlsx",
        corpus.xlsx([i.header, i.cell(i.text_column, "前_x0000_后")]),
        [(2, i.text_column, NUL)],
    ),
    "csv-cell-over-131072-characters": lambda i: (
        "导入.csv",
        csv_file([i.header, i.good_row, i.good_row, i.cell(i.text_column, "长" * 131_073)]),
        [(4, i.text_column, OVER_EXCEL)],
    ),
    "40MB-cell-in-a-40KB-xlsx": lambda i: (
        "导入.xlsx",
        corpus.huge_cell_xlsx(i.header, i.good_row, i.header.index(i.text_column), megabytes=40),
        [(2, i.text_column, OVER_EXCEL)],
    ),
    "cell-over-the-field-length-xlsx": lambda i: (
        "导入.xlsx",
        corpus.xlsx([i.header, i.good_row, i.cell(i.text_column, over_field(i)[0])]),
        [(3, i.text_column, over_field(i)[1])],
    ),
    "cell-over-the-field-length-gbk-csv": lambda i: (
        "导入.csv",
        csv_file([i.header, i.cell(i.text_column, over_field(i)[0])], encoding="gbk"),
        [(2, i.text_column, over_field(i)[1])],
    ),
    "32768-characters-in-the-first-column": lambda i: (
        "导入.xlsx",
        corpus.xlsx([i.header, i.cell(i.header[0], "9" * 32_768)]),
        [(2, i.header[0], OVER_EXCEL)],
    ),
}


@pytest.mark.parametrize("case", list(CELL_CASES))
def test_hostile_cell_is_refused_at_its_cell_by_every_importer(importer, case):
    name, content, expected = CELL_CASES[case](importer)
    assert refuse(importer, name, content) == expected


# ------------------------------------------------------------------------------------------
# What each importer must accept: the good row in every format people save


FORMATS = {
    "xlsx": lambda i: ("导入.xlsx", corpus.xlsx([i.header, i.good_row])),
    "csv-utf8": lambda i: ("导入.csv", csv_file([i.header, i.good_row])),
    "csv-utf8-bom": lambda i: ("导入.csv", csv_file([i.header, i.good_row], encoding="utf-8-sig")),
    "csv-gbk": lambda i: ("导入.csv", csv_file([i.header, i.good_row], encoding="gbk")),
    "csv-gb18030": lambda i: ("导入.csv", csv_file([i.header, i.good_row], encoding="gb18030")),
    "csv-semicolons": lambda i: ("导入.csv", csv_file([i.header, i.good_row], delimiter=";")),
    "csv-tabs": lambda i: ("导入.csv", csv_file([i.header, i.good_row], delimiter="\t")),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_importer_accepts_the_good_row_in_every_format(importer, fmt):
    name, content = FORMATS[fmt](importer)
    before = importer.snapshot()
    response = importer.post(name, content)
    if importer.name in ("tasks", "dual_list", "scoring_table"):  # imported at once, no preview
        assert response.status_code == 302, _refusal(response)
        assert importer.snapshot() != before
    else:
        assert response.status_code == 200
        assert "全部 1 行检查无误" in response.content.decode(), _refusal(response)
        assert importer.staged()


def test_cell_limits_follow_the_model_fields(importer, monkeypatch):
    """No importer hard-codes a length: shorten the model field and every import follows it."""
    model, name = importer.text_field
    monkeypatch.setattr(model._meta.get_field(name), "max_length", 5)
    content = corpus.xlsx([importer.header, importer.good_row, importer.cell(importer.text_column, "六个字的备注")])
    assert refuse(importer, "导入.xlsx", content) == [
        (3, importer.text_column, "最多 5 个字（本格有 6 个字），请删减后重新上传。")
    ]
