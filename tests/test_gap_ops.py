"""Long gap searches (issue 5): honest in-solve timeouts, progress lines, --json / --jsonl."""
from __future__ import annotations

import io
import json
import time

import pytest

import verify.certify as certify
from verify.checks.registry import Context
from verify.cli import main
from verify.dlm.model import Mode
from verify.gap.check import decide
from verify.gap.classes import GapClass
from verify.gap.progress import Progress
from verify.gap.search import solve_class
from verify.gap.table import min_locality

# n = 5, T = 2, revise, support, k = 1: encoding ~0.3 s, solving ~40-70 s (UNSAT)
SLOW = GapClass(5, 2, Mode.REVISE, "support", 1)
REQUIRED = {"n", "rounds", "mode", "semantics", "min_locality", "certificates"}


def test_timeout_interrupts_a_long_sat_call(tmp_path):
    t0 = time.monotonic()
    res = solve_class(SLOW, certify_dir=tmp_path, timeout=1.0)
    took = time.monotonic() - t0
    assert res.status == "UNKNOWN" and not res.certified and res.witness is None
    assert res.message == "timeout after 1 s (solving)"
    # the deadline is checked between conflict-budget slices: a slice and the encoding late at
    # most, far from the full solve
    assert took < 5.0, took


def test_timeout_bounds_certification(tmp_path, monkeypatch):
    """The solve is quick, the trusted check would take 30 s: the class is UNKNOWN (not
    proved) with 'timeout ... (certifying)', and the call returns within about the limit."""
    def slow_check(cnf_path, proof_path, *args):
        time.sleep(30)
        return certify.CheckerRun(True, "would be accepted", 30.0, 1)
    monkeypatch.setattr(certify, "_check_in_process", slow_check)
    monkeypatch.setenv("DLM_VERIFY_CHECKER_PYTHON", "in-process")
    ctx = Context(proofs_dir=tmp_path, timeout=1.5)
    t0 = time.monotonic()
    got = decide(GapClass(3, 2, Mode.PLAIN, "support", 1), ctx)
    assert time.monotonic() - t0 < 3.0
    assert got["fact"] is None and got["certificates"] == []
    assert "timeout after 1.5 s (certifying)" in got["message"]
    assert not list((tmp_path / "gap").glob("*.drat")) and not list((tmp_path / "gap").glob("*.lrat"))
    assert not list((tmp_path / "gap").glob(".*"))          # no temporary proof left behind


def test_table_row_with_timeout_is_not_complete(tmp_path):
    ctx = Context(proofs_dir=tmp_path, timeout=1.0)
    t0 = time.monotonic()
    e = min_locality(4, 3, Mode.REVISE, "support", ctx, k_max=1)
    assert time.monotonic() - t0 < 4.5     # two steps of at most ~1 s each, plus encoding
    assert e["steps"][1]["fact"] is None and e["steps"][1]["message"] == "timeout after 1 s (solving)"
    assert e["min_locality"] is None and e["status"] == "timeout" and not e["complete"]


def test_progress_lines_phases_and_reminders():
    lines = []
    with Progress(lines.append, every=0.2) as p:
        p.phase("c k=1", "solving")
        p.phase("c k=1", "solving", "3 refuted")      # a detail alone: no new line
        assert len(lines) == 1
        time.sleep(0.75)
        reminders = len(lines) - 1
        p.phase("c k=1", "certifying")
        p.phase("c k=1", None)                         # idle: no more reminders
        quiet = len(lines)
        time.sleep(0.5)
    assert 2 <= reminders <= 4, lines
    assert all(l.startswith("c k=1: solving (") for l in lines[:reminders + 1])
    assert "3 refuted" in lines[reminders]
    assert lines[-1].startswith("c k=1: certifying (") and len(lines) == quiet


def run_gap(argv, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    rc = main(["gap", "--proofs", str(tmp_path)] + argv, out, err)
    return rc, out.getvalue(), err.getvalue()


def test_json_stays_pure_with_progress(tmp_path):
    rc, out, err = run_gap(["--n", "3", "--rounds", "2", "--mode", "plain,revise", "--json",
                            "--progress"], tmp_path)
    assert rc == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 2
    assert all(REQUIRED <= set(e) for e in data)
    assert [e["min_locality"] for e in data] == [2, 2]
    for phase in ("encoding", "solving", "certifying"):
        assert f": {phase} (" in err
    assert "k=1" in err


class Log(io.StringIO):
    """A stream that records, in one shared list, what was written to it and when."""
    def __init__(self, name, events):
        super().__init__()
        self.name, self.events = name, events

    def write(self, s):
        self.events.append((self.name, s))
        return super().write(s)


def test_jsonl_prints_each_row_when_done(tmp_path):
    events = []
    out, err = Log("out", events), Log("err", events)
    rc = main(["gap", "--proofs", str(tmp_path), "--n", "3,4", "--rounds", "2", "--mode", "plain",
               "--jsonl", "--progress"], out, err)
    assert rc == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["n"], r["min_locality"]) for r in rows] == [(3, 2), (4, 3)]
    assert all(REQUIRED <= set(r) for r in rows)
    first_row = next(i for i, (name, s) in enumerate(events) if name == "out" and s.strip())
    first_n4 = next(i for i, (name, s) in enumerate(events) if name == "err" and "n=4" in s)
    assert first_row < first_n4      # row n = 3 was out before row n = 4 started


@pytest.mark.parametrize("argv", [["--json", "--jsonl"], ["--timeout", "0"]])
def test_bad_flags_exit_2(tmp_path, argv):
    rc, _, err = run_gap(["--n", "3", "--rounds", "2", "--mode", "plain"] + argv, tmp_path)
    assert rc == 2 and "Traceback" not in err


def test_sliced_solving_is_deterministic():
    """The conflict-budget slices do not depend on the clock, so a class gives the same proof on
    a loaded and an idle machine (a referee re-running a claim gets the same certificate)."""
    import hashlib
    from verify.encode.sat import solve
    from verify.gap.encode import class_bound, encode
    enc = encode(GapClass(4, 2, Mode.REVISE, "support", 1))
    clauses = enc.clauses + class_bound(enc)
    digests = set()
    for _ in range(2):
        out = solve(clauses, enc.num_vars, timeout=300, proof=True)
        assert out.status.name == "UNSAT"
        digests.add(hashlib.sha256("\n".join(out.proof).encode()).hexdigest())
    assert len(digests) == 1
