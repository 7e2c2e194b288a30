"""Reach of the gap engine (MODEL.md §6): per instance n, T, mode, semantics, k, verdict, time,
clauses, proof size. Usage: ``python benchmarks/bench_gap.py [--n 3..6] [--rounds 2..3]
[--mode plain,revise,remask] [--semantics support,exact] [--certify] [--timeout S]``.

Without ``--certify`` UNSAT answers are solver answers only (no proof written, proof size
blank); with it every UNSAT is certified by the trusted checker (much slower on big proofs).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verify.dlm.model import Mode  # noqa: E402
from verify.gap.classes import GapClass  # noqa: E402
from verify.gap.search import solve_class  # noqa: E402
from verify.gap.table import parse_range  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", default="3..6")
    p.add_argument("--rounds", default="2..3")
    p.add_argument("--mode", default="plain,revise,remask")
    p.add_argument("--semantics", default="support,exact")
    p.add_argument("--certify", action="store_true")
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--max-candidates", type=int, default=3000)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-gap-"))
    print(f"{'n':>2} {'T':>2} {'mode':8} {'semantics':9} {'k':>2} {'verdict':8} {'time s':>8} "
          f"{'clauses':>9} {'proof B':>10}", flush=True)
    for sem in a.semantics.split(","):
        for mode in a.mode.split(","):
            for T in parse_range(a.rounds):
                for n in parse_range(a.n):
                    for k in range(0, n + 1):
                        cls = GapClass(n, T, Mode(mode), sem, k)
                        t0 = time.perf_counter()
                        r = solve_class(cls, certify_dir=tmp if a.certify else None, timeout=a.timeout,
                                        max_candidates=a.max_candidates)
                        verdict = r.status + ("*" if r.status == "UNSAT" and r.certified else "")
                        print(f"{n:>2} {T:>2} {mode:8} {sem:9} {k:>2} {verdict:8} "
                              f"{time.perf_counter() - t0:8.2f} {r.clauses:>9} "
                              f"{r.proof_bytes or '':>10}", flush=True)
                        if r.status != "UNSAT":
                            break
    print("* = certificate accepted by the trusted checker", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
