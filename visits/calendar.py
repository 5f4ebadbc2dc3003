"""Default windows for next year's campaigns.

春节 follows the lunar calendar (``lunardate``): visits run from 腊月十五 to 正月十五 of that
year's Spring Festival, and returns are due ten days after 正月初十. 八一 is fixed in the
solar calendar: 15 July to 10 August, returns due 14 August (as in the other county's notice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lunardate import LunarDate

from visits.models import CampaignKind


@dataclass(frozen=True)
class CampaignDefaults:
    year: int
    kind: str
    title: str
    visit_start: dt.date
    visit_end: dt.date
    return_deadline: dt.date


def spring_festival(year: int) -> dt.date:
    return LunarDate(year, 1, 1).to_solar_date()


def spring_defaults(year: int) -> CampaignDefaults:
    # 腊月 is the twelfth month of the *previous* lunar year.
    start = LunarDate(year - 1, 12, 15).to_solar_date()
    end = LunarDate(year, 1, 15).to_solar_date()
    deadline = LunarDate(year, 1, 10).to_solar_date() + dt.timedelta(days=10)
    return CampaignDefaults(year, CampaignKind.SPRING, f"{year}年春节走访慰问", start, end, deadline)


def army_day_defaults(year: int) -> CampaignDefaults:
    return CampaignDefaults(
        year,
        CampaignKind.ARMY_DAY,
        f"{year}年“八一”走访慰问",
        dt.date(year, 7, 15),
        dt.date(year, 8, 10),
        dt.date(year, 8, 14),
    )


def campaign_defaults(*, year: int, kind: str) -> CampaignDefaults:
    return spring_defaults(year) if kind == CampaignKind.SPRING else army_day_defaults(year)
