"""Reports of check results: status lines, summary, JSON and JUnit XML."""
from __future__ import annotations

import json
import os
import platform
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from .verdict import CheckResult, Verdict


def status_line(r: CheckResult) -> str:
    mark = "ok" if r.as_expected else f"UNEXPECTED (expected {r.expected})"
    msg = f"  {r.message}" if r.message else ""
    rule = f"  rule={r.rule}" if r.rule else ""
    return f"{r.verdict.value:<8} {r.spec} {r.check}  {r.seconds:.2f}s  {mark}{msg}{rule}"


def summary_line(results: list[CheckResult], seconds: float) -> str:
    counts = Counter(r.verdict for r in results)
    by_verdict = ", ".join(f"{counts[v]} {v.value}" for v in Verdict if counts[v])
    bad = sum(1 for r in results if not r.as_expected)
    good = len(results) - bad
    return (f"{len(results)} checks ({by_verdict or 'none'}): {good} as expected, "
            f"{bad} unexpected, in {seconds:.1f}s")


def write_json(results: list[CheckResult], path: Path, seconds: float,
               interrupted: str | None = None, not_run: int = 0) -> None:
    """The results as JSON. ``interrupted`` names the signal that stopped the run (the check it
    stopped is among the results, verdict UNKNOWN, ``details.interrupted``); ``not_run`` counts
    the checks that never started."""
    doc = {"tool": "dlm-verify", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "python": platform.python_version(), "seconds": round(seconds, 3),
           "all_as_expected": bool(results) and not interrupted and all(r.as_expected for r in results),
           "interrupted": interrupted, "not_run": not_run,
           "results": [r.to_json() for r in results]}
    _write_atomic(path, json.dumps(doc, indent=2) + "\n")


def write_junit(results: list[CheckResult], path: Path, seconds: float,
                interrupted: str | None = None, not_run: int = 0) -> None:
    """The results as JUnit XML; an interrupted run says so in the suite's properties, and the
    check it stopped is a failure whose message says "interrupted by <signal>"."""
    suite = ET.Element("testsuite", name="dlm-verify", tests=str(len(results)),
                       failures=str(sum(1 for r in results if not r.as_expected and r.verdict != Verdict.ERROR)),
                       errors=str(sum(1 for r in results if not r.as_expected and r.verdict == Verdict.ERROR)),
                       time=f"{seconds:.3f}")
    if interrupted:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="interrupted", value=interrupted)
        ET.SubElement(props, "property", name="not_run", value=str(not_run))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.spec, name=r.check, time=f"{r.seconds:.3f}")
        text = f"{r.verdict.value} (expected {r.expected}): {r.message}"
        if not r.as_expected:
            tag = "error" if r.verdict == Verdict.ERROR else "failure"
            ET.SubElement(case, tag, message=text).text = json.dumps(r.details, indent=1, default=str)
        else:
            ET.SubElement(case, "system-out").text = text
    _write_atomic(path, ET.tostring(suite, encoding="unicode") + "\n")


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file so a failure never leaves a half-written report."""
    import tempfile
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO, total: int):
        self.stream = stream
        self.total = total
        self.done = 0
        self.active = hasattr(stream, "isatty") and stream.isatty()

    def start(self, spec: str, check: str) -> None:
        if self.active:
            self.stream.write(f"\r\x1b[K[{self.done + 1}/{self.total}] {spec} {check} ...")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def finish_one(self) -> None:
        self.done += 1
