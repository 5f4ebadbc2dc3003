"""双清单 notification titles carry a short, single-line summary of the item's content."""

from __future__ import annotations

import pytest

from shuangyong.models import Notification, Role
from tasks.dual_list_services import dual_list_item_assign, dual_list_item_request_close, dual_list_item_send_back
from tasks.models import DualListState
from tasks.notifying import short_summary
from tests.factories import UserFactory
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db

LONG = "协调解决驻地部队官兵\n子女入学问题，\r\n确保秋季学期前全部落实到位并逐一回访家长"


def test_short_summary_folds_whitespace_and_cuts():
    assert short_summary("  一\n二\t三  ") == "一 二 三"
    assert short_summary("甲" * 31) == "甲" * 30 + "……"
    assert short_summary("甲" * 30) == "甲" * 30


def test_dual_list_titles_are_one_short_line(office_user, troop_unit, township_a_unit, township_a):
    UserFactory(org_unit=troop_unit, role=Role.TROOP_LIAISON)
    item = DualListItemFactory(troop_unit=troop_unit, content=LONG, created_by=office_user)
    item = dual_list_item_assign(user=office_user, item=item, responsible_unit=township_a_unit)
    item.state = DualListState.IN_PROGRESS
    item.save()
    item = dual_list_item_request_close(user=township_a, item=item, note="已落实")
    dual_list_item_send_back(user=office_user, item=item, reason="材料不全")

    titles = set(Notification.objects.values_list("title", flat=True))
    summary = short_summary(LONG)
    assert titles == {f"双清单交办：{summary}", f"双清单申请销号：{summary}", f"双清单销号被退回：{summary}"}
    assert all("\n" not in t and "\r" not in t and t.endswith("……") for t in titles)
