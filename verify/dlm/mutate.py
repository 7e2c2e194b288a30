"""Mutants of a DLM for the mutation tests of the rule checks (issue 3, item 5).

Each mutant breaks exactly one property of MODEL.md §4 at one position, by rewriting that
position's circuit in the IR (so it works for any DLM, built-in or from a spec):

===================  ===========================================  =====================
mutant               what changes                                 must be refuted by
===================  ===========================================  =====================
foreign_random       ``P_i``'s value xors in ``r_j`` (j ≠ i)        ``independence``
random_strategy      ``F_i`` / ``G_i`` xors in a random bit          ``independence``
overwrite_revealed   ``P_i`` flips a revealed token (F commits it)  ``mode`` (plain, remask)
remask_revealed      ``P_i`` outputs ``M`` at a revealed ``b``         ``mode`` (plain, revise)
emit_11              ``P_i`` outputs ``11`` at a revealed ``a``        ``encoding``
output_left_masked   output ``P_o`` always outputs ``M`` when masked  ``termination``
fewer_rounds         ``T - 1`` rounds                               ``termination``
negate_value         ``P_i``'s letter complemented (one XOR)        ``coupling`` (compiled)
===================  ===========================================  =====================
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from ..circuits.ir import Circuit, CircuitBuilder, Op
from .model import DLM

#: (builder, outputs, leaf) -> new outputs; leaf(name, random=False) gives a literal
Rewrite = Callable[[CircuitBuilder, list[int], Callable[..., int]], list[int]]


def rewrite(circuit: Circuit, fn: Rewrite) -> Circuit:
    """A copy of ``circuit`` whose outputs are replaced by ``fn``'s (new gates may be added)."""
    b = CircuitBuilder(circuit.name + "~")
    for v in circuit.vertices:
        if v.op == Op.INPUT:
            b.input(v.name)
        elif v.op == Op.RANDOM:
            b.random(v.name)
        elif v.op == Op.CONST:
            b._add(v)  # keep indices: the copy is vertex for vertex
        else:
            b.gate(v.op, v.fanins, v.name)
    names = {v.name: 2 * k for k, v in enumerate(circuit.vertices) if v.op in (Op.INPUT, Op.RANDOM)}

    def leaf(name: str, random: bool = False) -> int:
        if name not in names:
            names[name] = b.random(name) if random else b.input(name)
        return names[name]
    outs = fn(b, list(circuit.outputs), leaf)
    for lit_, name in zip(outs, circuit.output_names):
        b.output(lit_, name)
    return b.build()


def with_circuit(dlm: DLM, role: str, i: int, circuit: Circuit, **changes) -> DLM:
    seq = list(getattr(dlm, role))
    seq[i] = circuit
    return dataclasses.replace(dlm, _cache={}, **{role: seq}, **changes)


def _and(b, *xs):
    return b.gate(Op.AND, xs)


def _or(b, *xs):
    return b.gate(Op.OR, xs)


def foreign_random(dlm: DLM, i: int) -> DLM | None:
    j = next((j for j in range(dlm.length) if j != i and dlm.random_bits[j] > 0), None)
    if j is None:
        return None
    c = rewrite(dlm.predictor[i], lambda b, o, leaf: [o[0], b.gate(Op.XOR, [o[1], leaf(f"r{j}_0", True)])])
    return with_circuit(dlm, "predictor", i, c)


def random_strategy(dlm: DLM, i: int) -> DLM | None:
    role = "unmask_strategy" if dlm.unmask_strategy is not None else ("remask" if dlm.remask is not None else None)
    j = next((j for j in range(dlm.length) if dlm.random_bits[j] > 0), None)
    if role is None or j is None:
        return None
    c = rewrite(getattr(dlm, role)[i], lambda b, o, leaf: [b.gate(Op.XOR, [o[0], leaf(f"r{j}_0", True)])])
    return with_circuit(dlm, role, i, c)


