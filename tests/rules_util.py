"""Helpers shared by the rule-check tests: run one check kind on a DLM with a given solver."""
from __future__ import annotations

from pathlib import Path

from verify.checks.registry import CHECKS, Context, load_all
from verify.dlm.semantics import Rule
from verify.specs import CheckSpec, Instance, Spec
from verify.verdict import Verdict

RULE_KINDS = ("independence", "mode", "encoding", "termination", "resources")


def options(kind: str, solver: str, **extra) -> dict:
    # these tests are about the circuits themselves: read literally (the default is enforce)
    opts = {"solver": solver, "timeout": 30.0, "sat_solver": "cadical153", "batch": 0, "rule": Rule.LITERAL}
    opts.update(extra)
    return opts


def run_check(dlm, kind: str, solver: str, proofs: Path, name: str = "test", **extra):
    load_all()
    spec = Spec(path=Path(f"{name}.toml"), name=name, statement="", reference="")
    inst = Instance(spec, {}, "dlm", dlm, [])
    check = CheckSpec(kind, Verdict.PROVED, options(kind, solver, **extra), "check[0]")
    return CHECKS[kind].run(inst, check, Context(proofs_dir=proofs, timeout=30.0))


def agree(sat_outcome, z3_outcome) -> bool:
    """The SAT and z3 back ends tell the same story (z3's UNSAT is UNKNOWN: uncertified)."""
    s, z = sat_outcome.verdict, z3_outcome.verdict
    if s is Verdict.REFUTED:
        return z is Verdict.REFUTED
    if s is Verdict.PROVED:
        structural = "z3" not in z3_outcome.method
        return z is Verdict.PROVED if structural else (z is Verdict.UNKNOWN and "uncertified" in z3_outcome.method)
    return False
