"""Exact output distributions of every built-in policy (MODEL.md §7): time per distribution,
states visited, exact TV and KL (times are CPU seconds: the machine may be shared), at the issue's reach (L = 8, V = 2 and L = 5, V = 3), and the
Li–Cai check per target. Prints Markdown tables; the last output is saved as bench_policies.txt.

    python benchmarks/bench_policies.py [--quick]
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.policies import targets as T                       # noqa: E402
from verify.policies.cli import default_policies               # noqa: E402
from verify.policies.denoiser import IdealDenoiser             # noqa: E402
from verify.policies.divergence import (INFINITE, compositions, expected_kl_entropy, kl,  # noqa: E402
                                        li_cai_bound, mutual_information_sum, subset_entropies,
                                        total_variation)
from verify.policies.semantics import output_distribution      # noqa: E402
from fractions import Fraction                                  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def distributions(length: int, size: int, steps: list[int]) -> None:
    vocab = tuple("abc"[:size])
    stay = Fraction(3, 4)
    rows = [[str(stay if a == b else (1 - stay) / (size - 1)) for b in range(size)] for a in range(size)]
    target = T.markov(length, vocab, [str(Fraction(1, size))] * size, rows)
    den = IdealDenoiser(target)
    print(f"\n### L = {length}, V = {size}: Markov chain staying with probability 3/4, ideal denoiser\n")
    print("| policy | T | states | CPU s | TV | KL |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for t in steps:
        for label, pol in default_policies(length, t, Fraction(9, 10), 2 if length % 2 == 0 else 1):
            t0 = time.process_time()
            out = output_distribution(pol, den)
            sec = time.process_time() - t0
            worst = max(worst, sec)
            d = kl(target.probs, out.dist)
            kl_text = "∞" if d == INFINITE else d.approx(4)
            print(f"| {label} | {t} | {out.states_seen} | {sec:.2f} | "
                  f"{float(total_variation(target.probs, out.dist)):.4f} | {kl_text} |")
            sys.stdout.flush()
    print(f"\nslowest distribution: {worst:.2f} s of CPU; peak memory so far {peak_mb():.0f} MB")


def li_cai(length: int, size: int, seeds: int) -> None:
    t0 = time.process_time()
    n = 0
    for seed in range(seeds):
        target = T.random_table(length, tuple("abc"[:size]), seed)
        h = subset_entropies(target)
        mi = mutual_information_sum(target, h)
        for sch in compositions(length):
            assert (expected_kl_entropy(target, sch, h) - li_cai_bound(target, sch, h, mi)).sign() <= 0
            n += 1
    sec = time.process_time() - t0
    print(f"| {length} | {size} | {seeds} | {n} | {sec:.2f} | {sec / seeds * 1000:.0f} |")


def main() -> None:
    quick = "--quick" in sys.argv
    print("## Exact output distributions (python benchmarks/bench_policies.py)")
    distributions(5, 3, [2, 3, 5] if not quick else [2])
    distributions(8, 2, [2, 4, 8] if not quick else [2])
    print("\n## Li–Cai check (entropy method), random targets, every schedule\n")
    print("| L | V | targets | comparisons | CPU s | ms per target |")
    print("|---|---|---|---|---|---|")
    for length, size in ((4, 2), (5, 2), (6, 2), (4, 3), (5, 3)):
        li_cai(length, size, 10 if not quick else 2)
    print(f"\npeak memory {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
