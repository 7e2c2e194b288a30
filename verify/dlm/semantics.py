"""Running a DLM: the simulator, a seeded sampler and the exact semantics (MODEL.md §3).

One round, from ``x``: draw every ``r_i``; ``y_i = P_i(x, r_i)``; ``z = F(x, y)``; then the
mode's rule; then ``x' = G(x, z)``.

Two readings of the mode are offered (a modelling choice, so an option, not hard-wired):

* ``Rule.ENFORCE`` (default): the decoder applies the mode, as a real sampler does. In
  ``plain``/``remask`` a revealed token is kept whatever the predictor says; in ``revise``
  modes a predictor's ``M`` at a revealed position is ignored. G acts only in remask modes.
* ``Rule.LITERAL``: ``x'`` is exactly what the circuits compute. The mode checks (with
  ``rule = "literal"``) prove the circuits never need the decoder's help, i.e. that both
  readings agree.

F and G are deterministic in MODEL.md §3, but a circuit may still name a random source; the
simulator (and so brute force and every replay of a counterexample) then gives it the bit
drawn that round, as a real decoder would, never a constant. The exact semantics cannot
represent such a DLM (it counts each predictor's bits on their own) and refuses it with
:class:`StrategyReadsRandom`, naming the circuit, the position and the bit.

The exact semantics propagates the distribution over states round by round with exact
rationals. Each position's outcome is counted over its *own* random bits only, which is
legitimate because positions are conditionally independent given the state; a DLM whose
predictor reads another position's bits is refused (use the brute-force semantics, which
enumerates every random bit of every round, or the independence check). A DLM with no output
positions is refused by every output distribution (:class:`NoOutputs`): any claim about the
distribution of zero outputs would hold vacuously.
"""
from __future__ import annotations

import itertools
import random as _random
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Iterator, Mapping, Sequence

from ..circuits.evaluate import BOOL, BitParallelAlgebra, evaluate, read_literal
from .model import DLM, Token, Wiring, decode, show, strategy_random_reads

State = tuple[Token, ...]
Draw = Mapping[tuple[int, int], bool]   # (position, bit index) -> value, for one round


class Rule(str, Enum):
    ENFORCE = "enforce"
    LITERAL = "literal"


