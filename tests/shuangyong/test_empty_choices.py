"""No `---------` (nor a bare dash) as the empty choice of a list: a Chinese prompt says what to
choose; and the 对账 index separates its years (2027年2026年 ran together)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tasks.models import DualListState
from tests.tasks.factories import DualListItemFactory, TaskFactory
from tests.visits.factories import BeneficiaryFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def _empty_options(html: str) -> list[str]:
    return re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)


def test_every_empty_choice_is_a_chinese_prompt(
    client_for, office_user, township_a, county, township_a_unit, troop_unit, village_a1
):
    task = TaskFactory(plan__owner_unit=county, plan__created_by=office_user)
    campaign = CampaignFactory(owner_unit=county, expected_units=[township_a_unit])
    person = BeneficiaryFactory(org_unit=village_a1)
    office = client_for(office_user)
    pages = [
        reverse("tasks:task_board"),
        reverse("tasks:task_edit", args=[task.pk]),
        reverse("tasks:dual_item_create"),
        reverse("tasks:dual_list"),
        reverse("visits:campaign_create"),
        reverse("visits:beneficiary_create"),
        reverse("visits:beneficiary_edit", args=[person.pk]),
        reverse("visits:record_create", args=[campaign.pk, township_a_unit.pk]),
    ]
    seen = []
    for url in pages:
        html = office.get(url).content.decode()
        assert "---------" not in html, url
        for label in _empty_options(html):
            assert re.search(r"[\u4e00-\u9fff]", label), (url, label)
            seen.append(label)
    assert "请选择单位" in seen and "请选择慰问对象" in seen and "请选择" in seen


def test_the_reconciliation_index_separates_the_years(client_for, office_user, troop_unit, township_a_unit):
    for year in (2026, 2027):
        DualListItemFactory(
            troop_unit=troop_unit, responsible_unit=township_a_unit, year=year, state=DualListState.ASSIGNED
        )
    html = client_for(office_user).get(reverse("tasks:reconciliation_index")).content.decode()
    text = re.sub(r"<[^>]+>", "", html.split('data-testid="troops"')[1].split("</table>")[0])
    assert "年2026年" not in text and "年2027年" not in text
    assert "2027年对账表" in text and "2026年对账表" in text
