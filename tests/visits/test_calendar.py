import datetime as dt

from visits.calendar import army_day_defaults, spring_defaults, spring_festival


def test_spring_festival_2027_window_follows_the_lunar_calendar():
    assert spring_festival(2027) == dt.date(2027, 2, 6)
    d = spring_defaults(2027)
    assert d.visit_start == dt.date(2027, 1, 22)  # 腊月十五
    assert d.visit_end == dt.date(2027, 2, 20)  # 正月十五
    assert d.return_deadline == dt.date(2027, 2, 25)  # 正月初十 (2027-02-15) + 10 days
    assert d.title == "2027年春节走访慰问"


def test_spring_festival_moves_with_the_moon():
    assert spring_festival(2026) == dt.date(2026, 2, 17)
    assert spring_defaults(2026).visit_start == dt.date(2026, 2, 2)


def test_army_day_window():
    d = army_day_defaults(2026)
    assert (d.visit_start, d.visit_end, d.return_deadline) == (
        dt.date(2026, 7, 15),
        dt.date(2026, 8, 10),
        dt.date(2026, 8, 14),
    )
