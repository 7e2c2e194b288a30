"""Thm 3.2: a circuit as a DLM of length ``O(width)``, by remasking (``thm3.2-remask``) or by
revision (``thm3.2-revise``) (MODEL.md §5).

Round ``l`` computes layer ``l`` of the circuit, as in Thm 3.1, but positions are *reused*:

* A vertex's value is *live* from the round that computes it (its layer) to the last round
  that reads it (``lastuse``: the largest layer of a gate reading it, or of an output that
  reads it). Only live vertices occupy a *slot* position; a vertex no output needs is never
  computed. Slots are allocated greedily by layer (interval partitioning, optimal for intervals):
  with revision a slot can be overwritten in the very round its old value is last read
  (predictors read the state before the round); with remasking the remasking strategy ``G``
  clears it in that round and it is written again at the earliest in the next one.
* Inputs keep their own positions (they are never overwritten), so long wires from inputs
  cost nothing; long wires between gates cost a slot for as long as they are live.
* Each circuit output has its own output position, written in the round of its vertex's layer
  by the vertex's gate (an input output is copied in round 1, a random-source output from its
  slot in round 2) and never changed afterwards.
* A round counter says which round it is: ``binary`` (one register of ``k`` bits, revised in
  place every round) for revision, ``double`` (two registers: the count ``c`` sits in register
  ``c mod 2``; each round one is written from the other and the other is remasked) for
  remasking; ``k = max(1, bitlength(T))``.

A slot's predictor is ``OR_i [count = layer(v_i) - 1] AND gate_i(fan-in positions)`` over the
vertices ``v_i`` it hosts: constant depth (4 gate levels), fan-in ``max(k, #hosted, gate
fan-in + 1)``; its ``F`` commits exactly in those rounds (and, remasking, only into a masked
slot); its ``G`` remasks in the rounds ``lastuse(v_i)``.

Exact formulas attained (checked on every compiled circuit):
``rounds T = max over outputs of (layer of the output vertex; 1 for an input; 2 for a random
source)`` — ``T = d`` when some output has depth ``d``;
``length = inputs + outputs + S + counter`` with ``S`` = the maximum number of simultaneously
live vertices (revision: vertices ``v`` with ``layer(v) <= l < lastuse(v)`` plus those of layer
``l``; remasking: ``layer(v) <= l <= lastuse(v)``), and ``counter = k`` (revise) or ``2k``
(remask). ``S`` is at most the width of the circuit made strictly layered by identity copies
(``w'``), and at least ``w`` restricted to needed vertices.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..circuits.ir import Circuit, Op
from ..dlm.model import DLM, Mode
from .base import (MASK, Compiled, Counter, LazyCircuits, PositionCircuit, decode_count, lit_sym)


@dataclass(frozen=True)
class Hosted:
    vertex: int
    layer: int
    lastuse: int


@dataclass(frozen=True)
class OutputSlot:
    kind: str          # gate | const | input | random
    vertex: int
    neg: int
    round: int         # the round that writes it


def liveness(circuit: Circuit) -> tuple[dict[int, int], list[OutputSlot]]:
    """``lastuse`` of every vertex that needs a slot, and the output positions' plan."""
    layers = circuit.layers
    V = circuit.vertices
    need = [0] * len(V)
    outs = []
    for literal in circuit.outputs:
        v, neg = literal >> 1, literal & 1
        op = V[v].op
        if op == Op.INPUT:
            outs.append(OutputSlot("input", v, neg, 1))
        elif op == Op.CONST:
            outs.append(OutputSlot("const", v, neg, 1))
        elif op == Op.RANDOM:
            outs.append(OutputSlot("random", v, neg, 2))
            need[v] = max(need[v], 2)
        else:
            outs.append(OutputSlot("gate", v, neg, layers[v]))
            for f in V[v].fanins:
                u = f >> 1
                if V[u].op not in (Op.INPUT, Op.CONST):
                    need[u] = max(need[u], layers[v])
    for v in range(len(V) - 1, -1, -1):
        if need[v] and V[v].fanins:
            for f in V[v].fanins:
                u = f >> 1
                if V[u].op not in (Op.INPUT, Op.CONST):
                    need[u] = max(need[u], layers[v])
    return {v: lu for v, lu in enumerate(need) if lu}, outs


def allocate(circuit: Circuit, lastuse: dict[int, int], remask: bool) -> list[list[Hosted]]:
    """Greedy interval partitioning of the live intervals into slots (by layer)."""
    layers = circuit.layers
    order = sorted(lastuse, key=lambda v: (layers[v], v))
    free: list[tuple[int, int]] = []   # (free from round, slot)
    slots: list[list[Hosted]] = []
    for v in order:
        lay = layers[v]
        if free and free[0][0] <= lay:
            _, s = heapq.heappop(free)
        else:
            s = len(slots)
            slots.append([])
        lu = lastuse[v]
        slots[s].append(Hosted(v, lay, lu))
        heapq.heappush(free, (lu + 1 if remask else lu, s))
    return slots


