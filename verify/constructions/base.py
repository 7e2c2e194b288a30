"""What every construction of MODEL.md §5 produces: a compiled DLM plus the data of its proof.

A compiler turns a circuit (or a size ``n``) into an ordinary :class:`~verify.dlm.model.DLM`
and, for circuit compilers, the *intended invariant* that the coupling check proves:

* ``content(p)``: what position ``p`` holds after each round, as breakpoints
  ``[(round, Sym), ...]`` (from ``round`` on, until the next breakpoint). A ``Sym`` is
  ``MASK``, or ``("lit", literal)``: the value of a circuit literal (vertex ``literal >> 1``,
  complemented if ``literal & 1``) under the circuit's input and random bits.
* ``counter``: positions holding the round counter (their content after round ``l`` is the
  encoding of ``l``, see :func:`counter_token`), not listed by breakpoints.
* ``cases(p)``: how to cut the rounds ``1..T`` of position ``p`` into proof obligations
  ``(first, last, free_reads)``: within ``first..last`` the reads of ``p`` that are not free
  must hold one fixed content (the checker verifies this against ``content``), the free ones
  may hold anything.
* ``random_map``: circuit random vertex -> ``(position, bit, round)`` of the DLM's private
  random bit that carries it (the coupling of MODEL.md §4.6).

The checker (:mod:`verify.checks.coupling`) trusts none of this: it validates every claim
against the DLM and proves each obligation by certified SAT (with a 3-valued cross-check).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..circuits.ir import Circuit, CircuitBuilder, Op
from ..dlm.model import DLM

MASK = ("M",)
Sym = tuple


def lit_sym(literal: int) -> Sym:
    return ("lit", literal)


class LazyCircuits(Sequence):
    """A Sequence of per-position circuits made on demand (memory stays O(cache))."""

    def __init__(self, length: int, factory: Callable[[int], Circuit], cache: int = 8192):
        self._length = length
        self._factory = factory
        self._cache: OrderedDict[int, Circuit] = OrderedDict()
        self._limit = cache

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        c = self._cache.get(i)
        if c is None:
            c = self._factory(i)
            self._cache[i] = c
            if len(self._cache) > self._limit:
                self._cache.popitem(last=False)
        return c


class PositionCircuit:
    """Builds one position circuit with the DLM leaf names (``m{j}``, ``v{j}``, ``r{p}_{k}``...)."""

    def __init__(self, position: int, name: str):
        self.p = position
        self.b = CircuitBuilder(name)
        self._leaves: dict[str, int] = {}

    def leaf(self, name: str) -> int:
        lit = self._leaves.get(name)
        if lit is None:
            lit = self._leaves[name] = self.b.input(name)
        return lit

    def m(self, j: int) -> int:
        return self.leaf(f"m{j}")

    def v(self, j: int) -> int:
        return self.leaf(f"v{j}")

    def zm(self, j: int) -> int:
        return self.leaf(f"zm{j}")

    def r(self, k: int = 0) -> int:
        name = f"r{self.p}_{k}"
        lit = self._leaves.get(name)
        if lit is None:
            lit = self._leaves[name] = self.b.random(name)
        return lit

    def const(self, value: bool) -> int:
        return self.b.const(value)

    def gate(self, op: Op, args: Sequence[int]) -> int:
        """``op`` over literals, without a gate when one argument suffices."""
        args = list(args)
        if op in (Op.AND, Op.OR) and len(args) == 1:
            return args[0]
        if op == Op.AND and not args:
            return self.const(True)
        if op == Op.OR and not args:
            return self.const(False)
        if op == Op.XOR and len(args) == 1:
            return args[0]
        if op == Op.BUF:
            return args[0]
        return self.b.gate(op, args)

    def and_(self, *args: int) -> int:
        return self.gate(Op.AND, args)

    def or_(self, *args: int) -> int:
        return self.gate(Op.OR, args)

    def xor(self, *args: int) -> int:
        return self.gate(Op.XOR, args)

    def done(self, *outputs: int) -> Circuit:
        for o in outputs:
            self.b.output(o)
        return self.b.build()


# --- round counters (Thm 3.2) -------------------------------------------------------------
@dataclass(frozen=True)
class Counter:
    """A round counter. ``kind``: ``"binary"`` (one register, revised in place; the count 0 is
    the all-masked register) or ``"double"`` (two registers for remasking: the count ``c > 0``
    sits in register ``c % 2``, the other is masked; 0 is both masked).
    ``registers[b][i]`` is the position of bit ``i`` of register ``b``."""

    kind: str
    registers: tuple[tuple[int, ...], ...]

    @property
    def bits(self) -> int:
        return len(self.registers[0])

    def positions(self) -> list[int]:
        return [p for reg in self.registers for p in reg]

    def where(self) -> dict[int, tuple[int, int]]:
        return {p: (b, i) for b, reg in enumerate(self.registers) for i, p in enumerate(reg)}


def counter_token(counter: Counter, register: int, bit: int, count: int) -> tuple[int, int]:
    """(mask bit, value bit) of one counter position when the count is ``count``."""
    if counter.kind == "binary":
        return (1, 0) if count == 0 else (0, (count >> bit) & 1)
    if count == 0 or count % 2 != register:
        return (1, 0)
    return (0, (count >> bit) & 1)


def decode_count(pc: PositionCircuit, counter: Counter, c: int) -> int:
    """A literal that is true iff the counter (in a reachable state) holds ``c``."""
    if counter.kind == "binary":
        reg = counter.registers[0]
        if c == 0:
            return pc.m(reg[0])
        return pc.and_(*[pc.v(p) ^ (0 if (c >> i) & 1 else 1) for i, p in enumerate(reg)])
    if c == 0:
        return pc.and_(pc.m(counter.registers[0][0]), pc.m(counter.registers[1][0]))
    reg = counter.registers[c % 2]
    # a masked register reads as 0, and c > 0, so the value bits alone decide
    return pc.and_(*[pc.v(p) ^ (0 if (c >> i) & 1 else 1) for i, p in enumerate(reg)])


# --- the result of a compiler -----------------------------------------------------------------
Case = tuple  # (first round, last round, frozenset of free reads)


@dataclass
class Compiled:
    """A compiled DLM and what its correctness proof needs (see the module docstring)."""

    construction: str
    dlm: DLM
    circuit: Circuit | None
    vertex_position_map: dict[int, int]            # vertex -> the position that first holds it
    random_map: dict[int, tuple[int, int, int]]    # random vertex -> (position, bit, round)
    stats: dict[str, Any]
    content: Callable[[int], list[tuple[int, Sym]]] | None = None
    cases: Callable[[int], list[Case]] | None = None
    counter: Counter | None = None
    formulas: dict[str, str] = field(default_factory=dict)

    def content_at(self, p: int, rnd: int) -> Sym:
        bps = self.content(p)  # type: ignore[misc]
        cur = bps[0][1]
        for r, s in bps:
            if r > rnd:
                break
            cur = s
        return cur


def attach(compiled: Compiled) -> DLM:
    """The DLM, remembering its compilation (for the coupling checks)."""
    compiled.dlm._cache["compiled"] = compiled
    return compiled.dlm


def compiled_of(dlm: DLM) -> Compiled | None:
    return dlm._cache.get("compiled")


def attach_closed_form(dlm: DLM, description: str, thunk) -> DLM:
    """Remember the closed-form output distribution of the sampler family ``dlm`` was compiled
    from (``target = "closed-form"`` of the distribution check)."""
    dlm._cache["closed_form"] = (description, thunk)
    return dlm


def closed_form_of(dlm: DLM):
    """``(description, thunk)`` of the closed form attached by :func:`attach_closed_form`, or None."""
    return dlm._cache.get("closed_form")


def gate_depth(c: Circuit) -> int:
    """Longest path of gates (BUF counts) from a leaf to an output; leaves and constants are 0."""
    depth = [0] * len(c.vertices)
    for i, v in enumerate(c.vertices):
        if v.fanins:
            depth[i] = 1 + max(depth[f >> 1] for f in v.fanins)
    return max((depth[o >> 1] for o in c.outputs), default=0)


def circuit_resources(circuits: Sequence[Circuit] | None, positions: Sequence[int] | None = None) -> tuple[int, int]:
    """(max gate depth, max fan-in) over the given positions' circuits."""
    if circuits is None:
        return 0, 0
    d = f = 0
    for i in (positions if positions is not None else range(len(circuits))):
        c = circuits[i]
        d = max(d, gate_depth(c))
        f = max(f, c.max_fanin)
    return d, f
