"""Target distributions and their exact comparison (MODEL.md §4 item 6).

Outcomes are strings over ``0``, ``1`` and ``M`` (a token still masked), probabilities are
:class:`fractions.Fraction`.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Mapping

Distribution = dict[str, Fraction]


def parity(n: int, odd: bool = False) -> Distribution:
    """``D⊕n``: uniform over the strings of length n with even (or odd) parity."""
    strings = ["".join(bits) for bits in product("01", repeat=n) if bits.count("1") % 2 == int(odd)]
    if not strings:
        return {}
    p = Fraction(1, len(strings))
    return {s: p for s in strings}


def uniform(n: int) -> Distribution:
    p = Fraction(1, 2 ** n)
    return {"".join(bits): p for bits in product("01", repeat=n)}


TARGETS = {
    "parity-even": lambda n: parity(n, odd=False),
    "parity-odd": lambda n: parity(n, odd=True),
    "uniform": uniform,
}


def first_difference(actual: Mapping[str, Fraction], target: Mapping[str, Fraction]):
    """The first outcome (in sorted order) whose probabilities differ, with both; or None."""
    for outcome in sorted(set(actual) | set(target)):
        a = actual.get(outcome, Fraction(0))
        t = target.get(outcome, Fraction(0))
        if a != t:
            return outcome, a, t
    return None
