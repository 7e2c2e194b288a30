"""Decoding policies and their one-step kernels (MODEL.md §7).

A :class:`Policy` is data; :func:`step` is its exact transition: from a state ``x`` at step
``t`` (0-based) it returns the next states with their probabilities. Every chosen position
draws ``y_i ~ q_i(· | x)`` independently of the others (conditional independence). Policies:

* ``random-order``: schedule ``s_1..s_T`` (sum L); at step t, ``s_t`` masked positions are
  revealed, chosen uniformly at random (``order = "random"``, Li & Cai's sampler), or the
  first/last masked ones (``"left-to-right"``/``"right-to-left"``; with ``s_t = 1``
  left-to-right is the autoregressive sampler), or given sets (``"sets"``, a fixed mask sequence).
* ``top-k-confidence`` (LLaDA's low-confidence remasking): sample every eligible masked
  position, commit the ``s_t`` most confident, leave the rest masked.
* ``threshold`` (Fast-dLLM): commit every sampled position whose confidence is ``>= τ``, or the
  most confident one when none is; the last step commits everything left. ``steps`` = T.
* ``remask`` (ReMDM-style): first every revealed token is remasked with probability ``σ_t``
  (``σ_T = 0``), then ``s_t + r`` masked positions chosen uniformly at random are revealed, ``r``
  the number remasked, so the number of revealed positions after step t is ``s_1 + … + s_t``.
* ``corrector``: random-order unmasking by the schedule, then ``c_t`` revealed positions chosen
  uniformly at random are resampled *in parallel*, each from ``q_i(· | x with i hidden)``.
* ``blocks`` (LLaDA's semi-autoregressive decoding): blocks of ``B`` positions left to right
  (``B`` divides L); inside block b the ``inner`` policy (random-order, top-k-confidence or
  threshold) runs its schedule (sum B) or its ``steps``; the denoiser sees the whole state.
* ``custom``: a researcher's function (see :mod:`verify.policies.custom`).

**Conventions** (MODEL.md §7): confidence of a sampled ``y_i`` is ``q_i(y_i | x)``
(``"sampled"``), or ``max_v q_i(v | x)`` (``"max"``), or the margin between the two largest
(``"margin"``); ties between positions break by position index (the lower index is more
confident). With ``"max"``/``"margin"`` the choice does not depend on the sampled values, so
only the chosen positions are sampled (the others' draws are discarded: same distribution).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb
from typing import Any, Callable, Sequence

from .denoiser import Denoiser
from .targets import MASK, PolicyModelError, State

POLICIES = ("random-order", "top-k-confidence", "threshold", "remask", "corrector", "blocks")
ORDERS = ("random", "left-to-right", "right-to-left", "sets")
CONFIDENCES = ("sampled", "max", "margin")
INNER = ("random-order", "top-k-confidence", "threshold")

Kernel = list[tuple[Fraction, State, bool]]   # (probability, next state, undefined context used)


@dataclass(frozen=True)
class Policy:
    name: str
    length: int
    schedule: tuple[int, ...] = ()
    order: str = "random"
    sets: tuple[tuple[int, ...], ...] = ()
    confidence: str = "sampled"
    threshold: Fraction = Fraction(1, 2)
    sigma: tuple[Fraction, ...] = ()
    corrector: tuple[int, ...] = ()
    block: int = 0
    inner: str = "random-order"
    inner_steps: int = 0                    # threshold (alone or inside blocks): steps
    custom: Callable[..., Any] | None = field(default=None, compare=False)
    custom_steps: int = 0

    def __post_init__(self):
        validate(self)

    @property
    def steps(self) -> int:
        if self.name == "custom":
            return self.custom_steps
        per = self.inner_steps if self._unmasker() == "threshold" else len(self.schedule)
        if self.name == "blocks":
            return per * (self.length // self.block)
        return per

    def _unmasker(self) -> str:
        return self.inner if self.name == "blocks" else self.name

    def describe(self) -> str:
        if self.name == "custom":
            return f"custom policy {getattr(self.custom, '__name__', '?')} steps={self.custom_steps}"
        bits = [self.name]
        if self.name == "blocks":
            bits.append(f"B={self.block} inner={self.inner}")
        unm = self._unmasker()
        if unm == "threshold":
            bits.append(f"τ={self.threshold} steps={self.inner_steps}")
        elif self.name != "custom":
            bits.append("schedule=" + ",".join(map(str, self.schedule)))
        if unm in ("top-k-confidence", "threshold"):
            bits.append(f"confidence={self.confidence}")
        if self.name == "random-order" and self.order != "random":
            bits.append(f"order={self.order}")
        if self.name == "remask":
            bits.append("σ=" + ",".join(map(str, self.sigma)))
        if self.name == "corrector":
            bits.append("c=" + ",".join(map(str, self.corrector)))
        return " ".join(bits)


def validate(p: Policy) -> None:
    if p.name == "custom":
        if p.custom is None or p.custom_steps < 1:
            raise PolicyModelError("a custom policy needs a function and steps >= 1", "steps")
        return
    if p.name not in POLICIES:
        raise PolicyModelError(f"unknown policy '{p.name}' (expected one of {', '.join(POLICIES)}, "
                               f"or 'file.py:function')", "policy")
    if p.confidence not in CONFIDENCES:
        raise PolicyModelError(f"expected one of {', '.join(CONFIDENCES)}", "confidence")
    if p.order not in ORDERS:
        raise PolicyModelError(f"expected one of {', '.join(ORDERS)}", "order")
    span = p.length
    if p.name == "blocks":
        if p.inner not in INNER:
            raise PolicyModelError(f"expected one of {', '.join(INNER)}", "inner")
        if p.block < 1 or p.length % p.block:
            raise PolicyModelError(f"block size {p.block} does not divide L = {p.length}", "block")
        span = p.block
    if p._unmasker() == "threshold":
        if p.inner_steps < 1:
            raise PolicyModelError("threshold needs steps >= 1", "steps")
        if not 0 <= p.threshold <= 1:
            raise PolicyModelError(f"τ must be in [0, 1], got {p.threshold}", "threshold")
        return
    if not p.schedule or any(s < 0 for s in p.schedule):
        raise PolicyModelError("expected a non-empty list of sizes >= 0", "schedule")
    if sum(p.schedule) != span:
        what = f"the block size B = {span}" if p.name == "blocks" else f"L = {span}"
        raise PolicyModelError(f"schedule {list(p.schedule)} sums to {sum(p.schedule)}, not {what}",
                               "schedule")
    if p.name == "random-order" and p.order == "sets":
        if [len(s) for s in p.sets] != list(p.schedule) or \
                sorted(i for s in p.sets for i in s) != list(range(p.length)):
            raise PolicyModelError("sets must partition the positions with sizes = schedule", "sets")
    if p.name == "remask":
        if len(p.sigma) != len(p.schedule):
            raise PolicyModelError(f"expected {len(p.schedule)} probabilities (one per step)", "sigma")
        if any(not 0 <= s <= 1 for s in p.sigma):
            raise PolicyModelError("remasking probabilities must be in [0, 1]", "sigma")
        if p.sigma[-1] != 0:
            raise PolicyModelError("the last step must have σ_T = 0 (it reveals everything left)", "sigma")
    if p.name == "corrector":
        if len(p.corrector) != len(p.schedule) or any(c < 0 for c in p.corrector):
            raise PolicyModelError(f"expected {len(p.schedule)} counts >= 0 (one per step)", "corrector")


# --- shared pieces ----------------------------------------------------------------------------

def confidence(q: Sequence[Fraction], y: int | None, kind: str) -> Fraction:
    """The confidence of position's distribution ``q`` (of the sampled token ``y``)."""
    if kind == "sampled":
        return q[y]
    top = sorted(q, reverse=True)
    return top[0] if kind == "max" else top[0] - top[1]


