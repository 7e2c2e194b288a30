"""No F/G randomness loophole (issue 9, item 5).

MODEL.md §3 gives the unmasking strategy F and the remasking strategy G no random bits. A DLM
whose F or G names one anyway must never get a PROVED distribution by a method that silently
reads the bit as a constant: the simulator (so brute force and every replay) gives F and G the
bit drawn that round, as a decoder would; BDD and model counting share the variable with its
owner's predictor; the exact semantics (and the ``support`` check built on it) refuses with an
ERROR naming the circuit, the position and the bit.
"""
from __future__ import annotations

import io
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings

from verify.checks.registry import Context
from verify.cli import main
from verify.dlm.model import strategy_random_reads
from verify.dlm.semantics import (StrategyReadsRandom, brute_force_distribution, output_distribution,
                                  run, sample)
from verify.distribution.symbolic import bdd_output_distribution, count_output_distribution
from verify.runner import run_spec
from verify.specs import load_spec
from verify.verdict import Verdict

from .strategies import dlms

#: the issue's reproducer: the decoder outputs 0 (r0 = 0, committed) or leaves M (r0 = 1)
F_SPEC = """
[claim]
name = "f-reads-random"
[dlm]
length = 1
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "r0"
[[dlm.unmask_strategy]]
commit = "{commit}"
"""
F_TRUTH = {"0": Fraction(1, 2), "M": Fraction(1, 2)}

#: G_1 remasks position 1 when z_0 = b and position 1's own coin is 1 (probability 1/4)
G_SPEC = """
[claim]
name = "g-reads-random"
[dlm]
length = 2
rounds = 1
mode = "remask"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "m{{i}} & r0 | ~m{{i}} & v{{i}}"
[[dlm.remask]]
at = 0
remask = "0"
[[dlm.remask]]
at = 1
remask = "{remask}"
"""
G_TRUTH = {"00": Fraction(1, 4), "01": Fraction(1, 4), "10": Fraction(1, 4), "1M": Fraction(1, 4)}

CASES = {
    "F": (F_SPEC.format(commit="~r0"), F_SPEC.format(commit="1"), "unmasking strategy F_0", "r0_0", F_TRUTH),
    "G": (G_SPEC.format(remask="zv0 & r1_0"), G_SPEC.format(remask="0"), "remasking strategy G_1", "r1_0",
          G_TRUTH),
}


def _spec(tmp_path: Path, text: str, checks: list[str]):
    path = tmp_path / "s.toml"
    path.write_text(text + "\n" + "\n".join(f"[[check]]\n{c}\n" for c in checks), encoding="utf-8")
    return load_spec(path)


def _dlm(tmp_path: Path, text: str):
    return _spec(tmp_path, text, ['kind = "encoding"']).instances[0].subject


@pytest.mark.parametrize("role", sorted(CASES))
def test_simulator_gives_the_drawn_bit(role, tmp_path):
    bad, _, _, _, truth = CASES[role]
    dlm = _dlm(tmp_path, bad)
    assert strategy_random_reads(dlm)
    slots = [(j, 0) for j in range(dlm.length)]
    seen = {}
    for bits in product((False, True), repeat=len(slots)):
        trace = run(dlm, (), [dict(zip(slots, bits))])
        out = "".join(t.char for t in (trace[-1].after[p] for p in dlm.outputs))
        seen[out] = seen.get(out, 0) + 1
    assert {o: Fraction(c, 2 ** len(slots)) for o, c in seen.items()} == truth
    # the seeded sampler goes through the same simulator
    assert {sample(dlm, seed=s) for s in range(40)} <= set(truth)


@pytest.mark.parametrize("role", sorted(CASES))
def test_every_semantics_that_can_represent_it_agrees(role, tmp_path):
    bad, _, where, bit, truth = CASES[role]
    dlm = _dlm(tmp_path, bad)
    assert brute_force_distribution(dlm) == truth
    assert bdd_output_distribution(dlm) == truth
    assert count_output_distribution(dlm) == truth
    with pytest.raises(StrategyReadsRandom) as e:
        output_distribution(dlm)
    assert where in str(e.value) and bit in str(e.value)
    assert e.value.details["bit"] == bit


@pytest.mark.parametrize("role", sorted(CASES))
def test_no_method_proves_it(role, tmp_path):
    bad, honest, where, bit, _ = CASES[role]
    methods = ["exact", "brute-force", "bdd", "count", "both", "all"]
    checks = [f'kind = "distribution"\ntarget = "uniform"\nmethod = "{m}"' for m in methods]
    checks += ['kind = "support"\ntarget = "uniform"', 'kind = "independence"', 'kind = "termination"']
    ctx = Context(proofs_dir=tmp_path / "proofs", timeout=30.0)
    results = run_spec(_spec(tmp_path, bad, checks), ctx)
    verdicts = {f"{r.check}:{c.splitlines()[-1]}": r for r, c in zip(results, checks)}
    for key, r in verdicts.items():
        assert r.verdict in (Verdict.REFUTED, Verdict.ERROR), (key, r.verdict, r.message)
    # the methods that cannot represent it say why, naming the circuit and the bit
    for key in ('distribution:method = "exact"', 'distribution:method = "both"', 'support:target = "uniform"'):
        r = verdicts[key]
        assert r.verdict is Verdict.ERROR and where in r.message and bit in r.message, (key, r.message)
    # the methods that can give a real answer: the uniform target is not met, with a replayed run
    for m in ("brute-force", "bdd", "count", "all"):
        r = verdicts[f'distribution:method = "{m}"']
        assert r.verdict is Verdict.REFUTED and any("round 1" in line for line in r.explain), (m, r.message)
    assert "exact" not in verdicts['distribution:method = "all"'].method
    assert verdicts["independence:kind = \"independence\""].verdict is Verdict.REFUTED
    assert verdicts['termination:kind = "termination"'].verdict is Verdict.REFUTED
    # the honest variant (F commits always / G never remasks) is proved by every method
    honest_results = run_spec(_spec(tmp_path, honest, checks), ctx)
    for r, c in zip(honest_results, checks):
        assert r.verdict is Verdict.PROVED, (c, r.verdict, r.message)


def test_reproducer_is_not_proved_by_the_cli(tmp_path):
    """The issue's reproducer as a spec with only a distribution claim: never PROVED, exit 1."""
    path = tmp_path / "repro.toml"
    path.write_text(F_SPEC.format(commit="~r0") + '\n[[check]]\nkind = "distribution"\ntarget = "uniform"\n',
                    encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main([str(path), "--proofs", str(tmp_path / "p")], out, err)
    assert code == 1
    line = out.getvalue().splitlines()[0]
    assert line.startswith("ERROR ") and "F_0" in line and "r0_0" in line and line.endswith("rule=enforce")


@settings(max_examples=60, deadline=None)
@given(dlms(max_rounds=2, strategy_random=True))
def test_random_strategies_brute_force_equals_bdd(dlm):
    """On random DLMs whose F and G may read random bits, brute force (the simulator) and the
    BDD unrolling agree, and the exact semantics refuses exactly when F or G reads one."""
    for chi in product((0, 1), repeat=len(dlm.inputs)):
        truth = brute_force_distribution(dlm, chi)
        assert bdd_output_distribution(dlm, chi) == truth
        if strategy_random_reads(dlm):
            with pytest.raises(StrategyReadsRandom):
                output_distribution(dlm, chi)
        else:
            assert output_distribution(dlm, chi) == truth
