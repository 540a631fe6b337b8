"""The holiday calendar of the Algemene termijnenwet (BWBR0002448), engine/core/dates.py.

Art. 1 lid 1: a statutory term that ends on a Saturday, a Sunday or a generally recognised holiday
runs on to the next day that is none of these. Art. 3 lid 1 names the holidays: Nieuwjaarsdag, the
Christian second Easter and Whit day (Tweede Paasdag, Tweede Pinksterdag), both Christmas days,
Hemelvaartsdag, the day on which the King's birthday is celebrated (Koningsdag; 26 April when 27 April
is a Sunday) and 5 May, every year (the `holidays` package lists it every five years only). Art. 3 lid 2
equates Goede Vrijdag with them. Days equated by royal decree under art. 3 lid 3 (for example the Friday
after Hemelvaartsdag) are one-off decisions and are not in the calendar.

The engine also names Eerste Paasdag and Eerste Pinksterdag; both are Sundays, so they move no term,
they only name the reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from convenant.core import dates

# Easter Sunday as published (Gregorian computus), for the years the covenants run.
EASTER = {
    2019: date(2019, 4, 21),
    2020: date(2020, 4, 12),
    2021: date(2021, 4, 4),
    2022: date(2022, 4, 17),
    2023: date(2023, 4, 9),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
}


def test_easter_sunday_in_the_years_of_the_covenants():
    assert {year: dates._easter(year) for year in EASTER} == EASTER


def test_the_holidays_of_2025_a_year_with_koningsdag_on_a_sunday():
    # Easter 20 April 2025. 27 April 2025 is a Sunday, so Koningsdag is celebrated on Saturday 26 April.
    assert dates.atw_holidays(2025) == {
        date(2025, 1, 1): "Nieuwjaarsdag",  # a Wednesday
        date(2025, 4, 18): "Goede Vrijdag",  # Easter − 2
        date(2025, 4, 20): "Eerste Paasdag",
        date(2025, 4, 21): "Tweede Paasdag",  # Easter + 1
        date(2025, 4, 26): "Koningsdag",  # not 27 April, a Sunday
        date(2025, 5, 5): "Bevrijdingsdag",  # a Monday, in a year that is no multiple of five
        date(2025, 5, 29): "Hemelvaartsdag",  # Easter + 39: 20 April + 10 = 30 April, + 29 = 29 May
        date(2025, 6, 8): "Eerste Pinksterdag",  # Easter + 49 = 29 May + 10
        date(2025, 6, 9): "Tweede Pinksterdag",  # Easter + 50
        date(2025, 12, 25): "Eerste Kerstdag",
        date(2025, 12, 26): "Tweede Kerstdag",
    }


def test_the_holidays_of_2024_a_year_with_koningsdag_on_its_own_day():
    # Easter 31 March 2024; 27 April 2024 is a Saturday: Koningsdag stays on the 27th.
    assert dates.atw_holidays(2024) == {
        date(2024, 1, 1): "Nieuwjaarsdag",
        date(2024, 3, 29): "Goede Vrijdag",
        date(2024, 3, 31): "Eerste Paasdag",
        date(2024, 4, 1): "Tweede Paasdag",
        date(2024, 4, 27): "Koningsdag",
        date(2024, 5, 5): "Bevrijdingsdag",  # a Sunday
        date(2024, 5, 9): "Hemelvaartsdag",  # 31 March + 39: + 1 = 1 April, + 30 = 1 May, + 8 = 9 May
        date(2024, 5, 19): "Eerste Pinksterdag",
        date(2024, 5, 20): "Tweede Pinksterdag",
        date(2024, 12, 25): "Eerste Kerstdag",
        date(2024, 12, 26): "Tweede Kerstdag",
    }


@given(st.integers(1980, 2200))
def test_every_year_the_feasts_fall_on_their_weekdays(year):
    easter = dates._easter(year)
    assert easter.weekday() == 6 and date(year, 3, 22) <= easter <= date(year, 4, 25)
    # the King's birthday (27 April from 2014, the Queen's 30 April before), never on a Sunday:
    # then the Saturday before
    birthday = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    expected = {
        date(year, 1, 1),
        easter - timedelta(days=2),  # Goede Vrijdag
        easter,
        easter + timedelta(days=1),  # Tweede Paasdag
        birthday - timedelta(days=1) if birthday.weekday() == 6 else birthday,
        date(year, 5, 5),
        easter + timedelta(days=39),  # Hemelvaartsdag
        easter + timedelta(days=49),
        easter + timedelta(days=50),  # Tweede Pinksterdag
        date(year, 12, 25),
        date(year, 12, 26),
    }
    # Two feasts may share a day (Hemelvaartsdag on 5 May in 2016): the calendar names one of them.
    holidays = dates.atw_holidays(year)
    assert set(holidays) == expected
    weekdays = {"Goede Vrijdag": 4, "Tweede Paasdag": 0, "Hemelvaartsdag": 3, "Tweede Pinksterdag": 0}
    for day, name in holidays.items():
        assert day.weekday() == weekdays.get(name, day.weekday()), name
    assert date(year, 4, 27) not in holidays or date(year, 4, 27).weekday() != 6


def test_koningsdag_on_a_sunday_moves_to_saturday_26_april():
    # 27 April is a Sunday in 2014, 2025 and 2031.
    for year in (2014, 2025, 2031):
        assert date(year, 4, 27).weekday() == 6
        assert dates.atw_holidays(year).get(date(year, 4, 26)) == "Koningsdag"
        assert date(year, 4, 27) not in dates.atw_holidays(year)
    # Before 2014 it was Koninginnedag on 30 April (a Sunday in 2006: celebrated on Saturday 29 April).
    assert dates.atw_holidays(2013).get(date(2013, 4, 30)) == "Koningsdag"
    assert dates.atw_holidays(2006).get(date(2006, 4, 29)) == "Koningsdag"
    # A term ending on Saturday 26 April 2025 is moved for Koningsdag, then for the Sunday.
    assert dates.next_working_day(date(2025, 4, 26)) == (date(2025, 4, 28), ("Koningsdag", "zondag"))


def test_terms_that_end_on_a_holiday_move_to_the_next_working_day():
    nwd = dates.next_working_day
    # Nieuwjaarsdag 2026 is a Thursday: Friday 2 January.
    assert nwd(date(2026, 1, 1)) == (date(2026, 1, 2), ("Nieuwjaarsdag",))
    # Goede Vrijdag 18 April 2025, then Saturday, Easter Sunday and Monday: Tuesday 22 April.
    assert nwd(date(2025, 4, 18)) == (
        date(2025, 4, 22),
        ("Goede Vrijdag", "zaterdag", "Eerste Paasdag", "Tweede Paasdag"),
    )
    # 5 May counts every year: Tuesday 5 May 2026 (not a lustrum year) moves to Wednesday 6 May.
    assert nwd(date(2026, 5, 5)) == (date(2026, 5, 6), ("Bevrijdingsdag",))
    # Hemelvaartsdag Thursday 14 May 2026: Friday 15 May (the Friday after is no holiday by law).
    assert nwd(date(2026, 5, 14)) == (date(2026, 5, 15), ("Hemelvaartsdag",))
    # Whit Sunday 24 May 2026 and Monday: Tuesday 26 May.
    assert nwd(date(2026, 5, 24)) == (date(2026, 5, 26), ("Eerste Pinksterdag", "Tweede Pinksterdag"))
    # Christmas Thursday 25 and Friday 26 December 2025, then the weekend: Monday 29 December.
    assert nwd(date(2025, 12, 25)) == (
        date(2025, 12, 29),
        ("Eerste Kerstdag", "Tweede Kerstdag", "zaterdag", "zondag"),
    )
    # An ordinary working day stays, with no reasons.
    assert nwd(date(2025, 6, 30)) == (date(2025, 6, 30), ())
