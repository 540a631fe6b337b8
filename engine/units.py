"""Kinds of values (money, percentage, count, date, …) and how files write them.

Every parameter and fact declares its unit; this module reads a written value exactly in that
unit and says in words what is wrong when it cannot. Percentages may be written as a number in
percent (`5`, `0.25`) or as Dutch text (`"0,25 %"`); both become the exact ratio 1/400.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from convenant import dates, money
from convenant.diagnostics import Fault


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


UNIT_NAMES = {
    "nl": {
        Kind.MONEY: "geldbedrag",
        Kind.PERCENTAGE: "percentage",
        Kind.RATIO: "verhoudingsgetal",
        Kind.COUNT: "aantal",
        Kind.BOOLEAN: "ja/nee",
        Kind.DATE: "datum",
        Kind.TEXT: "tekst",
        Kind.TERM: "termijn",
        Kind.DAY_MONTH: "dag en maand",
        Kind.MONTH: "maand",
        Kind.OUTCOME: "uitkomst",
        Kind.PERIOD: "periode",
    },
    "en": {
        Kind.MONEY: "amount of money",
        Kind.PERCENTAGE: "percentage",
        Kind.RATIO: "ratio",
        Kind.COUNT: "count",
        Kind.BOOLEAN: "yes/no",
        Kind.DATE: "date",
        Kind.TEXT: "text",
        Kind.TERM: "term",
        Kind.DAY_MONTH: "day and month",
        Kind.MONTH: "month",
        Kind.OUTCOME: "outcome",
        Kind.PERIOD: "period",
    },
}

_PERCENT_TEXT = re.compile(r"^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*%\s*$")
_PLAIN_DECIMAL = re.compile(r"^\s*-?[0-9]+(?:\.[0-9]+)?\s*$")


class ValueProblem(Fault):
    """A written value that does not fit its unit; `code` names the message."""


def _number(raw: Any) -> Fraction:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise ValueProblem("value.not_a_number", value=raw)
    if isinstance(raw, str):
        if not _PLAIN_DECIMAL.match(raw):
            raise ValueProblem("value.not_a_number", value=raw)
        raw = Decimal(raw.strip())
    return Fraction(raw)


def parse_value(kind: Kind, raw: Any) -> Any:
    """The exact value of `raw` as written in a file, in the unit `kind`."""
    if kind is Kind.MONEY:
        amount = _number(raw)
        if not money.is_whole_cents(amount):
            raise ValueProblem("value.money_cents", value=raw)
        return amount
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
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueProblem("value.not_a_count", value=raw)
        return raw
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
    if lang != "en":
        text = text.replace(".", ",")
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
        return f"{whole:,}".replace(",", "." if lang != "en" else ",")
    if kind is Kind.BOOLEAN:
        return ("ja" if value else "nee") if lang != "en" else ("yes" if value else "no")
    if kind is Kind.DATE:
        return dates.dutch_date(value, lang)
    if kind is Kind.PERIOD:
        return f"{dates.dutch_date(value.start, lang)} – {dates.dutch_date(value.end, lang)}"
    if kind in (Kind.TERM, Kind.DAY_MONTH):
        return value.dutch()
    if kind is Kind.MONTH:
        return (dates.MONTHS_EN if lang == "en" else dates.MONTHS_NL)[value - 1]
    return str(value)
