"""Benchmark of the construction compilers and their coupling proofs (verify/constructions).

For every circuit under ../shared/benchmarks (ISCAS-85 and EPFL; skipped with a message when
absent) and every construction, runs ``python -m verify compile FILE --construction NAME --json``
in a child process with a time limit and prints one Markdown row: N, d, w, rounds, length,
compile / resources / proof / total seconds, the child's peak RSS and the proof's verdict.

    python benchmarks/bench_constructions.py [--constructions thm3.1,ar-cot] [--timeout 600]
                                             [--only c17,hyp] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "benchmarks"
NAMES = ["thm3.1", "thm3.2-remask", "thm3.2-revise", "ar-cot"]


def circuits() -> list[Path]:
    files = [p for p in BENCH.rglob("*") if p.suffix in (".bench", ".blif", ".aag", ".aig")]
    return sorted(files, key=lambda p: (p.stat().st_size, p.name))


def run_one(path: Path, name: str, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "verify", "compile", str(path), "--construction", name, "--json"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"verdict": f"TIMEOUT {timeout:g}s", "wall": round(time.perf_counter() - t0, 1)}
    wall = time.perf_counter() - t0
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return {"verdict": "ERROR", "message": err.strip().splitlines()[-1:] or ["?"], "wall": round(wall, 1)}
    data["wall"] = round(wall, 1)
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--constructions", default=",".join(NAMES))
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if not BENCH.is_dir():
        print(f"skipped: no benchmark directory {BENCH}")
        return 0
    only = set(filter(None, args.only.split(",")))
    names = args.constructions.split(",")
    rows = []
    print("| circuit | N | d | w | construction | rounds | length | peak unmasked | P depth | P fan-in "
          "| compile s | proof s | total s | peak RSS MB | verdict |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for path in circuits():
        if only and path.stem not in only:
            continue
        for name in names:
            d = run_one(path, name, args.timeout)
            c = d.get("circuit", {})
            eq = d.get("equivalence", {})
            sec = d.get("seconds", {})
            row = [path.stem, c.get("size", ""), c.get("depth", ""), c.get("width", ""), name,
                   d.get("rounds", ""), d.get("length", ""), d.get("peak_unmasked", ""),
                   d.get("predictor_max_depth", ""), d.get("predictor_max_fanin", ""),
                   sec.get("compile", ""), eq.get("seconds", ""), d.get("wall", ""),
                   d.get("peak_rss_mb", ""), eq.get("verdict", d.get("verdict", "ERROR"))]
            print("| " + " | ".join(map(str, row)) + " |", flush=True)
            rows.append({"circuit": path.stem, "construction": name, **{k: v for k, v in d.items() if k != "stats"},
                         "stats": d.get("stats")})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
