"""The certificate store (issue 10, items 3 and 4): manifests bound to claims, ``check``
rejecting what it cannot vouch for, ``check --against`` catching stale certificates, runs
retracting what they no longer prove, and concurrent-safe writes."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verify import store
from verify.certify import RecheckStatus, certify_unsat, recheck
from verify.cli import main
from verify.encode.cnf_families import pigeonhole

from .cli_util import run_cli

ROOT = Path(__file__).resolve().parent.parent

SPEC = """
[claim]
name = "toy"
statement = "a remasking sampler of length {n}"

[params]
n = [2, 3]

[dlm]
length = "{n}"
rounds = 2
mode = "MODE"
random_bits = 1
outputs = "all"

[[dlm.predictor]]
at = "0"
value = "m0 & r0 | ~m0 & v0"

[[dlm.predictor]]
at = "{n-1}"
value = "m{i} & ~m0 | ~m{i} & v{i}"

[[dlm.predictor]]         # positions 1..n-2 (none at n = 2; the first rule that covers wins)
at = "all"
value = "m{i} & (m0 & r0 | ~m0 & ~m{i+1}) | ~m{i} & v{i}"

[[dlm.unmask_strategy]]
commit = "m{i}"

[[dlm.remask]]
at = "0"
remask = "0"

[[dlm.remask]]
at = "1..{n-1}"
remask = "m0 & zv{i-1}"

[[check]]
kind = "independence"

