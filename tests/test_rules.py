"""Every rule check on every spec instance, with the SAT back end and with z3 (issue 3, item 3).

The verdict with ``solver = "sat"`` must be the spec's expected one; z3 must agree (a REFUTED
on one side only, or a z3 counterexample where SAT proves, fails the test); ``solver = "both"``
must give the SAT verdict. Every REFUTED carries a replayed counterexample.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from verify.dlm.model import Token
from verify.specs import load_spec
from verify.verdict import Verdict

from tests.rules_util import RULE_KINDS, agree, run_check

SPECS = sorted(Path(__file__).resolve().parent.parent.joinpath("specs").glob("*.toml"))


def _cases():
    for path in SPECS:
        spec = load_spec(path)
        for inst in spec.instances:
            if inst.subject_kind != "dlm" or inst.params.get("n", 0) > 5:
                continue
            for k, check in enumerate(inst.checks):
                if check.kind in RULE_KINDS:
                    yield pytest.param(inst, k, id=f"{inst.name}-{check.kind}{k}")


@pytest.mark.parametrize("inst,k", list(_cases()))
def test_rule_check_sat_and_z3(inst, k, tmp_path):
    from verify.checks.registry import CHECKS, Context, load_all
    load_all()
    check = inst.checks[k]
    outs = {}
    for solver in ("sat", "z3", "both"):
        opts = dict(check.options, solver=solver)
        c = type(check)(check.kind, check.expect, opts, check.key)
        outs[solver] = CHECKS[check.kind].run(inst, c, Context(proofs_dir=tmp_path, timeout=30.0))
    sat, z3_, both = outs["sat"], outs["z3"], outs["both"]
    assert sat.verdict is check.expect, (sat.message, sat.details)
    assert agree(sat, z3_), (sat.verdict, sat.message, z3_.verdict, z3_.message)
    assert both.verdict is sat.verdict, both.message
    for o in outs.values():
        if o.verdict is Verdict.REFUTED:
            assert o.explain
            assert "structural" in o.method or "replayed" in o.method
    if sat.verdict is Verdict.PROVED and "SAT" in sat.method:
        assert sat.certificates and all(Path(p).exists() for p in sat.certificates)


def test_certificate_names(tmp_path):
    # the remasking sampler's mode check needs the solver (the revising one's folds while encoding)
    spec = load_spec(Path(__file__).resolve().parent.parent / "specs" / "parity-remask.toml")
    inst = spec.instances[2]
    out = run_check(inst.subject, "mode", "sat", tmp_path, name=inst.name)
    assert out.verdict is Verdict.PROVED
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.startswith("parity-remask_n_4__mode-literal__pos0-3") for n in names), names


def _plain_dlm():
    spec = load_spec(Path(__file__).resolve().parent.parent / "specs" / "parity-revise-run-as-plain.toml")
    return spec.instances[2].subject


def test_disagreement_is_an_error(tmp_path, monkeypatch):
    from verify.checks import backends
    monkeypatch.setattr(backends, "run_z3", lambda query, timeout: backends.Answer("z3", backends.UNSAT))
    out = run_check(_plain_dlm(), "mode", "both", tmp_path)
    assert out.verdict is Verdict.ERROR and "disagree" in out.message


def test_replay_mismatch_is_an_error(tmp_path, monkeypatch):
    """A counterexample the simulator does not reproduce is an encoder bug, never REFUTED."""
    from verify.checks import backends
    real = backends.run_z3

    def corrupt(query, timeout):
        a = real(query, timeout=timeout)
        if a.witness is not None:
            a.witness["state"] = tuple(Token.M for _ in a.witness["state"])  # every position masked
        return a
    monkeypatch.setattr(backends, "run_z3", corrupt)
    out = run_check(_plain_dlm(), "mode", "z3", tmp_path)
    assert out.verdict is Verdict.ERROR and "does not reproduce" in out.message


def test_z3_unsat_is_not_proved(tmp_path):
    spec = load_spec(Path(__file__).resolve().parent.parent / "specs" / "parity-revise.toml")
    out = run_check(spec.instances[1].subject, "mode", "z3", tmp_path)
    assert out.verdict is Verdict.UNKNOWN and "uncertified" in out.method and "not PROVED" in out.message
