"""Reminders for campaign returns (registered in VisitsConfig.ready()).

Only units that have not submitted are reminded, before and on the return deadline: a unit
whose return is 已提交/已审核 (本期无走访 included) gets nothing; one sent back or reopened
(已退回) is reminded again until it submits anew. A return still missing after the deadline is
not nagged daily; it appears in the office's daily summary (for ``OVERDUE_WINDOW_DAYS``) and,
after the policy's N days, its unit's heads are told.

An item is a (campaign, expected unit) pair, i.e. a row of ``Campaign.expected_units``; the
reminder is about the campaign, for the users of that unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from shuangyong.reminders import DeadlineSpec, ItemText, ReminderSource, register_source, url_maker
from visits.models import Campaign, Return, ReturnStatus

# A return missing this long after its deadline is no longer reminded nor summarised:
# by then the county table has gone to the city without it.
OVERDUE_WINDOW_DAYS = 30
DONE_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
ExpectedUnit = Campaign.expected_units.through


def missing_returns(today: dt.date) -> QuerySet[ExpectedUnit]:  # type: ignore[valid-type]
    # Only a submitted (or accepted) return is done. 本期无走访 is such a submission, not a state of
    # its own: sent back or reopened, it keeps no_visits but owes a new submission like any other.
    done = Return.objects.filter(
        campaign_id=OuterRef("campaign_id"), org_unit_id=OuterRef("orgunit_id"), status__in=DONE_STATUSES
    )
    return ExpectedUnit.objects.filter(
        campaign__return_deadline__gte=today - dt.timedelta(days=OVERDUE_WINDOW_DAYS)
    ).exclude(Exists(done))


def describe_returns(ids: Any) -> dict[tuple[int, int], ItemText]:
    """Every expected unit of those campaigns (a campaign has a few dozen)."""
    url = url_maker("visits:unit_return")
    rows = ExpectedUnit.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "campaign__title", "orgunit_id", "orgunit__name"
    )
    return {(c, u): ItemText(f"“{title}”统计表", url(c, u), name) for c, title, u, name in rows}


class CampaignReturnSource(ReminderSource):
    name = "visits.returns"

    def deadline_specs(self) -> Sequence[DeadlineSpec]:
        return (
            DeadlineSpec(
                kind="统计表报送",
                model=Campaign,
                rows=missing_returns,
                describe=describe_returns,
                object_field="campaign_id",
                deadline_field="campaign__return_deadline",
                unit_field="orgunit",
                action="填报并提交",
                remind_overdue=False,
            ),
        )


def register_reminders() -> None:
    register_source(CampaignReturnSource())
