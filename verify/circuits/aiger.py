"""AIGER reader (``.aag`` ASCII, ``.aig`` binary) and writers (MODEL.md §1).

Format: http://fmv.jku.at/aiger/ (AIGER 1.9). Header ``aag|aig M I L O A [B C J F]``; latches
(L > 0) and bad-state, invariant-constraint, justice or fairness sections (B C J F > 0) are
rejected: only combinational circuits are supported. The symbol table (``i<k> name``,
``o<k> name``) names inputs and outputs; the comment section (after a line ``c``) is ignored.

Reading: each AND node is ONE vertex ``AND(rhs0, rhs1)``, literals unchanged but for the
variable numbering; vertices are the inputs, then a CONST vertex (only if some literal reads
the constant), then the AND gates. ASCII
files may list AND nodes in any order (sorted here, a cycle is an error); a binary file's
delta encoding fixes the order, so it is read without sorting (hyp.aig, 214k ANDs, in ~1 s).

Writing: AIGER has only 2-input ANDs, so the circuit is interpreted by the one evaluator
(:func:`verify.circuits.evaluate.evaluate`) over :class:`AigAlgebra`: n-ary AND/OR become
balanced AND trees, XOR three ANDs per 2-input XOR, MAJ the AND/OR counter of
:func:`~verify.circuits.evaluate.majority`, BUF forwards its literal, constants are literal
0/1. Inputs and random sources are written as inputs, in vertex order, under their names.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from .. import limits
from ..errors import CircuitFileError
from .evaluate import evaluate, read_literal
from .formats import Netlist, decode_text, read_bytes
from .ir import Circuit, CircuitError, Op, Vertex, from_vertices


# --- reading -------------------------------------------------------------------------------
def read_aiger(path: str | os.PathLike, *, random_prefix: str | None = None) -> Circuit:
    """Read ``.aag`` or ``.aig`` (the header's ``aag``/``aig`` decides); named after the stem."""
    data = read_bytes(path)
    file = str(path)
    end = data.find(b"\n")
    if end < 0:
        end = len(data)
    header = decode_text(data[:end], path).split()
    if not header or header[0] not in ("aag", "aig"):
        raise CircuitFileError("not an AIGER file: the header must start with 'aag' or 'aig'",
                               file=file, line=1)
    if not 6 <= len(header) <= 10:
        raise CircuitFileError("AIGER header must be 'aag|aig M I L O A [B C J F]'",
                               file=file, line=1)
    numbers = []
    for tok in header[1:]:
        if not (tok.isascii() and tok.isdigit()) or len(tok) > 18:
            raise CircuitFileError(f"bad number '{tok[:30]}' in AIGER header", file=file, line=1)
        numbers.append(int(tok))
    m, i, l, o, a = numbers[:5]
    most = limits.current().circuit_vertices
    if i > most:   # a binary file does not list its inputs: the header alone would allocate them
        raise CircuitFileError(f"the header declares {i} inputs, more than {most} (limit "
                               f"circuit_vertices; raise it with --limit circuit_vertices=...)",
                               file=file, line=1)
    if l:
        raise CircuitFileError(f"sequential circuits are not supported ({l} latches)",
                               file=file, line=1)
    for label, count in zip(("bad-state", "constraint", "justice", "fairness"), numbers[5:]):
        if count:
            raise CircuitFileError(f"sequential circuits are not supported ({count} {label} "
                                   f"properties)", file=file, line=1)
    if header[0] == "aig":
        return _read_binary(data, end, path, (m, i, o, a), random_prefix)
    return _read_ascii(decode_text(data, path), path, (m, i, o, a), random_prefix)


def _literal(tok: str, maxlit: int, file: str, line: int) -> int:
    if not (tok.isascii() and tok.isdigit()) or len(tok) > 20:
        raise CircuitFileError(f"bad literal '{tok[:30]}'", file=file, line=line)
    x = int(tok)
    if x > maxlit:
        raise CircuitFileError(f"literal {x} exceeds the header's maximum 2*M+1 = {maxlit}",
                               file=file, line=line)
    return x


def _read_ascii(text: str, path, counts, random_prefix) -> Circuit:
    file = str(path)
    m, ni, no, na = counts
    maxlit = 2 * m + 1
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    need = 1 + ni + no + na
    if len(lines) < need:
        raise CircuitFileError(f"truncated file: the header announces {ni} inputs, {no} outputs "
                               f"and {na} AND gates ({need} lines), the file has {len(lines)} lines",
                               file=file, line=len(lines) + 1)

    def fields(lineno: int, count: int) -> list[int]:
        toks = lines[lineno - 1].split()
        if len(toks) != count:
            raise CircuitFileError(f"expected {count} literal{'s' if count > 1 else ''}, got "
                                   f"'{lines[lineno - 1].strip()}'", file=file, line=lineno)
        return [_literal(t, maxlit, file, lineno) for t in toks]

    net = Netlist(path, what="literal")
    # Signals are named by their positive literal; literal 0 is the constant (defined lazily).
    input_ids = []
    for k in range(ni):
        ln = 2 + k
        (x,) = fields(ln, 1)
        if x < 2 or x & 1:
            raise CircuitFileError(f"input literal {x} must be even and at least 2", file=file, line=ln)
        input_ids.append(net.define(str(x), Op.INPUT, (), ln, vertex_name=None))
    # The constant (literal 0/1) is a vertex right after the inputs, as in the binary reader.
    const_used = any(t in ("0", "1") for t in " ".join(lines[1 + ni:1 + ni + no]).split()) or \
        any(t in ("0", "1") for line in lines[1 + ni + no:need] for t in line.split()[1:])
    if const_used:
        net.define("0", Op.CONST, (), 1, vertex_name=None)
    outputs = []
    for k in range(no):
        ln = 2 + ni + k
        (x,) = fields(ln, 1)
        outputs.append((x, ln))
    for k in range(na):
        ln = 2 + ni + no + k
        lhs, r0, r1 = fields(ln, 3)
        if lhs < 2 or lhs & 1:
            raise CircuitFileError(f"AND gate literal {lhs} must be even and at least 2",
                                   file=file, line=ln)
        fan = []
        for r in (r0, r1):
            fan.append(net.lit(str(r & ~1), ln, bool(r & 1)))
        net.define(str(lhs), Op.AND, tuple(fan), ln, vertex_name=None)
    out_ids = []
    for x, ln in outputs:
        out_ids.append((net.ref(str(x & ~1), ln), x & 1, ln))
    in_names, out_names = _symbols(lines[need:], need + 1, ni, no, file, None)
    for k, name in in_names.items():
        net.vertex_names[input_ids[k]] = name
    for k, (node, neg, ln) in enumerate(out_ids):
        net.outputs.append((node, out_names.get(k, f"o{k}"), ln))
    circuit = net.build(Path(path).stem, random_prefix)
    # The netlist binds names to positive literals; apply each output's complement.
    outs = tuple(lit ^ neg for lit, (_, neg, _) in zip(circuit.outputs, out_ids))
    return Circuit(circuit.vertices, outs, circuit.output_names, circuit.name)


def _symbols(lines: Sequence[str], first_line: int | None, ni: int, no: int, file: str,
             where: str | None) -> tuple[dict[int, str], dict[int, str]]:
    """Input and output names from the symbol table; stops at the comment section."""
    in_names: dict[int, str] = {}
    out_names: dict[int, str] = {}
    for j, line in enumerate(lines):
        lineno = None if first_line is None else first_line + j
        at = f" ({where}, symbol line {j + 1})" if where else ""
        if line.rstrip("\r") == "c":  # the comment section: free text to the end
            break
        if not line.strip():
            continue
        kind = line[0]
        idx, _, name = line[1:].partition(" ")
        if kind not in "ilobcjf" or not (idx.isascii() and idx.isdigit()) or len(idx) > 18 or not name:
            raise CircuitFileError(f"bad symbol table line '{line.strip()}'{at}", file=file, line=lineno)
        k = int(idx)
        if kind == "i":
            if k >= ni:
                raise CircuitFileError(f"symbol for input {k}, but there are {ni} inputs{at}",
                                       file=file, line=lineno)
            in_names[k] = name.rstrip("\r")
        elif kind == "o":
            if k >= no:
                raise CircuitFileError(f"symbol for output {k}, but there are {no} outputs{at}",
                                       file=file, line=lineno)
            out_names[k] = name.rstrip("\r")
        else:
            raise CircuitFileError(f"symbol for a '{kind}' entry, but the header declares none{at}",
                                   file=file, line=lineno)
    return in_names, out_names


def _read_binary(data: bytes, end: int, path, counts, random_prefix) -> Circuit:
    file = str(path)
    m, ni, no, na = counts
    if m != ni + na:
        raise CircuitFileError(f"binary AIGER needs M = I + L + A, got M = {m}, I + L + A = {ni + na}",
                               file=file, line=1)
    maxlit = 2 * m + 1
    pos = end + 1
    outputs = []
    for k in range(no):
        nl = data.find(b"\n", pos)
        lineno = 2 + k
        if nl < 0:
            raise CircuitFileError(f"truncated file: expected {no} output lines", file=file, line=lineno)
        tok = data[pos:nl].decode("ascii", "replace").strip()
        outputs.append(_literal(tok, maxlit, file, lineno))
        pos = nl + 1
    if 2 * na > len(data) - pos:  # every AND gate takes at least two bytes
        raise CircuitFileError(f"truncated file: {na} AND gates need at least {2 * na} bytes after "
                               f"byte offset {pos}, the file has {len(data) - pos}", file=file, line=None)
    # AND gates: lhs = 2*(I+k+1), rhs0 = lhs - delta0, rhs1 = rhs0 - delta1, deltas as
    # 7-bit little-endian varints.
    rhs = [0] * (2 * na)
    lhs = 2 * ni
    start = pos
    k = 0
    try:
        for k in range(na):
            lhs += 2
            x = 0
            shift = 0
            while True:
                b = data[pos]
                pos += 1
                x |= (b & 0x7F) << shift
                if b < 0x80:
                    break
                shift += 7
            r0 = lhs - x
            # the second delta is decoded inline like the first: this loop runs once per AND
            # gate (214k for hyp.aig) and a helper call per varint costs measurably more
            x = 0
            shift = 0
            while True:
                b = data[pos]
                pos += 1
                x |= (b & 0x7F) << shift
                if b < 0x80:
                    break
                shift += 7
            r1 = r0 - x
            if x > r0 or r0 >= lhs:
                raise CircuitFileError(f"bad delta encoding of AND gate {k} (literal {lhs}) near byte "
                                       f"offset {pos}: it must read smaller literals", file=file, line=None)
            rhs[2 * k] = r0
            rhs[2 * k + 1] = r1
    except IndexError:
        raise CircuitFileError(f"truncated file: the binary AND section ends at byte offset {pos} "
                               f"inside AND gate {k} of {na} (section starts at byte offset {start})",
                               file=file, line=None) from None
    const_used = bool((na and min(rhs) < 2) or any(x < 2 for x in outputs))
    in_names, out_names = {}, {}
    if pos < len(data):
        tail = data[pos:]
        try:
            text = tail.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CircuitFileError(f"symbol table is not UTF-8 text (byte offset {pos + e.start})",
                                   file=file, line=None) from None
        in_names, out_names = _symbols(text.split("\n"), None, ni, no, file,
                                       f"after byte offset {pos}")
    vertices: list[Vertex] = []
    for k in range(ni):
        name = in_names.get(k)
        op = Op.RANDOM if (random_prefix is not None and name is not None
                           and name.startswith(random_prefix)) else Op.INPUT
        vertices.append(Vertex(op, (), name))
    # Vertex order: inputs, the constant (only if read), AND gates. AIGER variable v is vertex
    # v - 1 for an input; without a constant also for an AND gate, so a literal just drops by 2.
    AND = Op.AND
    it = iter(rhs)
    if const_used:
        vertices.append(Vertex(Op.CONST))
        const_lit = 2 * ni
        first_and = 2 * (ni + 1)

        def conv(x: int) -> int:
            return x if x >= first_and else (x - 2 if x >= 2 else const_lit | x)

        vertices.extend(Vertex(AND, (conv(r0), conv(r1))) for r0, r1 in zip(it, it))
        outs = [conv(x) for x in outputs]
    else:
        vertices.extend(Vertex(AND, (r0 - 2, r1 - 2)) for r0, r1 in zip(it, it))
        outs = [x - 2 for x in outputs]
    names = [out_names.get(k, f"o{k}") for k in range(no)]
    try:
        return from_vertices(vertices, outs, names, Path(path).stem)
    except CircuitError as e:  # cannot happen after the checks above
        raise CircuitFileError(f"internal: {e}", file=file, line=None) from None


# --- writing -------------------------------------------------------------------------------
class AigAlgebra:
    """AIGER literals as a Boolean algebra: every AND/OR/XOR becomes 2-input AND gates.

    ``ands`` collects ``(lhs, rhs0, rhs1)`` with increasing ``lhs`` above the inputs, so the
    result is already in the order binary AIGER requires. Only constants are folded.
    """

    def __init__(self, num_inputs: int):
        self.next_var = num_inputs + 1
        self.ands: list[tuple[int, int, int]] = []

    def const(self, value: bool) -> int:
        return 1 if value else 0

    def neg(self, a: int) -> int:
        return a ^ 1

    def and2(self, a: int, b: int) -> int:
        if a == 0 or b == 0:
            return 0
        if a == 1:
            return b
        if b == 1:
            return a
        lhs = 2 * self.next_var
        self.next_var += 1
        self.ands.append((lhs, max(a, b), min(a, b)))
        return lhs

    @staticmethod
    def _balanced(args: Sequence[int], op2, empty: int) -> int:
        """A balanced tree of a 2-input operation (depth ceil(log2 n))."""
        level = list(args)
        if not level:
            return empty
        while len(level) > 1:
            nxt = [op2(level[j], level[j + 1]) for j in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return level[0]

    def and_(self, args: Sequence[int]) -> int:
        return self._balanced(args, self.and2, 1)

    def or_(self, args: Sequence[int]) -> int:
        return self.and_([a ^ 1 for a in args]) ^ 1

    def xor2(self, a: int, b: int) -> int:
        return self.and2(self.and2(a, b ^ 1) ^ 1, self.and2(a ^ 1, b) ^ 1) ^ 1

    def xor(self, args: Sequence[int]) -> int:
        return self._balanced(args, self.xor2, 0)


def _to_aig(circuit: Circuit) -> tuple[list[int], AigAlgebra, list[int], list[str]]:
    """Input vertices (inputs and random sources, in vertex order), the AND gates, the
    output literals and the input names."""
    leaves = [i for i, v in enumerate(circuit.vertices) if v.op in (Op.INPUT, Op.RANDOM)]
    names = dict(zip(circuit.inputs, circuit.input_names))
    names.update(zip(circuit.randoms, circuit.random_names))
    alg = AigAlgebra(len(leaves))
    values = evaluate(circuit, alg, {v: 2 * (k + 1) for k, v in enumerate(leaves)})
    outputs = [read_literal(values, o, alg) for o in circuit.outputs]
    return leaves, alg, outputs, [names[v] for v in leaves]


def _symbol_lines(input_names: list[str], output_names: Sequence[str]) -> list[str]:
    clean = lambda s: s.replace("\n", " ").replace("\r", " ")  # noqa: E731
    return ([f"i{k} {clean(n)}" for k, n in enumerate(input_names) if n]
            + [f"o{k} {clean(n)}" for k, n in enumerate(output_names) if n])


def dump_aag(circuit: Circuit) -> str:
    """The circuit as ASCII AIGER text (only AND gates; see module docstring)."""
    leaves, alg, outputs, in_names = _to_aig(circuit)
    ni, na = len(leaves), len(alg.ands)
    lines = [f"aag {ni + na} {ni} 0 {len(outputs)} {na}"]
    lines += [str(2 * (k + 1)) for k in range(ni)]
    lines += [str(o) for o in outputs]
    lines += [f"{lhs} {r0} {r1}" for lhs, r0, r1 in alg.ands]
    lines += _symbol_lines(in_names, circuit.output_names)
    lines += ["c", f"{circuit.name or 'circuit'}: written by dlm-verify"]
    return "\n".join(lines) + "\n"


def _varint(x: int, out: bytearray) -> None:
    while x >= 0x80:
        out.append((x & 0x7F) | 0x80)
        x >>= 7
    out.append(x)


def dump_aig(circuit: Circuit) -> bytes:
    """The circuit as binary AIGER bytes (delta-encoded AND gates)."""
    leaves, alg, outputs, in_names = _to_aig(circuit)
    ni, na = len(leaves), len(alg.ands)
    head = [f"aig {ni + na} {ni} 0 {len(outputs)} {na}"] + [str(o) for o in outputs]
    out = bytearray(("\n".join(head) + "\n").encode("ascii"))
    for lhs, r0, r1 in alg.ands:
        _varint(lhs - r0, out)
        _varint(r0 - r1, out)
    tail = _symbol_lines(in_names, circuit.output_names)
    tail += ["c", f"{circuit.name or 'circuit'}: written by dlm-verify"]
    out += ("\n".join(tail) + "\n").encode("utf-8")
    return bytes(out)
