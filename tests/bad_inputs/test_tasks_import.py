"""Hostile files through the office's Excel imports of tasks and of the 双清单: a clear Chinese
error, and not a row changed."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import DualListItem, DualListState, Task
from tests.bad_inputs import corpus
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def existing(county, office_user, troop_unit, township_a_unit):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="原任务", lead_unit=township_a_unit)
    item = DualListItemFactory(
        year=2027, content="原事项", troop_unit=troop_unit, state=DualListState.ASSIGNED, created_by=office_user
    )
    return task, item


def snapshot() -> tuple[list[tuple], list[tuple]]:
    return (
        list(Task.objects.order_by("pk").values_list("pk", "title", "lead_unit_id", "deadline")),
        list(DualListItem.objects.order_by("pk").values_list("pk", "content", "responsible_unit_id", "deadline")),
    )


def refusal(html: str) -> str:
    for marker in ('data-testid="import-errors"', 'data-field="file"'):
        if marker in html:
            return html.split(marker, 1)[1][:2000]
    raise AssertionError("no error shown: " + html[-2000:])


@pytest.fixture
def post(client_for, office_user, existing):
    client = client_for(office_user)

    def _post(url_name: str, content: bytes, name: str = "导入.xlsx") -> str:
        before = snapshot()
        response = client.post(reverse(url_name), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, "a refused import stays on the form"
        assert snapshot() == before, "a refused import changed data"
        return response.content.decode()

    return _post


URLS = ["tasks:dual_list_import", "tasks:tasks_import"]


@pytest.mark.parametrize("url_name", URLS)
def test_renamed_executable_is_refused(post, url_name):
    assert "Excel" in refusal(post(url_name, corpus.EXECUTABLE))


@pytest.mark.parametrize("url_name", URLS)
def test_zip_bomb_is_refused_before_it_is_inflated(post, url_name):
    content = corpus.zip_bomb_xlsx(DUAL_HEADER, megabytes=300)
    started = time.monotonic()
    html = post(url_name, content)
    assert time.monotonic() - started < 5
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal(html))


@pytest.mark.parametrize("url_name", URLS)
def test_wrong_sheet_layout_is_refused(post, url_name):
    html = post(url_name, corpus.xlsx([["姓名", "金额"], ["张三", 100]]))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal(html))


@pytest.mark.parametrize("url_name", URLS)
def test_million_rows_are_refused_quickly(post, url_name):
    content = corpus.million_rows_xlsx(DUAL_HEADER, [1] * len(DUAL_HEADER))
    started = time.monotonic()
    html = post(url_name, content)
    assert time.monotonic() - started < 30, "the import read the whole million rows"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal(html))


def test_ragged_rows_are_refused_with_a_message(post):
    html = post("tasks:dual_list_import", corpus.xlsx([DUAL_HEADER, [1, 2027]]))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal(html))


def test_hostile_cells_in_the_dual_list_are_refused_and_nothing_changes(post, existing, troop_unit):
    _, item = existing
    rows = [
        DUAL_HEADER,
        [item.pk, 2027, "地方为部队办实事", "", corpus.LONG_TEXT, "部队", "", troop_unit.name, "9999-99-99", "", ""],
        [None, -5, corpus.SCRIPT, "", corpus.FORMULA, "外星人", "", "不存在的部队", "1900-13-01", "", ""],
    ]
    html = refusal(post("tasks:dual_list_import", corpus.xlsx(rows)))
    assert "<script>alert" not in html
    assert "第 2 行" in html or "第 3 行" in html
