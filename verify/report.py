"""Reports of a run: status lines, summary, the live progress line, JSON and JUnit XML.

JSON, JUnit and the exit code are computed from the same :class:`RunReport`, so a dashboard
never shows green for a run that exited 1: a skipped spec is a ``<skipped>`` test case (a
``<failure>`` under ``--strict``), a spec that could not be loaded is an ``<error>``.
"""
from __future__ import annotations

import json
import os
import platform
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from .phase import current as current_phase
from .verdict import CheckResult, Verdict, exit_code


@dataclass
class Skipped:
    """A spec that was not checked because data it ``requires`` is absent."""
    spec: str
    source: str
    reason: str


@dataclass
class LoadError:
    """A spec file that could not be loaded (bad input)."""
    source: str
    message: str


@dataclass
class RunReport:
    results: list[CheckResult]
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    load_errors: list[LoadError] = field(default_factory=list)
    strict: bool = False
    interrupted: str | None = None      # the signal that stopped the run (SIGINT, SIGTERM)
    not_run: int = 0                    # checks that never started

    @property
    def exit_code(self) -> int:
        return exit_code(self.results, skipped=len(self.skipped), strict=self.strict,
                         load_errors=len(self.load_errors), interrupted=self.interrupted)

    @property
    def all_as_expected(self) -> bool:
        return self.exit_code == 0


def status_line(r: CheckResult) -> str:
    mark = "ok" if r.as_expected else f"UNEXPECTED (expected {r.expected})"
    msg = f"  {r.message}" if r.message else ""
    rule = f"  rule={r.rule}" if r.rule else ""
    return f"{r.verdict.value:<8} {r.spec} {r.test_id}  {r.seconds:.2f}s  {mark}{msg}{rule}"


def summary_line(results: list[CheckResult], seconds: float) -> str:
    counts = Counter(r.verdict for r in results)
    by_verdict = ", ".join(f"{counts[v]} {v.value}" for v in Verdict if counts[v])
    bad = sum(1 for r in results if not r.as_expected)
    good = len(results) - bad
    return (f"{len(results)} checks ({by_verdict or 'none'}): {good} as expected, "
            f"{bad} unexpected, in {seconds:.1f}s")


def body_text(r: CheckResult) -> str:
    """What a person reads for one result: the message, the replayed counterexample (or other
    explanation), how it was established and its certificates."""
    lines = [f"{r.verdict.value} (expected {r.expected}): {r.message}"]
    lines += r.explain
    if r.method:
        lines.append(f"method: {r.method}")
    if r.certificates:
        lines.append("certificates: " + ", ".join(r.certificates))
    if not r.as_expected and not r.explain and r.details:
        lines.append("details: " + json.dumps(r.details, indent=1, default=str))
    return "\n".join(lines)


def write_json(report: RunReport, path: Path) -> None:
    """The run as JSON: ``exit_code`` and ``all_as_expected`` from the same report as the
    process's exit code, the counts, every result, skipped and unloadable specs."""
    results = report.results
    counts = Counter(r.verdict.value for r in results)
    doc = {"tool": "dlm-verify", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "python": platform.python_version(), "seconds": round(report.seconds, 3),
           "strict": report.strict, "exit_code": report.exit_code,
           "all_as_expected": report.all_as_expected,
           "checks": len(results), "as_expected": sum(1 for r in results if r.as_expected),
           "unexpected": sum(1 for r in results if not r.as_expected),
           "verdicts": {v.value: counts[v.value] for v in Verdict},
           "skipped": len(report.skipped), "load_errors": len(report.load_errors),
           # the signal that stopped the run (its check is among the results, verdict UNKNOWN,
           # details.interrupted) and how many checks never started
           "interrupted": report.interrupted, "not_run": report.not_run,
           "results": [r.to_json() for r in results],
           "skipped_specs": [{"spec": s.spec, "source": s.source, "reason": s.reason,
                              "fails_run": report.strict} for s in report.skipped],
           "load_error_specs": [{"source": e.source, "message": e.message} for e in report.load_errors]}
    _write_atomic(path, json.dumps(doc, indent=2) + "\n")


def write_junit(report: RunReport, path: Path) -> None:
    """JUnit XML as pytest writes it (``<testsuites>`` around one ``<testsuite>``): one test case
    per check, per skipped spec and per spec that could not be loaded."""
    results = report.results
    unexpected = [r for r in results if not r.as_expected]
    failures = sum(1 for r in unexpected if r.verdict != Verdict.ERROR)
    errors = len(unexpected) - failures + len(report.load_errors)
    skipped = len(report.skipped)
    if report.strict:
        failures += skipped
    tests = len(results) + skipped + len(report.load_errors)
    attrs = {"tests": str(tests), "failures": str(failures), "errors": str(errors),
             "skipped": "0" if report.strict else str(skipped), "time": f"{report.seconds:.3f}"}
    root = ET.Element("testsuites", name="dlm-verify", **attrs)
    suite = ET.SubElement(root, "testsuite", name="dlm-verify",
                          timestamp=datetime.now(timezone.utc).isoformat(timespec="seconds"), **attrs)
    if report.interrupted:
        # an interrupted run says so in the suite's properties; the check it stopped is a
        # failure whose message says "interrupted by <signal>"
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="interrupted", value=report.interrupted)
        ET.SubElement(props, "property", name="not_run", value=str(report.not_run))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.spec, name=r.test_id, file=r.source,
                             time=f"{r.seconds:.3f}")
        text = body_text(r)
        if r.as_expected:
            ET.SubElement(case, "system-out").text = text
        else:
            tag = "error" if r.verdict == Verdict.ERROR else "failure"
            ET.SubElement(case, tag, message=text.splitlines()[0], type=r.verdict.value).text = text
    for s in report.skipped:
        case = ET.SubElement(suite, "testcase", classname=s.spec, name="spec", file=s.source, time="0")
        if report.strict:
            ET.SubElement(case, "failure", message=f"skipped under --strict: {s.reason}",
                          type="SKIPPED").text = s.reason
        else:
            ET.SubElement(case, "skipped", message=s.reason)
    for e in report.load_errors:
        case = ET.SubElement(suite, "testcase", classname=e.source, name="load", file=e.source, time="0")
        ET.SubElement(case, "error", message=e.message, type="SpecError").text = e.message
    _write_atomic(path, ET.tostring(root, encoding="unicode") + "\n")


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
    """A one-line status display on a terminal, silent otherwise: ``[i/N] what  12s  solving``.

    While an item runs, a background thread rewrites the line every second with the elapsed
    time and the phase it is in (:mod:`verify.phase`), so a long SAT call or proof check never
    looks like a hang. Use as a context manager (the thread stops on exit)."""

    def __init__(self, stream: TextIO, total: int, every: float = 1.0):
        self.stream = stream
        self.total = total
        self.done = 0
        self.every = every
        self.active = hasattr(stream, "isatty") and stream.isatty()
        self._what: str | None = None
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.active:
            self._thread = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.clear()

    def line(self) -> str:
        phase, _ = current_phase()
        elapsed = time.monotonic() - self._started
        return (f"[{self.done + 1}/{self.total}] {self._what}  {elapsed:.0f}s"
                + (f"  {phase}" if phase else ""))

    def _draw(self) -> None:
        if self.active and self._what is not None:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            with self._lock:
                self._draw()

    def start(self, *what: str) -> None:
        with self._lock:
            self._what, self._started = " ".join(what), time.monotonic()
            self._draw()

    def clear(self) -> None:
        with self._lock:
            if self.active:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def finish_one(self) -> None:
        with self._lock:
            self.done += 1
            self._what = None
