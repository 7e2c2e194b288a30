"""Empty or reversed position sets are spec errors; zero outputs are never PROVED (issue 9, item 8).

A reversed range such as ``outputs = "3..0"`` used to be read as no positions, so every
distribution claim on the DLM held vacuously. Only the word ``"none"`` means no positions now;
and a check over zero outputs (``distribution``, ``support``, ``termination``) is an ERROR.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from verify.checks.registry import Context
from verify.cli import main
from verify.runner import run_spec
from verify.specs import load_spec
from verify.verdict import Verdict

SPEC = """
[claim]
name = "sets"
[dlm]
length = 4
rounds = 1
mode = "plain"
random_bits = 1
inputs = {inputs}
outputs = {outputs}
[[dlm.predictor]]
at = {at}
value = "m{{i}} & r0 | ~m{{i}} & v{{i}}"
[[dlm.predictor]]
value = "m{{i}} & r0 | ~m{{i}} & v{{i}}"
[[check]]
kind = "distribution"
target = "uniform"
{extra}
"""


def _write(tmp_path: Path, inputs='"none"', outputs='"all"', at='"all"', extra="") -> Path:
    path = tmp_path / "s.toml"
    path.write_text(SPEC.format(inputs=inputs, outputs=outputs, at=at, extra=extra), encoding="utf-8")
    return path


def _run(path: Path, tmp_path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(path), "--proofs", str(tmp_path / "proofs")], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("field,value,key,words", [
    ("outputs", '"3..0"', "dlm.outputs", "reversed range"),
    ("outputs", "[]", "dlm.outputs", "empty list"),
    ("outputs", '""', "dlm.outputs", "empty string"),
    ("outputs", '"{2-1}..0"', "dlm.outputs", "reversed range"),
    ("outputs", "[1, 1]", "dlm.outputs", "named twice"),
    ("inputs", '"2..1"', "dlm.inputs", "reversed range"),
    ("inputs", "[]", "dlm.inputs", "empty list"),
    ("at", '"3..2"', "dlm.predictor[0].at", "reversed range"),
    ("at", "[]", "dlm.predictor[0].at", "empty list"),
    ("extra", 'inputs = []', "check[0].inputs", "empty list of inputs"),
])
def test_empty_or_reversed_sets_are_spec_errors(tmp_path, field, value, key, words):
    path = _write(tmp_path, **{field: value})
    code, out, err = _run(path, tmp_path)
    assert code == 2, (out, err)
    assert f"{path}: key '{key}'" in err and words in err, err
    assert "Traceback" not in err and "PROVED" not in out


def test_none_is_allowed_and_means_no_positions(tmp_path):
    spec = load_spec(_write(tmp_path, inputs='"none"', outputs='"0..3"'))
    dlm = spec.instances[0].subject
    assert list(dlm.inputs) == [] and list(dlm.outputs) == [0, 1, 2, 3]


def test_zero_outputs_is_never_proved(tmp_path):
    """``outputs = "none"`` is a valid DLM (its rule checks make sense), but no claim about its
    sample is PROVED: each is an ERROR that says why."""
    checks = "\n".join(f"[[check]]\n{c}\n" for c in (
        'kind = "distribution"\ntarget = "uniform"\nmethod = "brute-force"',
        'kind = "distribution"\ntarget = "uniform"\nmethod = "all"',
        'kind = "distribution"\ntarget = "table"\ntable = { "" = "1" }',
        'kind = "support"\ntarget = "uniform"',
        'kind = "termination"',
    ))
    path = _write(tmp_path, outputs='"none"', extra=checks)
    results = run_spec(load_spec(path), Context(proofs_dir=tmp_path / "proofs", timeout=30.0))
    assert len(results) == 6
    for r in results:
        assert r.verdict is Verdict.ERROR, (r.check, r.verdict, r.message)
        assert "no output positions" in r.message, r.message
    # the rules of the circuits themselves still apply to it
    mode = _write(tmp_path, outputs='"none"').read_text().replace(
        '[[check]]\nkind = "distribution"\ntarget = "uniform"', '[[check]]\nkind = "mode"\nrule = "literal"')
    path.write_text(mode, encoding="utf-8")
    (r,) = run_spec(load_spec(path), Context(proofs_dir=tmp_path / "proofs", timeout=30.0))
    assert r.verdict is Verdict.PROVED, r.message
