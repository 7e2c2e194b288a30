"""Exact semantics with rho >= 2 random bits per position and round (MODEL.md §6).

The brute force is independent of the encoder and the CEGAR: it enumerates every DLM of a tiny
class as read sets plus a count vector out of 2^rho per (position, view) (and remask bits),
lazily (a table entry is enumerated when a run first consults it), with its own exact
propagation.
"""
from __future__ import annotations

import functools
import io
import itertools
import math
import random
from fractions import Fraction

import pytest
from pysat.solvers import Solver

from verify.checks.registry import Context
from verify.dlm.model import Mode
from verify.gap.check import decide
from verify.gap.classes import GapClass, GapClassError
from verify.gap.encode import encode, local_vars
from verify.gap.search import solve_class
from verify.gap.witness import Witness, quick_distribution, write_spec

A, B, M = 0, 1, 2


def count_vectors(W):
    """Every (c_a, c_b, c_M) with sum W (few M and mixed first: only the order of the search)."""
    return sorted(((a, b, W - a - b) for a in range(W + 1) for b in range(W + 1 - a)),
                  key=lambda c: (c[2], -min(c[0], c[1])))


class _Need(Exception):
    def __init__(self, key, last):
        self.key, self.last = key, last


def _run(mode, n, T, reads, table, remask, W):
    """Output distribution, or raise _Need(key, last) for the first table entry not yet chosen
    (last: a predictor entry first consulted at a masked position in the last round, or a
    remask entry first consulted in the last round)."""
    dist = {(M,) * n: Fraction(1)}
    for r in range(T):
        def entry(tab, key, last=False):
            if key not in tab:
                raise _Need(key, last)
            return tab[key]
        nxt = {}
        for x, p in dist.items():
            per = []
            for i in range(n):
                if not (mode.allows_revise or x[i] == M):
                    per.append([(x[i], Fraction(1))])
                    continue
                c = entry(table, ("P", i, tuple(x[j] for j in reads[i])), r == T - 1 and x[i] == M)
                opts = {}
                for t in (A, B, M):
                    t2 = x[i] if (t == M and x[i] != M) else t
                    if c[t]:
                        opts[t2] = opts.get(t2, 0) + Fraction(c[t], W)
                per.append(list(opts.items()))
            for combo in itertools.product(*per):
                z, q = tuple(t for t, _ in combo), p * math.prod(f for _, f in combo)
                if mode.allows_remask:
                    z = tuple(M if z[i] != M and entry(remask, ("G", i, tuple(z[j] for j in reads[i])), r == T - 1)
                              else z[i] for i in range(n))
                nxt[z] = nxt.get(z, 0) + q
        dist = nxt
    return dist


@functools.lru_cache(maxsize=None)
def brute_force_exact(mode, n, T, k, rho):
    W = 1 << rho
    evens = {x for x in itertools.product((A, B), repeat=n) if sum(x) % 2 == 0}
    want = {x: Fraction(1, len(evens)) for x in evens}
    cands = [list(range(n)) if (mode.allows_revise or mode.allows_remask) else
             [j for j in range(n) if j != i] for i in range(n)]

    def search(reads, table, remask):
        try:
            return _run(mode, n, T, reads, table, remask, W) == want
        except _Need as need:
            if need.key[0] == "P":
                # an entry first met at a masked position in the last round (the state has
                # positive probability) must not predict M, or M is a possible output
                return any(search(reads, {**table, need.key: c}, remask) for c in count_vectors(W)
                           if not (need.last and c[M]))
            # likewise a remask bit first met in the last round must not remask
            return any(search(reads, table, {**remask, need.key: g}) for g in (False, True)
                       if not (need.last and g))

    # read sets that leave out the own position first (only the order of an existential search)
    read_sets = sorted(itertools.product(*(itertools.combinations(c, min(k, len(c))) for c in cands)),
                       key=lambda rs: sum(i in r for i, r in enumerate(rs)))
    return any(search(reads, {}, {}) for reads in read_sets)


TINY = [(mode, 2, T, k) for mode in (Mode.PLAIN, Mode.REVISE, Mode.REMASK) for T in (1, 2) for k in (0, 1)]


@pytest.mark.parametrize("mode,n,T,k", TINY)
def test_rho2_engine_matches_brute_force(mode, n, T, k):
    res = solve_class(GapClass(n, T, mode, "exact", k, rho=2), max_candidates=100000)
    assert res.status in ("SAT", "UNSAT")
    assert (res.status == "SAT") == brute_force_exact(mode, n, T, k, 2)


def test_brute_force_distinguishes():
    """The reference is not constant: SAT and UNSAT classes both occur among TINY."""
    got = {brute_force_exact(mode, n, T, k, 2) for mode, n, T, k in TINY}
    assert got == {True, False}


