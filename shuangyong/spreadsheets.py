"""Spreadsheet safety shared by every app that writes .xlsx files (visits, tasks, reports).

CSV/formula injection (OWASP): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return may be run by Excel as a formula (``=cmd|' /C calc'!A0``); openpyxl even stores
a string starting with ``=`` as a formula cell. Every text cell a user could have typed goes
through :func:`escape_formula`, which prefixes such text with an apostrophe so it stays text.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell that Excel would run as a formula (=, +, -, @ …) is prefixed with an apostrophe.

    Only strings change: numbers, dates and ``None`` are returned as they are, so a negative
    number stays a number (django-import-export's own escaping turns every number into text).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download: its Chinese name kept by every browser (RFC 5987 ``filename*``), and
    never kept by a browser or proxy cache (the files hold personal data and scoped figures)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
