"""Run every check of every spec instance and collect :class:`CheckResult` s."""
from __future__ import annotations

import time
import traceback
from typing import Callable, Iterable

from .checks.registry import Context, for_subject, load_all
from .specs import SUBJECT_IS, Spec
from .verdict import CheckResult, Verdict


def run_spec(spec: Spec, ctx: Context,
             on_start: Callable[[str, str], None] | None = None,
             on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    load_all()
    results = []
    for inst in spec.instances:
        for check in inst.checks:
            if on_start:
                on_start(inst.name, check.kind)
            t0 = time.perf_counter()
            try:
                kind = inst.subject_kind
                impl = for_subject(check.kind, kind)
                if kind not in impl.subjects:
                    impl = for_subject(check.kind, SUBJECT_IS.get(kind, kind))
                out = impl.run(inst, check, ctx)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # a bug in a check is an ERROR verdict, never a pass
                from .checks.registry import Outcome
                out = Outcome(Verdict.ERROR, f"internal error: {type(e).__name__}: {e}",
                              details={"traceback": traceback.format_exc(limit=6)})
            res = CheckResult(spec=inst.name, check=check.kind, verdict=out.verdict,
                              expected=check.expect, seconds=time.perf_counter() - t0,
                              message=out.message, method=out.method, details=out.details,
                              certificates=out.certificates, source=str(spec.path),
                              explain=out.explain)
            results.append(res)
            if on_result:
                on_result(res)
    return results


def count_checks(specs: Iterable[Spec]) -> int:
    return sum(len(inst.checks) for spec in specs for inst in spec.instances)
