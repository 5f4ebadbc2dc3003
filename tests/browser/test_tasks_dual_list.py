"""双清单 sign-off in the browser: the responsible township asks for 销号, the troop and the office confirm."""

from __future__ import annotations

import pytest

from tasks.models import DualListState
from tests.tasks.factories import DualListItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page, live_server):
    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_two_sided_sign_off(
    page, live_server, login, office_user, township_a, troop_liaison, troop_unit, township_a_unit
):
    item = DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="协调训练场临时用地",
        state=DualListState.IN_PROGRESS,
        created_by=office_user,
    )
    url = f"{live_server.url}/tasks/dual/{item.pk}/"
    login(page, township_a)
    page.goto(url)
    page.fill("#id_note", "用地手续已办结，场地已移交。")
    page.click("button:has-text('申请销号')")
    page.wait_for_selector("[data-state=close_requested]")
    _logout(page, live_server)

    login(page, troop_liaison)
    assert "协调训练场临时用地" in page.locator("[data-testid=panel-waiting]").inner_text()
    page.goto(url)
    page.click("button:has-text('确认销号')")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-state]").first.inner_text() == "申请销号"  # one side is not enough
    assert troop_liaison.display_name in page.locator("[data-testid=receiver-confirmation]").inner_text()
    _logout(page, live_server)

    login(page, office_user)
    page.goto(url)
    page.click("button:has-text('确认销号')")
    page.wait_for_selector("[data-state=closed]")
    assert office_user.display_name in page.locator("[data-testid=office-confirmation]").inner_text()
    item.refresh_from_db()
    assert item.state == DualListState.CLOSED
