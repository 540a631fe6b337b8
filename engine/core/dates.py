"""Dates and terms: the month policy, the Algemene termijnenwet, and Dutch date words.

A covenant's terms are read the way DOMAIN.md says, and each choice is a declared policy of the
rule file (interpretations I-months and I-ATW), never a hidden default of a date library:

- "binnen een maand na X" is X plus one calendar month. When the day does not exist in that
  month, policy "afkappen" clips to the month's last day (31 January + 1 month = 28 or 29
  February); policy "weigeren" refuses, as Catala does, so the rule file must say how.
- "binnen 2 weken" is X + 14 days; "uiterlijk eind juni" is 30 June; "in februari" is the window
  1 February – last day of February.
- Algemene termijnenwet (BWBR0002448), when applied: a term that ends on a Saturday, a Sunday or
  a generally recognised holiday (art. 3 lid 1, 5 May counted every year; Goede Vrijdag by art. 3
  lid 2) ends on the next day that is none of these.

>>> add_term(date(2023, 1, 31), Term(months=1), MONTH_CLIP)
datetime.date(2023, 2, 28)
>>> add_term(date(2024, 1, 31), Term(months=1), MONTH_CLIP)
datetime.date(2024, 2, 29)
>>> add_term(date(2024, 3, 1), parse_term("2 weken"), MONTH_CLIP)
datetime.date(2024, 3, 15)
>>> next_working_day(date(2025, 5, 3))  # a Saturday; Monday 5 May is Bevrijdingsdag
(datetime.date(2025, 5, 6), ('zaterdag', 'zondag', 'Bevrijdingsdag'))
>>> dutch_date(date(2025, 6, 30))
'30 juni 2025'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from convenant import words
from convenant.core.diagnostics import Fault

MONTH_CLIP = "afkappen"
MONTH_REFUSE = "weigeren"
MONTH_POLICIES = (MONTH_CLIP, MONTH_REFUSE)
ATW_APPLY = "toepassen"
ATW_SKIP = "niet_toepassen"
ATW_OPTIONS = (ATW_APPLY, ATW_SKIP)

MONTHS_NL = [str(m) for m in words.word("dates.months", "nl")]  # a rule file names months in Dutch
_WEEKDAYS_NL = "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
_NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
}
_UNITS = {
    "dag": "days",
    "dagen": "days",
    "week": "weeks",
    "weken": "weeks",
    "maand": "months",
    "maanden": "months",
    "jaar": "years",
    "jaren": "years",
}
_TERM_RE = re.compile(r"^\s*(\d+|[a-zé]+)\s+([a-z]+)\s*$")
_DAY_MONTH_RE = re.compile(r"^\s*(\d{1,2})\s+([a-z]+)\s*$")


class DateProblem(Fault):
    """A date that the declared policy refuses; carries a message code and its arguments."""


@dataclass(frozen=True)
class Term:
    """A term as a covenant writes it: a number of months or of days (weeks are 7 days)."""

    months: int = 0
    days: int = 0

    def dutch(self) -> str:
        """The term in Dutch words.

        >>> Term(months=1).dutch(), Term(days=14).dutch(), Term(months=12).dutch()
        ('1 maand', '14 dagen', '12 maanden')
        """
        if self.months:
            return f"{self.months} {'maand' if self.months == 1 else 'maanden'}"
        return f"{self.days} {'dag' if self.days == 1 else 'dagen'}"


@dataclass(frozen=True)
class DayMonth:
    """A day in the year without the year: "1 oktober", "30 juni"."""

    day: int
    month: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def dutch(self) -> str:
        return f"{self.day} {MONTHS_NL[self.month - 1]}"


@dataclass(frozen=True)
class Period:
    """A window of days, both ends included ("in februari": 1 February – 28/29 February)."""

    start: date
    end: date


def parse_term(text: str) -> Term:
    """A term as written in a covenant: "1 maand", "drie maanden", "2 weken".

    >>> parse_term("1 maand"), parse_term("drie maanden"), parse_term("2 weken")
    (Term(months=1, days=0), Term(months=3, days=0), Term(months=0, days=14))
    """
    match = _TERM_RE.match(text.lower())
    if match is None or match[2] not in _UNITS:
        raise ValueError(text)
    count_text, unit = match[1], _UNITS[match[2]]
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text)
    if count is None or count <= 0:
        raise ValueError(text)
    if unit == "weeks":
        return Term(days=7 * count)
    if unit == "years":
        return Term(months=12 * count)
    return Term(**{unit: count})


def parse_month(text: str) -> int:
    """A Dutch month name.

    >>> parse_month("februari")
    2
    """
    name = text.strip().lower()
    if name not in MONTHS_NL:
        raise ValueError(text)
    return MONTHS_NL.index(name) + 1


def parse_day_month(text: str) -> DayMonth:
    """A day and month without a year, as "uiterlijk 1 oktober" writes it.

    >>> parse_day_month("1 oktober")
    DayMonth(day=1, month=10)
    """
    match = _DAY_MONTH_RE.match(text.lower())
    if match is None:
        raise ValueError(text)
    day, month = int(match[1]), parse_month(match[2])
    if not 1 <= day <= calendar.monthrange(2023, month)[1]:  # 29 February has no fixed year
        raise ValueError(text)
    return DayMonth(day, month)


def month_window(year: int, month: int) -> Period:
    """The window "in <maand>" of a year, both ends included.

    >>> month_window(2025, 2)
    Period(start=datetime.date(2025, 2, 1), end=datetime.date(2025, 2, 28))
    """
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def add_term(start: date, term: Term, month_policy: str) -> date:
    """`start` plus `term`, under the declared month policy; a day after the last one the calendar
    knows (31 December 9999) is refused.

    >>> add_term(date(9999, 12, 31), Term(months=1), MONTH_CLIP)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    DateProblem: date.out_of_range
    """
    if term.days:
        if (date.max - start).days < term.days:
            raise DateProblem("date.out_of_range", start=start, term=term.dutch())
        return start + timedelta(days=term.days)
    index = start.month - 1 + term.months
    year, month = start.year + index // 12, index % 12 + 1
    if year > date.max.year:
        raise DateProblem("date.out_of_range", start=start, term=term.dutch())
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        if month_policy != MONTH_CLIP:
            raise DateProblem(
                "date.month_overflow", start=start, term=term.dutch(), month=MONTHS_NL[month - 1], year=year
            )
        return date(year, month, last)
    return date(year, month, start.day)


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).

    >>> _easter(2024), _easter(2025)
    (datetime.date(2024, 3, 31), datetime.date(2025, 4, 20))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def atw_holidays(year: int) -> dict[date, str]:
    """The generally recognised holidays of Algemene termijnenwet art. 3 lid 1, 5 May every year,
    with Goede Vrijdag, which art. 3 lid 2 equates with them."""
    easter = _easter(year)
    kings_day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    if kings_day.weekday() == 6:
        kings_day -= timedelta(days=1)
    return {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter - timedelta(days=2): "Goede Vrijdag",
        easter: "Eerste Paasdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        kings_day: "Koningsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=49): "Eerste Pinksterdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }


def _why_not_working_day(day: date) -> str | None:
    holiday = atw_holidays(day.year).get(day)
    if holiday:
        return holiday
    return _WEEKDAYS_NL[day.weekday()] if day.weekday() >= 5 else None


def next_working_day(day: date) -> tuple[date, tuple[str, ...]]:
    """The day itself if it is a working day under the ATW, else the next one, with the reasons."""
    reasons: list[str] = []
    while (why := _why_not_working_day(day)) is not None:
        reasons.append(why)
        day += timedelta(days=1)
    return day, tuple(reasons)


def dutch_date(day: date, lang: str = "nl") -> str:
    """'30 juni 2025' (or '30 June 2025'); the same words Babel gives for the nl locale."""
    return f"{day.day} {words.word('dates.months', lang)[day.month - 1]} {day.year}"


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365
