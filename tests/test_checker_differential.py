"""The trusted checker against a slow, obviously correct forward DRAT checker written here.

The reference re-checks every lemma (not only the core) by naive unit propagation over the
clause list, honours every deletion except of unit clauses, and ends at the first addition after
which propagation conflicts, as documented at the top of ``verify/checker/drat.py``. Relations:

* soundness: checker VERIFIED => reference VERIFIED or the CNF is UNSAT by brute force (and in
  fact always UNSAT by brute force);
* completeness: reference VERIFIED => checker VERIFIED, whenever the proof has no deletions (the
  two then see the same formulas) or the reference needed no RAT (RUP is monotone and the
  checker's formula contains the reference's: it ignores more deletions);
* incremental top level: before every check the checker's trail equals the unit-propagation
  closure of its live clauses recomputed from scratch, every reason is live and justified by
  earlier literals, and each live clause sits in exactly the watch lists of its two watches.
"""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from verify.checker import check_proof, drat, parse_proof
from verify.encode.cnf_families import pigeonhole, random_kcnf
from verify.encode.sat import SatStatus, solve


# ---- the reference ------------------------------------------------------------------------------

def ref_conflicts(clauses, assumed=()) -> bool:
    """Does naive unit propagation from the assumed literals reach a conflict?"""
    true = set(assumed)
    if any(-l in true for l in true):
        return True
    changed = True
    while changed:
        changed = False
        for c in clauses:
            if any(l in true for l in c):
                continue
            open_lits = [l for l in c if -l not in true]
            if not open_lits:
                return True
            if len(open_lits) == 1:
                true.add(open_lits[0])
                changed = True
    return False


def ref_check(cnf, steps) -> tuple[bool, bool]:
    """(verified, some lemma needed RAT) for steps = [(is_deletion, literals), ...]."""
    formula = [frozenset(c) for c in cnf]
    used_rat = False
    if ref_conflicts(formula):
        return True, False
    for is_deletion, lits in steps:
        clause = frozenset(lits)
        if is_deletion:
            if len(clause) > 1 and clause in formula:
                formula.remove(clause)
            continue
        if not ref_conflicts(formula, [-l for l in clause]):
            if not lits:
                return False, used_rat
            p = lits[0]
            for d in formula:
                if -p in d:
                    resolvent = clause | (d - {-p})
                    if not any(-l in resolvent for l in resolvent) and \
                            not ref_conflicts(formula, [-l for l in resolvent]):
                        return False, used_rat
            used_rat = True
        formula.append(clause)
        if ref_conflicts(formula):
            return True, used_rat
    return False, used_rat


def brute_force_sat(clauses, num_vars) -> bool:
    return any(all(any(bits[abs(l) - 1] == (l > 0) for l in c) for c in clauses)
               for bits in itertools.product((False, True), repeat=num_vars))


# ---- the checker, with its internal invariants asserted before every check ---------------------

def closure(st: drat._State) -> set[int] | None:
    """Unit-propagation closure of the live clauses, from scratch (None on conflict)."""
    live = [c for cid, c in enumerate(st.clauses) if st.active[cid]]
    true: set[int] = set()
    changed = True
    while changed:
        changed = False
        for c in live:
            if any(x in true for x in c):
                continue
            open_lits = [x for x in c if x ^ 1 not in true]
            if not open_lits:
                return None
            if len(open_lits) == 1:
                true.add(open_lits[0])
                changed = True
    return true


def assert_top_level(st: drat._State) -> None:
    assert st.qhead == st.qrest == len(st.trail)
    assert set(st.trail) == closure(st)
    where = {x: i for i, x in enumerate(st.trail)}
    for i, x in enumerate(st.trail):
        r = st.reason[x >> 1]
        assert r >= 0 and st.active[r] and x in st.clauses[r]
        assert all(y == x or where.get(y ^ 1, i) < i for y in st.clauses[r])
    found: dict[tuple[str, int], list[int]] = {}
    for kind, lists in (("core", st.core), ("rest", st.rest)):
        for x, ws in enumerate(lists):
            for cid in ws:
                found.setdefault((kind, cid), []).append(x)
    for cid, c in enumerate(st.clauses):
        watched = st.active[cid] and len(c) >= 2
        kind = "core" if st.marked[cid] else "rest"
        assert sorted(found.pop((kind, cid), [])) == (sorted(c[:2]) if watched else [])
        if watched:
            for a, b in ((c[0], c[1]), (c[1], c[0])):
                assert not st.val[a ^ 1] or st.val[b], "false watch whose partner is not true"
    assert not found, "dead or misfiled watch entries"


@pytest.fixture
def audited(monkeypatch):
    """Run the checker with assert_top_level before every RUP check and after every
    incremental repair of the top level; count both."""
    calls = {"rup": 0, "unassign_reason": 0}
    rup, unassign = drat._State.rup, drat._State.unassign_reason

    def checked_rup(self, lits):
        assert_top_level(self)
        calls["rup"] += 1
        return rup(self, lits)

    def checked_unassign(self, cid):
        calls["unassign_reason"] += 1
        unassign(self, cid)
        assert_top_level(self)

    monkeypatch.setattr(drat._State, "rup", checked_rup)
    monkeypatch.setattr(drat._State, "unassign_reason", checked_unassign)
    return calls


def run_checker(cnf, num_vars, steps):
    text = "".join(("d " if d else "") + " ".join(map(str, c)) + " 0\n" for d, c in steps)
    return check_proof(num_vars, cnf, parse_proof(text.encode()))


