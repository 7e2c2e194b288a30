"""Claim sentences are generated from the class (STYLE.md §12, issue 9 item 1)."""
import dataclasses
import io
from pathlib import Path

import pytest

from verify.dlm.model import Mode
from verify.gap.classes import PREDICTOR_MODELS, GapClass
from verify.gap.statement import (StatementError, caption, class_line, engine_lacks_class,
                                  expected_statement, main,
                                  parse_class_line, statement, witness_statement)

ROOT = Path(__file__).resolve().parents[1]
GAP_SPECS = sorted((ROOT / "specs" / "gap").glob("*.toml"))


def test_there_are_gap_specs():
    assert len(GAP_SPECS) >= 70


@pytest.mark.parametrize("path", GAP_SPECS, ids=lambda p: p.stem)
def test_committed_statement_is_the_generated_one(path):
    from verify.specs import load_spec
    why = engine_lacks_class(path)
    if why:
        pytest.skip(why)
    assert load_spec(path).statement == expected_statement(path), (
        f"rewrite with: python -m verify.gap.statement {path.relative_to(ROOT)}")


def test_check_mode_reports_a_hand_edited_statement(tmp_path):
    src = ROOT / "specs" / "gap" / "plain-exact-n5-T2-k3.toml"
    path = tmp_path / src.name
    text = src.read_text(encoding="utf-8")
    path.write_text(text.replace('statement = "no plain', 'statement = "no DLM at all, plain'),
                    encoding="utf-8")
    out = io.StringIO()
    assert main(["--check", str(path)], out, io.StringIO()) == 1
    assert "differs" in out.getvalue()
    assert main([str(path)], io.StringIO(), io.StringIO()) == 0
    assert path.read_text(encoding="utf-8") == text
    assert main(["--check", str(path)], io.StringIO(), io.StringIO()) == 0


def test_bad_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('[claim]\nname = "x"\nstatement = "s"\n[dlm]\nlength = 1\nrounds = 1\n'
                    'mode = "plain"\noutputs = "all"\n[[dlm.predictor]]\nat = 0\nvalue = "0"\n'
                    '[[check]]\nkind = "encoding"\n', encoding="utf-8")
    err = io.StringIO()
    assert main([str(path)], io.StringIO(), err) == 2
    assert str(path) in err.getvalue() and "gap class" in err.getvalue()


def _classes():
    out = []
    for mode in Mode:
        for model in PREDICTOR_MODELS:
            out.append(GapClass(4, 2, mode, "support", 2, predictor_model=model))
            out.append(GapClass(4, 3, mode, "exact", 1, predictor_model=model))
        out.append(GapClass(5, 2, mode, "exact", 3, rho=2))
        out.append(GapClass(4, 2, mode, "exact", bound="template", size=3))
    return out


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.key())
def test_statement_names_every_field_of_the_class(cls):
    for claim in ("exists", "none"):
        s = statement(cls, claim)
        assert s.startswith("a " if claim == "exists" else "no ")
        assert f"L = {cls.n}" in s and f"in {cls.rounds} rounds" in s
        assert "decoder rule enforce" in s
        assert ("D⊕" in s) == (cls.semantics == "exact")
        if cls.semantics == "exact":
            assert f"{cls.rho} private random bit" in s
        assert ("F_i reads" in s) == cls.has_strategy
        assert ("a or b only" in s) if cls.predictor_model.startswith("ab+") else "a, b or M" in s
        assert ("G_i" in s) == cls.mode.allows_remask
        if cls.mode.allows_remask:
            assert "committed tokens z" in s and "not x" in s
        if cls.template:
            assert f"at most {cls.size} terms" in s
        else:
            assert f"locality {cls.locality}:" in s
    assert witness_statement(cls).startswith("this ")
    assert caption(cls)


def test_statements_of_different_classes_differ():
    seen = {}
    for cls in _classes():
        s = statement(cls, "none")
        assert s not in seen, (cls, seen.get(s))
        seen[s] = cls


def test_fields_of_other_engines_plug_in():
    """rule, remask_reads and the 'full' predictor model are described when a class has them."""
    @dataclasses.dataclass(frozen=True)
    class Full:
        n: int = 5
        rounds: int = 2
        mode: Mode = Mode.REMASK
        semantics: str = "exact"
        locality: int = 2
        rho: int = 1
        predictor_model: str = "full"
        bound: str = "locality"
        size: int = 0
        rule: str = "literal"
        remask_reads: str = "xz"

    s = statement(Full(), "exists")
    assert "P_i outputs a, b or M" in s and "F_i reads the state x and the sampled predictions y" in s
    assert "P_i, F_i and G_i read at most 2 positions" in s
    assert "G_i reads the state x and the committed tokens z" in s
    assert "rule literal" in s and "enforce" not in s
    assert "G(x, z on S_i)" in caption(Full()) and "rule literal" in caption(Full())
    with pytest.raises(StatementError):
        statement(dataclasses.replace(Full(), remask_reads="y"), "none")
    with pytest.raises(StatementError):
        statement(dataclasses.replace(Full(), rule="lenient"), "none")


