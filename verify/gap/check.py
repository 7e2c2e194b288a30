"""The ``[gap]`` spec subject and the check kinds ``gap`` and ``support`` (MODEL.md §6).

A ``[gap]`` subject names one finite class of DLMs with ``L = n``::

    [gap]
    n = 4
    rounds = 3
    mode = "plain"                 # plain, remask, revise, remask+revise
    semantics = "exact"            # support | exact
    predictor_model = "self-unmask"
    locality = 2                   # the bound k
    # or: bound = "template" and s = 3 (each predictor output bit a DNF of <= s terms over
    # m_j, v_j of every position and r_i, and in remask modes G_i's bit a DNF of <= s terms
    # over zm_j, zv_j; self-unmask, every mode, support or exact; verify/gap/template.py)
    rho = 1                        # random bits per position and round (exact semantics)
    remask_reads = "z"             # remask modes: G_i reads z_j ("z") or (x_j, z_j) ("xz")
    rule = "enforce"               # "literal" for predictor_model = "full" (verify/gap/full.py)

and a ``[[check]] kind = "gap"`` states a claim about it: ``claim = "exists"`` (some DLM of the
class produces ``D⊕n``: its support, or exactly, by the semantics) or ``claim = "none"``.
Optional keys of the check: ``max_candidates`` (exact semantics: give up after this many
refuted candidates) and ``timeout`` (seconds for this claim, solve and certify, when it needs
more than the run's ``--timeout``; a larger ``--timeout`` still wins). Verdicts:

* PROVED: the claim is established: ``exists`` by a witness DLM written as a spec file and
  re-verified by the exact semantics (:func:`verify.dlm.semantics.output_distribution`);
  ``none`` by UNSAT with a certificate (LRAT, or DRAT with ``proof = "drat"``) accepted by the
  trusted checker (in exact semantics, of the CNF plus the blocking clauses of the engine's exact
  evaluator; the verdict line says what it rests on: :func:`verify.gap.statement.rests_on`).
* REFUTED: the opposite is established, with the witness or the accepted certificate.
* UNKNOWN: timeout, or UNSAT whose certificate was not accepted (or could not be made).
* ERROR: a witness failed its re-verification (a bug in the engine: never a pass).

The check kind ``support`` (for ``[dlm]`` subjects) says the set of outputs with positive
probability, under the exact semantics, is exactly the target's support; it re-checks the
support witnesses the engine writes.
"""
from __future__ import annotations

import dataclasses

import itertools
from pathlib import Path
from typing import Any

from .. import limits
from ..checks.bounded import Expired, within
from ..checks.distribution import target_too_big
from ..checks.registry import Context, Outcome, check_kind
from ..distribution.targets import TARGETS
from ..dlm.model import Mode
from ..specs import subject
from ..store import claim_record
from ..verdict import Verdict
from .classes import (BOUNDS, PREDICTOR_MODELS, REMASK_READS, RULES, SEMANTICS, GapClass,
                      GapClassError)
from .statement import rests_on


@subject("gap")
def build_gap(table, env: dict[str, Any], base: Path) -> GapClass:
    table.declare("s", "locality")
    lim = limits.current()
    n = table.int("n", minimum=2, maximum=lim.length, limit="length")
    rounds = table.int("rounds", minimum=1, maximum=lim.rounds, limit="rounds")
    mode = Mode(table.str("mode", choices=tuple(m.value for m in Mode)))
    semantics = table.str("semantics", choices=SEMANTICS)
    model = table.str("predictor_model", "self-unmask", choices=PREDICTOR_MODELS)
    bound = table.str("bound", "locality", choices=BOUNDS)
    if bound == "template":
        k = 0
        size = table.int("s", minimum=0, maximum=lim.length, limit="length")
    else:
        k = table.int("locality", minimum=0, maximum=n)
        size = 0
    rho = table.int("rho", 1, minimum=1, maximum=lim.random_bits, limit="random_bits")
    remask_reads = table.str("remask_reads", "z", choices=REMASK_READS)
    rule = table.str("rule", "enforce", choices=RULES)
    table.finish()
    try:
        return GapClass(n, rounds, mode, semantics, k, rho, model, bound, size, remask_reads, rule)
    except GapClassError as e:
        raise table.error(None, str(e)) from None


def _parse_gap(table) -> dict[str, Any]:
    return {"claim": table.str("claim", choices=("exists", "none")),
            "max_candidates": table.int("max_candidates", 5000, minimum=1),
            # the claim's own time budget in seconds (solve + certify), when it needs more than
            # the run's --timeout; a larger --timeout still wins
            "timeout": table.int("timeout", minimum=1, maximum=int(limits.current().timeout), limit="timeout")
            if table.has("timeout") else None,
            # proof format of the certificate (default: the run's --proof, else LRAT)
            "proof": table.str("proof", choices=("lrat", "drat")) if table.has("proof") else None}


