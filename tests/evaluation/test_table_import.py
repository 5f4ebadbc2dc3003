"""The scoring table is imported from the office's own .xlsx/.csv: all rows or none, errors at their row."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from evaluation.models import ItemKind, ScoringItem, ScoringTable
from tests.evaluation.conftest import CSV_HEADER, GOOD_ROWS

pytestmark = pytest.mark.django_db


def post(client, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse("evaluation:table_import"), {"name": "省考评标准", "file": upload})


def errors_of(response) -> list[str]:
    return [str(e) for e in response.context["errors"]]


def test_a_good_table_becomes_headings_items_and_sub_items(client_for, office_user):
    response = post(client_for(office_user), "标准.csv", (CSV_HEADER + GOOD_ROWS).encode())
    table = ScoringTable.objects.get()
    assert response.status_code == 302 and response.url == reverse("evaluation:table_detail", args=[table.pk])
    items = {i.number: i for i in ScoringItem.objects.filter(table=table)}
    assert items["一"].kind == ItemKind.HEADING and items["一"].parent is None
    assert items["1"].parent == items["一"] and items["1"].figure_keys == ["meeting_leading", "unit_summaries"]
    assert items["2.1"].kind == ItemKind.SUB_ITEM and items["2.1"].parent == items["2"]
    assert items["4"].is_veto and not items["4"].is_bonus and items["5"].is_bonus
    assert str(items["1"].points) == "2.00" and items["1"].scoring_rule == "每缺一年扣0.5分"


def test_an_xlsx_table_is_read_by_the_one_reader(client_for, office_user):
    wb = Workbook()
    ws = wb.active
    for line in (CSV_HEADER + GOOD_ROWS).splitlines():
        ws.append([cell or None for cell in line.split(",")])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = post(client_for(office_user), "标准.xlsx", buffer.getvalue())
    assert response.status_code == 302
    assert ScoringItem.objects.count() == 7


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("9,考评内容,一,经费保障,三分,,,,,\n", "第 9 行 分值：分值“三分”不是有效的数字"),
        ("9,细项,8,缺少上级的细项,1,,,,,\n", "第 9 行 上级序号：上级序号“8”在本行之前不存在，细项缺少上级。"),
        ("9,细项,,没有上级序号的细项,1,,,,,\n", "第 9 行 上级序号：细项必须填写上级序号。"),
        ("9,细项,一,挂在考评项目下的细项,1,,,,,\n", "第 9 行 上级序号：细项的上级必须是考评内容"),
        ("1,考评内容,一,重复的序号,1,,,,,\n", "第 9 行 序号：序号“1”与第 3 行重复。"),
        ("9,考评内容,一,未知的关联,1,,,,,走访排名\n", "第 9 行 关联数据：“走访排名”不是可关联的数据"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_names_the_row(client_for, office_user, bad_row, expected):
    # Seven good rows (rows 2-8), then the bad one at row 9: nothing at all is saved.
    response = post(client_for(office_user), "标准.csv", (CSV_HEADER + GOOD_ROWS + bad_row).encode())
    assert response.status_code == 200
    errors = errors_of(response)
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert ScoringTable.objects.count() == 0 and ScoringItem.objects.count() == 0
    assert "未导入任何数据" in response.content.decode()


def test_a_file_without_the_columns_is_refused_at_the_file_field(client_for, office_user):
    response = post(client_for(office_user), "标准.csv", "序号,内容\n1,abc\n".encode())
    assert "缺少列" in str(response.context["form"].errors["file"])
    assert ScoringTable.objects.count() == 0


def test_only_the_office_imports(client_for, leader, member_liaison):
    assert post(client_for(member_liaison), "标准.csv", (CSV_HEADER + GOOD_ROWS).encode()).status_code == 403
    assert post(client_for(leader), "标准.csv", (CSV_HEADER + GOOD_ROWS).encode()).status_code == 403
    assert ScoringTable.objects.count() == 0


def test_the_office_edits_an_item_and_a_stale_form_is_refused(client_for, office_user, table):
    item = ScoringItem.objects.get(table=table, number="3")
    url = reverse("evaluation:item_edit", args=[item.pk])
    data = {"number": "3", "content": "经费列入预算", "points": "1.5", "scoring_rule": "", "evidence_asked": "",
            "figure_keys": ["budget", "payments"], "version": item.version}  # fmt: skip
    client = client_for(office_user)
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert str(item.points) == "1.50" and item.figure_keys == ["budget", "payments"]
    stale = client.post(url, {**data, "content": "又改了"})  # the same, now old, version
    assert stale.status_code == 200 and "该记录已被他人修改" in stale.content.decode()
    item.refresh_from_db()
    assert item.content == "经费列入预算"


def test_the_template_imports_as_it_is(client_for, office_user):
    client = client_for(office_user)
    template = client.get(reverse("evaluation:table_template"))
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert header[:5] == ["序号", "层级", "上级序号", "考评内容", "分值"]
    assert post(client, "模板.xlsx", template.content).status_code == 302
    assert list(ScoringItem.objects.values_list("number", "kind")) == [
        ("一", ItemKind.HEADING), ("1", ItemKind.ITEM), ("1.1", ItemKind.SUB_ITEM)
    ]  # fmt: skip


def test_the_office_adds_an_item_under_its_parent_and_every_evaluation_gets_it(client_for, office_user, evaluation):
    from evaluation.models import ItemAssessment

    table = evaluation.table
    parent = ScoringItem.objects.get(table=table, number="2")
    data = {"parent": parent.pk, "number": "2.2", "content": "双清单四要素齐全", "points": "1", "scoring_rule": "",
            "evidence_asked": "", "figure_keys": ["dual_list"]}  # fmt: skip
    response = client_for(office_user).post(reverse("evaluation:item_create", args=[table.pk]), data)
    assert response.status_code == 302
    item = ScoringItem.objects.get(table=table, number="2.2")
    assert item.kind == ItemKind.SUB_ITEM and item.parent == parent
    order = list(ScoringItem.objects.filter(table=table).order_by("sort_order").values_list("number", flat=True))
    assert order == ["一", "1", "2", "2.1", "2.2", "3", "4", "5"]
    assert ItemAssessment.objects.filter(evaluation=evaluation, item=item).exists()
    under_sub = client_for(office_user).post(
        reverse("evaluation:item_create", args=[table.pk]), {**data, "parent": item.pk, "number": "2.2.1"}
    )
    assert under_sub.status_code == 200  # a sub-item is not offered as a parent
    assert not ScoringItem.objects.filter(number="2.2.1").exists()
