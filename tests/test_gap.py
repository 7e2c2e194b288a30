"""The gap engine (MODEL.md §6) against brute force, the simulator and the exact semantics.

The brute force here is independent of the encoder: it enumerates DLMs as read sets plus
local tables and runs them with its own few-line set/probability propagation.
"""
from __future__ import annotations

import io
import itertools
import json
import random
from fractions import Fraction
from dataclasses import replace
from pathlib import Path

import pytest
from pysat.solvers import Solver

from verify.checks.registry import Context
from verify.dlm.model import Mode
from verify.gap.check import decide
from verify.gap.classes import GapClass
from verify.gap.encode import encode
from verify.gap.search import solve_class
from verify.gap.witness import verify_witness, write_spec

A, B, M = 0, 1, 2
SUPPORTS = [s for r in (1, 2, 3) for s in itertools.combinations((A, B, M), r)]


# --- an independent reference: a DLM is (reads, table, remask) --------------------------

def consulted(mode: Mode, i, x):
    return mode.allows_revise or x[i] == M


def step_options(mode, n, reads, table, remask, x, exact):
    """[(next state, probability)] from x (probability 1 per option for support)."""
    per = []
    for i in range(n):
        if not consulted(mode, i, x):
            per.append([(x[i], Fraction(1))])
            continue
        sup = table[i][tuple(x[j] for j in reads[i])]
        opts = {}
        for t in sup:
            t2 = x[i] if (t == M and x[i] != M) else t
            opts[t2] = opts.get(t2, 0) + (Fraction(1, len(sup)) if exact else Fraction(1))
        per.append(list(opts.items()))
    out = []
    for combo in itertools.product(*per):
        z = tuple(t for t, _ in combo)
        p = Fraction(1)
        for _, q in combo:
            p *= q
        if mode.allows_remask:
            z = tuple(M if z[i] != M and remask[i][tuple(z[j] for j in reads[i])] else z[i]
                      for i in range(n))
        out.append((z, p))
    return out


def reference_sets(mode, n, T, reads, table, remask):
    sets = [{(M,) * n}]
    for _ in range(T):
        sets.append({z for x in sets[-1] for z, _ in step_options(mode, n, reads, table, remask, x, False)})
    return sets


def reference_distribution(mode, n, T, reads, table, remask):
    dist = {(M,) * n: Fraction(1)}
    for _ in range(T):
        nxt = {}
        for x, p in dist.items():
            for z, q in step_options(mode, n, reads, table, remask, x, True):
                nxt[z] = nxt.get(z, 0) + p * q
        dist = nxt
    return dist


def reference_ok(mode, n, T, reads, table, remask, exact):
    evens = {x for x in itertools.product((A, B), repeat=n) if sum(x) % 2 == 0}
    if not exact:
        return reference_sets(mode, n, T, reads, table, remask)[-1] == evens
    return reference_distribution(mode, n, T, reads, table, remask) == {x: Fraction(1, len(evens)) for x in evens}


def candidates(mode, n, i):
    return list(range(n)) if (mode.allows_revise or mode.allows_remask) else [j for j in range(n) if j != i]


def views_needed(mode, n, reads_i, i):
    """Views of S_i that occur where P_i is consulted."""
    vs = set()
    for x in itertools.product((A, B, M), repeat=n):
        if consulted(mode, i, x):
            vs.add(tuple(x[j] for j in reads_i))
    return sorted(vs)


def all_dlms(mode, n, k, exact):
    """Every DLM of the class (remask: G over the views of S_i)."""
    sups = [s for s in SUPPORTS if len(s) <= (2 if exact else 3)]
    per_position = []
    for i in range(n):
        opts = []
        for reads_i in itertools.combinations(candidates(mode, n, i), k):
            vs = views_needed(mode, n, reads_i, i)
            gviews = list(itertools.product((A, B, M), repeat=k)) if mode.allows_remask else []
            for tab in itertools.product(sups, repeat=len(vs)):
                for g in itertools.product((False, True), repeat=len(gviews)):
                    opts.append((reads_i, dict(zip(vs, tab)), dict(zip(gviews, g))))
        per_position.append(opts)
    for combo in itertools.product(*per_position):
        yield [c[0] for c in combo], [c[1] for c in combo], [c[2] for c in combo]


def brute_force_exists(mode, n, T, k, exact):
    return any(reference_ok(mode, n, T, r, t, g, exact) for r, t, g in all_dlms(mode, n, k, exact))


def engine_exists(mode, n, T, k, semantics):
    res = solve_class(GapClass(n, T, mode, semantics, k), max_candidates=100000)
    assert res.status in ("SAT", "UNSAT")
    return res.status == "SAT"


TINY = [(Mode.PLAIN, 2, T, k) for T in (1, 2, 3) for k in (0, 1)] + \
       [(Mode.PLAIN, 3, T, 0) for T in (1, 2, 3)] + \
       [(Mode.REVISE, 2, T, 0) for T in (1, 2, 3)] + [(Mode.REVISE, 2, 2, 1), (Mode.REVISE, 3, 2, 0)] + \
       [(Mode.REMASK, 2, T, 0) for T in (1, 2, 3)] + [(Mode.REMASK_REVISE, 2, 2, 0)]


@pytest.mark.parametrize("semantics", ["support", "exact"])
@pytest.mark.parametrize("mode,n,T,k", TINY)
def test_engine_matches_brute_force(mode, n, T, k, semantics):
    assert engine_exists(mode, n, T, k, semantics) == brute_force_exists(mode, n, T, k, semantics == "exact")


# --- the encoding of one fixed DLM equals the simulator's reachable sets ----------------

