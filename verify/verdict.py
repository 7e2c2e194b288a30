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

    @property
    def as_expected(self) -> bool:
        return self.expected is None or self.verdict == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec, "check": self.check, "verdict": self.verdict.value,
            "expected": self.expected.value if self.expected else None,
            "as_expected": self.as_expected, "seconds": round(self.seconds, 6),
            "message": self.message, "method": self.method, "rule": self.rule or None,
            "details": self.details,
            "certificates": self.certificates, "source": self.source,
        }


EXIT_OK = 0          # every check has its expected verdict
EXIT_MISMATCH = 1    # at least one check does not
EXIT_USAGE = 2       # usage or spec errors, or nothing to check


def exit_code(results: list[CheckResult]) -> int:
    """The one map from results to the exit code. Zero checks is not success."""
    if not results:
        return EXIT_USAGE
    return EXIT_OK if all(r.as_expected for r in results) else EXIT_MISMATCH
