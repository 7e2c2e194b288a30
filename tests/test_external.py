"""``python -m verify check --external``: outside checkers (drat-trim, lrat-check, cake_lpr)
re-check fresh certificates and agree with the trusted checker.

The tools are built from ``../shared/tools`` with its ``build.sh`` into a temporary folder (or
taken from ``$DLM_XTOOLS``); without either the tests that need them skip with the reason."""
from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from verify.certify import certify_unsat, command_check
from verify.encode.cnf_families import pigeonhole

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT.parent / "shared" / "tools" / "build.sh"
NAMES = ("drat-trim", "lrat-check", "cake_lpr")


@pytest.fixture(scope="module")
def xtools(tmp_path_factory) -> Path:
    given = os.environ.get("DLM_XTOOLS")
    if given:
        folder = Path(given)
    elif BUILD.is_file():
        folder = tmp_path_factory.mktemp("xtools")
        proc = subprocess.run(["bash", str(BUILD), str(folder)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"building the outside checkers failed: {proc.stderr.strip()[-300:]}")
    else:
        pytest.skip(f"no outside checkers: {BUILD} is absent and DLM_XTOOLS is not set")
    missing = [n for n in NAMES if not (folder / n).is_file()]
    if missing:
        pytest.skip(f"outside checkers missing in {folder}: {', '.join(missing)}")
    return folder


def run_check(argv):
    out, err = io.StringIO(), io.StringIO()
    code = command_check(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def certificates(folder: Path):
    made = []
    for stem, size, fmt, solver in [("php54", (5, 4), "lrat", "cadical195"),
                                    ("php43", (4, 3), "lrat", "cadical195"),
                                    ("php54d", (5, 4), "drat", "cadical153")]:
        clauses, nv = pigeonhole(*size)
        cert = certify_unsat(clauses, nv, directory=folder, stem=stem, meta={}, timeout=60,
                             solver=solver, proof_format=fmt)
        assert cert.proved
        made.append(cert)
    # a trivially refuted CNF (complementary units) in LRAT
    cert = certify_unsat([[1], [-1], [1, 2]], 2, directory=folder, stem="units", meta={},
                         timeout=60)
    assert cert.proved
    made.append(cert)
    return made


def test_outside_checkers_agree_on_fresh_certificates(tmp_path, xtools):
    certs = certificates(tmp_path / "proofs")
    spec = ",".join(f"{n}={xtools / n}" for n in NAMES)
    code, out, err = run_check(["--external", spec, str(tmp_path / "proofs")])
    assert (code, err) == (0, ""), out
    assert out.count("  cake_lpr: VERIFIED (agrees)") == 3
    assert out.count("  lrat-check: VERIFIED (agrees)") == 3
    assert out.count("  drat-trim: VERIFIED (agrees)") == 1
    assert "external cake_lpr: 3 certificates, 3 agree, 0 disagree" in out
    assert "external drat-trim: 1 certificates, 1 agree, 0 disagree" in out
    assert len(certs) == 4


def test_disagreement_exits_1_and_absent_tool_is_reported(tmp_path, xtools):
    certs = certificates(tmp_path / "proofs")
    # a proof the trusted checker rejects (last line cut, hashes still match the manifest)
    import hashlib
    import json
    cert = certs[0]
    lines = cert.proof_path.read_bytes().splitlines(keepends=True)
    cert.proof_path.write_bytes(b"".join(lines[:-1]))
    manifest = json.loads(cert.manifest_path.read_text())
    manifest["proof"]["sha256"] = hashlib.sha256(cert.proof_path.read_bytes()).hexdigest()
    cert.manifest_path.write_text(json.dumps(manifest))
    liar = tmp_path / "liar"
    liar.write_text("#!/bin/sh\necho 's VERIFIED UNSAT'\n")
    liar.chmod(0o755)
    code, out, _ = run_check(["--external", f"cake_lpr={liar},lrat-check={xtools / 'lrat-check'},"
                              f"drat-trim=/nonexistent/drat-trim", str(cert.manifest_path)])
    assert code == 1
    assert f"REJECTED {cert.manifest_path}: checker: " in out
    assert "  cake_lpr: VERIFIED (DISAGREES)" in out
    assert "  lrat-check: NOT VERIFIED (agrees)" in out
    assert "external drat-trim: not found at /nonexistent/drat-trim" in out


def test_external_usage_errors(tmp_path):
    assert run_check(["--external", "minisat", str(tmp_path)])[0] == 2
    assert run_check(["--external"])[0] == 2
    for bad in ("0", "-1", "nan", "inf", "x"):
        assert run_check(["--timeout", bad, str(tmp_path)])[0] == 2


def test_absent_tool_alone_is_not_a_failure(tmp_path):
    clauses, nv = pigeonhole(4, 3)
    certify_unsat(clauses, nv, directory=tmp_path, stem="a", meta={}, timeout=60)
    code, out, _ = run_check(["--external", "cake_lpr=/nonexistent/cake_lpr", str(tmp_path)])
    assert code == 0 and "external cake_lpr: not found" in out and "VERIFIED" in out


def test_check_timeout_rejects_one_and_checks_the_rest(tmp_path, monkeypatch):
    """A certificate whose check runs out of time is REJECTED (timeout); the folder goes on."""
    import verify.certify as certify
    clauses, nv = pigeonhole(4, 3)
    certify_unsat(clauses, nv, directory=tmp_path, stem="a", meta={}, timeout=60)
    certify_unsat(clauses, nv, directory=tmp_path, stem="b", meta={}, timeout=60)
    real = certify._check_in_process

    def slow_for_a(cnf, proof, *args):
        if Path(cnf).name == "a.cnf":
            import time
            time.sleep(30)
        return real(cnf, proof, *args)
    monkeypatch.setattr(certify, "_check_in_process", slow_for_a)
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "in-process")
    code, out, _ = run_check(["--timeout", "0.5", str(tmp_path)])
    assert code == 1
    assert f"REJECTED {tmp_path / 'a.json'}: checker: timeout after 0.5 s" in out
    assert f"VERIFIED {tmp_path / 'b.json'}" in out
