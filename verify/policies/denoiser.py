"""Denoisers: per-position distributions ``q_i(· | x)`` over the vocabulary (MODEL.md §7).

* :class:`IdealDenoiser` of a target ``p``: ``q_i(v | x) = P_p(X_i = v | X_S = x_S)`` with
  ``S`` the visible positions of ``x``. When ``P_p(X_S = x_S) = 0`` the conditional is
  undefined and ``undefined`` decides (**Convention**, MODEL.md §7): ``"marginal"`` (default,
  the unconditional marginal of ``X_i``) or ``"uniform"``; the result is flagged so the
  semantics can report the probability mass of runs that reached such a state.
* :class:`MixedDenoiser`: ``(1 - w) · q + w · q'`` (a model of training error).

A denoiser answers for every position: for a position that is visible in ``x`` it answers for
``x`` with that position hidden (what a corrector asks for).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

from .targets import MASK, PolicyModelError, State, Target

UNDEFINED = ("marginal", "uniform")


@dataclass(frozen=True)
class Conditionals:
    """``probs[i]`` = the distribution ``q_i(· | x)`` as a tuple of V fractions, for every
    position; ``undefined`` is true when some answer used the undefined-context convention."""

    probs: tuple[tuple[Fraction, ...], ...]
    undefined: bool


class Denoiser:
    vocab_size: int
    description: str = ""

    def conditionals(self, x: State) -> Conditionals:      # pragma: no cover - interface
        raise NotImplementedError

    def q(self, i: int, x: State) -> tuple[tuple[Fraction, ...], bool]:
        """``q_i(· | x)`` (with position i hidden if it is visible) and the undefined flag."""
        if x[i] != MASK:
            x = x[:i] + (MASK,) + x[i + 1:]
            c = self.conditionals(x)
            return c.probs[i], c.undefined
        c = self.conditionals(x)
        return c.probs[i], c.undefined


@dataclass
class IdealDenoiser(Denoiser):
    target: Target
    undefined: str = "marginal"
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.undefined not in UNDEFINED:
            raise PolicyModelError(f"expected one of {', '.join(UNDEFINED)}", "undefined_context")
        self.vocab_size = self.target.size
        self.description = f"ideal denoiser of {self.target.name} (undefined contexts: {self.undefined})"
        support = self.target.support()
        # integer weights p(y)·D (D the common denominator): the counting below is in integers
        denom = 1
        for p in support.values():
            denom = lcm(denom, p.denominator)
        self._weights = [(y, int(p * denom)) for y, p in support.items()]
        self._by_outcome = dict(self._weights)
        empty = tuple([MASK] * self.target.length)
        self._fallback = (self.conditionals(empty).probs if self.undefined == "marginal" else
                          tuple(tuple(Fraction(1, self.vocab_size) for _ in range(self.vocab_size))
                                for _ in range(self.target.length)))

    def conditionals(self, x: State) -> Conditionals:
        """For a visible position the answer is the point mass on its token (callers ask
        about masked positions; :meth:`Denoiser.q` hides a visible one first)."""
        hit = self._cache.get(x)
        if hit is not None:
            return hit
        visible = [(i, v) for i, v in enumerate(x) if v != MASK]
        masked = [i for i, v in enumerate(x) if v == MASK]
        counts = {i: [0] * self.vocab_size for i in masked}
        total = 0
        if self.vocab_size ** len(masked) < len(self._weights):
            # few masked positions: enumerate their completions and look them up
            for fill in itertools.product(range(self.vocab_size), repeat=len(masked)):
                y = list(x)
                for i, v in zip(masked, fill):
                    y[i] = v
                w = self._by_outcome.get(tuple(y), 0)
                if w:
                    total += w
                    for i, v in zip(masked, fill):
                        counts[i][v] += w
        else:
            for y, w in self._weights:
                if all(y[i] == v for i, v in visible):
                    total += w
                    for i in masked:
                        counts[i][y[i]] += w
        if total == 0:
            out = Conditionals(self._fallback, True)
        else:
            probs = []
            for i, v in enumerate(x):
                if v == MASK:
                    probs.append(tuple(Fraction(c, total) for c in counts[i]))
                else:
                    probs.append(tuple(Fraction(int(k == v)) for k in range(self.vocab_size)))
            out = Conditionals(tuple(probs), False)
        self._cache[x] = out
        return out


@dataclass
class MixedDenoiser(Denoiser):
    base: Denoiser
    other: Denoiser
    weight: Fraction
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not 0 <= self.weight <= 1:
            raise PolicyModelError(f"weight must be in [0, 1], got {self.weight}", "weight")
        if self.base.vocab_size != self.other.vocab_size:
            raise PolicyModelError("mixed denoisers need the same vocabulary", "with")
        self.vocab_size = self.base.vocab_size
        self.description = f"(1 - {self.weight})·[{self.base.description}] + {self.weight}·[{self.other.description}]"

    def conditionals(self, x: State) -> Conditionals:
        hit = self._cache.get(x)
        if hit is not None:
            return hit
        a, b = self.base.conditionals(x), self.other.conditionals(x)
        w = self.weight
        probs = tuple(tuple((1 - w) * p + w * r for p, r in zip(ra, rb)) for ra, rb in zip(a.probs, b.probs))
        out = Conditionals(probs, a.undefined or b.undefined)
        self._cache[x] = out
        return out
