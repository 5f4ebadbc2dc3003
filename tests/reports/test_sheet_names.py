"""Sheet names Excel accepts: ≤31 characters, none of []:*?/\\, no edge apostrophes, unique ignoring case."""

from __future__ import annotations

from reports.workbooks import unique_sheet_names


def test_invalid_characters_length_and_apostrophes():
    names = unique_sheet_names(["a/b\\c[d]e:f*g?h", "'引号单位'", "长" * 40, "", "History"])
    assert names == ["a_b_c_d_e_f_g_h", "引号单位", "长" * 31, "单位", "History(2)"]


def test_clashes_get_numbered_within_31_characters_and_ignore_case():
    names = unique_sheet_names(["统计表", "Town", "town", "长" * 40, "长" * 35], taken=["统计表", "汇总表"])
    assert names == ["统计表(2)", "Town", "town(2)", "长" * 31, "长" * 28 + "(2)"]
    assert all(len(n) <= 31 for n in names)
