"""ISCAS ``.bench`` reader and writer (MODEL.md §1).

Grammar (keywords and gate names case-insensitive; ``#`` starts a comment)::

    INPUT(x)          OUTPUT(y)          y = GATE(a, b, ...)

Gates: AND NAND OR NOR XOR XNOR (one or more fan-ins), NOT BUFF/BUF (exactly one), and, as
this project's extension, MAJ (one or more). Signals may be used before they are defined; an
output may be an input. Each gate line is exactly ONE vertex, its fan-ins read complemented
where needed: NAND(a,b) = OR(~a,~b), NOR(a,b) = AND(~a,~b), XNOR(a,b,...) = XOR(~a,b,...),
NOT(a) = BUF(~a), BUFF(a) = BUF(a). So depth agrees with ABC's ``lev`` before ``strash``.

The writer inverts this mapping; a vertex whose fan-ins mix plain and complemented literals in
a way no gate name absorbs gets NOT lines for the complemented fan-ins (extra vertices, same
function). A constant vertex is written ``x = gnd`` (and ``vdd``/``gnd`` are read, with or
without ``()``, as constants 1/0, the convention of ABC and several ISCAS tools); MAJ lines
are this project's extension, which other tools will not read.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import CircuitFileError
from .formats import Netlist, read_text
from .ir import Circuit, Op

# gate name -> (op, complement all fan-ins, complement the first fan-in, arity: 1 or None=n-ary)
_GATES: dict[str, tuple[Op, bool, bool, int | None]] = {
    "AND": (Op.AND, False, False, None),
    "NAND": (Op.OR, True, False, None),
    "OR": (Op.OR, False, False, None),
    "NOR": (Op.AND, True, False, None),
    "XOR": (Op.XOR, False, False, None),
    "XNOR": (Op.XOR, False, True, None),
    "NOT": (Op.BUF, True, False, 1),
    "INV": (Op.BUF, True, False, 1),
    "BUFF": (Op.BUF, False, False, 1),
    "BUF": (Op.BUF, False, False, 1),
    "MAJ": (Op.MAJ, False, False, None),
}
_SEQUENTIAL = {"DFF", "DFFR", "DFFS", "LATCH"}

_NAME = r"[^\s()=,#]+"
_DECL = re.compile(rf"(INPUT|OUTPUT)\s*\(\s*({_NAME})\s*\)\s*$", re.IGNORECASE)
_GATE = re.compile(rf"({_NAME})\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(([^()]*)\)\s*$")
_CONST = re.compile(rf"({_NAME})\s*=\s*(vdd|gnd)\s*(\(\s*\))?\s*$", re.IGNORECASE)
_VALID_NAME = re.compile(rf"{_NAME}$")


def read_bench(path: str | os.PathLike, *, random_prefix: str | None = None) -> Circuit:
    """Read an ISCAS ``.bench`` file; the circuit is named after the file stem."""
    text = read_text(path)
    net = Netlist(path)
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _DECL.match(line)
        if m:
            kind, name = m.group(1).upper(), m.group(2)
            if kind == "INPUT":
                net.define(name, Op.INPUT, (), lineno)
            else:
                net.output(name, lineno)
            continue
        m = _GATE.match(line)
        if m:
            name, gate, args = m.group(1), m.group(2).upper(), m.group(3)
            spec = _GATES.get(gate)
            if spec is None:
                if gate in _SEQUENTIAL:
                    raise CircuitFileError(f"{gate}: sequential circuits are not supported",
                                           file=str(path), line=lineno)
                if gate in ("VDD", "GND") and not args.strip():
                    net.define(name, Op.CONST, (), lineno, complemented=(gate == "VDD"))
                    continue
                raise CircuitFileError(f"unknown gate '{m.group(2)}'", file=str(path), line=lineno)
            op, neg_all, neg_first, arity = spec
            parts = [a.strip() for a in args.split(",")]
            if parts == [""]:
                parts = []
            if any(not _VALID_NAME.match(a) for a in parts):
                raise CircuitFileError(f"bad fan-in list '({args})'", file=str(path), line=lineno)
            if (arity is not None and len(parts) != arity) or not parts:
                want = "exactly 1 fan-in" if arity == 1 else "at least 1 fan-in"
                raise CircuitFileError(f"{gate} takes {want}, got {len(parts)}", file=str(path),
                                       line=lineno)
            fanins = [net.lit(a, lineno, neg_all) for a in parts]
            if neg_first:
                fanins[0] ^= 1
            net.define(name, op, tuple(fanins), lineno)
            continue
        m = _CONST.match(line)
        if m:
            net.define(m.group(1), Op.CONST, (), lineno, complemented=(m.group(2).lower() == "vdd"))
            continue
        raise CircuitFileError(f"cannot parse line: '{line}'", file=str(path), line=lineno)
    return net.build(Path(path).stem, random_prefix)


def dump_bench(circuit: Circuit) -> str:
    """The circuit as ``.bench`` text: inputs and random sources (as inputs) in order,
    outputs under their names, one gate line per vertex (plus NOT lines where a vertex's
    complemented fan-ins cannot be absorbed into the gate name)."""
    used: set[str] = set()
    out: list[str] = [f"# {circuit.name or 'circuit'}: written by dlm-verify"]

    def fresh(base: str) -> str:
        name = base
        k = 0
        while name in used or not _VALID_NAME.match(name):
            k += 1
            name = f"{base}_{k}" if _VALID_NAME.match(base) else f"_n{k}"
        used.add(name)
        return name

    vertices = circuit.vertices
    sig = [""] * len(vertices)
    # Names of inputs and random sources first: they must survive (random_prefix round trips).
    input_names = dict(zip(circuit.inputs, circuit.input_names))
    input_names.update(zip(circuit.randoms, circuit.random_names))
    for i in sorted(input_names):
        sig[i] = fresh(input_names[i])
    # Output names next, so a helper line cannot take them: an output that reads a gate
    # positively under the gate's own name is that gate's line; any other output gets its own
    # BUFF/NOT line (or vdd/gnd for a constant).
    out_names: list[str] = []
    direct: list[bool] = []
    for o, oname in zip(circuit.outputs, circuit.output_names):
        v = o >> 1
        if not (o & 1) and (sig[v] == oname or (not sig[v] and vertices[v].name == oname
                                                 and oname not in used and _VALID_NAME.match(oname))):
            if not sig[v]:
                sig[v] = oname
                used.add(oname)
            out_names.append(oname)
            direct.append(True)
        else:
            out_names.append(fresh(oname))
            direct.append(False)
    for i, v in enumerate(vertices):
        if not sig[i]:
            sig[i] = fresh(v.name if v.name else f"_n{i}")

    not_of: dict[int, str] = {}  # vertex -> name of a NOT line reading it
    gates: list[str] = []

    def plain(literal: int) -> str:
        """A signal whose value is ``literal`` (a NOT line if complemented)."""
        v = literal >> 1
        if not literal & 1:
            return sig[v]
        name = not_of.get(v)
        if name is None:
            name = not_of[v] = fresh(f"{sig[v]}_not")
            gates.append(f"{name} = NOT({sig[v]})")
        return name

    for i, v in enumerate(vertices):
        op, fs = v.op, v.fanins
        if op in (Op.INPUT, Op.RANDOM):
            continue
        if op == Op.CONST:
            gates.append(f"{sig[i]} = gnd")
            continue
        negs = [f & 1 for f in fs]
        if op == Op.BUF:
            gate, args = ("NOT" if negs[0] else "BUFF"), [sig[fs[0] >> 1]]
        elif op in (Op.AND, Op.OR) and all(negs):
            gate, args = ("NOR" if op == Op.AND else "NAND"), [sig[f >> 1] for f in fs]
        elif op == Op.XOR:
            gate, args = ("XNOR" if sum(negs) % 2 else "XOR"), [sig[f >> 1] for f in fs]
        elif op in (Op.AND, Op.OR, Op.MAJ):
            gate, args = op.name, [plain(f) for f in fs]
        else:  # pragma: no cover - every op is handled above
            raise ValueError(f"cannot write {op.name}")
        gates.append(f"{sig[i]} = {gate}({', '.join(args)})")

    for k, o in enumerate(circuit.outputs):
        if direct[k]:
            continue
        if vertices[o >> 1].op == Op.CONST:
            gates.append(f"{out_names[k]} = {'vdd' if o & 1 else 'gnd'}")
        else:
            gates.append(f"{out_names[k]} = {'NOT' if o & 1 else 'BUFF'}({sig[o >> 1]})")

    out += [f"INPUT({sig[i]})" for i in sorted(input_names)]
    out += [f"OUTPUT({name})" for name in out_names]
    out += gates
    return "\n".join(out) + "\n"
