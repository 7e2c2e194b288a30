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

from ..dlm.semantics import Rule
from ..verdict import Verdict

#: the decoder rule a check uses when its spec names none: one for every check kind (README)
DEFAULT_RULE = Rule.ENFORCE
#: what a check that holds under both readings reports as its rule
BOTH_RULES = "enforce+literal"


@dataclass
class Context:
    """Run-wide settings a check may need."""

    proofs_dir: Path = Path("proofs")
    timeout: float = 60.0
    solver: str = "default"
    write_certificates: bool = True
    store: Any = None          # the verify.store.Store of proofs_dir (set by the runner)
    allow_code: bool = False   # --allow-code: a [sampler] may name a researcher's Python policy
    proof_format: str | None = None    # "lrat" / "drat" for certified UNSAT; None: LRAT where the solver writes it


@dataclass
class Outcome:
    verdict: Verdict
    message: str = ""
    method: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    certificates: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)   # a few lines a person reads (counterexample)
    rule: str = ""      # the decoder rule the verdict is about, when not the check's option


@dataclass(frozen=True)
class CheckKind:
    name: str
    subjects: tuple[str, ...]
    parse_options: Callable[[Any], dict[str, Any]]   # (specs.Table) -> options
    run: Callable[[Any, Any, Context], Outcome]      # (Instance, CheckSpec, Context) -> Outcome
    summary: str = ""


CHECKS: dict[str, CheckKind] = {}

#: (kind, subject) -> the implementation for that subject, when a kind name (e.g.
#: ``distribution``) is implemented separately for several subjects ([dlm] and [sampler])
VARIANTS: dict[tuple[str, str], CheckKind] = {}

#: modules whose import registers check kinds
MODULES = ["verify.checks.distribution", "verify.checks.rules", "verify.checks.coupling",
           "verify.checks.bijection", "verify.gap.check", "verify.policies.check"]


def rule_option(table) -> Rule:
    """The ``rule`` key of a check (``enforce`` | ``literal``), :data:`DEFAULT_RULE` if absent."""
    return Rule(table.str("rule", DEFAULT_RULE.value, choices=tuple(r.value for r in Rule)))


def rule_of(options: dict[str, Any], outcome: Outcome) -> str:
    """The rule a verdict line names: the outcome's own, else the check's ``rule`` option."""
    if outcome.rule:
        return outcome.rule
    value = options.get("rule")
    return getattr(value, "value", value) or ""


def check_kind(name: str, subjects: tuple[str, ...], parse_options, summary: str = ""):
    """Register a check kind for some subjects; registering the same name again for other
    subjects adds a variant (CHECKS[name].subjects is then the union)."""
    def register(run):
        kind = CheckKind(name, subjects, parse_options, run, summary)
        for s in subjects:
            VARIANTS[(name, s)] = kind
        old = CHECKS.get(name)
        if old is None or set(old.subjects) <= set(subjects):
            CHECKS[name] = kind
        else:
            CHECKS[name] = CheckKind(name, old.subjects + tuple(s for s in subjects if s not in old.subjects),
                                     old.parse_options, old.run, old.summary)
        return run
    return register


def for_subject(name: str, subject: str) -> CheckKind:
    """The implementation of check kind ``name`` for a subject kind (or its acts-as kind)."""
    return VARIANTS.get((name, subject)) or CHECKS[name]


def load_all() -> dict[str, CheckKind]:
    for module in MODULES:
        importlib.import_module(module)
    return CHECKS
