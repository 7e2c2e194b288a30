"""Clean interrupts (issue 10, item 6): SIGINT and SIGTERM stop child processes, the run
writes its partial --json and --junit with the interrupted check marked, and exits 130 / 143;
a child outlives no parent, even one killed by SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc (Linux)")


def tagged(tag: str) -> list[int]:
    """Processes whose environment carries ``DLM_TEST_TAG=tag``."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if f"DLM_TEST_TAG={tag}".encode() in (d / "environ").read_bytes().split(b"\0"):
                stat = (d / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":      # zombies are gone already
                    found.append(int(d.name))
        except OSError:
            continue
    return found


def is_sleep(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"sleep")
    except OSError:
        return False


def wait_for(cond, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_children_and_writes_partial_reports(tmp_path, sig, code):
    tag = uuid.uuid4().hex
    slow = tmp_path / "slow-checker"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")          # a checker child that would run on
    slow.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT), DLM_TEST_TAG=tag, DLM_VERIFY_CHECKER_PYTHON=str(slow))
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    proc = subprocess.Popen([sys.executable, "-m", "verify", str(ROOT / "specs" / "parity-remask.toml"),
                             "--proofs", str(tmp_path / "proofs"), "--json", str(report),
                             "--junit", str(junit), "--timeout", "100"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # the mode check of n = 2 runs the (slow) checker in a child process (the distribution
        # checks before it run in forked children of their own, which are not the one to wait for)
        assert wait_for(lambda: any(is_sleep(p) for p in tagged(tag)), 60), "no checker child started"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, (out, err)
    assert "Traceback" not in err
    assert wait_for(lambda: not tagged(tag), 5), "a child process outlived the run"
    name = signal.Signals(sig).name
    assert f"interrupted by {name}" in out
    doc = json.loads(report.read_text())
    assert doc["interrupted"] == name and doc["not_run"] > 0 and not doc["all_as_expected"]
    last = doc["results"][-1]
    assert (last["check"], last["verdict"], last["details"]) == ("mode", "UNKNOWN", {"interrupted": name})
    assert all(r["verdict"] != "UNKNOWN" for r in doc["results"][:-1])
    suite = ET.parse(junit).getroot()
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["interrupted"] == name
    assert any(f"interrupted by {name}" in (f.get("message") or "") for f in suite.iter("failure"))
    assert not list((tmp_path / "proofs").glob(".*")), "temporary files left behind"


def test_a_solver_child_dies_with_its_parent_even_on_sigkill(tmp_path):
    tag = uuid.uuid4().hex
    script = ("import time\nfrom verify.encode.sat import call_in_child\n"
              "print('start', flush=True)\ncall_in_child(time.sleep, (60,), 100)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), DLM_TEST_TAG=tag)
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "start"
        assert wait_for(lambda: len(tagged(tag)) >= 2, 30), "no child started"
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert wait_for(lambda: not tagged(tag), 5), "the child outlived its SIGKILLed parent"