@pytest.mark.parametrize("rho", [2, 3])
def test_count_encoding_is_a_bijection(rho):
    """Per (position, state) the count CNF has exactly one model per count vector."""
    W = 1 << rho
    for mode in (Mode.PLAIN, Mode.REVISE):
        enc = encode(GapClass(2, 1, mode, "exact", 1, rho=rho), goal=False)
        vs = local_vars(enc, 0, (M, M))
        with Solver(name="cadical153", bootstrap_with=enc.clauses) as s:
            models = sum(s.solve(assumptions=[v if b else -v for v, b in zip(vs, bits)])
                         for bits in itertools.product((0, 1), repeat=len(vs)))
        assert models == len(count_vectors(W))


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK])
def test_rho2_witness_spec_matches_quick_distribution(mode, tmp_path):
    """Random count DLMs (not only parity witnesses): the spec written with 2 random bits per
    predictor has, under verify.dlm.semantics, the distribution the search loop computes."""
    from verify.dlm.semantics import output_distribution
    from verify.specs import load_spec
    rng = random.Random(5)
    n, W = 3, 4
    cls = GapClass(n, 2, mode, "exact", 2, rho=2)
    for trial in range(4):
        reads = tuple(tuple(sorted(rng.sample([j for j in range(n) if mode.allows_revise or mode.allows_remask
                                               or j != i], 2))) for i in range(n))
        outcomes, predictor, remask = {}, {}, {}
        for i in range(n):
            for view in itertools.product((A, B, M), repeat=2):
                c = rng.choice(count_vectors(W))
                outcomes[(i, view)] = (A,) * c[0] + (B,) * c[1] + (M,) * c[2]
                predictor[(i, view)] = tuple(t for t in (A, B, M) if c[t])
                remask[(i, view)] = rng.random() < 0.3
        w = Witness(cls, reads, predictor, remask, outcomes=outcomes)
        path = write_spec(w, tmp_path / f"r{trial}.toml", "r")
        dlm = load_spec(path).instances[0].subject
        got = output_distribution(dlm)
        want = {"".join("ab"[t] if t != M else "M" for t in x): p for x, p in quick_distribution(w).items()}
        assert {s.replace("0", "a").replace("1", "b"): p for s, p in got.items()} == want, trial


@pytest.mark.parametrize("mode,n,T", [(Mode.PLAIN, 3, 2), (Mode.PLAIN, 3, 3), (Mode.REVISE, 3, 2),
                                      (Mode.PLAIN, 4, 2), (Mode.REVISE, 4, 2), (Mode.REMASK, 3, 3)])
def test_rho2_refines_support_and_contains_rho1(mode, n, T):
    """exact(rho = 2) SAT => support SAT; exact(rho = 1) SAT => exact(rho = 2) SAT."""
    for k in range(0, n + 1):
        sup = solve_class(GapClass(n, T, mode, "support", k))
        one = solve_class(GapClass(n, T, mode, "exact", k, rho=1), max_candidates=3000)
        two = solve_class(GapClass(n, T, mode, "exact", k, rho=2), max_candidates=3000)
        assert two.status in ("SAT", "UNSAT") and one.status in ("SAT", "UNSAT")
        if two.status == "SAT":
            assert sup.status == "SAT"
        if one.status == "SAT":
            assert two.status == "SAT"
        if one.status == "SAT":
            break


def test_rho2_witness_reverified_and_unsat_certified(tmp_path):
    ctx = Context(proofs_dir=tmp_path, timeout=60)
    got = decide(GapClass(4, 3, Mode.PLAIN, "exact", 2, rho=2), ctx)
    assert got["fact"] == "exists", got["message"]
    text = open(got["certificates"][0]).read()
    assert "random_bits = 2" in text and "r1" in text
    got = decide(GapClass(4, 2, Mode.PLAIN, "exact", 2, rho=2), ctx)
    assert got["fact"] == "none" and got["method"] == "cegar+LRAT"
    from verify.checker import check_certificate
    cnf = next(p for p in got["certificates"] if p.endswith(".cnf"))
    proof = next(p for p in got["certificates"] if p.endswith(".lrat"))
    assert check_certificate(cnf, proof).verified
    assert "rho2" in cnf


def test_rho_errors(tmp_path):
    with pytest.raises(GapClassError, match="self-unmask"):
        GapClass(3, 2, Mode.PLAIN, "exact", 1, rho=2, predictor_model="ab+F")
    with pytest.raises(GapClassError, match="exact semantics only"):
        GapClass(3, 2, Mode.PLAIN, "support", 1, rho=2)
    spec = tmp_path / "bad.toml"
    spec.write_text('[claim]\nname = "c"\n[gap]\nn = 3\nrounds = 2\nmode = "plain"\nsemantics = "support"\n'
                    'locality = 1\nrho = 2\n[[check]]\nkind = "gap"\nclaim = "none"\nexpect = "PROVED"\n')
    from verify.cli import main
    out, err = io.StringIO(), io.StringIO()
    assert main([str(spec)], out, err) == 2
    assert "rho" in (out.getvalue() + err.getvalue()) and "Traceback" not in err.getvalue()
    assert main(["gap", "--n", "3", "--rho", "2"], io.StringIO(), err) == 2
