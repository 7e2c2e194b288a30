"""Benchmark of the exact distribution methods (MODEL.md §4 item 6); run
``python benchmarks/bench_distribution.py``.

The parity DLMs of ``specs/parity-revise.toml`` (Thm 4.1) and ``specs/parity-remask.toml``
(Thm 4.2), read from the spec files with ``n`` replaced by 4, 5, ..., and every exact method on
each: the exact semantics (state propagation), BDDs (CUDD and pure-Python autoref), projected
model counting (SAT enumeration of the support, Ganak per outcome) and brute force over every
random bit. Every method's distribution is compared with the first one's (a mismatch aborts).
A method stops growing n for a DLM once its runs together took more than the budget (default
30 s) or its next run would, by the growth of its last two times (at least x2 per step of n:
the support doubles).

Columns: time is wall-clock of an untraced run; peak memory is tracemalloc's peak in a second,
traced run, so it sees Python allocations only (not CUDD's or Ganak's C++ heaps).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verify.dlm.semantics import brute_force_distribution, output_distribution, random_slots  # noqa: E402
from verify.distribution.symbolic import bdd_output_distribution, count_output_distribution  # noqa: E402
from verify.encode.bdd import available_backends  # noqa: E402
from verify.specs import load_spec  # noqa: E402

SPECS = ["parity-revise", "parity-remask"]

METHODS = {
    "exact": output_distribution,
    "bdd (cudd)": lambda dlm: bdd_output_distribution(dlm, backend="cudd"),
    "bdd (autoref)": lambda dlm: bdd_output_distribution(dlm, backend="autoref"),
    "count (ganak)": count_output_distribution,
    "brute-force": lambda dlm: brute_force_distribution(dlm, max_bits=64),
}


def dlm_for(spec: str, n: int, tmp: Path):
    """The spec's DLM at ``n``: the spec file with its ``n`` list replaced by ``[n]``."""
    text = (ROOT / "specs" / f"{spec}.toml").read_text()
    text, k = re.subn(r"(?m)^n\s*=\s*\[[^\]]*\]", f"n = [{n}]", text)
    if k != 1:
        raise SystemExit(f"{spec}.toml: no 'n = [...]' line in [params]")
    path = tmp / f"{spec}.toml"
    path.write_text(text)
    (inst,) = load_spec(path).instances
    return inst.subject


def measure(fn, dlm):
    t0 = time.perf_counter()
    dist = fn(dlm)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn(dlm)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dist, seconds, peak


def human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--min-n", type=int, default=4)
    p.add_argument("--max-n", type=int, default=16)
    p.add_argument("--budget", type=float, default=30.0, help="seconds per DLM and method (default 30)")
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated, from: " + ", ".join(METHODS))
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "bench_distribution.txt",
                   help="also write the table here ('-' for stdout only)")
    args = p.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if "cudd" not in available_backends():
        methods = [m for m in methods if m != "bdd (cudd)"]
    lines: list[str] = []

    def emit(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    header = f"{'DLM':<14} {'n':>3} {'T':>2} {'random bits':>11}  {'method':<14} {'outcomes':>8} {'time':>9} {'peak memory':>12}"
    emit(header)
    emit("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for spec in SPECS:
            spent = {m: 0.0 for m in methods}
            last: dict[str, float] = {}
            stopped: dict[str, str] = {}
            for n in range(args.min_n, args.max_n + 1):
                dlm = dlm_for(spec, n, Path(tmp))
                bits = len(random_slots(dlm)) * dlm.rounds
                reference = None
                for m in methods:
                    if m in stopped:
                        continue
                    dist, seconds, peak = measure(METHODS[m], dlm)
                    if reference is None:
                        reference = (m, dist)
                    elif dist != reference[1]:
                        raise SystemExit(f"{spec} n={n}: {m} disagrees with {reference[0]}")
                    spent[m] += seconds
                    emit(f"{spec:<14} {n:>3} {dlm.rounds:>2} {bits:>11}  {m:<14} {len(dist):>8} "
                         f"{seconds:>8.3f}s {human_bytes(peak):>12}")
                    growth = max(2.0, seconds / last[m]) if last.get(m) else 2.0
                    last[m] = seconds
                    if spent[m] > args.budget or seconds * growth > args.budget:
                        stopped[m] = (f"stopped after n={n} ({spent[m]:.1f}s in all, next run "
                                      f"estimated {seconds * growth:.0f}s)")
            for m, why in stopped.items():
                emit(f"{spec:<14} {m}: {why}")
            emit("")
    emit("time: one untraced run; peak memory: tracemalloc (Python heap only; CUDD and Ganak "
         "allocate in C/C++, which it does not see). Every method's distribution equals the "
         "first method's at each n.")
    if str(args.out) != "-":
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
