"""双清单 pages: every transition through the client, refusals (other township 404, leader 403),
对账 page and its Excel, carry-over, fixed query count of the list."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from tasks.models import DualListDirection, DualListItem, DualListState
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db
S = DualListState


@pytest.fixture
def item(troop_unit, office_user):
    return DualListItemFactory(troop_unit=troop_unit, created_by=office_user, content="协调训练场地")


def _act(client, item, action, data=None):
    return client.post(reverse("tasks:dual_item_action", args=[item.pk, action]), data or {})


def _state(item):
    item.refresh_from_db()
    return item.state


def test_full_workflow_through_the_pages(client_for, item, office_user, township_a, troop_liaison, township_a_unit):
    office = client_for(office_user)
    assert (
        _act(
            office,
            item,
            "assign",
            {"responsible_unit": township_a_unit.pk, "deadline": "2022-10-31", "version": item.version},
        ).status_code
        == 302
    )
    assert _state(item) == S.ASSIGNED
    township = client_for(township_a)
    page = township.get(reverse("tasks:dual_item_detail", args=[item.pk])).content.decode()
    assert "开始办理" in page and "交办</button>" not in page
    _act(township, item, "start")
    assert _state(item) == S.IN_PROGRESS
    _act(township, item, "request_close", {"note": "场地已协调到位"})
    assert _state(item) == S.CLOSE_REQUESTED
    troop = client_for(troop_liaison)
    _act(troop, item, "confirm")
    assert _state(item) == S.CLOSE_REQUESTED  # one side is not enough
    page = troop.get(reverse("tasks:dual_item_detail", args=[item.pk])).content.decode()
    assert "确认销号</button>" not in page  # already confirmed by the troop
    _act(client_for(office_user), item, "confirm")
    assert _state(item) == S.CLOSED
    page = client_for(office_user).get(reverse("tasks:dual_item_detail", args=[item.pk])).content.decode()
    assert troop_liaison.display_name in page and office_user.display_name in page
    assert item.transitions.count() == 5


def test_send_back_with_reason_through_the_page(client_for, item, troop_liaison, township_a_unit):
    item.responsible_unit = township_a_unit
    item.state = S.CLOSE_REQUESTED
    item.save()
    client = client_for(troop_liaison)
    response = _act(client, item, "send_back", {"reason": ""})
    assert _state(item) == S.CLOSE_REQUESTED
    assert "退回理由" in client.get(response.url).content.decode()
    _act(client, item, "send_back", {"reason": "场地尚未移交"})
    assert _state(item) == S.IN_PROGRESS


def test_wrong_state_is_refused_with_a_message(client_for, item, troop_liaison):
    client = client_for(troop_liaison)
    response = _act(client, item, "confirm")
    assert response.status_code == 302 and _state(item) == S.PROPOSED
    assert "事项当前状态为“已提出”，不能确认销号" in client.get(response.url).content.decode()


def test_wrong_state_message_for_the_right_role(client_for, item, office_user, township_a_unit):
    item.responsible_unit = township_a_unit
    item.state = S.IN_PROGRESS
    item.save()
    client = client_for(office_user)
    response = _act(client, item, "confirm")
    assert response.status_code == 302 and _state(item) == S.IN_PROGRESS
    assert "不能确认销号" in client.get(response.url).content.decode()


@pytest.mark.parametrize("action", ["assign", "start", "request_close", "confirm", "send_back"])
def test_other_township_gets_404_for_every_action(client_for, item, township_a_unit, township_b, action):
    item.responsible_unit = township_a_unit
    item.state = S.CLOSE_REQUESTED
    item.save()
    client = client_for(township_b)
    assert client.get(reverse("tasks:dual_item_detail", args=[item.pk])).status_code == 404
    response = _act(client, item, action, {"note": "x", "reason": "x", "responsible_unit": township_a_unit.pk})
    assert response.status_code == 404
    assert _state(item) == S.CLOSE_REQUESTED


@pytest.mark.parametrize("action", ["assign", "start", "request_close", "confirm", "send_back"])
def test_leader_gets_403_for_every_action(client_for, item, township_a_unit, leader, action):
    item.responsible_unit = township_a_unit
    item.state = S.CLOSE_REQUESTED
    item.save()
    client = client_for(leader)
    page = client.get(reverse("tasks:dual_item_detail", args=[item.pk])).content.decode()
    assert 'data-testid="actions"' not in page
    assert _act(client, item, action, {"reason": "x"}).status_code == 403
    assert _state(item) == S.CLOSE_REQUESTED


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("township_a", "assign", 403),
        ("troop_liaison", "assign", 403),
        ("office_user", "start", 403),
        ("troop_liaison", "start", 403),
        ("member_liaison", "start", 404),  # 教育委员会 is not party to the item: it does not see it
    ],
)
def test_wrong_role_is_refused(request, client_for, item, township_a_unit, who, action, status):
    item.responsible_unit = township_a_unit
    item.state = S.ASSIGNED
    item.save()
    user = request.getfixturevalue(who)
    response = _act(client_for(user), item, action, {"responsible_unit": township_a_unit.pk})
    assert response.status_code == status
    assert _state(item) == S.ASSIGNED


def test_troop_proposes_an_item(client_for, troop_liaison, troop_unit):
    response = client_for(troop_liaison).post(
        reverse("tasks:dual_item_create"),
        {"year": 2022, "direction": "to_troops", "content": "协调营区供水", "troop_unit": troop_unit.pk},
    )
    assert response.status_code == 302
    item = DualListItem.objects.get()
    assert item.state == S.PROPOSED and item.proposing_side == "troops" and item.created_by == troop_liaison


def test_township_cannot_propose(client_for, township_a):
    assert client_for(township_a).get(reverse("tasks:dual_item_create")).status_code == 403


@time_machine.travel(dt.datetime(2022, 11, 15, 2, 0, tzinfo=dt.UTC), tick=False)
def test_reconciliation_page_and_excel(client_for, troop_unit, township_a_unit, office_user, troop_liaison, township_b):
    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=S.CLOSED,
        content="解决子女入学",
        receiver_confirmed_by=troop_liaison,
        office_confirmed_by=office_user,
        receiver_confirmed_at=dt.datetime(2022, 10, 1, 1, 0, tzinfo=dt.UTC),
        office_confirmed_at=dt.datetime(2022, 10, 2, 1, 0, tzinfo=dt.UTC),
    )
    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=S.IN_PROGRESS,
        content="=1+1 训练场",
        deadline=dt.date(2022, 10, 31),
    )
    DualListItemFactory(
        troop_unit=troop_unit,
        direction=DualListDirection.TO_LOCALITY,
        responsible_unit=troop_unit,
        content="帮扶先锋村",
        state=S.ASSIGNED,
    )
    url = reverse("tasks:reconciliation", args=[troop_unit.pk, 2022])
    page = client_for(troop_liaison).get(url).content.decode()
    assert "解决子女入学" in page and "帮扶先锋村" in page and "逾期" in page
    assert client_for(township_b).get(url).status_code == 404
    response = client_for(office_user).get(reverse("tasks:reconciliation_export", args=[troop_unit.pk, 2022]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["地方为部队办实事", "部队为地方办实事"]
    ws = wb["地方为部队办实事"]
    assert ws["A1"].value == "2022年驻铜某部一营地方为部队办实事清单对账单"
    assert [c.value for c in ws[3]][:6] == ["序号", "事项内容", "类别", "责任单位", "完成时限", "状态"]
    # Numbered within the list (1, 2, …), never the database id.
    assert ws["A4"].value == 1 and ws["F4"].value == "已销号"
    assert ws["G4"].value == f"{troop_liaison.display_name}\n2022-10-01 09:00"
    assert ws["H4"].value == f"{office_user.display_name}\n2022-10-02 09:00"
    assert ws["A5"].value == 2 and ws["F5"].value == "办理中（逾期）" and ws["B5"].value == "=1+1 训练场"
    assert ws["B5"].data_type == "s" and ws["B5"].quotePrefix
    assert ws["E5"].value.date() == dt.date(2022, 10, 31)
    assert wb["部队为地方办实事"]["B4"].value == "帮扶先锋村" and wb["部队为地方办实事"]["A4"].value == 1


@time_machine.travel(dt.datetime(2022, 11, 15, 2, 0, tzinfo=dt.UTC), tick=False)
def test_reconciliation_export_is_a_signable_printed_document(client_for, troop_unit, township_a_unit, office_user):
    DualListItemFactory.create_batch(5, troop_unit=troop_unit, year=2021)  # ids taken: numbering is not the id
    for n in range(3):
        DualListItemFactory(
            troop_unit=troop_unit,
            responsible_unit=township_a_unit,
            content=f"事项{n} " + "协调解决训练场地和营区周边道路问题" * 3,
            deadline=dt.date(2022, 12, 31),
        )
    response = client_for(office_user).get(reverse("tasks:reconciliation_export", args=[troop_unit.pk, 2022]))
    wb = load_workbook(io.BytesIO(response.content))
    for ws in wb.worksheets:
        # A4 landscape, one page wide, the header row repeated, page numbers in the footer.
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth is left out of the file when it is 1 (its default).
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$3:$3" and "&P" in ws.oddFooter.center.text
        # Every cell of the table: 宋体, thin borders all round.
        last = 6 if ws.title == "地方为部队办实事" else 4  # three items / the "no items" line
        for row in ws.iter_rows(min_row=3, max_row=last, max_col=9):
            for cell in row:
                # (a merged range shows its first cell's font)
                assert cell.font.name == "宋体" or isinstance(cell, MergedCell), (ws.title, cell.coordinate)
                sides = ("top", "bottom") if isinstance(cell, MergedCell) else ("left", "right", "top", "bottom")
                assert all(getattr(cell.border, side).style == "thin" for side in sides), (ws.title, cell.coordinate)
        # Widths: the date column holds yyyy-mm-dd (no ###), the unit column a unit's full name.
        assert ws.column_dimensions["E"].width >= 11 and ws.column_dimensions["D"].width >= 20
        # The signature and stamp block of both sides at the foot.
        texts = [c.value for row in ws.iter_rows(min_row=last + 1) for c in row if c.value]
        assert texts == ["部队（盖章）", "双拥办（盖章）", "经办人：", "经办人：", *["日期：      年    月    日"] * 2]
    ws = wb["地方为部队办实事"]
    assert [ws.cell(row=r, column=1).value for r in range(4, 7)] == [1, 2, 3]
    assert ws["E4"].number_format == "yyyy-mm-dd"
    # Rows tall enough for the wrapped content (Excel does not grow them in a generated file).
    assert all(ws.row_dimensions[r].height >= 36 for r in range(4, 7))


def test_carry_over_through_the_page(client_for, troop_unit, township_a_unit, office_user, troop_liaison):
    open_item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state=S.IN_PROGRESS)
    url = reverse("tasks:carry_over", args=[troop_unit.pk, 2022])
    assert client_for(troop_liaison).post(url).status_code == 403
    response = client_for(office_user).post(url)
    assert response.status_code == 302 and response.url == reverse("tasks:reconciliation", args=[troop_unit.pk, 2023])
    copy = DualListItem.objects.get(year=2023)
    assert copy.carried_over_from == open_item
    page = client_for(office_user).get(response.url).content.decode()
    assert "由2022年结转" in page


def test_list_filters_and_fixed_query_count(
    client_for, troop_unit, township_a_unit, office_user, django_assert_max_num_queries
):
    DualListItemFactory(troop_unit=troop_unit, content="甲事项", state=S.CLOSED)
    DualListItemFactory(troop_unit=troop_unit, content="乙事项", direction=DualListDirection.TO_LOCALITY)
    client = client_for(office_user)
    url = reverse("tasks:dual_list")
    page = client.get(url, {"state": "closed"}).content.decode()
    assert "甲事项" in page and "乙事项" not in page
    page = client.get(url, {"direction": "to_locality"}).content.decode()
    assert "乙事项" in page and "甲事项" not in page
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(20):
        DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state=S.ASSIGNED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_reconciliation_index_lists_years_with_items(
    client_for, troop_unit, township_a_unit, troop_liaison, township_b
):
    DualListItemFactory(troop_unit=troop_unit, year=2021)
    DualListItemFactory(troop_unit=troop_unit, year=2022, responsible_unit=township_a_unit)
    page = client_for(troop_liaison).get(reverse("tasks:reconciliation_index")).content.decode()
    assert reverse("tasks:reconciliation", args=[troop_unit.pk, 2022]) in page
    assert reverse("tasks:reconciliation", args=[troop_unit.pk, 2021]) in page
    assert "驻铜某部一营" not in client_for(township_b).get(reverse("tasks:reconciliation_index")).content.decode()


def test_office_records_an_agreed_item_with_its_proposing_side(client_for, office_user, troop_unit, township_a_unit):
    response = client_for(office_user).post(
        reverse("tasks:dual_item_create"),
        {
            "year": 2022,
            "direction": "to_troops",
            "content": "解决随军家属就业",
            "troop_unit": troop_unit.pk,
            "proposing_side": "troops",
            "responsible_unit": township_a_unit.pk,
            "deadline": "2022-12-31",
            "quality_requirement": "年底前落实岗位",
        },
    )
    assert response.status_code == 302
    item = DualListItem.objects.get()
    assert item.proposing_side == "troops" and item.state == S.ASSIGNED and item.responsible_unit == township_a_unit
    assert item.quality_requirement == "年底前落实岗位"


def test_reconciliation_export_neutralises_every_text_cell(client_for, troop_unit, township_a_unit, office_user):
    from tests.tasks.factories import DualListCategoryFactory

    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="\t=2+3 训练场",
        category=DualListCategoryFactory(name="@SUM(A1)"),
        deadline=dt.date(2022, 10, 31),
    )
    response = client_for(office_user).get(reverse("tasks:reconciliation_export", args=[troop_unit.pk, 2022]))
    ws = load_workbook(io.BytesIO(response.content))["地方为部队办实事"]
    # Exactly as typed, as quote-prefixed string cells (no apostrophe added to the text).
    assert ws["B4"].value == "\t=2+3 训练场" and ws["B4"].data_type == "s" and ws["B4"].quotePrefix
    assert ws["C4"].value == "@SUM(A1)" and ws["C4"].quotePrefix
    assert ws["A4"].data_type == "n" and not ws["A4"].quotePrefix  # numbers stay numbers
