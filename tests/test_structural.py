"""Verdicts decided while encoding (issue 18, items 1 and 2).

``CnfAlgebra.require`` emits no clause for a literal folded to TRUE and no unit twice; a
requirement folded to FALSE is reported (``folded_false``) and the check says
"structural: decided while encoding" instead of certifying a CNF with complementary units.
Every such verdict is re-established here by a second route that does not use the CNF encoder:
exhaustive simulation for the rule checks, the exhaustive miter for the coupling miter.
"""
from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from verify.checker.dimacs import parse_dimacs
from verify.checks.backends import STRUCTURAL
from verify.checks.registry import CHECKS, Context, load_all
from verify.dlm.model import Mode, Token
from verify.dlm.semantics import (InvalidToken, Rule, all_draws, final_output, finish_round, predict,
                                  random_slots, run)
from verify.encode.cnf import CnfAlgebra
from verify.specs import load_spec
from verify.verdict import Verdict

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "benchmarks"


# ---- the algebra ---------------------------------------------------------------------------

def test_require_emits_no_folded_or_repeated_clause():
    alg = CnfAlgebra()
    a, b = alg.var("a"), alg.var("b")
    start = len(alg.clauses)
    alg.require(alg.or_([a, alg.const(True)]))     # folds to TRUE
    alg.require(alg.const(True))
    assert len(alg.clauses) == start
    g = alg.and_([a, b])
    alg.require(g)
    alg.require(g)
    alg.require(alg.and_([b, a]))                   # the same gate, hashed
    assert alg.clauses.count([g]) == 1
    assert not alg.folded_false
    alg.require(alg.and_([a, alg.neg(a)]))          # folds to FALSE
    alg.require(alg.const(False))
    assert alg.folded_false
    assert alg.clauses.count([-alg.true]) == 1
    assert len({tuple(sorted(c)) for c in alg.clauses}) == len(alg.clauses)


def test_a_literal_and_its_complement_are_not_folded():
    alg = CnfAlgebra()
    a = alg.var("a")
    alg.require(a)
    alg.require(-a)            # unsatisfiable, but not by folding: the solver's business
    assert not alg.folded_false


# ---- freshly certified CNFs carry no duplicated clause -------------------------------------

def _run_spec(path: Path, tmp: Path, kinds=None):
    load_all()
    spec = load_spec(path)
    out = []
    for inst in spec.instances:
        for check in inst.checks:
            if kinds is None or check.kind in kinds:
                res = CHECKS[check.kind].run(inst, check, Context(proofs_dir=tmp, timeout=60.0))
                out.append((inst, check, res))
    return out


def test_certified_cnfs_have_no_duplicated_clause(tmp_path):
    _run_spec(ROOT / "specs" / "parity-remask.toml", tmp_path, {"mode", "resources"})
    _run_spec(ROOT / "specs" / "parity-plain-last.toml", tmp_path, {"mode"})
    gap = ROOT / "specs" / "gap" / "plain-support-n3-T2-k1.toml"
    _run_spec(gap, tmp_path)
    cnfs = sorted(tmp_path.rglob("*.cnf"))
    assert len(cnfs) >= 5, cnfs
    for path in cnfs:
        cnf = parse_dimacs(path.read_bytes(), str(path))
        counts = Counter(tuple(sorted(c)) for c in cnf.clauses)
        dup = [c for c, k in counts.items() if k > 1]
        assert not dup, f"{path.name}: {len(dup)} duplicated clause(s), e.g. {dup[0]} x{counts[dup[0]]}"
        units = [c[0] for c in cnf.clauses if len(c) == 1]
        assert not any(-u in units for u in units), f"{path.name}: complementary units"


# ---- structural verdicts, re-established by simulation -------------------------------------

def _states(n: int):
    return itertools.product((Token.A, Token.B, Token.M), repeat=n)


def _one_round_draws(dlm):
    slots = random_slots(dlm)
    for bits in range(1 << len(slots)):
        yield {s: bool((bits >> k) & 1) for k, s in enumerate(slots)}


def _mode_holds(dlm) -> bool:
    """Every state, every draw of one round, literally through P, F, G (MODEL.md §4.2)."""
    for x in _states(dlm.length):
        for draw in _one_round_draws(dlm):
            try:
                y = tuple(predict(dlm, i, x, draw) for i in range(dlm.length))
            except InvalidToken:
                continue                     # the encoding check's business, as in the SAT query
            _, after = finish_round(dlm, x, y, Rule.LITERAL)
            for i in range(dlm.length):
                if x[i] is Token.M:
                    continue
                if dlm.mode is Mode.PLAIN and after[i] != x[i]:
                    return False
                if dlm.mode is Mode.REMASK and after[i] not in (x[i], Token.M):
                    return False
                if dlm.mode is Mode.REVISE and after[i] is Token.M:
                    return False
    return True


