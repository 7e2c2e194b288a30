"""Run every check of every spec instance and collect :class:`CheckResult` s."""
from __future__ import annotations

import time
import traceback
from collections import Counter
from typing import Callable, Iterable

from .checks.registry import Context, for_subject, load_all, rule_of
from .phase import set_phase
from .specs import SUBJECT_IS, Spec
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
                kind = inst.subject_kind
                impl = for_subject(check.kind, kind)
                if kind not in impl.subjects:
                    impl = for_subject(check.kind, SUBJECT_IS.get(kind, kind))
                out = impl.run(inst, check, ctx)
            except KeyboardInterrupt as e:
                # the check was stopped (its child processes killed on the way out): report it
                # as interrupted, never as a verdict, and let the caller write partial reports
                signame = getattr(e, "name", "SIGINT")
                res = CheckResult(spec=inst.name, check=check.kind, verdict=Verdict.UNKNOWN,
                                  expected=check.expect, seconds=time.perf_counter() - t0,
                                  message=f"interrupted by {signame}", method="interrupted",
                                  details={"interrupted": signame},
                                  source=str(spec.path) if source is None else source,
                                  rule=rule_of(check.options, None), check_id=check_id)
                set_phase(None)
                results.append(res)
                if on_result:
                    on_result(res)
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
                              explain=out.explain, rule=rule_of(check.options, out),
                              check_id=check_id)
            set_phase(None)
            results.append(res)
            _retract_stale(ctx, inst, check, res)
            if on_result:
                on_result(res)
    return results


def _retract_stale(ctx: Context, inst, check, res: CheckResult) -> None:
    """Remove the stored certificates of this claim's check that this run did not produce:
    a claim no longer PROVED keeps none, and one proved by other obligations keeps only those
    (issue 10). Only files a manifest of the store names, with matching hashes, are removed."""
    if not ctx.write_certificates:
        return
    from .store import Store, claim_record
    if ctx.store is None:
        ctx.store = Store(ctx.proofs_dir)
    if res.verdict is not Verdict.PROVED:
        # a check that is not PROVED keeps no certificate, including those its earlier
        # obligations wrote during this run (the index was read before they existed)
        ctx.store.refresh()
    ctx.store.retract(claim_record(inst, check), keep=[p for p in res.certificates if p.endswith(".json")])


def count_checks(specs: Iterable[Spec]) -> int:
    return sum(len(inst.checks) for spec in specs for inst in spec.instances)
