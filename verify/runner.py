"""Run every check of every spec instance and collect :class:`CheckResult` s."""
from __future__ import annotations

import time
import traceback
from collections import Counter
from typing import Callable, Iterable

from .checks.registry import CHECKS, Context, load_all
from .phase import set_phase
from .specs import Spec
from .verdict import CheckResult, Verdict


def check_ids(kinds: list[str]) -> list[str]:
    """Unique names for an instance's checks: the kind, and ``kind#k`` (1-based, in spec
    order) for a kind that occurs more than once."""
    counts = Counter(kinds)
    seen: Counter = Counter()
    ids = []
    for kind in kinds:
        seen[kind] += 1
        ids.append(f"{kind}#{seen[kind]}" if counts[kind] > 1 else kind)
    return ids


def run_spec(spec: Spec, ctx: Context,
             on_start: Callable[[str, str], None] | None = None,
             on_result: Callable[[CheckResult], None] | None = None,
             source: str | None = None) -> list[CheckResult]:
    """Run every check of every instance; ``source`` is how reports name the spec file
    (default: its path as given)."""
    load_all()
    results = []
    for inst in spec.instances:
        for check, check_id in zip(inst.checks, check_ids([c.kind for c in inst.checks])):
            if on_start:
                on_start(inst.name, check_id)
            set_phase("encoding")
            t0 = time.perf_counter()
            try:
                out = CHECKS[check.kind].run(inst, check, ctx)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # a bug in a check is an ERROR verdict, never a pass
                from .checks.registry import Outcome
                out = Outcome(Verdict.ERROR, f"internal error: {type(e).__name__}: {e}",
                              details={"traceback": traceback.format_exc(limit=6)})
            res = CheckResult(spec=inst.name, check=check.kind, verdict=out.verdict,
                              expected=check.expect, seconds=time.perf_counter() - t0,
                              message=out.message, method=out.method, details=out.details,
                              certificates=out.certificates,
                              source=str(spec.path) if source is None else source,
                              explain=out.explain, check_id=check_id)
            set_phase(None)
            results.append(res)
            if on_result:
                on_result(res)
    return results


def count_checks(specs: Iterable[Spec]) -> int:
    return sum(len(inst.checks) for spec in specs for inst in spec.instances)
