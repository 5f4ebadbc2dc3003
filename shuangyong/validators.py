from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2's new wording of this message has no zh-hans translation yet; say it in Chinese."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短，至少需要 {self.min_length} 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


# Every date typed into the portal (deadlines, report, contact, visit and campaign dates) lies in
# this century. A date outside it is a typing slip (0001-01-01, 9999-12-31, 2207 for 2027), never
# a plan: it would sort a row to the end of every list and make it look on time for ever.
DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2099, 12, 31)
DATE_OUT_OF_RANGE = f"日期超出合理范围（{DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d}）。"


def validate_date_in_range(value: datetime.date | None) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")