[[check]]
kind = "mode"
rule = "literal"
expect = "EXPECT"
"""


def write_spec(folder: Path, mode="remask", expect="PROVED", extra="") -> Path:
    specs = folder / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    path = specs / "toy.toml"
    path.write_text(SPEC.replace("MODE", mode).replace("EXPECT", expect) + extra)
    return path


run = run_cli   # the in-process command line (tests/cli_util.py)


def check(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *argv], out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def stored(tmp_path):
    """A spec run into tmp_path/proofs: two mode certificates (n = 2, 3)."""
    spec = write_spec(tmp_path)
    code, out, _ = run(str(spec), "--proofs", str(tmp_path / "proofs"))
    assert code == 0, out
    manifests = sorted((tmp_path / "proofs").glob("*.json"))
    assert len(manifests) == 2, out
    return tmp_path, spec, manifests


# ---- what a manifest records ---------------------------------------------------------------

def test_manifest_binds_the_claim_and_holds_nothing_volatile(stored):
    tmp_path, spec, manifests = stored
    m = json.loads(manifests[0].read_text())
    assert m["certificate"] == store.MANIFEST_KIND
    assert m["claim"] == {"spec": "toy.toml", "name": "toy[n=2]", "check": "mode", "index": 1,
                          "obligation": "pos0-1"}
    text = manifests[0].read_text()
    for volatile in ("created", "seconds", "pysat", "interpreter", str(tmp_path)):
        assert volatile not in text


def test_spec_key_is_relative_to_the_spec_root(tmp_path):
    assert store.spec_key(tmp_path / "specs" / "gap" / "x.toml") == "gap/x.toml"
    assert store.spec_key(tmp_path / "elsewhere" / "x.toml") == "x.toml"


def test_a_rerun_rewrites_nothing(stored):
    tmp_path, spec, manifests = stored
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / "proofs").iterdir()}
    code, _, _ = run(str(spec), "--proofs", str(tmp_path / "proofs"))
    assert code == 0
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / "proofs").iterdir()}
    assert after == before            # same bytes, and not even touched


# ---- check: reject, never skip -------------------------------------------------------------

def _reason(out: str, name: str) -> str:
    line = next(l for l in out.splitlines() if name in l)
    return line


@pytest.mark.parametrize("edit,expect", [
    (lambda m: dict(m, certificate="dlm-verify/unsat-drat/1"), "foreign manifest"),
    (lambda m: dict(m, certificate="something else"), "foreign manifest"),
    (lambda m: [m], "not a JSON object"),
    (lambda m: dict(m, extra=1), "not allowed"),
    (lambda m: {k: v for k, v in m.items() if k != "claim"}, "lacks fields"),
    (lambda m: dict(m, claim=dict(m["claim"], index="1")), "claim.index"),
    (lambda m: dict(m, claim=dict(m["claim"], spec="../x.toml")), "claim.spec"),
    (lambda m: dict(m, cnf=dict(m["cnf"], file="/etc/passwd")), "may name only"),
    (lambda m: dict(m, checker=dict(m["checker"], verdict="REJECTED")), "checker.verdict"),
])
def test_check_rejects_malformed_edited_or_foreign_manifests(stored, edit, expect):
    tmp_path, _, manifests = stored
    m = json.loads(manifests[0].read_text())
    manifests[0].write_text(json.dumps(edit(m)))
    code, out = check(str(tmp_path / "proofs"))
    assert code == 1
    line = _reason(out, manifests[0].name)
    assert line.startswith("REJECTED") and expect in line, line
    assert _reason(out, manifests[1].name).startswith("VERIFIED")


def test_a_manifest_pointing_at_another_claims_files_is_rejected(stored):
    tmp_path, _, (a, b) = stored
    mb = json.loads(b.read_text())
    ma = json.loads(a.read_text())
    ma["cnf"], ma["proof"] = mb["cnf"], mb["proof"]       # b's valid files, b's hashes
    a.write_text(json.dumps(ma))
    code, out = check(str(tmp_path / "proofs"))
    assert code == 1 and "may name only" in _reason(out, a.name)


def test_check_reports_missing_manifests_and_missing_files(stored):
    tmp_path, _, (a, b) = stored
    a.unlink()
    (b.parent / json.loads(b.read_text())["proof"]["file"]).unlink()
    code, out = check(str(tmp_path / "proofs"))
    assert code == 1
    assert "certificate file without a manifest" in _reason(out, a.name[:-5] + ".cnf")
    assert "certificate file without a manifest" in _reason(out, a.name[:-5] + ".lrat")
    assert "proof file" in _reason(out, b.name) and "is missing" in _reason(out, b.name)


def test_check_accepts_only_files_inside_the_folder(stored):
    tmp_path, _, (a, _) = stored
    m = json.loads(a.read_text())
    outside = tmp_path / "outside"
    outside.mkdir()
    cnf = a.parent / m["cnf"]["file"]
    shutil.move(cnf, outside / cnf.name)
    cnf.symlink_to(outside / cnf.name)                    # same bytes, but outside
    code, out = check(str(tmp_path / "proofs"))
    assert code == 1 and "outside the folder checked" in _reason(out, a.name)


def test_check_timeout_flag(stored):
    tmp_path, _, _ = stored
    assert check(str(tmp_path / "proofs"), "--timeout", "30")[0] == 0
    for bad in ("0", "-1", "nan", "inf", "x"):
        code, out = check(str(tmp_path / "proofs"), "--timeout", bad)
        assert code == 2 and "timeout" in out


# ---- check --against: stale certificates ---------------------------------------------------

def test_against_accepts_certificates_the_encoder_still_produces(stored):
    tmp_path, _, _ = stored
    code, out = check(str(tmp_path / "proofs"), "--against", str(tmp_path / "specs"))
    assert code == 0, out
    assert out.endswith("2 certificates: 2 verified, 0 rejected\n")


def test_against_rejects_a_stale_certificate(stored):
    tmp_path, spec, (a, b) = stored
    # the same claim, still true, but encoded differently: position 0 reads its bits another way
    spec.write_text(spec.read_text().replace('value = "m0 & r0 | ~m0 & v0"',
                                             'value = "m0 & r0 | ~m0 & v0 | m0 & r0 & v0"'))
    code, out = check(str(tmp_path / "proofs"), "--against", str(tmp_path / "specs"))
    assert code == 1
    assert "stale: the encoder now produces another CNF" in _reason(out, a.name), out


def test_against_rejects_certificates_whose_claim_is_gone(stored, tmp_path):
    root, spec, (a, b) = stored
    elsewhere = tmp_path / "other" / "specs"
    elsewhere.mkdir(parents=True)
    code, out = check(str(root / "proofs"), "--against", str(elsewhere))
    assert code == 1 and "is not under" in _reason(out, a.name)
    spec.write_text(SPEC.replace("MODE", "remask").replace("EXPECT", "PROVED").replace("n = [2, 3]", "n = [3]"))
    code, out = check(str(root / "proofs"), "--against", str(root / "specs"))
    assert code == 1 and "has no claim toy[n=2]" in _reason(out, a.name)
    assert _reason(out, b.name).startswith("VERIFIED")


def test_against_rejects_unbound_certificates(tmp_path):
    clauses, nv = pigeonhole(4, 3)
    certify_unsat(clauses, nv, directory=tmp_path / "proofs", stem="php", meta={}, timeout=30)
    write_spec(tmp_path)
    code, out = check(str(tmp_path / "proofs"), "--against", str(tmp_path / "specs"))
    assert code == 1 and "not bound to a spec" in out


# ---- runs retract what they no longer prove ------------------------------------------------

def test_a_run_removes_the_certificates_of_a_claim_it_no_longer_proves(stored):
    tmp_path, spec, manifests = stored
    proofs = tmp_path / "proofs"
    # files of the same names that this store did not write: never deleted
    foreign = [proofs / (manifests[0].name[:-5] + ".cnf.gz"), proofs / (manifests[0].name[:-5] + ".cnf.tmp")]
    for f in foreign:
        f.write_bytes(b"not ours")
    # the same claim, now refuted: position 0 redraws its revealed token
    spec.write_text(spec.read_text().replace('value = "m0 & r0 | ~m0 & v0"', 'value = "r0"')
                    .replace('commit = "m{i}"', 'commit = "1"').replace('expect = "PROVED"', 'expect = "REFUTED"'))
    code, out, _ = run(str(spec), "--proofs", str(proofs))
    assert code == 0, out
    left = sorted(p.name for p in proofs.iterdir())
    assert left == sorted(f.name for f in foreign), left


def test_a_timed_out_rerun_leaves_no_certificate_of_the_claim(stored, monkeypatch):
    tmp_path, spec, manifests = stored
    from verify import certify
    from verify.encode.sat import SatOutcome, SatStatus
    monkeypatch.setattr(certify, "solve", lambda *a, **k: SatOutcome(SatStatus.UNKNOWN, None, None, "x", "0", 0.0, "timeout"))
    code, out, _ = run(str(spec), "--proofs", str(tmp_path / "proofs"))
    assert code == 1 and "UNKNOWN" in out
    assert list((tmp_path / "proofs").iterdir()) == []


# ---- concurrent runs -----------------------------------------------------------------------

def test_two_runs_into_one_folder_corrupt_nothing(tmp_path):
    spec = write_spec(tmp_path)
    proofs = tmp_path / "proofs"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "verify", str(spec), str(ROOT / "specs" / "parity-remask.toml"),
           "--proofs", str(proofs)]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, (out, err)
        assert "ERROR" not in out and "Traceback" not in err
    assert not [p for p in proofs.rglob(".*")], "temporary files left behind"
    results = recheck([proofs])
    assert results and all(st is RecheckStatus.VERIFIED for _, st, _ in results), results


def test_staged_names_are_unique_and_hidden(tmp_path):
    a = store.stage(tmp_path, "x.cnf", b"1")
    b = store.stage(tmp_path, "x.cnf", b"2")
    assert a != b and a.name.startswith(".") and a.name.endswith("x.cnf")
    assert (a.read_bytes(), b.read_bytes()) == (b"1", b"2")


def test_against_re_runs_a_gap_claim(tmp_path):
    """A gap certificate lives in proofs/gap/; --against finds its spec by the path relative to
    the spec root (gap/...) and re-runs the search to compare the CNF."""
    spec = ROOT / "specs" / "gap" / "plain-support-n3-T2-k1.toml"
    code, out, _ = run(str(spec), "--proofs", str(tmp_path / "proofs"))
    assert code == 0, out
    [manifest] = (tmp_path / "proofs" / "gap").glob("*.json")
    assert json.loads(manifest.read_text())["claim"]["spec"] == "gap/plain-support-n3-T2-k1.toml"
    code, out = check(str(tmp_path / "proofs"), "--against", str(ROOT / "specs" / "gap"))
    assert code == 0 and out.startswith(f"VERIFIED {manifest}"), out
    # the same class, but the stored CNF edited (hashes recomputed): the checker may accept a
    # weaker CNF's proof, --against does not
    m = json.loads(manifest.read_text())
    cnf = manifest.parent / m["cnf"]["file"]
    lines = cnf.read_text().splitlines()
    header = lines[0].split()
    cnf.write_text("\n".join([f"p cnf {header[2]} {int(header[3]) + 1}"] + lines[1:] + ["1 -1 0"]) + "\n")
    data = cnf.read_bytes()
    m["cnf"].update(sha256=store.sha256_bytes(data), dimacs_sha256=store.sha256_bytes(data),
                    clauses=m["cnf"]["clauses"] + 1, bytes=len(data))
    manifest.write_text(json.dumps(m))
    assert check(str(tmp_path / "proofs"))[0] == 0              # still a valid certificate
    code, out = check(str(tmp_path / "proofs"), "--against", str(ROOT / "specs"))
    assert code == 1 and "stale" in out, out
