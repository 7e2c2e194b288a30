"""Benchmarks of the rule checks (issue 3, item 6); run ``python benchmarks/bench_rules.py``.

Table 1: check time against DLM size (positions x rounds) on the revising parity DLM of
Thm 4.1 (specs/parity-revise.toml) built for growing n and T, with the SAT back end (every
UNSAT certified and re-checked) and with z3.
Table 2: trusted-checker time against proof size, over the certificates Table 1 wrote.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verify.circuits.expr import compile_expressions  # noqa: E402
from verify.dlm.model import DLM, Mode  # noqa: E402
from verify.verdict import Verdict  # noqa: E402


def parity_revise(n: int, rounds: int) -> DLM:
    def resolve(name):
        return ("random", f"r{i}_0") if name == "r0" else ("input", name)
    preds = []
    for i in range(n):
        if i == 0:
            text = "m0 & r0 | ~m0 & v0"
        elif i == n - 1:
            text = f"m{i} & r0 | ~m{i} & v{i-1}"
        else:
            text = f"m{i} & r0 | ~m{i} & (v{i} ^ v{i-1})"
        preds.append(compile_expressions([("m", "0"), ("v", text)], resolve, name=f"p{i}"))
    return DLM(length=n, rounds=rounds, mode=Mode.REVISE, predictor=preds, random_bits=[1] * n,
               outputs=list(range(n)), name=f"parity-revise-{n}x{rounds}")


def run_check(dlm, kind, solver, proofs):
    from tests.rules_util import run_check as rc
    t0 = time.perf_counter()
    out = rc(dlm, kind, solver, proofs, name=dlm.name)
    return out, time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="8,64,512,2048", help="positions n (comma-separated)")
    p.add_argument("--rounds", default="2,4,8", help="rounds T (comma-separated)")
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rounds = [int(s) for s in args.rounds.split(",")]
    rows = []
    proofs = Path(tempfile.mkdtemp(prefix="bench-proofs-"))
    print("Table 1: check time vs DLM size (parity-revise, revise mode)")
    print(f"{'n':>6} {'T':>3} {'n*T':>7} {'check':<12} {'sat s':>8} {'z3 s':>8} {'calls':>5} {'clauses':>9}  verdict")
    for n in sizes:
        for T in rounds:
            dlm = parity_revise(n, T)
            for kind in ("mode", "encoding", "termination"):
                if kind != "termination" and T != rounds[0]:
                    continue  # one-round checks do not depend on T
                sat, ts = run_check(dlm, kind, "sat", proofs)
                z3o, tz = run_check(dlm, kind, "z3", proofs)
                row = {"n": n, "T": T, "check": kind, "sat_s": ts, "z3_s": tz, "verdict": sat.verdict.value,
                       "z3": z3o.verdict.value, "calls": sat.details.get("queries", 0),
                       "clauses": sat.details.get("cnf_clauses", 0)}
                rows.append(row)
                print(f"{n:>6} {T:>3} {n*T:>7} {kind:<12} {ts:>8.3f} {tz:>8.3f} {row['calls']:>5} "
                      f"{row['clauses']:>9}  {sat.verdict.value} / z3 {z3o.verdict.value}")
    print()
    print("Table 2: trusted-checker time vs proof size (certificates of Table 1)")
    try:
        from verify import certify
    except ImportError:
        print("  (verify.certify not available)")
        return 0
    drats = sorted(proofs.glob("*.drat"), key=lambda q: q.stat().st_size)
    print(f"{'certificate':<48} {'cnf clauses':>11} {'proof bytes':>11} {'check s':>8}  result")
    picks = drats if len(drats) <= 12 else [drats[k * (len(drats) - 1) // 11] for k in range(12)]
    for d in picks:
        cnf = d.with_suffix(".cnf")
        t0 = time.perf_counter()
        res = certify.recheck([str(d.with_suffix(".json"))])
        dt = time.perf_counter() - t0
        res = res[0][1].value if res else "missing"
        clauses = sum(1 for line in cnf.read_text().splitlines() if line and line[0] not in "cp")
        print(f"{d.stem[:48]:<48} {clauses:>11} {d.stat().st_size:>11} {dt:>8.3f}  {res}")
        rows.append({"certificate": d.stem, "clauses": clauses, "proof_bytes": d.stat().st_size, "check_s": dt})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
