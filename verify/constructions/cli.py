"""Commands ``compile`` and ``table`` (registered in :data:`verify.cli.COMMANDS`).

``python -m verify compile FILE --construction NAME [--json] [--export DIR]`` compiles a
circuit (or ``--n N`` for a parity sampler), proves the compiled DLM correct (the inductive
coupling check; ``--miter`` adds the unrolled miter) and prints the resources. Exit code 0 when
the proof is PROVED (or ``--no-proof``), 1 otherwise, 2 on a usage or file error.

``python -m verify table steps FILE...`` prints a Markdown table of the serial steps: for each
circuit N, d, w, the AR chain of thought's steps and each construction's rounds and length.
"""
from __future__ import annotations

import json
import os
import time
import resource
from pathlib import Path
from typing import TextIO

from ..errors import UsageError
from . import CONSTRUCTIONS, Compiled, attach
from .base import circuit_resources

EXPORT_DLM_LIMIT = 5000      # positions: larger DLMs are exported as a [construction] spec only
EXPORT_AIGER_LIMIT = 5000    # circuit vertices: larger circuits get no unrolled AIGER file


def _parser(prog: str, description: str, stdout, exit_codes: str):
    from ..cli import CommandParser
    return CommandParser(prog=prog, description=description, stdout=stdout, exit_codes=exit_codes)


def resources(compiled: Compiled) -> dict:
    """Max gate depth and fan-in of the predictor and of the strategies, over every position."""
    dlm = compiled.dlm
    out = {}
    for key, seq in (("predictor", dlm.predictor), ("unmask_strategy", dlm.unmask_strategy),
                     ("remask", dlm.remask)):
        d, f = circuit_resources(seq)
        out[f"{key}_max_depth"] = d
        out[f"{key}_max_fanin"] = f
    return out


def compile_one(construction: str, source, *, random_prefix=None) -> tuple[Compiled, float]:
    if construction not in CONSTRUCTIONS:
        raise UsageError(f"unknown construction '{construction}' (one of: {', '.join(CONSTRUCTIONS)})")
    kind, fn = CONSTRUCTIONS[construction]
    t0 = time.perf_counter()
    compiled = fn(source)
    attach(compiled)
    return compiled, time.perf_counter() - t0


