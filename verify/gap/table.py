"""The gap table (MODEL.md §6): for each ``(n, T, mode, semantics)`` the least locality for
which a DLM producing ``D⊕n`` exists, with the certificates for every smaller locality."""
from __future__ import annotations

import dataclasses
import time
from typing import Callable

from pysat.card import ITotalizer
from pysat.solvers import Solver

from ..checks.registry import Context
from ..dlm.model import Mode
from .check import decide, establish
from .classes import GapClass
from .encode import bound, encode, read_candidates
from .progress import as_progress, report_phase
from .search import Result, cegar, certify_class, timeout_message


def min_locality(n: int, rounds: int, mode: Mode, semantics: str, ctx: Context, *,
                 k_max: int | None = None, max_candidates: int = 5000,
                 progress: Callable[[str], None] | None = None,
                 predictor_model: str = "self-unmask", incremental: bool = True) -> dict:
    """Try ``k = 0, 1, ...``: UNSAT (certified) for each k below the answer, then a witness.

    ``min_locality`` is set only if every smaller k was refuted with an accepted certificate
    and the witness at that k was re-verified; otherwise the entry says where it stopped.
    ``incremental``: one encoding and one solver for every k (:func:`incremental_decisions`);
    else each k is encoded and solved on its own. The certificates are the same per-k files.
    """
    k_max = n if k_max is None else min(k_max, n)
    entry = {"n": n, "rounds": rounds, "mode": mode.value, "semantics": semantics,
             "predictor_model": predictor_model, "status": "complete", "rho": 1 if semantics == "exact" else None,
             "min_locality": None, "certificates": [], "witness": None, "steps": [],
             "seconds": 0.0, "complete": True}
    progress = as_progress(progress)
    bounds = range(0, k_max + 1)

    def make(k: int) -> GapClass:
        return GapClass(n, rounds, mode, semantics, k, predictor_model=predictor_model)
    if incremental:
        decisions = incremental_decisions(make, bounds, ctx, max_candidates=max_candidates,
                                          progress=progress)
    else:
        decisions = _one_by_one(make, bounds, ctx, progress, max_candidates=max_candidates)
    return _least(entry, "min_locality", "locality", decisions, progress)


def _one_by_one(make_class, bounds, ctx: Context, progress, **decide_options):
    """(class, decision) for each bound in turn, each class encoded and solved on its own."""
    for bound in bounds:
        cls = make_class(bound)
        if progress:
            progress(f"{cls.label()} ...")
        yield cls, decide(cls, ctx, progress=progress, **decide_options)


def incremental_decisions(make_class, bounds, ctx: Context, *, max_candidates: int = 5000,
                          progress=None, solver: str = "cadical153"):
    """(class, decision) for k in ``bounds`` (increasing localities), from one encoding and one
    incremental solver.

    The class CNF without its bound (:func:`verify.gap.encode.encode`) is the same for every k;
    one totalizer per position over its read selectors gives literals ``rhs[k]`` ("reads more
    than k"), so ``|S_i| <= k`` is the assumption ``-rhs[k]``. The solver answers k = 0, 1, ...
    under assumptions, keeping what it learnt, until the first witness (exact semantics: CEGAR,
    the blocking clauses hold for every k and are kept). Then each refuted k is certified on its
    own CNF exactly as :func:`verify.gap.search.solve_class` would write it (the class CNF, the
    sequential-counter bound for k, and the blocking clauses found up to k's refutation): a
    standard DIMACS + DRAT certificate of the per-k formula, checked by the trusted checker.
    ``ctx.timeout`` bounds each k (its incremental solving plus its certification).
    """
    ks = list(bounds)
    first = make_class(ks[0])
    label = f"{first.label().rsplit(' k=', 1)[0]} k={ks[0]}..{ks[-1]}"
    report_phase(progress, label, "encoding (once for every k)")
    enc = encode(first)
    base_top = enc.pool.top
    extra, top, rhs = [], base_top, []
    for i in range(first.n):
        lits = [enc.var("sel", i, j) for j in read_candidates(first, i)]
        tot = ITotalizer(lits, ubound=len(lits), top_id=top)
        top = tot.top_id
        extra += tot.cnf.clauses
        rhs.append(tot.rhs)
        tot.delete()
    assert enc.pool.top == base_top, "the selectors must exist before the totalizers"
    directory = ctx.proofs_dir / "gap"
    certify_dir = directory if ctx.write_certificates else None
    blocked: list[list[int]] = []
    found = []
    with Solver(name=solver, bootstrap_with=enc.clauses + extra) as s:
        for k in ks:
            cls = make_class(k)
            t0 = time.monotonic()
            res = Result(cls, "UNKNOWN", variables=enc.num_vars,
                         method="sat" if cls.semantics == "support" else "cegar")
            res.status, res.witness, why = cegar(
                s, solver, dataclasses.replace(enc, cls=cls), blocked, t0 + ctx.timeout,
                assumptions=[-r[k] for r in rhs if k < len(r)], max_candidates=max_candidates,
                progress=progress)
            res.message = timeout_message(ctx.timeout, why) if why == "solving" else why
            res.blocked = len(blocked)
            res.seconds = time.monotonic() - t0
            if enc.pool.top != base_top:   # a new variable would share a number with a totalizer's
                raise RuntimeError("engine bug: the incremental search allocated a class variable")
            found.append(res)
            if res.status == "SAT":
                break
    for res in found:
        cls = res.cls
        if res.status == "UNSAT":
            t0 = time.monotonic()
            enc.pool.top = base_top     # number the bound's counter variables as a fresh encoding would
            clauses = enc.clauses + bound(enc, cls.locality) + blocked[:res.blocked]
            certify_class(res, clauses, enc.pool.top, res.blocked, certify_dir,
                          t0 + ctx.timeout - res.seconds, ctx.timeout, solver, progress)
            res.variables = enc.pool.top
            res.seconds += time.monotonic() - t0
        else:
            res.clauses = len(enc.clauses)
        report_phase(progress, cls.label(), None)
        yield cls, establish(res, directory)


