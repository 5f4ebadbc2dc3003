"""The 双清单 Excel import respects the 对账销号 workflow.

- An existing item is updated only while 已提出/已交办; any other state refuses the row and the
  whole file saves nothing.
- 清单 (direction) and 对口部队 never change through an import.
- A change of 责任单位 is a 交办 (logged, the unit told); a new row logs its creation.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shuangyong.models import Notification, OrgUnitKind, Role
from tasks.models import DualListDirection, DualListItem, DualListState
from tasks.resources import DualListItemResource, import_errors, import_table
from tests.factories import OrgUnitFactory, UserFactory
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db
S = DualListState

HEADERS = ["编号", "年度", "清单", "类别", "事项内容", "提出方", "责任单位", "对口部队", "时限", "工作质量要求"]
TO_TROOPS, TO_LOCALITY = "地方为部队办实事", "部队为地方办实事"


def _row(item: DualListItem, **changes):
    cells = {
        "编号": item.pk,
        "年度": item.year,
        "清单": DualListDirection(item.direction).label,
        "类别": None,
        "事项内容": item.content,
        "提出方": item.get_proposing_side_display(),
        "责任单位": item.responsible_unit.name if item.responsible_unit else None,
        "对口部队": item.troop_unit.name,
        "时限": item.deadline.isoformat() if item.deadline else None,
        "工作质量要求": item.quality_requirement,
    }
    cells.update(changes)
    return [cells[h] for h in HEADERS]


def _new_row(**changes):
    cells = dict.fromkeys(HEADERS)
    cells.update({"年度": 2022, "清单": TO_TROOPS, "事项内容": "新事项", "提出方": "部队", "对口部队": "驻铜某部一营"})
    cells.update(changes)
    return [cells[h] for h in HEADERS]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _import(user, rows) -> list[str]:
    resource = DualListItemResource(user=user)
    return [str(e) for e in import_errors(import_table(resource, name="导入.xlsx", content=_xlsx(rows)), resource)]


@pytest.fixture
def item_in(troop_unit, township_a_unit, office_user):
    def make(state, **kwargs):
        kwargs.setdefault("responsible_unit", township_a_unit)
        return DualListItemFactory(troop_unit=troop_unit, state=state, created_by=office_user, **kwargs)

    return make


@pytest.mark.parametrize("state", [S.IN_PROGRESS, S.CLOSE_REQUESTED, S.CLOSED])
def test_an_item_already_in_the_workflow_is_not_changed_and_the_file_saves_nothing(
    office_user, item_in, township_b_unit, state
):
    item = item_in(state, content="原内容")
    errors = _import(
        office_user,
        [_new_row(事项内容="同一文件中的新事项"), _row(item, 事项内容="改掉", 责任单位="东城街道", 时限="2030-01-01")],
    )
    label = S(state).label
    assert errors == [
        f"第 3 行：编号 {item.pk} 的事项当前状态为“{label}”，"
        "只有“已提出”“已交办”的事项可以通过导入修改，请在事项页面办理。"
    ]
    item.refresh_from_db()
    assert (item.content, item.state, item.responsible_unit.name) == ("原内容", state, "巴川街道")
    assert not DualListItem.objects.filter(content="同一文件中的新事项").exists()


def test_changing_the_list_of_a_close_requested_item_cannot_skip_the_troops_confirmation(
    office_user, item_in, troop_unit
):
    """The reported exploit: 地方为部队 → 部队为地方 would let two office users close it alone."""
    item = item_in(S.CLOSE_REQUESTED)
    errors = _import(office_user, [_row(item, 清单=TO_LOCALITY)])
    assert any("申请销号" in e for e in errors)
    assert "第 2 行 清单：已有事项的清单不能通过导入修改（原为“地方为部队办实事”）。" in errors
    item.refresh_from_db()
    assert item.direction == DualListDirection.TO_TROOPS and item.state == S.CLOSE_REQUESTED


@pytest.mark.parametrize("state", [S.PROPOSED, S.ASSIGNED])
def test_list_and_troop_never_change_on_update(office_user, item_in, county, state):
    OrgUnitFactory(name="武警中队", kind=OrgUnitKind.TROOP, parent=county)
    item = item_in(state)
    errors = _import(office_user, [_row(item, 清单=TO_LOCALITY, 对口部队="武警中队")])
    assert errors == [
        "第 2 行 清单：已有事项的清单不能通过导入修改（原为“地方为部队办实事”）。",
        "第 2 行 对口部队：已有事项的对口部队不能通过导入修改。",
    ]
    item.refresh_from_db()
    assert item.direction == DualListDirection.TO_TROOPS and item.troop_unit.name == "驻铜某部一营"


def test_the_responsible_unit_of_an_assigned_item_cannot_be_cleared(office_user, item_in):
    item = item_in(S.ASSIGNED)
    assert _import(office_user, [_row(item, 责任单位=None)]) == ["第 2 行 责任单位：已交办事项的责任单位不能清空。"]
    item.refresh_from_db()
    assert item.responsible_unit.name == "巴川街道"


def test_wording_and_deadline_of_an_assigned_item_are_updated(office_user, item_in):
    item = item_in(S.ASSIGNED)
    assert _import(office_user, [_row(item, 事项内容="新的表述", 时限="2022-12-31")]) == []
    item.refresh_from_db()
    assert item.content == "新的表述" and item.deadline.isoformat() == "2022-12-31" and item.state == S.ASSIGNED
    assert not item.transitions.exists()


@pytest.mark.parametrize("state", [S.PROPOSED, S.ASSIGNED])
def test_a_new_responsible_unit_is_a_logged_and_notified_assignment(
    office_user, item_in, township_b_unit, township_b, township_a, state
):
    item = item_in(state, responsible_unit=None if state == S.PROPOSED else township_a.org_unit)
    assert _import(office_user, [_row(item, 责任单位="东城街道")]) == []
    item.refresh_from_db()
    assert item.responsible_unit == township_b_unit and item.state == S.ASSIGNED
    transition = item.transitions.get()
    assert (transition.action, transition.from_state, transition.user) == ("assign", state, office_user)
    assert transition.reason == "责任单位：东城街道"
    note = Notification.objects.get()
    assert note.recipient == township_b and note.title.startswith("双清单交办：")


def test_new_rows_log_their_creation_and_tell_the_responsible_unit(office_user, troop_unit, township_a):
    errors = _import(
        office_user, [_new_row(事项内容="已交办的新事项", 责任单位="巴川街道"), _new_row(事项内容="待交办")]
    )
    assert errors == []
    assigned = DualListItem.objects.get(content="已交办的新事项")
    proposed = DualListItem.objects.get(content="待交办")
    assert assigned.state == S.ASSIGNED and proposed.state == S.PROPOSED
    for item in (assigned, proposed):
        transition = item.transitions.get()
        assert (transition.action, transition.from_state, transition.to_state, transition.user) == (
            "create",
            "",
            item.state,
            office_user,
        )
    note = Notification.objects.get()
    assert note.recipient == township_a and note.title == "双清单交办：已交办的新事项"


def test_the_import_page_shows_the_row_error_and_saves_nothing(client_for, office_user, item_in, township_b):
    item = item_in(S.CLOSE_REQUESTED)
    upload = SimpleUploadedFile("双清单.xlsx", _xlsx([_row(item, 清单=TO_LOCALITY)]))
    response = client_for(office_user).post(reverse("tasks:dual_list_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 2 行 清单：已有事项的清单不能通过导入修改" in page and "只有“已提出”“已交办”的事项" in page
    item.refresh_from_db()
    assert item.direction == DualListDirection.TO_TROOPS and item.state == S.CLOSE_REQUESTED


def test_other_users_cannot_import(client_for, township_b, item_in):
    item = item_in(S.ASSIGNED)
    upload = SimpleUploadedFile("双清单.xlsx", _xlsx([_row(item, 事项内容="改掉")]))
    assert client_for(township_b).post(reverse("tasks:dual_list_import"), {"file": upload}).status_code == 403
    item.refresh_from_db()
    assert item.content != "改掉"


def test_a_troop_liaison_cannot_import_either(client_for, troop_unit, item_in):
    liaison = UserFactory(org_unit=troop_unit, role=Role.TROOP_LIAISON)
    item = item_in(S.ASSIGNED)
    upload = SimpleUploadedFile("双清单.xlsx", _xlsx([_row(item, 事项内容="改掉")]))
    assert client_for(liaison).post(reverse("tasks:dual_list_import"), {"file": upload}).status_code == 403
