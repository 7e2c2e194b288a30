"""``python -m verify gap``: the gap table of MODEL.md §6 (least locality per class)."""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import TextIO

from ..errors import UsageError
from .progress import Progress


GAP_EXIT_CODES = """exit codes:
  0  every row is complete: its answer found, every smaller bound refuted with a checked certificate
  1  some row is incomplete (a timeout, an unknown, or no answer up to the largest bound tried)
  2  usage error"""


def command_gap(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from ..checks.registry import Context
    from ..cli import CommandParser
    from ..limits import timeout_arg
    from ..dlm.model import Mode
    from .table import min_locality, parse_range

    p = CommandParser(prog="python -m verify gap", stdout=stdout, exit_codes=GAP_EXIT_CODES,
                description="For each (n, rounds, mode, semantics), the least locality k for which a "
                            "DLM with L = n produces the even-parity distribution D+n (support: exactly "
                            "the even strings are possible; exact: uniform on them, --rho random bits per "
                            "position and round). Smaller k are refuted by LRAT (or --proof drat) certificates accepted "
                            "by the trusted checker; the witness at k is re-verified by the exact "
                            "semantics. Progress goes to stderr.")
    p.add_argument("--n", default="3..5", help="e.g. 3..6 or 3,5 (default 3..5)")
    p.add_argument("--rounds", default="2..3", help="e.g. 2..3 (default 2..3)")
    p.add_argument("--mode", default="plain,revise,remask", help="comma-separated modes")
    p.add_argument("--semantics", default="support", help="support, exact, or both (= support,exact)")
    p.add_argument("--k-max", type=int, default=None, help="largest locality tried (default n)")
    p.add_argument("--proofs", default="proofs", metavar="DIR",
                   help="certificates and witnesses go to DIR/gap (default proofs/)")
    p.add_argument("--timeout", type=timeout_arg, default=600.0, metavar="S", help="per class, seconds")
    p.add_argument("--proof", choices=("lrat", "drat"), default=None,
                   help="proof format of the certificates (default: lrat, from cadical195)")
    p.add_argument("--max-candidates", type=int, default=5000,
                   help="exact semantics: give up after this many refuted candidates")
    p.add_argument("--rho", type=int, default=1,
                   help="exact semantics: random bits per position and round (default 1; rho >= 2 "
                        "for self-unmask predictors and the locality bound)")
    p.add_argument("--predictor-model", default="self-unmask",
                   help="self-unmask (P may output M), ab+F (a/b predictors, F on the same read set), "
                        "ab+F-unbounded (F reads everything), ab+F-state (F reads the whole state, "
                        "no predictions), full (MODEL.md §3: P may output M, F reads (x_j, y_j) and "
                        "G reads z_j or (x_j, z_j) on the read set, own position counted)")
    p.add_argument("--remask-reads", default="z", choices=("z", "xz"),
                   help="remask modes: G_i reads the committed tokens z_j (z) or the pairs (x_j, z_j) "
                        "(xz) on its read set (self-unmask and full models)")
    p.add_argument("--rule", default="enforce", choices=("enforce", "literal"),
                   help="decoder rule of the full model: enforce (the decoder applies the mode) or "
                        "literal (what the circuits compute; the mode must hold in every state)")
    p.add_argument("--bound", default="locality", choices=("locality", "template"),
                   help="locality (least k) or template (least s: each predictor output bit, and G's "
                        "remask bit, a DNF of <= s terms over all state bits (and r_i); self-unmask)")
    p.add_argument("--s-max", type=int, default=8, help="template bound: largest s tried (default 8)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.add_argument("--jsonl", action="store_true",
                   help="print one JSON object per finished row as soon as it is done (the entries "
                        "of --json), so a killed run keeps its finished rows")
    p.add_argument("--progress", action="store_true",
                   help="progress lines on stderr (class, k, phase, seconds; default: only when "
                        "stderr is a terminal)")
    args = p.parse_args(argv)
    if args.json and args.jsonl:
        raise UsageError("--json and --jsonl exclude each other")
    ranges = {}
    for flag, text in (("--n", args.n), ("--rounds", args.rounds)):
        try:
            ranges[flag] = parse_range(text)
        except ValueError as e:
            detail = f": {e}" if "empty range" in str(e) else ""
            raise UsageError(f"{flag} {text}{detail}; {flag} takes a range such as 3..6 or 3,5") from None
    ns, rounds = ranges["--n"], ranges["--rounds"]
    modes = []
    for m in args.mode.split(","):
        try:
            modes.append(Mode(m.strip()))
        except ValueError:
            raise UsageError(f"unknown mode '{m}' (plain, remask, revise, remask+revise)") from None
    sems = [s.strip() for s in args.semantics.replace("|", ",").split(",") if s.strip()]
    if sems == ["both"]:
        sems = ["support", "exact"]
    if not sems or any(s not in ("support", "exact") for s in sems):
        raise UsageError("--semantics takes support, exact or both")
    if not ns or min(ns) < 2 or not rounds or min(rounds) < 1:
        raise UsageError("--n must be >= 2 and --rounds >= 1")
    from .classes import PREDICTOR_MODELS
    if args.predictor_model not in PREDICTOR_MODELS:
        raise UsageError(f"--predictor-model takes one of {', '.join(PREDICTOR_MODELS)}")
    if args.rule == "literal" and args.predictor_model != "full":
        raise UsageError("--rule literal needs --predictor-model full")
    if args.remask_reads == "xz" and args.predictor_model not in ("self-unmask", "full"):
        raise UsageError("--remask-reads xz: self-unmask or full predictor model")
    if args.rho != 1:
        from .classes import GapClass, GapClassError
        if "exact" not in sems:
            raise UsageError("--rho applies to exact semantics only (add --semantics exact)")
        try:
            GapClass(max(ns), max(rounds), modes[0], "exact", 0, args.rho,
                     args.predictor_model, args.bound)
        except GapClassError as e:
            raise UsageError(f"--rho {args.rho}: {e}") from None
    ctx = Context(proofs_dir=Path(args.proofs), timeout=args.timeout, proof_format=args.proof)
    if args.bound == "template":
        from .table import min_template_size
        if args.predictor_model != "self-unmask":
            raise UsageError("--bound template: self-unmask predictors only")
        rows = [lambda progress, n=n, T=T, mode=mode, sem=sem:
                min_template_size(n, T, mode, ctx, semantics=sem, s_max=args.s_max,
                                  max_candidates=args.max_candidates, progress=progress)
                for sem in sems for mode in modes for T in rounds for n in ns]
        answer_key, heading = "min_size", "min s"
    else:
        rows = [lambda progress, n=n, T=T, mode=mode, sem=sem:
                min_locality(n, T, mode, sem, ctx, k_max=args.k_max, max_candidates=args.max_candidates,
                             progress=progress, predictor_model=args.predictor_model, rho=args.rho,
                             remask_reads=args.remask_reads, rule=args.rule)
                for sem in sems for mode in modes for T in rounds for n in ns]
        answer_key, heading = "min_locality", "min k"

    def line(msg: str) -> None:
        print(f"[gap {time.strftime('%H:%M:%S')}] {msg}", file=stderr, flush=True)
    shown = args.progress or (hasattr(stderr, "isatty") and stderr.isatty())
    progress = Progress(line) if shown else None
    entries = []
    with progress or contextlib.nullcontext():
        for row in rows:
            entries.append(row(progress))
            if args.jsonl:
                print(json.dumps(entries[-1]), file=stdout, flush=True)
    return _report(entries, answer_key, heading, args.json, args.jsonl, stdout)


def _report(entries: list[dict], answer_key: str, heading: str, as_json: bool, as_jsonl: bool,
            stdout) -> int:
    """Print the entries (JSON or a table; nothing more for --jsonl, printed row by row); exit 0
    only if every entry is complete, i.e. every step was established and an answer was found."""
    if as_jsonl:
        pass
    elif as_json:
        print(json.dumps(entries, indent=1), file=stdout)
    else:
        print(f"{'semantics':9} {'mode':13} {'T':>2} {'n':>2} {heading:>5}  {'time s':>7}  certificates", file=stdout)
        for e in entries:
            a = e[answer_key]
            shown = str(a) if a is not None else ("<=%d?" % e["upper_bound"] if "upper_bound" in e else "none")
            print(f"{e['semantics']:9} {e['mode']:13} {e['rounds']:>2} {e['n']:>2} {shown:>5}  {e['seconds']:7.2f}  "
                  f"{len(e['certificates'])} UNSAT" + (f", witness {e['witness']}" if e["witness"] else ""),
                  file=stdout)
    return 0 if all(e["complete"] and e[answer_key] is not None for e in entries) else 1