def random_dlm(rng, mode, n, k):
    reads, table, remask = [], [], []
    for i in range(n):
        r = tuple(sorted(rng.sample(candidates(mode, n, i), k)))
        reads.append(r)
        table.append({v: rng.choice(SUPPORTS) for v in itertools.product((A, B, M), repeat=k)})
        remask.append({v: rng.random() < 0.3 for v in itertools.product((A, B, M), repeat=k)})
    return reads, table, remask


def fix_of(mode, n, reads, table, remask):
    fix = {"sel": {}, "o": {}, "g": {}}
    for i in range(n):
        for j in candidates(mode, n, i):
            fix["sel"][(i, j)] = j in reads[i]
        for x in itertools.product((A, B, M), repeat=n):
            fix["o"][(i, x)] = set(table[i][tuple(x[j] for j in reads[i])])
            fix["g"][(i, x)] = remask[i][tuple(x[j] for j in reads[i])]
    return fix


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK, Mode.REMASK_REVISE])
def test_encoding_reachable_sets_equal_simulator(mode):
    rng = random.Random(7)
    n, T = 3, 3
    for trial in range(12):
        reads, table, remask = random_dlm(rng, mode, n, rng.choice([1, 2]))
        enc = encode(GapClass(n, T, mode, "support", n), fix=fix_of(mode, n, reads, table, remask), goal=False)
        with Solver(name="cadical153", bootstrap_with=enc.clauses) as s:
            assert s.solve()
            true = {l for l in s.get_model() if l > 0}
        want = reference_sets(mode, n, T, reads, table, remask)
        for t in range(1, T + 1):
            got = {x for x in itertools.product((A, B, M), repeat=n) if enc.var("R", t, x) in true}
            assert got == want[t], (trial, t)


# --- refinement, witnesses, certificates ---------------------------------------------------

@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK])
def test_exact_refines_support(mode):
    for n, T in [(3, 2), (3, 3), (4, 2)]:
        _exact_refines_support(range(0, n + 1), 300, False,
                               lambda sem, k: GapClass(n, T, mode, sem, k))


def _exact_refines_support(bounds, max_candidates, decided, make) -> None:
    """Exact SAT implies support SAT and support UNSAT implies exact UNSAT, for every bound up
    to the least of both semantics (``decided``: neither may be UNKNOWN)."""
    for b in bounds:
        ex = solve_class(make("exact", b), max_candidates=max_candidates)
        sup = solve_class(make("support", b))
        if decided:
            assert ex.status in ("SAT", "UNSAT") and sup.status in ("SAT", "UNSAT")
        if ex.status == "SAT":
            assert sup.status == "SAT"
        if sup.status == "UNSAT":
            assert ex.status == "UNSAT"
        if sup.status == "SAT" and ex.status == "SAT":
            break


@pytest.mark.parametrize("cls", [GapClass(4, 3, Mode.PLAIN, "exact", 2), GapClass(4, 2, Mode.REVISE, "exact", 2),
                                 GapClass(3, 2, Mode.REMASK, "support", 2), GapClass(4, 3, Mode.PLAIN, "support", 2)])
def test_witness_reverified_by_exact_semantics(cls, tmp_path):
    res = solve_class(cls)
    assert res.status == "SAT"
    path = write_spec(res.witness, tmp_path / "w.toml", "w")
    ok, msg = verify_witness(res.witness, path)
    assert ok, msg
    # and the spec file passes through the ordinary runner
    from verify.cli import main
    out = io.StringIO()
    assert main([str(path)], out, io.StringIO()) == 0, out.getvalue()


def test_mutated_witnesses_are_rejected(tmp_path):
    """Dropping one coin of the witness breaks uniformity wherever that coin is used."""
    res = solve_class(GapClass(4, 3, Mode.PLAIN, "exact", 2))
    w = res.witness
    rejected = 0
    for key in [k for k, s in w.predictor.items() if len(s) == 2]:
        saved = w.predictor[key]
        w.predictor[key] = (saved[0],)
        path = write_spec(w, tmp_path / "bad.toml", "bad")
        ok, _ = verify_witness(w, path)
        rejected += not ok
        w.predictor[key] = saved
    assert rejected >= 1


def test_unsat_is_certified_and_claims_map_to_verdicts(tmp_path):
    ctx = Context(proofs_dir=tmp_path, timeout=60)
    got = decide(GapClass(3, 2, Mode.PLAIN, "support", 1), ctx)
    assert got["fact"] == "none"
    manifest = next(p for p in got["certificates"] if p.endswith(".json"))
    assert json.loads(Path(manifest).read_text())  # a readable manifest
    from verify.checker import check_certificate
    cnf = next(p for p in got["certificates"] if p.endswith(".cnf"))
    proof = next(p for p in got["certificates"] if p.endswith(".lrat"))
    assert check_certificate(cnf, proof).verified
    # the DRAT format on request (per spec `proof = "drat"` or --proof drat)
    got = decide(GapClass(3, 2, Mode.PLAIN, "support", 1), replace(ctx, proof_format="drat"))
    assert got["fact"] == "none" and got["method"].endswith("+DRAT")
    cnf = next(p for p in got["certificates"] if p.endswith(".cnf"))
    proof = next(p for p in got["certificates"] if p.endswith(".drat"))
    assert check_certificate(cnf, proof).verified


def test_spec_claims(tmp_path):
    spec = tmp_path / "c.toml"
    spec.write_text('[claim]\nname = "c"\n[gap]\nn = 3\nrounds = 2\nmode = "plain"\nsemantics = "support"\n'
                    'locality = 1\n[[check]]\nkind = "gap"\nclaim = "none"\nexpect = "PROVED"\n'
                    '[[check]]\nkind = "gap"\nclaim = "exists"\nexpect = "REFUTED"\n')
    from verify.cli import main
    out = io.StringIO()
    assert main([str(spec), "--proofs", str(tmp_path / "p")], out, io.StringIO()) == 0, out.getvalue()


