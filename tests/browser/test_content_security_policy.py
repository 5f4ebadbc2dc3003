"""The pages work under the Content-Security-Policy: no violation is reported on the everyday
pages, scripts and styles load (Bootstrap styles the navbar), the person search answers, and a
form that asks first (data-confirm instead of an inline onsubmit) still asks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.visits.factories import BeneficiaryFactory, CampaignFactory, VisitRecordFactory
from visits.models import VisitRecord

pytestmark = pytest.mark.django_db(transaction=True)


def watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return violations


def test_everyday_pages_under_the_policy(page, live_server, login, township_a, office_user, county, village_a1):
    campaign = CampaignFactory(
        owner_unit=county,
        expected_units=[township_a.org_unit],
        year=2027,
        visit_start=dt.date(2027, 1, 20),
        visit_end=dt.date(2027, 2, 20),
        return_deadline=dt.date(2099, 2, 25),
    )
    BeneficiaryFactory(name="王建国", org_unit=village_a1)
    record = VisitRecordFactory(campaign=campaign, org_unit=township_a.org_unit, created_by=township_a)
    violations = watch_violations(page)
    login(page, township_a)
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
    for path in ("/", "/visits/ledger/", "/tasks/", "/tasks/dual/", f"/visits/records/{record.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"], path

    # data-confirm: dismissing the question keeps the record, accepting it deletes the record.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button")
    assert VisitRecord.objects.filter(pk=record.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-confirm] button")
    page.wait_for_load_state()
    assert not VisitRecord.objects.filter(pk=record.pk).exists()

    # The record form's person search (static/js/person_search.js) runs under the policy.
    page.goto(f"{live_server.url}/visits/campaigns/{campaign.pk}/units/{township_a.org_unit.pk}/records/new/")
    page.fill("[data-testid=person-search]", "王建国")
    page.wait_for_selector("#id_beneficiary_options option", state="attached")
    options = page.eval_on_selector_all("#id_beneficiary_options option", "os => os.map(o => o.value)")
    assert len(options) == 1 and options[0].startswith("王建国")
    assert violations == []
