"""Hostile files through the visit-record import (upload → preview): each is refused with a clear
Chinese message, nothing is saved and nothing is staged for the confirm step.

Hostile files (executables, zip bombs, a million rows, NUL bytes, huge cells …) go through every
importer in test_every_importer.py; this file holds the hostile cells of the visit import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.bad_inputs import corpus
from tests.visits.conftest import IN_WINDOW
from tests.visits.factories import CampaignFactory
from visits.models import VisitRecord
from visits.resources import VISIT_COLUMNS

pytestmark = pytest.mark.django_db

HEADER = list(VISIT_COLUMNS.values())
GOOD = ["巴川街道", "2027-02-01", "重点优抚对象", "王镇长", 3, 600, 3, 300, 3, 3, "登门看望", "", "", ""]
COL = {name: i for i, name in enumerate(VISIT_COLUMNS)}


def row(**changes: object) -> list[object]:
    values = list(GOOD)
    for name, value in changes.items():
        values[COL[name]] = value
    return values


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit, member_unit, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit, member_unit])


@pytest.fixture
def upload(client_for, township_a, campaign):
    client = client_for(township_a)

    def _upload(content: bytes, name: str = "走访记录.xlsx", *, refused: bool = True) -> str:
        response = client.post(
            reverse("visits:import_upload", kwargs={"kind": "visits"}),
            {"file": SimpleUploadedFile(name, content), "campaign": campaign.pk},
        )
        assert response.status_code == 200
        staged = "visits_import" in client.session
        assert staged is not refused, "a refused file must not be staged for confirm (and a good one must)"
        assert VisitRecord.objects.count() == 0  # the preview never saves
        return response.content.decode()

    return _upload


def errors_of(html: str) -> str:
    """The refusal shown to the user: the preview's error table, or the error at the file field."""
    if 'data-testid="import-errors"' in html:
        return html.split('data-testid="import-errors"', 1)[1].split("</table>", 1)[0]
    assert 'data-field="file"' in html, "no error shown: " + html[-2000:]
    return html.split('data-field="file"', 1)[1].split("</ul>", 1)[0]


def test_the_good_row_is_accepted_so_the_refusals_below_are_about_the_hostile_values(upload):
    html = upload(corpus.xlsx([HEADER, GOOD]), refused=False)
    assert "全部 1 行检查无误" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"people_visited": -5}, "不能为负数"),
        ({"money_amount": -100}, "金额不能为负数"),
        ({"money_amount": "1e20"}, "金额过大"),
        ({"goods_spending": 999999999999999}, "金额过大"),
        ({"people_visited": 99999999999}, "走访慰问人数过大"),
        ({"visit_date": "1900-01-01"}, "走访日期应在活动期间"),
        ({"visit_date": "2027-13-45"}, "不是有效的日期"),
        ({"visit_date": "9999-12-31"}, "走访日期应在活动期间"),
        ({"lead_leader": corpus.LONG_TEXT}, "最多 100 个字"),
        ({"table_row": corpus.SCRIPT}, "应为以下之一："),
        ({"org_unit": corpus.FORMULA}, "不存在或不在您的管辖范围内"),
    ],
    ids=[
        "negative-count",
        "negative-money",
        "huge-money-text",
        "huge-money",
        "huge-count",
        "date-1900",
        "date-invalid",
        "date-9999",
        "10000-characters",
        "script-in-choice",
        "formula-as-unit",
    ],
)
def test_hostile_cell_is_refused_at_its_cell(upload, changes, message):
    html = errors_of(upload(corpus.xlsx([HEADER, row(**changes)])))
    assert message in html
    # Whatever the cell held is shown escaped, never as markup.
    assert "<script>" not in html


def test_script_payload_is_shown_escaped_in_the_preview(upload):
    html = upload(corpus.xlsx([HEADER, row(table_row=corpus.SCRIPT)]))
    assert "<script>alert" not in html and "<img src=x" not in html


def test_gbk_csv_from_excel_is_read_correctly_not_garbled(upload, client_for, township_a):
    """Excel on Chinese Windows saves CSV as GBK: it must be read as such (unit names match),
    and a hostile row in it is refused with the same clear message."""
    html = upload(corpus.csv_bytes([HEADER, row(people_visited=-1)], encoding="gbk"), "走访记录.csv")
    assert "不能为负数" in errors_of(html)
    assert "不存在或不在您的管辖范围内" not in html  # 巴川街道 was decoded, not mojibake


LEDGER_HEADER = ["姓名", "类别", "身份证号", "联系电话", "住址", "所属单位", "备注"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["张三", "烈属", "110101199003071234", "", "", "巴川街道", ""], "校验位"),
        (["张三", "烈属", corpus.FORMULA, "", "", "巴川街道", ""], "身份证号"),
        (["<script>alert(1)</script>", "外星人", "", "", "", "巴川街道", ""], "类别"),
        ([corpus.LONG_TEXT, "烈属", "", corpus.LONG_TEXT, "", "东城街道", ""], "姓名"),
    ],
    ids=["bad-check-digit", "formula-as-id", "script-and-unknown-category", "10000-characters-other-township"],
)
def test_hostile_ledger_rows_are_refused(client_for, township_a, values, message):
    from visits.models import Beneficiary

    client = client_for(township_a)
    response = client.post(
        reverse("visits:import_upload", kwargs={"kind": "ledger"}),
        {"file": SimpleUploadedFile("台账.xlsx", corpus.xlsx([LEDGER_HEADER, values]))},
    )
    html = response.content.decode()
    assert message in errors_of(html)
    assert "<script>alert" not in html
    assert "visits_import" not in client.session
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize("kind", ["visits", "ledger"])
def test_rows_shorter_than_the_header_are_refused_with_a_message(client_for, township_a, campaign, kind):
    header = HEADER if kind == "visits" else LEDGER_HEADER
    client = client_for(township_a)
    data = {"file": SimpleUploadedFile("短行.xlsx", corpus.xlsx([header, ["巴川街道"]]))}
    if kind == "visits":
        data["campaign"] = campaign.pk
    response = client.post(reverse("visits:import_upload", kwargs={"kind": kind}), data)
    assert response.status_code == 200
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors_of(response.content.decode()))
