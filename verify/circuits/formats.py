"""Circuit files: one entry point over ``.bench``, BLIF and AIGER (MODEL.md §1).

``read_circuit`` / ``write_circuit`` dispatch on the file extension. This module also holds
what the readers share: reading a file into text with errors that name it, and
:class:`Netlist`, the name-level graph that the text formats fill in (signals may be used
before they are defined) and that sorts itself topologically, without recursion, into a
:class:`~verify.circuits.ir.Circuit`.

Every fault in a file raises :class:`~verify.errors.CircuitFileError` with the file and the
1-based line of the fault; nothing else escapes a reader.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from .. import limits
from ..errors import CircuitFileError
from .ir import Circuit, CircuitError, Op, Vertex, from_vertices

READ_EXTENSIONS = (".bench", ".blif", ".aag", ".aig")
WRITE_EXTENSIONS = (".bench", ".aag", ".aig")


# --- reading files ---------------------------------------------------------------------------
def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes; a missing or unreadable file is a :class:`CircuitFileError`."""
    most = limits.current().circuit_bytes
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):   # /dev/zero, a FIFO...
                raise CircuitFileError("not a regular file", file=str(path))
            data = fh.read(most + 1)   # never more than the limit, whatever the file's size
        if len(data) > most:
            raise CircuitFileError(f"file larger than {most} bytes (limit circuit_bytes; raise it "
                                   f"with --limit circuit_bytes=...)", file=str(path))
    except FileNotFoundError:
        raise CircuitFileError("file not found", file=str(path)) from None
    except OSError as e:
        raise CircuitFileError(f"cannot read file: {e.strerror or e}", file=str(path)) from None
    if not data:
        raise CircuitFileError("empty file", file=str(path), line=1)
    return data


