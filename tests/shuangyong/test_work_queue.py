"""等待我处理: one work queue on the home page, filled by every app. The office sees every return
waiting for review, every closure and extension request and every 双清单 销号 waiting for it; a
township and a member unit see their open tasks, their 双清单 items (newly assigned too) and their
returns, each with one word per state."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tasks.models import ClosureRequest, DualListState, ExtensionRequest, TaskStatus
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.visits.factories import CampaignFactory, VisitRecordFactory
from visits.models import Return, ReturnStatus

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 2, 3, 10, 0, tzinfo=dt.UTC)


def _queue(client) -> str:
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-waiting"' in html
    return html.split('data-testid="panel-waiting"')[1].split("</section>")[0]


def _group(queue: str, testid: str) -> str:
    assert f'data-testid="{testid}"' in queue, testid
    return queue.split(f'data-testid="{testid}"')[1].split("</ul>")[0]


@time_machine.travel(NOW, tick=False)
def test_the_office_queue_lists_returns_closures_extensions_and_close_requests(
    client_for, county, township_a, township_a_unit, township_b_unit, troop_unit, office_user
):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])
    VisitRecordFactory(campaign=campaign, org_unit=township_a_unit)
    Return.objects.filter(org_unit=township_a_unit).update(status=ReturnStatus.SUBMITTED, submitted_at=NOW)
    task = TaskFactory(
        plan__owner_unit=county, plan__created_by=office_user, lead_unit=township_a_unit, title="组织征兵宣传"
    )
    ClosureRequest.objects.create(task=task, requested_by=township_a, note="已完成")
    other = TaskFactory(plan=task.plan, lead_unit=township_a_unit, title="慰问驻地部队")
    ExtensionRequest.objects.create(
        task=other, requested_by=township_a, requested_deadline=dt.date(2027, 6, 30), reason="天气原因"
    )
    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="协调训练场临时用地",
        state=DualListState.CLOSE_REQUESTED,
        year=2027,
        deadline=dt.date(2027, 6, 1),
    )

    queue = _queue(client_for(office_user))
    returns = _group(queue, "waiting-returns")
    assert township_a_unit.name in returns and township_b_unit.name not in returns
    assert 'data-state="submitted">待审核<' in returns
    assert reverse("visits:unit_return", args=[campaign.pk, township_a_unit.pk]) in returns
    assert "组织征兵宣传" in _group(queue, "waiting-closures")
    assert "慰问驻地部队" in _group(queue, "waiting-extensions")
    assert "协调训练场临时用地" in _group(queue, "waiting-dual-close")


@time_machine.travel(NOW, tick=False)
def test_every_submitted_return_is_counted(
    client_for, county, township_a_unit, township_b_unit, member_unit, office_user
):
    units = [township_a_unit, township_b_unit, member_unit]
    for year in (2026, 2027):
        campaign = CampaignFactory(owner_unit=county, year=year, expected_units=units)
        for unit in units:
            Return.objects.create(campaign=campaign, org_unit=unit, status=ReturnStatus.SUBMITTED, submitted_at=NOW)
    queue = _queue(client_for(office_user))
    assert '待审核的填报 <span class="badge sy-count">6</span>' in queue
    assert _group(queue, "waiting-returns").count("<li>") == 6


@time_machine.travel(NOW, tick=False)
def test_a_township_sees_its_open_tasks_new_items_and_returns(
    client_for, county, township_a, township_a_unit, township_b, township_b_unit, troop_unit, office_user
):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])
    plan_kw = {"plan__owner_unit": county, "plan__created_by": office_user}
    task = TaskFactory(**plan_kw, lead_unit=township_a_unit, title="开展国防教育", deadline=dt.date(2027, 5, 1))
    TaskFactory(plan=task.plan, lead_unit=township_a_unit, title="早已完成的任务", status=TaskStatus.DONE)
    TaskFactory(plan=task.plan, lead_unit=township_b_unit, title="别的乡镇的任务")
    DualListItemFactory(
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        content="随军家属就业安置",
        state=DualListState.ASSIGNED,
        year=2027,
        deadline=dt.date(2027, 9, 1),
    )

    queue = _queue(client_for(township_a))
    tasks = _group(queue, "waiting-tasks")
    assert "开展国防教育" in tasks and "早已完成的任务" not in tasks and "别的乡镇的任务" not in tasks
    items = _group(queue, "waiting-dual-mine")
    assert "随军家属就业安置" in items and 'data-state="new">新交办<' in items  # not yet overdue
    returns = _group(queue, "waiting-returns")
    assert campaign.title in returns and 'data-state="draft">未提交<' in returns
    assert "未填报" not in queue
    assert "随军家属就业安置" not in _queue(client_for(township_b))


@time_machine.travel(NOW, tick=False)
def test_a_member_unit_sees_its_tasks_and_its_return(client_for, county, member_unit, member_liaison, office_user):
    campaign = CampaignFactory(owner_unit=county, expected_units=[member_unit])
    TaskFactory(plan__owner_unit=county, plan__created_by=office_user, lead_unit=member_unit, title="落实军人子女入学")
    Return.objects.create(campaign=campaign, org_unit=member_unit, status=ReturnStatus.RETURNED, return_reason="补充")
    queue = _queue(client_for(member_liaison))
    assert "落实军人子女入学" in _group(queue, "waiting-tasks")
    assert 'data-state="returned">已退回<' in _group(queue, "waiting-returns")
