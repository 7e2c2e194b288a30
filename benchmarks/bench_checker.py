"""Benchmark proof checking on the same CNFs: DRAT path against LRAT path of the trusted checker,
and the outside LRAT checkers lrat-check and cake_lpr where built.

    python benchmarks/bench_checker.py [--quick] [--xtools DIR]

For every CNF (pigeonhole, random 3-CNF at the threshold, one padded with 100k clauses, and a
few committed gap CNFs from ``proofs/gap`` when present) CaDiCaL 1.9.5 (``cadical195``) is run
twice, once writing DRUP and once LRAT. Every check is a child process (wall clock, including
interpreter start): the trusted checker's command-line main on the DRAT proof and on the LRAT
proof (``--trim``: it also writes the trimmed proof, whose check is a column of its own), then
``lrat-check`` and ``cake_lpr`` on the solver's LRAT. ``--xtools`` (or ``$DLM_XTOOLS``, or
``PATH``) names the folder of the outside checkers (``../shared/tools/build.sh DIR``).

Columns: proof sizes in bytes (text), check seconds, and the ratios DRAT check / LRAT check
(speed-up of the trusted checker) and trimmed / solver LRAT bytes.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify.checker import read_dimacs, write_dimacs               # noqa: E402
from verify.encode.cnf_families import pigeonhole, random_kcnf     # noqa: E402
from verify.encode.sat import SatStatus, solve                    # noqa: E402

GAP_CNFS = ["n6-T2-remask-support-k1.cnf", "n7-T2-plain-support-k2.cnf",
            "n5-T3-remask-exact-k1.cnf"]


def run(cmd: list[str]) -> tuple[str, float]:
    """(stdout, wall seconds) of one child process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    return proc.stdout.decode(errors="replace"), time.perf_counter() - start


def formulas(quick: bool):
    for n in (5, 6, 7) if quick else (5, 6, 7, 8):
        clauses, nv = pigeonhole(n + 1, n)
        yield f"PHP {n + 1}->{n}", clauses, nv
    clauses, nv = pigeonhole(8, 7)
    pad = [[l + (nv if l > 0 else -nv) for l in c] for c in random_kcnf(50_000, 100_000, 3, seed=1)]
    yield "PHP 8->7 + 100k pad", clauses + pad, nv + 50_000
    for n in (100, 150) if quick else (100, 150, 200):
        m = round(4.26 * n)
        for seed in range(100):
            clauses = random_kcnf(n, m, 3, seed=seed)
            if solve(clauses, n, timeout=None, proof=False).status is SatStatus.UNSAT:
                yield f"3-CNF n={n} s={seed}", clauses, n
                break
    for name in GAP_CNFS[:1] if quick else GAP_CNFS:
        path = ROOT / "proofs" / "gap" / name
        if path.is_file():
            cnf = read_dimacs(path)
            yield "gap " + name.removesuffix(".cnf"), cnf.clauses, cnf.num_vars


def tool(folder: str | None, name: str) -> str | None:
    if folder and (Path(folder) / name).is_file():
        return str(Path(folder) / name)
    return shutil.which(name)


def verdict(text: str, ok: str) -> str:
    return "ok" if any(line.strip() == ok for line in text.splitlines()) else "NO"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller instances only")
    ap.add_argument("--xtools", default=os.environ.get("DLM_XTOOLS"),
                    help="folder with lrat-check and cake_lpr (default: $DLM_XTOOLS, else PATH)")
    args = ap.parse_args()
    lrat_check, cake = tool(args.xtools, "lrat-check"), tool(args.xtools, "cake_lpr")
    checker = [sys.executable, "-m", "verify.checker"]
    head = (f"{'formula':<28} {'clauses':>7} {'DRAT B':>10} {'DRAT s':>7} {'LRAT B':>10} {'LRAT s':>7} "
            f"{'trim B':>10} {'trim s':>7} {'lrat-check s':>12} {'cake_lpr s':>10} "
            f"{'DRAT/LRAT s':>11} {'LRAT/DRAT B':>11} {'trim/LRAT B':>11}")
    print("solver cadical195 (CaDiCaL 1.9.5) via PySAT; trusted checker = python -m verify.checker "
          f"(CPython {sys.version.split()[0]}), every check a child process; "
          f"lrat-check: {lrat_check or 'absent'}; cake_lpr: {cake or 'absent'}")
    print(head)
    print("-" * len(head))
    bad = 0
    totals = [0.0, 0.0, 0.0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        cnf, drat, lrat, trim = (Path(tmp) / x for x in ("f.cnf", "f.drat", "f.lrat", "t.lrat"))
        for name, clauses, nv in formulas(args.quick):
            cnf.write_bytes(write_dimacs(clauses, nv))
            out = solve(clauses, nv, timeout=None, proof=True, solver="cadical195")
            assert out.status is SatStatus.UNSAT, name
            drat.write_text("".join(line + "\n" for line in out.proof))
            out = solve(clauses, nv, timeout=None, proof=True, solver="cadical195",
                        proof_format="lrat", proof_path=lrat)
            assert out.status is SatStatus.UNSAT, name
            t_drat, s_drat = run(checker + ["--format", "drat", str(cnf), str(drat)])
            t_lrat, s_lrat = run(checker + ["--format", "lrat", "--trim", str(trim), str(cnf), str(lrat)])
            t_trim, s_trim = run(checker + ["--format", "lrat", str(cnf), str(trim)])
            oks = [verdict(t, "s VERIFIED") for t in (t_drat, t_lrat, t_trim)]
            cells = []
            for exe, ok in ((lrat_check, "c VERIFIED"), (cake, "s VERIFIED UNSAT")):
                if exe is None:
                    cells.append("-")
                    continue
                text, secs = run([exe, str(cnf), str(lrat)])
                oks.append(verdict(text, ok))
                cells.append(f"{secs:.2f}")
            bad += oks.count("NO")
            b_drat, b_lrat, b_trim = (p.stat().st_size for p in (drat, lrat, trim))
            for i, v in enumerate((s_drat, s_lrat, s_trim, b_drat, b_lrat, b_trim)):
                totals[i] += v
            flag = "" if "NO" not in oks else "  NOT VERIFIED by " + ",".join(
                n for n, o in zip(("drat", "lrat", "trim", "lrat-check", "cake_lpr"), oks) if o == "NO")
            print(f"{name:<28} {len(clauses):>7} {b_drat:>10} {s_drat:>7.2f} {b_lrat:>10} {s_lrat:>7.2f} "
                  f"{b_trim:>10} {s_trim:>7.2f} {cells[0]:>12} {cells[1]:>10} "
                  f"{s_drat / s_lrat:>11.2f} {b_lrat / b_drat:>11.2f} {b_trim / b_lrat:>11.2f}{flag}",
                  flush=True)
    s_drat, s_lrat, s_trim, b_drat, b_lrat, b_trim = totals
    print(f"{'total':<28} {'':>7} {b_drat:>10} {s_drat:>7.2f} {b_lrat:>10} {s_lrat:>7.2f} "
          f"{b_trim:>10} {s_trim:>7.2f} {'':>12} {'':>10} "
          f"{s_drat / s_lrat:>11.2f} {b_lrat / b_drat:>11.2f} {b_trim / b_lrat:>11.2f}")
    print(f"checks not verified: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
