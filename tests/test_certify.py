"""Solving front end, certificate writing and re-checking, and ``python -m verify check``."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

import verify.certify as certify
from verify.certify import (CERTIFICATE_KIND, CertStatus, RecheckStatus, certify_unsat,
                            command_check, recheck)
from verify.checker import check_certificate
from verify.encode.cnf_families import pigeonhole
from verify.encode.sat import SatOutcome, SatStatus, check_model, solve

META = {"spec": "php", "check": "unsat", "pigeons": 5, "holes": 4}


def make(tmp_path: Path, stem="php54", size=(5, 4), fmt=None, solver="cadical195") -> certify.Certificate:
    clauses, nv = pigeonhole(*size)
    return certify_unsat(clauses, nv, directory=tmp_path, stem=stem, meta=META, timeout=30,
                         solver=solver, proof_format=fmt)


FORMATS = [pytest.param(("lrat", "cadical195"), id="lrat"),
           pytest.param(("drat", "cadical153"), id="drat")]
EXT = {"lrat": ".lrat", "drat": ".drat"}


def run_check(argv):
    out, err = io.StringIO(), io.StringIO()
    code = command_check(argv, out, err)
    return code, out.getvalue(), err.getvalue()


# ---- solve -------------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", ["cadical153", "glucose4"])
def test_solve_timeout_is_unknown_never_unsat(solver):
    clauses, nv = pigeonhole(10, 9)
    out = solve(clauses, nv, timeout=0.05, proof=True, solver=solver)
    assert out.status is SatStatus.UNKNOWN and out.proof is None and out.note == "timeout"
    assert out.seconds < 5


@pytest.mark.parametrize("solver", ["cadical153", "cadical195", "glucose4"])
def test_solve_statuses(solver):
    clauses, nv = pigeonhole(4, 3)
    unsat = solve(clauses, nv, timeout=10, proof=True, solver=solver)
    assert unsat.status is SatStatus.UNSAT and unsat.proof and unsat.model is None
    assert unsat.solver == solver and unsat.pysat_version
    sat_clauses, nv = pigeonhole(3, 3)
    sat = solve(sat_clauses, nv + 2, timeout=10, proof=True, solver=solver)
    assert sat.status is SatStatus.SAT and sat.proof is None
    assert len(sat.model) == nv + 2 and check_model(sat_clauses, sat.model) == -1


def test_solve_assumptions():
    clauses = [[1, 2], [-1, 2]]
    assert solve(clauses, 2, timeout=None, proof=False, assumptions=[-2]).status is SatStatus.UNSAT
    assert solve(clauses, 2, timeout=5, proof=False, assumptions=[2],
                 solver="glucose4").status is SatStatus.SAT
    with pytest.raises(ValueError):
        solve(clauses, 2, timeout=None, proof=True, assumptions=[-2])


# ---- certify_unsat -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt_solver", FORMATS)
def test_certify_unsat_writes_checked_certificate(tmp_path, fmt_solver):
    fmt, solver = fmt_solver
    cert = make(tmp_path, fmt=fmt, solver=solver)
    assert cert.status is CertStatus.UNSAT_VERIFIED and cert.proved
    assert [Path(p).name for p in cert.paths] == ["php54.cnf", "php54" + EXT[fmt], "php54.json"]
    manifest = json.loads(cert.manifest_path.read_text())
    assert manifest["certificate"] == CERTIFICATE_KIND
    assert manifest["claim"] == {"spec": None, "name": "php", "check": "unsat", "index": None,
                                 "obligation": "php54"}
    assert manifest["meta"] == {"pigeons": 5, "holes": 4}
    assert "created" not in manifest and set(manifest["solver"]) == {"name"}   # nothing volatile
    assert manifest["cnf"]["sha256"] == hashlib.sha256(cert.cnf_path.read_bytes()).hexdigest()
    assert manifest["proof"]["sha256"] == hashlib.sha256(cert.proof_path.read_bytes()).hexdigest()
    assert (manifest["cnf"]["vars"], manifest["cnf"]["clauses"]) == (20, 45)
    assert manifest["proof"]["lemmas"] == cert.lemmas > 0
    assert manifest["proof"]["bytes"] == cert.proof_path.stat().st_size
    assert manifest["solver"]["name"] == solver and manifest["checker"]["verdict"] == "VERIFIED"
    assert manifest["proof"]["format"] == fmt + "-text"
    assert check_certificate(cert.cnf_path, cert.proof_path).verified   # outside re-check
    [(path, status, reason)] = recheck([tmp_path])
    assert (path, status) == (cert.manifest_path, RecheckStatus.VERIFIED)
    assert reason.startswith("empty clause derived at ")
    if fmt == "lrat":      # the stored proof is the trimmed one, no larger than the solver's
        assert manifest["proof"]["trimmed"] is True
        assert manifest["proof"]["text_bytes"] <= manifest["proof"]["solver_text_bytes"]
    assert list(tmp_path.glob(".*")) == []              # no temporary file left behind


def test_certify_sat_and_unknown_write_nothing(tmp_path):
    clauses, nv = pigeonhole(4, 4)
    cert = certify_unsat(clauses, nv, directory=tmp_path, stem="sat", meta=META, timeout=10)
    assert cert.status is CertStatus.SAT and not cert.proved
    assert check_model(clauses, cert.model) == -1
    clauses, nv = pigeonhole(10, 9)
    cert = certify_unsat(clauses, nv, directory=tmp_path, stem="hard", meta=META, timeout=0.05)
    assert cert.status is CertStatus.UNKNOWN and not cert.proved and cert.reason == "timeout"
    assert list(tmp_path.iterdir()) == []



def test_certify_check_is_bounded_by_the_timeout(tmp_path, monkeypatch):
    """The trusted check gets what the solve left of the timeout: a check that would run past it
    is stopped, UNKNOWN (never proved), and the unchecked files are removed."""
    import time

    def slow_check(cnf_path, proof_path, *args):
        time.sleep(30)
        return certify.CheckerRun(True, "would be accepted", 30.0, 1)
    monkeypatch.setattr(certify, "_check_in_process", slow_check)
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "in-process")
    clauses, nv = pigeonhole(5, 4)
    t0 = time.monotonic()
    cert = certify_unsat(clauses, nv, directory=tmp_path, stem="slow", meta=META, timeout=1.0)
    assert time.monotonic() - t0 < 2.5
    assert cert.status is CertStatus.UNKNOWN and not cert.proved
    assert cert.reason == "timeout (checking)" and cert.paths == []
    assert list(tmp_path.iterdir()) == []


def test_certify_check_in_another_interpreter_is_bounded_too(tmp_path, monkeypatch):
    import time
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", str(slow))
    clauses, nv = pigeonhole(5, 4)
    t0 = time.monotonic()
    out = tmp_path / "out"
    cert = certify_unsat(clauses, nv, directory=out, stem="slow", meta=META, timeout=1.0)
    assert time.monotonic() - t0 < 2.5
    assert cert.status is CertStatus.UNKNOWN and cert.reason == "timeout (checking)"
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("solver", ["cadical153", "glucose4"])
def test_solve_until_stops_at_the_deadline_and_keeps_the_solver(solver):
    """One in-process call on an open solver: None at the deadline (a conflict-budget slice for
    CaDiCaL, interrupt() for Glucose), and the same solver then answers an easy query."""
    import time
    from pysat.solvers import Solver
    from verify.encode.sat import solve_until
    clauses, nv = pigeonhole(10, 9)
    with Solver(name=solver, bootstrap_with=clauses) as s:
        t0 = time.monotonic()
        assert solve_until(s, solver, t0 + 0.3) is None
        assert time.monotonic() - t0 < 1.5
        s.add_clause([-1])
        assert solve_until(s, solver, time.monotonic() + 30, assumptions=[1]) is False

@pytest.mark.parametrize("fmt_solver", FORMATS)
def test_checker_rejection_is_not_proved(tmp_path, monkeypatch, fmt_solver):
    """A solver that says UNSAT with a bogus proof: UNSAT-REJECTED, never proved."""
    fmt, solver = fmt_solver
    clauses, nv = pigeonhole(4, 4)                       # satisfiable
    m = len(clauses)

    def lying_solve(clauses, num_vars, **kw):
        if kw["proof_format"] == "lrat":
            Path(kw["proof_path"]).write_text(f"{m + 1} 1 0 0\n{m + 2} 0 {m + 1} 0\n")
            return SatOutcome(SatStatus.UNSAT, None, None, "liar", "0", 0.0, "", kw["proof_path"])
        return SatOutcome(SatStatus.UNSAT, None, ["1 0", "0"], "liar", "0", 0.0)
    monkeypatch.setattr(certify, "solve", lying_solve)
    cert = certify_unsat(clauses, nv, directory=tmp_path, stem="lie", meta=META, timeout=1,
                         solver=solver, proof_format=fmt)
    assert cert.status is CertStatus.UNSAT_REJECTED and not cert.proved
    assert "lemma" in cert.reason
    assert cert.paths == [] and list(tmp_path.iterdir()) == []      # a rejected certificate is not stored


def test_bad_stem(tmp_path):
    with pytest.raises(ValueError):
        certify_unsat([[1]], 1, directory=tmp_path, stem="../x", meta={}, timeout=1)


# ---- recheck: edits after the fact -------------------------------------------------------------

def test_recheck_rejects_edited_cnf_by_hash(tmp_path):
    cert = make(tmp_path)
    text = cert.cnf_path.read_text().splitlines()
    cert.cnf_path.write_text("\n".join(text[:1] + text[2:]).replace("20 45", "20 44") + "\n")
    [(path, status, reason)] = recheck([cert.manifest_path])
    assert status is RecheckStatus.REJECTED and reason.startswith("hash mismatch for ")
    assert "php54.cnf" in reason


def test_recheck_rejects_edited_proof_by_hash(tmp_path):
    cert = make(tmp_path)
    with open(cert.proof_path, "a") as f:
        f.write("c harmless?\n")
    [(_, status, reason)] = recheck([tmp_path])
    assert status is RecheckStatus.REJECTED and "hash mismatch" in reason and "php54.lrat" in reason


def rehash(manifest_path: Path, **counts):
    m = json.loads(manifest_path.read_text())
    for part in ("cnf", "proof"):
        f = manifest_path.parent / m[part]["file"]
        m[part]["sha256"] = hashlib.sha256(f.read_bytes()).hexdigest()
    m["cnf"].update(counts)
    manifest_path.write_text(json.dumps(m))


def test_recheck_rejects_edited_cnf_with_recomputed_hashes(tmp_path):
    """Hashes recomputed to match the edit: the checker itself must refuse (formula now SAT)."""
    cert = make(tmp_path)
    lines = cert.cnf_path.read_text().splitlines()
    cert.cnf_path.write_text("\n".join(["p cnf 20 44"] + lines[2:]) + "\n")   # drop pigeon 1's clause
    rehash(cert.manifest_path, clauses=44)
    [(_, status, reason)] = recheck([tmp_path])
    assert status is RecheckStatus.REJECTED and reason.startswith("checker: "), reason


def test_recheck_rejects_proof_for_another_cnf(tmp_path):
    cert = make(tmp_path)
    other = make(tmp_path / "other", stem="php43", size=(4, 3))
    cert.proof_path.write_bytes(other.proof_path.read_bytes())
    rehash(cert.manifest_path)
    [(_, status, reason)] = recheck([cert.manifest_path])
    assert status is RecheckStatus.REJECTED and reason.startswith("checker: ")


def test_recheck_rejects_count_mismatch_and_malformed(tmp_path):
    cert = make(tmp_path)
    rehash(cert.manifest_path, vars=21)
    assert recheck([tmp_path])[0][1] is RecheckStatus.REJECTED
    cert.cnf_path.write_text("p cnf 20 1\n1 x 0\n")
    rehash(cert.manifest_path, vars=20)
    [(_, status, reason)] = recheck([tmp_path])
    assert status is RecheckStatus.REJECTED and "php54.cnf:line 2:" in reason


# ---- python -m verify check --------------------------------------------------------------------

def test_command_check_all_verified(tmp_path):
    a = make(tmp_path / "proofs", stem="a")
    b = make(tmp_path / "proofs" / "sub", stem="b", size=(4, 3))
    code, out, err = run_check([str(tmp_path / "proofs")])
    assert (code, err) == (0, "")
    assert out == (f"VERIFIED {a.manifest_path}\nVERIFIED {b.manifest_path}\n"
                   "2 certificates: 2 verified, 0 rejected\n")
    # a JSON file that is not a manifest of the store is rejected, never skipped
    (tmp_path / "proofs" / "notes.json").write_text('{"not": "a certificate"}')
    code, out, err = run_check([str(tmp_path / "proofs")])
    assert code == 1 and "REJECTED" in out and "notes.json: manifest: foreign manifest" in out


def test_command_check_default_dir_and_rejection(tmp_path, monkeypatch):
    a = make(tmp_path / "proofs", stem="a")
    b = make(tmp_path / "proofs", stem="b", size=(4, 3))
    b.proof_path.write_text("0\n")
    (tmp_path / "proofs" / "broken.json").write_text("{")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_check([])
    lines = out.splitlines()
    assert code == 1 and err == ""
    assert lines[0] == f"VERIFIED {Path('proofs/a.json')}"
    assert lines[1].startswith(f"REJECTED {Path('proofs/b.json')}: hash mismatch for ")
    assert lines[2].startswith(f"REJECTED {Path('proofs/broken.json')}: manifest: not JSON")
    assert lines[3] == "3 certificates: 1 verified, 2 rejected"


def test_command_check_usage_errors(tmp_path):
    assert run_check([str(tmp_path)])[0] == 2                 # nothing found is not success
    code, out, err = run_check([str(tmp_path / "missing")])
    assert code == 2 and "no such file or directory" in err and out == ""
    assert run_check(["--bogus"])[0] == 2
    code, out, _ = run_check(["--help"])
    assert code == 0 and "exit codes" in out


# ---- the checker run by another interpreter (pypy3 when present) ------------------------------

def _interpreters():
    import shutil
    import sys
    found = [pytest.param(sys.executable, id="subprocess-cpython")]
    pypy = shutil.which("pypy3")
    found.append(pytest.param(pypy, id="pypy3", marks=pytest.mark.skipif(
        pypy is None, reason="pypy3 is not installed (optional checker accelerator)")))
    return found


@pytest.mark.parametrize("interp", _interpreters())
def test_checker_in_subprocess_accepts_and_rejects(tmp_path, monkeypatch, interp):
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", interp)
    cert = make(tmp_path)
    assert cert.proved and cert.details["checker_interpreter"] == interp
    manifest = json.loads(cert.manifest_path.read_text())
    assert manifest["checker"]["reason"].startswith("empty clause derived at ")
    run = certify.run_checker(cert.cnf_path, cert.proof_path)
    assert run.verified and run.lemmas_checked > 0 and run.interpreter == interp
    # a proof with its last lemmas cut off no longer derives the empty clause
    lines = cert.proof_path.read_text().splitlines()
    adds = [i for i, l in enumerate(lines) if " d " not in l]
    cert.proof_path.write_text("\n".join(lines[:adds[len(adds) // 2]]) + "\n")
    run = certify.run_checker(cert.cnf_path, cert.proof_path)
    assert not run.verified and run.reason
    cert.cnf_path.write_text("p cnf 2 1\n1 x 0\n")
    with pytest.raises(RuntimeError, match="line 2"):
        certify.run_checker(cert.cnf_path, cert.proof_path)


def test_checker_sources_parse_as_python_3_9():
    """pypy3 (Debian: Python 3.9) runs the same checker files, so they use no newer syntax."""
    import ast
    for path in sorted((Path(certify.__file__).parent / "checker").glob("*.py")):
        ast.parse(path.read_text(), filename=str(path), feature_version=(3, 9))


def test_checker_interpreter_choice(monkeypatch):
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "in-process")
    assert certify.checker_interpreter() is None
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "/opt/some/python")
    assert certify.checker_interpreter() == "/opt/some/python"


# ---- large certificates are stored gzip-compressed ---------------------------------------------

@pytest.mark.parametrize("interp", ["in-process", "subprocess"])
def test_gzip_certificates_written_checked_and_rechecked(tmp_path, monkeypatch, interp):
    import gzip
    import sys
    monkeypatch.setattr(certify, "GZIP_MIN_BYTES", 0)
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "in-process" if interp == "in-process" else sys.executable)
    cert = make(tmp_path)
    assert cert.proved
    assert [Path(p).name for p in cert.paths] == ["php54.cnf.gz", "php54.lrat.gz", "php54.json"]
    assert gzip.decompress(cert.cnf_path.read_bytes()).startswith(b"p cnf 20 45")
    assert check_certificate(cert.cnf_path, cert.proof_path).verified
    [(_, status, _)] = recheck([tmp_path])
    assert status is RecheckStatus.VERIFIED
    # a damaged compressed proof is refused, naming the file
    data = bytearray(cert.proof_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    cert.proof_path.write_bytes(bytes(data))
    rehash(cert.manifest_path)
    [(_, status, reason)] = recheck([tmp_path])
    assert status is RecheckStatus.REJECTED and "php54.lrat.gz" in reason
    # certifying the same stem again below the threshold replaces the compressed files
    monkeypatch.setattr(certify, "GZIP_MIN_BYTES", 1 << 30)
    again = make(tmp_path)
    assert again.proved and sorted(p.name for p in tmp_path.iterdir()) == ["php54.cnf", "php54.json", "php54.lrat"]
    # and a DRAT certificate of the same stem replaces the LRAT one
    drat = make(tmp_path, fmt="drat", solver="cadical153")
    assert drat.proved and sorted(p.name for p in tmp_path.iterdir()) == ["php54.cnf", "php54.drat", "php54.json"]


def test_manifest_format_decides_the_path(tmp_path):
    """An older manifest without a proof format is DRAT; an unknown format is REJECTED; LRAT
    and DRAT certificates side by side are both re-checked."""
    lrat = make(tmp_path / "l")
    drat = make(tmp_path / "d", fmt="drat", solver="cadical153")
    m = json.loads(drat.manifest_path.read_text())
    del m["proof"]["format"]
    drat.manifest_path.write_text(json.dumps(m))
    assert [s for _, s, _ in recheck([tmp_path])] == [RecheckStatus.VERIFIED] * 2
    m = json.loads(lrat.manifest_path.read_text())
    m["proof"]["format"] = "frat-text"
    lrat.manifest_path.write_text(json.dumps(m))
    [(_, status, reason)] = recheck([tmp_path / "l"])
    assert status is RecheckStatus.REJECTED and "unknown proof format 'frat-text'" in reason
    m["proof"]["format"] = "drat-text"                  # an LRAT file read as DRAT is not verified
    lrat.manifest_path.write_text(json.dumps(m))
    assert recheck([tmp_path / "l"])[0][1] is RecheckStatus.REJECTED
