"""Snooze (a person mutes one item for up to 7 days, with a reason the office sees) and
delegation (a unit head hands the unit's reminders to a colleague for a period): both change who
is reminded and when, and both show in the item's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from shuangyong.models import Notification, Reminder, ReminderDelegation, ReminderSnooze
from shuangyong.reminders import run_scan
from tests.factories import UserFactory
from tests.reminders.conftest import at
from tests.tasks.factories import TaskFactory, WorkPlanFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
D = dt.date(2027, 6, 30)


def reminded(user) -> list[str]:
    return sorted(
        Reminder.objects.filter(recipient=user).exclude(threshold="digest").values_list("threshold", flat=True)
    )


def entry(user, task) -> Notification:
    return (
        Notification.objects.filter(recipient=user, object_id=task.pk)
        .exclude(reminder__threshold="digest")
        .latest("pk")
    )


@pytest.fixture
def task(county, office_user, township_a_unit):
    plan = WorkPlanFactory(year=2027, owner_unit=county, created_by=office_user)
    return TaskFactory(plan=plan, number="（四）", title="全力服务部队练兵备战", lead_unit=township_a_unit, deadline=D)


# --- snooze ---


def test_a_snoozed_item_is_not_reminded_until_the_snooze_ends(
    travel, task, township_a, township_a_head, client_for, office_user
):
    travel(at(D - 3 * DAY, hour=7))
    run_scan()
    note = entry(township_a, task)
    client = client_for(township_a)
    assert 'data-testid="snooze"' in client.get(reverse("notification_list")).content.decode()
    page = client.get(reverse("snooze_create", args=[note.pk]))
    assert page.status_code == 200 and "暂停提醒" in page.content.decode()
    response = client.post(
        reverse("snooze_create", args=[note.pk]), {"days": "3", "reason": "已电话对接，等场地协调结果"}
    )
    assert response.status_code == 302 and response.url == reverse("reminder_settings")
    snooze = ReminderSnooze.objects.get()
    assert snooze.user == township_a and snooze.until == D - DAY  # 3 days: the 27th, 28th and 29th
    assert snooze.subject == "工作任务“（四）全力服务部队练兵备战”"

    travel(at(D - 3 * DAY, hour=9))  # the digest of the day leaves the muted reminder out
    run_scan()
    assert "全力服务部队练兵备战" not in "".join(m.body for m in mail.outbox if m.to == [township_a.email])
    assert any("全力服务部队练兵备战" in m.body for m in mail.outbox if m.to == [township_a_head.email])

    travel(at(D - DAY))  # "1 day left" falls in the snooze: not for township_a, still for the head
    run_scan()
    assert reminded(township_a) == ["before_3"] and reminded(township_a_head) == ["before_1", "before_3"]
    travel(at(D))  # the snooze has ended: reminded again
    run_scan()
    assert reminded(township_a) == ["before_3", "due"]


def test_cancelling_a_snooze_reminds_again_at_the_next_scan(travel, task, township_a, client_for):
    travel(at(D - DAY, hour=7))
    run_scan()
    client = client_for(township_a)
    client.post(reverse("snooze_create", args=[entry(township_a, task).pk]), {"days": "7", "reason": "出差"})
    travel(at(D, hour=7))
    run_scan()
    assert reminded(township_a) == ["before_1"]
    snooze = ReminderSnooze.objects.get()
    client = client_for(township_a)  # a day later: a new session
    assert client.post(reverse("snooze_cancel", args=[snooze.pk])).status_code == 302
    run_scan()
    assert reminded(township_a) == ["before_1", "due"]


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"days": "8", "reason": "太忙"}, "暂停天数为 1 至 7 天。"),
        ({"days": "0", "reason": "太忙"}, "暂停天数为 1 至 7 天。"),
        ({"days": "3", "reason": "   "}, "请填写暂停理由（双拥办可以看到）。"),
        ({"days": "3", "reason": "理" * 201}, "理由最多 200 字。"),
    ],
)
def test_a_snooze_needs_1_to_7_days_and_a_reason(travel, task, township_a, client_for, data, field_error):
    travel(at(D, hour=7))
    run_scan()
    response = client_for(township_a).post(reverse("snooze_create", args=[entry(township_a, task).pk]), data)
    assert response.status_code == 200 and field_error in response.content.decode()
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in response.content.decode()
    assert not ReminderSnooze.objects.exists()


def test_nobody_snoozes_someone_elses_reminder(travel, task, township_a, township_b, township_a_head, client_for):
    travel(at(D, hour=7))
    run_scan()
    note = entry(township_a, task)
    assert (
        client_for(township_b).post(reverse("snooze_create", args=[note.pk]), {"days": "1", "reason": "x"}).status_code
        == 404
    )
    assert client_for(township_a_head).get(reverse("snooze_create", args=[note.pk])).status_code == 404
    plain = Notification.objects.create(recipient=township_a, title="退回：春节统计表")
    assert client_for(township_a).get(reverse("snooze_create", args=[plain.pk])).status_code == 403  # not a reminder
    assert not ReminderSnooze.objects.exists()


def test_the_office_sees_snoozes_and_their_reasons_another_township_does_not(
    travel, task, township_a, township_b, office_user, leader, client_for
):
    travel(at(D, hour=7))
    run_scan()
    client_for(township_a).post(
        reverse("snooze_create", args=[entry(township_a, task).pk]), {"days": "2", "reason": "等部队回复"}
    )
    office_page = client_for(office_user).get(reverse("reminder_settings")).content.decode()
    assert "等部队回复" in office_page and "李强" in office_page and "辖区内的提醒暂停" in office_page
    assert "等部队回复" in client_for(leader).get(reverse("reminder_settings")).content.decode()
    other = client_for(township_b)
    assert "等部队回复" not in other.get(reverse("reminder_settings")).content.decode()
    snooze = ReminderSnooze.objects.get()
    assert other.post(reverse("snooze_cancel", args=[snooze.pk])).status_code == 404
    assert client_for(leader).post(reverse("snooze_cancel", args=[snooze.pk])).status_code == 403  # read-only


def test_the_snooze_shows_in_the_items_history(travel, task, township_a, office_user, client_for):
    travel(at(D - DAY, hour=7))
    run_scan()
    client_for(township_a).post(
        reverse("snooze_create", args=[entry(township_a, task).pk]), {"days": "2", "reason": "等部队回复"}
    )
    page = client_for(office_user).get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    panel = page[page.index('data-testid="reminder-history"') :]
    assert "暂停提醒" in panel and "至2027-06-30" in panel and "等部队回复" in panel
    assert "李强" in panel and "提醒（提前1天）" in panel and "已暂停，未发邮件" in panel


# --- delegation ---


@pytest.fixture
def colleague(township_a_unit):
    return UserFactory(username="township_a_deputy", full_name="周敏", org_unit=township_a_unit)


def delegate_form(user, **changes) -> dict:
    data = {"delegate": user.pk, "starts_on": "2027-06-20", "ends_on": "2027-07-10", "reason": "外出学习两周"}
    data.update(changes)
    return data


def test_a_unit_head_delegates_and_only_the_colleague_is_reminded(
    travel, task, township_a, township_a_head, colleague, client_for
):
    travel(at(D - 10 * DAY, hour=7))
    client = client_for(township_a_head)
    assert client.get(reverse("delegation_create")).status_code == 200
    response = client.post(reverse("delegation_create"), delegate_form(colleague))
    assert response.status_code == 302
    delegation = ReminderDelegation.objects.get()
    assert delegation.unit == township_a.org_unit and delegation.delegate == colleague

    travel(at(D - 3 * DAY))
    run_scan()
    assert reminded(colleague) == ["before_3"]
    assert reminded(township_a) == [] and reminded(township_a_head) == []
    assert "王" not in entry(colleague, task).body and "已将本单位的提醒委托给您" in entry(colleague, task).body
    travel(at(D + 3 * DAY))  # overdue 3 days: the head's escalation goes to the colleague too
    run_scan()
    assert reminded(colleague) == ["before_3", "escalation", "overdue"]
    assert reminded(township_a_head) == []
    assert Reminder.objects.filter(recipient=colleague, delegation=delegation).count() == 3
    township_mail = [m.to for m in mail.outbox if m.to != [task.plan.created_by.email]]  # not the office's summary
    assert township_mail == [[colleague.email], [colleague.email]]  # one digest a day


def test_after_the_delegation_ends_the_unit_is_reminded_again(travel, task, township_a, township_a_head, colleague):
    ReminderDelegation.objects.create(
        unit=township_a.org_unit, delegator=township_a_head, delegate=colleague,
        starts_on=D - 10 * DAY, ends_on=D - 2 * DAY, reason="外出",
    )  # fmt: skip
    travel(at(D - 3 * DAY))
    run_scan()
    assert reminded(colleague) == ["before_3"] and reminded(township_a) == []
    travel(at(D - DAY))
    run_scan()
    assert reminded(township_a) == ["before_1"] and reminded(township_a_head) == ["before_1"]


def test_revoking_a_delegation_gives_the_reminders_back(
    travel, task, township_a, township_a_head, colleague, client_for
):
    travel(at(D - 5 * DAY, hour=7))
    client = client_for(township_a_head)
    client.post(reverse("delegation_create"), delegate_form(colleague, starts_on="2027-06-25"))
    delegation = ReminderDelegation.objects.get()
    assert client.post(reverse("delegation_revoke", args=[delegation.pk])).status_code == 302
    travel(at(D - 3 * DAY))
    run_scan()
    assert reminded(township_a) == ["before_3"] and reminded(colleague) == ["before_3"]  # a member again


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2027-06-10"}, "结束日期不能早于开始日期。"),
        ({"starts_on": "2027-06-01"}, "开始日期不能早于今天。"),
        ({"ends_on": "2027-12-31"}, "一次委托最长 90 天。"),
        ({"reason": ""}, "请填写委托事由，如：外出学习。"),
        ({"starts_on": "2027-13-01"}, "请填写正确的日期。"),
    ],
)
def test_a_delegation_is_checked_at_its_fields(travel, township_a_head, colleague, client_for, changes, message):
    travel(at(D - 10 * DAY, hour=7))
    response = client_for(township_a_head).post(reverse("delegation_create"), delegate_form(colleague, **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ReminderDelegation.objects.exists()


def test_only_a_colleague_of_the_same_unit_can_be_the_delegate(travel, township_a_head, township_b, client_for):
    travel(at(D - 10 * DAY, hour=7))
    response = client_for(township_a_head).post(reverse("delegation_create"), delegate_form(township_b))
    assert "受托人须是本单位在用的其他工作人员。" in response.content.decode()
    assert not ReminderDelegation.objects.exists()


def test_one_delegation_per_unit_at_a_time(travel, township_a_head, colleague, township_a, client_for):
    travel(at(D - 10 * DAY, hour=7))
    client = client_for(township_a_head)
    client.post(reverse("delegation_create"), delegate_form(colleague))
    response = client.post(reverse("delegation_create"), delegate_form(township_a, starts_on="2027-07-01"))
    assert "本单位已有委托" in response.content.decode()
    assert ReminderDelegation.objects.count() == 1


def test_only_unit_heads_delegate_and_others_do_not_see_or_revoke(
    travel, township_a, township_a_head, township_b, colleague, leader, office_user, client_for
):
    travel(at(D - 10 * DAY, hour=7))
    assert client_for(township_a).get(reverse("delegation_create")).status_code == 403
    assert client_for(leader).post(reverse("delegation_create"), delegate_form(colleague)).status_code == 403
    client_for(township_a_head).post(reverse("delegation_create"), delegate_form(colleague))
    delegation = ReminderDelegation.objects.get()
    other = client_for(township_b)
    assert "外出学习两周" not in other.get(reverse("reminder_settings")).content.decode()
    assert other.post(reverse("delegation_revoke", args=[delegation.pk])).status_code == 404
    assert client_for(township_a).post(reverse("delegation_revoke", args=[delegation.pk])).status_code == 403
    assert "外出学习两周" in client_for(township_a).get(reverse("reminder_settings")).content.decode()
    assert "外出学习两周" in client_for(office_user).get(reverse("reminder_settings")).content.decode()
    assert client_for(office_user).post(reverse("delegation_revoke", args=[delegation.pk])).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert delegation.history.count() == 2  # created, revoked: who and when is kept


def test_the_delegation_shows_in_the_items_history(travel, task, township_a_head, colleague, client_for, office_user):
    travel(at(D - 10 * DAY, hour=7))
    client_for(township_a_head).post(reverse("delegation_create"), delegate_form(colleague))
    travel(at(D - 3 * DAY))
    run_scan()
    page = client_for(office_user).get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    panel = page[page.index('data-testid="reminder-history"') :]
    assert "周敏" in panel and "提醒（提前3天）" in panel  # the colleague was reminded …
    assert f"受{township_a_head.display_name}委托" in panel  # … on the head's behalf
    assert "李强" not in panel  # and the unit's staff was not


def test_the_settings_page_costs_a_fixed_number_of_queries(
    travel, township_a_unit, office_user, client_for, django_assert_max_num_queries
):
    from shuangyong.models import OrgUnit

    travel(at(D, hour=7))
    head = UserFactory(org_unit=township_a_unit, is_unit_head=True)
    for i in range(25):
        user = UserFactory(org_unit=township_a_unit)
        ReminderSnooze.objects.create(
            content_type_id=1, object_id=i, user=user, unit=township_a_unit, subject=f"事项{i}", until=D, reason="理由"
        )
        ReminderDelegation.objects.create(
            unit=OrgUnit.objects.get(pk=township_a_unit.pk), delegator=head, delegate=user,
            starts_on=D + i * 2 * DAY, ends_on=D + (i * 2 + 1) * DAY, reason="外出",
        )  # fmt: skip
    client = client_for(office_user)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reminder_settings"))
    assert page.status_code == 200 and "第 1 / 2 页" in page.content.decode()


def test_snoozes_of_one_item_in_a_row_mute_it_7_days_at_most(travel, task, township_a, client_for, office_user):
    travel(at(D - 7 * DAY, hour=7))
    run_scan()
    note = entry(township_a, task)
    client = client_for(township_a)
    assert client.post(reverse("snooze_create", args=[note.pk]), {"days": "7", "reason": "出差"}).status_code == 302
    travel(at(D - DAY, hour=7))  # day 7 of the snooze: another 7 days would make 13
    client = client_for(township_a)
    response = client.post(reverse("snooze_create", args=[note.pk]), {"days": "7", "reason": "还在出差"})
    assert response.status_code == 200
    assert "连续暂停不超过 7 天：最多暂停至06月29日（还可暂停 1 天）" in response.content.decode()
    assert ReminderSnooze.objects.filter(cancelled_at__isnull=True).get().until == D - DAY
    # Within the 7 days it can still be changed (here: kept to its last day).
    assert client.post(reverse("snooze_create", args=[note.pk]), {"days": "1", "reason": "还在出差"}).status_code == 302
    running = ReminderSnooze.objects.get(cancelled_at__isnull=True)
    assert running.until == D - DAY and running.muted_since == D - 7 * DAY
    travel(at(D, hour=7))  # the run has ended: the item can be snoozed again, from today
    run_scan()
    client = client_for(township_a)
    assert client.post(reverse("snooze_create", args=[note.pk]), {"days": "3", "reason": "等批复"}).status_code == 302
    assert ReminderSnooze.objects.get(cancelled_at__isnull=True, until__gte=D).muted_since == D


def test_a_delegate_moved_to_another_unit_no_longer_takes_the_units_reminders(
    travel, task, township_a, township_a_head, colleague, township_b_unit
):
    ReminderDelegation.objects.create(
        unit=township_a.org_unit, delegator=township_a_head, delegate=colleague,
        starts_on=D - 10 * DAY, ends_on=D + 10 * DAY, reason="外出",
    )  # fmt: skip
    colleague.org_unit = township_b_unit  # the administrator moved the colleague
    colleague.save()
    travel(at(D - 3 * DAY))
    run_scan()
    assert reminded(colleague) == []
    assert reminded(township_a) == ["before_3"] and reminded(township_a_head) == ["before_3"]
    travel(at(D + 3 * DAY))
    run_scan()
    assert "escalation" in reminded(township_a_head) and "escalation" not in reminded(colleague)
