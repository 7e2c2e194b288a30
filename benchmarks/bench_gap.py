"""Reach of the gap engine (MODEL.md §6): per instance n, T, mode, semantics, k, verdict, time,
clauses, proof size. Usage: ``python benchmarks/bench_gap.py [--n 3..6] [--rounds 2..3]
[--mode plain,revise,remask] [--semantics support,exact] [--certify] [--timeout S]``.

Without ``--certify`` UNSAT answers are solver answers only (no proof written, proof size
blank); with it every UNSAT is certified by the trusted checker (much slower on big proofs).
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verify.dlm.model import Mode  # noqa: E402
from verify.gap.classes import GapClass  # noqa: E402
from verify.gap.search import solve_class  # noqa: E402
from verify.gap.table import parse_range  # noqa: E402


def _one(cls, certify_dir, timeout, max_candidates):
    """One class in a forked child: its answer and the child's peak resident memory (MB; the
    child starts from the parent's pages, so small classes show the interpreter's size)."""
    r = solve_class(cls, certify_dir=certify_dir, timeout=timeout, max_candidates=max_candidates)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return r.status, r.certified, r.clauses, r.proof_bytes, peak


def _in_child(fn, args, timeout):
    """fn(*args) in a forked, non-daemonic child (the engine forks children of its own);
    None on timeout or a crash."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=lambda: send.send(fn(*args)))
    child.start()
    send.close()
    try:
        return recv.recv() if recv.poll(timeout) else None
    except EOFError:
        return None
    finally:
        if child.is_alive():
            child.kill()
        child.join()


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
          f"{'clauses':>9} {'proof B':>10} {'peak MB':>8}", flush=True)
    for sem in a.semantics.split(","):
        for mode in a.mode.split(","):
            for T in parse_range(a.rounds):
                for n in parse_range(a.n):
                    for k in range(0, n + 1):
                        cls = GapClass(n, T, Mode(mode), sem, k)
                        t0 = time.perf_counter()
                        got = _in_child(_one, (cls, tmp if a.certify else None, a.timeout,
                                               a.max_candidates), a.timeout + 60)
                        if got is None:
                            got = ("UNKNOWN", False, 0, 0, 0.0)
                        status, certified, clauses, proof_bytes, peak = got
                        verdict = status + ("*" if status == "UNSAT" and certified else "")
                        print(f"{n:>2} {T:>2} {mode:8} {sem:9} {k:>2} {verdict:8} "
                              f"{time.perf_counter() - t0:8.2f} {clauses:>9} "
                              f"{proof_bytes or '':>10} {peak:8.0f}", flush=True)
                        if status != "UNSAT":
                            break
    print("* = certificate accepted by the trusted checker", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