def overwrite_revealed(dlm: DLM, i: int) -> DLM:
    """At a revealed position the predictor outputs the other letter, and F commits it."""
    def fn(b, o, leaf):
        m, v = leaf(f"m{i}"), leaf(f"v{i}")
        revealed = m ^ 1
        return [_and(b, o[0], m), _or(b, _and(b, m, o[1]), _and(b, revealed, v ^ 1))]
    out = with_circuit(dlm, "predictor", i, rewrite(dlm.predictor[i], fn))
    if dlm.unmask_strategy is not None:
        out = with_circuit(out, "unmask_strategy", i,
                           rewrite(dlm.unmask_strategy[i], lambda b, o, leaf: [b.const(True)]))
    return out


def remask_revealed(dlm: DLM, i: int) -> DLM:
    """At a revealed ``b`` the predictor outputs ``M`` (F commits it)."""
    def fn(b, o, leaf):
        hit = _and(b, leaf(f"m{i}") ^ 1, leaf(f"v{i}"))
        return [_or(b, o[0], hit), _and(b, o[1], hit ^ 1)]
    out = with_circuit(dlm, "predictor", i, rewrite(dlm.predictor[i], fn))
    if dlm.unmask_strategy is not None:
        out = with_circuit(out, "unmask_strategy", i,
                           rewrite(dlm.unmask_strategy[i], lambda b, o, leaf: [b.const(True)]))
    return out


def emit_11(dlm: DLM, i: int) -> DLM:
    """At a revealed ``a`` the predictor outputs the non-token ``11``."""
    def fn(b, o, leaf):
        hit = _and(b, leaf(f"m{i}") ^ 1, leaf(f"v{i}") ^ 1)
        return [_or(b, o[0], hit), _or(b, o[1], hit)]
    return with_circuit(dlm, "predictor", i, rewrite(dlm.predictor[i], fn))


def output_left_masked(dlm: DLM, o: int) -> DLM:
    """The output position predicts ``M`` whenever it is masked."""
    def fn(b, out, leaf):
        m = leaf(f"m{o}")
        return [_or(b, out[0], m), _and(b, out[1], m ^ 1)]
    return with_circuit(dlm, "predictor", o, rewrite(dlm.predictor[o], fn))


def negate_value(dlm: DLM, i: int) -> DLM:
    """``P_i``'s value bit is complemented whenever it predicts a letter (``value XOR NOT
    mask``): one wrong gate in a compiled DLM, which still emits tokens only (the negative
    control of the coupling checks)."""
    return with_circuit(dlm, "predictor", i,
                        rewrite(dlm.predictor[i], lambda b, o, leaf: [o[0], b.gate(Op.XOR, [o[1], o[0] ^ 1])]))


def fewer_rounds(dlm: DLM) -> DLM | None:
    if dlm.rounds == 0:
        return None
    return dataclasses.replace(dlm, _cache={}, rounds=dlm.rounds - 1)


def mutants(dlm: DLM, i: int = 1) -> list[tuple[str, str, DLM]]:
    """(mutant name, check that must refute it, DLM) for every mutant that applies to ``dlm``."""
    i = min(i, dlm.length - 1)
    out: list[tuple[str, str, DLM | None]] = [
        ("foreign_random", "independence", foreign_random(dlm, i)),
        ("random_strategy", "independence", random_strategy(dlm, i)),
        ("emit_11", "encoding", emit_11(dlm, i)),
        ("output_left_masked", "termination", output_left_masked(dlm, dlm.outputs[-1]) if dlm.outputs else None),
        ("fewer_rounds", "termination", fewer_rounds(dlm)),
    ]
    if dlm.mode.value in ("plain", "remask"):
        out.append(("overwrite_revealed", "mode", overwrite_revealed(dlm, i)))
    if dlm.mode.value in ("plain", "revise"):
        out.append(("remask_revealed", "mode", remask_revealed(dlm, i)))
    return [(n, c, d) for n, c, d in out if d is not None]
