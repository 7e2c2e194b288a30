"""Exact output distribution of a policy with a denoiser (MODEL.md §7).

The distribution over states ``(V ∪ {M})^L`` is propagated step by step from ``M^L`` with the
policy's exact kernel (:func:`verify.policies.policy.phases`, whose composition is
:func:`~verify.policies.policy.step`), in rationals, merging equal states after every phase. Each state carries a
flag "this run has used the undefined-context convention", so the probability mass of runs
that reached a state the target gives probability 0 is reported exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .denoiser import Denoiser
from .policy import Policy, phases
from .targets import MASK, State


class NotRevealed(Exception):
    """After the last step some position is still masked with positive probability."""


@dataclass(frozen=True)
class Output:
    dist: dict[State, Fraction]      # over fully revealed states
    undefined_mass: Fraction          # probability of runs that used the undefined-context rule
    states_seen: int                  # distinct (state, flag) pairs over all steps


def output_distribution(policy: Policy, den: Denoiser) -> Output:
    current: dict[tuple[State, bool], Fraction] = {((MASK,) * policy.length, False): Fraction(1)}
    seen = 1
    for t in range(policy.steps):
        for kernel in phases(policy, den, t):
            nxt: dict[tuple[State, bool], Fraction] = {}
            for (x, flag), p in current.items():
                for q, y, undefined in kernel(x):
                    key = (y, flag or undefined)
                    nxt[key] = nxt.get(key, Fraction(0)) + p * q
            current = {k: v for k, v in nxt.items() if v}
        seen += len(current)
    dist: dict[State, Fraction] = {}
    undefined = Fraction(0)
    for (x, flag), p in current.items():
        if MASK in x:
            raise NotRevealed(f"after {policy.steps} steps position {x.index(MASK)} is still masked "
                              f"with positive probability ({policy.describe()})")
        dist[x] = dist.get(x, Fraction(0)) + p
        if flag:
            undefined += p
    return Output(dist, undefined, seen)