def _encoding_holds(dlm) -> bool:
    for x in _states(dlm.length):
        for draw in _one_round_draws(dlm):
            for i in range(dlm.length):
                try:
                    predict(dlm, i, x, draw)
                except InvalidToken:
                    return False
    return True


def _termination_holds(dlm, rule: Rule) -> bool:
    for chi in itertools.product((0, 1), repeat=len(dlm.inputs)):
        for draws in all_draws(dlm):
            try:
                if "M" in final_output(dlm, chi, run(dlm, chi, draws, rule)):
                    return False
            except InvalidToken:
                return False
    return True


SMALL = [("parity-revise.toml", 5), ("parity-remask.toml", 4), ("parity-plain-last.toml", 4),
         ("parity-revise-wrong-last.toml", 4), ("parity-revise-run-as-plain.toml", 4)]


@pytest.mark.parametrize("name,max_n", SMALL)
def test_structural_rule_verdicts_agree_with_exhaustive_simulation(name, max_n, tmp_path):
    seen = 0
    for inst, check, res in _run_spec(ROOT / "specs" / name, tmp_path, {"mode", "encoding", "termination"}):
        if inst.params.get("n", 0) > max_n or not res.method.startswith(STRUCTURAL):
            continue
        seen += 1
        assert res.verdict is Verdict.PROVED and not res.certificates, res
        assert "folded to FALSE" in res.method
        dlm = inst.subject
        if check.kind == "mode":
            assert _mode_holds(dlm), inst.name
        elif check.kind == "encoding":
            assert _encoding_holds(dlm), inst.name
        else:
            assert _termination_holds(dlm, check.options["rule"]), inst.name
    assert seen, f"{name}: no verdict was decided while encoding (the test would check nothing)"
    assert not list(tmp_path.glob("*__encoding__*")), "a structural verdict wrote a certificate"


BAD_SPEC = """
[claim]
name = "bad"
statement = "a predictor that emits 11 when its coin is 1, and one that never unmasks"
[dlm]
length = 2
rounds = 2
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
at = "0"
mask = "r0"
value = "r0"
[[dlm.predictor]]
at = "1"
mask = "1"
value = "0"
[[check]]
kind = "encoding"
expect = "REFUTED"
"""


def test_the_simulation_route_can_fail(tmp_path):
    """The second route is not vacuous: it rejects a plain run of the revising sampler, a
    predictor that emits 11 and one that never unmasks."""
    spec = load_spec(ROOT / "specs" / "parity-revise-run-as-plain.toml")
    assert not _mode_holds(spec.instances[1].subject)
    (tmp_path / "bad.toml").write_text(BAD_SPEC)
    bad = load_spec(tmp_path / "bad.toml").instances[0].subject
    assert not _encoding_holds(bad)
    assert not _termination_holds(bad, Rule.LITERAL)


@pytest.mark.skipif(not (BENCH / "iscas85" / "c17.bench").is_file(), reason="../shared/benchmarks absent")
@pytest.mark.parametrize("construction", ["thm3.1", "thm3.2-remask", "thm3.2-revise", "ar-cot"])
def test_structural_miter_agrees_with_the_exhaustive_miter(construction, tmp_path):
    """c17's SAT miter (forced by max_exhaustive = 0) against its exhaustive evaluation."""
    from verify.specs import CheckSpec
    load_all()
    spec = load_spec(ROOT / "specs" / "constructions" / "miter.toml")
    inst = next(i for i in spec.instances if i.params == {"construction": construction,
                                                             "circuit": "iscas85/c17.bench"})
    base = inst.checks[0]
    results = {}
    for limit in (0, 20):
        check = CheckSpec(base.kind, base.expect, dict(base.options, max_exhaustive=limit), base.key)
        results[limit] = CHECKS[check.kind].run(inst, check, Context(proofs_dir=tmp_path, timeout=60.0))
    assert results[20].method.startswith("exhaustive miter")
    assert results[20].verdict is results[0].verdict is Verdict.PROVED
    if results[0].method.startswith(STRUCTURAL):
        assert not results[0].certificates
