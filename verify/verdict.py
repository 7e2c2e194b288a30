"""One verdict type (STYLE.md §3) and the one map from verdicts to the exit code (§5)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Verdict(str, Enum):
    PROVED = "PROVED"      # established: exact computation, or UNSAT with a checked certificate
    REFUTED = "REFUTED"    # a counterexample, replayed on the simulator before it is shown
    UNKNOWN = "UNKNOWN"    # timeout, solver 'unknown', or a bound that was not reached
    ERROR = "ERROR"        # the check itself could not run (bad spec content, invalid token...)

    def __str__(self) -> str:
        return self.value


@dataclass
class CheckResult:
    """The outcome of one check of one spec instance."""

    spec: str                   # spec name (and instance parameters)
    check: str                  # check kind, e.g. 'distribution'
    verdict: Verdict
    expected: Verdict | None = None
    seconds: float = 0.0
    message: str = ""           # one line a person reads
    method: str = ""            # how it was established (e.g. 'exact semantics', 'SAT+DRUP')
    details: dict[str, Any] = field(default_factory=dict)   # counterexample, probabilities...
    certificates: list[str] = field(default_factory=list)   # paths of CNF/proof/manifest
    source: str = ""            # the spec file
    explain: list[str] = field(default_factory=list)        # human-readable counterexample lines
    rule: str = ""              # the decoder rule the verdict is about ('enforce', 'literal', ...)
    check_id: str = ""          # unique within the instance: the kind, indexed when repeated

    @property
    def test_id(self) -> str:
        return self.check_id or self.check

    @property
    def as_expected(self) -> bool:
        return self.expected is None or self.verdict == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec, "check": self.check, "id": self.test_id, "verdict": self.verdict.value,
            "expected": self.expected.value if self.expected else None,
            "as_expected": self.as_expected, "seconds": round(self.seconds, 6),
            "message": self.message, "method": self.method, "rule": self.rule or None,
            "details": self.details,
            "certificates": self.certificates, "source": self.source,
        }


EXIT_OK = 0          # every check has its expected verdict
EXIT_MISMATCH = 1    # at least one check does not
EXIT_USAGE = 2       # usage or spec errors, or nothing to check
#: exit code of a run stopped by a signal: 128 + its number, as a shell reports it
EXIT_INTERRUPTED = {"SIGINT": 130, "SIGTERM": 143}


def exit_code(results: list[CheckResult], *, skipped: int = 0, strict: bool = False,
              load_errors: int = 0, interrupted: str | None = None) -> int:
    """The one map from results to the exit code. A run stopped by a signal exits 130 / 143
    whatever it found; zero checks is not success; a spec that could not be loaded is bad
    input (2); under ``strict`` a skipped spec is a failure (1)."""
    if interrupted:
        return EXIT_INTERRUPTED.get(interrupted, 130)
    if load_errors or not results:
        return EXIT_USAGE
    if not all(r.as_expected for r in results) or (strict and skipped):
        return EXIT_MISMATCH
    return EXIT_OK