def prove(compiled: Compiled, proofs_dir: str | None = None, timeout: float | None = None) -> dict:
    """The inductive coupling proof; its certificates go to ``proofs_dir`` (a temporary
    directory, removed afterwards, when None): each is checked by the trusted checker."""
    from ..checks.coupling import find_counterexample, method_label, prove_inductive
    t0 = time.perf_counter()
    if compiled.circuit is None:
        from ..distribution.targets import TARGETS
        from ..dlm.semantics import output_distribution
        n = compiled.stats["n"]
        if n > 12:
            return {"verdict": "UNKNOWN", "method": "exact semantics", "message": "n > 12: not attempted",
                    "seconds": 0.0}
        ok = output_distribution(compiled.dlm) == TARGETS["parity-even"](n)
        return {"verdict": "PROVED" if ok else "REFUTED", "method": "exact semantics",
                "message": "output distribution equals D⊕n exactly" if ok else "differs from D⊕n",
                "seconds": round(time.perf_counter() - t0, 3)}
    res = prove_inductive(compiled, proofs_dir=proofs_dir, timeout=timeout)
    verdict = {"PROVED": "PROVED", "ERROR": "ERROR"}.get(res.status, "UNKNOWN")
    out = {"method": method_label(res), "message": res.message, "cases": res.cases,
           "distinct_shapes": res.distinct, "certificates": res.n_certificates,
           "structural_batches": res.structural,
           "obligations": res.obligations, "cnf_clauses": res.clauses, "cross_check": res.cross_check}
    if res.status == "FAILED":
        cex = find_counterexample(compiled, 200)
        if cex is not None:
            verdict = "REFUTED"
            out["counterexample"] = cex
        out["failed_obligation"] = res.failure
    out["verdict"] = verdict
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def command_compile(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .. import limits
    from ..circuits.formats import read_circuit
    from ..limits import timeout_arg

    p = _parser("python -m verify compile",
                "Compile a circuit (or, for a parity sampler, a size --n) into a DLM by one of the "
                "constructions of MODEL.md §5 (" + ", ".join(CONSTRUCTIONS) + "), prove it correct "
                "and print its resources.", stdout,
                "exit codes:\n  0  the compiled DLM is PROVED equal to the circuit (or --no-proof)\n"
                "  1  the proof gave another verdict (REFUTED, UNKNOWN or ERROR)\n"
                "  2  usage error or a bad circuit file")
    p.add_argument("file", nargs="?", help="circuit file (.bench, .blif, .aag, .aig)")
    p.add_argument("--construction", "-c", default="thm3.1", help="construction name (default thm3.1)")
    p.add_argument("--n", type=int, help="size n for parity-revise / parity-remask")
    p.add_argument("--random-prefix", metavar="P", help="inputs whose name starts with P are random sources")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--export", metavar="DIR", help="write spec files (and AIGER files for small circuits) to DIR")
    p.add_argument("--no-proof", action="store_true", help="compile only")
    p.add_argument("--miter", action="store_true", help="also run the unrolled miter (small circuits)")
    p.add_argument("--proofs", metavar="DIR", help="keep the proof's certificates (CNF, DRAT, manifest) in DIR "
                   "(default: a temporary directory, removed after the trusted checker accepted them)")
    p.add_argument("--timeout", type=timeout_arg, default=120.0, metavar="S",
                   help="per solver call of the proof, seconds (default 120)")
    args = p.parse_args(argv)
    name = args.construction
    if name not in CONSTRUCTIONS:
        raise UsageError(f"unknown construction '{name}' (one of: {', '.join(CONSTRUCTIONS)})")
    kind = CONSTRUCTIONS[name][0]
    t0 = time.perf_counter()
    circuit = None
    if kind == "n":
        most = limits.current().length
        if args.n is None or not 1 <= args.n <= most or args.file:
            raise UsageError(f"construction '{name}' takes --n N (1 <= N <= {most}, limit length) "
                             f"and no circuit file")
        source = args.n
    else:
        if not args.file or args.n is not None:
            raise UsageError(f"construction '{name}' takes a circuit file and no --n")
        circuit = read_circuit(Path(args.file), random_prefix=args.random_prefix)
        source = circuit
    read_s = time.perf_counter() - t0
    compiled, compile_s = compile_one(name, source)
    report = {"construction": name, "file": args.file, **{k: compiled.stats[k] for k in
                                                         ("rounds", "length", "peak_unmasked")}}
    t1 = time.perf_counter()
    res = resources(compiled)
    resources_s = time.perf_counter() - t1
    report["predictor_max_depth"] = res["predictor_max_depth"]
    report["predictor_max_fanin"] = res["predictor_max_fanin"]
    report["strategies"] = {k: v for k, v in res.items() if not k.startswith("predictor")}
    report["stats"] = compiled.stats
    report["formulas"] = compiled.formulas
    if circuit is not None:
        report["circuit"] = {"name": circuit.name, "size": circuit.size, "depth": circuit.depth,
                             "width": circuit.width, "inputs": len(circuit.inputs),
                             "random": len(circuit.randoms), "outputs": len(circuit.outputs),
                             "max_fanin": circuit.max_fanin}
    else:
        report["n"] = args.n
    exit_code = 0
    if args.no_proof:
        report["equivalence"] = {"verdict": "NOT RUN"}
    else:
        t1 = time.perf_counter()
        report["equivalence"] = prove(compiled, args.proofs, args.timeout)
        report["equivalence"]["seconds"] = round(time.perf_counter() - t1, 3)
        if report["equivalence"]["verdict"] != "PROVED":
            exit_code = 1
    if args.miter and circuit is not None:
        report["miter"] = _run_miter(compiled)
        if report["miter"]["verdict"] != "PROVED":
            exit_code = 1
    if args.export:
        report["exported"] = export(compiled, Path(args.export), Path(args.file) if args.file else None)
    report["seconds"] = {"read": round(read_s, 3), "compile": round(compile_s, 3), "resources": round(resources_s, 3),
                         "total": round(time.perf_counter() - t0, 3)}
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.json:
        print(json.dumps(report, default=str), file=stdout)
    else:
        eq = report["equivalence"]
        c = report.get("circuit")
        if c:
            print(f"circuit {c['name']}: N={c['size']} d={c['depth']} w={c['width']}", file=stdout)
        print(f"{name}: rounds {report['rounds']}, length {report['length']}, peak unmasked "
              f"{report['peak_unmasked']}, predictor depth {report['predictor_max_depth']}, "
              f"fan-in {report['predictor_max_fanin']}", file=stdout)
        for k, v in compiled.formulas.items():
            print(f"  {k}: {v}", file=stdout)
        print(f"equivalence: {eq['verdict']}" + (f" ({eq.get('method')}): {eq.get('message')}" if 'method' in eq else ""),
              file=stdout)
        for f in report.get("exported", []):
            print(f"wrote {f}", file=stdout)
    return exit_code


def _run_miter(compiled: Compiled) -> dict:
    from ..checks.coupling import _PatternAlgebra, _free_leaves, miter
    from ..dlm.semantics import Rule
    free = _free_leaves(compiled)
    if free > 20:
        return {"verdict": "UNKNOWN", "message": f"{free} free leaves: use the coupling-miter check (SAT)"}
    alg = _PatternAlgebra(1 << free)
    bad = 0
    for rule in (Rule.ENFORCE, Rule.LITERAL):
        bad |= miter(compiled, alg, rule)[0]
    return {"verdict": "REFUTED" if bad else "PROVED", "method": "exhaustive miter", "free_leaves": free}


# --- export ------------------------------------------------------------------------------------

def _expression(circuit, literal: int, memo: dict) -> str:
    from ..circuits.ir import Op
    v, neg = literal >> 1, literal & 1
    text = memo.get(v)
    if text is None:
        vx = circuit.vertices[v]
        if vx.op in (Op.INPUT, Op.RANDOM):
            text = vx.name
        elif vx.op == Op.CONST:
            text = "0"
        else:
            args = [_expression(circuit, f, memo) for f in vx.fanins]
            if vx.op == Op.BUF:
                text = args[0]
            elif vx.op == Op.AND:
                text = "(" + " & ".join(args) + ")"
            elif vx.op == Op.OR:
                text = "(" + " | ".join(args) + ")"
            elif vx.op == Op.XOR:
                text = "(" + " ^ ".join(args) + ")"
            else:
                text = "maj(" + ", ".join(args) + ")"
        memo[v] = text
    if neg:
        return "1" if text == "0" else f"~{text}"
    return text


def _positions_text(positions) -> str:
    """A position set as spec text; ``"none"`` for no position (an empty list is an error)."""
    return str(list(positions)) if positions else '"none"'


def dlm_spec_text(compiled: Compiled, resources_: dict) -> str:
    """The compiled DLM as a ``[dlm]`` spec (one rule per position), with the rule checks."""
    dlm = compiled.dlm
    lines = [f"# {compiled.construction} compiled by `python -m verify compile` (verify.constructions)",
             "[claim]", f'name = "{dlm.name}"',
             f'statement = "the DLM compiled by {compiled.construction} obeys its mode, encoding, '
             f'independence, termination and resource bounds"',
             'reference = "MODEL.md §5"', "", "[dlm]", f"length = {dlm.length}",
             f"rounds = {dlm.rounds}", f'mode = "{dlm.mode.value}"',
             f"random_bits = {list(dlm.random_bits)}", f"inputs = {_positions_text(dlm.inputs)}",
             f"outputs = {_positions_text(dlm.outputs)}", ""]
    for role, seq, outs in (("predictor", dlm.predictor, ("mask", "value")),
                            ("unmask_strategy", dlm.unmask_strategy, ("commit",)),
                            ("remask", dlm.remask, ("remask",))):
        if seq is None:
            continue
        for i in range(dlm.length):
            c = seq[i]
            memo: dict = {}
            lines.append(f"[[dlm.{role}]]")
            lines.append(f'at = "{i}"')
            for key, o in zip(outs, c.outputs):
                lines.append(f'{key} = "{_expression(c, o, memo)}"')
            lines.append("")
    # claims about the circuits themselves: read literally, not with the decoder's help
    for kind in ("encoding", "mode", "independence", "termination"):
        lines += ["[[check]]", f'kind = "{kind}"', 'rule = "literal"', 'expect = "PROVED"', ""]
    lines += ["[[check]]", 'kind = "resources"', f"max_rounds = {dlm.rounds}",
              f"max_length = {dlm.length}",
              f"max_predictor_depth = {resources_['predictor_max_depth'] + 1}",
              'expect = "PROVED"', ""]
    return "\n".join(lines)


def construction_spec_text(compiled: Compiled, circuit_rel: str | None, small: bool) -> str:
    lines = [f"# {compiled.construction}: the compiled DLM is correct (coupling with its circuit)",
             "[claim]", f'name = "{compiled.construction}-{compiled.circuit.name if compiled.circuit else compiled.stats.get("n")}"',
             f'statement = "the {compiled.construction} DLM outputs the circuit\'s outputs under the coupling"',
             'reference = "MODEL.md §5"', "", "[construction]", f'name = "{compiled.construction}"']
    if circuit_rel is not None:
        lines.append(f'circuit = "{circuit_rel}"')
        lines += ["", "[[check]]", 'kind = "coupling"', 'expect = "PROVED"']
        if small:
            lines += ["", "[[check]]", 'kind = "coupling-miter"', 'expect = "PROVED"']
    else:
        lines.append(f"n = {compiled.stats['n']}")
        lines += ["", "[[check]]", 'kind = "distribution"', 'target = "parity-even"', 'expect = "PROVED"']
    return "\n".join(lines) + "\n"


class _BuilderAlgebra:
    """Builds an IR circuit while the one evaluator runs (constants folded)."""

    def __init__(self, builder, leaves: dict):
        from ..circuits.ir import Op
        self.b = builder
        self.leaves = leaves
        self.Op = Op
        self.T = builder.const(True)
        self.F = self.T ^ 1

    def var(self, key):
        return self.leaves.get(key, self.F)

    def const(self, value: bool) -> int:
        return self.T if value else self.F

    def neg(self, a: int) -> int:
        return a ^ 1

    def _fold(self, args, unit, zero):
        out = []
        for a in args:
            if a == zero:
                return None
            if a != unit and a not in out:
                out.append(a)
        return out

    def and_(self, args):
        args = self._fold(args, self.T, self.F)
        if args is None:
            return self.F
        if not args:
            return self.T
        if len(args) == 1:
            return args[0]
        return self.b.gate(self.Op.AND, args)

    def or_(self, args):
        args = self._fold(args, self.F, self.T)
        if args is None:
            return self.T
        if not args:
            return self.F
        if len(args) == 1:
            return args[0]
        return self.b.gate(self.Op.OR, args)

    def xor(self, args):
        par, out = 0, []
        for a in args:
            if a == self.T:
                par ^= 1
            elif a != self.F:
                out.append(a)
        if not out:
            return self.T if par else self.F
        r = out[0] if len(out) == 1 else self.b.gate(self.Op.XOR, out)
        return r ^ par


def unrolled_circuit(compiled: Compiled):
    """The T-round run of the DLM as one circuit (decoder rule), with the circuit's inputs and
    random sources as its inputs in the circuit's vertex order; uncoupled random bits are 0."""
    from ..circuits.ir import CircuitBuilder, Op
    from ..dlm.semantics import Rule
    from ..encode.unroll import INITIAL, Unrolling
    circuit, dlm = compiled.circuit, compiled.dlm
    b = CircuitBuilder(f"{dlm.name}-unrolled")
    leaves = {}
    pos_of_input = {v: dlm.inputs[k] for k, v in enumerate(circuit.inputs)}
    for v, vx in enumerate(circuit.vertices):
        if vx.op == Op.INPUT:
            leaves[("chi", "dlm", pos_of_input[v])] = b.input(circuit.input_names[circuit.inputs.index(v)])
        elif vx.op == Op.RANDOM:
            lit = b.input(vx.name or f"r{v}")
            if v in compiled.random_map:
                p, bit, rnd = compiled.random_map[v]
                leaves[("r", "dlm", rnd - 1, p, bit, 0)] = lit
    alg = _BuilderAlgebra(b, leaves)
    u = Unrolling(dlm, alg, start=INITIAL, rule=Rule.ENFORCE, tag="dlm")
    from ..checks.coupling import fill_rounds
    fill_rounds(u)
    for k, p in enumerate(dlm.outputs):
        m, v = u.x(dlm.rounds, p)
        b.output(v, circuit.output_names[k] if k < len(circuit.output_names) else None)
    return b.build()


def export(compiled: Compiled, directory: Path, circuit_path: Path | None) -> list[str]:
    from ..circuits.formats import write_circuit
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    circuit = compiled.circuit
    stem = (circuit.name if circuit is not None else f"n{compiled.stats['n']}") + "." + compiled.construction
    small = circuit is not None and len(circuit.vertices) <= 200
    rel = os.path.relpath(circuit_path.resolve(), directory.resolve()) if circuit_path else None
    path = directory / f"{stem}.toml"
    path.write_text(construction_spec_text(compiled, rel, small), encoding="utf-8")
    written.append(str(path))
    if compiled.dlm.length <= EXPORT_DLM_LIMIT:
        path = directory / f"{stem}.dlm.toml"
        path.write_text(dlm_spec_text(compiled, resources(compiled)), encoding="utf-8")
        written.append(str(path))
    if circuit is not None and len(circuit.vertices) <= EXPORT_AIGER_LIMIT:
        path = directory / f"{circuit.name}.circuit.aig"
        write_circuit(circuit, path)
        written.append(str(path))
        path = directory / f"{stem}.unrolled.aig"
        write_circuit(unrolled_circuit(compiled), path)
        written.append(str(path))
    return written


# --- table ---------------------------------------------------------------------------------------

TABLE_LEGEND = """
Legend (exact formulas; n_in inputs, m outputs, N non-input vertices, d depth):
- AR steps = N + (output copies): one position revealed per round (Li et al. 2024).
- thm3.1: rounds = d (at least 1 if an output is an input, 2 if it is a copied random source);
  length = n_in + N + (output copies); an output copy is needed for a complemented or repeated
  output, or one that is an input or a random source.
- thm3.2-*: rounds T = max over outputs of (layer of the output vertex; 1 for an input; 2 for
  a random source) = d when some output has depth d; k = max(1, bitlength(T));
  length = n_in + m + S + k (revise) or n_in + m + S + 2k (remask).
- w′: the width after making the circuit strictly layered by identity copies (inputs stay
  readable at every layer). S: slots of Thm 3.2 = the maximum number of simultaneously live
  vertices (revise: layer(v) <= l < lastuse(v), plus those of layer l; remask:
  layer(v) <= l <= lastuse(v)). S revise <= w′; S remask may exceed w′, since a remasked slot is
  free only from the round after its last use."""

def command_table(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from ..circuits.formats import read_circuit
    p = _parser("python -m verify table",
                "Print a Markdown table. 'steps': for each circuit, N, d, w, the AR chain of thought's "
                "steps (Li et al. 2024) and each construction's rounds and length.", stdout,
                "exit codes:\n  0  the table was printed\n  2  usage error or a bad circuit file")
    p.add_argument("table", choices=["steps"])
    p.add_argument("files", nargs="+")
    p.add_argument("--random-prefix", metavar="P")
    args = p.parse_args(argv)
    names = ["thm3.1", "thm3.2-remask", "thm3.2-revise"]
    head = (["circuit", "N", "d", "w", "AR steps"] + [f"{n} rounds" for n in names]
            + [f"{n} length" for n in names] + ["w′", "S remask", "S revise"])
    print("| " + " | ".join(head) + " |", file=stdout)
    print("|" + "---|" * len(head), file=stdout)
    for f in args.files:
        c = read_circuit(Path(f), random_prefix=args.random_prefix)
        ar, _ = compile_one("ar-cot", c)
        row = [c.name, c.size, c.depth, c.width, ar.stats["rounds"]]
        comps = [compile_one(n, c)[0] for n in names]
        row += [x.stats["rounds"] for x in comps] + [x.stats["length"] for x in comps]
        row += [comps[1].stats["strict_width"], comps[1].stats["slots"], comps[2].stats["slots"]]
        print("| " + " | ".join(map(str, row)) + " |", file=stdout)
    print(TABLE_LEGEND, file=stdout)
    return 0
