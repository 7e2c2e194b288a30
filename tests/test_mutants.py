"""Mutation tests (issue 3, item 5): mutants of correct DLMs must be REFUTED, with a replayed
counterexample, by the check for the property they break, on both back ends; the originals
must pass every rule check. The mutation score is printed (run with ``-s``) and asserted 100%.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from verify.dlm.model import Token
from verify.dlm.mutate import mutants
from verify.dlm.semantics import Rule, all_draws, run
from verify.specs import load_spec
from verify.verdict import Verdict

from tests.rules_util import agree, run_check

ROOT = Path(__file__).resolve().parent.parent / "specs"
ORIGINALS = [("parity-revise.toml", 3), ("parity-revise.toml", 4), ("parity-remask.toml", 3),
             ("parity-remask.toml", 4), ("parity-plain-last.toml", 4)]
SCORE: dict[str, list[bool]] = {"killed": [], "equivalent": []}


def _dlm(file, n):
    spec = load_spec(ROOT / file)
    return next(i for i in spec.instances if i.params.get("n") == n).subject


def _mutant_cases():
    for file, n in ORIGINALS:
        dlm = _dlm(file, n)
        for name, kind, mutant in mutants(dlm, i=1):
            yield pytest.param(mutant, kind, id=f"{file[:-5]}-n{n}-{name}")


@pytest.mark.parametrize("file,n", ORIGINALS)
@pytest.mark.parametrize("kind", ["independence", "mode", "encoding", "termination"])
def test_original_passes(file, n, kind, tmp_path):
    out = run_check(_dlm(file, n), kind, "sat", tmp_path)
    assert out.verdict is Verdict.PROVED, out.message


def terminates_by_brute_force(dlm) -> bool:
    """Oracle independent of the encoders: run every input and every random outcome."""
    for chi in itertools.product((0, 1), repeat=len(dlm.inputs)):
        for draws in all_draws(dlm):
            trace = run(dlm, chi, draws, Rule.LITERAL)
            final = trace[-1].after if trace else dlm.initial_state(chi)
            if any(final[o] is Token.M for o in dlm.outputs):
                return False
    return True


@pytest.mark.parametrize("mutant,kind", list(_mutant_cases()))
def test_mutant_refuted(mutant, kind, tmp_path):
    sat = run_check(mutant, kind, "sat", tmp_path)
    z3_ = run_check(mutant, kind, "z3", tmp_path)
    if kind == "termination" and terminates_by_brute_force(mutant):
        # an equivalent mutant (e.g. one round fewer where the last round only revises):
        # the right answer is PROVED, and it does not count towards the score
        SCORE["equivalent"].append(True)
        assert sat.verdict is Verdict.PROVED and agree(sat, z3_), sat.message
        return
    killed = sat.verdict is Verdict.REFUTED and agree(sat, z3_)
    SCORE["killed"].append(killed)
    assert sat.verdict is Verdict.REFUTED, sat.message
    assert z3_.verdict is Verdict.REFUTED, z3_.message
    assert "replayed" in sat.method and sat.details and sat.explain


def test_zz_mutation_score():
    killed, equivalent = SCORE["killed"], SCORE["equivalent"]
    total = len(list(_mutant_cases()))
    print(f"\nmutation score: {sum(killed)}/{len(killed)} non-equivalent mutants refuted with a replayed "
          f"counterexample on both back ends ({len(equivalent)} equivalent mutant(s) of {total} proved, as they must be)")
    if len(killed) + len(equivalent) == total:
        assert all(killed)
