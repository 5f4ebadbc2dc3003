"""Township staff enter two visit records on a phone, submit the return; the office accepts it;
editing is then refused."""

import pytest

from tests.visits.factories import CampaignFactory
from visits.models import Return, ReturnStatus, VisitRecord

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_record(page, *, day, people, money, recipients):
    page.fill("#id_visit_date", day)
    page.select_option("#id_table_row", "entitled")
    page.fill("#id_lead_leader", "张镇长")
    page.fill("#id_people_visited", people)
    page.fill("#id_money_amount", money)
    page.fill("#id_money_recipients", recipients)


def test_township_enters_on_a_phone_office_accepts_then_locked(
    phone_page, page, live_server, login, county, township_a, township_b_unit, office_user
):
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a.org_unit, township_b_unit])
    phone = login(phone_page, township_a)

    # One tap from the home page to the form; the number fields open the numeric keypad.
    phone.click("[data-testid=panel-my-return] >> text=添加走访记录")
    assert phone.get_attribute("#id_people_visited", "inputmode") == "numeric"
    # A mistake is shown at the field, in Chinese, and nothing is saved.
    _fill_record(phone, day="2027-02-01", people="2", money="500", recipients="3")
    phone.click("button[name=add_another]")
    assert "不能多于走访慰问人数" in phone.locator("[data-field=money_recipients]").inner_text()
    assert VisitRecord.objects.count() == 0

    _fill_record(phone, day="2027-02-01", people="3", money="500", recipients="3")
    phone.click("button[name=add_another]")
    phone.wait_for_selector("text=走访记录已保存")
    _fill_record(phone, day="2027-02-03", people="2", money="333.33", recipients="2")
    phone.click("button[name=save]")
    phone.wait_for_selector("[data-testid=submit-form]")
    assert phone.locator("[data-testid=record]").count() == 2
    # The form fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # While the return is a draft, a record can still be changed.
    phone.click("[data-testid=record] >> nth=0 >> text=查看/修改")
    assert phone.get_by_role("link", name="修改", exact=True).count() == 1
    phone.go_back()
    phone.fill("#id_summary", "春节期间走访慰问重点优抚对象。")
    phone.click("text=提交给双拥办")
    # The confirmation step shows what is sent before anything is submitted.
    confirm = phone.locator("[data-testid=confirm-summary]")
    assert "2 条" in confirm.inner_text() and "春节期间走访慰问重点优抚对象。" in confirm.inner_text()
    assert Return.objects.get().status == ReturnStatus.DRAFT
    phone.click("text=确认提交给双拥办")
    phone.wait_for_selector("text=填报已提交")
    assert phone.locator("[data-testid=return-status]").inner_text() == "已提交"
    ret = Return.objects.get()
    assert ret.status == ReturnStatus.SUBMITTED

    # The office accepts it on a desktop browser.
    desk = login(page, office_user)
    desk.goto(f"{live_server.url}/visits/campaigns/{campaign.pk}/")
    desk.click(f"tr[data-unit='{township_a.org_unit.name}'] >> text={township_a.org_unit.name}")
    desk.click("text=审核通过")
    desk.wait_for_selector("text=的填报已审核")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.ACCEPTED

    # Back on the phone: no more adding, and an edit is refused.
    phone.reload()
    assert phone.locator("[data-testid=add-record]").count() == 0
    record = VisitRecord.objects.order_by("pk").first()
    phone.goto(f"{live_server.url}/visits/records/{record.pk}/")
    assert phone.get_by_role("link", name="修改", exact=True).count() == 0
    phone.goto(f"{live_server.url}/visits/records/{record.pk}/edit/")
    assert phone.url == f"{live_server.url}/visits/records/{record.pk}/"
    assert "已审核锁定" in phone.locator(".alert-danger").inner_text()
    assert phone.locator("#id_people_visited").count() == 0
    record.refresh_from_db()
    assert record.people_visited == 3


def test_record_form_finds_the_person_by_search_on_a_phone(
    phone_page, live_server, login, county, township_a, village_a1, township_b_unit
):
    from tests.visits.factories import BeneficiaryFactory

    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a.org_unit])
    own = BeneficiaryFactory(name="李建国", id_number="500224193503011236", org_unit=village_a1)
    BeneficiaryFactory(name="李建军", id_number="500224193503021232", org_unit=township_b_unit)
    phone = login(phone_page, township_a)
    phone.goto(f"{live_server.url}/visits/campaigns/{campaign.pk}/units/{township_a.org_unit.pk}/records/new/")
    assert phone.locator("select[name=beneficiary]").count() == 0
    phone.fill("[data-testid=person-search]", "1236")
    phone.wait_for_selector("#id_beneficiary_options option", state="attached")
    options = phone.eval_on_selector_all("#id_beneficiary_options option", "os => os.map(o => o.value)")
    assert options == ["李建国（500224********1236）"]  # masked, and not township B's 李建军
    phone.fill("[data-testid=person-search]", options[0])
    assert phone.input_value("[data-person-pk]") == str(own.pk)
    _fill_record(phone, day="2027-02-01", people="1", money="500", recipients="1")
    phone.click("button[name=save]")
    phone.wait_for_selector("[data-testid=submit-form]")
    assert VisitRecord.objects.get().beneficiary == own
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
