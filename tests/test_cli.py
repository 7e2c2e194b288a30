"""The command line in-process: verdicts, exit codes, reports and spec errors (file + key)."""
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest


from .cli_util import run_cli

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "specs" / "parity-revise.toml"

MINIMAL = """
[claim]
name = "coin"
[dlm]
length = 1
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "r0"
[[check]]
kind = "distribution"
target = "uniform"
"""


run = run_cli   # the in-process command line (tests/cli_util.py)


def write(tmp_path, text, name="spec.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_spec_passes_with_reports(tmp_path):
    code, out, err = run(str(GOOD), "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml"),
                         "--proofs", str(tmp_path / "proofs"))
    assert code == 0, out + err
    n = len([line for line in out.splitlines() if line.startswith("PROVED   ")])
    assert n >= 7 and f"{n} checks ({n} PROVED): {n} as expected, 0 unexpected" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["all_as_expected"] and len(doc["results"]) == n
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert suite.get("tests") == str(n) and suite.get("failures") == "0"


def test_unexpected_verdict_exits_1(tmp_path):
    spec = write(tmp_path, MINIMAL.replace('target = "uniform"', 'target = "parity-even"'))
    code, out, _ = run(str(spec))
    assert code == 1
    assert "REFUTED  coin distribution" in out and "UNEXPECTED (expected PROVED)" in out
    assert "replayed on the simulator" in out


def test_expected_refutation_exits_0(tmp_path):
    spec = write(tmp_path, MINIMAL.replace('target = "uniform"', 'target = "parity-even"\nexpect = "REFUTED"'))
    assert run(str(spec))[0] == 0


def test_no_specs_is_an_error(tmp_path):
    code, _, err = run(str(tmp_path))
    assert code == 2 and "no spec files" in err


def test_missing_path_is_an_error(tmp_path):
    code, _, err = run(str(tmp_path / "nope"))
    assert code == 2 and "nope" in err and "Traceback" not in err


def test_bad_flag():
    code, _, err = run("--frobnicate")
    assert code == 2 and "unrecognized arguments" in err


def test_help_documents_exit_codes():
    code, out, _ = run("--help")
    assert code == 0 and "exit codes" in out and "2  usage error" in out


@pytest.mark.parametrize("edit, key, words", [
    (('mode = "plain"', 'mode = "plian"'), "dlm.mode", "expected one of"),
    (('length = 1', 'length = "x"'), "dlm.length", "expected an integer"),
    (('rounds = 1', 'rounds = 1\nround = 2'), "dlm.round", "unknown key"),
    (('value = "r0"', 'value = "r0 +"'), "dlm.predictor[0].value", "syntax error"),
    (('value = "r0"', 'value = "q7"'), "dlm.predictor[0].value", "unknown name 'q7'"),
    (('value = "r0"', 'value = "v3"'), "dlm", "names position 3"),
    (('[[dlm.predictor]]', '[[dlm.predictor]]\nat = "1..2"'), "dlm.predictor[0].at", "outside 0..0"),
    (('kind = "distribution"', 'kind = "distrib"'), "check[0].kind", "expected one of"),
    (('target = "uniform"', 'target = "uniform"\nexpect = "MAYBE"'), "check[0].expect", "expected one of"),
    (('name = "coin"', ''), "claim.name", "is required"),
])
def test_spec_errors_name_file_and_key(tmp_path, edit, key, words):
    text = MINIMAL.replace(*edit)
    assert text != MINIMAL
    spec = write(tmp_path, text)
    before = spec.read_text()
    code, _, err = run(str(spec), "--json", str(tmp_path / "out.json"))
    assert code == 2, err
    assert f"{spec}: key '{key}'" in err and words in err, err
    assert "Traceback" not in err
    assert spec.read_text() == before   # nothing overwritten


def test_toml_syntax_error_names_line(tmp_path):
    spec = write(tmp_path, "[claim]\nname = \"x\"\n[dlm\n")
    code, _, err = run(str(spec))
    assert code == 2 and f"{spec}:3:" in err and "TOML syntax error" in err


