"""Benchmark the trusted checker on solver proofs: PHP and random 3-CNF near the threshold.

    python benchmarks/bench_checker.py [--solver cadical153] [--quick] [--drat-trim PATH]

The last rows check the coupling certificates of ``compile c880 --construction thm3.2-remask``
(Thm 3.2 inductive coupling), once as the toolkit batches them and once in batches of ~18k
clauses (the size at which the old checker's backward pass took seconds per certificate); a
row sums its certificates (peak memory: the largest).

Each certificate is written to a temporary directory and checked by the checker's command-line
main in a child process, so the time (wall clock, including interpreter start) and peak memory
(VmHWM of that process) are those of the real command: parsing, forward and backward pass. With ``--drat-trim`` (or a
``drat-trim`` on PATH) the same files are also given to drat-trim and the verdicts compared.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify.checker import write_dimacs                      # noqa: E402
from verify.encode.cnf_families import pigeonhole, random_kcnf  # noqa: E402
from verify.encode.sat import SatStatus, solve               # noqa: E402


# Runs the checker's own main, then reports the peak RSS of this process image (VmHWM is per
# address space, so unlike ru_maxrss it does not inherit the forking parent's size).
CHECKER_CHILD = """
import sys
from verify.checker.__main__ import main
code = main(sys.argv[1:])
hwm = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))
print('c peak-rss-kib', hwm)
sys.exit(code)
"""


def run_measured(cmd: list[str]) -> tuple[int, str, float]:
    """(exit code, stdout, wall seconds) of one child process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    return proc.returncode, proc.stdout.decode(errors="replace"), time.perf_counter() - start


def formulas(quick: bool):
    for n in (5, 6, 7) if quick else (5, 6, 7, 8):
        clauses, nv = pigeonhole(n + 1, n)
        yield f"PHP {n + 1}->{n}", clauses, nv
    # a large formula: PHP 8->7 beside 100k clauses of a satisfiable random 3-CNF (ratio 2)
    # over 50k fresh variables, so parsing and the forward pass see ~10^5 clauses
    clauses, nv = pigeonhole(8, 7)
    pad = [[l + (nv if l > 0 else -nv) for l in c] for c in random_kcnf(50_000, 100_000, 3, seed=1)]
    yield "PHP 8->7 + 100k pad", clauses + pad, nv + 50_000
    for n in (100, 150) if quick else (100, 150, 200, 250):
        m = round(4.26 * n)
        for seed in range(100):
            clauses = random_kcnf(n, m, 3, seed=seed)
            if solve(clauses, n, timeout=None, proof=False).status is SatStatus.UNSAT:
                yield f"3-CNF n={n} m={m} s={seed}", clauses, n
                break


# Compiles c880 by Thm 3.2 with remasking and keeps the coupling certificates; batch, when
# given, replaces the number of clauses at which a batch of obligations becomes a certificate.
COMPILE_CHILD = """
import sys
import verify.checks.coupling as coupling
if sys.argv[2] != "default":
    coupling.CLAUSES_PER_CERTIFICATE = int(sys.argv[2])
from verify.cli import main
sys.exit(main(["compile", str(sys.argv[3]), "--construction", "thm3.2-remask",
               "--proofs", sys.argv[1], "--json"]))
"""
C880 = ROOT.parent / "shared" / "benchmarks" / "iscas85" / "c880.bench"


