"""Ternary (0, 1, X) bit-parallel algebra for the one evaluator (STYLE.md §2).

A value is a pair ``(can0, can1)`` of ints: bit ``k`` of ``can0`` (``can1``) is set when, in
assignment ``k``, the value may be 0 (1). A definite bit has exactly one of them; ``X`` has
both. Every operation over-approximates (Kleene's three-valued logic), so a result that is
*definite* in assignment ``k`` holds for every way of filling in the X leaves: this is what
lets the coupling check leave the reads an obligation does not care about unknown.
Leaves named by ``var(key)`` are X unless ``bind`` gave them a value; MAJ is derived from
AND/OR by :func:`~verify.circuits.evaluate.majority`.
"""
from __future__ import annotations

from typing import Hashable, Sequence

Tern = tuple[int, int]


class TernaryAlgebra:
    def __init__(self, width: int):
        self.width = width
        self.mask = (1 << width) - 1
        self.X: Tern = (self.mask, self.mask)
        self.bound: dict[Hashable, Tern] = {}

    def var(self, key: Hashable) -> Tern:
        return self.bound.get(key, self.X)

    def const(self, value: bool) -> Tern:
        return (0, self.mask) if value else (self.mask, 0)

    def pattern(self, bit: int) -> Tern:
        """Variable number ``bit`` of an exhaustive enumeration (assignment k = binary k)."""
        block = 1 << bit
        word = ((1 << block) - 1) << block
        out = 0
        for start in range(0, self.width, 2 * block):
            out |= word << start
        out &= self.mask
        return (out ^ self.mask, out)

    def neg(self, a: Tern) -> Tern:
        return (a[1], a[0])

    def and_(self, args: Sequence[Tern]) -> Tern:
        c0, c1 = 0, self.mask
        for a0, a1 in args:
            c0 |= a0
            c1 &= a1
        return (c0, c1)

    def or_(self, args: Sequence[Tern]) -> Tern:
        c0, c1 = self.mask, 0
        for a0, a1 in args:
            c0 &= a0
            c1 |= a1
        return (c0, c1)

    def xor(self, args: Sequence[Tern]) -> Tern:
        definite, value = self.mask, 0
        for a0, a1 in args:
            definite &= a0 ^ a1
            value ^= a1
        unknown = definite ^ self.mask
        return ((value ^ self.mask) & definite | unknown, value & definite | unknown)
