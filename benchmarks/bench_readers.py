"""Read every circuit of the benchmark folder and print its statistics and reading cost.

Usage: python benchmarks/bench_readers.py [FOLDER]   (default: ../shared/benchmarks)

Columns: vertices, inputs, outputs, size (non-input vertices), depth, width (MODEL.md §1);
read (s) = wall time of ``read_circuit`` alone (best of one untraced run); stats (s) = time to
compute depth and width afterwards; peak (MB) = peak Python memory traced by ``tracemalloc``
during a second, traced read (file bytes, parser state and the finished circuit). The last line
gives the process's peak resident set size (``resource.getrusage``).
"""
from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.circuits.formats import READ_EXTENSIONS, read_circuit  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT
    if not folder.is_dir():
        print(f"{folder}: benchmark folder not found", file=sys.stderr)
        return 2
    files = sorted(p for p in folder.rglob("*") if p.suffix in READ_EXTENSIONS)
    if not files:
        print(f"{folder}: no circuit files", file=sys.stderr)
        return 2
    head = (f"{'file':34} {'vertices':>8} {'in':>5} {'out':>5} {'size':>7} {'depth':>6} "
            f"{'width':>6} {'read(s)':>8} {'stats(s)':>8} {'peak(MB)':>8}")
    print(head)
    print("-" * len(head))
    total = 0.0
    for path in files:
        gc.collect()
        t0 = time.perf_counter()
        c = read_circuit(path)
        t1 = time.perf_counter()
        depth, width = c.depth, c.width
        t2 = time.perf_counter()
        del c
        gc.collect()
        tracemalloc.start()
        c = read_circuit(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        total += t1 - t0
        print(f"{str(path.relative_to(folder)):34} {len(c.vertices):8d} {len(c.inputs):5d} "
              f"{len(c.outputs):5d} {c.size:7d} {depth:6d} {width:6d} {t1 - t0:8.3f} "
              f"{t2 - t1:8.3f} {peak / 2**20:8.1f}")
        del c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print("-" * len(head))
    print(f"{len(files)} files read in {total:.2f} s; process peak RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
