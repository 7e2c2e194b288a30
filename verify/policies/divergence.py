"""Exact divergences between rational distributions, and the Li–Cai quantities (MODEL.md §7).

* total variation ``TV(p, q) = ½ Σ |p(x) - q(x)|``, a rational;
* ``KL(p ‖ q) = Σ_{p(x)>0} p(x) ln(p(x)/q(x))``, a :class:`~verify.policies.logs.LogForm`, or
  :data:`INFINITE` when ``q(x) = 0 < p(x)`` for some x;
* entropies ``H(X_A)`` and ``I(X_i ; X_{-i}) = H(X_i) + H(X_{-i}) - H(X)`` as forms (nats);
* Li & Cai's random-order sampler with the ideal denoiser: for a fixed mask sequence
  ``S_1..S_T`` the output is ``p_M(x) = Π_t Π_{i∈S_t} p(x_i | x_{A_t})``, ``A_t`` the positions
  revealed before step t, so (chain rule) ``KL(p ‖ p_M) = -H(X) + Σ_t Σ_{i∈S_t} H(X_i | X_{A_t})``;
  :func:`expected_kl_entropy` averages it over the uniformly random mask sequences of a schedule,
  :func:`expected_kl_propagate` computes every ``p_M`` with the policy semantics instead (the
  independent second method), and :func:`li_cai_bound` is
  ``(2^⌈log2 s_max⌉ − 1)/L · Σ_i I(X_i ; X_{−i})`` (ε_train = 0 for the ideal denoiser).
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from functools import lru_cache
from math import factorial
from typing import Iterator, Mapping, Sequence

from .denoiser import IdealDenoiser
from .logs import LogForm
from .policy import Policy
from .semantics import output_distribution
from .targets import State, Target

INFINITE = "infinite"


def total_variation(p: Mapping[State, Fraction], q: Mapping[State, Fraction]) -> Fraction:
    keys = set(p) | set(q)
    return sum((abs(p.get(x, Fraction(0)) - q.get(x, Fraction(0))) for x in keys), Fraction(0)) / 2


def kl(p: Mapping[State, Fraction], q: Mapping[State, Fraction]) -> LogForm | str:
    terms: dict[int, Fraction] = {}
    for x, px in p.items():
        if px == 0:
            continue
        qx = q.get(x, Fraction(0))
        if qx == 0:
            return INFINITE
        r = px / qx
        for b, sign in ((r.numerator, 1), (r.denominator, -1)):
            if b > 1:
                terms[b] = terms.get(b, Fraction(0)) + sign * px
    return LogForm.of(0, terms)


def entropy(dist: Mapping[State, Fraction]) -> LogForm:
    """``H = -Σ p ln p`` in nats."""
    terms: dict[int, Fraction] = {}
    for px in dist.values():
        if px:
            for b, sign in ((px.numerator, -1), (px.denominator, 1)):
                if b > 1:
                    terms[b] = terms.get(b, Fraction(0)) + sign * px
    return LogForm.of(0, terms)


def subset_entropies(target: Target) -> dict[frozenset[int], LogForm]:
    """``H(X_A)`` for every subset A of the positions (H of the empty set is 0)."""
    out = {}
    for r in range(target.length + 1):
        for a in itertools.combinations(range(target.length), r):
            out[frozenset(a)] = entropy(target.marginal(a)) if a else LogForm()
    return out


def mutual_information_sum(target: Target, h: dict[frozenset[int], LogForm] | None = None) -> LogForm:
    """``Σ_i I(X_i ; X_{-i})``."""
    h = h or subset_entropies(target)
    everything = frozenset(range(target.length))
    total = LogForm()
    for i in range(target.length):
        total = total + h[frozenset([i])] + h[everything - {i}] - h[everything]
    return total


def li_cai_factor(schedule: Sequence[int], length: int) -> Fraction:
    """``(2^⌈log2 s_max⌉ − 1) / L``."""
    s_max = max(schedule)
    return Fraction(2 ** (s_max - 1).bit_length() - 1, length)


def li_cai_bound(target: Target, schedule: Sequence[int], h=None, mi: LogForm | None = None) -> LogForm:
    """The bound; ``mi`` = :func:`mutual_information_sum` when already computed."""
    mi = mi if mi is not None else mutual_information_sum(target, h)
    return mi.scale(li_cai_factor(schedule, target.length))


def mask_sequences(length: int, schedule: Sequence[int]) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Every ordered partition ``S_1..S_T`` of the positions with ``|S_t| = s_t``."""
    def rest(remaining: tuple[int, ...], t: int):
        if t == len(schedule):
            yield ()
            return
        for s in itertools.combinations(remaining, schedule[t]):
            left = tuple(i for i in remaining if i not in s)
            for tail in rest(left, t + 1):
                yield (s,) + tail
    yield from rest(tuple(range(length)), 0)


