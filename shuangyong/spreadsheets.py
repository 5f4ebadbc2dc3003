"""Spreadsheet safety shared by every app that writes .xlsx files (visits, tasks, reports).

CSV/formula injection (OWASP): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return may be run by Excel as a formula (``=cmd|' /C calc'!A0``); openpyxl even stores
a string starting with ``=`` as a formula cell. Every text cell a user could have typed goes
through :func:`escape_formula`, which prefixes such text with an apostrophe so it stays text.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell that Excel would run as a formula (=, +, -, @ …) is prefixed with an apostrophe.

    Only strings change: numbers, dates and ``None`` are returned as they are, so a negative
    number stays a number (django-import-export's own escaping turns every number into text).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
