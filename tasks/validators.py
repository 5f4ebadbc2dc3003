"""Bounds shared by the task and 双清单 forms and Excel imports.

A deadline or a report date outside this century is a typing slip (0001-01-01, 9999-12-31,
2207 for 2027), never a plan: it would sort a task to the end of every list and make it look
on time for ever, so it is refused where it is typed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2099, 12, 31)
# The years a 双清单 may be kept for (the form's and the import's bounds).
YEAR_MIN = 2000
YEAR_MAX = 2100
DATE_OUT_OF_RANGE = f"日期超出合理范围（{DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d}）。"


def validate_date_in_range(value: datetime.date | None) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")