def test_cli_json(tmp_path):
    from verify.cli import main
    out, err = io.StringIO(), io.StringIO()
    rc = main(["gap", "--n", "3", "--rounds", "2", "--mode", "plain", "--json", "--proofs", str(tmp_path)], out, err)
    assert rc == 0
    data = json.loads(out.getvalue())
    assert data[0]["n"] == 3 and data[0]["min_locality"] == 2 and len(data[0]["certificates"]) == 6
    assert err.getvalue() == ""      # progress lines only with --progress or on a terminal


# --- predictors over a/b plus an unmasking strategy F (predictor models ab+F) -------------
# Extended tokens (what F sees): 0/1 revealed a/b, 2/3 masked with prediction a/b.

def ab_reference_ok(n, T, reads, ptable, sreads, ftable, exact):
    """Independent run of an ab+F DLM: predictions at masked positions, then F's commits."""
    dist = {(M,) * n: Fraction(1)}
    for _ in range(T):
        nxt = {}
        for x, p in dist.items():
            masked = [i for i in range(n) if x[i] == M]
            sups = [ptable[i][tuple(x[j] for j in reads[i])] for i in masked]
            for ys in itertools.product(*sups):
                q = p
                if exact:
                    for s in sups:
                        q /= len(s)
                e = list(x)
                for i, y in zip(masked, ys):
                    e[i] = 2 + y
                z = list(x)
                for i, y in zip(masked, ys):
                    if ftable[i][tuple(e[j] for j in sreads[i])]:
                        z[i] = y
                nxt[tuple(z)] = nxt.get(tuple(z), 0) + q
        dist = nxt
    evens = {x for x in itertools.product((A, B), repeat=n) if sum(x) % 2 == 0}
    if exact:
        return dist == {x: Fraction(1, len(evens)) for x in evens}
    return set(dist) == evens


def ab_brute_force_exists(model, n, T, k, exact):
    sups = [(A,), (B,), (A, B)]
    per_position = []
    for i in range(n):
        opts = []
        cands = range(n) if model == "ab+F" else [j for j in range(n) if j != i]
        for r in itertools.combinations(cands, k):
            pviews = sorted({tuple(x[j] for j in r) for x in itertools.product((A, B, M), repeat=n) if x[i] == M})
            sr = r if model == "ab+F" else tuple(range(n))
            fviews = sorted({tuple(e[j] for j in sr) for e in itertools.product(range(4), repeat=n) if e[i] >= 2
                             and (model != "ab+F-state" or all(t < 3 for t in e))})
            for pt in itertools.product(sups, repeat=len(pviews)):
                for ft in itertools.product((False, True), repeat=len(fviews)):
                    f = dict(zip(fviews, ft))
                    if model == "ab+F-state":   # blind to predictions: 3 reads as 2
                        f = {v: f[tuple(2 if t == 3 else t for t in v)] for v in itertools.product(range(4), repeat=n)
                             if tuple(2 if t == 3 else t for t in v) in f}
                    opts.append((r, dict(zip(pviews, pt)), sr, f))
        per_position.append(opts)
    return any(ab_reference_ok(n, T, [c[0] for c in combo], [c[1] for c in combo], [c[2] for c in combo],
                               [c[3] for c in combo], exact)
               for combo in itertools.product(*per_position))


AB_TINY = [("ab+F", 2, T, k) for T in (1, 2) for k in (0, 1)] + [("ab+F", 3, T, 0) for T in (1, 2, 3)] + \
          [("ab+F-state", 2, T, 0) for T in (1, 2, 3)]


@pytest.mark.parametrize("semantics", ["support", "exact"])
@pytest.mark.parametrize("model,n,T,k", AB_TINY)
def test_ab_engine_matches_brute_force(model, n, T, k, semantics):
    res = solve_class(GapClass(n, T, Mode.PLAIN, semantics, k, predictor_model=model), max_candidates=100000)
    assert res.status in ("SAT", "UNSAT")
    assert (res.status == "SAT") == ab_brute_force_exists(model, n, T, k, semantics == "exact")


# Revise modes (and a second reference for plain): a lazy enumerator. A DLM is a read set per
# position plus tables ("P", i, view) -> support and ("F", i, view) -> commit, where F's view is
# the pairs (x_j, y_j) over its read positions (y_j None where it is not sampled or F is blind to
# it). The run asks for table entries as it needs them; every entry it asks for is branched on,
# so every DLM of the class is covered (a full table makes the run ask the same entries).

class _Need(Exception):
    pass


def ab_run(mode, model, n, T, reads, tab, exact):
    def get(key):
        if key not in tab:
            raise _Need(key)
        return tab[key]
    evens = {x for x in itertools.product((A, B), repeat=n) if sum(x) % 2 == 0}
    dist = {(M,) * n: Fraction(1)}
    for r in range(T):
        nxt = {}
        for x, p in dist.items():
            asked = [i for i in range(n) if mode.allows_revise or x[i] == M]
            sups = [get(("P", i, tuple(x[j] for j in reads[i]))) for i in asked]
            for ys in itertools.product(*sups):
                q = p
                for s in sups:
                    q = q / len(s) if exact else q
                y = dict(zip(asked, ys))
                seen = [(x[j], y.get(j) if model != "ab+F-state" else None) for j in range(n)]
                z = list(x)
                for i in asked:   # committing y_i replaces x_i (revise) or unmasks it
                    fr = reads[i] if model == "ab+F" else range(n)
                    if get(("F", i, tuple(seen[j] for j in fr))):
                        z[i] = y[i]
                if r == T - 1 and tuple(z) not in evens:
                    return False   # a wrong output, whatever the entries not asked yet
                nxt[tuple(z)] = nxt.get(tuple(z), 0) + q
        dist = nxt
    return dist == {x: Fraction(1, len(evens)) for x in evens} if exact else set(dist) == evens


