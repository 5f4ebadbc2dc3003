"""Home-page panels: a unit's own return, and the office's overview of the current campaign."""

from __future__ import annotations

from typing import Any

from shuangyong.models import User
from visits.models import Return
from visits.selectors import campaign_overview, current_campaign_for


def my_return_panel(user: User) -> dict[str, Any] | None:
    campaign = current_campaign_for(user)
    unit = user.org_unit
    if campaign is None or unit is None or not campaign.expected_units.filter(pk=unit.pk).exists():
        return None
    ret = Return.objects.filter(campaign=campaign, org_unit=unit).first()
    return {"campaign": campaign, "unit": unit, "ret": ret, "editable": ret is None or ret.is_editable}


def returns_overview_panel(user: User) -> dict[str, Any] | None:
    campaign = current_campaign_for(user)
    if campaign is None:
        return None
    return {"campaign": campaign, "overview": campaign_overview(user=user, campaign=campaign)}