class SemanticsError(Exception):
    """The DLM cannot be run as asked (it emitted ``11``, or breaks independence)."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.details = details


class InvalidToken(SemanticsError):
    pass


class NotIndependent(SemanticsError):
    pass


class StrategyReadsRandom(SemanticsError):
    """An unmasking strategy F or remask G names a random source (MODEL.md §3: they have none)."""


class NoOutputs(SemanticsError):
    """The DLM has no output positions: there is no sample to speak of."""


def require_outputs(dlm: DLM) -> None:
    """Raise :class:`NoOutputs` for a DLM without output positions."""
    if not dlm.outputs:
        raise NoOutputs("the DLM has no output positions: a claim about the distribution of zero "
                        "outputs would hold vacuously", outputs=0)


def refuse_strategy_randomness(dlm: DLM, semantics: str) -> None:
    """Raise :class:`StrategyReadsRandom` when F or G names a random source: ``semantics``
    cannot represent it (it would have to share that bit with its owner's predictor)."""
    reads = strategy_random_reads(dlm)
    if reads:
        role, i, bit = reads[0]
        what = "unmasking strategy F" if role == "unmask_strategy" else "remasking strategy G"
        more = f" (and {len(reads) - 1} more)" if len(reads) > 1 else ""
        raise StrategyReadsRandom(
            f"the {what}_{i} at position {i} reads random bit {bit}{more}; F and G may read none "
            f"(MODEL.md §3), and the {semantics} cannot represent it: use method \"brute-force\", "
            f"\"bdd\" or \"count\" (which give it the bit drawn that round) and the independence check",
            role=role, position=i, bit=bit, reads=[f"{r}:{p}:{b}" for r, p, b in reads])


def leaf_values(w: Wiring, x: Sequence[Token], y: Sequence[Token] | None, z: Sequence[Token] | None,
                draw: Draw | None, const) -> dict[int, object]:
    """The values of a DLM circuit's leaves: state ``x``, predictions ``y``, tokens after F
    ``z`` and this round's ``draw``. With ``draw = None`` random leaves are left out (the
    caller fills them, e.g. with bit patterns); a circuit that needs them then fails loudly
    instead of reading a constant."""
    leaves = {}
    for vertex, kind, j, bit in w.leaves:
        if kind == "r":
            if draw is None:
                continue
            value = bool(draw.get((j, bit), False))
        else:
            src = x if kind in ("m", "v") else (y if kind in ("ym", "yv") else z)
            mask_bit, value_bit = src[j].bits
            value = bool(mask_bit if kind[-1] == "m" else value_bit)
        leaves[vertex] = const(value)
    return leaves


def predict(dlm: DLM, i: int, x: State, draw: Draw) -> Token:
    """``y_i = P_i(x, r)`` for one draw of the random bits; raises on ``11``."""
    w = dlm.predictor_wiring(i)
    c = w.circuit
    values = evaluate(c, BOOL, leaf_values(w, x, None, None, draw, bool))
    m, v = (read_literal(values, o, BOOL) for o in c.outputs)
    tok = decode(m, v)
    if tok is None:
        raise InvalidToken(f"predictor {i} emitted the non-token 11 in state {show(x)}",
                           position=i, state=show(x))
    return tok


def _strategy_leaves(dlm: DLM, w: Wiring, x: State, y, z, draw: Draw | None) -> dict:
    if draw is None and w.random_leaves:
        refuse_strategy_randomness(dlm, "semantics without a draw of the random bits")
    return leaf_values(w, x, y, z, draw, bool)


def _commit(dlm: DLM, i: int, x: State, y: State, draw: Draw | None) -> bool:
    if dlm.unmask_strategy is None:
        return True
    w = dlm.strategy_wiring(i)
    values = evaluate(w.circuit, BOOL, _strategy_leaves(dlm, w, x, y, None, draw))
    return bool(read_literal(values, w.circuit.outputs[0], BOOL))


def _remask(dlm: DLM, i: int, x: State, z: State, draw: Draw | None) -> bool:
    if dlm.remask is None:
        return False
    w = dlm.remask_wiring(i)
    values = evaluate(w.circuit, BOOL, _strategy_leaves(dlm, w, x, None, z, draw))
    return bool(read_literal(values, w.circuit.outputs[0], BOOL))


def finish_round(dlm: DLM, x: State, y: State, rule: Rule = Rule.ENFORCE,
                 draw: Draw | None = None) -> tuple[State, State]:
    """From the state and the sampled predictions: ``(z, x')`` (F, the mode's rule, then G).

    ``draw`` is the round's random bits, which F and G see if they name any (a DLM outside
    MODEL.md §3, but a decoder would run it so); without it such a DLM raises
    :class:`StrategyReadsRandom`."""
    z = []
    for i in range(dlm.length):
        zi = y[i] if _commit(dlm, i, x, y, draw) else x[i]
        if rule is Rule.ENFORCE and x[i] is not Token.M:
            if not dlm.mode.allows_revise or zi is Token.M:
                zi = x[i]
        z.append(zi)
    z = tuple(z)
    if dlm.remask is None or (rule is Rule.ENFORCE and not dlm.mode.allows_remask):
        return z, z
    return z, tuple(Token.M if _remask(dlm, i, x, z, draw) else z[i] for i in range(dlm.length))


@dataclass(frozen=True)
class RoundTrace:
    state: State        # x before the round
    draw: Draw
    predictions: State  # y
    committed: State    # z
    after: State        # x'


def step(dlm: DLM, x: State, draw: Draw, rule: Rule = Rule.ENFORCE) -> RoundTrace:
    """One round of the simulator on a given draw of every position's random bits."""
    y = tuple(predict(dlm, i, x, draw) for i in range(dlm.length))
    z, after = finish_round(dlm, x, y, rule, draw)
    return RoundTrace(x, dict(draw), y, z, after)


def run(dlm: DLM, chi: Sequence[int], draws: Sequence[Draw], rule: Rule = Rule.ENFORCE) -> list[RoundTrace]:
    """Run ``len(draws)`` rounds from the initial state of ``χ``; the full trace."""
    x = dlm.initial_state(chi)
    trace = []
    for draw in draws:
        t = step(dlm, x, draw, rule)
        trace.append(t)
        x = t.after
    return trace


def random_slots(dlm: DLM) -> list[tuple[int, int]]:
    """Every (position, bit) of one round's randomness, in a fixed order."""
    return [(i, k) for i in range(dlm.length) for k in range(dlm.random_bits[i])]


def sample_run(dlm: DLM, chi: Sequence[int] = (), seed: int | None = None,
               rule: Rule = Rule.ENFORCE) -> list[RoundTrace]:
    """One seeded run: the trace of every round."""
    rng = _random.Random(seed)
    slots = random_slots(dlm)
    draws = [{s: bool(rng.getrandbits(1)) for s in slots} for _ in range(dlm.rounds)]
    return run(dlm, chi, draws, rule)


def final_output(dlm: DLM, chi: Sequence[int], trace: Sequence[RoundTrace]) -> str:
    final = trace[-1].after if trace else dlm.initial_state(chi)
    return show(final[p] for p in dlm.outputs)


def sample(dlm: DLM, chi: Sequence[int] = (), seed: int | None = None,
           rule: Rule = Rule.ENFORCE) -> str:
    """One seeded sample: the output positions after ``rounds`` rounds, as a string."""
    return final_output(dlm, chi, sample_run(dlm, chi, seed, rule))


# --- exact semantics -------------------------------------------------------------------

def position_distribution(dlm: DLM, i: int, x: State) -> dict[Token, Fraction]:
    """Distribution of ``y_i`` given the state, counted over ``P_i``'s own random bits."""
    w = dlm.predictor_wiring(i)
    foreign = [(j, b) for _, j, b in w.random_leaves if j != i]
    if foreign:
        raise NotIndependent(
            f"predictor {i} reads random bit(s) {', '.join(f'r{j}_{b}' for j, b in foreign)} "
            f"of other positions; the exact semantics needs conditional independence",
            position=i)
    rho = dlm.random_bits[i]
    width = 1 << rho
    alg = BitParallelAlgebra(width)
    leaves = leaf_values(w, x, None, None, None, alg.const)
    for vertex, _, bit in w.random_leaves:
        leaves[vertex] = alg.pattern(bit)
    values = evaluate(w.circuit, alg, leaves)
    m, v = (read_literal(values, o, alg) for o in w.circuit.outputs)
    bad = m & v
    if bad:
        k = (bad & -bad).bit_length() - 1
        raise InvalidToken(
            f"predictor {i} emitted the non-token 11 in state {show(x)} "
            f"(random bits r{i} = {k:0{max(rho, 1)}b}, little-endian bit k = r{i}_k)",
            position=i, state=show(x), random=k)
    counts = {Token.M: (m & ~v & alg.mask).bit_count(), Token.B: (~m & v & alg.mask).bit_count(),
              Token.A: (~m & ~v & alg.mask).bit_count()}
    return {t: Fraction(c, width) for t, c in counts.items() if c}


def next_distribution(dlm: DLM, x: State, rule: Rule = Rule.ENFORCE,
                      cache: dict | None = None) -> dict[State, Fraction]:
    """Distribution of the state after one round from ``x``."""
    per_position = []
    for i in range(dlm.length):
        key = None
        if cache is not None:
            key = (i, tuple(x[j] for j in dlm.predictor_wiring(i).state_reads))
            d = cache.get(key)
            if d is None:
                d = cache[key] = position_distribution(dlm, i, x)
        else:
            d = position_distribution(dlm, i, x)
        per_position.append(list(d.items()))
    out: dict[State, Fraction] = {}
    for combo in itertools.product(*per_position):
        y = tuple(t for t, _ in combo)
        p = Fraction(1)
        for _, q in combo:
            p *= q
        _, after = finish_round(dlm, x, y, rule)
        out[after] = out.get(after, Fraction(0)) + p
    return out


def state_distribution(dlm: DLM, chi: Sequence[int] = (), rule: Rule = Rule.ENFORCE,
                       rounds: int | None = None) -> dict[State, Fraction]:
    """Exact distribution over full states after ``rounds`` (default: the DLM's) rounds.

    Refuses (:class:`StrategyReadsRandom`) a DLM whose F or G reads a random bit."""
    refuse_strategy_randomness(dlm, "exact semantics")
    dist = {dlm.initial_state(chi): Fraction(1)}
    cache: dict = {}
    for _ in range(dlm.rounds if rounds is None else rounds):
        nxt: dict[State, Fraction] = {}
        for x, p in dist.items():
            for x2, q in next_distribution(dlm, x, rule, cache).items():
                nxt[x2] = nxt.get(x2, Fraction(0)) + p * q
        dist = nxt
    return dist


def output_distribution(dlm: DLM, chi: Sequence[int] = (), rule: Rule = Rule.ENFORCE) -> dict[str, Fraction]:
    """Exact distribution of the sample (output positions after the last round)."""
    require_outputs(dlm)
    out: dict[str, Fraction] = {}
    for x, p in state_distribution(dlm, chi, rule).items():
        key = show(x[q] for q in dlm.outputs)
        out[key] = out.get(key, Fraction(0)) + p
    return out


def all_draws(dlm: DLM) -> Iterator[list[dict[tuple[int, int], bool]]]:
    """Every assignment of every random bit of every round (brute force)."""
    slots = random_slots(dlm)
    per_round = len(slots)
    for bits in range(1 << (per_round * dlm.rounds)):
        yield [{s: bool((bits >> (r * per_round + k)) & 1) for k, s in enumerate(slots)}
               for r in range(dlm.rounds)]


def brute_force_distribution(dlm: DLM, chi: Sequence[int] = (), rule: Rule = Rule.ENFORCE,
                             max_bits: int = 22) -> dict[str, Fraction]:
    """Output distribution by enumerating all ``2^(T·Σρ)`` random outcomes with the simulator.

    Independent of :func:`output_distribution` (no per-position counting, no state merging),
    and valid even when predictors share random bits or F / G read them (each circuit sees
    the bits drawn that round).
    """
    require_outputs(dlm)
    total_bits = len(random_slots(dlm)) * dlm.rounds
    if total_bits > max_bits:
        raise SemanticsError(f"brute force would enumerate 2^{total_bits} outcomes (limit 2^{max_bits})")
    counts: dict[str, int] = {}
    for draws in all_draws(dlm):
        key = final_output(dlm, chi, run(dlm, chi, draws, rule))
        counts[key] = counts.get(key, 0) + 1
    total = 1 << total_bits
    return {k: Fraction(c, total) for k, c in counts.items()}