def coupling_row(name: str, batch: int | None, out_dir: Path, drat_trim: str | None) -> tuple[str, int]:
    """One row summing the checks of every coupling certificate of c880 (thm3.2-remask)."""
    code, text, _ = run_measured([sys.executable, "-c", COMPILE_CHILD, str(out_dir),
                                  str(batch or "default"), str(C880)])
    assert code == 0, text[-2000:]
    nv = clauses = lemmas = size = core = 0
    solve_s = check_s = rss = 0.0
    verdicts, dverdicts, dsecs_total = set(), set(), 0.0
    manifests = sorted(out_dir.glob("*coupling*.json"))
    for man in manifests:
        meta = json.loads(man.read_text())
        cnf, prf = out_dir / meta["cnf"]["file"], out_dir / meta["proof"]["file"]
        nv = max(nv, meta["cnf"]["vars"])
        clauses += meta["cnf"]["clauses"]
        lemmas += meta["proof"]["lemmas"]
        size += prf.stat().st_size
        solve_s += meta["solver"]["seconds"]
        code, text, secs = run_measured([sys.executable, "-c", CHECKER_CHILD, str(cnf), str(prf)])
        check_s += secs
        verdicts.add(next(line for line in text.splitlines() if line.startswith("s ")))
        rss = max(rss, int(next(line.split()[2] for line in text.splitlines() if "peak-rss-kib" in line)))
        core += int(next((line.split()[1] for line in text.splitlines()
                          if line.startswith("c ") and "lemmas checked" in line), "0"))
        if drat_trim:
            dcode, dtext, dsecs = run_measured([drat_trim, str(cnf), str(prf), "-t", "20000"])
            dverdicts.add("s VERIFIED" if "s VERIFIED" in dtext else "s NOT VERIFIED")
            dsecs_total += dsecs
    verdict = verdicts.pop() if len(verdicts) == 1 else "mixed: " + ", ".join(sorted(verdicts))
    label = f"{name} ({len(manifests)})"
    row = (f"{label:<24} {nv:>5} {clauses:>7} {lemmas:>7} {size:>9} "
           f"{solve_s:>7.2f} {check_s:>8.2f} {rss / 1024:>8.1f} {core:>6}  {verdict}")
    bad = 0
    if drat_trim:
        dverdict = dverdicts.pop() if len(dverdicts) == 1 else "mixed"
        bad = dverdict != verdict
        row += f"   {dverdict} ({dsecs_total:.2f}s)"
    return row, bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--solver", default="cadical153")
    ap.add_argument("--quick", action="store_true", help="smaller instances only")
    ap.add_argument("--drat-trim", default=shutil.which("drat-trim"), help="drat-trim binary")
    args = ap.parse_args()
    head = (f"{'formula':<24} {'vars':>5} {'clauses':>7} {'lemmas':>7} {'proof B':>9} "
            f"{'solve s':>7} {'check s':>8} {'peak MiB':>8} {'core':>6}  verdict")
    if args.drat_trim:
        head += "   drat-trim"
    print(f"solver {args.solver}; checker run as a child process (verify.checker main)")
    print(head)
    print("-" * len(head))
    disagreements = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, batch in (("c880 coupling", None), ("c880 coupling 18k", 18_000)):
            row, bad = coupling_row(name, batch, Path(tmp) / name.replace(" ", "_"), args.drat_trim)
            print(row, flush=True)
            disagreements += bad
        for name, clauses, nv in formulas(args.quick):
            out = solve(clauses, nv, timeout=None, proof=True, solver=args.solver)
            assert out.status is SatStatus.UNSAT, name
            cnf, prf = Path(tmp) / "f.cnf", Path(tmp) / "f.drat"
            cnf.write_bytes(write_dimacs(clauses, nv))
            prf.write_text("".join(line + "\n" for line in out.proof))
            lemmas = sum(1 for line in out.proof if not line.startswith("d"))
            code, text, secs = run_measured([sys.executable, "-c", CHECKER_CHILD, str(cnf), str(prf)])
            verdict = next(line for line in text.splitlines() if line.startswith("s "))
            rss = int(next(line.split()[2] for line in text.splitlines() if "peak-rss-kib" in line))
            core = next((line.split()[1] for line in text.splitlines()
                         if line.startswith("c ") and "lemmas checked" in line), "?")
            row = (f"{name:<24} {nv:>5} {len(clauses):>7} {lemmas:>7} {prf.stat().st_size:>9} "
                   f"{out.seconds:>7.2f} {secs:>8.2f} {rss / 1024:>8.1f} {core:>6}  {verdict}")
            if args.drat_trim:
                dcode, dtext, dsecs = run_measured([args.drat_trim, str(cnf), str(prf), "-t", "20000"])
                dverdict = "s VERIFIED" if "s VERIFIED" in dtext else "s NOT VERIFIED"
                disagreements += dverdict != verdict
                row += f"   {dverdict} ({dsecs:.2f}s)"
            print(row, flush=True)
    if args.drat_trim:
        print(f"drat-trim disagreements: {disagreements}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