def most_confident(eligible: Sequence[int], conf: dict[int, Fraction], k: int) -> list[int]:
    """The ``k`` most confident positions; ties by position index (lower first)."""
    return sorted(eligible, key=lambda i: (-conf[i], i))[:k]


def reveal(x: State, chosen: Sequence[int], den: Denoiser, undefined: bool = False) -> Kernel:
    """Each chosen position draws from ``q_i(· | x)`` independently; all are committed."""
    out: Kernel = [(Fraction(1), x, undefined)]
    if not chosen:
        return out
    conds = den.conditionals(x)
    undefined = undefined or conds.undefined
    for i in chosen:
        q = conds.probs[i]
        out = [(p * q[v], y[:i] + (v,) + y[i + 1:], undefined) for p, y, _ in out for v in range(len(q)) if q[v]]
    return out


def _subsets(items: Sequence[int], k: int) -> list[tuple[int, ...]]:
    return list(itertools.combinations(items, k))


def random_reveal(x: State, eligible: Sequence[int], k: int, den: Denoiser, undefined=False) -> Kernel:
    """A uniformly random set of ``k`` eligible positions, each revealed from the denoiser."""
    k = min(k, len(eligible))
    sets = _subsets(eligible, k)
    w = Fraction(1, len(sets))
    return [(w * p, y, u) for s in sets for p, y, u in reveal(x, s, den, undefined)]


