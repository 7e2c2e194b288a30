"""The circuit IR (MODEL.md §1): an immutable, topologically ordered list of vertices.

A vertex is an input, a random source, a constant or a gate. Gates read *literals*:
``2 * vertex + complemented`` (as in AIGER), so a vertex may read its fan-ins complemented at
no cost and one ``.bench`` line / BLIF ``.names`` node / AIGER AND node is one vertex.

Layering follows the convention of MODEL.md §1: layer(input) = 0, layer(random) = 1,
layer(gate) = 1 + max layer of its fan-ins, and a constant (no fan-in) sits at layer 1.
depth = max layer, width = max over layers >= 1 of the vertices in it, size = number of
non-input vertices.

This module knows nothing of solvers, files or the CLI.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Iterable, Sequence


class Op(IntEnum):
    INPUT = 0   # a given bit χ (layer 0)
    RANDOM = 1  # a fresh uniform bit (layer 1)
    CONST = 2   # constant 0 (read it complemented for 1); no fan-in, layer 1
    BUF = 3     # identity of its one fan-in (NOT = BUF of a complemented literal)
    AND = 4
    OR = 5
    XOR = 6
    MAJ = 7     # 1 iff strictly more than half of the fan-ins are 1


GATE_OPS = frozenset({Op.BUF, Op.AND, Op.OR, Op.XOR, Op.MAJ})


def lit(vertex: int, complemented: bool = False) -> int:
    """The literal reading ``vertex``, complemented if asked."""
    return 2 * vertex + (1 if complemented else 0)


@dataclass(frozen=True, slots=True)
class Vertex:
    op: Op
    fanins: tuple[int, ...] = ()  # literals of earlier vertices
    name: str | None = None


class CircuitError(ValueError):
    """A circuit that breaks the IR's rules (raised by the builder, never an assert)."""


@dataclass(frozen=True, eq=False)
class Circuit:
    """An immutable layered Boolean circuit ``C(χ, R)``.

    ``vertices`` are in topological order (every fan-in literal names an earlier vertex);
    ``outputs`` are literals, ``output_names`` their names (same length).
    """

    vertices: tuple[Vertex, ...]
    outputs: tuple[int, ...]
    output_names: tuple[str, ...] = ()
    name: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # --- structure -----------------------------------------------------------------
    @cached_property
    def inputs(self) -> tuple[int, ...]:
        """Vertex indices of the inputs χ, in order."""
        return tuple(i for i, v in enumerate(self.vertices) if v.op == Op.INPUT)

    @cached_property
    def randoms(self) -> tuple[int, ...]:
        """Vertex indices of the random sources R, in order."""
        return tuple(i for i, v in enumerate(self.vertices) if v.op == Op.RANDOM)

    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self.vertices[i].name or f"i{k}" for k, i in enumerate(self.inputs))

    @cached_property
    def random_names(self) -> tuple[str, ...]:
        return tuple(self.vertices[i].name or f"r{k}" for k, i in enumerate(self.randoms))

    @cached_property
    def layers(self) -> tuple[int, ...]:
        """layer(v) for every vertex, by the convention of MODEL.md §1."""
        out = [0] * len(self.vertices)
        for i, v in enumerate(self.vertices):
            if v.op == Op.INPUT:
                out[i] = 0
            elif not v.fanins:
                out[i] = 1  # random sources and constants
            else:
                out[i] = 1 + max(out[f >> 1] for f in v.fanins)
        return tuple(out)

    @cached_property
    def depth(self) -> int:
        return max(self.layers, default=0)

    @cached_property
    def layer_sizes(self) -> tuple[int, ...]:
        """Number of vertices in each layer 0..depth."""
        counts = [0] * (self.depth + 1)
        for layer in self.layers:
            counts[layer] += 1
        return tuple(counts)

    @cached_property
    def width(self) -> int:
        return max(self.layer_sizes[1:], default=0)

    @cached_property
    def size(self) -> int:
        """Number of non-input vertices (random sources, constants and gates)."""
        return len(self.vertices) - len(self.inputs)

    @cached_property
    def max_fanin(self) -> int:
        return max((len(v.fanins) for v in self.vertices), default=0)

    @cached_property
    def gate_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.vertices:
            if v.op in GATE_OPS or v.op == Op.CONST:
                counts[v.op.name] = counts.get(v.op.name, 0) + 1
        return counts

    @cached_property
    def complexity_class(self) -> str:
        """NC0 (every fan-in <= 2), AC0 (unbounded AND/OR) or TC0 (MAJ, or XOR over > 2)."""
        cls = "NC0"
        for v in self.vertices:
            if v.op == Op.MAJ or (v.op == Op.XOR and len(v.fanins) > 2):
                return "TC0"
            if len(v.fanins) > 2:
                cls = "AC0"
        return cls

    def support(self, literal: int) -> frozenset[int]:
        """The input and random vertices that ``literal`` reads, transitively."""
        seen: set[int] = set()
        leaves: set[int] = set()
        stack = [literal >> 1]
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            v = self.vertices[i]
            if v.op in (Op.INPUT, Op.RANDOM):
                leaves.add(i)
            stack.extend(f >> 1 for f in v.fanins)
        return frozenset(leaves)

    def stats(self) -> dict:
        return {
            "name": self.name,
            "inputs": len(self.inputs),
            "random": len(self.randoms),
            "outputs": len(self.outputs),
            "size": self.size,
            "depth": self.depth,
            "width": self.width,
            "max_fanin": self.max_fanin,
            "class": self.complexity_class,
            "gates": dict(sorted(self.gate_counts.items())),
        }


