"""No information by colour alone: what is late is said in words wherever it is shown in red."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
import time_machine
from django.urls import reverse

from tasks.models import DualListState, Milestone
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.tasks.test_overdue import NEXT_MORNING

pytestmark = pytest.mark.django_db

RED = ("text-danger", "text-bg-danger", "bg-danger", "table-danger")


def _page(client, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _red_without_words(doc: lxml.html.HtmlElement) -> list[str]:
    """Red elements in the page's content that carry no text of their own (a mark, a dot, a row)."""
    out = []
    for el in doc.xpath("//main//*[@class]"):
        classes = el.get("class").split()
        if any(c in RED for c in classes) and not el.text_content().strip():
            out.append(lxml.html.tostring(el, encoding="unicode")[:120])
    return out


def test_a_late_task_its_late_milestone_and_a_late_dual_list_item_say_so(
    client_for, county, township_a_unit, office_user, troop_unit
):
    task = TaskFactory(
        plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit, deadline=dt.date(2022, 6, 30)
    )
    Milestone.objects.create(task=task, title="完成选址", deadline=dt.date(2022, 6, 1))
    Milestone.objects.create(task=task, title="完成验收", deadline=dt.date(2022, 12, 1))
    DualListItemFactory(troop_unit=troop_unit, deadline=dt.date(2022, 6, 30), state=DualListState.ASSIGNED)
    client = client_for(office_user)
    with time_machine.travel(NEXT_MORNING, tick=False):
        detail = _page(client, reverse("tasks:task_detail", args=[task.pk]))
        assert [b.text_content() for b in detail.xpath("//*[@data-testid='task-title']//*[@data-status]")] == ["逾期"]
        deadlines = [d.text_content() for d in detail.xpath("//*[@data-testid='milestone-deadline']")]
        assert deadlines == ["2022-06-01（已逾期）", "2022-12-01"]
        assert _red_without_words(detail) == []

        board = _page(client, reverse("tasks:task_board"))
        assert "逾期" in [b.text_content() for b in board.xpath("//*[@data-status='overdue']")]
        assert _red_without_words(board) == []

        dual = _page(client, reverse("tasks:dual_list"))
        assert "逾期" in [b.text_content() for b in dual.xpath("//span[contains(@class, 'text-bg-danger')]")]
        assert _red_without_words(dual) == []

        for name in ["tasks:completion", "reports:dashboard", "home"]:
            assert _red_without_words(_page(client, reverse(name))) == [], name
