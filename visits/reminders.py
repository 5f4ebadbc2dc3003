"""Reminders for campaign returns (registered in VisitsConfig.ready()).

Only units that have not submitted are reminded, before and on the return deadline: a unit
whose return is 已提交/已审核, or that declared 本期无走访, gets nothing. A return still missing
after the deadline is not nagged daily; it appears in the office's daily digest (for
``OVERDUE_WINDOW_DAYS``) and, after the policy's N days, its unit's heads are told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from shuangyong.models import OrgUnit
from shuangyong.reminders import DeadlineItem, ReminderSource, register_source
from visits.models import Campaign, Return, ReturnStatus

# A return missing this long after its deadline no longer appears in the daily digest:
# by then the county table has gone to the city without it.
OVERDUE_WINDOW_DAYS = 30
DONE_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


class CampaignReturnSource(ReminderSource):
    name = "visits.returns"

    def deadline_items(self, *, today: dt.date, until: dt.date) -> Iterable[DeadlineItem]:
        campaigns = {
            c.pk: c
            for c in Campaign.objects.filter(
                return_deadline__lte=until, return_deadline__gte=today - dt.timedelta(days=OVERDUE_WINDOW_DAYS)
            )
        }
        if not campaigns:
            return []
        expected = Campaign.expected_units.through.objects.filter(campaign_id__in=campaigns).values_list(
            "campaign_id", "orgunit_id"
        )
        done = set(
            Return.objects.filter(campaign_id__in=campaigns)
            .filter(Q(status__in=DONE_STATUSES) | Q(no_visits=True))
            .values_list("campaign_id", "org_unit_id")
        )
        missing = sorted(pair for pair in expected if pair not in done)
        units = OrgUnit.objects.filter(is_active=True).in_bulk({unit_id for _, unit_id in missing})
        return [
            DeadlineItem(
                obj=campaigns[campaign_id],
                label=f"“{campaigns[campaign_id].title}”统计表",
                deadline=campaigns[campaign_id].return_deadline,
                unit=units[unit_id],
                url_name="visits:unit_return",
                url_args=(campaign_id, unit_id),
                action="填报并提交",
                remind_overdue=False,
            )
            for campaign_id, unit_id in missing
            if unit_id in units
        ]


def register_reminders() -> None:
    register_source(CampaignReturnSource())