class CircuitBuilder:
    """Mutable helper that produces an immutable :class:`Circuit`.

    Vertices must be added after their fan-ins (readers sort first); the builder checks it.
    """

    def __init__(self, name: str = ""):
        self.name = name
        self._vertices: list[Vertex] = []
        self._outputs: list[int] = []
        self._output_names: list[str] = []
        self._const: int | None = None

    def __len__(self) -> int:
        return len(self._vertices)

    def _add(self, vertex: Vertex) -> int:
        n = len(self._vertices)
        for f in vertex.fanins:
            if not (0 <= (f >> 1) < n):
                raise CircuitError(f"fan-in literal {f} does not name an earlier vertex")
        self._vertices.append(vertex)
        return 2 * n

    def input(self, name: str | None = None) -> int:
        return self._add(Vertex(Op.INPUT, (), name))

    def random(self, name: str | None = None) -> int:
        return self._add(Vertex(Op.RANDOM, (), name))

    def const(self, value: bool) -> int:
        """Literal of the constant ``value`` (one shared CONST vertex)."""
        if self._const is None:
            self._const = self._add(Vertex(Op.CONST, (), None))
        return self._const | (1 if value else 0)

    def gate(self, op: Op, fanins: Iterable[int], name: str | None = None) -> int:
        fanins = tuple(fanins)
        if op not in GATE_OPS:
            raise CircuitError(f"{op.name} is not a gate")
        if op == Op.BUF and len(fanins) != 1:
            raise CircuitError("BUF takes exactly one fan-in")
        if op != Op.BUF and not fanins:
            raise CircuitError(f"{op.name} needs at least one fan-in")
        return self._add(Vertex(op, fanins, name))

    def output(self, literal: int, name: str | None = None) -> None:
        if not (0 <= (literal >> 1) < len(self._vertices)):
            raise CircuitError(f"output literal {literal} does not name a vertex")
        self._outputs.append(literal)
        self._output_names.append(name if name is not None else f"o{len(self._outputs) - 1}")

    def build(self) -> Circuit:
        return Circuit(tuple(self._vertices), tuple(self._outputs), tuple(self._output_names), self.name)


def from_vertices(vertices: Sequence[Vertex], outputs: Sequence[int],
                  output_names: Sequence[str] | None = None, name: str = "") -> Circuit:
    """Build a circuit from already ordered vertices, checking the order once."""
    for i, v in enumerate(vertices):
        for f in v.fanins:
            if not (0 <= (f >> 1) < i):
                raise CircuitError(f"vertex {i} reads literal {f}, which is not an earlier vertex")
    for o in outputs:
        if not (0 <= (o >> 1) < len(vertices)):
            raise CircuitError(f"output literal {o} does not name a vertex")
    names = tuple(output_names) if output_names is not None else tuple(f"o{k}" for k in range(len(outputs)))
    return Circuit(tuple(vertices), tuple(outputs), names, name)


def mark_random(circuit: Circuit, is_random) -> Circuit:
    """The same circuit with the inputs whose name satisfies ``is_random`` made random sources."""
    vertices = tuple(Vertex(Op.RANDOM, v.fanins, v.name) if v.op == Op.INPUT and is_random(v.name or "") else v
                     for v in circuit.vertices)
    return Circuit(vertices, circuit.outputs, circuit.output_names, circuit.name)
