"""History on the tasks pages (work plan, task, 双清单 item): the shared implementation.

Kept as a name for the tasks views; the diffing lives in shuangyong/history.py and the panel in
templates/shuangyong/_history.html, used by the visits pages too.
"""

from __future__ import annotations

from shuangyong.history import history_entries as history_rows

__all__ = ["history_rows"]
