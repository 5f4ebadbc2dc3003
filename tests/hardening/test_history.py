"""History: every change to tasks, 双清单 items, beneficiaries, visit records and returns is kept
(who, when, old and new values) and shown on the object's page.

Each change goes the way users make it — a POST to the view, which calls the app's service — and
the test reads the newest historical row back: the user, the (frozen) time, the old and new
value of the field that changed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalChanges

from tasks.models import DualListItem, DualListState, Task
from tests.tasks.factories import DualListItemFactory, TaskFactory, WorkPlanFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.models import Beneficiary, Return, ReturnStatus, VisitDifficulty, VisitRecord

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = dt.datetime(2027, 1, 25, 9, 0, tzinfo=SHANGHAI)
NOW = dt.datetime(2027, 2, 3, 10, 30, tzinfo=SHANGHAI)  # inside the 2027 春节 visiting window


@pytest.fixture
def clock(time_machine):
    """Objects are created at CREATED; ``clock.move_to(NOW)`` before the change under test."""
    time_machine.move_to(CREATED, tick=False)
    return time_machine


@pytest.fixture
def campaign(county, township_a_unit, township_b_unit):
    return CampaignFactory(owner_unit=county, expected_units=[township_a_unit, township_b_unit])


def latest_change(obj: models.Model) -> HistoricalChanges:
    record = obj.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]
    assert record is not None, f"{type(obj).__name__} has no history"
    return record


def old_and_new(record, field: str) -> tuple[object, object]:
    delta = record.diff_against(record.prev_record)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert field in changes, f"{field} not among the recorded changes {sorted(changes)}"
    return changes[field]


def assert_recorded(obj: models.Model, *, user, field: str, old: object, new: object) -> None:
    record = latest_change(obj)
    assert record.history_type == "~"
    assert record.history_user == user
    assert record.history_date == NOW
    assert old_and_new(record, field) == (old, new)


@pytest.mark.parametrize("model", [Task, DualListItem, Beneficiary, VisitRecord, Return])
def test_every_model_of_the_issue_keeps_history(model):
    history_model = model.history.model
    assert history_model._meta.get_field("history_user")
    assert history_model._meta.get_field("history_date")
    # The historical rows copy every field the user can change, so old and new values are there.
    own = {f.attname for f in model._meta.concrete_fields}
    kept = {f.attname for f in history_model._meta.concrete_fields}
    assert own - {"id"} <= kept


def test_beneficiary_change_is_recorded_and_shown(clock, client_for, township_a, office_user, township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit, phone="13800000000")
    clock.move_to(NOW, tick=False)
    client = client_for(township_a)
    response = client.post(
        reverse("visits:beneficiary_edit", kwargs={"pk": person.pk}),
        {
            "name": person.name,
            "category": person.category_id,
            "id_number": person.id_number,
            "phone": "13912345678",
            "address": person.address,
            "org_unit": township_a_unit.pk,
            "notes": "",
            "version": person.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert_recorded(person, user=township_a, field="phone", old="13800000000", new="13912345678")
    page = client_for(office_user).get(reverse("visits:beneficiary_detail", kwargs={"pk": person.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "李强" in history and "2027-02-03 10:30" in history


def _record_post(record, **over):
    data = {
        "version": record.version,
        "visit_date": "2027-02-01",
        "table_row": record.table_row,
        "way": record.way,
        "lead_leader": record.lead_leader,
        "people_visited": str(record.people_visited),
        "money_amount": "0",
        "money_recipients": "0",
        "goods_spending": "0",
        "goods_count": "0",
        "goods_recipients": "0",
        "notes": "",
        "d-TOTAL_FORMS": "0",
        "d-INITIAL_FORMS": "0",
    }
    data.update(over)
    return data


def test_visit_record_change_is_recorded_and_shown(clock, client_for, township_a, office_user, campaign):
    record = VisitRecordFactory(
        campaign=campaign, org_unit=township_a.org_unit, created_by=township_a, people_visited=3, lead_leader="张三"
    )
    clock.move_to(NOW, tick=False)
    client = client_for(township_a)
    response = client.post(
        reverse("visits:record_edit", kwargs={"pk": record.pk}), _record_post(record, people_visited="5")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert_recorded(record, user=township_a, field="people_visited", old=3, new=5)
    page = client_for(office_user).get(reverse("visits:record_detail", kwargs={"pk": record.pk}))
    assert "李强" in page.content.decode().split('data-testid="history"')[1]


def test_return_submission_is_recorded_and_shown(clock, client_for, township_a, office_user, campaign):
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit, created_by=township_a)
    ret = record.unit_return
    clock.move_to(NOW, tick=False)
    response = client_for(township_a).post(
        reverse("visits:return_submit", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id}),
        {"version": ret.version, "summary": "走访慰问已完成。", "confirmed": "True"},
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert_recorded(ret, user=township_a, field="status", old=ReturnStatus.DRAFT, new=ReturnStatus.SUBMITTED)
    page = client_for(office_user).get(
        reverse("visits:unit_return", kwargs={"pk": campaign.pk, "unit_pk": township_a.org_unit_id})
    )
    assert "李强" in page.content.decode().split('data-testid="history"')[1]


def test_task_change_is_recorded_and_shown_with_old_and_new_values(
    clock, client_for, office_user, township_a, county, township_a_unit
):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="全力服务部队练兵备战", lead_unit=township_a_unit)
    clock.move_to(NOW, tick=False)
    client = client_for(office_user)
    response = client.post(
        reverse("tasks:task_edit", kwargs={"pk": task.pk}),
        {
            "title": "全力服务部队练兵备战和演训保障",
            "text": task.text,
            "deadline": "2027-12-31",
            "lead_unit": township_a_unit.pk,
            "version": task.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert_recorded(
        task, user=office_user, field="title", old="全力服务部队练兵备战", new="全力服务部队练兵备战和演训保障"
    )
    page = client_for(township_a).get(reverse("tasks:task_detail", kwargs={"pk": task.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "王丽" in history
    assert "全力服务部队练兵备战 → 全力服务部队练兵备战和演训保障" in history


def test_task_text_and_cooperating_units_changes_are_shown(
    clock, client_for, office_user, township_a, county, township_a_unit, township_b_unit, member_unit
):
    plan = WorkPlanFactory(owner_unit=county, created_by=office_user, year=2027)
    task = TaskFactory(plan=plan, section=None, title="拥军优属", text="春节走访", lead_unit=township_a_unit)
    task.cooperating_units.set([township_b_unit])
    clock.move_to(NOW, tick=False)
    response = client_for(office_user).post(
        reverse("tasks:task_edit", kwargs={"pk": task.pk}),
        {
            "title": task.title,
            "text": "春节、八一走访",
            "deadline": "2027-12-31",
            "lead_unit": township_a_unit.pk,
            "version": task.version,
            "cooperating_units": [township_b_unit.pk, member_unit.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client_for(township_a).get(reverse("tasks:task_detail", kwargs={"pk": task.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "内容" in history and "春节走访 → 春节、八一走访" in history
    names = "、".join(sorted([township_b_unit.name, member_unit.name]))
    assert "配合单位" in history and f"{township_b_unit.name} → {names}" in history


def test_dual_list_transition_is_recorded_and_shown_with_old_and_new_values(
    clock, client_for, office_user, township_a, troop_unit, township_a_unit
):
    item = DualListItemFactory(
        year=2027,
        troop_unit=troop_unit,
        responsible_unit=township_a_unit,
        state=DualListState.ASSIGNED,
        created_by=office_user,
    )
    clock.move_to(NOW, tick=False)
    response = client_for(township_a).post(reverse("tasks:dual_item_action", kwargs={"pk": item.pk, "action": "start"}))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == DualListState.IN_PROGRESS
    assert_recorded(item, user=township_a, field="state", old=DualListState.ASSIGNED, new=DualListState.IN_PROGRESS)
    page = client_for(office_user).get(reverse("tasks:dual_item_detail", kwargs={"pk": item.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "李强" in history
    assert "已交办 → 办理中" in history


def test_ledger_page_shows_the_old_and_new_values(clock, client_for, township_a, office_user, township_a_unit):
    person = BeneficiaryFactory(org_unit=township_a_unit, phone="13800000000", address="老街 1 号")
    clock.move_to(NOW, tick=False)
    response = client_for(township_a).post(
        reverse("visits:beneficiary_edit", kwargs={"pk": person.pk}),
        {
            "name": person.name,
            "category": person.category_id,
            "id_number": person.id_number,
            "phone": "13912345678",
            "address": "新街 9 号",
            "org_unit": township_a_unit.pk,
            "notes": "",
            "version": person.version,
        },
    )
    assert response.status_code == 302
    page = client_for(office_user).get(reverse("visits:beneficiary_detail", kwargs={"pk": person.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "老街 1 号" in history and "新街 9 号" in history


def test_every_edited_field_of_a_dual_list_item_is_shown(clock, client_for, office_user, troop_unit, township_a_unit):
    """The 双清单 import may change category, troop, direction or 工作质量要求: the page shows them."""
    item = DualListItemFactory(
        year=2027, troop_unit=troop_unit, responsible_unit=township_a_unit, created_by=office_user
    )
    clock.move_to(NOW, tick=False)
    item.quality_requirement = "按时保质完成"
    item.deadline = dt.date(2027, 9, 30)
    item.save()
    page = client_for(office_user).get(reverse("tasks:dual_item_detail", kwargs={"pk": item.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "工作质量要求" in history and "按时保质完成" in history
    assert "2027-09-30" in history


def test_difficulty_lines_added_and_removed_are_kept_and_shown(clock, client_for, township_a, office_user, campaign):
    """解决实际困难 lines of a visit record: each line added or removed is kept with who and when,
    and shown in the record's history; saving the same lines again records nothing."""
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit, created_by=township_a)
    clock.move_to(NOW, tick=False)
    client = client_for(township_a)
    url = reverse("visits:record_edit", kwargs={"pk": record.pk})
    one_line = {"d-TOTAL_FORMS": "1", "d-0-kind": "schooling", "d-0-count": "2", "d-0-note": ""}
    assert client.post(url, _record_post(record, **one_line)).status_code == 302
    record.refresh_from_db()
    # The page now renders the line as an initial form (d-INITIAL_FORMS=1), as a browser sends it back.
    shown_again = {**one_line, "d-INITIAL_FORMS": "1"}
    assert client.post(url, _record_post(record, **shown_again)).status_code == 302  # unchanged lines
    lines = VisitDifficulty.history.filter(record_id=record.pk)
    assert [(h.history_type, h.kind, h.count, h.history_user) for h in lines] == [("+", "schooling", 2, township_a)]
    record.refresh_from_db()
    other = {"d-TOTAL_FORMS": "1", "d-INITIAL_FORMS": "1", "d-0-kind": "medical", "d-0-count": "1", "d-0-note": ""}
    assert client.post(url, _record_post(record, **other)).status_code == 302
    assert sorted(lines.values_list("history_type", "kind")) == [
        ("+", "medical"),
        ("+", "schooling"),
        ("-", "schooling"),
    ]
    page = client_for(office_user).get(reverse("visits:record_detail", kwargs={"pk": record.pk}))
    history = page.content.decode().split('data-testid="history"')[1]
    assert "解决实际困难" in history and "子女入学 2 件" in history and "看病就医 1 件" in history
