"""Money: exact euros while computing, whole cents when settled; the one place that rounds.

Amounts are `Fraction`s of euros. An amount is *settled* when it is a whole number of cents.
Two roundings exist, both named and explained in DOMAIN.md:

- `round_half_up`: one amount to cents, half away from zero:
  round(q) = sgn(q) × floor(|q| × 100 + ½) / 100.
- `largest_remainder`: an amount distributed over a key so that the parts add up to the amount
  to the cent: floor every exact share of |amount|, give the cents left over one each to the
  largest fractional remainders (ties to the party that comes first), then re-apply the sign.
  Working on |amount| makes the method sign-symmetric: distributing −A gives exactly the
  negated parts of A.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from convenant import words

HALF_UP = "half_up"
LARGEST_REMAINDER = "largest_remainder"


def is_whole_cents(amount: Fraction) -> bool:
    """True when the amount is settled: a whole number of cents.

    >>> is_whole_cents(Fraction('12.34')), is_whole_cents(Fraction(1, 3))
    (True, False)
    """
    return (amount * 100).denominator == 1


def to_cents(amount: Fraction) -> int:
    """Whole cents of a settled amount; refuses an amount with a fraction of a cent.

    >>> to_cents(Fraction('-1234.5'))
    -123450
    """
    cents = amount * 100
    if cents.denominator != 1:
        raise ValueError(f"{amount} is not a whole number of cents")
    return cents.numerator


def round_half_up(amount: Fraction) -> Fraction:
    """Round to whole cents, half away from zero.

    >>> [plain(round_half_up(Fraction(x))) for x in ('0.005', '-0.005', '0.0049', '2.675', '-2.665')]
    ['0.01', '-0.01', '0.00', '2.68', '-2.67']
    """
    sign = -1 if amount < 0 else 1
    return sign * Fraction(math.floor(abs(amount) * 100 + Fraction(1, 2)), 100)


@dataclass(frozen=True)
class Part:
    """One party's part of a distribution, with the steps that produced it (in cents)."""

    exact: Fraction  # |amount| × key share, in cents, unrounded
    floor: int  # floor(exact)
    remainder: Fraction  # exact − floor
    extra: int  # 1 if a left-over cent went to this party
    cents: int  # the signed part: sign × (floor + extra)


def largest_remainder(total_cents: int, key: Sequence[Fraction]) -> list[Part]:
    """Distribute `total_cents` over `key` (shares that total exactly 1), in key order.

    Ties between equal remainders go to the earlier position: the caller passes the key in
    the rule file's party order.

    >>> [p.cents for p in largest_remainder(100, [Fraction(1, 3)] * 3)]
    [34, 33, 33]
    >>> [p.cents for p in largest_remainder(-100, [Fraction(1, 3)] * 3)]
    [-34, -33, -33]
    """
    if sum(key, Fraction(0)) != 1:
        raise ValueError("key does not total exactly 1")
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    exact = [magnitude * share for share in key]
    floors = [math.floor(x) for x in exact]
    left_over = magnitude - sum(floors)
    by_remainder = sorted(range(len(key)), key=lambda i: (-(exact[i] - floors[i]), i))
    lucky = set(by_remainder[:left_over])
    return [
        Part(exact[i], floors[i], exact[i] - floors[i], int(i in lucky), sign * (floors[i] + int(i in lucky)))
        for i in range(len(key))
    ]


def euros(value: int | Decimal | str | Fraction) -> Fraction:
    """An exact amount from what a file holds: 1234, Decimal('1234.5') or '1234.50'.

    >>> euros('1234.50'), euros(Decimal('-0.01'))
    (Fraction(2469, 2), Fraction(-1, 100))
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, str):
        value = Decimal(value.strip())
    return Fraction(value)


def plain(amount: Fraction) -> str:
    """A settled amount as machines read it: euros with two decimals and a minus sign.

    >>> plain(Fraction('-1234.5')), plain(Fraction(0))
    ('-1234.50', '0.00')
    """
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def dutch(amount: Fraction, lang: str = "nl") -> str:
    """A settled amount as people read it: `€ 1.234,50` (Babel's pattern; after our own rounding).

    Babel separates the sign and the amount with a no-break space, so a line never breaks there.

    >>> [dutch(Fraction(x)).replace("\xa0", " ") for x in ("1234.5", "-0.01")]
    ['€ 1.234,50', '€ -0,01']
    """
    return _formatted(plain(amount), words.say("money.locale", lang))


# Babel's euro pattern of the locales of the catalogue (money.locale), written out: importing Babel
# and reading its locale data took 0.06 s of every command that shows an amount. Another locale is
# formatted by Babel itself; tests/test_money.py compares these with Babel's own.
_PATTERNS = {  # locale → (group separator, decimal separator, pattern)
    "nl_NL": (".", ",", "€\xa0{sign}{number}"),
    "en_GB": (",", ".", "{sign}€{number}"),
}


@lru_cache(maxsize=4096)  # bounded; a letter or a template check says the same amounts many times
def _formatted(plain_amount: str, locale: str) -> str:
    known = _PATTERNS.get(locale)
    if known is None:
        return babel_formatted(plain_amount, locale)
    group, point, pattern = known
    sign = "-" if plain_amount.startswith("-") else ""
    whole, cents = plain_amount.removeprefix("-").split(".")
    number = f"{int(whole):,}".replace(",", group) + point + cents
    return pattern.format(sign=sign, number=number)


def babel_formatted(plain_amount: str, locale: str) -> str:
    """A plain amount (`plain`) in euros as Babel formats it for `locale`."""
    from babel.numbers import format_currency

    return format_currency(Decimal(plain_amount), "EUR", locale=locale)
