"""The evaluation app's part of 等待我处理: a member unit's documents the office asked for."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from evaluation.selectors import my_outstanding_dues
from shuangyong.navigation import WaitingGroup, WaitingRow
from tasks.models import today_shanghai
from tasks.selectors import first_rows_and_total

WAITING_ROWS = 5


def waiting_groups(user: Any) -> list[WaitingGroup]:
    dues, total = first_rows_and_total(my_outstanding_dues(user), WAITING_ROWS)
    today = today_shanghai()
    url = reverse("evaluation:documents")
    rows = [
        WaitingRow(
            f"{d.request.year}年{d.request.get_kind_display()}",
            url,
            note=f"截止 {d.request.deadline:%Y-%m-%d}",
            state="late" if d.request.deadline < today else "new",
            state_label="已过截止日期" if d.request.deadline < today else "待上传",
        )
        for d in dues
    ]
    return [
        WaitingGroup(title="待上传的成员单位材料", rows=rows, total=total, more_url=url, testid="waiting-documents")
    ]
