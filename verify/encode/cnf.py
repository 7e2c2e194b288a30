"""CNF view of a circuit: a Tseitin algebra for the one evaluator (STYLE.md §2).

Every variable comes from one pysat :class:`~pysat.formula.IDPool`, so no literal number is
invented anywhere else: named leaves are ``pool.id(key)``, Tseitin outputs are fresh ids.
Constants are folded (``TRUE`` is one variable fixed by a unit clause; any gate whose value
follows from its constant fan-ins is never defined), and gates are hashed structurally, so a
sub-term built twice gets one definition. ``require`` emits no clause for a literal that folded
to TRUE and no unit twice; a requirement that folded to FALSE makes the CNF trivially
unsatisfiable, which :attr:`CnfAlgebra.folded_false` reports, so that a caller can say the
verdict was decided while encoding instead of certifying a CNF with complementary units
(issue 18).
"""
from __future__ import annotations

from itertools import count
from typing import Hashable, Sequence

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool


class CnfAlgebra:
    """Literals are non-zero ints; ``clauses`` accumulates the Tseitin definitions."""

    def __init__(self, pool: IDPool | None = None):
        self.pool = pool if pool is not None else IDPool()
        self.clauses: list[list[int]] = []
        self._fresh = count()
        self.true = self.pool.id(("__const__", True))
        self.clauses.append([self.true])
        self._gates: dict[tuple, int] = {}
        self._units: set[int] = {self.true}      # literals already asserted by a unit clause

    # --- leaves and helpers ------------------------------------------------------------
    def var(self, key: Hashable) -> int:
        """The variable of a named leaf (the same key always gives the same variable)."""
        return self.pool.id(("leaf", key))

    def fresh(self) -> int:
        return self.pool.id(("__tseitin__", next(self._fresh)))

    @property
    def num_vars(self) -> int:
        return self.pool.top

    def is_const(self, a: int) -> bool:
        return abs(a) == self.true

    # --- the algebra -------------------------------------------------------------------
    def const(self, value: bool) -> int:
        return self.true if value else -self.true

    def neg(self, a: int) -> int:
        return -a

    def and_(self, args: Sequence[int]) -> int:
        lits: set[int] = set()
        for a in args:
            if a == self.true:
                continue
            if a == -self.true or -a in lits:
                return -self.true
            lits.add(a)
        if not lits:
            return self.true
        if len(lits) == 1:
            return next(iter(lits))
        key = ("and", frozenset(lits))
        out = self._gates.get(key)
        if out is None:
            out = self._gates[key] = self.fresh()
            for a in lits:
                self.clauses.append([-out, a])
            self.clauses.append([out] + [-a for a in lits])
        return out

    def or_(self, args: Sequence[int]) -> int:
        return -self.and_([-a for a in args])

    def xor(self, args: Sequence[int]) -> int:
        parity = False
        lits: set[int] = set()
        for a in args:
            if self.is_const(a):
                parity ^= a == self.true
                continue
            if a < 0:  # x ^ ~y = ~(x ^ y): keep variables positive, fold the sign
                parity ^= True
                a = -a
            if a in lits:
                lits.remove(a)
            else:
                lits.add(a)
        acc = None
        for a in sorted(lits):
            acc = a if acc is None else self._xor2(acc, a)
        if acc is None:
            return self.const(parity)
        return -acc if parity else acc

    def _xor2(self, a: int, b: int) -> int:
        key = ("xor", frozenset((a, b)))
        out = self._gates.get(key)
        if out is None:
            out = self._gates[key] = self.fresh()
            self.clauses += [[-out, a, b], [-out, -a, -b], [out, -a, b], [out, a, -b]]
        return out

    # --- constraints -------------------------------------------------------------------
    def require(self, a: int) -> None:
        """Assert the literal ``a``. A literal that folded to TRUE, or one already required,
        adds no clause; FALSE adds the unit ``-TRUE`` once (see :attr:`folded_false`)."""
        if a in self._units:
            return
        self._units.add(a)
        self.clauses.append([a])

    @property
    def folded_false(self) -> bool:
        """True when a requirement folded to the constant FALSE: the CNF holds the
        complementary units ``TRUE`` and ``-TRUE``, so it is unsatisfiable by constant folding
        alone (no solver needed, and a certificate would add nothing)."""
        return -self.true in self._units

    def at_least(self, lits: Sequence[int], k: int) -> int:
        """A literal that is true iff at least ``k`` of ``lits`` are (sequential counter)."""
        if k <= 0:
            return self.true
        if k > len(lits):
            return -self.true
        # at_least(k) <=> OR over the counter: build it with the algebra to stay folded
        # and reified (CardEnc only gives a one-sided, asserted encoding).
        prev = [self.true] + [-self.true] * k
        for x in lits:
            cur = [self.true]
            for j in range(1, k + 1):
                cur.append(self.or_([prev[j], self.and_([prev[j - 1], x])]))
            prev = cur
        return prev[k]


__all__ = ["CnfAlgebra", "CardEnc", "EncType"]