def ab_lazy_brute_force_exists(mode, model, n, T, k, exact):
    own = mode.allows_revise or model == "ab+F"   # may P_i / F_i select position i
    per = [list(itertools.combinations([j for j in range(n) if own or j != i], k)) for i in range(n)]
    for reads in itertools.product(*per):
        stack = [{}]
        while stack:
            tab = stack.pop()
            try:
                if ab_run(mode, model, n, T, reads, tab, exact):
                    return True
            except _Need as need:
                key = need.args[0]
                stack += [{**tab, key: val} for val in ([(A,), (B,), (A, B)] if key[0] == "P" else [False, True])]
    return False


AB_LAZY = [(Mode.REVISE, "ab+F", 2, T, k) for T in (1, 2, 3) for k in (0, 1)] + \
          [(Mode.REVISE, "ab+F", 3, T, 0) for T in (1, 2, 3)] + \
          [(Mode.REVISE, "ab+F-state", 2, T, 0) for T in (1, 2, 3)] + \
          [(Mode.REVISE, "ab+F-state", 2, 2, 1), (Mode.REVISE, "ab+F-state", 3, 2, 0)] + \
          [(Mode.REVISE, "ab+F-unbounded", 2, 1, 0), (Mode.REVISE, "ab+F-unbounded", 2, 2, 1)] + \
          [(Mode.PLAIN, "ab+F", 2, 2, 1), (Mode.PLAIN, "ab+F", 3, 2, 0), (Mode.PLAIN, "ab+F-state", 2, 2, 0)]


@pytest.mark.parametrize("semantics", ["support", "exact"])
@pytest.mark.parametrize("mode,model,n,T,k", AB_LAZY)
def test_ab_engine_matches_lazy_brute_force(mode, model, n, T, k, semantics):
    res = solve_class(GapClass(n, T, mode, semantics, k, predictor_model=model), max_candidates=100000)
    assert res.status in ("SAT", "UNSAT")
    assert (res.status == "SAT") == ab_lazy_brute_force_exists(mode, model, n, T, k, semantics == "exact")