def _sample_then_select(x: State, eligible: list[int], den: Denoiser, kind: str,
                        select: Callable[[dict[int, Fraction]], list[int]]) -> Kernel:
    conds = den.conditionals(x)
    if kind != "sampled":
        conf = {i: confidence(conds.probs[i], None, kind) for i in eligible}
        return reveal(x, select(conf), den)
    out: Kernel = []
    qs = [conds.probs[i] for i in eligible]
    for ys in itertools.product(*(range(len(q)) for q in qs)):
        p = Fraction(1)
        for q, v in zip(qs, ys):
            p *= q[v]
        if not p:
            continue
        conf = {i: q[v] for i, q, v in zip(eligible, qs, ys)}
        chosen = set(select(conf))
        y = tuple(ys[eligible.index(i)] if i in chosen else x[i] for i in range(len(x)))
        out.append((p, y, conds.undefined))
    return out


def unmask(p: Policy, kind: str, x: State, eligible: list[int], local: int, local_steps: int,
           den: Denoiser) -> Kernel:
    """One unmasking step of ``kind`` (random-order, top-k-confidence, threshold) restricted to
    the ``eligible`` masked positions; ``local`` is the step within its block (0-based)."""
    if not eligible:
        return [(Fraction(1), x, False)]
    if kind == "random-order":
        k = p.schedule[local]
        if p.order == "random":
            return random_reveal(x, eligible, k, den)
        if p.order == "sets":
            return reveal(x, p.sets[local], den)
        chosen = eligible[:k] if p.order == "left-to-right" else eligible[len(eligible) - k:]
        return reveal(x, chosen, den)
    if kind == "top-k-confidence":
        k = p.schedule[local]
        return _sample_then_select(x, eligible, den, p.confidence,
                                   lambda conf: most_confident(eligible, conf, k))
    # threshold: the last step of the block commits everything left
    if local == local_steps - 1:
        return reveal(x, eligible, den)

    def select(conf: dict[int, Fraction]) -> list[int]:
        hit = [i for i in eligible if conf[i] >= p.threshold]
        return hit or most_confident(eligible, conf, 1)
    return _sample_then_select(x, eligible, den, p.confidence, select)


def remask_phase(p: Policy, x: State, t: int) -> Kernel:
    """The first half of a remask step: each revealed token becomes M with probability σ_t."""
    sigma = p.sigma[t]
    revealed = [i for i, v in enumerate(x) if v != MASK]
    out: Kernel = []
    for r in range(len(revealed) + 1):
        w = sigma ** r * (1 - sigma) ** (len(revealed) - r)
        if w:
            out += [(w, tuple(MASK if i in s else v for i, v in enumerate(x)), False)
                    for s in _subsets(revealed, r)]
    return out