def decide(cls: GapClass, ctx: Context, max_candidates: int = 5000, progress=None,
           claim: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the engine on one class and establish what it found.

    Returns ``{"fact": "exists" | "none" | None, "message", "method", "certificates",
    "details"}``; ``fact`` is set only when established (witness re-verified, or certificate
    accepted). Raises nothing for solver trouble: that is ``fact = None``.
    """
    from .search import solve_class
    from .witness import verify_witness, write_spec

    directory = ctx.proofs_dir / "gap"
    res = solve_class(cls, certify_dir=directory if ctx.write_certificates else None,
                      timeout=ctx.timeout, max_candidates=max_candidates, progress=progress, claim=claim,
                      proof_format=ctx.proof_format)
    details = {"status": res.status, "clauses": res.clauses, "variables": res.variables,
               "seconds": round(res.seconds, 3), "blocked_candidates": res.blocked,
               "proof_bytes": res.proof_bytes}
    if res.status == "SAT":
        w = res.witness
        path = directory / f"{cls.key()}.witness.toml"
        write_spec(w, path, f"gap-witness-{cls.key()}")
        try:   # the exact semantics, in a child killed at --timeout (issue 10.5)
            ok, msg = within(ctx.timeout, verify_witness, w, path)
        except Expired as e:
            return {"fact": None, "message": f"witness {path} found; its re-verification did not finish: {e}",
                    "method": res.method, "certificates": [str(path)], "details": details}
        details["read_sets"] = [list(s) for s in w.reads]
        if w.template is not None:
            return {"fact": "exists" if ok else "error",
                    "message": (f"witness DLM {path} ({msg}); DNF templates with <= {cls.size} terms"
                                if ok else f"witness failed re-verification: {msg}"),
                    "method": f"{res.method} witness + exact semantics", "certificates": [str(path)],
                    "details": details}
        if not ok:
            return {"fact": "error", "message": f"witness failed re-verification: {msg}",
                    "method": res.method, "certificates": [str(path)], "details": details}
        return {"fact": "exists", "message": f"witness DLM {path} ({msg}); read sets "
                + " ".join("{" + ",".join(map(str, s)) + "}" for s in w.reads),
                "method": f"{res.method} witness + exact semantics", "certificates": [str(path)],
                "details": details}
    if res.status == "UNSAT" and res.certified:
        return {"fact": "none", "message": f"UNSAT, certificate accepted ({res.clauses} clauses); "
                f"rests on {rests_on(res.blocked)}",
                "method": f"{res.method}+{res.proof_format.upper()}", "certificates": res.certificates,
                "details": details}
    note = res.message or "no answer"
    if res.status == "UNSAT":
        note = f"UNSAT but not certified: {note}"
    return {"fact": None, "message": note, "method": res.method, "certificates": res.certificates,
            "details": details}


@check_kind("gap", ("gap",), _parse_gap,
            "a DLM of the class produces the even-parity target (claim 'exists') or none does ('none')")
def check_gap(instance, check, ctx: Context) -> Outcome:
    cls: GapClass = instance.subject
    budget = check.options.get("timeout")
    if budget is not None and budget > ctx.timeout:
        ctx = dataclasses.replace(ctx, timeout=float(budget))
    if check.options.get("proof"):
        ctx = dataclasses.replace(ctx, proof_format=check.options["proof"])
    got = decide(cls, ctx, check.options["max_candidates"], claim=claim_record(instance, check))
    claim = check.options["claim"]
    if got["fact"] == "error":
        verdict = Verdict.ERROR
    elif got["fact"] is None:
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.PROVED if got["fact"] == claim else Verdict.REFUTED
    return Outcome(verdict, got["message"], got["method"], details=got["details"],
                   certificates=got["certificates"])


def _parse_support(table) -> dict[str, Any]:
    return {"target": table.str("target", choices=tuple(TARGETS))}


@check_kind("support", ("dlm",), _parse_support,
            "the outputs of positive probability are exactly the target's support")
def check_support(instance, check, ctx: Context) -> Outcome:
    from ..dlm.semantics import SemanticsError, output_distribution
    dlm = instance.subject
    too_big = target_too_big(check.options["target"], len(dlm.outputs))
    if too_big:
        return Outcome(Verdict.ERROR, too_big)
    target = TARGETS[check.options["target"]](len(dlm.outputs))
    try:
        dist = within(ctx.timeout, output_distribution, dlm)   # killed at --timeout (issue 10.5)
    except Expired as e:
        return Outcome(Verdict.UNKNOWN, f"the exact semantics did not finish: {e}", "exact semantics (support)")
    except SemanticsError as e:
        return Outcome(Verdict.ERROR, str(e), "exact semantics")
    got, want = {o for o, p in dist.items() if p > 0}, {o for o, p in target.items() if p > 0}
    if got == want:
        return Outcome(Verdict.PROVED, f"support is exactly the {len(want)} outcomes of {check.options['target']}",
                       "exact semantics (support)")
    extra, missing = sorted(got - want), sorted(want - got)
    what = f"produces {extra[0]}, outside the target" if extra else f"never produces {missing[0]}"
    return Outcome(Verdict.REFUTED, what, "exact semantics (support)",
                   details={"extra": extra[:20], "missing": missing[:20]})


def even_strings(n: int) -> set[str]:
    return {"".join(s) for s in itertools.product("01", repeat=n) if s.count("1") % 2 == 0}
