"""Exact output distributions by symbolic unrolling: BDDs and projected model counting.

MODEL.md §4 item 6 asks for the exact distribution by an *independent second method* besides
state propagation. Both methods here unroll the DLM's ``T`` rounds with
:class:`verify.encode.unroll.Unrolling` over an algebra of the one evaluator (STYLE.md §2), with
one variable per random bit of every position and every round (``N = T·Σρ_i`` of them), and
read the probability of an outcome ``s`` as

    P(s) = #{random assignments R ∈ {0,1}^N : the output tokens are s} / 2^N,

counted exactly in integers. Unlike the per-position exact semantics this needs no conditional
independence: predictors that share random bits are counted correctly, and an F or G that
reads a random bit (outside MODEL.md §3) sees the same variable as its owner's predictor, the
bit drawn that round, as the simulator gives it.

* **BDD** (:func:`bdd_output_distribution`): the output tokens are BDDs over the random bits
  (``χ`` is a constant); the support is found by splitting on the output bits depth first
  (a branch whose BDD is false is dropped), and each outcome's BDD is model-counted over the
  ``N`` random variables.
* **Model counting** (:func:`count_output_distribution`): the Tseitin CNF of the same
  unrolling; the outcomes in the support are enumerated by SAT with blocking clauses, and for
  each outcome ``s`` Ganak counts the models of ``CNF ∧ (outputs = s)`` *projected* on the
  random variables. Projection is what makes this the count of random assignments: every
  Tseitin variable is defined by an equivalence, so each ``R`` has exactly one extension, and
  variables that no clause mentions (an unread random bit) still count twice because they are
  in the sampling set.

Both refuse a DLM that can emit ``11``, like the simulator: a prediction that is ``11`` for
some random assignment is replayed on the simulator, which raises its
:class:`~verify.dlm.semantics.InvalidToken`.

:func:`circuit_output_distribution` is the same for a circuit ``C(χ, R)`` with uniform ``R``
(e.g. to compare a compiled DLM with the circuit it came from).
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Callable, Iterable, Sequence

from ..circuits.evaluate import BitParallelAlgebra, evaluate_outputs
from ..circuits.ir import Circuit
from ..dlm.model import DLM
from ..dlm.semantics import InvalidToken, Rule, SemanticsError, random_slots, require_outputs, run
from ..encode.bdd import BddAlgebra
from ..encode.cnf import CnfAlgebra
from ..encode.unroll import INITIAL, Unrolling, token_char

Distribution = dict[str, Fraction]

CIRCUIT_METHODS = ("enumerate", "bdd", "count")
SAT_SOLVER = "cadical153"


# --- the symbolic DLM run -----------------------------------------------------------------

def _unroll(dlm: DLM, alg, chi: Sequence[int], rule: Rule) -> tuple[Unrolling, list, list]:
    """The unrolling from χ, the keys of all ``N`` random bits, and the output bits (m, v, ...).

    Every random bit is declared, read or not, position-major (position, round, bit): a
    predictor reads its own and nearby positions' bits, so this keeps related variables close
    in a BDD's order.
    """
    if len(chi) != len(dlm.inputs):
        raise SemanticsError(f"χ has {len(chi)} bits, the DLM has {len(dlm.inputs)} input positions")
    require_outputs(dlm)
    u = Unrolling(dlm, alg, start=INITIAL, rule=rule, chi=chi)
    keys = []
    for j in range(dlm.length):
        for t in range(dlm.rounds):
            for k in range(dlm.random_bits[j]):
                u.random(t, j, k)
                keys.append(("r", u.tag, t, j, k, 0))
    bits = []
    for q in dlm.outputs:
        bits.extend(u.x(dlm.rounds, q))
    return u, keys, bits


def _predictions_11(u: Unrolling) -> list[tuple[int, int, Any]]:
    """``(round, position, "y is 11")`` for every prediction of every round, as the simulator
    computes every position's prediction in every round."""
    dlm = u.dlm
    return [(t, j, u.is_invalid(u.y(t, j))) for t in range(dlm.rounds) for j in range(dlm.length)]


def _draws(dlm: DLM, value: Callable[[tuple], bool]) -> list[dict[tuple[int, int], bool]]:
    """Per-round draws from a model: ``value(key)`` of each random variable key."""
    return [{(j, k): bool(value(("r", "", t, j, k, 0))) for j, k in random_slots(dlm)}
            for t in range(dlm.rounds)]


