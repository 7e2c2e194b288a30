"""The circuit IR: the layering convention of MODEL.md §1 and the one evaluator."""
from itertools import product

import pytest
from hypothesis import given, settings

from verify.circuits.evaluate import BitParallelAlgebra, evaluate, read_literal, simulate
from verify.circuits.expr import ExprError, compile_expressions
from verify.circuits.ir import CircuitBuilder, CircuitError, Op

from .strategies import circuits


def test_layering_convention():
    b = CircuitBuilder()
    x, y = b.input("x"), b.input("y")
    r = b.random("r")
    one = b.const(True)
    g1 = b.gate(Op.AND, [x, y])          # layer 1
    g2 = b.gate(Op.OR, [g1, r])          # layer 2 (random source is layer 1)
    g3 = b.gate(Op.XOR, [g2, x ^ 1])     # layer 3
    b.output(g3)
    b.output(one)
    c = b.build()
    assert c.layers == (0, 0, 1, 1, 1, 2, 3)
    assert (c.depth, c.width, c.size) == (3, 3, 5)   # layer 1 holds r, the constant and g1
    assert c.layer_sizes == (2, 3, 1, 1)
    assert c.complexity_class == "NC0"


def test_complexity_class():
    b = CircuitBuilder()
    xs = [b.input() for _ in range(3)]
    b.output(b.gate(Op.AND, xs))
    assert b.build().complexity_class == "AC0"
    b.output(b.gate(Op.MAJ, xs))
    assert b.build().complexity_class == "TC0"


def test_builder_rejects_forward_reference():
    b = CircuitBuilder()
    b.input()
    with pytest.raises(CircuitError):
        b.gate(Op.AND, [2 * 5])
    with pytest.raises(CircuitError):
        b.gate(Op.BUF, [0, 0])


def test_majority_is_strict():
    b = CircuitBuilder()
    xs = [b.input() for _ in range(4)]
    b.output(b.gate(Op.MAJ, xs))
    c = b.build()
    for bits in product((0, 1), repeat=4):
        assert simulate(c, bits) == [sum(bits) > 2]


@settings(max_examples=150, deadline=None)
@given(circuits())
def test_bit_parallel_agrees_with_bool(c):
    """One evaluator, two algebras: all assignments at once vs one at a time."""
    leaves = list(c.inputs) + list(c.randoms)
    width = 1 << len(leaves)
    alg = BitParallelAlgebra(width)
    values = evaluate(c, alg, {v: alg.pattern(k) for k, v in enumerate(leaves)})
    packed = [read_literal(values, o, alg) for o in c.outputs]
    for a in range(width):
        bits = [(a >> k) & 1 for k in range(len(leaves))]
        want = simulate(c, bits[:len(c.inputs)], bits[len(c.inputs):])
        assert [bool((p >> a) & 1) for p in packed] == want


def test_expressions():
    c = compile_expressions([("o", "a & ~b | maj(a, b, c) ^ 1")], lambda n: ("input", n))
    for a, b_, cc in product((0, 1), repeat=3):
        want = (a and not b_) or ((a + b_ + cc >= 2) ^ 1)
        assert simulate(c, [a, b_, cc]) == [bool(want)]
    # a chain of one operator is one gate of that fan-in
    c = compile_expressions([("o", "a & b & c & d")], lambda n: ("input", n))
    assert c.depth == 1 and c.max_fanin == 4
    with pytest.raises(ExprError):
        compile_expressions([("o", "a + b")], lambda n: ("input", n))
    with pytest.raises(ExprError):
        compile_expressions([("o", "a &")], lambda n: ("input", n))
    with pytest.raises(ExprError):
        compile_expressions([("o", "2")], lambda n: ("input", n))