def compare(cnf, num_vars, steps) -> None:
    out = run_checker(cnf, num_vars, steps)
    ref, used_rat = ref_check(cnf, steps)
    sat = brute_force_sat(cnf, num_vars)
    assert not (ref and sat), "the reference itself is unsound"
    if out.verified:
        assert ref or not sat
        assert not sat, out.reason
    if ref and (not used_rat or not any(d for d, _ in steps)):
        assert out.verified, out.reason


# ---- random formulas and proofs -----------------------------------------------------------------

@st.composite
def cnf_and_proof(draw):
    """A small CNF near the satisfiability threshold and a proof mixing resolvents (RUP,
    often units), shortened clauses, units and random clauses (often neither RUP nor RAT) and
    deletions of CNF clauses and earlier lemmas."""
    rnd = draw(st.randoms(use_true_random=False))
    nv = rnd.randint(3, 6)
    lit = lambda: rnd.choice((1, -1)) * rnd.randint(1, nv)          # noqa: E731
    cnf = [[rnd.choice((1, -1)) * v for v in rnd.sample(range(1, nv + 1), rnd.choice((2, 3, 3)))]
           for _ in range(rnd.randint(3 * nv, 6 * nv))]
    pool, steps = list(cnf), []
    for _ in range(rnd.randint(0, 30)):
        kind = rnd.choice(["resolvent"] * 5 + ["shrink", "unit", "random", "delete"])
        if kind == "delete":
            steps.append((True, rnd.choice(pool)))
            continue
        if kind == "resolvent":
            a = min(rnd.sample(pool, min(3, len(pool))), key=len)   # short ones: toward units
            clashing = [b for b in pool if any(-l in b for l in a)]
            b = min(rnd.sample(clashing, min(3, len(clashing))), key=len) if clashing else a
            p = rnd.choice([l for l in a if -l in b] or [0])
            lemma = list(dict.fromkeys([l for l in a if l != p] + [l for l in b if l != -p]))
            rnd.shuffle(lemma)
        elif kind == "shrink":
            c = rnd.choice(pool)
            lemma = [l for l in c if l != rnd.choice(c)]
        elif kind == "unit":
            lemma = [lit()]
        else:
            lemma = [lit() for _ in range(rnd.randint(0, 3))]
        steps.append((False, lemma))
        pool.append(lemma)
    if rnd.random() < 0.75:
        steps.append((False, []))
    return cnf, nv, steps


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cnf_and_proof())
def test_differential_random_cnfs_and_proofs(case, audited):
    compare(*case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), mutation=st.integers(0, 4), where=st.integers(0, 10**6))
def test_differential_solver_proofs_and_mutants(seed, mutation, where, audited):
    """DRUP proofs of small random UNSAT CNFs verify in both; mutants keep the relations."""
    nv = 7
    cnf = random_kcnf(nv, 45, 3, seed=seed)
    out = solve(cnf, nv, timeout=None, proof=True)
    if out.status is not SatStatus.UNSAT:
        assert brute_force_sat(cnf, nv)
        return
    steps = [(line.startswith("d"), [int(t) for t in line.split() if t not in ("d", "0")])
             for line in out.proof]
    assert ref_check(cnf, steps)[0]
    assert run_checker(cnf, nv, steps).verified
    i = where % max(1, len(steps))
    if mutation == 0:                                       # drop a step
        steps = steps[:i] + steps[i + 1:]
    elif mutation == 1 and steps[i][1]:                     # flip a literal
        d, c = steps[i]
        steps[i] = (d, [-c[0]] + c[1:])
    elif mutation == 2:                                     # delete a CNF clause early
        steps.insert(i, (True, cnf[where % len(cnf)]))
    elif mutation == 3:                                     # a CNF clause less: often SAT
        cnf = cnf[:where % len(cnf)] + cnf[where % len(cnf) + 1:]
    else:                                                   # lemmas in another order
        j = (where // 7) % len(steps)
        steps[i], steps[j] = steps[j], steps[i]
    compare(cnf, nv, steps)


def test_pseudo_unit_repairs_are_exercised_and_sound(audited):
    """Solver proofs whose unit lemmas are reasons: the incremental repair runs, keeps the
    invariants (asserted by the fixture) and the proofs verify."""
    for clauses, nv in (pigeonhole(5, 4), pigeonhole(6, 5)):
        out = solve(clauses, nv, timeout=None, proof=True)
        text = "".join(line + "\n" for line in out.proof).encode()
        assert check_proof(nv, clauses, parse_proof(text)).verified
    assert audited["unassign_reason"] > 0 and audited["rup"] > 0


@settings(max_examples=300, deadline=None)
@given(rnd=st.randoms(use_true_random=False))
def test_unassign_reason_restores_the_fixpoint(rnd):
    """White box: clauses attached in any order (so a literal may be implied by a clause
    whose propagation was blocked, or asserted by a second unit clause), some put in the
    core, some detached; removing reasons one by one keeps the top level exactly the
    propagation closure, recomputed from scratch."""
    nv = rnd.randint(2, 6)
    clauses = [list(dict.fromkeys(2 * rnd.randint(1, nv) + rnd.randint(0, 1)
                                  for _ in range(rnd.choice((1, 2, 2, 3, 3, 4)))))
               for _ in range(rnd.randint(2, 4 * nv))]
    state = drat._State(nv, clauses)
    for cid in range(len(clauses)):
        if state.attach(cid) or state.propagate() >= 0:
            return                                   # top-level conflict: nothing to repair
        if rnd.random() < 0.3:
            state.mark(cid)
        if rnd.random() < 0.1 and not state.is_reason(cid):
            state.detach(cid)
    assert_top_level(state)
    while True:
        reasons = [cid for cid in range(len(clauses)) if state.active[cid] and state.is_reason(cid)]
        if not reasons:
            break
        state.unassign_reason(rnd.choice(reasons))
        assert_top_level(state)