def _replay_invalid(dlm: DLM, chi: Sequence[int], rule: Rule, draws, t: int, j: int) -> None:
    """Raise the simulator's own InvalidToken for a run the symbolic side says emits 11."""
    try:
        run(dlm, chi, draws[:t + 1], rule)
    except InvalidToken:
        raise
    raise SemanticsError(f"internal: the symbolic unrolling says predictor {j} emits 11 in round "
                         f"{t + 1}, but the simulator's replay does not")


def _token_strings(counts: dict[tuple[bool, ...], int]) -> dict[str, int]:
    out = {}
    for bits, c in counts.items():
        s = "".join(token_char(bits[2 * q], bits[2 * q + 1]) for q in range(len(bits) // 2))
        if "?" in s:
            raise SemanticsError(f"internal: output tokens {s} contain the non-token 11")
        out[s] = c
    return out


def _distribution(counts: dict[str, int], total_bits: int) -> Distribution:
    total = 1 << total_bits
    if sum(counts.values()) != total:
        raise SemanticsError(f"internal: outcome counts sum to {sum(counts.values())}, not 2^{total_bits}")
    return {s: Fraction(c, total) for s, c in counts.items()}


# --- BDDs ---------------------------------------------------------------------------------

def _bdd_split(alg: BddAlgebra, bits: Sequence[Any], keys: Sequence) -> dict[tuple[bool, ...], int]:
    """Model count over ``keys`` of every assignment of ``bits`` that has one (depth first)."""
    out: dict[tuple[bool, ...], int] = {}
    stack: list[tuple[Any, tuple[bool, ...]]] = [(alg.true, ())]
    while stack:
        cond, prefix = stack.pop()
        if len(prefix) == len(bits):
            out[prefix] = alg.count(cond, keys)
            continue
        b = bits[len(prefix)]
        for value, literal in ((True, b), (False, ~b)):
            branch = cond & literal
            if branch != alg.false:
                stack.append((branch, prefix + (value,)))
    return out


def bdd_output_distribution(dlm: DLM, chi: Sequence[int] = (), rule: Rule = Rule.ENFORCE, *,
                            backend: str = "auto") -> Distribution:
    """The exact output distribution by BDD model counting over all ``T·Σρ`` random bits."""
    alg = BddAlgebra(backend)
    u, keys, bits = _unroll(dlm, alg, chi, rule)
    for t, j, bad in _predictions_11(u):
        if bad != alg.false:
            model = alg.pick(bad)
            _replay_invalid(dlm, chi, rule, _draws(dlm, lambda key: model.get(key, False)), t, j)
    return _distribution(_token_strings(_bdd_split(alg, bits, keys)), len(keys))


# --- projected model counting --------------------------------------------------------------

@contextmanager
def _quiet_stdout():
    """Ganak prints ``c o ...`` lines on file descriptor 1 (not through Python); mute them."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def projected_count(clauses: Iterable[Sequence[int]], sampling: Sequence[int]) -> int:
    """Ganak's exact model count of ``clauses`` projected on the variables ``sampling``.

    A fresh counter each time: pyganak's ``count()`` may be called once per instance.
    """
    from pyganak import Counter

    counter = Counter()
    counter.add_clauses([list(c) for c in clauses])
    counter.set_sampling_set(list(sampling))
    with _quiet_stdout():
        result = counter.count()
    return int(result)


def _count_split(clauses: list[list[int]], bits: Sequence[int], sampling: Sequence[int]
                 ) -> dict[tuple[bool, ...], int]:
    """Projected count of every assignment of ``bits`` that has a model (enumerated by SAT)."""
    from pysat.solvers import Solver

    out: dict[tuple[bool, ...], int] = {}
    with Solver(name=SAT_SOLVER, bootstrap_with=clauses) as solver:
        while solver.solve():
            model = {abs(lit): lit > 0 for lit in solver.get_model()}
            values = tuple(model.get(abs(b), False) == (b > 0) for b in bits)
            units = [[b if v else -b] for b, v in zip(bits, values)]
            c = projected_count(clauses + units, sampling)
            if c <= 0:
                raise SemanticsError(f"internal: SAT found outcome bits {values}, Ganak counts {c} models")
            out[values] = c
            if not bits:
                break
            solver.add_clause([-b if v else b for b, v in zip(bits, values)])
    return out


def _sat_model(clauses: list[list[int]], goal: int) -> dict[int, bool] | None:
    from pysat.solvers import Solver

    with Solver(name=SAT_SOLVER, bootstrap_with=clauses) as solver:
        if not solver.solve(assumptions=[goal]):
            return None
        return {abs(lit): lit > 0 for lit in solver.get_model()}


def count_output_distribution(dlm: DLM, chi: Sequence[int] = (), rule: Rule = Rule.ENFORCE) -> Distribution:
    """The exact output distribution by projected model counting (Ganak) on the CNF unrolling."""
    alg = CnfAlgebra()
    u, keys, bits = _unroll(dlm, alg, chi, rule)
    # The clauses so far define exactly the output cone; the 11 test below adds definitions
    # the counter need not see.
    cone = list(alg.clauses)
    sampling = [alg.var(k) for k in keys]
    bad = _predictions_11(u)
    if bad:
        goal = alg.or_([b for _, _, b in bad])
        model = _sat_model(alg.clauses, goal)
        if model is not None:
            t, j, _ = next((t, j, b) for t, j, b in bad if model.get(abs(b), False) == (b > 0))
            _replay_invalid(dlm, chi, rule, _draws(dlm, lambda key: model.get(alg.var(key), False)), t, j)
    return _distribution(_token_strings(_count_split(cone, bits, sampling)), len(keys))


# --- circuits C(χ, R) ----------------------------------------------------------------------

def _bit_strings(counts: dict[tuple[bool, ...], int]) -> dict[str, int]:
    return {"".join("1" if b else "0" for b in bits): c for bits, c in counts.items()}


def _enumerate_circuit(circuit: Circuit, chi: Sequence[int]) -> dict[tuple[bool, ...], int]:
    """Bit-parallel simulation over every assignment of R, in blocks of up to 2^12."""
    r = len(circuit.randoms)
    low = min(r, 12)
    alg = BitParallelAlgebra(1 << low)
    counts: dict[tuple[bool, ...], int] = {}
    for high in range(1 << (r - low)):
        leaves = {v: alg.const(bool(b)) for v, b in zip(circuit.inputs, chi)}
        for k, v in enumerate(circuit.randoms):
            leaves[v] = alg.pattern(k) if k < low else alg.const(bool((high >> (k - low)) & 1))
        outs = evaluate_outputs(circuit, alg, leaves)
        stack = [(alg.mask, ())]
        while stack:
            sel, prefix = stack.pop()
            if len(prefix) == len(outs):
                counts[prefix] = counts.get(prefix, 0) + sel.bit_count()
                continue
            o = outs[len(prefix)]
            for value, part in ((True, sel & o), (False, sel & ~o)):
                if part:
                    stack.append((part, prefix + (value,)))
    return counts


def circuit_output_distribution(circuit: Circuit, chi: Sequence[int] = (), method: str = "enumerate",
                                *, backend: str = "auto") -> Distribution:
    """The exact distribution of the outputs of ``C(χ, R)``, ``R`` uniform (MODEL.md §1).

    Outcomes are strings over ``0``/``1``, one character per output in order. ``method``:
    ``"enumerate"`` (bit-parallel simulation of every R), ``"bdd"`` or ``"count"`` (Ganak,
    projected on R).
    """
    if len(chi) != len(circuit.inputs):
        raise ValueError(f"χ has {len(chi)} bits, the circuit has {len(circuit.inputs)} inputs")
    r = len(circuit.randoms)
    if method == "enumerate":
        counts = _enumerate_circuit(circuit, chi)
    elif method == "bdd":
        alg = BddAlgebra(backend)
        leaves = {v: alg.const(bool(b)) for v, b in zip(circuit.inputs, chi)}
        keys = [("R", k) for k in range(r)]
        leaves.update((v, alg.var(key)) for v, key in zip(circuit.randoms, keys))
        counts = _bdd_split(alg, evaluate_outputs(circuit, alg, leaves), keys)
    elif method == "count":
        alg = CnfAlgebra()
        leaves = {v: alg.const(bool(b)) for v, b in zip(circuit.inputs, chi)}
        sampling = [alg.var(("R", k)) for k in range(r)]
        leaves.update(zip(circuit.randoms, sampling))
        outs = evaluate_outputs(circuit, alg, leaves)
        counts = _count_split(list(alg.clauses), outs, sampling)
    else:
        raise ValueError(f"unknown method {method!r} (expected one of {', '.join(CIRCUIT_METHODS)})")
    return _distribution(_bit_strings(counts), r)
