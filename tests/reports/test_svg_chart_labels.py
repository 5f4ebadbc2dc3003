"""A long category name is not cut at the chart's left edge (the dashboard showed 部一营 for
驻铜某部一营): the label column grows with the longest name; the browser test measures it."""

from __future__ import annotations

import re

from reports.svg_charts import LABEL_WIDTH, BarChart, Series, render_svg

NAMES = ["铜梁区双拥工作领导小组办公室", "驻铜某部一营", "巴川街道"]


def _labels(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end">([^<]+)</text>', svg)]


def test_the_label_column_fits_the_longest_name():
    svg = render_svg(BarChart("走访人数", NAMES, [Series("人数", [3, 2, 1])]), chart_id="c1")
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    for x, text in _labels(svg):
        assert x - 12 * len(text) >= 0, text  # 12 px per Chinese character at font-size 12
    assert width > LABEL_WIDTH + 300  # the chart grew instead of cutting
    short = render_svg(BarChart("走访人数", ["巴川街道"], [Series("人数", [1])]), chart_id="c2")
    assert _labels(short)[0][0] == LABEL_WIDTH - 6  # short names keep the usual layout
