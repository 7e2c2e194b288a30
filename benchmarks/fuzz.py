"""Fuzz every parser with mutations of real files (issue 10.7).

Usage: python benchmarks/fuzz.py [-n N] [--seed S] [--formats bench,blif,...] [--memory-mb M]
                                 [--limit-seconds T] [--save DIR]

For each format, N inputs are made by mutating seed files (real files: the shipped specs, the
shared benchmark circuits when ``../shared/benchmarks`` is present, files written by the
project's own writers, a solver's DRAT proof) with 1-4 random edits each: bit flips, byte
substitutions, deleted, duplicated or inserted ranges, numbers replaced by extreme values,
line swaps, truncation, and a short chunk repeated up to a thousand times. Each input is
handed to the real parser in a worker child process that runs under an address-space limit
(``--memory-mb``, default 2048); the parent kills the worker when one input takes longer than
``--limit-seconds`` (default 10) and starts a new one.

Printed per format: inputs; accepted (parsed, or a certificate checked); clean errors (the
project's own error types, which the CLI reports with file and line, exit 2); tracebacks (any
other exception, MemoryError included); crashes (the worker died, e.g. killed by the memory
limit); runs over the time limit; the slowest input. For DIMACS, a mutated CNF that the
checker VERIFIED with the seed's proof is re-solved by a SAT solver: a satisfiable one would be
an unsound acceptance (column ``unsound``). Distinct traceback signatures are listed below the
table; ``--save DIR`` writes every input that gave a traceback, crash or timeout.

Formats: bench, blif, aag, aig (``read_circuit`` + statistics), toml (``load_spec``), dimacs
(the trusted checker on the mutated CNF with the seed's proof), drat (the seed CNF with a
mutated text or binary proof), lrat (the seed CNF with a mutated LRAT proof from cadical195).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "benchmarks"

FORMATS = ("bench", "blif", "aag", "aig", "toml", "dimacs", "drat", "lrat")

SMALL_BENCH = b"""# a small ISCAS-style circuit
INPUT(a)
INPUT(b)
INPUT(c)
OUTPUT(z)
OUTPUT(y)
n1 = NAND(a, b)
n2 = NOR(b, c)
n3 = XOR(n1, n2)
y = NOT(n3)
z = AND(n1, n3, c)
w = BUFF(y)
"""

SMALL_BLIF = b""".model small
.inputs a b c
.outputs z y
.names a b n1
11 0
.names b c n2
00 1
.names n1 n2 n3
10 1
01 1
.names n3 y
0 1
.names n1 n3 c z
111 1
.end
"""


# --- seeds -----------------------------------------------------------------------------------
def pigeonhole(pigeons: int) -> tuple[list[list[int]], int]:
    holes = pigeons - 1

    def v(p, h):
        return 1 + p * holes + h
    clauses = [[v(p, h) for h in range(holes)] for p in range(pigeons)]
    clauses += [[-v(p, h), -v(q, h)] for h in range(holes) for p in range(pigeons) for q in range(p + 1, pigeons)]
    return clauses, pigeons * holes


def binary_drat(lines: list[str]) -> bytes:
    out = bytearray()
    for line in lines:
        toks = line.split()
        kind = b"d" if toks and toks[0] == "d" else b"a"
        out += kind
        for t in toks[1:] if kind == b"d" else toks:
            x = int(t)
            if x == 0:
                break
            u = 2 * abs(x) + (x < 0)
            while u > 127:
                out.append((u & 127) | 128)
                u >>= 7
            out.append(u)
        out.append(0)
    return bytes(out)


def seeds(fmt: str) -> list[bytes]:
    """Real files of the format (read from the repository and ``../shared``, or written by the
    project's own writers and solver)."""
    from verify.circuits.aiger import dump_aag, dump_aig
    from verify.circuits.bench import dump_bench
    from verify.circuits.formats import read_circuit
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-seed-"))
    (tmp / "small.bench").write_bytes(SMALL_BENCH)
    circuits = [read_circuit(tmp / "small.bench")]
    c17 = SHARED / "iscas85" / "c17.bench"
    if c17.exists():
        circuits.append(read_circuit(c17))
    if fmt == "bench":
        return [SMALL_BENCH] + [c17.read_bytes()] * c17.exists() + [dump_bench(c).encode() for c in circuits]
    if fmt == "blif":
        ctrl = SHARED / "epfl" / "random_control" / "ctrl.blif"
        return [SMALL_BLIF] + [ctrl.read_bytes()] * ctrl.exists()
    if fmt == "aag":
        return [dump_aag(c).encode() for c in circuits]
    if fmt == "aig":
        return [dump_aig(c) for c in circuits]
    if fmt == "toml":
        files = sorted((ROOT / "specs").glob("*.toml")) + sorted((ROOT / "specs" / "constructions").glob("parity-*.toml")) \
            + sorted((ROOT / "specs" / "gap").glob("*-n4-T2-k1.toml"))
        return [f.read_bytes() for f in files]
    clauses, nv = pigeonhole(4)
    if fmt == "dimacs":
        from verify.checker import write_dimacs
        return [write_dimacs(clauses, nv)]
    if fmt in ("drat", "lrat"):
        from verify.encode.sat import solve
        out = solve(clauses, nv, timeout=None, proof=True)
        text = "".join(line + "\n" for line in out.proof).encode()
        if fmt == "drat":
            return [text, binary_drat(out.proof)]
        lrat = tmp / "seed.lrat"
        solve(clauses, nv, timeout=None, proof=True, proof_format="lrat", proof_path=lrat)
        return [lrat.read_bytes()]
    raise ValueError(fmt)


# --- mutations -------------------------------------------------------------------------------
NUMBERS = [b"0", b"-1", b"1", b"2", b"-0", b"2147483648", b"4294967297", b"9223372036854775808", b"16777216",
           b"1000000000", b"99999999999999999999", b"9" * 5000, b"1e309", b"nan", b"0x10", b"\xd9\xa2"]
CHUNKS = [b"[", b"{", b"(", b"~", b"a & ", b"-1 ", b"1 ", b"\n", b"0 ", b"{n}", b"[[", b"d ", b"\x80", b"x", b".a", b"{9**9}"]
BYTES = b"\x00\xff\n \t-09[]{}()\"'#~=.,&|^\x80\\"


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(10)
        n = len(buf)
        k = rng.randrange(n + 1) if n else 0
        if op == 0 and n:
            buf[min(k, n - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[min(k, n - 1)] = rng.choice(BYTES)
        elif op == 2:
            del buf[k:k + rng.randint(1, 16)]
        elif op == 3 and n:
            a = rng.randrange(n)
            chunk = buf[a:a + rng.randint(1, 64)]
            buf[k:k] = chunk
        elif op == 4:
            buf[k:k] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 5:
            spans = [m.span() for m in re.finditer(rb"-?\d+", bytes(buf))]
            if spans:
                a, b = rng.choice(spans)
                buf[a:b] = rng.choice(NUMBERS)
        elif op == 6:
            lines = bytes(buf).split(b"\n")
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                choice = rng.randrange(3)
                if choice == 0:
                    lines[i], lines[j] = lines[j], lines[i]
                elif choice == 1:
                    lines.insert(i, lines[j])
                else:
                    del lines[i]
                buf = bytearray(b"\n".join(lines))
        elif op == 7:
            del buf[k:]
        elif op == 8:
            buf[k:k] = rng.choice(CHUNKS) * rng.choice((10, 100, 500, 1000))
        else:
            buf[k:k] = rng.choice(NUMBERS)
    return bytes(buf)


# --- targets (run in the worker) -------------------------------------------------------------
class Unsound(Exception):
    """The checker verified a CNF that a SAT solver satisfies."""


def _target(fmt: str, path: Path, aux: dict):
    """Parse one input; returns 'accepted' or raises. ``aux`` holds the fixed companion files."""
    if fmt in ("bench", "blif", "aag", "aig"):
        from verify.circuits.formats import read_circuit
        read_circuit(path).stats()
        return "accepted"
    if fmt == "toml":
        from verify.specs import load_spec
        load_spec(path)
        return "accepted"
    from verify import checker
    if fmt == "dimacs":
        outcome = checker.check_certificate(path, aux["proof"])
        if outcome.verified:
            cnf = checker.read_dimacs(path)
            from verify.encode.sat import SatStatus, solve
            # no timeout: a solver child cannot be forked from this (daemonic) worker; the
            # parent's hang limit bounds it
            if solve(cnf.clauses, cnf.num_vars, timeout=None, proof=False).status is SatStatus.SAT:
                raise Unsound("VERIFIED a satisfiable CNF")
        return "accepted"
    if fmt == "drat":
        checker.check_certificate(aux["cnf"], path)
        return "accepted"
    if fmt == "lrat":
        checker.check_certificate(aux["cnf"], path, fmt="lrat")
        return "accepted"
    raise ValueError(fmt)


def _clean_types():
    from verify.checker import CheckerInputError
    from verify.errors import UserError
    return (UserError, CheckerInputError)


def _worker(conn, memory_mb: int, fmt: str, aux: dict, workdir: str) -> None:
    import resource
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    clean = _clean_types()
    ext = {"toml": ".toml", "dimacs": ".cnf", "drat": ".drat", "lrat": ".lrat"}.get(fmt, "." + fmt)
    path = Path(workdir) / f"input{ext}"
    while True:
        try:
            data = conn.recv()
        except EOFError:
            return
        path.write_bytes(data)
        t0 = time.perf_counter()
        try:
            kind, sig = _target(fmt, path, aux), ""
        except clean:
            kind, sig = "clean", ""
        except Unsound as e:
            kind, sig = "unsound", str(e)
        except BaseException as e:   # noqa: BLE001 - every other exception is a finding
            tb = traceback.extract_tb(e.__traceback__)
            where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
            kind, sig = "traceback", f"{type(e).__name__} at {where}: {str(e)[:100]}"
        conn.send((kind, sig, time.perf_counter() - t0))


@dataclass
class Tally:
    inputs: int = 0
    counts: dict = field(default_factory=lambda: {k: 0 for k in ("accepted", "clean", "traceback", "crash",
                                                                    "timeout", "unsound")})
    slowest: tuple = (0.0, -1)
    signatures: dict = field(default_factory=dict)


class Pool:
    """One worker child at a time; restarted after a crash or a timeout."""

    def __init__(self, fmt: str, aux: dict, memory_mb: int, workdir: str):
        self.args = (memory_mb, fmt, aux, workdir)
        self.ctx = multiprocessing.get_context("fork")
        self.proc = None

    def start(self):
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()
        child.close()

    def stop(self):
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.conn.close()
            self.proc = None

    def run(self, data: bytes, limit: float):
        if self.proc is None:
            self.start()
        t0 = time.perf_counter()
        try:
            self.conn.send(data)
            if self.conn.poll(limit):
                return self.conn.recv()
            self.stop()
            return "timeout", f"over {limit:g}s", time.perf_counter() - t0
        except (EOFError, OSError, BrokenPipeError):
            self.proc.join(1)
            code = self.proc.exitcode
            self.stop()
            return "crash", f"worker died (exit {code})", time.perf_counter() - t0


def fuzz_format(fmt: str, n: int, seed: int, memory_mb: int = 2048, limit: float = 10.0,
                save: Path | None = None) -> Tally | None:
    """Run ``n`` mutated inputs of one format; None when the format has no seed or target."""
    base = seeds(fmt)
    if not base:
        return None
    workdir = tempfile.mkdtemp(prefix=f"fuzz-{fmt}-")
    aux = {}
    if fmt in ("dimacs", "drat", "lrat"):
        clauses, nv = pigeonhole(4)
        from verify.checker import write_dimacs
        from verify.encode.sat import solve
        cnf, proof = Path(workdir) / "seed.cnf", Path(workdir) / "seed.drat"
        cnf.write_bytes(write_dimacs(clauses, nv))
        proof.write_bytes("".join(line + "\n" for line in solve(clauses, nv, timeout=None, proof=True).proof).encode())
        aux = {"cnf": str(cnf), "proof": str(proof)}
    tally = Tally()
    pool = Pool(fmt, aux, memory_mb, workdir)
    try:
        for i in range(n):
            rng = random.Random(f"{seed}:{fmt}:{i}")
            data = mutate(rng.choice(base), rng)
            kind, sig, seconds = pool.run(data, limit)
            tally.inputs += 1
            tally.counts[kind] += 1
            if seconds > tally.slowest[0]:
                tally.slowest = (seconds, i)
            if kind not in ("accepted", "clean"):
                tally.signatures.setdefault(sig, [0, i])[0] += 1
                if save is not None:
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"{fmt}-{seed}-{i}.{kind}").write_bytes(data)
    finally:
        pool.stop()
    return tally


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python benchmarks/fuzz.py", description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=1000, help="mutated inputs per format (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of the worker")
    p.add_argument("--limit-seconds", type=float, default=10.0, help="an input running longer is a hang")
    p.add_argument("--save", type=Path, help="write inputs that gave a traceback, crash or timeout here")
    args = p.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        p.error(f"unknown format {bad[0]} (formats: {', '.join(FORMATS)})")
    print(f"# fuzz: -n {args.n} --seed {args.seed}, worker memory limit {args.memory_mb} MB, "
          f"hang limit {args.limit_seconds:g}s, python {sys.version.split()[0]}")
    print(f"{'format':<7} {'inputs':>7} {'accepted':>9} {'clean err':>9} {'traceback':>9} {'crash':>6} "
          f"{'>limit':>6} {'unsound':>7} {'slowest':>9}  {'(input #)':<9} {'time':>7}")
    findings = []
    total = {"traceback": 0, "crash": 0, "timeout": 0, "unsound": 0}
    for fmt in formats:
        t0 = time.perf_counter()
        tally = fuzz_format(fmt, args.n, args.seed, args.memory_mb, args.limit_seconds, args.save)
        if tally is None:
            print(f"{fmt:<7} missing: no seed")
            continue
        c = tally.counts
        for k in total:
            total[k] += c[k]
        print(f"{fmt:<7} {tally.inputs:>7} {c['accepted']:>9} {c['clean']:>9} {c['traceback']:>9} {c['crash']:>6} "
              f"{c['timeout']:>6} {c['unsound']:>7} {tally.slowest[0]:>8.3f}s  #{tally.slowest[1]:<8} "
              f"{time.perf_counter() - t0:>6.0f}s", flush=True)
        for sig, (count, first) in sorted(tally.signatures.items(), key=lambda kv: -kv[1][0]):
            findings.append(f"  {fmt}: {count} x {sig} (first: input #{first})")
    print(f"total: {total['traceback']} tracebacks, {total['crash']} crashes, {total['timeout']} over the "
          f"limit, {total['unsound']} unsound acceptances")
    if findings:
        print("findings:")
        print("\n".join(findings))
    return 1 if any(total.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