def reveal_phase(p: Policy, y: State, t: int, den: Denoiser) -> Kernel:
    """The second half: reveal ``s_t + r`` random masked positions. Before step t exactly
    ``s_1 + … + s_{t-1}`` positions were revealed, so ``r`` (the number just remasked) is a
    function of ``y``: ``s_t + r = #masked(y) − (L − s_1 − … − s_t)``."""
    still = [i for i, v in enumerate(y) if v == MASK]
    k = len(still) - (p.length - sum(p.schedule[:t + 1]))
    return random_reveal(y, still, k, den)


def correct_phase(p: Policy, y: State, t: int, den: Denoiser) -> Kernel:
    """The corrector's half of a step: ``c_t`` revealed positions chosen uniformly at random are
    resampled in parallel, each from ``q_i(. | y with i hidden)``."""
    revealed = [i for i, v in enumerate(y) if v != MASK]
    sets = _subsets(revealed, min(p.corrector[t], len(revealed)))
    w = Fraction(1, len(sets))
    hidden = {i: den.q(i, y) for i in revealed} if sets and sets[0] else {}
    merged: dict[tuple[State, bool], Fraction] = {}
    for s in sets:
        part: dict[tuple[State, bool], Fraction] = {(y, False): w}
        for i in s:
            q, und = hidden[i]
            nxt: dict[tuple[State, bool], Fraction] = {}
            for (z, uu), c in part.items():
                for v in range(len(q)):
                    if q[v]:
                        key = (z[:i] + (v,) + z[i + 1:], uu or und)
                        nxt[key] = nxt.get(key, 0) + c * q[v]
            part = nxt
        for key, c in part.items():
            merged[key] = merged.get(key, 0) + c
    return [(c, z, u) for (z, u), c in merged.items()]


def phases(p: Policy, den: Denoiser, t: int) -> list[Callable[[State], Kernel]]:
    """Step ``t`` as a sequence of kernels whose composition is :func:`step`; the semantics
    merges equal states between phases (a remask step is remasking, then revealing; a
    corrector step is revealing, then correcting)."""
    if p.name == "remask":
        return [lambda x: remask_phase(p, x, t), lambda y: reveal_phase(p, y, t, den)]
    if p.name == "corrector":
        return [lambda x: random_reveal(x, [i for i, v in enumerate(x) if v == MASK], p.schedule[t], den),
                lambda y: correct_phase(p, y, t, den)]
    return [lambda x: step(p, den, x, t)]


def step(p: Policy, den: Denoiser, x: State, t: int) -> Kernel:
    """The exact distribution of the state after step ``t`` (0-based) from ``x``."""
    masked = [i for i, v in enumerate(x) if v == MASK]
    if p.name in ("random-order", "top-k-confidence", "threshold"):
        return unmask(p, p.name, x, masked, t, p.steps, den)
    if p.name == "blocks":
        per = p.steps // (p.length // p.block)
        b, local = divmod(t, per)
        lo, hi = b * p.block, (b + 1) * p.block
        return unmask(p, p.inner, x, [i for i in masked if lo <= i < hi], local, per, den)
    if p.name == "remask":
        return [(w * q, z, u) for w, y, _ in remask_phase(p, x, t) for q, z, u in reveal_phase(p, y, t, den)]
    if p.name == "corrector":
        return [(w * q, z, u0 or u) for w, y, u0 in random_reveal(x, masked, p.schedule[t], den)
                for q, z, u in correct_phase(p, y, t, den)]
    if p.name == "custom":
        from .custom import custom_step  # custom code is loaded only on request
        return custom_step(p, den, x, t)
    raise PolicyModelError(f"unknown policy '{p.name}'", "policy")