@pytest.mark.parametrize("mode", [Mode.REVISE, Mode.REMASK_REVISE, Mode.PLAIN])
@pytest.mark.parametrize("model", ["ab+F", "ab+F-state", "ab+F-unbounded"])
def test_ab_encoding_reachable_sets_equal_simulator(mode, model, tmp_path):
    """Random a/b + F DLMs, fixed in the encoding, against the simulator's exact semantics
    (verify.dlm.semantics) run on the spec file the witness writer makes of them."""
    from verify.dlm.semantics import state_distribution
    from verify.gap.encode import ext_tokens
    from verify.gap.witness import Witness
    from verify.specs import load_spec
    rng = random.Random(11)
    n, T = 3, 3
    cls = GapClass(n, T, mode, "support", n, predictor_model=model)
    for trial in range(3):
        reads = [tuple(sorted(rng.sample(range(n), rng.choice([1, 2])))) for _ in range(n)]
        sreads = reads if model == "ab+F" else [tuple(range(n))] * n
        pred = {(i, v): rng.choice([(A,), (B,), (A, B)]) for i in range(n)
                for v in itertools.product((A, B, M), repeat=len(reads[i]))}
        gmap = {(i, v): rng.random() < 0.3 for i in range(n) for v in itertools.product((A, B, M), repeat=len(reads[i]))}
        blind = {t: t if t < 2 else (2 if t < 4 else 4 + 2 * ((t - 4) // 2)) for t in range(8)}
        state_f = {}
        commit = {}
        for i in range(n):
            for v in itertools.product(ext_tokens(cls), repeat=len(sreads[i])):
                key = tuple(blind[t] for t in v) if model == "ab+F-state" else v
                commit[(i, v)] = state_f.setdefault((i, key), rng.random() < 0.6)
        w = Witness(cls, tuple(reads), pred, gmap if mode.allows_remask else {}, tuple(sreads), commit)
        fix = {"sel": {(i, j): j in reads[i] for i in range(n) for j in range(n)},
               "o": {(i, x): set(w.support(i, x)) for i in range(n) for x in itertools.product((A, B, M), repeat=n)},
               "f": {(i, e): w.commits(i, e) for i in range(n) for e in itertools.product(range(8), repeat=n)},
               "g": {(i, z): gmap[(i, tuple(z[j] for j in reads[i]))] for i in range(n)
                     for z in itertools.product((A, B, M), repeat=n)}}
        enc = encode(cls, fix=fix, goal=False)
        with Solver(name="cadical153", bootstrap_with=enc.clauses) as s:
            assert s.solve()
            true = {l for l in s.get_model() if l > 0}
        dlm = load_spec(write_spec(w, tmp_path / f"r{trial}.toml", "r")).instances[0].subject
        for t in range(1, T + 1):
            got = {x for x in itertools.product((A, B, M), repeat=n) if enc.var("R", t, x) in true}
            want = {tuple(int(tok) for tok in x) for x in state_distribution(dlm, rounds=t)}
            assert got == want, (trial, t)


@pytest.mark.parametrize("n,T", [(3, 2), (3, 3), (4, 2)])
def test_ab_unbounded_equals_bounded_at_full_locality(n, T):
    for model in ("ab+F", "ab+F-unbounded"):
        assert solve_class(GapClass(n, T, Mode.PLAIN, "support", n, predictor_model=model)).status == "SAT"
    for k in range(n):
        # F reading everything is at least as strong as F bounded by the same read set
        b = solve_class(GapClass(n, T, Mode.PLAIN, "support", k, predictor_model="ab+F")).status
        u = solve_class(GapClass(n, T, Mode.PLAIN, "support", k, predictor_model="ab+F-unbounded")).status
        assert not (b == "SAT" and u == "UNSAT")


@pytest.mark.parametrize("cls", [GapClass(4, 2, Mode.PLAIN, "support", 2, predictor_model="ab+F"),
                                 GapClass(4, 3, Mode.PLAIN, "support", 1, predictor_model="ab+F-unbounded"),
                                 GapClass(4, 2, Mode.PLAIN, "support", 3, predictor_model="ab+F-state"),
                                 GapClass(3, 2, Mode.REMASK, "support", 2, predictor_model="ab+F"),
                                 GapClass(3, 2, Mode.PLAIN, "exact", 2, predictor_model="ab+F")])
def test_ab_witness_reverified_by_exact_semantics(cls, tmp_path):
    res = solve_class(cls)
    assert res.status == "SAT"
    path = write_spec(res.witness, tmp_path / "w.toml", "w")
    ok, msg = verify_witness(res.witness, path)
    assert ok, msg


def test_ab_model_section6_readings():
    """MODEL.md §6: a/b predictors, F reading the state only: 2 rounds need locality n - 1;
    3 rounds: locality 1 suffices (n = 4)."""
    st = lambda n, T, k: solve_class(GapClass(n, T, Mode.PLAIN, "support", k, predictor_model="ab+F-state")).status
    assert st(4, 2, 2) == "UNSAT" and st(4, 2, 3) == "SAT"
    assert st(4, 3, 0) == "UNSAT" and st(4, 3, 1) == "SAT"


# --- the depth-2 template bound (verify/gap/template.py) ----------------------------------
#
# Brute force, independent of the encoder: every DNF of <= s terms over the literals (m_j, v_j,
# and r for a predictor; zm_j, zv_j for G) as a truth table over its inputs; a position's
# predictor table is its support at each state where it is consulted, over the (mask, value)
# pairs that never emit 11 anywhere; its G table is the remask bit at each z.
# The DLMs are explored lazily: each round branches only on the tables' values at the states
# (and committed vectors) reached so far, which enumerates every DLM's run exactly once.

def _dnf_truth_tables(points_values, s):
    """Every DNF of <= s terms over len(points_values[0]) literals, as a bit mask over points."""
    terms = set()
    for signs in itertools.product((None, 1, 0), repeat=len(points_values[0])):
        terms.add(sum(1 << k for k, vv in enumerate(points_values)
                      if all(sg is None or vv[l] == sg for l, sg in enumerate(signs))))
    dnfs = {0}
    for _ in range(s):
        dnfs |= {d | t for d in dnfs for t in terms}
    return dnfs


def _bits(x):
    return [b for t in x for b in (int(t == M), int(t == B))]


def predictor_tables(mode, n, s, T):
    """Per position: every predictor table {x: support} (at the states where it is consulted;
    for T = 1 only the start state matters) whose two bits are DNFs of <= s terms."""
    states = list(itertools.product((A, B, M), repeat=n))
    pts = [(x, r) for x in states for r in (0, 1)]
    dnfs = _dnf_truth_tables([_bits(x) + [r] for x, r in pts], s)
    idx = {p: k for k, p in enumerate(pts)}
    preds = []
    for i in range(n):
        cons = [x for x in states if consulted(mode, i, x)] if T > 1 else [(M,) * n]
        beh = set()
        for mt in dnfs:
            for vt in dnfs:
                if mt & vt:
                    continue          # 11 somewhere: not a DLM
                beh.add(tuple(tuple(sorted({M if mt >> idx[(x, r)] & 1 else (B if vt >> idx[(x, r)] & 1 else A)
                                            for r in (0, 1)})) for x in cons))
        preds.append([dict(zip(cons, b)) for b in sorted(beh)])
    return preds


def remask_tables(n, s):
    """Every G table {z: bool} that is a DNF of <= s terms over zm_j, zv_j (the same for every i)."""
    states = list(itertools.product((A, B, M), repeat=n))
    return [{z: bool(g >> k & 1) for k, z in enumerate(states)}
            for g in sorted(_dnf_truth_tables([_bits(z) for z in states], s))]


def _branches(tables, points):
    """Group the candidate tables by their values at ``points``: [(restriction, tables)]."""
    groups = {}
    for tab in tables:
        groups.setdefault(tuple(tab[p] for p in points), []).append(tab)
    return [(dict(zip(points, key)), tabs) for key, tabs in groups.items()]


def lazy_exists(mode, n, T, preds, gs, exact):
    """Some choice of one predictor table and one G table per position reaches the target."""
    evens = {x for x in itertools.product((A, B), repeat=n) if sum(x) % 2 == 0}
    base = Mode.REVISE if mode.allows_revise else Mode.PLAIN       # the step before G
    reads = [tuple(range(n))] * n

    def done(dist):
        if exact:
            return dist == {x: Fraction(1, len(evens)) for x in evens}
        return set(dist) == evens

    def rec(r, dist, preds, gs):
        if r == T:
            return done(dist)
        per = [_branches(preds[i], sorted({x for x in dist if consulted(mode, i, x)})) for i in range(n)]
        for choice in itertools.product(*per):
            table = [c[0] for c in choice]
            zdist = {}
            for x, p in dist.items():
                for z, q in step_options(base, n, reads, table, None, x, exact):
                    zdist[z] = zdist.get(z, 0) + p * q
            narrowed = [c[1] for c in choice]
            if not mode.allows_remask:
                if rec(r + 1, zdist, narrowed, gs):
                    return True
                continue
            gper = [_branches(gs[i], sorted({z for z in zdist if z[i] != M})) for i in range(n)]
            for gchoice in itertools.product(*gper):
                nxt = {}
                for z, p in zdist.items():
                    x2 = tuple(M if z[i] != M and gchoice[i][0][z] else z[i] for i in range(n))
                    nxt[x2] = nxt.get(x2, 0) + p
                if rec(r + 1, nxt, narrowed, [c[1] for c in gchoice]):
                    return True
        return False

    return rec(0, {(M,) * n: Fraction(1)}, preds, gs)


def template_brute_force_exists(mode, n, T, s, exact=False):
    preds = predictor_tables(mode, n, s, T)
    gs = [remask_tables(n, s) if mode.allows_remask else [{}]] * n
    return lazy_exists(mode, n, T, preds, gs, exact)


TEMPLATE_TINY = [(Mode.PLAIN, 2, 1, 1), (Mode.PLAIN, 2, 2, 0), (Mode.PLAIN, 2, 2, 1), (Mode.PLAIN, 2, 3, 0),
                 (Mode.REVISE, 2, 1, 1), (Mode.REVISE, 2, 2, 0), (Mode.REVISE, 2, 2, 1),
                 (Mode.REMASK, 2, 1, 1), (Mode.REMASK, 2, 2, 0), (Mode.REMASK, 2, 2, 1), (Mode.REMASK, 2, 3, 1),
                 (Mode.REMASK_REVISE, 2, 1, 1), (Mode.REMASK_REVISE, 2, 2, 1), (Mode.REMASK_REVISE, 2, 3, 0)]
TEMPLATE_CASES = [c + (sem,) for c in TEMPLATE_TINY for sem in ("support", "exact")] + \
                 [(Mode.PLAIN, 3, 2, 0, "support"), (Mode.REVISE, 3, 1, 1, "support")]


@pytest.mark.parametrize("mode,n,T,s,semantics", TEMPLATE_CASES)
def test_template_engine_matches_brute_force(mode, n, T, s, semantics):
    res = solve_class(GapClass(n, T, mode, semantics, bound="template", size=s), max_candidates=100000)
    assert res.status in ("SAT", "UNSAT")
    assert (res.status == "SAT") == template_brute_force_exists(mode, n, T, s, semantics == "exact")


def _projected_models(clauses, keys):
    """Every assignment of the variables ``keys`` (name -> var) extendable to a model."""
    seen = set()
    with Solver(name="cadical153", bootstrap_with=clauses) as sol:
        while sol.solve():
            true = {l for l in sol.get_model() if l > 0}
            got = tuple(var in true for var in keys.values())
            seen.add(got)
            sol.add_clause([-v if b else v for v, b in zip(keys.values(), got)])
    return seen


@pytest.mark.parametrize("mode,s", [(Mode.PLAIN, 1), (Mode.REVISE, 1), (Mode.REMASK, 1), (Mode.REMASK_REVISE, 1),
                                    (Mode.REMASK, 2)])
def test_template_defines_exactly_the_dnf_functions(mode, s):
    """n = 2: the predictor supports (at every consulted state) and the G tables (at every z with
    z_0 revealed) that the template clauses allow for position 0 are exactly those of the
    brute-force DNFs of <= s terms."""
    from verify.gap.encode import all_states
    from verify.gap.template import template_clauses
    n = 2
    enc = encode(GapClass(n, 2, mode, "support", bound="template", size=s), fix={}, goal=False)
    clauses = enc.clauses + template_clauses(enc, s)
    if s < 2:      # predictor pairs of 2-term DNFs are too many for the brute force
        cons = [x for x in all_states(n) if consulted(mode, 0, x)]
        keys = {(x, t): enc.var("o", 0, x, t) for x in cons for t in (A, B, M)}
        want = {tuple(t in tab[x] for x, t in keys) for tab in predictor_tables(mode, n, s, 2)[0]}
        assert _projected_models(clauses, keys) == want
    if mode.allows_remask:
        zs = [z for z in all_states(n) if z[0] != M]
        keys = {z: enc.var("g", 0, z) for z in zs}
        assert _projected_models(clauses, keys) == {tuple(g[z] for z in zs) for g in remask_tables(n, s)}


@pytest.mark.parametrize("cls", [GapClass(3, 2, Mode.PLAIN, "support", bound="template", size=2),
                                 GapClass(3, 2, Mode.REVISE, "support", bound="template", size=1),
                                 GapClass(3, 2, Mode.REMASK, "support", bound="template", size=2),
                                 GapClass(3, 2, Mode.REMASK, "exact", bound="template", size=2),
                                 GapClass(3, 3, Mode.PLAIN, "exact", bound="template", size=2),
                                 GapClass(3, 2, Mode.REMASK_REVISE, "exact", bound="template", size=1)])
def test_template_witness_reverified(cls, tmp_path):
    res = solve_class(cls)
    assert res.status == "SAT"
    w = res.witness
    assert all(len(terms) <= cls.size for terms in w.template.values())
    assert len(w.template) == cls.n * (3 if cls.mode.allows_remask else 2)
    path = write_spec(w, tmp_path / "w.toml", "w")
    ok, msg = verify_witness(w, path)
    assert ok, msg
    from verify.cli import main
    out = io.StringIO()
    assert main([str(path)], out, io.StringIO()) == 0, out.getvalue()


def test_template_least_s_certified(tmp_path):
    """n = 3, T = 2, plain: s = 0, 1 refuted with accepted certificates, a witness at s = 2."""
    from verify.gap.table import min_template_size
    e = min_template_size(3, 2, Mode.PLAIN, Context(proofs_dir=tmp_path, timeout=60))
    assert e["min_size"] == 2 and e["complete"] and len(e["certificates"]) == 6


# --- the last round and goal in one (final_round_goal) against the plain image encoding -----

EVEN = {x for x in itertools.product((A, B), repeat=3) if sum(x) % 2 == 0}


def _sat(clauses) -> bool:
    with Solver(name="cadical153", bootstrap_with=clauses) as s:
        return s.solve()


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK, Mode.REMASK_REVISE])
def test_final_goal_agrees_with_image_encoding_on_fixed_dlms(mode):
    """On random DLMs (fixed by unit clauses) both goal encodings are satisfiable exactly when
    the simulator's reachable set at the end is the even strings."""
    rng = random.Random(11)
    n = 3
    for trial in range(30):
        T = rng.choice([1, 2, 3])
        reads, table, remask = random_dlm(rng, mode, n, rng.choice([1, 2]))
        if trial % 3 == 0:   # make some of them deterministic at the end, so both outcomes occur
            for i in range(n):
                table[i] = {v: rng.choice([(A,), (B,)]) for v in table[i]}
        _both_goal_encodings_agree(mode, n, T, reads, table, remask)
    # witnesses of the class (found with the image encoding) and one-entry mutants of them
    outcomes = set()
    for T in (2, 3):
        enc = encode(GapClass(n, T, mode, "support", 2), final_goal=False)
        from verify.gap.encode import class_bound
        from verify.gap.witness import from_model
        with Solver(name="cadical153", bootstrap_with=enc.clauses + class_bound(enc)) as s:
            assert s.solve()
            w = from_model(enc, s.get_model())
        reads = [w.reads[i] for i in range(n)]
        views = lambda i: itertools.product((A, B, M), repeat=len(reads[i]))  # noqa: E731
        table = [{v: w.predictor.get((i, v), (A,)) for v in views(i)} for i in range(n)]
        remask = [{v: w.remask.get((i, v), False) for v in views(i)} for i in range(n)]
        outcomes.add(_both_goal_encodings_agree(mode, n, T, reads, table, remask))
        for _ in range(6):
            i = rng.randrange(n)
            v = rng.choice(sorted(table[i]))
            table2 = [dict(t) for t in table]
            table2[i][v] = rng.choice(SUPPORTS)
            outcomes.add(_both_goal_encodings_agree(mode, n, T, reads, table2, remask))
    assert outcomes == {True, False}


def _both_goal_encodings_agree(mode, n, T, reads, table, remask) -> bool:
    fix = fix_of(mode, n, reads, table, remask)
    want = reference_sets(mode, n, T, reads, table, remask)[T] == EVEN
    cls = GapClass(n, T, mode, "support", n)
    assert _sat(encode(cls, fix=fix).clauses) == want
    assert _sat(encode(cls, fix=fix, final_goal=False).clauses) == want
    return want


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK])
def test_final_goal_agrees_with_image_encoding_on_classes(mode):
    from verify.gap.encode import class_bound
    for n, T in [(3, 1), (3, 2), (3, 3), (4, 2)]:
        for k in range(0, 3):
            cls = GapClass(n, T, mode, "support", k)
            got = []
            for final_goal in (True, False):
                enc = encode(cls, final_goal=final_goal)
                got.append(_sat(enc.clauses + class_bound(enc)))
            assert got[0] == got[1], (n, T, k)