def count_mask_sequences(length: int, schedule: Sequence[int]) -> int:
    n = factorial(length)
    for s in schedule:
        n //= factorial(s)
    return n


@lru_cache(maxsize=None)
def entropy_coefficients(length: int, schedule: tuple[int, ...]) -> tuple[tuple[frozenset[int], Fraction], ...]:
    """``c_A`` with ``E_M KL(p ‖ p_M) = Σ_A c_A H(X_A)`` for every target of this length: the
    average over mask sequences of ``-H(X) + Σ_t Σ_{i∈S_t} (H(X_{A_t ∪ i}) - H(X_{A_t}))``."""
    coeff: dict[frozenset[int], Fraction] = {frozenset(range(length)): Fraction(-1)}
    w = Fraction(1, count_mask_sequences(length, schedule))
    for seq in mask_sequences(length, schedule):
        before: frozenset[int] = frozenset()
        for s in seq:
            for i in s:
                coeff[before | {i}] = coeff.get(before | {i}, Fraction(0)) + w
                coeff[before] = coeff.get(before, Fraction(0)) - w
            before = before | set(s)
    return tuple((a, c) for a, c in coeff.items() if c and a)


def expected_kl_entropy(target: Target, schedule: Sequence[int], h=None) -> LogForm:
    """``E_M KL(p ‖ p_M)`` by the chain rule over subset entropies (ideal denoiser)."""
    h = h or subset_entropies(target)
    return LogForm.combination((c, h[a]) for a, c in entropy_coefficients(target.length, tuple(schedule)))


def expected_kl_propagate(target: Target, schedule: Sequence[int], undefined: str = "marginal") -> LogForm:
    """``E_M KL(p ‖ p_M)`` with every ``p_M`` computed by the policy semantics (fixed sets)."""
    den = IdealDenoiser(target, undefined)
    total = LogForm()
    n = 0
    for seq in mask_sequences(target.length, schedule):
        pol = Policy("random-order", target.length, tuple(schedule), order="sets", sets=seq)
        d = kl(target.probs, output_distribution(pol, den).dist)
        if d == INFINITE:   # impossible for the ideal denoiser; kept honest
            raise ValueError(f"KL is infinite for the mask sequence {seq}")
        total = total + d
        n += 1
    return total.scale(Fraction(1, n))


def compositions(length: int, parts: int | None = None) -> list[tuple[int, ...]]:
    """Every composition of ``length`` (into ``parts`` positive parts, or any number)."""
    out = []
    for k in range(1, length + 1):
        if parts is not None and k != parts:
            continue
        for cuts in itertools.combinations(range(1, length), k - 1):
            bounds = (0,) + cuts + (length,)
            out.append(tuple(b - a for a, b in zip(bounds, bounds[1:])))
    return out


def most_off(p: Mapping[State, Fraction], q: Mapping[State, Fraction]) -> tuple[State, Fraction, Fraction]:
    """The outcome with the largest ``|q(x) - p(x)|`` (ties: the smallest outcome)."""
    keys = sorted(set(p) | set(q))
    x = max(keys, key=lambda k: (abs(q.get(k, Fraction(0)) - p.get(k, Fraction(0))), [-v for v in k]))
    return x, p.get(x, Fraction(0)), q.get(x, Fraction(0))
