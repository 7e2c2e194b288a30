"""The CNF and z3 encodings agree with brute-force truth tables (STYLE.md §7).

Random small circuits (hypothesis): for every assignment of the leaves, the CNF (with the leaves
fixed by assumptions) forces each output to exactly the simulator's value, and the number of
models projected on the leaves with output 0 true equals the truth-table count (counted with
pysat and blocking clauses); the same for z3 terms.
"""
from __future__ import annotations

import itertools

import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from pysat.solvers import Solver

from verify.circuits.evaluate import BOOL, evaluate_outputs
from verify.circuits.ir import CircuitBuilder, Op
from verify.encode.cnf import CnfAlgebra
from verify.encode.smt import Z3Algebra


@st.composite
def circuits(draw):
    b = CircuitBuilder("random")
    n_in = draw(st.integers(1, 4))
    n_rand = draw(st.integers(0, 2))
    lits = [b.input(f"i{k}") for k in range(n_in)] + [b.random(f"r{k}") for k in range(n_rand)]
    if draw(st.booleans()):
        lits.append(b.const(draw(st.booleans())))
    for _ in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from([Op.AND, Op.OR, Op.XOR, Op.MAJ, Op.BUF]))
        k = 1 if op == Op.BUF else draw(st.integers(1, 4))
        fanins = [draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)) for _ in range(k)]
        lits.append(b.gate(op, fanins))
    for k in range(draw(st.integers(1, 3))):
        b.output(draw(st.sampled_from(lits)) ^ draw(st.integers(0, 1)))
    return b.build()


def _leaves(circuit):
    return list(circuit.inputs) + list(circuit.randoms)


def truth_table(circuit):
    leaves = _leaves(circuit)
    for bits in itertools.product((False, True), repeat=len(leaves)):
        yield bits, evaluate_outputs(circuit, BOOL, dict(zip(leaves, bits)))


@settings(max_examples=60, deadline=None)
@given(circuits())
def test_cnf_matches_truth_table(circuit):
    alg = CnfAlgebra()
    leaves = _leaves(circuit)
    leaf_vars = {v: alg.var(v) for v in leaves}
    outs = evaluate_outputs(circuit, alg, leaf_vars)
    with Solver(name="cadical153", bootstrap_with=alg.clauses) as s:
        count = 0
        for bits, expected in truth_table(circuit):
            assume = [leaf_vars[v] if b else -leaf_vars[v] for v, b in zip(leaves, bits)]
            for lit, want in zip(outs, expected):
                assert s.solve(assumptions=assume + [lit if want else -lit])
                assert not s.solve(assumptions=assume + [-lit if want else lit])
            count += expected[0]
    # projected model count of "output 0 is true" by blocking clauses
    with Solver(name="cadical153", bootstrap_with=alg.clauses + [[outs[0]]]) as s:
        found = 0
        while s.solve():
            model = set(s.get_model())
            found += 1
            s.add_clause([-leaf_vars[v] if leaf_vars[v] in model else leaf_vars[v] for v in leaves]
                         or [-alg.true])
            assert found <= 2 ** len(leaves)
    assert found == count


@settings(max_examples=60, deadline=None)
@given(circuits())
def test_z3_matches_truth_table(circuit):
    alg = Z3Algebra()
    leaves = _leaves(circuit)
    leaf_vars = {v: alg.var(v) for v in leaves}
    outs = evaluate_outputs(circuit, alg, leaf_vars)
    s = z3.Solver(ctx=alg.ctx)
    count = 0
    for bits, expected in truth_table(circuit):
        assume = [leaf_vars[v] if b else alg.neg(leaf_vars[v]) for v, b in zip(leaves, bits)]
        for term, want in zip(outs, expected):
            assert s.check(*assume, term if want else alg.neg(term)) == z3.sat
            assert s.check(*assume, alg.neg(term) if want else term) == z3.unsat
        count += expected[0]
    s.add(outs[0])
    found = 0
    while s.check() == z3.sat:
        m = s.model()
        found += 1
        s.add(alg.or_([alg.neg(leaf_vars[v]) if z3.is_true(m.eval(leaf_vars[v], model_completion=True))
                       else leaf_vars[v] for v in leaves]))
        assert found <= 2 ** len(leaves)
    assert found == count


def test_cnf_constants_are_folded():
    alg = CnfAlgebra()
    x = alg.var("x")
    before = len(alg.clauses)
    assert alg.and_([x, alg.const(True)]) == x
    assert alg.and_([x, -x]) == alg.const(False)
    assert alg.or_([x, alg.const(True)]) == alg.const(True)
    assert alg.xor([x, x, alg.const(True)]) == alg.const(True)
    assert alg.xor([x, alg.const(True)]) == -x
    assert len(alg.clauses) == before


def test_cnf_at_least_counts():
    alg = CnfAlgebra()
    xs = [alg.var(k) for k in range(5)]
    for k in range(7):
        lit = alg.at_least(xs, k)
        with Solver(name="cadical153", bootstrap_with=alg.clauses) as s:
            for bits in itertools.product((0, 1), repeat=5):
                assume = [x if b else -x for x, b in zip(xs, bits)]
                assert s.solve(assumptions=assume + [lit]) == (sum(bits) >= k)
