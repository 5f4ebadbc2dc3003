"""Identity numbers of the People's Republic of China (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError

# After folding: 17 ASCII digits and an ASCII digit or X. Nothing else (no full-width or
# Arabic-Indic digit, no superscript) reaches the uniqueness check or the check-digit arithmetic.
ID_NUMBER_PATTERN = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid identity number, in Chinese, or None when it is valid."""
    if len(value) != 18:
        return "身份证号应为 18 位。"
    if not ID_NUMBER_PATTERN.fullmatch(value):
        return "身份证号前 17 位应为数字，最后一位为数字或 X。"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效。"
    if birth.year < 1900 or birth > dt.date.today():
        return "身份证号中的出生日期无效。"
    if id_check_digit(value[:17]) != value[17]:
        return "身份证号校验位不正确，请核对。"
    return None


def normalize_id_number(value: str) -> str:
    """The one form in which an identity number is validated, stored, compared and searched.

    NFKC folds full-width digits and letters (５００２２４…Ｘ) and superscripts to ASCII, so that
    the same number typed on a Chinese keyboard is the same number; whitespace of any kind goes,
    x becomes X. Used by forms, the model field, importers and searches alike.
    """
    folded = unicodedata.normalize("NFKC", value or "")
    return "".join(folded.split()).upper()


def validate_id_number(value: str) -> None:
    error = id_number_error(normalize_id_number(value))
    if error:
        raise ValidationError(error, code="invalid_id_number")


def mask_id_number(value: str) -> str:
    """First 6 and last 4 characters shown: 500224********123X."""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def make_id_number(*, region: str, birth: dt.date, sequence: int) -> str:
    """A well-formed identity number (for demo data and tests)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_digit(first17)
