"""Brute force: the output distribution by enumerating every random choice of a run.

An independent second method for :mod:`verify.policies.semantics`: a plain sequential
simulator of each built-in policy that asks a *chooser* for every random choice (which set of
positions, which token at each sampled position, each remasking coin, ...), and a depth-first
enumeration of every sequence of choices, multiplying their probabilities. It shares with the
kernel only the denoiser and the confidence conventions (MODEL.md §7); it is exponential and
meant for small instances in tests.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Callable, Sequence

from .denoiser import Denoiser
from .policy import Policy, confidence
from .targets import MASK, State


class _Chooser:
    def __init__(self, prefix: tuple[int, ...]):
        self.prefix = prefix
        self.taken: list[int] = []
        self.widths: list[int] = []
        self.prob = Fraction(1)

    def choose(self, options: Sequence[tuple[Fraction, object]]):
        options = [o for o in options if o[0] != 0]
        k = len(self.taken)
        idx = self.prefix[k] if k < len(self.prefix) else 0
        self.taken.append(idx)
        self.widths.append(len(options))
        self.prob *= options[idx][0]
        return options[idx][1]


def enumerate_runs(simulate: Callable[[_Chooser], State]) -> dict[State, Fraction]:
    """Run ``simulate`` once for every sequence of choices; the distribution of its results."""
    out: dict[State, Fraction] = {}
    stack: list[tuple[int, ...]] = [()]
    while stack:
        prefix = stack.pop()
        ch = _Chooser(prefix)
        result = simulate(ch)
        out[result] = out.get(result, Fraction(0)) + ch.prob
        for d in range(len(prefix), len(ch.taken)):
            for alt in range(1, ch.widths[d]):
                stack.append(tuple(ch.taken[:d]) + (alt,))
    return out


def brute_force_distribution(policy: Policy, den: Denoiser) -> dict[State, Fraction]:
    return enumerate_runs(lambda ch: _simulate(policy, den, ch))


def _draw(ch: _Chooser, den: Denoiser, i: int, x: State) -> int:
    q, _ = den.q(i, x)
    return ch.choose([(q[v], v) for v in range(len(q))])


def _uniform_set(ch: _Chooser, items: list[int], k: int) -> tuple[int, ...]:
    sets = list(itertools.combinations(items, min(k, len(items))))
    return ch.choose([(Fraction(1, len(sets)), s) for s in sets])


def _unmask(policy: Policy, kind: str, x: list[int], eligible: list[int], local: int, last: bool,
            den: Denoiser, ch: _Chooser) -> None:
    if not eligible:
        return
    frozen = tuple(x)
    if kind == "random-order":
        k = policy.schedule[local]
        if policy.order == "random":
            chosen = _uniform_set(ch, eligible, k)
        elif policy.order == "sets":
            chosen = policy.sets[local]
        elif policy.order == "left-to-right":
            chosen = eligible[:k]
        else:
            chosen = eligible[len(eligible) - k:]
        for i in chosen:
            x[i] = _draw(ch, den, i, frozen)
        return
    if kind == "threshold" and last:
        for i in eligible:
            x[i] = _draw(ch, den, i, frozen)
        return
    # sample every eligible position, then decide which to commit
    y = {i: _draw(ch, den, i, frozen) for i in eligible}
    conf = {i: confidence(den.q(i, frozen)[0], y[i], policy.confidence) for i in eligible}
    ranked = sorted(eligible, key=lambda i: (-conf[i], i))
    if kind == "top-k-confidence":
        chosen = ranked[:policy.schedule[local]]
    else:
        chosen = [i for i in eligible if conf[i] >= policy.threshold] or ranked[:1]
    for i in chosen:
        x[i] = y[i]


def _simulate(policy: Policy, den: Denoiser, ch: _Chooser) -> State:
    x = [MASK] * policy.length
    for t in range(policy.steps):
        masked = [i for i in range(policy.length) if x[i] == MASK]
        if policy.name in ("random-order", "top-k-confidence", "threshold"):
            _unmask(policy, policy.name, x, masked, t, t == policy.steps - 1, den, ch)
        elif policy.name == "blocks":
            per = policy.steps // (policy.length // policy.block)
            b, local = divmod(t, per)
            inside = [i for i in masked if b * policy.block <= i < (b + 1) * policy.block]
            _unmask(policy, policy.inner, x, inside, local, local == per - 1, den, ch)
        elif policy.name == "remask":
            r = 0
            for i in range(policy.length):
                if x[i] != MASK and ch.choose([(policy.sigma[t], True), (1 - policy.sigma[t], False)]):
                    x[i] = MASK
                    r += 1
            masked = [i for i in range(policy.length) if x[i] == MASK]
            frozen = tuple(x)
            for i in _uniform_set(ch, masked, policy.schedule[t] + r):
                x[i] = _draw(ch, den, i, frozen)
        elif policy.name == "corrector":
            frozen = tuple(x)
            for i in _uniform_set(ch, masked, policy.schedule[t]):
                x[i] = _draw(ch, den, i, frozen)
            revealed = [i for i in range(policy.length) if x[i] != MASK]
            frozen = tuple(x)
            for i in _uniform_set(ch, revealed, policy.corrector[t]):
                x[i] = _draw(ch, den, i, frozen)   # q_i(. | frozen with i hidden)
        else:
            raise ValueError(f"brute force does not simulate policy '{policy.name}'")
    return tuple(x)
