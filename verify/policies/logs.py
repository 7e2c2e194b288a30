"""Exact linear forms in logarithms of rationals, decided exactly (MODEL.md §7, last item).

A :class:`LogForm` is ``c + Σ_j e_j ln b_j`` with rational ``c``, ``e_j`` and integers
``b_j >= 2`` (natural logarithms). Divergences and entropies of rational distributions are such
forms. Deciding a comparison means deciding the sign of a form:

* **zero test**: rewrite the form over a *coprime basis* of its integers (pairwise coprime, so
  multiplicatively independent by unique factorisation); then ``Σ e_j ln b_j = 0`` iff every
  exponent is 0 (i.e. the product of rational powers ``Π b_j^{e_j}`` is 1). A form with a
  nonzero rational constant and a nonzero log part is never zero (Lindemann–Weierstrass:
  ``e^c`` is transcendental for rational ``c ≠ 0``, while ``Π b_j^{e_j}`` is algebraic).
* **sign**: interval arithmetic. ``decimal``'s ``ln`` is correctly rounded; each ``ln b`` is
  taken as an interval of ±1 unit in the last place at precision ``p`` and the form's interval
  is summed exactly in rationals. ``p`` grows (20, 40, 80, ...) until the interval excludes 0
  or :data:`PRECISION_CAP` digits are reached: then the answer is *undecided* (UNKNOWN).

Only the standard library is used; nothing here is a float.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Iterable

PRECISION_CAP = 1280      # decimal digits; beyond this a comparison is reported undecided


class Undecided(Exception):
    """The sign of a nonzero form was not settled at the precision cap."""


@dataclass(frozen=True)
class LogForm:
    """``const + Σ coeffs[b] · ln b`` (b integers >= 2). Immutable; build with the helpers."""

    const: Fraction = Fraction(0)
    coeffs: tuple[tuple[int, Fraction], ...] = field(default=())

    # -- construction -------------------------------------------------------------------
    @staticmethod
    def of(const: Fraction | int = 0, terms: dict[int, Fraction] | None = None) -> "LogForm":
        items = tuple(sorted((b, c if isinstance(c, Fraction) else Fraction(c))
                             for b, c in (terms or {}).items() if c != 0 and b != 1))
        for b, _ in items:
            if b < 2:
                raise ValueError(f"log base {b} is not an integer >= 2")
        return LogForm(Fraction(const), items)

    @staticmethod
    def ln(q: Fraction | int, coeff: Fraction | int = 1) -> "LogForm":
        """``coeff · ln q`` for a positive rational q."""
        q = Fraction(q)
        if q <= 0:
            raise ValueError(f"ln of a non-positive number {q}")
        terms: dict[int, Fraction] = {}
        if q.numerator != 1:
            terms[q.numerator] = Fraction(coeff)
        if q.denominator != 1:
            terms[q.denominator] = terms.get(q.denominator, Fraction(0)) - Fraction(coeff)
        return LogForm.of(0, terms)

    @staticmethod
    def combination(pairs: Iterable[tuple[Fraction, "LogForm"]]) -> "LogForm":
        """``Σ c_k · form_k`` in one pass."""
        const = Fraction(0)
        terms: dict[int, Fraction] = {}
        for c, form in pairs:
            if not c:
                continue
            const += c * form.const
            for b, e in form.coeffs:
                terms[b] = terms.get(b, 0) + c * e
        return LogForm.of(const, terms)

    def terms(self) -> dict[int, Fraction]:
        return dict(self.coeffs)

    def __add__(self, other: "LogForm | Fraction | int") -> "LogForm":
        if not isinstance(other, LogForm):
            return LogForm(self.const + Fraction(other), self.coeffs)
        t = self.terms()
        for b, c in other.coeffs:
            t[b] = t.get(b, Fraction(0)) + c
        return LogForm.of(self.const + other.const, t)

    __radd__ = __add__

    def __neg__(self) -> "LogForm":
        return LogForm(-self.const, tuple((b, -c) for b, c in self.coeffs))

    def __sub__(self, other: "LogForm | Fraction | int") -> "LogForm":
        return self + (-other if isinstance(other, LogForm) else -Fraction(other))

    def scale(self, k: Fraction | int) -> "LogForm":
        k = Fraction(k)
        if k == 0:
            return LogForm()
        return LogForm(self.const * k, tuple((b, c * k) for b, c in self.coeffs))

    # -- exact questions ----------------------------------------------------------------
    def canonical(self) -> "LogForm":
        """The same number over a coprime basis of its integers (unique for a given value)."""
        if not self.coeffs:
            return self
        basis = coprime_basis(b for b, _ in self.coeffs)
        t: dict[int, Fraction] = {}
        for b, c in self.coeffs:
            for base, k in factor_over(b, basis):
                t[base] = t.get(base, Fraction(0)) + c * k
        return LogForm.of(self.const, t)

    def is_zero(self) -> bool:
        """Exact: zero iff the constant is 0 and every exponent over a coprime basis is 0."""
        if self.const != 0 and self.coeffs:
            # may still be zero only if the log part vanishes, which then leaves const != 0
            return False
        return self.const == 0 and not self.canonical().coeffs

    def interval(self, digits: int) -> tuple[Fraction, Fraction]:
        """Rational lower and upper bounds, from ``ln`` at ``digits`` significant digits."""
        lo = hi = self.const
        for b, c in self.coeffs:
            value, err = ln_enclosure(b, digits)
            a, z = c * (value - err), c * (value + err)
            lo += min(a, z)
            hi += max(a, z)
        return lo, hi

    def sign(self, cap: int = PRECISION_CAP) -> int:
        """-1, 0 or 1, decided exactly; raises :class:`Undecided` past ``cap`` digits."""
        if not self.coeffs:
            return (self.const > 0) - (self.const < 0)
        digits = 20
        zero_tested = False
        while digits <= cap:
            lo, hi = self.interval(digits)
            if lo > 0:
                return 1
            if hi < 0:
                return -1
            if not zero_tested:
                if self.is_zero():
                    return 0
                zero_tested = True
            digits *= 2
        raise Undecided(f"sign of {self} not decided at {cap} digits")

    def approx(self, digits: int = 12) -> str:
        """A decimal approximation for people (midpoint of the interval at 30 digits)."""
        lo, hi = self.interval(max(30, digits + 10))
        mid = (lo + hi) / 2
        with decimal.localcontext() as ctx:
            ctx.prec = digits
            return str(+(decimal.Decimal(mid.numerator) / decimal.Decimal(mid.denominator)))

    def __str__(self) -> str:
        form = self.canonical()
        parts = []
        if form.const != 0 or not form.coeffs:
            parts.append(str(form.const))
        for b, c in form.coeffs:
            mag = abs(c)
            coeff = "" if mag == 1 else f"{mag}·"
            sign = "-" if c < 0 else "+"
            parts.append(f"{sign} {coeff}ln {b}")
        text = " ".join(parts)
        if text.startswith("+ "):
            text = text[2:]
        elif text.startswith("- "):
            text = "-" + text[2:]
        return text


ZERO = LogForm()


def compare(a: LogForm, b: LogForm, cap: int = PRECISION_CAP) -> int:
    """sign(a - b), exactly (raises :class:`Undecided` past the cap)."""
    return (a - b).sign(cap)


# -- logarithms with error bounds ------------------------------------------------------------

_LN_CACHE: dict[tuple[int, int], tuple[Fraction, Fraction]] = {}


def ln_enclosure(b: int, digits: int) -> tuple[Fraction, Fraction]:
    """``(v, e)`` with ``|ln b - v| <= e``: v is ``decimal``'s correctly rounded ``ln`` at
    ``digits`` significant digits, e one unit in its last place (twice the rounding error)."""
    key = (b, digits)
    hit = _LN_CACHE.get(key)
    if hit is None:
        with decimal.localcontext() as ctx:
            ctx.prec = digits
            ctx.rounding = decimal.ROUND_HALF_EVEN
            v = decimal.Decimal(b).ln()
        exponent = v.adjusted() - digits + 1     # the place value of the last digit
        hit = (Fraction(v), Fraction(10) ** exponent)
        _LN_CACHE[key] = hit
    return hit


# -- coprime (gcd-free) bases ---------------------------------------------------------------

_SMALL_PRIMES = [p for p in range(2, 1000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def _root(n: int) -> int:
    """The least r with n = r^k (so 9 reads as 3, 8 as 2); very large n are left as they are."""
    if n.bit_length() > 900:
        return n
    for k in range(n.bit_length(), 1, -1):
        r = round(n ** (1.0 / k))
        for c in (r - 1, r, r + 1):
            if c > 1 and c ** k == n:
                return _root(c)
    return n


def coprime_basis(numbers: Iterable[int]) -> list[int]:
    """Pairwise coprime integers >= 2 such that each given number is a product of their powers
    (primes below 1000 are split off first, and perfect powers reduced, so forms read well)."""
    basis: list[int] = []
    todo = []
    for n in numbers:
        for p in _SMALL_PRIMES:
            if n % p == 0:
                basis.append(p)
                while n % p == 0:
                    n //= p
        if n > 1:
            todo.append(_root(n))
    basis = sorted(set(basis))
    while todo:
        n = todo.pop()
        if n == 1:
            continue
        for k, b in enumerate(basis):
            g = gcd(n, b)
            if g == 1:
                continue
            # split b and n into coprime pieces and start over with the pieces
            basis.pop(k)
            todo.extend(x for x in (g, b // g, n // g) if x > 1)
            break
        else:
            basis.append(n)
    return sorted(set(basis))


def factor_over(n: int, basis: list[int]) -> list[tuple[int, int]]:
    """``n`` as ``[(base, exponent), ...]`` over a coprime basis (raises if it is not a product)."""
    out = []
    for b in basis:
        k = 0
        while n % b == 0:
            n //= b
            k += 1
        if k:
            out.append((b, k))
    if n != 1:
        raise ValueError("number is not a product of the basis")
    return out


# -- parsing bounds written in specs ---------------------------------------------------------

def parse_form(text: str) -> LogForm:
    """A form written as a sum of terms ``r``, ``r*ln q``, ``ln q``, ``r ln(q)`` (r, q rationals),
    e.g. ``"ln 2"``, ``"1/2 * ln 3 - 1/10"``. Raises ValueError with the reason."""
    s = text.replace("−", "-").replace("·", "*").strip()
    if not s:
        raise ValueError("empty expression")
    tokens, i = [], 0
    # split into signed terms at top-level + and - (not inside parentheses, not in exponents)
    depth, start = 0, 0
    for i, ch in enumerate(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > start and s[start:i].strip():
            tokens.append(s[start:i])
            start = i
    tokens.append(s[start:])
    total = LogForm()
    for raw in tokens:
        term = raw.strip()
        neg = term.startswith("-")
        term = term.lstrip("+-").strip()
        if "ln" in term:
            coeff_text, _, arg = term.partition("ln")
            coeff_text = coeff_text.strip().rstrip("*").strip()
            arg = arg.strip()
            if arg.startswith("(") and arg.endswith(")"):
                arg = arg[1:-1]
            coeff = Fraction(coeff_text) if coeff_text else Fraction(1)
            value = Fraction(arg.strip())
            if value <= 0:
                raise ValueError(f"ln of a non-positive number in '{raw.strip()}'")
            piece = LogForm.ln(value, coeff)
        else:
            piece = LogForm.of(Fraction(term))
        total = total + (-piece if neg else piece)
    return total
