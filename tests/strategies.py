"""Hypothesis strategies shared by the tests: small random circuits and DLMs."""
from __future__ import annotations

from hypothesis import strategies as st

from verify.circuits.ir import CircuitBuilder, Op
from verify.dlm.model import DLM, Mode

GATES = [Op.AND, Op.OR, Op.XOR, Op.MAJ, Op.BUF]


@st.composite
def circuits(draw, n_inputs=(1, 4), n_random=(0, 2), n_gates=(1, 8), n_outputs=(1, 3)):
    """A random circuit with named inputs i<k> and random sources r<k>."""
    b = CircuitBuilder("random")
    lits = [b.input(f"i{k}") for k in range(draw(st.integers(*n_inputs)))]
    lits += [b.random(f"r{k}") for k in range(draw(st.integers(*n_random)))]
    if draw(st.booleans()):
        lits.append(b.const(draw(st.booleans())))
    for _ in range(draw(st.integers(*n_gates))):
        op = draw(st.sampled_from(GATES))
        k = 1 if op == Op.BUF else draw(st.integers(1, 3))
        fanins = [draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)) for _ in range(k)]
        lits.append(b.gate(op, fanins))
    for _ in range(draw(st.integers(*n_outputs))):
        b.output(draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)))
    return b.build()


def _random_function(draw, b: CircuitBuilder, leaves: list[int], gates: int) -> int:
    lits = list(leaves) or [b.const(False)]
    for _ in range(gates):
        op = draw(st.sampled_from([Op.AND, Op.OR, Op.XOR]))
        fanins = [draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)) for _ in range(draw(st.integers(1, 3)))]
        lits.append(b.gate(op, fanins))
    return draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1))


@st.composite
def dlms(draw, max_length=3, max_rounds=3, max_rho=2, strategies=True, strategy_random=False):
    """A random small DLM whose predictors never emit 11 (value is forced to 0 under a mask).

    ``strategy_random``: F and G may also read random bits of any position (outside MODEL.md
    §3; the semantics that can must give them the bits drawn that round)."""
    L = draw(st.integers(1, max_length))
    mode = draw(st.sampled_from(list(Mode)))
    rho = [draw(st.integers(0, max_rho)) for _ in range(L)]
    slots = [(j, k) for j in range(L) for k in range(rho[j])]

    def strategy_randoms(b: CircuitBuilder) -> list[int]:
        if not (strategy_random and slots):
            return []
        picked = draw(st.lists(st.sampled_from(slots), max_size=2, unique=True))
        return [b.random(f"r{j}_{k}") for j, k in picked]
    predictor = []
    for i in range(L):
        b = CircuitBuilder(f"p{i}")
        reads = draw(st.lists(st.integers(0, L - 1), min_size=0, max_size=2, unique=True))
        leaves = [b.input(f"{k}{j}") for j in reads for k in ("m", "v")]
        leaves += [b.random(f"r{i}_{k}") for k in range(rho[i])]
        mask = _random_function(draw, b, leaves, draw(st.integers(0, 3)))
        value = _random_function(draw, b, leaves, draw(st.integers(0, 3)))
        b.output(mask, "m")
        b.output(b.gate(Op.AND, [mask ^ 1, value]), "v")
        predictor.append(b.build())
    strategy = remask = None
    if strategies and draw(st.booleans()):
        strategy = []
        for i in range(L):
            b = CircuitBuilder(f"f{i}")
            reads = draw(st.lists(st.integers(0, L - 1), max_size=2, unique=True))
            leaves = [b.input(f"{k}{j}") for j in reads for k in draw(st.sampled_from([("m", "v"), ("ym", "yv")]))]
            leaves += strategy_randoms(b)
            b.output(_random_function(draw, b, leaves, draw(st.integers(0, 2))), "commit")
            strategy.append(b.build())
    if strategies and mode.allows_remask and draw(st.booleans()):
        remask = []
        for i in range(L):
            b = CircuitBuilder(f"g{i}")
            reads = draw(st.lists(st.integers(0, L - 1), max_size=2, unique=True))
            leaves = [b.input(f"{k}{j}") for j in reads for k in draw(st.sampled_from([("m", "v"), ("zm", "zv")]))]
            leaves += strategy_randoms(b)
            b.output(_random_function(draw, b, leaves, draw(st.integers(0, 2))), "remask")
            remask.append(b.build())
    n_in = draw(st.integers(0, min(1, L - 1)))
    inputs = list(range(n_in))
    outputs = list(range(n_in, L))
    return DLM(length=L, rounds=draw(st.integers(0, max_rounds)), mode=mode, predictor=predictor,
               random_bits=rho, outputs=outputs, inputs=inputs, unmask_strategy=strategy, remask=remask)
