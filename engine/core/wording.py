"""Words and numbers for explanations and letters: values as people read them (Dutch money,
dates, percentages; exact amounts that are not yet whole cents), and the fixed phrases of the
shared templates (`WORDS[lang]`, passed to templates as `t`), read from the one catalogue in
engine/words.

The rounding phrases follow DOMAIN.md: one amount is rounded half away from zero; a distribution
uses the largest-remainder method on whole cents with ties to the party that comes first.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from convenant import words
from convenant.core import money
from convenant.core.units import Kind, display

EXACT_DECIMALS = 6  # an amount with a fraction of a cent is shown with at most this many decimals


def _grouped(whole: int, sep: str) -> str:
    """Digits grouped by thousands.

    >>> _grouped(1234567, ".")
    '1.234.567'
    """
    return f"{whole:,}".replace(",", sep)


def exact_number(value: Fraction, lang: str = "nl", minimum: int = 0, decimals: int = EXACT_DECIMALS) -> str:
    """A number with its exact decimals (at least `minimum`), or `≈` and `decimals` decimals.

    >>> exact_number(Fraction("13097810.4387")), exact_number(Fraction(2, 3)), exact_number(Fraction(7))
    ('13.097.810,4387', '≈ 0,666667', '7')
    """
    thousands, decimal = words.say("number.thousands", lang), words.say("number.decimal", lang)
    scale = 10**decimals
    finite = (value * scale).denominator == 1
    whole, rest = divmod(math.floor(abs(value) * scale + Fraction(1, 2)), scale)
    digits = f"{rest:0{decimals}d}"
    if finite:
        digits = digits.rstrip("0").ljust(minimum, "0")
    sign = "-" if value < 0 else ""
    text = f"{sign}{_grouped(whole, thousands)}{decimal + digits if digits else ''}"
    return text if finite else f"≈ {text}"


def exact_money(amount: Fraction, lang: str = "nl") -> str:
    """An amount as people read it; one with a fraction of a cent keeps its exact decimals
    (or `≈` and six decimals when it has no finite decimal form).

    >>> [exact_money(Fraction(x)).replace("\\xa0", " ") for x in ("1234.5", "314170.8525", "-0.125")]
    ['€ 1.234,50', '€ 314.170,8525', '€ -0,125']
    >>> exact_money(Fraction(1, 3)).replace("\\xa0", " ")
    '≈ € 0,333333'
    """
    if money.is_whole_cents(amount):
        return money.dutch(amount, lang)
    text = exact_number(amount, lang, minimum=2)
    return f"≈ €\xa0{text[2:]}" if text.startswith("≈") else f"€\xa0{text}"


def show(kind: Kind, value: Any, lang: str = "nl") -> str:
    """A value of any kind as people read it; money need not be whole cents."""
    if kind is Kind.MONEY and value is not None:
        return exact_money(Fraction(value), lang)
    if kind is Kind.COUNT and isinstance(value, Fraction):  # a total or a share of counts
        return exact_number(value, lang)
    return display(kind, value, lang)


def signed_in_formula(kind: Kind, value: Any, lang: str = "nl") -> str:
    """A value inside a formula: a negative number in brackets, so that `a + (€ -5,00)` reads well."""
    text = show(kind, value, lang)
    negative = isinstance(value, int | Fraction) and not isinstance(value, bool) and value < 0
    return f"({text})" if negative else text


# The fixed phrases of explanations and letters, in the one catalogue (engine/words/explanations.yaml);
# passed to the templates as `t`.
WORDS = words.Languages("explanations")
