"""Reader for combinational BLIF (MODEL.md §1).

Supported: ``.model``, ``.inputs``, ``.outputs`` (each may repeat), ``.names`` with its cover,
``.end``; ``\\`` line continuations; ``#`` comments. Sequential or hierarchical constructs
(``.latch``, ``.subckt``, ``.gate``, ``.mlatch``, ``.exdc``, a second ``.model``...) are errors.

One ``.names`` node is ONE vertex whenever its cover is
- a constant (no rows = 0; a row whose cube is all ``-``, or a bare ``1``/``0`` for a node
  without fan-ins),
- a single cube: AND of (possibly complemented) literals, or BUF / NOT for one literal,
- cubes of one literal each: OR,
- the two cubes of a 2-input XOR / XNOR, or the three cubes of a 3-input MAJ (any polarities);
an off-set cover (output column ``0``) is the complement of the same function, which is again
one vertex (NOT AND = OR of complements, NOT OR = AND of complements, NOT XOR = XOR with one
fan-in complemented, NOT MAJ = MAJ of complements, NOT constant = constant).

Any other cover (several cubes, some with two or more literals) is decomposed into one AND
vertex per such cube and an OR vertex (an AND vertex of complements for an off-set): the same
function, but one level deeper than ABC counts it before ``strash``. The EPFL suite contains no
such cover: all its nodes are single cubes of two literals, buffers/inverters or constants.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import CircuitFileError
from .formats import Netlist, read_text
from .ir import Circuit, Op

_UNSUPPORTED = {
    ".latch": "sequential circuits are not supported (.latch)",
    ".mlatch": "sequential circuits are not supported (.mlatch)",
    ".clock": "sequential circuits are not supported (.clock)",
    ".subckt": "hierarchical BLIF is not supported (.subckt)",
    ".gate": "mapped BLIF is not supported (.gate)",
    ".search": "hierarchical BLIF is not supported (.search)",
    ".exdc": "external don't-care networks are not supported (.exdc)",
    ".start_kiss": "state machines are not supported (.start_kiss)",
}
# Directives that carry no logic (timing, area): ignored.
_IGNORED = {".default_input_arrival", ".default_output_required", ".default_input_drive",
            ".default_output_load", ".default_max_input_load", ".input_arrival",
            ".output_required", ".input_drive", ".output_load", ".max_input_load", ".area",
            ".delay", ".wire_load_slope", ".wire", ".attrib", ".blackbox"}


def _logical_lines(text: str):
    """(first line number, tokens) per logical line: comments stripped, ``\\`` joined."""
    pending: list[str] = []
    start = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not pending:
            start = lineno
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        tokens = " ".join(pending).split()
        pending = []
        if tokens:
            yield start, tokens
    if pending:
        tokens = " ".join(pending).split()
        if tokens:
            yield start, tokens


def read_blif(path: str | os.PathLike, *, random_prefix: str | None = None) -> Circuit:
    """Read a combinational BLIF file; the circuit is named after the file stem."""
    text = read_text(path)
    file = str(path)
    net = Netlist(path)
    models = 0
    ended = False
    node: tuple[list[str], int] | None = None  # (signal names of the open .names, its line)
    rows: list[tuple[str, str, int]] = []

    def close() -> None:
        if node is not None:
            _define_node(net, file, node[0], node[1], rows)

    for lineno, tokens in _logical_lines(text):
        head = tokens[0]
        if head.startswith("."):
            close()
            node = None
            rows = []
            key = head.lower()
            if ended:
                if key == ".model":
                    raise CircuitFileError("more than one .model: hierarchical BLIF is not supported",
                                           file=file, line=lineno)
                raise CircuitFileError(f"'{head}' after .end", file=file, line=lineno)
            if key == ".model":
                models += 1
                if models > 1:
                    raise CircuitFileError("more than one .model: hierarchical BLIF is not supported",
                                           file=file, line=lineno)
            elif key == ".inputs":
                for name in tokens[1:]:
                    net.define(name, Op.INPUT, (), lineno)
            elif key == ".outputs":
                for name in tokens[1:]:
                    net.output(name, lineno)
            elif key == ".names":
                if len(tokens) < 2:
                    raise CircuitFileError(".names needs an output signal", file=file, line=lineno)
                node = (tokens[1:], lineno)
            elif key == ".end":
                ended = True
            elif key in _UNSUPPORTED:
                raise CircuitFileError(_UNSUPPORTED[key], file=file, line=lineno)
            elif key in _IGNORED:
                pass
            else:
                raise CircuitFileError(f"unknown BLIF construct '{head}'", file=file, line=lineno)
            continue
        if ended:
            raise CircuitFileError("text after .end", file=file, line=lineno)
        if node is None:
            raise CircuitFileError(f"cover row outside a .names node: '{' '.join(tokens)}'",
                                   file=file, line=lineno)
        k = len(node[0]) - 1
        if k == 0:
            if len(tokens) != 1:
                raise CircuitFileError(f"a constant node's row is one value, got '{' '.join(tokens)}'",
                                       file=file, line=lineno)
            cube, value = "", tokens[0]
        else:
            if len(tokens) != 2:
                raise CircuitFileError(f"cover row must be '<cube> <value>', got '{' '.join(tokens)}'",
                                       file=file, line=lineno)
            cube, value = tokens
            if len(cube) != k or cube.strip("01-"):
                raise CircuitFileError(f"cube '{cube}' must have {k} characters from 0, 1, -",
                                       file=file, line=lineno)
        if value not in ("0", "1"):
            raise CircuitFileError(f"cover output value must be 0 or 1, got '{value}'",
                                   file=file, line=lineno)
        rows.append((cube, value, lineno))
    close()
    if models == 0 and not net.ops:
        raise CircuitFileError("no .model, .inputs or .names found: not a BLIF file", file=file, line=1)
    return net.build(Path(path).stem, random_prefix)


def _define_node(net: Netlist, file: str, signals: list[str], line: int,
                 rows: list[tuple[str, str, int]]) -> None:
    """Define the ``.names`` node ``signals[-1]`` from its cover (see module docstring)."""
    name, ins = signals[-1], signals[:-1]
    if not rows:
        net.define(name, Op.CONST, (), line)
        return
    values = {v for _, v, _ in rows}
    if len(values) > 1:
        bad = next(ln for _, v, ln in rows if v != rows[0][1])
        raise CircuitFileError("cover mixes on-set (1) and off-set (0) rows", file=file, line=bad)
    offset = rows[0][1] == "0"  # the cover lists where the node is 0
    cubes = [c for c, _, _ in rows]
    # literals of each cube, over the fan-in signals
    lits = [[net.lit(ins[j], line, ch == "0") for j, ch in enumerate(c) if ch != "-"] for c in cubes]
    if any(not cl for cl in lits):  # a cube without literals: the cover is constant 1
        net.define(name, Op.CONST, (), line, complemented=not offset)
        return
    if len(lits) == 1:
        cl = lits[0]
        if len(cl) == 1:
            net.define(name, Op.BUF, (cl[0] ^ offset,), line)
        elif offset:
            net.define(name, Op.OR, tuple(x ^ 1 for x in cl), line)
        else:
            net.define(name, Op.AND, tuple(cl), line)
        return
    if all(len(cl) == 1 for cl in lits):
        fanins = tuple(cl[0] ^ offset for cl in lits)
        net.define(name, Op.AND if offset else Op.OR, fanins, line)
        return
    if len(ins) == 2 and sorted(cubes) in (["01", "10"], ["00", "11"]):
        a, b = net.lit(ins[0], line), net.lit(ins[1], line)
        negate = (sorted(cubes) == ["00", "11"]) ^ offset
        net.define(name, Op.XOR, (a ^ negate, b), line)
        return
    if len(ins) == 3 and len(cubes) == 3:
        maj = _majority_polarity(cubes)
        if maj is not None:
            fanins = tuple(net.lit(ins[j], line, maj[j] ^ offset) for j in range(3))
            net.define(name, Op.MAJ, fanins, line)
            return
    # General sum of products: one AND vertex per multi-literal cube, then OR (or, for an
    # off-set, AND of the complemented cube literals).
    terms = []
    for cl in lits:
        terms.append(cl[0] if len(cl) == 1 else 2 * net.anonymous(Op.AND, tuple(cl), line))
    if offset:
        net.define(name, Op.AND, tuple(t ^ 1 for t in terms), line)
    else:
        net.define(name, Op.OR, tuple(terms), line)


def _majority_polarity(cubes: list[str]) -> tuple[int, int, int] | None:
    """If the three cubes are ``xy-``, ``x-z``, ``-yz`` with consistent polarities, the
    complement flag of each of the three fan-ins; else None."""
    polarity: list[int | None] = [None, None, None]
    pairs = set()
    for c in cubes:
        cared = [j for j, ch in enumerate(c) if ch != "-"]
        if len(cared) != 2:
            return None
        pairs.add(tuple(cared))
        for j in cared:
            p = 1 if c[j] == "0" else 0
            if polarity[j] is None:
                polarity[j] = p
            elif polarity[j] != p:
                return None
    if pairs != {(0, 1), (0, 2), (1, 2)}:
        return None
    return polarity[0], polarity[1], polarity[2]  # type: ignore[return-value]