def max_live(circuit: Circuit, lastuse: dict[int, int], remask: bool) -> int:
    """The largest number of slots any allocation needs (max overlap of the live intervals)."""
    layers = circuit.layers
    ev: dict[int, int] = {}
    for v, lu in lastuse.items():
        ev[layers[v]] = ev.get(layers[v], 0) + 1
        end = lu + 1 if remask else lu
        ev[end] = ev.get(end, 0) - 1
    cur = best = 0
    for r in sorted(ev):
        cur += ev[r]
        best = max(best, cur)
    return best


def strict_width(circuit: Circuit) -> int:
    """``w'``: the width after making the circuit strictly layered by identity copies of gates,
    random sources and constants (inputs stay readable at every layer)."""
    layers = circuit.layers
    V = circuit.vertices
    last = [0] * len(V)
    for v, vx in enumerate(V):
        for f in vx.fanins:
            last[f >> 1] = max(last[f >> 1], layers[v])
    diff = [0] * (circuit.depth + 2)
    for v, vx in enumerate(V):
        if vx.op == Op.INPUT:
            continue
        lay = layers[v]
        end = max(lay, last[v] - 1)     # copies at layers lay+1 .. last-1
        diff[lay] += 1
        diff[end + 1] -= 1
    cur = best = 0
    for x in diff:
        cur += x
        best = max(best, cur)
    return best


