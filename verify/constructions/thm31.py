"""Thm 3.1 (``thm3.1``) and the autoregressive baseline of Li et al. 2024 (``ar-cot``).

Both give every vertex of the circuit its own position (MODEL.md §5): the inputs ``χ`` are the
DLM's input positions, every other vertex ``v`` gets position ``p(v)``, and a circuit output
that cannot be read off a vertex's own position (a complemented output, an output listed
twice, an input or a complemented random source) gets one extra *output copy* position.

``thm3.1`` (plain, chain of thought): position ``p(v)`` unmasks exactly when it is masked and
all its fan-in positions are unmasked, and then holds ``v``'s value; so after round ``l``
exactly the vertices of layers ``<= l`` are revealed, and the DLM finishes in ``d`` rounds.
A random source's position draws its own private random bit in round 1. The predictor of a
gate of fan-in ``k`` is ``mask = NOT AND(revealed fan-ins)``, ``value = AND(ready, gate)``:
gate depth 2 and fan-in ``max(k, 2)``, whatever the circuit; the unmasking strategy is
``F_p = m_p`` (commit only into a masked position, so the plain rule holds in every state).

``ar-cot``: the same positions revealed one per round in a fixed (topological) order: a
position unmasks when it is masked and its predecessor in the order is unmasked, so the
DLM needs exactly one round per non-input position (``N`` plus output copies).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..circuits.ir import Circuit, Op
from ..dlm.model import DLM, Mode
from .base import (MASK, Compiled, LazyCircuits, PositionCircuit, lit_sym)


@dataclass(frozen=True)
class Slot:
    kind: str                      # input | random | const | gate | copy
    vertex: int
    op: Op | None = None
    fanins: tuple[tuple[int, int], ...] = ()   # (position, complemented)
    neg: int = 0                   # output complemented
    layer: int = 0


def vertex_slots(circuit: Circuit) -> tuple[list[Slot], dict[int, int], list[int]]:
    """Positions of Thm 3.1: (slots, vertex -> position, output positions)."""
    layers = circuit.layers
    pos: dict[int, int] = {}
    slots: list[Slot] = []
    for v in circuit.inputs:
        pos[v] = len(slots)
        slots.append(Slot("input", v))
    for v, vx in enumerate(circuit.vertices):
        if vx.op == Op.INPUT:
            continue
        pos[v] = len(slots)
        if vx.op == Op.RANDOM:
            slots.append(Slot("random", v, layer=1))
        elif vx.op == Op.CONST:
            slots.append(Slot("const", v, layer=1))
        else:
            slots.append(Slot("gate", v, vx.op, tuple((pos[f >> 1], f & 1) for f in vx.fanins), 0, layers[v]))
    outputs: list[int] = []
    taken: set[int] = set()
    for literal in circuit.outputs:
        v, neg = literal >> 1, literal & 1
        vx = circuit.vertices[v]
        if not neg and vx.op != Op.INPUT and v not in taken:
            taken.add(v)
            outputs.append(pos[v])
            continue
        p = len(slots)
        if vx.op == Op.INPUT:
            slots.append(Slot("copy", v, Op.BUF, ((pos[v], 0),), neg, 1))
        elif vx.op == Op.RANDOM:
            slots.append(Slot("copy", v, Op.BUF, ((pos[v], 0),), neg, 2))
        elif vx.op == Op.CONST:
            slots.append(Slot("const", v, neg=neg, layer=1))
        else:
            slots.append(Slot("gate", v, vx.op, tuple((pos[f >> 1], f & 1) for f in vx.fanins), neg, layers[v]))
        outputs.append(p)
    return slots, pos, outputs


def _predictor(slot: Slot, p: int, ready_positions: list[int] | None) -> Circuit:
    """``ready_positions``: the positions that must be unmasked before ``p`` unmasks."""
    pc = PositionCircuit(p, f"P{p}")
    if slot.kind == "input":
        return pc.done(pc.const(True), pc.const(False))   # always M (and never committed)
    if slot.kind == "random":
        g = pc.r(0) ^ slot.neg
    elif slot.kind == "const":
        g = pc.const(bool(slot.neg))
    else:
        g = pc.gate(slot.op, [pc.v(q) ^ c for q, c in slot.fanins]) ^ slot.neg
    if not ready_positions:
        return pc.done(pc.const(False), g)
    ready = pc.and_(*[pc.m(q) ^ 1 for q in ready_positions])
    return pc.done(ready ^ 1, pc.and_(ready, g))


def _commit_if_masked(p: int) -> Circuit:
    pc = PositionCircuit(p, f"F{p}")
    return pc.done(pc.m(p))


def _compile(circuit: Circuit, construction: str) -> Compiled:
    slots, pos, outputs = vertex_slots(circuit)
    L = len(slots)
    n_in = len(circuit.inputs)
    ar = construction == "ar-cot"
    # the round in which each position unmasks
    if ar:
        order = list(range(n_in, L))
        when = {p: k + 1 for k, p in enumerate(order)}
        prev = {p: (order[k - 1] if k else None) for k, p in enumerate(order)}
        rounds = len(order)
    else:
        when = {p: slots[p].layer for p in range(n_in, L)}
        rounds = max(when.values(), default=0)

    def ready_positions(p: int) -> list[int]:
        if ar:
            return [prev[p]] if prev.get(p) is not None else []
        return sorted({q for q, _ in slots[p].fanins})

    def predictor(p: int) -> Circuit:
        return _predictor(slots[p], p, ready_positions(p))

    dlm = DLM(length=L, rounds=rounds, mode=Mode.PLAIN,
              predictor=LazyCircuits(L, predictor),
              random_bits=[1 if s.kind == "random" else 0 for s in slots],
              outputs=outputs, inputs=list(range(n_in)),
              unmask_strategy=LazyCircuits(L, _commit_if_masked),
              name=f"{construction}({circuit.name})")

    def value_literal(s: Slot) -> int:
        return 2 * s.vertex + s.neg

    def content(p: int):
        s = slots[p]
        if s.kind == "input":
            return [(0, lit_sym(2 * s.vertex))]
        return [(0, MASK), (when[p], lit_sym(value_literal(s)))]

    def cases(p: int):
        s = slots[p]
        reads = set(q for q, _ in s.fanins) | set(ready_positions(p)) | {p}
        if s.kind == "input":
            return [(1, rounds, frozenset(reads - {p}))] if rounds else []
        lam = when[p]
        out = []
        if lam > 1:
            # some position it waits for is still masked before round lam
            if ar:
                blocker = prev[p]
            else:
                blocker = max((q for q, _ in s.fanins), key=lambda q: when.get(q, 0))
            out.append((1, lam - 1, frozenset(reads - {p, blocker})))
        out.append((lam, lam, frozenset()))
        if lam < rounds:
            out.append((lam + 1, rounds, frozenset(reads - {p})))
        return out

    random_map = {s.vertex: (p, 0, when[p]) for p, s in enumerate(slots) if s.kind == "random"}
    extra = L - n_in - circuit.size
    stats = {
        "construction": construction, "rounds": rounds, "length": L,
        "peak_unmasked": L, "inputs": n_in, "outputs": len(outputs), "output_copies": extra,
        "random_bits": len(random_map),
    }
    if ar:
        formulas = {"rounds": "N + output_copies", "length": "inputs + N + output_copies"}
    else:
        formulas = {"rounds": "d (max(d, 1 or 2) if an output is an input / copied random source)",
                    "length": "inputs + N + output_copies"}
    return Compiled(construction, dlm, circuit, dict(pos), random_map, stats, content, cases, None, formulas)


def compile_thm31(circuit: Circuit) -> Compiled:
    return _compile(circuit, "thm3.1")


def compile_ar(circuit: Circuit) -> Compiled:
    return _compile(circuit, "ar-cot")
