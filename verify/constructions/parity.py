"""Thm 4.1 / 4.2: samplers of ``D⊕n`` (uniform over even-parity strings) for every ``n``, in a
number of rounds that does not depend on ``n``, with predictors of constant locality and depth.

Both realise the NC0 map of MODEL.md §5: coins ``c_0 .. c_{n-2}`` (``c_{-1} = c_{n-1} = 0``)
and ``x_i = c_i XOR c_{i-1}``.

``parity-revise`` (Thm 4.1, ``revise``, 2 rounds, ``L = n``, one random bit per position):
round 1 every (masked) position reveals its coin ``c_i``; round 2 every position revises
itself to ``c_i XOR c_{i-1}`` (the last one to ``c_{n-2}``). Locality 2, gate depth 3.

``parity-remask`` (Thm 4.2, ``remask``, 2 rounds, ``L = n``): the design of
``specs/parity-remask.toml`` (branch ``checks``) as a compiler. Round 1 (detected as "position
0 is masked") every position predicts its coin (the last one ``a``), ``F`` commits into masked
positions, and ``G`` masks position ``i >= 1`` again iff ``c_{i-1} = 1``; so a masked position
``i`` after round 1 means "flip", and ``c_i = 1`` iff position ``i+1`` is masked. Round 2 a
masked position writes ``NOT c_i`` (the last one 1). Locality 3 (own, ``i+1`` and position 0
for the predictor; ``z_{i-1}`` for ``G``).

``n = 1``: ``D⊕1`` is the string ``0``; one round, the position writes ``a``.
"""
from __future__ import annotations

from ..dlm.model import DLM, Mode
from .base import Compiled, PositionCircuit


def _single() -> tuple[list, list]:
    pc = PositionCircuit(0, "P0")
    return [pc.done(pc.const(False), pc.const(False))], [0]


def compile_parity_revise(n: int) -> Compiled:
    if n == 1:
        pred, bits = _single()
        dlm = DLM(length=1, rounds=1, mode=Mode.REVISE, predictor=pred, random_bits=bits,
                  outputs=[0], name="parity-revise(1)")
    else:
        pred = []
        for i in range(n):
            pc = PositionCircuit(i, f"P{i}")
            if i == 0:
                later = pc.v(0)
            elif i == n - 1:
                later = pc.v(i - 1)
            else:
                later = pc.xor(pc.v(i), pc.v(i - 1))
            m = pc.m(i)
            value = pc.or_(pc.and_(m, pc.r(0)), pc.and_(m ^ 1, later))
            pred.append(pc.done(pc.const(False), value))
        dlm = DLM(length=n, rounds=2, mode=Mode.REVISE, predictor=pred, random_bits=[1] * n,
                  outputs=list(range(n)), name=f"parity-revise({n})")
    return _done("parity-revise", dlm, n)


def compile_parity_remask(n: int) -> Compiled:
    if n == 1:
        pred, bits = _single()
        dlm = DLM(length=1, rounds=1, mode=Mode.REMASK, predictor=pred, random_bits=bits,
                  outputs=[0], name="parity-remask(1)")
        return _done("parity-remask", dlm, n)
    pred, strat, rem = [], [], []
    for i in range(n):
        pc = PositionCircuit(i, f"P{i}")
        m, v, m0 = pc.m(i), pc.v(i), pc.m(0)
        if i == 0:
            fresh = pc.r(0)
        elif i == n - 1:
            fresh = m0 ^ 1                        # round 1: a; round 2 (flip): b
        else:
            coin = pc.or_(pc.and_(m0, pc.r(0)), pc.and_(m0 ^ 1, pc.m(i + 1) ^ 1))
            fresh = coin
        value = pc.or_(pc.and_(m, fresh), pc.and_(m ^ 1, v))
        pred.append(pc.done(pc.const(False), value))
        f = PositionCircuit(i, f"F{i}")
        strat.append(f.done(f.m(i)))
        g = PositionCircuit(i, f"G{i}")
        if i == 0:
            rem.append(g.done(g.const(False)))
        else:
            rem.append(g.done(g.and_(g.m(0), g.leaf(f"zv{i - 1}"))))
    dlm = DLM(length=n, rounds=2, mode=Mode.REMASK, predictor=pred,
              random_bits=[1 if i < n - 1 else 0 for i in range(n)], outputs=list(range(n)),
              unmask_strategy=strat, remask=rem, name=f"parity-remask({n})")
    return _done("parity-remask", dlm, n)


def _done(name: str, dlm: DLM, n: int) -> Compiled:
    stats = {"construction": name, "n": n, "rounds": dlm.rounds, "length": dlm.length,
             "peak_unmasked": dlm.length}
    formulas = {"rounds": "2 (1 for n = 1)", "length": "n"}
    return Compiled(name, dlm, None, {}, {}, stats, formulas=formulas)
