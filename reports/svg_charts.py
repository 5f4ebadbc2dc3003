"""Server-side SVG bar charts for the leaders' dashboard: no JavaScript, no CDN.

Each chart is a ``<figure>``: an SVG drawn from the numbers (``role="img"`` with a title and a
description) followed by the same numbers as an HTML table, so a screen reader, a printout or a
copy-and-paste gets the figures, not a picture. Every label is HTML-escaped here; the result
is marked safe only after escaping.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

# Colour-blind-safe pair (Okabe–Ito) plus two more for extra series.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")

_chart_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars (long Chinese unit names read best on the left), one group per category."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""  # 人, 万元, % … shown in the table heading and after each value
    value_format: Callable[[Number], str] = field(default=lambda v: f"{v:g}" if isinstance(v, float) else str(v))

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"图表“{self.title}”的数据列“{s.name}”与类别数量不一致")


LABEL_WIDTH = 150
BAR_AREA = 300
VALUE_WIDTH = 80
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 10
TOP = 8
LEGEND_HEIGHT = 22


def _fmt(chart: BarChart, value: Number) -> str:
    return chart.value_format(value)


def text_width(text: str, font_size: int = 12) -> float:
    """The width a label takes: a Chinese character is a full em, other characters about 0.6 em."""
    return sum(font_size if ord(ch) > 0x2E7F else 0.6 * font_size for ch in text)


def label_width(chart: BarChart) -> int:
    """Room for the longest category name, so that no label is cut at the left edge (部一营)."""
    longest = max((text_width(c) for c in chart.categories), default=0.0)
    return max(LABEL_WIDTH, int(longest) + 12)


def render_svg(chart: BarChart, *, chart_id: str) -> str:
    n_series = max(len(chart.series), 1)
    group_height = n_series * BAR_HEIGHT + (n_series - 1) * BAR_GAP
    legend = LEGEND_HEIGHT if len(chart.series) > 1 else 0
    height = TOP + legend + max(len(chart.categories), 1) * (group_height + GROUP_GAP)
    labels = label_width(chart)
    width = labels + BAR_AREA + VALUE_WIDTH
    largest = max((float(v) for s in chart.series for v in s.values), default=0.0)
    scale = BAR_AREA / largest if largest > 0 else 0.0

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="sy-bar-chart">',
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(chart.title)}：数据见图下表格</desc>',
    ]
    if legend:
        x = labels
        for index, s in enumerate(chart.series):
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{x + 16}" y="{TOP + 10}" font-size="12">{escape(s.name)}</text>')
            x += 24 + 13 * len(s.name)
    y = TOP + legend
    for row, category in enumerate(chart.categories):
        label_y = y + group_height / 2 + 4
        parts.append(
            f'<text x="{labels - 6}" y="{label_y:.1f}" font-size="12" text-anchor="end">{escape(category)}</text>'
        )
        for index, s in enumerate(chart.series):
            value = s.values[row]
            bar = max(float(value) * scale, 0.0)
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            colour = PALETTE[index % len(PALETTE)]
            shown = f"{_fmt(chart, value)}{chart.unit}"
            parts.append(
                f'<rect x="{labels}" y="{bar_y}" width="{bar:.1f}" height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{escape(category)} · {escape(s.name)}：{escape(shown)}</title></rect>"
            )
            value_x = labels + bar + 4
            parts.append(f'<text x="{value_x:.1f}" y="{bar_y + BAR_HEIGHT - 3}" font-size="11">{escape(shown)}</text>')
        y += group_height + GROUP_GAP
    parts.append("</svg>")
    return "".join(parts)


def render_table(chart: BarChart, *, chart_id: str) -> str:
    unit = f"（{escape(chart.unit)}）" if chart.unit else ""
    head = "".join(f'<th scope="col">{escape(s.name)}{unit}</th>' for s in chart.series)
    body = "".join(
        f'<tr><th scope="row">{escape(category)}</th>'
        + "".join(f"<td>{escape(_fmt(chart, s.values[row]))}</td>" for s in chart.series)
        + "</tr>"
        for row, category in enumerate(chart.categories)
    )
    return (
        f'<table class="table table-sm table-bordered small mb-0" id="{chart_id}-table">'
        f"<caption>{escape(chart.title)}（数据表）</caption>"
        f'<thead><tr><th scope="col">项目</th>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def render_chart(chart: BarChart) -> SafeString:
    """The figure: SVG, then a collapsible table with the same numbers."""
    chart_id = f"sy-chart-{next(_chart_ids)}"
    if not chart.categories:
        return mark_safe(
            f'<figure class="sy-chart" id="{chart_id}"><figcaption class="h6">{escape(chart.title)}</figcaption>'
            '<p class="text-muted small mb-0">暂无数据。</p></figure>'
        )
    return mark_safe(
        f'<figure class="sy-chart" id="{chart_id}"><figcaption class="h6">{escape(chart.title)}</figcaption>'
        # On a phone the chart keeps its size (12 px labels) and scrolls sideways in its own box;
        # the box takes the keyboard's focus so that it can be scrolled without a pointer too.
        f'<div class="sy-chart-scroll" tabindex="0" role="group" aria-label="{escape(chart.title)}（可左右滑动）">'
        f"{render_svg(chart, chart_id=chart_id)}</div>"
        f'<details class="mt-1"><summary class="small">查看数据表</summary>'
        f'<div class="table-responsive">{render_table(chart, chart_id=chart_id)}</div></details></figure>'
    )