def test_one_bad_spec_does_not_hide_the_others(tmp_path):
    shutil.copy(GOOD, tmp_path / "good.toml")
    write(tmp_path, "[claim]\n", "bad.toml")
    code, out, err = run(str(tmp_path), "--proofs", str(tmp_path / "proofs"))
    assert code == 2
    assert out.count("PROVED   parity-revise[n=8] distribution") == 1 and "bad.toml" in err


def test_sample_command():
    code, out, _ = run("sample", str(GOOD), "--instance", "n=4", "--count", "20", "--seed", "3")
    lines = out.splitlines()[1:]
    assert code == 0 and len(lines) == 20
    assert all(len(s) == 4 and s.count("1") % 2 == 0 for s in lines)
    code, out, _ = run("sample", str(GOOD), "--instance", "n=3", "--exact")
    assert out.splitlines()[1:] == ["000  1/4", "011  1/4", "101  1/4", "110  1/4"]
    code, _, err = run("sample", str(GOOD), "--input", "01")
    assert code == 2 and "0 input position(s): --input must have 0 bit(s), got 2" in err


BENCH = ROOT.parent / "shared" / "benchmarks"


def test_circuit_json():
    if not BENCH.is_dir():
        pytest.skip(f"benchmark circuits not found at {BENCH} (a fresh clone without shared/)")
    code, out, _ = run("circuit", str(BENCH / "iscas85" / "c17.bench"), "--json")
    stats = json.loads(out)
    assert code == 0
    assert {k: stats[k] for k in ("inputs", "outputs", "size", "depth", "width")} == \
        {"inputs": 5, "outputs": 2, "size": 6, "depth": 3, "width": 2}


def test_circuit_errors(tmp_path):
    bad = write(tmp_path, "INPUT(a)\nOUTPUT(y)\ny = FOO(a)\n", "bad.bench")
    code, _, err = run("circuit", str(bad))
    assert code == 2 and f"{bad}:3:" in err and "Traceback" not in err
    code, _, err = run("circuit", str(tmp_path / "missing.bench"))
    assert code == 2 and "missing.bench" in err


def test_predictor_from_circuit_file(tmp_path):
    """A spec may give a position circuit as a file whose inputs follow the naming convention."""
    write(tmp_path, "INPUT(r0_0)\nOUTPUT(m)\nOUTPUT(v)\nm = XOR(r0_0, r0_0)\nv = BUFF(r0_0)\n", "coin.bench")
    spec = write(tmp_path, MINIMAL.replace('value = "r0"', 'circuit = "coin.bench"'))
    code, out, err = run(str(spec))
    assert code == 0 and "PROVED   coin distribution" in out, out + err
    write(tmp_path, "INPUT(q)\nOUTPUT(m)\nOUTPUT(v)\nm = XOR(q, q)\nv = BUFF(q)\n", "coin.bench")
    code, out, err = run(str(spec))
    assert code == 2 and "input 'q' is not one a predictor circuit may read" in err


def test_spec_requiring_absent_data_is_skipped_loudly(tmp_path):
    spec = write(tmp_path, MINIMAL.replace('name = "coin"', 'name = "coin"\nrequires = "no-such-data"'))
    write(tmp_path, MINIMAL.replace('name = "coin"', 'name = "coin2"'), "other.toml")
    code, out, _ = run(str(tmp_path))
    assert code == 0 and "SKIPPED  coin" in out and "1 spec file(s) SKIPPED, not checked: coin" in out
    assert "PROVED   coin2 distribution" in out
    code, out, _ = run(str(tmp_path), "--strict")
    assert code == 1
    code, out, _ = run(str(spec))   # nothing left to check is not success
    assert code == 2


def test_list_names_every_check_kind():
    from verify.checks.registry import load_all
    code, out, _ = run("list")
    assert code == 0
    assert all(f"  {name} " in out for name in load_all())


def test_many_rounds_do_not_recurse(tmp_path):
    """The lazy T-round unrolling must not recurse once per round (ar-cot has T = N)."""
    spec = write(tmp_path, MINIMAL.replace("rounds = 1", "rounds = 5000")
                 .replace('target = "uniform"', 'target = "uniform"\n[[check]]\nkind = "termination"'))
    code, out, err = run(str(spec), "--proofs", str(tmp_path / "proofs"))
    assert code == 0 and "PROVED   coin termination" in out, out + err
