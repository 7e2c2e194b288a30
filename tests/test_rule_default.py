"""One default decoder rule for every check kind, named on every verdict line (issue 9, item 9).

``enforce`` (the decoder's reading, README "The mode's rule") is the default of every check
kind; ``literal`` takes what the circuits compute. Each kind runs here under both rules on DLMs
where the readings differ, e.g. the issue's 2-position remask DLM: under ``literal`` its mode,
termination and distribution are PROVED, yet every run of the decoder ends with the output
masked, which ``enforce`` (the default) reports.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from verify.checks.registry import DEFAULT_RULE, Context, load_all
from verify.cli import main
from verify.dlm.semantics import Rule, sample
from verify.runner import run_spec
from verify.specs import load_spec
from verify.verdict import Verdict

P, R = Verdict.PROVED, Verdict.REFUTED

#: the issue's DLM: P_0 reveals b, then predicts M at its revealed position; G_1 remasks
#: position 1 while z_0 is revealed. Literally, position 0 is masked again in round 2 and
#: position 1 survives; the decoder keeps position 0, so G_1 masks position 1 in every run.
REMASK2 = """
[claim]
name = "remask2"
[dlm]
length = 2
rounds = 2
mode = "remask"
outputs = [1]
[[dlm.predictor]]
at = 0
mask = "~m0"
value = "m0"
[[dlm.predictor]]
at = 1
value = "~m1 & v1"
[[dlm.remask]]
at = 0
remask = "0"
[[dlm.remask]]
at = 1
remask = "~zm0"
"""

#: plain: P_0 reveals b, then predicts M at its revealed position; P_1 waits for x_0. Literally
#: the state is bM then Mb (one unmasked token at a time); the decoder keeps x_0: bb.
PEAK = """
[claim]
name = "peak"
[dlm]
length = 2
rounds = 2
mode = "plain"
outputs = [1]
[[dlm.predictor]]
at = 0
mask = "~m0"
value = "m0"
[[dlm.predictor]]
at = 1
mask = "m1 & m0"
value = "m1 & ~m0 | ~m1 & v1"
"""

#: the revising parity sampler (n = 3) run by a plain decoder: literally it rewrites revealed
#: tokens; the decoder keeps them
REWRITE = """
[claim]
name = "rewrite"
[dlm]
length = 3
rounds = 2
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
at = 0
value = "m0 & r0 | ~m0 & v0"
[[dlm.predictor]]
value = "m{i} & r0 | ~m{i} & (v{i} ^ v{i-1})"
"""

#: rule-independent properties of single circuits: a foreign random bit, a predictor emitting 11
FOREIGN = """
[claim]
name = "foreign"
[dlm]
length = 2
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "m{i} & r0_0 | ~m{i} & v{i}"
"""
ELEVEN = """
[claim]
name = "eleven"
[dlm]
length = 1
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
mask = "r0"
value = "r0"
"""

#: (subject, check table, verdict under literal, verdict under enforce)
CASES = [
    ("remask2-mode", REMASK2, 'kind = "mode"', P, P),
    ("remask2-termination", REMASK2, 'kind = "termination"', P, R),
    ("remask2-distribution", REMASK2, 'kind = "distribution"\ntarget = "table"\ntable = { "0" = "1" }', P, R),
    ("remask2-distribution-all", REMASK2,
     'kind = "distribution"\ntarget = "table"\ntable = { "0" = "1" }\nmethod = "all"', P, R),
    ("rewrite-mode", REWRITE, 'kind = "mode"', R, P),
    ("rewrite-distribution", REWRITE, 'kind = "distribution"\ntarget = "parity-even"', R, R),
    ("peak-resources", PEAK, 'kind = "resources"\nmax_peak_unmasked = 1', P, R),
    ("peak-mode", PEAK, 'kind = "mode"', R, P),
    ("peak-termination", PEAK, 'kind = "termination"', P, P),
    # rule-independent: the same verdict under both
    ("foreign-independence", FOREIGN, 'kind = "independence"', R, R),
    ("foreign-encoding", FOREIGN, 'kind = "encoding"', P, P),
    ("eleven-encoding", ELEVEN, 'kind = "encoding"', R, R),
    ("eleven-independence", ELEVEN, 'kind = "independence"', P, P),
    ("remask2-resources-structural", REMASK2, 'kind = "resources"\nmax_rounds = 2\nmax_predictor_reads = 1', P, P),
]


def _spec(tmp_path: Path, subject: str, check: str, rule: str | None):
    path = tmp_path / "s.toml"
    rule_line = f'\nrule = "{rule}"' if rule else ""
    path.write_text(subject + f"\n[[check]]\n{check}{rule_line}\n", encoding="utf-8")
    return load_spec(path)


@pytest.mark.parametrize("name,subject,check,literal,enforce", CASES, ids=[c[0] for c in CASES])
def test_each_kind_under_both_rules(tmp_path, name, subject, check, literal, enforce):
    ctx = Context(proofs_dir=tmp_path / "proofs", timeout=30.0)
    got = {}
    for rule in ("literal", "enforce", None):
        (r,) = run_spec(_spec(tmp_path, subject, check, rule), ctx)
        assert r.rule == (rule or "enforce"), (rule, r.rule)
        if r.verdict is R:
            assert r.explain, r.message   # a replayed counterexample
        got[rule] = r.verdict
    assert (got["literal"], got["enforce"]) == (literal, enforce), got
    assert got[None] is got["enforce"]   # the default is the decoder's rule


def test_every_rule_taking_kind_defaults_to_enforce(tmp_path):
    assert DEFAULT_RULE is Rule.ENFORCE
    checks = load_all()
    for kind in ("distribution", "independence", "mode", "encoding", "termination", "resources"):
        extra = {"distribution": '\ntarget = "uniform"', "resources": "\nmax_rounds = 1"}.get(kind, "")
        (inst,) = _spec(tmp_path, FOREIGN, f'kind = "{kind}"{extra}', None).instances
        assert inst.checks[0].options["rule"] is Rule.ENFORCE, kind
        assert kind in checks


def test_every_verdict_line_names_its_rule(tmp_path):
    path = tmp_path / "s.toml"
    checks = ['kind = "distribution"\ntarget = "table"\ntable = { "0" = "1" }', 'kind = "mode"',
              'kind = "mode"\nrule = "literal"', 'kind = "termination"', 'kind = "termination"\nrule = "literal"',
              'kind = "encoding"', 'kind = "independence"', 'kind = "resources"\nmax_peak_unmasked = 1']
    path.write_text(REMASK2 + "".join(f"\n[[check]]\n{c}\nexpect = \"REFUTED\"\n" for c in checks),
                    encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    main([str(path), "--proofs", str(tmp_path / "proofs")], out, err)
    lines = [line for line in out.getvalue().splitlines() if line.split(" ", 1)[0] in
             ("PROVED", "REFUTED", "ERROR", "UNKNOWN")]
    assert len(lines) == len(checks), out.getvalue()
    want = ["enforce", "enforce", "literal", "enforce", "literal", "enforce", "enforce", "enforce"]
    assert [line.rsplit("rule=", 1)[-1] for line in lines] == want, lines


def test_decoder_runs_of_the_issue_dlm_end_masked(tmp_path):
    """What ``enforce`` reports is what the sampler does: every run ends with the output masked."""
    (inst,) = _spec(tmp_path, REMASK2, 'kind = "mode"', None).instances
    assert {sample(inst.subject, seed=s) for s in range(5)} == {"M"}
    assert {sample(inst.subject, seed=s, rule=Rule.LITERAL) for s in range(5)} == {"0"}


def test_both_readings_in_one_spec_keep_their_own_certificates(tmp_path):
    """A spec checking both rules gets one certificate per reading (the rule is in the name), and
    every stored certificate is re-checked as VERIFIED."""
    path = tmp_path / "s.toml"
    path.write_text(PEAK + "".join(f'\n[[check]]\nkind = "termination"\nrule = "{r}"\n' for r in ("literal", "enforce")),
                    encoding="utf-8")
    proofs = tmp_path / "proofs"
    results = run_spec(load_spec(path), Context(proofs_dir=proofs, timeout=30.0))
    assert [r.verdict for r in results] == [P, P]
    assert {Path(c).name for c in results[0].certificates}.isdisjoint(Path(c).name for c in results[1].certificates)
    stored = sorted(p.name for p in proofs.glob("*.json"))
    # each stored certificate names its reading; a reading decided by constant folding stores none
    assert all("termination-literal" in n or "termination-enforce" in n for n in stored)
    assert len(stored) == sum(1 for r in results if "structural" not in r.method)
    if stored:
        out = io.StringIO()
        assert main(["check", str(proofs)], out, io.StringIO()) == 0
        assert out.getvalue().count("VERIFIED") == len(stored), out.getvalue()
