"""One evaluator, many algebras (STYLE.md §2).

``evaluate`` interprets a circuit over any Boolean algebra: Python bools, bit-parallel ints
(many assignments at once), CNF literals with Tseitin definitions, z3 terms or BDD nodes all
come from this single interpreter. An algebra supplies constants, negation and AND/OR/XOR;
MAJ is derived from AND/OR here unless the algebra has its own.
"""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence, TypeVar

from .ir import Circuit, Op

V = TypeVar("V")


class Algebra(Protocol[V]):
    def const(self, value: bool) -> V: ...
    def neg(self, a: V) -> V: ...
    def and_(self, args: Sequence[V]) -> V: ...
    def or_(self, args: Sequence[V]) -> V: ...
    def xor(self, args: Sequence[V]) -> V: ...


def majority(algebra: Algebra[V], args: Sequence[V]) -> V:
    """Strict majority from AND/OR only: ``at_least[j]`` after each argument (O(k^2))."""
    custom = getattr(algebra, "maj", None)
    if custom is not None:
        return custom(args)
    need = len(args) // 2 + 1
    false = algebra.const(False)
    at_least = [algebra.const(True)] + [false] * need
    for x in args:
        for j in range(need, 0, -1):
            at_least[j] = algebra.or_([at_least[j], algebra.and_([at_least[j - 1], x])])
    return at_least[need]


def evaluate(circuit: Circuit, algebra: Algebra[V], leaves: Mapping[int, V]) -> list[V]:
    """Values of every vertex. ``leaves`` maps each input/random vertex index to its value."""
    values: list[V] = [None] * len(circuit.vertices)  # type: ignore[list-item]
    neg = algebra.neg
    false = None

    def read(literal: int) -> V:
        v = values[literal >> 1]
        return neg(v) if literal & 1 else v

    for i, vertex in enumerate(circuit.vertices):
        op = vertex.op
        if op == Op.INPUT or op == Op.RANDOM:
            try:
                values[i] = leaves[i]
            except KeyError:
                raise KeyError(f"no value given for {op.name.lower()} vertex {i} ({vertex.name})") from None
        elif op == Op.CONST:
            if false is None:
                false = algebra.const(False)
            values[i] = false
        else:
            args = [read(f) for f in vertex.fanins]
            if op == Op.BUF:
                values[i] = args[0]
            elif op == Op.AND:
                values[i] = algebra.and_(args)
            elif op == Op.OR:
                values[i] = algebra.or_(args)
            elif op == Op.XOR:
                values[i] = algebra.xor(args)
            else:
                values[i] = majority(algebra, args)
    return values


def read_literal(values: Sequence[V], literal: int, algebra: Algebra[V]) -> V:
    v = values[literal >> 1]
    return algebra.neg(v) if literal & 1 else v


def evaluate_outputs(circuit: Circuit, algebra: Algebra[V], leaves: Mapping[int, V]) -> list[V]:
    values = evaluate(circuit, algebra, leaves)
    return [read_literal(values, o, algebra) for o in circuit.outputs]


class BoolAlgebra:
    """Plain Python booleans: the simulator."""

    def const(self, value: bool) -> bool:
        return bool(value)

    def neg(self, a: bool) -> bool:
        return not a

    def and_(self, args: Sequence[bool]) -> bool:
        return all(args)

    def or_(self, args: Sequence[bool]) -> bool:
        return any(args)

    def xor(self, args: Sequence[bool]) -> bool:
        return sum(args) % 2 == 1

    def maj(self, args: Sequence[bool]) -> bool:
        return 2 * sum(args) > len(args)


class BitParallelAlgebra:
    """Bit-vectors as Python ints: bit k of every value is assignment k (``width`` of them)."""

    def __init__(self, width: int):
        self.width = width
        self.mask = (1 << width) - 1

    def const(self, value: bool) -> int:
        return self.mask if value else 0

    def neg(self, a: int) -> int:
        return a ^ self.mask

    def and_(self, args: Sequence[int]) -> int:
        out = self.mask
        for a in args:
            out &= a
        return out

    def or_(self, args: Sequence[int]) -> int:
        out = 0
        for a in args:
            out |= a
        return out

    def xor(self, args: Sequence[int]) -> int:
        out = 0
        for a in args:
            out ^= a
        return out

    def pattern(self, bit: int) -> int:
        """The value of the ``bit``-th variable when assignment k is the binary number k."""
        block = 1 << bit
        word = ((1 << block) - 1) << block  # block zeros then block ones
        period = 2 * block
        out = 0
        for start in range(0, self.width, period):
            out |= word << start
        return out & self.mask


BOOL = BoolAlgebra()


def simulate(circuit: Circuit, inputs: Sequence[bool], randoms: Sequence[bool] = ()) -> list[bool]:
    """Outputs of ``circuit`` on one input and one draw of its random sources."""
    if len(inputs) != len(circuit.inputs) or len(randoms) != len(circuit.randoms):
        raise ValueError(
            f"circuit has {len(circuit.inputs)} inputs and {len(circuit.randoms)} random sources; "
            f"got {len(inputs)} and {len(randoms)} values")
    leaves = dict(zip(circuit.inputs, map(bool, inputs)))
    leaves.update(zip(circuit.randoms, map(bool, randoms)))
    return evaluate_outputs(circuit, BOOL, leaves)
