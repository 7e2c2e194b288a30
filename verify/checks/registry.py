"""The registry of check kinds a spec can ask for (``[[check]] kind = ...``).

A check kind parses its own options from the spec (so unknown keys are caught per kind) and
runs on one spec instance, returning an :class:`Outcome`. Modules that define check kinds
register them with :func:`check_kind`; the list of modules to import is :data:`MODULES`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..verdict import Verdict


@dataclass
class Context:
    """Run-wide settings a check may need."""

    proofs_dir: Path = Path("proofs")
    timeout: float = 60.0
    solver: str = "default"
    write_certificates: bool = True
    proof_format: str | None = None    # "lrat" / "drat" for certified UNSAT; None: LRAT where the solver writes it


@dataclass
class Outcome:
    verdict: Verdict
    message: str = ""
    method: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    certificates: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)   # a few lines a person reads (counterexample)


@dataclass(frozen=True)
class CheckKind:
    name: str
    subjects: tuple[str, ...]
    parse_options: Callable[[Any], dict[str, Any]]   # (specs.Table) -> options
    run: Callable[[Any, Any, Context], Outcome]      # (Instance, CheckSpec, Context) -> Outcome
    summary: str = ""


CHECKS: dict[str, CheckKind] = {}

#: modules whose import registers check kinds
MODULES = ["verify.checks.distribution", "verify.checks.rules", "verify.checks.coupling",
           "verify.gap.check"]


def check_kind(name: str, subjects: tuple[str, ...], parse_options, summary: str = ""):
    def register(run):
        CHECKS[name] = CheckKind(name, subjects, parse_options, run, summary)
        return run
    return register


def load_all() -> dict[str, CheckKind]:
    for module in MODULES:
        importlib.import_module(module)
    return CHECKS
