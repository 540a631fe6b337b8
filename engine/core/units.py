"""Kinds of values (money, percentage, count, date, …) and how files write them.

Every parameter and fact declares its unit; this module reads a written value exactly in that
unit and says in words what is wrong when it cannot. Percentages may be written as a number in
percent (`5`, `0.25`) or as Dutch text (`"0,25 %"`); both become the exact ratio 1/400.

A number is never reinterpreted. An amount of money has at most two decimals *as written*:
`150.000` is whole cents, but in Dutch it is one hundred and fifty thousand, so three or more
decimals are refused (naming the likely thousands separator) instead of read as € 150,00. For
the same reason a count is a whole number (`9.600` is refused, not read as 9,6), and Dutch
notation (`1.234,56`, `150.000,00`) is refused with the plain form to write instead.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Any

from convenant import words
from convenant.core import dates, money
from convenant.core.diagnostics import Fault


class Kind(StrEnum):
    MONEY = "money"
    PERCENTAGE = "percentage"
    RATIO = "ratio"
    COUNT = "count"
    BOOLEAN = "boolean"
    DATE = "date"
    TEXT = "text"
    TERM = "term"
    DAY_MONTH = "day_month"
    MONTH = "month"
    OUTCOME = "outcome"
    PERIOD = "period"

    @property
    def numeric(self) -> bool:
        return self in (Kind.MONEY, Kind.PERCENTAGE, Kind.RATIO, Kind.COUNT)

    @property
    def dimensionless(self) -> bool:
        return self in (Kind.PERCENTAGE, Kind.RATIO, Kind.COUNT)


UNIT_NAMES = words.Languages("units.name")  # Kind → its name (a Kind reads as its value)

_PERCENT_TEXT = re.compile(r"^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*%\s*$")
_PLAIN_DECIMAL = re.compile(r"^\s*-?[0-9]+(?:\.[0-9]+)?\s*$")
# Dutch notation: points between groups of thousands (1.234.567), a decimal comma (1234,56), or both.
_DUTCH_NUMBER = re.compile(r"^\s*-?(?:[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+,[0-9]+)\s*$")
MONEY_DECIMALS = 2
# The longest number any file may write (fact files, rule files, scenario cells): far beyond any
# amount a covenant needs, and short enough that every reader and formatter stays fast.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 15
_PLAIN_NUMBER = re.compile(r"^\s*[-+]?([0-9]+)(?:\.([0-9]+))?\s*$")


class ValueProblem(Fault):
    """A written value that does not fit its unit; `code` names the message."""


def _refuse_dutch(raw: Any) -> None:
    """Refuse `1.234,56` and `1.234.567` with the plain form to write; never read them."""
    if isinstance(raw, str) and _DUTCH_NUMBER.match(raw):
        plain = raw.strip().replace(".", "").replace(",", ".")
        raise ValueProblem("value.dutch_notation", value=raw.strip(), plain=plain)


def number_too_long(text: str, fraction_counts: bool = False) -> dict[str, Any] | None:
    """The arguments of `value.number_too_long` when the plain number `text` has more than
    MAX_INTEGER_DIGITS digits before the point (or, if `fraction_counts`, more than
    MAX_FRACTION_DIGITS after it); None when it fits or is no plain number.

    >>> number_too_long("1" * 16)["digits"], number_too_long("12.5")
    (16, None)
    >>> number_too_long("0." + "1" * 16, fraction_counts=True)["fraction"]
    16
    """
    match = _PLAIN_NUMBER.match(text)
    if match is None:
        return None
    whole, fraction = match[1].lstrip("0") or "0", match[2] or ""
    if len(whole) <= MAX_INTEGER_DIGITS and not (fraction_counts and len(fraction) > MAX_FRACTION_DIGITS):
        return None
    shown = match[0].strip()
    return {
        "value": shown if len(shown) <= 40 else shown[:20] + "…",
        "digits": len(whole),
        "fraction": len(fraction),
        "limit": MAX_INTEGER_DIGITS,
        "fraction_limit": MAX_FRACTION_DIGITS,
    }


def refuse_too_long(raw: Any) -> None:
    """Refuse a number (or text that is one) with more digits before the point than any file may
    write; the decimals are judged by the unit (money: two at most; a percentage may have many)."""
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        return
    too_long = number_too_long(raw if isinstance(raw, str) else format(raw, "f"))
    if too_long is not None:
        raise ValueProblem("value.number_too_long", **too_long)


def _decimal(raw: Any) -> Decimal | int:
    """A number as written (int or Decimal, keeping its decimals); text must be a plain number."""
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise ValueProblem("value.not_a_number", value=raw)
    refuse_too_long(raw)
    if isinstance(raw, str):
        _refuse_dutch(raw)
        if not _PLAIN_DECIMAL.match(raw):
            raise ValueProblem("value.not_a_number", value=raw)
        return Decimal(raw.strip())
    return raw


def _number(raw: Any) -> Fraction:
    return Fraction(_decimal(raw))


def decimals_written(number: Decimal | int) -> int:
    """How many decimals a number has as written (trailing zeros count: they were typed).

    >>> decimals_written(Decimal("150.000")), decimals_written(Decimal("12.5")), decimals_written(7)
    (3, 1, 0)
    """
    if isinstance(number, int):
        return 0
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _looks_like_thousands(number: Decimal | int) -> bool:
    """Three decimals after one to three digits (`150.000`, `-9.600`): a point between thousands?"""
    magnitude = abs(Decimal(number))
    return decimals_written(number) == 3 and Decimal(1) <= magnitude < Decimal(1000)


def _without_point(number: Decimal) -> str:
    """`150.000` as it reads when its point separates thousands: `150000`."""
    return str(number).replace(".", "")


def _money(raw: Any) -> Fraction:
    written = _decimal(raw)
    decimals = decimals_written(written)
    if decimals > MONEY_DECIMALS:
        if _looks_like_thousands(written):
            raise ValueProblem("value.money_thousands", value=raw, whole=_without_point(Decimal(written)))
        raise ValueProblem("value.money_decimals", value=raw, decimals=decimals)
    return Fraction(written)  # at most two decimals: whole cents


def _count(raw: Any) -> int:
    refuse_too_long(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    _refuse_dutch(raw)
    if isinstance(raw, Decimal) and _looks_like_thousands(raw):
        raise ValueProblem("value.count_thousands", value=raw, whole=_without_point(raw))
    raise ValueProblem("value.not_a_count", value=raw)


def parse_value(kind: Kind, raw: Any) -> Any:
    """The exact value of `raw` as written in a file, in the unit `kind`."""
    if kind is Kind.MONEY:
        return _money(raw)
    if kind is Kind.PERCENTAGE:
        if isinstance(raw, str):
            match = _PERCENT_TEXT.match(raw)
            if match is None:
                raise ValueProblem("value.not_a_percentage", value=raw)
            return Fraction(Decimal(match[1].replace(",", "."))) / 100
        return _number(raw) / 100
    if kind is Kind.RATIO:
        return _number(raw)
    if kind is Kind.COUNT:
        return _count(raw)
    if kind is Kind.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueProblem("value.not_a_boolean", value=raw)
        return raw
    if not isinstance(raw, str):
        raise ValueProblem("value.not_text", value=raw, kind=kind)
    try:
        if kind is Kind.DATE:
            return date.fromisoformat(raw)
        if kind is Kind.TERM:
            return dates.parse_term(raw)
        if kind is Kind.DAY_MONTH:
            return dates.parse_day_month(raw)
        if kind is Kind.MONTH:
            return dates.parse_month(raw)
    except ValueError:
        raise ValueProblem(f"value.not_a_{kind.value}", value=raw) from None
    return raw


@lru_cache(maxsize=4096)  # bounded; the letters of an act show the same shares in every annex
def percent_text(value: Fraction, decimals: int = 4, lang: str = "nl") -> str:
    """A ratio as people read a percentage, marked `≈` when it is not exact at `decimals`.

    >>> percent_text(Fraction(1, 20)), percent_text(Fraction(1, 3)), percent_text(Fraction(1, 400))
    ('5 %', '≈ 33,3333 %', '0,25 %')
    """
    scaled = value * 100
    quantum = Fraction(1, 10**decimals)
    sign = -1 if scaled < 0 else 1
    shown = sign * math.floor(abs(scaled) / quantum + Fraction(1, 2)) * quantum
    text = f"{Decimal(shown.numerator) / Decimal(shown.denominator):.{decimals}f}"
    if shown == scaled:  # exact: no trailing zeros ("5 %", "0,25 %")
        text = text.rstrip("0").rstrip(".")
    text = text.replace(".", words.say("number.decimal", lang))
    return f"{'' if shown == scaled else '≈ '}{text} %"


def display(kind: Kind, value: Any, lang: str = "nl") -> str:
    """A value as people read it, in the language of the reader."""
    if value is None:
        return "—"
    if kind is Kind.MONEY:
        return money.dutch(value, lang)
    if kind in (Kind.PERCENTAGE, Kind.RATIO):
        return percent_text(value, lang=lang)
    if kind is Kind.COUNT:
        whole = int(value) if isinstance(value, Fraction) and value.denominator == 1 else value
        return f"{whole:,}".replace(",", words.say("number.thousands", lang))
    if kind is Kind.BOOLEAN:
        return words.say("units.yes" if value else "units.no", lang)
    if kind is Kind.DATE:
        return dates.dutch_date(value, lang)
    if kind is Kind.PERIOD:
        return f"{dates.dutch_date(value.start, lang)} – {dates.dutch_date(value.end, lang)}"
    if kind in (Kind.TERM, Kind.DAY_MONTH):
        return value.dutch()
    if kind is Kind.MONTH:
        return str(words.word("dates.months", lang)[value - 1])
    return str(value)
