"""Targets: rational distributions over ``V^L`` (MODEL.md §7), and their built-in families.

A state is a tuple of token indices ``0..V-1`` with :data:`MASK` (``-1``) for the mask; a
target's outcomes are mask-free states. Probabilities are :class:`fractions.Fraction`.
Every constructor validates its input and raises :class:`PolicyModelError` naming the
parameter, which the spec layer turns into ``file: key '...'`` errors.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

MASK = -1
State = tuple[int, ...]


class PolicyModelError(ValueError):
    """Invalid model data; ``param`` names the offending parameter (a spec key)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Target:
    """A distribution ``p`` over ``V^L`` with named tokens (zero-probability outcomes omitted)."""

    length: int
    vocab: tuple[str, ...]
    probs: Mapping[State, Fraction]
    name: str = "table"

    def __post_init__(self):
        if len(self.vocab) < 2:
            raise PolicyModelError(f"a vocabulary needs at least two tokens, got {list(self.vocab)}", "vocab")
        if len(set(self.vocab)) != len(self.vocab) or "M" in self.vocab:
            raise PolicyModelError("token names must be distinct and not 'M' (the mask)", "vocab")
        for x, p in self.probs.items():
            if len(x) != self.length or any(not 0 <= v < len(self.vocab) for v in x):
                raise PolicyModelError(f"outcome {x} is not a string of {self.length} tokens", "target")
            if p < 0:
                raise PolicyModelError(f"probability of {self.show(x)} is negative ({p})", "target")
        total = sum(self.probs.values(), Fraction(0))
        if total != 1:
            raise PolicyModelError(f"probabilities sum to {total}, not 1", "target")

    @property
    def size(self) -> int:
        return len(self.vocab)

    def support(self) -> dict[State, Fraction]:
        return {x: p for x, p in self.probs.items() if p > 0}

    def show(self, x: Sequence[int]) -> str:
        names = ["M" if v == MASK else self.vocab[v] for v in x]
        sep = "" if all(len(n) == 1 for n in self.vocab) else " "
        return sep.join(names)

    def parse(self, text: str) -> State:
        """An outcome written as the token names (joined, or separated by spaces)."""
        parts = text.split() if " " in text.strip() else list(text.strip())
        if len(parts) != self.length:
            raise PolicyModelError(f"outcome '{text}' does not have {self.length} tokens", "target")
        index = {n: k for k, n in enumerate(self.vocab)}
        try:
            return tuple(index[p] for p in parts)
        except KeyError as e:
            raise PolicyModelError(f"outcome '{text}': unknown token {e}", "target") from None

    def marginal(self, positions: Sequence[int]) -> dict[State, Fraction]:
        """The distribution of ``X_A`` for a set of positions ``A`` (zero entries omitted)."""
        out: dict[State, Fraction] = {}
        for x, p in self.probs.items():
            if p:
                key = tuple(x[i] for i in positions)
                out[key] = out.get(key, Fraction(0)) + p
        return out


def outcomes(length: int, size: int):
    return itertools.product(range(size), repeat=length)


# --- families --------------------------------------------------------------------------------

def _vector(values, size: int, param: str) -> list[Fraction]:
    if not isinstance(values, (list, tuple)) or len(values) != size:
        raise PolicyModelError(f"expected a list of {size} probabilities", param)
    out = [to_fraction(v, param) for v in values]
    if any(v < 0 for v in out):
        raise PolicyModelError(f"probabilities must be >= 0, got {[str(v) for v in out]}", param)
    if sum(out) != 1:
        raise PolicyModelError(f"probabilities sum to {sum(out)}, not 1", param)
    return out


def to_fraction(value, param: str) -> Fraction:
    """A rational from an int, a string ('1/4', '0.25') or a TOML float (read as its decimal)."""
    if isinstance(value, bool):
        raise PolicyModelError(f"expected a probability, got {value!r}", param)
    try:
        if isinstance(value, float):
            return Fraction(repr(value))
        if isinstance(value, (int, str, Fraction)):
            return Fraction(value)
    except (ValueError, ZeroDivisionError):
        pass
    raise PolicyModelError(f"'{value}' is not a rational number (write e.g. \"1/4\")", param)


def parity_even(length: int, vocab: tuple[str, ...]) -> Target:
    """Uniform over strings whose token indices sum to 0 mod V (``D⊕n`` for V = 2)."""
    good = [x for x in outcomes(length, len(vocab)) if sum(x) % len(vocab) == 0]
    return Target(length, vocab, {x: Fraction(1, len(good)) for x in good}, "parity-even")


def uniform(length: int, vocab: tuple[str, ...]) -> Target:
    n = len(vocab) ** length
    return Target(length, vocab, {x: Fraction(1, n) for x in outcomes(length, len(vocab))}, "uniform")


def product(length: int, vocab: tuple[str, ...], marginals) -> Target:
    """Independent positions: one marginal for all positions, or a list of L marginals."""
    size = len(vocab)
    if isinstance(marginals, list) and marginals and isinstance(marginals[0], list):
        if len(marginals) != length:
            raise PolicyModelError(f"expected one marginal or {length} marginals", "marginals")
        ms = [_vector(m, size, "marginals") for m in marginals]
    else:
        ms = [_vector(marginals, size, "marginals")] * length
    probs = {}
    for x in outcomes(length, size):
        p = Fraction(1)
        for i, v in enumerate(x):
            p *= ms[i][v]
        if p:
            probs[x] = p
    return Target(length, vocab, probs, "product")


def markov(length: int, vocab: tuple[str, ...], initial, transition) -> Target:
    """A Markov chain: ``P(x) = initial[x_0] Π transition[x_{i-1}][x_i]``."""
    size = len(vocab)
    init = _vector(initial, size, "initial")
    if not isinstance(transition, list) or len(transition) != size:
        raise PolicyModelError(f"expected a {size}×{size} matrix (a list of {size} rows)", "transition")
    rows = [_vector(r, size, f"transition[{k}]") for k, r in enumerate(transition)]
    probs = {}
    for x in outcomes(length, size):
        p = init[x[0]]
        for a, b in zip(x, x[1:]):
            p *= rows[a][b]
        if p:
            probs[x] = p
    return Target(length, vocab, probs, "markov")


def random_table(length: int, vocab: tuple[str, ...], seed: int, max_weight: int = 9) -> Target:
    """Integer weights ``0..max_weight`` drawn from ``random.Random(seed)``, normalised (a
    weight 0 gives an outcome of probability 0; the all-zero draw is redrawn)."""
    if max_weight < 1:
        raise PolicyModelError("max_weight must be >= 1", "max_weight")
    rng = random.Random(seed)
    xs = list(outcomes(length, len(vocab)))
    while True:
        weights = [rng.randint(0, max_weight) for _ in xs]
        total = sum(weights)
        if total:
            break
    return Target(length, vocab, {x: Fraction(w, total) for x, w in zip(xs, weights) if w},
                  f"random(seed={seed})")


def table(length: int, vocab: tuple[str, ...], entries: Mapping[str, object]) -> Target:
    """Outcome strings to probabilities; outcomes not listed have probability 0."""
    shell = uniform(length, vocab)
    probs: dict[State, Fraction] = {}
    for text, value in entries.items():
        x = shell.parse(text)
        probs[x] = probs.get(x, Fraction(0)) + to_fraction(value, f"table.{text}")
    return Target(length, vocab, probs, "table")


FAMILIES = ("parity-even", "uniform", "product", "markov", "random", "table")