def test_spec_timeout_budget(tmp_path, monkeypatch):
    """A claim's own ``timeout`` raises the run's budget for it (never lowers it); a bad value is
    a spec error naming the key, exit 2."""
    from verify.cli import main
    import verify.gap.check as gap_check
    seen = []
    real = gap_check.decide
    monkeypatch.setattr(gap_check, "decide", lambda cls, ctx, *a, **kw: seen.append(ctx.timeout) or real(cls, ctx, *a, **kw))
    body = ('[claim]\nname = "c"\n[gap]\nn = 3\nrounds = 2\nmode = "plain"\nsemantics = "support"\n'
            'locality = 1\n[[check]]\nkind = "gap"\nclaim = "none"\nexpect = "PROVED"\n')
    spec = tmp_path / "c.toml"
    spec.write_text(body + "timeout = 500\n")
    assert main([str(spec), "--proofs", str(tmp_path / "p"), "--timeout", "30"], io.StringIO(), io.StringIO()) == 0
    assert main([str(spec), "--proofs", str(tmp_path / "p"), "--timeout", "900"], io.StringIO(), io.StringIO()) == 0
    assert seen == [500.0, 900.0]
    spec.write_text(body + 'timeout = "soon"\n')
    err = io.StringIO()
    assert main([str(spec), "--proofs", str(tmp_path / "p")], io.StringIO(), err) == 2
    assert "timeout" in err.getvalue() and "Traceback" not in err.getvalue()


