"""Standard CNF families for testing and benchmarking the SAT pipeline and the checker."""
from __future__ import annotations

import random


def pigeonhole(pigeons: int, holes: int) -> tuple[list[list[int]], int]:
    """PHP: each pigeon in some hole, no hole with two pigeons. UNSAT iff pigeons > holes.
    Variable p(i, h) = i * holes + h + 1 says pigeon i sits in hole h."""
    def p(i: int, h: int) -> int:
        return i * holes + h + 1
    clauses = [[p(i, h) for h in range(holes)] for i in range(pigeons)]
    clauses += [[-p(i, h), -p(j, h)] for h in range(holes)
                for i in range(pigeons) for j in range(i + 1, pigeons)]
    return clauses, pigeons * holes


def random_kcnf(num_vars: int, num_clauses: int, k: int = 3, seed: int = 0) -> list[list[int]]:
    """Uniform random k-CNF: k distinct variables per clause, each negated with probability 1/2."""
    rng = random.Random(seed)
    return [[v if rng.random() < 0.5 else -v for v in rng.sample(range(1, num_vars + 1), k)]
            for _ in range(num_clauses)]