def _least(entry: dict, answer_key: str, step_key: str, decisions,
           progress: Callable[[str], None] | None) -> dict:
    """The one search behind every table column: ``decisions`` yields (class, decision) in
    increasing order of the bound; a certified "none" adds its certificates and goes on; the
    first "exists" ends the search, as the answer if every smaller bound was certified, else as
    an upper bound; an unknown step makes the entry incomplete (a number is never made up)."""
    t0 = time.perf_counter()
    for cls, got in decisions:
        bound = cls.size if cls.template else cls.locality
        d = got["details"]
        entry["steps"].append({step_key: bound, "fact": got["fact"], "method": got["method"],
                               "clauses": d["clauses"], "seconds": d["seconds"],
                               "proof_bytes": d["proof_bytes"], "message": got["message"]})
        if progress:
            progress(f"{cls.label()}: {got['fact'] or 'unknown'} ({d['seconds']} s, {d['clauses']} clauses)"
                     + ("" if got["fact"] else f": {got['message']}"))
        if got["fact"] == "none":
            entry["certificates"] += got["certificates"]
            continue
        if got["fact"] == "exists":
            entry[answer_key if entry["complete"] else "upper_bound"] = bound
            entry["witness"] = got["certificates"][0]
            break
        entry["complete"] = False     # unknown / error here: keep looking for an upper bound
        entry["status"] = "timeout" if "timeout" in got["message"] else "unknown"
    entry["seconds"] = round(time.perf_counter() - t0, 3)
    return entry


def min_template_size(n: int, rounds: int, mode: Mode, ctx: Context, *, s_max: int = 8,
                      progress: Callable[[str], None] | None = None) -> dict:
    """The depth-2 template bound (support semantics): try ``s = 0, 1, ...`` like
    :func:`min_locality`; ``min_size`` is set only when every smaller s has an accepted
    certificate and the witness at s was re-verified by the exact semantics."""
    entry = {"n": n, "rounds": rounds, "mode": mode.value, "semantics": "support",
             "bound": "template", "status": "complete", "min_size": None, "certificates": [], "witness": None,
             "steps": [], "seconds": 0.0, "complete": True}
    progress = as_progress(progress)
    return _least(entry, "min_size", "size",
                  _one_by_one(lambda size: GapClass(n, rounds, mode, "support", bound="template", size=size),
                              range(0, s_max + 1), ctx, progress), progress)


def parse_range(text: str) -> list[int]:
    """``"3..6"`` -> [3, 4, 5, 6]; ``"3,5"`` -> [3, 5]; ``"4"`` -> [4]."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if ".." in part:
            lo, hi = (int(p) for p in part.split("..", 1))
            out.extend(range(lo, hi + 1))
        elif part:
            out.append(int(part))
    return out