def test_template_exact_witness_spec_is_the_dnf(tmp_path):
    """The spec of a template witness carries the DNFs found (predictors and G), so changing a
    DNF changes what the exact semantics checks: dropping G at a position that remasks on a run,
    or a predictor's value DNF, breaks the witness."""
    from verify.gap.template import REMASK, VALUE
    cls = GapClass(3, 2, Mode.REMASK, "exact", bound="template", size=2)
    w = solve_class(cls).witness
    rejected = 0
    for key in [(i, b) for i in range(cls.n) for b in (VALUE, REMASK)]:
        if not w.template[key]:
            continue
        saved = w.template[key]
        w.template[key] = []
        path = write_spec(w, tmp_path / "bad.toml", "bad")
        ok, _ = verify_witness(w, path)
        rejected += not ok
        w.template[key] = saved
    assert rejected >= 2


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK, Mode.REMASK_REVISE])
def test_template_exact_refines_support(mode):
    """Exact SAT implies support SAT (and support UNSAT implies exact UNSAT) for every s up to
    the least s of both semantics."""
    for n, T in [(3, 2), (3, 3)]:
        _exact_refines_support(range(0, 4), 2000, True,
                               lambda sem, s: GapClass(n, T, mode, sem, bound="template", size=s))


@pytest.mark.parametrize("mode", [Mode.PLAIN, Mode.REVISE, Mode.REMASK, Mode.REMASK_REVISE])
def test_template_blocking_clause_is_sound(mode):
    """The CEGAR blocking clause of a template DLM (n = 2, T = 2, s = 1) only excludes DLMs with
    the same output distribution: brute-force template DLMs that agree with the candidate on the
    clause's o/g variables (a random sample of them) have exactly the candidate's distribution
    (and there are such DLMs that differ elsewhere, so the check is not vacuous)."""
    from verify.gap.search import _blocking_clause
    from verify.gap.template import template_clauses
    from verify.gap.witness import from_model, quick_distribution
    n, T, s = 2, 2, 1
    enc = encode(GapClass(n, T, mode, "exact", bound="template", size=s), fix={}, goal=False)
    preds = predictor_tables(mode, n, s, T)
    gs = [remask_tables(n, s) if mode.allows_remask else [{}]] * n
    reads = [tuple(range(n))] * n
    rng = random.Random(5)
    others = 0
    with Solver(name="cadical153", bootstrap_with=enc.clauses + template_clauses(enc, s)) as sol:
        for _ in range(12):
            assert sol.solve()
            model = sol.get_model()
            true = {l for l in model if l > 0}
            w = from_model(enc, model)
            clause = _blocking_clause(enc, w, true)
            fixed = [enc.pool.obj(abs(l)) + (l < 0,) for l in clause]     # (key..., value in model)
            agree_p = [[t for t in preds[i] if all((k[3] in t[k[2]]) == k[-1] for k in fixed
                                                   if k[0] == "o" and k[1] == i)] for i in range(n)]
            agree_g = [[g for g in gs[i] if all(g[k[2]] == k[-1] for k in fixed if k[0] == "g" and k[1] == i)]
                       for i in range(n)]
            want = quick_distribution(w)
            for _ in range(40):     # a sample: the agreeing DLMs can be millions
                tabs = [rng.choice(agree_p[i]) for i in range(n)]
                gtabs = [rng.choice(agree_g[i]) for i in range(n)]
                assert reference_distribution(mode, n, T, reads, tabs, gtabs) == want
            others += any(len(a) > 1 for a in agree_p + agree_g)
            sol.add_clause(clause)
    assert others >= 6


