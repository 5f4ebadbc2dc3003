"""Bounds shared by the task and 双清单 forms and Excel imports.

The date range is the portal's one range (shuangyong/validators.py), re-exported here for the
task and 双清单 code that imports it from this module.
"""

from __future__ import annotations

from shuangyong.validators import DATE_MAX, DATE_MIN, DATE_OUT_OF_RANGE, validate_date_in_range

__all__ = ["DATE_MAX", "DATE_MIN", "DATE_OUT_OF_RANGE", "YEAR_MAX", "YEAR_MIN", "validate_date_in_range"]

# The years a 双清单 may be kept for (the form's and the import's bounds).
YEAR_MIN = 2000
YEAR_MAX = 2100
