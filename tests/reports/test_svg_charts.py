"""Server-side SVG charts: escaped labels, bars proportional to the numbers, a table of the numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from reports.svg_charts import BarChart, Series, render_chart, render_svg

SVG_NS = "{http://www.w3.org/2000/svg}"


def test_bars_are_proportional_and_the_svg_is_well_formed():
    chart = BarChart(
        title="走访人数", categories=["巴川街道", "东城街道"], series=[Series("今年", [30, 15])], unit="人"
    )
    root = ElementTree.fromstring(render_svg(chart, chart_id="c1"))  # noqa: S314 - our own output
    assert root.get("role") == "img"
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG_NS}rect")]
    assert widths == [300.0, 150.0]
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "巴川街道" in texts and "30人" in texts and "15人" in texts


def test_labels_are_escaped_in_svg_and_table():
    chart = BarChart(title="<b>图</b>", categories=['<script>alert("x")</script>'], series=[Series("A&B", [1])])
    html = str(render_chart(chart))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "A&amp;B" in html


def test_table_repeats_every_number_of_every_series():
    chart = BarChart(
        title="慰问金额",
        categories=["巴川街道", "东城街道"],
        series=[Series("2022年", [Decimal("1.50"), Decimal("0")]), Series("2021年", [Decimal("0.25"), Decimal("3")])],
        unit="万元",
        value_format=lambda v: f"{v:.2f}",
    )
    html = str(render_chart(chart))
    table = html[html.index("<table") :]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert cells == ["1.50", "0.25", "0.00", "3.00"]
    assert "2022年（万元）" in table and "<caption>慰问金额（数据表）</caption>" in table
    # Two series: a legend and four bars.
    svg = ElementTree.fromstring(html[html.index("<svg") : html.index("</svg>") + 6])  # noqa: S314 - our own output
    assert len([r for r in svg.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]) == 4


def test_all_zero_and_empty_charts_render():
    zero = render_chart(BarChart(title="零", categories=["甲"], series=[Series("s", [0])]))
    assert 'width="0.0"' in zero
    empty = render_chart(BarChart(title="空", categories=[], series=[Series("s", [])]))
    assert "暂无数据" in empty and "<svg" not in empty


def test_series_must_match_categories():
    with pytest.raises(ValueError, match="类别数量"):
        BarChart(title="x", categories=["a", "b"], series=[Series("s", [1])])
