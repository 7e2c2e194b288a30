"""The gap table (MODEL.md §6): for each ``(n, T, mode, semantics)`` the least locality for
which a DLM producing ``D⊕n`` exists, with the certificates for every smaller locality."""
from __future__ import annotations

import time
from typing import Callable

from ..checks.registry import Context
from ..dlm.model import Mode
from .check import decide
from .classes import GapClass


def min_locality(n: int, rounds: int, mode: Mode, semantics: str, ctx: Context, *,
                 k_max: int | None = None, max_candidates: int = 5000,
                 progress: Callable[[str], None] | None = None,
                 predictor_model: str = "self-unmask", rho: int = 1, remask_reads: str = "z",
                 rule: str = "enforce") -> dict:
    """Try ``k = 0, 1, ...``: UNSAT (certified) for each k below the answer, then a witness.

    ``min_locality`` is set only if every smaller k was refuted with an accepted certificate
    and the witness at that k was re-verified; otherwise the entry says where it stopped.
    """
    k_max = n if k_max is None else min(k_max, n)
    entry = {"n": n, "rounds": rounds, "mode": mode.value, "semantics": semantics,
             "predictor_model": predictor_model, "status": "complete", "rho": rho if semantics == "exact" else None,
             "min_locality": None, "certificates": [], "witness": None, "steps": [],
             "seconds": 0.0, "complete": True}
    if predictor_model == "full" or remask_reads == "xz":
        entry.update(remask_reads=remask_reads if mode.allows_remask else None, rule=rule)
    return _least(entry, "min_locality", "locality", range(0, k_max + 1),
                  lambda k: GapClass(n, rounds, mode, semantics, k, rho if semantics == "exact" else 1,
                                     predictor_model=predictor_model,
                                     remask_reads=remask_reads if mode.allows_remask else "z",
                                     rule=rule),
                  ctx, progress, max_candidates=max_candidates)


def _least(entry: dict, answer_key: str, step_key: str, bounds, make_class, ctx: Context,
           progress: Callable[[str], None] | None, **decide_options) -> dict:
    """The one search behind every table column: for each bound in increasing order decide the
    class; a certified "none" adds its certificates and goes on; the first "exists" ends the
    search, as the answer if every smaller bound was certified, else as an upper bound; an
    unknown step makes the entry incomplete (a number is never made up)."""
    t0 = time.perf_counter()
    for bound in bounds:
        cls = make_class(bound)
        got = decide(cls, ctx, progress=progress, **decide_options)
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


def min_template_size(n: int, rounds: int, mode: Mode, ctx: Context, *, semantics: str = "support",
                      s_max: int = 8, max_candidates: int = 5000,
                      progress: Callable[[str], None] | None = None) -> dict:
    """The depth-2 template bound: try ``s = 0, 1, ...`` like :func:`min_locality`;
    ``min_size`` is set only when every smaller s has an accepted certificate and the witness
    at s was re-verified by the exact semantics."""
    entry = {"n": n, "rounds": rounds, "mode": mode.value, "semantics": semantics,
             "bound": "template", "rho": 1, "status": "complete", "min_size": None, "certificates": [],
             "witness": None, "steps": [], "seconds": 0.0, "complete": True}
    return _least(entry, "min_size", "size", range(0, s_max + 1),
                  lambda size: GapClass(n, rounds, mode, semantics, bound="template", size=size),
                  ctx, progress, max_candidates=max_candidates)


def parse_range(text: str) -> list[int]:
    """``"3..6"`` -> [3, 4, 5, 6]; ``"3,5"`` -> [3, 5]; ``"4"`` -> [4]. Raises ValueError on
    anything else, an empty range such as ``"5..3"`` included (its message says which)."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if ".." in part:
            lo, hi = (_small_int(p) for p in part.split("..", 1))
            if lo > hi:
                raise ValueError(f"'{part}' is an empty range (write {hi}..{lo})")
            out.extend(range(lo, hi + 1))
        elif part:
            out.append(_small_int(part))
        if len(out) > 1000:   # before a range of 10^10 is built
            raise ValueError("more than 1000 values")
    return out


def _small_int(text: str) -> int:
    """ASCII digits, at most 6 of them (gap classes are small; ``int`` would also take
    other scripts' digits and 10^4300-digit strings)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise ValueError(f"'{text}' is not a small integer")
    return int(text)