def _compile(circuit: Circuit, remask: bool) -> Compiled:
    name = "thm3.2-remask" if remask else "thm3.2-revise"
    V = circuit.vertices
    lastuse, outs = liveness(circuit)
    slots = allocate(circuit, lastuse, remask)
    n_in = len(circuit.inputs)
    S = len(slots)
    m = len(outs)
    T = max((o.round for o in outs), default=0)
    k = max(1, T.bit_length())
    first_slot = n_in
    first_out = n_in + S
    first_ctr = first_out + m
    if remask:
        counter = Counter("double", (tuple(range(first_ctr, first_ctr + k)),
                                     tuple(range(first_ctr + k, first_ctr + 2 * k))))
    else:
        counter = Counter("binary", (tuple(range(first_ctr, first_ctr + k)),))
    L = first_ctr + len(counter.positions())
    cwhere = counter.where()
    pos: dict[int, int] = {v: i for i, v in enumerate(circuit.inputs)}
    for s, hosted in enumerate(slots):
        for h in hosted:
            pos.setdefault(h.vertex, first_slot + s)

    def fanin_literal(pc: PositionCircuit, f: int) -> int:
        u = f >> 1
        if V[u].op == Op.CONST:
            return pc.const(False) ^ (f & 1)
        return pc.v(pos[u]) ^ (f & 1)

    def gate_value(pc: PositionCircuit, v: int) -> int:
        vx = V[v]
        if vx.op == Op.RANDOM:
            return pc.r(0)
        return pc.gate(vx.op, [fanin_literal(pc, f) for f in vx.fanins])

    def kind(p: int) -> str:
        if p < first_slot:
            return "input"
        if p < first_out:
            return "slot"
        if p < first_ctr:
            return "output"
        return "counter"

    def predictor(p: int):
        pc = PositionCircuit(p, f"P{p}")
        kd = kind(p)
        if kd == "input":
            return pc.done(pc.const(True), pc.const(False))
        if kd == "slot":
            terms = [pc.and_(decode_count(pc, counter, h.layer - 1), gate_value(pc, h.vertex))
                     for h in slots[p - first_slot]]
            return pc.done(pc.const(False), pc.or_(*terms))
        if kd == "output":
            o = outs[p - first_out]
            if o.kind == "const":
                val = pc.const(bool(o.neg))
            elif o.kind == "input":
                val = pc.v(pos[o.vertex]) ^ o.neg
            elif o.kind == "random":
                val = pc.v(pos[o.vertex]) ^ o.neg
            else:
                val = gate_value(pc, o.vertex) ^ o.neg
            return pc.done(pc.const(False), val)
        b, i = cwhere[p]
        src = counter.registers[1 - b] if remask else counter.registers[0]
        carry = pc.and_(*[pc.v(q) for q in src[:i]])
        return pc.done(pc.const(False), pc.xor(pc.v(src[i]), carry))

    def strategy(p: int):
        pc = PositionCircuit(p, f"F{p}")
        kd = kind(p)
        if kd == "input":
            return pc.done(pc.const(False))
        if kd == "slot":
            when = pc.or_(*[decode_count(pc, counter, h.layer - 1) for h in slots[p - first_slot]])
            return pc.done(pc.and_(pc.m(p), when) if remask else when)
        if kd == "output":
            o = outs[p - first_out]
            return pc.done(pc.and_(pc.m(p), decode_count(pc, counter, o.round - 1)))
        if not remask:
            return pc.done(pc.const(True))
        b, _ = cwhere[p]
        if b == 1:
            return pc.done(pc.m(p))
        return pc.done(pc.and_(pc.m(p), pc.m(counter.registers[1][0]) ^ 1))

    def remasking(p: int):
        pc = PositionCircuit(p, f"G{p}")
        kd = kind(p)
        if kd == "slot":
            return pc.done(pc.or_(*[decode_count(pc, counter, h.lastuse - 1) for h in slots[p - first_slot]]))
        if kd == "counter":
            return pc.done(pc.m(p) ^ 1)
        return pc.done(pc.const(False))

    random_bits = [0] * L
    random_map = {}
    for s, hosted in enumerate(slots):
        for h in hosted:
            if V[h.vertex].op == Op.RANDOM:
                random_bits[first_slot + s] = 1
                random_map[h.vertex] = (first_slot + s, 0, 1)

    dlm = DLM(length=L, rounds=T, mode=Mode.REMASK if remask else Mode.REVISE,
              predictor=LazyCircuits(L, predictor), random_bits=random_bits,
              outputs=list(range(first_out, first_ctr)), inputs=list(range(n_in)),
              unmask_strategy=LazyCircuits(L, strategy),
              remask=LazyCircuits(L, remasking) if remask else None,
              name=f"{name}({circuit.name})")

    def content(p: int):
        kd = kind(p)
        if kd == "input":
            return [(0, lit_sym(2 * circuit.inputs[p]))]
        if kd == "slot":
            bps = [(0, MASK)]
            for h in slots[p - first_slot]:
                bps.append((h.layer, lit_sym(2 * h.vertex)))
                if remask:
                    bps.append((h.lastuse, MASK))
            return bps
        if kd == "output":
            o = outs[p - first_out]
            return [(0, MASK), (o.round, lit_sym(2 * o.vertex + o.neg))]
        raise ValueError(f"position {p} is a counter position; its content is the count")

    ctr_positions = frozenset(counter.positions())

    def reads(p: int) -> set[int]:
        dl = dlm
        out = set(dl.predictor_wiring(p).state_reads) | set(dl.strategy_wiring(p).state_reads) | {p}
        if remask:
            out |= set(dl.remask_wiring(p).state_reads)
        return out

    def cases(p: int):
        kd = kind(p)
        if T == 0:
            return []
        rd = reads(p)
        idle = frozenset(rd - {p} - ctr_positions)
        if kd == "input":
            return [(1, T, frozenset(rd - {p}))]
        if kd == "counter":
            return [(1, T, frozenset())]
        events: dict[int, frozenset] = {}
        if kd == "slot":
            for h in slots[p - first_slot]:
                vx = V[h.vertex]
                fan = {pos[f >> 1] for f in vx.fanins if V[f >> 1].op != Op.CONST}
                events[h.layer] = frozenset(rd - {p} - ctr_positions - fan)
                if remask:
                    events[h.lastuse] = idle
        else:
            o = outs[p - first_out]
            if o.kind == "gate":
                fan = {pos[f >> 1] for f in V[o.vertex].fanins if V[f >> 1].op != Op.CONST}
            elif o.kind in ("input", "random"):
                fan = {pos[o.vertex]}
            else:
                fan = set()
            events[o.round] = frozenset(rd - {p} - ctr_positions - fan)
        out = []
        nxt = 1
        for r in sorted(events):
            if r > T:
                continue
            if r > nxt:
                out.append((nxt, r - 1, idle))
            out.append((r, r, events[r]))
            nxt = r + 1
        if nxt <= T:
            out.append((nxt, T, idle))
        return out

    # peak unmasked: sweep over rounds 0..T
    diff = [0] * (T + 2)

    def interval(a: int, b: int) -> None:  # unmasked after rounds a..b
        if a <= b:
            diff[a] += 1
            diff[b + 1] -= 1

    for _ in range(n_in):
        interval(0, T)
    for hosted in slots:
        if remask:
            for h in hosted:
                interval(h.layer, h.lastuse - 1)
        elif hosted:
            interval(hosted[0].layer, T)
    for o in outs:
        interval(o.round, T)
    reg = k
    for _ in range(reg):
        interval(1, T)
    peak, cur = 0, 0
    for x in diff[:T + 1]:
        cur += x
        peak = max(peak, cur)

    live = max_live(circuit, lastuse, remask)
    stats = {
        "construction": name, "rounds": T, "length": L, "peak_unmasked": peak,
        "inputs": n_in, "outputs": m, "slots": S, "max_live": live,
        "counter_bits": len(counter.positions()), "width": circuit.width,
        "strict_width": strict_width(circuit), "computed_vertices": len(lastuse),
    }
    formulas = {
        "rounds": "T = max(layer of each output vertex; 1 for inputs; 2 for random sources) = d when an output has depth d",
        "length": ("inputs + outputs + S + " + ("2k" if remask else "k") +
                   ", S = max live vertices (<= w'), k = max(1, bitlength(T))"),
    }
    return Compiled(name, dlm, circuit, pos, random_map, stats, content, cases, counter, formulas)


def compile_thm32_remask(circuit: Circuit) -> Compiled:
    return _compile(circuit, remask=True)


def compile_thm32_revise(circuit: Circuit) -> Compiled:
    return _compile(circuit, remask=False)
