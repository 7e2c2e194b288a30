"""z3 view of a circuit: z3 Bool terms as an algebra for the one evaluator (STYLE.md §2)."""
from __future__ import annotations

from typing import Hashable, Sequence

import z3


class Z3Algebra:
    """Values are z3 ``BoolRef`` terms; ``var(key)`` names a leaf (one term per key)."""

    def __init__(self, ctx: z3.Context | None = None):
        self.ctx = ctx or z3.Context()
        self._true = z3.BoolVal(True, self.ctx)
        self._false = z3.BoolVal(False, self.ctx)
        self._vars: dict[Hashable, z3.BoolRef] = {}

    def var(self, key: Hashable) -> z3.BoolRef:
        term = self._vars.get(key)
        if term is None:
            term = self._vars[key] = z3.Bool(repr(key), self.ctx)
        return term

    def const(self, value: bool) -> z3.BoolRef:
        return self._true if value else self._false

    def neg(self, a):
        if z3.is_true(a):
            return self._false
        if z3.is_false(a):
            return self._true
        return z3.Not(a, self.ctx)

    def and_(self, args: Sequence):
        args = [a for a in args if not z3.is_true(a)]
        if any(z3.is_false(a) for a in args):
            return self._false
        if not args:
            return self._true
        return args[0] if len(args) == 1 else z3.And(*args)

    def or_(self, args: Sequence):
        args = [a for a in args if not z3.is_false(a)]
        if any(z3.is_true(a) for a in args):
            return self._true
        if not args:
            return self._false
        return args[0] if len(args) == 1 else z3.Or(*args)

    def xor(self, args: Sequence):
        acc = None
        for a in args:
            acc = a if acc is None else z3.Xor(acc, a, self.ctx)
        return self._false if acc is None else acc

    def at_least(self, lits: Sequence, k: int):
        if k <= 0:
            return self._true
        if k > len(lits):
            return self._false
        return z3.AtLeast(*lits, k)