def decode_text(data: bytes, path: str | os.PathLike, start_line: int = 1) -> str:
    """``data`` as UTF-8; a bad byte is reported at its line (counting from ``start_line``)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = start_line + data.count(b"\n", 0, e.start)
        raise CircuitFileError(f"not UTF-8 text (byte 0x{data[e.start]:02x} at byte offset {e.start})",
                               file=str(path), line=line) from None


def read_text(path: str | os.PathLike) -> str:
    text = decode_text(read_bytes(path), path)
    if not text.strip():
        raise CircuitFileError("empty file (only white space)", file=str(path), line=1)
    return text


# --- the name-level netlist ------------------------------------------------------------------
_SIGNAL_NAME = object()  # default of Netlist.define: name the vertex after its signal

class Netlist:
    """Signals by name, defined in any order, turned into a topologically sorted circuit.

    A *node* is an int id; each defined node becomes exactly one vertex. A signal name is bound
    to a literal of a node (``2 * node + complemented``): complemented only for a BLIF constant 1
    (the IR has just a constant 0). Fan-ins are literals over node ids. Anonymous nodes (BLIF
    covers that need several vertices) have no name.
    """

    def __init__(self, path: str | os.PathLike, what: str = "signal"):
        self.file = str(path)
        self.what = what                     # how messages call a name ("signal", "literal")
        self.ids: dict[str, int] = {}        # signal name -> node id
        self.names: list[str | None] = []
        self.vertex_names: list[str | None] = []  # the vertex's name (default: the signal's)
        self.ops: list[Op | None] = []       # None until defined
        self.fanins: list[tuple[int, ...]] = []
        self.def_line: list[int] = []        # line of the definition (0 until defined)
        self.use_line: list[int] = []        # line of the first use (for "undefined")
        self.out_neg: list[int] = []         # the name reads the node complemented
        self.inputs: list[int] = []          # node ids of primary inputs, in declared order
        self.outputs: list[tuple[int, str, int]] = []  # (node id, name, line)

    def error(self, message: str, line: int | None) -> CircuitFileError:
        return CircuitFileError(message, file=self.file, line=line)

    def ref(self, name: str, line: int) -> int:
        """The node id of signal ``name`` (created on first use)."""
        i = self.ids.get(name)
        if i is None:
            i = self._new(name, 0, line)
            self.ids[name] = i
        return i

    def _new(self, name: str | None, def_line: int, use_line: int) -> int:
        i = len(self.ops)
        self.names.append(name)
        self.vertex_names.append(name)
        self.ops.append(None)
        self.fanins.append(())
        self.def_line.append(def_line)
        self.use_line.append(use_line)
        self.out_neg.append(0)
        return i

    def define(self, name: str, op: Op, fanins: tuple[int, ...], line: int, *,
               complemented: bool = False, vertex_name: str | None | object = _SIGNAL_NAME) -> int:
        """Define signal ``name`` as one vertex ``op(fanins)`` (fan-in literals over node ids);
        the vertex is named ``vertex_name`` if given, else after the signal."""
        i = self.ref(name, line)
        if self.ops[i] is not None:
            raise self.error(f"{self.what} '{name}' is defined twice (first on line {self.def_line[i]})",
                             line)
        if vertex_name is not _SIGNAL_NAME:
            self.vertex_names[i] = vertex_name or None  # type: ignore[assignment]
        self.ops[i] = op
        self.fanins[i] = fanins
        self.def_line[i] = line
        self.out_neg[i] = 1 if complemented else 0
        if op == Op.INPUT:
            self.inputs.append(i)
        return i

    def anonymous(self, op: Op, fanins: tuple[int, ...], line: int) -> int:
        """A node without a name (an intermediate vertex of a decomposed BLIF cover)."""
        i = self._new(None, line, line)
        self.ops[i] = op
        self.fanins[i] = fanins
        return i

    def lit(self, name: str, line: int, complemented: bool = False) -> int:
        """Fan-in literal reading signal ``name`` (node literal, before binding polarity)."""
        return 2 * self.ref(name, line) + (1 if complemented else 0)

    def output(self, name: str, line: int) -> None:
        self.outputs.append((self.ref(name, line), name, line))

    def build(self, circuit_name: str, random_prefix: str | None = None) -> Circuit:
        """Check every signal is defined, sort (inputs first, in order), and build."""
        ops = self.ops
        n = len(ops)
        for i in range(n):
            if ops[i] is None:
                raise self.error(f"{self.what} '{self.names[i]}' is used but never defined",
                                 self.use_line[i])
        order = self._topological_order()
        # node id -> literal in the circuit of the *name* (node vertex, with the name's polarity)
        where = [0] * n
        out_neg = self.out_neg
        fanins = self.fanins
        names = self.vertex_names
        vertices: list[Vertex] = []
        append = vertices.append
        for pos, i in enumerate(order):
            op = ops[i]
            if op == Op.INPUT and random_prefix is not None and names[i] is not None \
                    and names[i].startswith(random_prefix):
                op = Op.RANDOM
            fs = fanins[i]
            if fs:
                fs = tuple(where[f >> 1] ^ (f & 1) for f in fs)
            append(Vertex(op, fs, names[i]))
            where[i] = 2 * pos + out_neg[i]
        outputs = [where[i] for i, _, _ in self.outputs]
        output_names = [name for _, name, _ in self.outputs]
        try:
            return from_vertices(vertices, outputs, output_names, circuit_name)
        except CircuitError as e:  # cannot happen after the sort; kept so nothing bare escapes
            raise self.error(f"internal: {e}", None) from None

    def _topological_order(self) -> list[int]:
        """Inputs in declared order, then every other node after its fan-ins (iterative DFS,
        keeping file order where the file is already sorted); a cycle is an error naming a
        signal on it."""
        n = len(self.ops)
        fanins = self.fanins
        state = bytearray(n)  # 0 new, 1 on the DFS stack, 2 placed
        order: list[int] = []
        for i in self.inputs:
            state[i] = 2
            order.append(i)
        for root in range(n):
            if state[root]:
                continue
            state[root] = 1
            stack = [root]
            nexts = [0]
            while stack:
                v = stack[-1]
                k = nexts[-1]
                fs = fanins[v]
                if k < len(fs):
                    nexts[-1] = k + 1
                    u = fs[k] >> 1
                    s = state[u]
                    if s == 0:
                        state[u] = 1
                        stack.append(u)
                        nexts.append(0)
                    elif s == 1:
                        raise self._cycle_error(stack[stack.index(u):])
                else:
                    state[v] = 2
                    order.append(v)
                    stack.pop()
                    nexts.pop()
        return order

    def _cycle_error(self, cycle: list[int]) -> CircuitFileError:
        named = [i for i in cycle if self.names[i] is not None]
        first = min(named or cycle, key=lambda i: self.def_line[i])
        shown = " -> ".join(self.names[i] or "?" for i in cycle[:8])
        more = " -> ..." if len(cycle) > 8 else ""
        return self.error(f"combinational cycle through {self.what} '{self.names[first]}' "
                          f"({shown}{more} -> {self.names[cycle[0]] or '?'})", self.def_line[first])


# --- dispatch --------------------------------------------------------------------------------
def _extension(path: str | os.PathLike) -> str:
    return Path(path).suffix.lower()


def read_circuit(path: str | os.PathLike, *, random_prefix: str | None = None) -> Circuit:
    """Read a ``.bench``, ``.blif``, ``.aag`` or ``.aig`` file (chosen by extension).

    Primary inputs whose name starts with ``random_prefix`` become random sources
    (``Op.RANDOM``). The circuit's name is the file stem. Any fault is a
    :class:`CircuitFileError` naming the file and line.
    """
    # Imported here: the format modules import the shared machinery above.
    from . import aiger, bench, blif

    readers: dict[str, Callable[..., Circuit]] = {
        ".bench": bench.read_bench, ".blif": blif.read_blif,
        ".aag": aiger.read_aiger, ".aig": aiger.read_aiger,
    }
    reader = readers.get(_extension(path))
    if reader is None:
        raise CircuitFileError(f"unknown circuit file extension '{Path(path).suffix}' "
                               f"(expected one of {', '.join(READ_EXTENSIONS)})", file=str(path))
    return reader(path, random_prefix=random_prefix)


def write_circuit(circuit: Circuit, path: str | os.PathLike) -> None:
    """Write ``circuit`` as ``.bench``, ``.aag`` or ``.aig`` (chosen by extension).

    Random sources are written as ordinary inputs under their names, so
    ``read_circuit(path, random_prefix=p)`` gives them back when their names start with ``p``.
    """
    from . import aiger, bench

    ext = _extension(path)
    if ext == ".bench":
        data = bench.dump_bench(circuit).encode("utf-8")
    elif ext == ".aag":
        data = aiger.dump_aag(circuit).encode("utf-8")
    elif ext == ".aig":
        data = aiger.dump_aig(circuit)
    else:
        raise CircuitFileError(f"cannot write circuit files with extension '{Path(path).suffix}' "
                               f"(expected one of {', '.join(WRITE_EXTENSIONS)})", file=str(path))
    with open(path, "wb") as fh:
        fh.write(data)
