"""JSON and JUnit reports tell what the exit code tells (issue 12, item 3), read by a real JUnit
consumer (``junitparser``); spec paths are relative to the spec tree's root, and certificates
go to ``<root>/proofs`` by default wherever the command runs from."""
import json
from pathlib import Path

import pytest

junitparser = pytest.importorskip("junitparser")

from verify.cli import main  # noqa: E402

from .cli_util import run_cli

COIN = """
[claim]
name = "{name}"
{extra}
[dlm]
length = 1
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "m0 & r0 | ~m0 & v0"
[[check]]
kind = "distribution"
target = "{target}"
[[check]]
kind = "mode"
[[check]]
kind = "distribution"
target = "uniform"
method = "brute-force"
"""


def coin(name="coin", target="uniform", extra=""):
    return COIN.format(name=name, target=target, extra=extra)


run = run_cli   # the in-process command line (tests/cli_util.py)


def tree(tmp_path, specs: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in specs.items():
        path = root / "specs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def reports(tmp_path, *argv):
    js, xml = tmp_path / "r.json", tmp_path / "r.xml"
    code, out, err = run(*argv, "--json", str(js), "--junit", str(xml))
    return code, json.loads(js.read_text()), junitparser.JUnitXml.fromfile(str(xml)), out + err


def junit_counts(xml) -> dict[str, int]:
    """Counts from the test cases themselves, as a consumer computes them."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in xml:
        for case in suite:
            counts["tests"] += 1
            for r in case.result:
                key = {"Failure": "failures", "Error": "errors", "Skipped": "skipped"}[type(r).__name__]
                counts[key] += 1
    return counts


def agrees(code, doc, xml):
    """Exit code, JSON and JUnit say the same thing."""
    counts = junit_counts(xml)
    [suite] = list(xml)
    assert {k: int(getattr(suite, k)) for k in counts} == counts       # attributes match the cases
    assert doc["exit_code"] == code
    assert doc["all_as_expected"] == (code == 0)
    assert (counts["failures"] + counts["errors"] == 0) == (code == 0)


@pytest.mark.parametrize("strict", [False, True])
def test_skipped_spec_is_a_test_case_and_fails_under_strict(tmp_path, strict):
    root = tree(tmp_path, {"a.toml": coin(), "b.toml": coin("needs-data", extra='requires = "nothing-here"')})
    code, doc, xml, text = reports(tmp_path, str(root / "specs"), "--proofs", str(tmp_path / "p"),
                                   *(["--strict"] if strict else []))
    assert code == (1 if strict else 0), text
    agrees(code, doc, xml)
    assert doc["skipped"] == 1 and doc["skipped_specs"][0]["source"] == "specs/b.toml"
    counts = junit_counts(xml)
    assert counts["tests"] == 4
    assert counts == {"tests": 4, "failures": 1 if strict else 0, "errors": 0, "skipped": 0 if strict else 1}
    [skip_case] = [c for c in list(xml)[0] if c.classname == "needs-data"]
    assert "nothing-here" in (skip_case.result[0].message or "")


def test_unique_ids_relative_sources_and_replay_in_failure_body(tmp_path):
    root = tree(tmp_path, {"sub/c.toml": coin(target="parity-even")})     # distribution #1 fails
    code, doc, xml, text = reports(tmp_path, str(root / "specs"), "--proofs", str(tmp_path / "p"))
    assert code == 1
    agrees(code, doc, xml)
    cases = list(list(xml)[0])
    assert [c.name for c in cases] == ["distribution#1", "mode", "distribution#2"]
    assert len({(c.classname, c.name) for c in cases}) == len(cases)
    assert [r["id"] for r in doc["results"]] == ["distribution#1", "mode", "distribution#2"]
    assert {c._elem.get("file") for c in cases} == {"specs/sub/c.toml"}
    assert {r["source"] for r in doc["results"]} == {"specs/sub/c.toml"}
    [failure] = cases[0].result
    assert type(failure).__name__ == "Failure"
    body = failure.text
    assert body.startswith("REFUTED (expected PROVED)") and "replayed on the simulator" in body
    assert "round 1:" in body and not body.lstrip().startswith("{")
    assert "distribution#1  " in text       # the status line names the same id


def test_load_error_is_an_error_case_and_exit_2(tmp_path):
    root = tree(tmp_path, {"a.toml": coin(), "bad.toml": coin().replace("rounds = 1", "round = 1")})
    code, doc, xml, _ = reports(tmp_path, str(root / "specs"), "--proofs", str(tmp_path / "p"))
    assert code == 2
    agrees(code, doc, xml)
    assert junit_counts(xml)["errors"] == 1 and doc["load_errors"] == 1


def test_default_proofs_resolve_against_the_spec_tree(tmp_path, monkeypatch):
    root = tree(tmp_path, {"a.toml": coin()})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = run(str(root / "specs" / "a.toml"))
    assert code == 0, out + err
    assert list((root / "proofs").glob("*.json")) and not (elsewhere / "proofs").exists()


def test_check_streams_and_writes_reports(tmp_path):
    root = tree(tmp_path, {"a.toml": coin()})
    assert run(str(root / "specs"))[0] == 0
    manifests = sorted((root / "proofs").glob("*.json"))
    assert manifests
    code, doc, xml, text = reports(tmp_path, "check", str(root / "proofs"))
    assert code == 0 and text.splitlines()[0] == f"VERIFIED {manifests[0]}"
    agrees(code, doc, xml)
    assert junit_counts(xml)["tests"] == len(manifests) == doc["checks"]
    proof = manifests[0].parent / json.loads(manifests[0].read_text())["proof"]["file"]
    proof.write_text("garbage\n")
    code, doc, xml, text = reports(tmp_path, "check", str(root / "proofs"))
    assert code == 1 and "REJECTED" in text       # hash mismatch
    agrees(code, doc, xml)
