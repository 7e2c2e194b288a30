"""Messages a newcomer meets (issue 12, items 4 and 7): typos named with the closest valid key,
table targets validated at load, one exit-code convention, per-command help, and the live
status line of ``run`` and ``check``."""
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verify.cli import COMMANDS, main

from .cli_util import run_cli

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
[claim]
name = "coin2"
[dlm]
length = 2
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "m{i} & r0 | ~m{i} & v{i}"
[[check]]
kind = "distribution"
target = "uniform"
"""


run = run_cli   # the in-process command line (tests/cli_util.py)


def spec_error(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    code, out, err = run(str(path), "--proofs", str(tmp_path / "p"))
    assert code == 2 and "Traceback" not in err, out + err
    return err.splitlines()[0]


@pytest.mark.parametrize("old, new, key, suggestion", [
    ("rounds = 1", "round = 1", "dlm.round", "rounds"),                       # required key misspelt
    ('outputs = "all"', 'outputs = "all"\nrandom_bit = 1', "dlm.random_bit", "random_bits"),
    ('target = "uniform"', 'target = "uniform"\nmethd = "exact"', "check[0].methd", "method"),
    ('kind = "distribution"\ntarget = "uniform"', 'kind = "resources"\nmax_round = 3', "check[0].max_round",
     "max_rounds"),                                                            # a key never read
    ('value = "m{i}', 'vaule = "m{i}', "dlm.predictor[0].vaule", "value"),
])
def test_misspelt_key_is_named_with_the_closest_valid_one(tmp_path, old, new, key, suggestion):
    assert old in SPEC
    line = spec_error(tmp_path, SPEC.replace(old, new))
    assert f"key '{key}'" in line and f"did you mean `{suggestion}`?" in line


def test_misspelt_subject_table(tmp_path):
    line = spec_error(tmp_path, SPEC.replace("[dlm]", "[dml]").replace("[[dlm.predictor]]", "[[dml.predictor]]"))
    assert "[dml]: did you mean [dlm]?" in line


@pytest.mark.parametrize("table, message", [
    ('"aa" = "1"', "'aa' is not an outcome"),
    ('"1c" = "1"', "'1c' is not an outcome"),
    ('"1" = "1"', "outcome '1' has 1 token(s), the DLM has 2 output position(s)"),
    ('"01" = "1/2"\n"110" = "1/2"', "outcome '110' has 3 tokens, '01' has 2"),
])
def test_table_target_keys_are_validated_at_load(tmp_path, table, message):
    text = SPEC.replace('target = "uniform"', f'target = "table"\n[check.table]\n{table}')
    line = spec_error(tmp_path, text)
    assert message in line and "check[0].table." in line


def test_a_valid_table_target_runs(tmp_path):
    text = SPEC.replace('target = "uniform"', 'target = "table"\n[check.table]\n"00" = "1/2"\n"11" = "1/2"')
    (tmp_path / "s.toml").write_text(text)
    code, out, _ = run(str(tmp_path / "s.toml"))
    assert code == 1 and "REFUTED  coin2 distribution" in out        # a real verdict, not a spec error


def test_gap_flags():
    code, _, err = run("gap", "--n", "5..3")
    assert code == 2 and "'5..3' is an empty range (write 3..5)" in err
    code, _, err = run("gap", "--n", "x")
    assert code == 2 and "--n x" in err
    code, _, err = run("gap", "--semantics", "nonsense")
    assert code == 2 and "both" in err


def test_gap_semantics_both_means_support_and_exact(tmp_path):
    code, out, err = run("gap", "--n", "2", "--rounds", "1", "--mode", "revise", "--semantics", "both",
                         "--proofs", str(tmp_path))
    rows = [line.split()[0] for line in out.splitlines()[1:]]
    assert rows == ["support", "exact"], out + err


def test_check_and_the_checker_agree_on_garbage(tmp_path):
    """A stored certificate whose CNF (hashes matching) is not DIMACS is bad input for both
    ``check`` and ``verify.checker`` (exit 2); a garbage manifest inside a folder is a REJECTED
    certificate of the store (exit 1), the same garbage given directly as PATH is bad input."""
    import hashlib
    import json
    from verify.certify import certify_unsat
    from verify.encode.cnf_families import pigeonhole
    cert = certify_unsat(*pigeonhole(3, 2), directory=tmp_path, stem="g", meta={}, timeout=30)
    assert cert.proved
    cert.cnf_path.write_text("p cnf 2 1\n1 x 0\n")
    manifest = json.loads(cert.manifest_path.read_text())
    manifest["cnf"].update(sha256=hashlib.sha256(cert.cnf_path.read_bytes()).hexdigest(), vars=2, clauses=1)
    cert.manifest_path.write_text(json.dumps(manifest))
    checker = subprocess.run([sys.executable, "-m", "verify.checker", str(cert.cnf_path), str(cert.proof_path)],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    code, out, _ = run("check", str(tmp_path))
    assert checker.returncode == code == 2
    assert out.startswith("MALFORMED ")
    cert.manifest_path.write_text("{ not json")
    code, out, _ = run("check", str(tmp_path))
    assert code == 1 and out.startswith("REJECTED ")
    code, out, _ = run("check", str(cert.manifest_path))
    assert code == 2 and out.startswith("MALFORMED ")


def test_sample_without_input_names_the_input_positions(tmp_path):
    text = SPEC.replace('outputs = "all"', 'inputs = "0"\noutputs = "1"')
    (tmp_path / "s.toml").write_text(text)
    code, _, err = run("sample", str(tmp_path / "s.toml"))
    assert code == 2 and "1 input position(s) (0): --input must have 1 bit(s), got 0 (no --input given)" in err
    assert run("sample", str(tmp_path / "s.toml"), "--input", "1", "--count", "2")[0] == 0


def test_unknown_command_is_not_a_missing_file():
    code, _, err = run("chek")
    assert code == 2 and "unknown command 'chek': did you mean `check`?" in err
    code, _, err = run("nosuchthing.toml")          # a path: reported as a missing file
    assert code == 2 and "no such file or directory" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_help_gives_its_own_exit_codes(command):
    code, out, _ = run(command, "--help")
    assert code == 0
    codes = out.split("exit codes:")[1]
    assert "  0  " in codes and "  2  " in codes
    if command in ("run",):
        assert "expected verdict" in codes
    else:
        assert "expected verdict" not in codes, command      # nothing there is an expected verdict


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_status_line_shows_elapsed_time_and_phase():
    from verify.phase import set_phase
    from verify.report import Progress
    stream = FakeTerminal()
    with Progress(stream, 3, every=0.05) as progress:
        progress.start("spec[n=2]", "mode")
        set_phase("solving")
        time.sleep(0.3)
        assert progress.line().startswith("[1/3] spec[n=2] mode  0s  solving")
        set_phase(None)
    assert "\r\x1b[K[1/3] spec[n=2] mode  0s  solving" in stream.getvalue()
    assert Progress(io.StringIO(), 1).active is False          # silent when not a terminal


def test_check_streams_one_line_per_certificate(tmp_path, monkeypatch):
    """The first line is written before the second certificate is checked."""
    assert run(str(ROOT / "specs" / "parity-remask.toml"), "--proofs", str(tmp_path))[0] == 0
    import verify.certify as certify
    checked = []
    real = certify.run_checker

    def counting(*args, **kwargs):
        checked.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(certify, "run_checker", counting)

    class Recorder(io.StringIO):
        seen: list = []

        def write(self, text):
            if text.strip():
                self.seen.append((text.split()[0], len(checked)))
            return super().write(text)
    out = Recorder()
    assert main(["check", str(tmp_path)], out, io.StringIO()) == 0
    lines = [s for s in Recorder.seen if s[0] == "VERIFIED"]
    assert len(lines) >= 2 and [n for _, n in lines] == list(range(1, len(lines) + 1))