def test_template_bad_input_exit_2(tmp_path):
    """The template bound with an a/b predictor model: a clear error naming the spec file (exit 2),
    and the same for the CLI flags."""
    from verify.cli import main
    spec = tmp_path / "bad.toml"
    spec.write_text('[claim]\nname = "c"\n[gap]\nn = 3\nrounds = 2\nmode = "remask"\nsemantics = "exact"\n'
                    'predictor_model = "ab+F"\nbound = "template"\ns = 1\n[[check]]\nkind = "gap"\nclaim = "none"\n')
    err = io.StringIO()
    assert main([str(spec), "--proofs", str(tmp_path / "p")], io.StringIO(), err) == 2
    assert "bad.toml" in err.getvalue() and "self-unmasking" in err.getvalue() and "Traceback" not in err.getvalue()
    err = io.StringIO()
    assert main(["gap", "--bound", "template", "--predictor-model", "ab+F", "--n", "3", "--rounds", "2"],
                io.StringIO(), err) == 2
    assert "self-unmask" in err.getvalue()


def test_template_cli_json_remask_exact(tmp_path):
    """`gap --bound template` for remask, exact semantics: n = 3, T = 2 has least s = 2, with
    s = 0, 1 certified (3 files each) and the witness re-verified."""
    from verify.cli import main
    out, err = io.StringIO(), io.StringIO()
    rc = main(["gap", "--bound", "template", "--n", "3", "--rounds", "2", "--mode", "remask", "--semantics", "exact",
               "--json", "--proofs", str(tmp_path)], out, err)
    assert rc == 0, err.getvalue()
    (e,) = json.loads(out.getvalue())
    assert (e["semantics"], e["mode"], e["min_size"], e["complete"]) == ("exact", "remask", 2, True)
    assert len(e["certificates"]) == 6 and e["witness"].endswith("n3-T2-remask-exact-dnf-s2.witness.toml")


def test_witness_locality_checked_structurally(tmp_path):
    """``resources`` with ``max_predictor_reads`` counts the positions each predictor circuit
    reads: a revise witness of locality 2 passes 2 and fails 1 (k = 1 is impossible, so some
    predictor must read two positions)."""
    from verify.cli import main
    res = solve_class(GapClass(4, 2, Mode.REVISE, "support", 2))
    path = write_spec(res.witness, tmp_path / "w.toml", "w")
    text = path.read_text()
    for bound, want in ((2, "PROVED"), (1, "REFUTED")):
        path.write_text(text + f'\n[[check]]\nkind = "resources"\nmax_predictor_reads = {bound}\nexpect = "{want}"\n')
        out = io.StringIO()
        # exit 0 only if every check, the resources one included, has its expected verdict
        assert main([str(path), "--proofs", str(tmp_path / "p")], out, io.StringIO()) == 0, out.getvalue()