def test_class_line_round_trips():
    for cls in _classes():
        assert parse_class_line(class_line(cls)) == cls
    with pytest.raises(StatementError):
        parse_class_line("# gap class: n=4 colour=red")


# --- what an exact "none" rests on (issue 9 item 6) ----------------------------------------

def test_none_verdict_and_manifest_say_what_they_rest_on(tmp_path):
    import json

    from verify.checks.registry import Context
    from verify.gap.check import decide
    cls = GapClass(3, 2, Mode.PLAIN, "exact", 1)
    got = decide(cls, Context(proofs_dir=tmp_path, timeout=60))
    assert got["fact"] == "none"
    assert "rests on the DRAT certificate alone" in got["message"]
    manifest = json.loads(next((tmp_path / "gap").glob("*.json")).read_text())
    assert manifest["meta"]["claim"] == statement(cls, "none")
    assert manifest["meta"]["rests_on"].startswith("the DRAT certificate alone")
    assert manifest["meta"]["blocked_candidates"] == 0


def test_none_verdict_counts_blocking_clauses(monkeypatch, tmp_path):
    from verify.checks.registry import Context
    from verify.gap import check, search
    cls = GapClass(3, 2, Mode.PLAIN, "exact", 1)
    fake = search.Result(cls, "UNSAT", clauses=10, certified=True, blocked=795,
                         certificates=["x.cnf"], method="cegar")
    monkeypatch.setattr(search, "solve_class", lambda *a, **k: fake)
    got = check.decide(cls, Context(proofs_dir=tmp_path, timeout=60))
    assert got["fact"] == "none"
    assert "plus 795 blocking clauses from the engine's exact evaluator" in got["message"]
    assert "not re-checked by the trusted checker" in got["message"]


# --- generated regions of the README and docs/gap.md ----------------------------------------

def test_generated_doc_regions_are_current():
    from verify.gap.docs import render_all
    assert render_all(ROOT, write=False) == [], "re-render with: python -m verify.gap.statement --docs"


def test_doc_renderer_sees_a_stale_region(tmp_path):
    import shutil

    from verify.gap.docs import render_all
    for rel in ("README.md", "docs/gap.md", "docs/gap-tables.toml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    shutil.copytree(ROOT / "specs" / "gap", tmp_path / "specs" / "gap")
    readme = tmp_path / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace("| plain | exact | 2 | 2 | 3 | 4 |", "| plain | exact | 2 | 2 | 3 | 3 |"),
                      encoding="utf-8")
    assert render_all(tmp_path, write=False) == ["README.md"]
    assert render_all(tmp_path) == ["README.md"]
    assert readme.read_text(encoding="utf-8") == text
    # a claim whose class changes changes the claims table of docs/gap.md
    spec = tmp_path / "specs" / "gap" / "plain-exact-n5-T2-k3.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('predictor_model = "self-unmask"',
                                                             'predictor_model = "ab+F"'), encoding="utf-8")
    assert render_all(tmp_path, write=False) == ["docs/gap.md"]


def test_docs_mode_bad_table_is_an_error(tmp_path):
    import shutil
    for rel in ("README.md", "docs/gap.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    shutil.copytree(ROOT / "specs" / "gap", tmp_path / "specs" / "gap")
    (tmp_path / "docs" / "gap-tables.toml").write_text(
        '[[table]]\nid = "gap-table-self-unmask"\nns = [3]\n'
        'row = [{ mode = "plain", semantics = "exact", rounds = 2, cells = ["2", "3"] }]\n',
        encoding="utf-8")
    err = io.StringIO()
    assert main(["--docs", str(tmp_path)], io.StringIO(), err) == 2
    assert "gap-tables.toml" in err.getvalue() and "cells" in err.getvalue()


@pytest.mark.parametrize("cls", [GapClass(3, 2, Mode.PLAIN, "support", 2),
                                 GapClass(3, 2, Mode.REMASK, "exact", bound="template", size=2),
                                 GapClass(3, 2, Mode.REVISE, "exact", 1, predictor_model="ab+F")],
                         ids=lambda c: c.key())
def test_engine_witness_spec_carries_the_generated_statement(cls, tmp_path):
    from verify.gap.search import solve_class
    from verify.gap.witness import write_spec
    from verify.specs import load_spec
    res = solve_class(cls, timeout=60)
    assert res.status == "SAT"
    path = write_spec(res.witness, tmp_path / "w.toml", "w")
    assert load_spec(path).statement == witness_statement(cls) == expected_statement(path)
