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

from dataclasses import dataclass, field
from fractions import Fraction

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
        self._support = list(self.target.support().items())
        self._fallback = self._marginals() if self.undefined == "marginal" else \
            tuple(tuple(Fraction(1, self.vocab_size) for _ in range(self.vocab_size))
                  for _ in range(self.target.length))

    def _marginals(self) -> tuple[tuple[Fraction, ...], ...]:
        counts = [[Fraction(0)] * self.vocab_size for _ in range(self.target.length)]
        for y, p in self._support:
            for i, v in enumerate(y):
                counts[i][v] += p
        return tuple(tuple(c) for c in counts)

    def conditionals(self, x: State) -> Conditionals:
        hit = self._cache.get(x)
        if hit is not None:
            return hit
        visible = [(i, v) for i, v in enumerate(x) if v != MASK]
        counts = [[Fraction(0)] * self.vocab_size for _ in range(self.target.length)]
        total = Fraction(0)
        for y, p in self._support:
            if all(y[i] == v for i, v in visible):
                total += p
                for i, v in enumerate(y):
                    counts[i][v] += p
        if total == 0:
            out = Conditionals(self._fallback, True)
        else:
            out = Conditionals(tuple(tuple(c / total for c in row) for row in counts), False)
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
