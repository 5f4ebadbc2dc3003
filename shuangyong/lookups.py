"""Lookups the whole project gets, registered once in ``ShuangyongConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In

#: What the widest integer column holds (SQLite's INTEGER, PostgreSQL's bigint).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _fits_a_column(value: Any) -> bool:
    return not isinstance(value, int) or INT64_MIN <= value <= INT64_MAX


class IntegerFieldIn(In):
    """``pk__in=[…]`` leaves out the values no integer column can hold, which match no row anyway,
    as Django's own ``exact`` on integers does (``IntegerFieldOverflow``). SQLite raised
    OverflowError on them instead: a forged 99999999999999999999999 among the choices of any
    ModelMultipleChoiceField (every ModelForm's many-to-many field) was a 500 rather than the
    field's "选择一个有效的选项" error; now every form, the admin and every query behave the same
    on SQLite and PostgreSQL."""

    def get_prep_lookup(self) -> Any:
        prepared = super().get_prep_lookup()
        if isinstance(prepared, list):  # values, not a subquery or expressions
            return [value for value in prepared if _fits_a_column(value)]
        return prepared


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)  # AutoField, BigAutoField, … inherit it
