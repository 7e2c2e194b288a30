"""Check kind ``distribution``: the output distribution equals the target exactly (MODEL.md §4.6).

PROVED means the chosen method (rational arithmetic, every input χ) gives exactly the
target. REFUTED reports the first outcome (in sorted order) whose probabilities differ, with
both, and a concrete run of the simulator (per-round random bits and states) that produces an
outcome more often than the target allows; that run is replayed before it is reported.

Methods (``method =``): ``exact`` (state propagation, :mod:`verify.dlm.semantics`),
``brute-force`` (the simulator on every random outcome), ``bdd`` and ``count`` (BDD and Ganak
projected model counting over the symbolic unrolling, :mod:`verify.distribution.symbolic`),
``both`` (exact and brute force compared) and ``all`` (every method feasible on the DLM: exact
unless a predictor reads another position's random bits or F / G read any, brute force up to
:data:`ALL_BRUTE_FORCE_BITS` random bits, BDD and counting always). Compared methods must agree
on every outcome; a disagreement is an ERROR naming the methods and the outcome.

A method that cannot represent the DLM gives ERROR with the reason, never a verdict: the exact
semantics refuses a predictor reading another position's bits and an F or G reading any random
bit (naming the position and the bit); brute force, BDD and counting give F and G the bit drawn
that round, as the decoder would. A DLM with no output positions is an ERROR (a claim about
zero outputs would hold vacuously), and so is an empty list of inputs χ.
"""
from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction
from typing import Any

from .. import limits
from ..dlm.model import DLM, own_random_only, show, strategy_random_reads
from ..dlm.semantics import (NotIndependent, Rule, SemanticsError, StrategyReadsRandom, all_draws,
                             brute_force_distribution, final_output, output_distribution, random_slots,
                             run)
from ..constructions.base import closed_form_of
from ..distribution.symbolic import bdd_output_distribution, count_output_distribution
from ..distribution.targets import TARGETS, first_difference
from ..verdict import Verdict
from .bounded import Expired, within
from .registry import Context, Outcome, check_kind, rule_option

METHODS = ("exact", "brute-force", "bdd", "count", "both", "all")

#: an outcome key of a ``target = "table"`` (one symbol per output position)
OUTCOME = re.compile(r"[01M]{0,4096}")
#: a probability written as an integer, a fraction or a decimal (no exponent: "1e999999" would
#: be computed in full)
PROBABILITY = re.compile(r"[0-9]{1,60}(/[0-9]{1,60}|\.[0-9]{1,60})?")

#: brute force joins ``method = "all"`` up to this many random bits (2^14 simulator runs)
ALL_BRUTE_FORCE_BITS = 14

_SINGLE = {
    "exact": output_distribution,
    "brute-force": brute_force_distribution,
    "bdd": bdd_output_distribution,
    "count": count_output_distribution,
}


def parse_options(table) -> dict[str, Any]:
    table.declare("table")
    target = table.str("target", choices=tuple(TARGETS) + ("table", "closed-form"))
    opts: dict[str, Any] = {"target": target,
                            "method": table.str("method", "exact", choices=METHODS),
                            "rule": rule_option(table)}
    if target == "table":
        raw = table.raw("table")
        if not isinstance(raw, dict) or not raw:
            raise table.error("table", "expected a table of outcome = \"probability\" pairs")
        dist = {}
        for outcome, prob in raw.items():
            if not OUTCOME.fullmatch(outcome):      # "" is the one outcome of zero output positions
                raise table.error(f"table.{outcome}", f"'{outcome}' is not an outcome: a string over "
                                                      "0, 1 (tokens a, b) and M (still masked)")
            if len(outcome) != len(next(iter(raw))):
                raise table.error(f"table.{outcome}", f"outcome '{outcome}' has {len(outcome)} tokens, "
                                                      f"'{next(iter(raw))}' has {len(next(iter(raw)))}")
            text = str(prob).strip()
            if isinstance(prob, bool) or not isinstance(prob, (int, float, str)) or not PROBABILITY.fullmatch(text):
                raise table.error(f"table.{outcome}", f"'{prob}' is not a probability (write \"1/4\" or \"0.25\")")
            if text.partition("/")[2].strip("0") == "" and "/" in text:
                raise table.error(f"table.{outcome}", f"'{prob}' divides by zero")
            dist[outcome] = Fraction(text)
            if not 0 <= dist[outcome] <= 1:
                raise table.error(f"table.{outcome}", f"probability {prob} is outside [0, 1]")
        if sum(dist.values()) != 1:
            raise table.error("table", f"probabilities sum to {sum(dist.values())}, not 1")
        opts["table"] = dist
    chis = table.raw("inputs", "all")
    if chis != "all" and (not isinstance(chis, list) or not all(
            isinstance(c, str) and set(c) <= {"0", "1"} for c in chis)):
        raise table.error("inputs", "expected \"all\" or a list of bit strings such as \"0110\"")
    if chis == []:
        raise table.error("inputs", "an empty list of inputs checks nothing (write \"all\" or list the inputs)")
    opts["inputs"] = chis
    return opts


def target_too_big(name: str, n: int) -> str:
    """Why the named target over ``n`` outputs is not built (it lists up to 2^n outcomes), or ""."""
    most = limits.current().target_outputs
    if name in TARGETS and n > most:
        return (f"target '{name}' over {n} outputs would list up to 2^{n} outcomes; at most {most} "
                f"outputs (limit target_outputs; raise it with --limit target_outputs=...)")
    return ""


def target_for(opts: dict[str, Any], dlm: DLM) -> dict[str, Fraction]:
    """The target distribution; ``closed-form`` is the generated sampler family's (MODEL.md §1)."""
    if opts["target"] == "table":
        return opts["table"]
    if opts["target"] == "closed-form":
        source = closed_form_of(dlm)
        if source is None:
            raise SemanticsError("target \"closed-form\" needs a subject generated from a sampler "
                                 "family ([construction] generate = ...)")
        return source[1]()
    return TARGETS[opts["target"]](len(dlm.outputs))



def input_assignments(dlm: DLM, chis: Any) -> list[tuple[int, ...]]:
    if chis == "all":
        return list(itertools.product((0, 1), repeat=len(dlm.inputs)))
    return [tuple(int(c) for c in chi) for chi in chis]


def find_run(dlm: DLM, chi, outcome: str, rule: Rule, tries: int = 20000):
    """A list of per-round draws under which the simulator outputs ``outcome``, or None."""
    total = len(random_slots(dlm)) * dlm.rounds
    if total <= 16:
        candidates = all_draws(dlm)
    else:
        rng = random.Random(0)
        slots = random_slots(dlm)
        candidates = ([{s: bool(rng.getrandbits(1)) for s in slots} for _ in range(dlm.rounds)]
                      for _ in range(tries))
    for draws in candidates:
        trace = run(dlm, chi, draws, rule)
        if final_output(dlm, chi, trace) == outcome:
            return trace
    return None


def trace_lines(trace) -> list[str]:
    """One line per round: state, the random bits drawn (position-major), predictions, result."""
    out = []
    for r, t in enumerate(trace):
        bits = "".join(str(int(b)) for _, b in sorted(t.draw.items()))
        out.append(f"  round {r + 1}: {show(t.state)} --r={bits or '-'}--> y={show(t.predictions)} "
                   f"--> {show(t.after)}")
    return out


def _describe_trace(trace) -> list[dict[str, Any]]:
    return [{"round": r + 1, "state": show(t.state),
             "random": {f"r{i}_{k}": int(b) for (i, k), b in sorted(t.draw.items())},
             "predictions": show(t.predictions), "after": show(t.after)}
            for r, t in enumerate(trace)]


def methods_for(dlm: DLM, method: str) -> list[str]:
    """The single methods ``method`` stands for on ``dlm`` (``all``: those feasible on it)."""
    if method == "both":
        return ["exact", "brute-force"]
    if method != "all":
        return [method]
    out = []
    if not any(own_random_only(dlm, i) for i in range(dlm.length)) and not strategy_random_reads(dlm):
        out.append("exact")
    if len(random_slots(dlm)) * dlm.rounds <= ALL_BRUTE_FORCE_BITS:
        out.append("brute-force")
    return out + ["bdd", "count"]


def _method_label(dlm: DLM, method: str) -> str:
    if method in ("both", "all"):
        return f"{method} ({', '.join(methods_for(dlm, method))}) semantics"
    return f"{method} semantics"


def _compute(dlm: DLM, chi, rule: Rule, method: str):
    """``(distribution, None)``, or ``(None, ERROR outcome)`` when the methods cannot run or
    disagree. Raises :class:`SemanticsError` (e.g. a predictor emitted ``11``)."""
    results: dict[str, dict[str, Fraction]] = {}
    for name in methods_for(dlm, method):
        try:
            results[name] = _SINGLE[name](dlm, chi, rule)
        except NotIndependent as e:
            return None, Outcome(Verdict.ERROR, f"{e}; run the 'independence' check", f"{name} semantics",
                                 details=dict(e.details))
        except StrategyReadsRandom as e:
            return None, Outcome(Verdict.ERROR, str(e), f"{name} semantics", details=dict(e.details))
    names = list(results)
    reference = results[names[0]]
    for other in names[1:]:
        diff = first_difference(reference, results[other])
        if diff is not None:
            outcome = diff[0]
            chi_text = f" on input {''.join(map(str, chi))}" if dlm.inputs else ""
            values = ", ".join(f"{n} {results[n].get(outcome, Fraction(0))}" for n in names)
            return None, Outcome(
                Verdict.ERROR,
                f"{names[0]} and {other} semantics disagree at outcome {outcome}{chi_text}: {values}",
                _method_label(dlm, method),
                details={"outcome": outcome, "input": "".join(map(str, chi)),
                         "probabilities": {n: str(results[n].get(outcome, Fraction(0))) for n in names}})
    return reference, None


def _compute_all(dlm: DLM, chis, rule: Rule, method: str) -> list:
    """:func:`_compute` on each input, stopping after the first failure."""
    out = []
    for chi in chis:
        out.append(_compute(dlm, chi, rule, method))
        if out[-1][1] is not None:
            break
    return out


def _target_name(opts, dlm: DLM) -> str:
    if opts["target"] == "closed-form":
        return f"the closed form of {closed_form_of(dlm)[0]}"
    return opts["target"]


@check_kind("distribution", ("dlm",), parse_options,
            "the output distribution equals the target exactly, for every input")
def check_distribution(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    opts = check.options
    rule: Rule = opts["rule"]
    if not dlm.outputs:
        return Outcome(Verdict.ERROR, "the DLM has no output positions: a distribution claim over zero "
                                      "outputs would hold vacuously", details={"outputs": 0})
    too_big = target_too_big(opts["target"], len(dlm.outputs))
    if too_big:
        return Outcome(Verdict.ERROR, too_big)
    try:
        target = target_for(opts, dlm)
    except SemanticsError as e:
        return Outcome(Verdict.ERROR, str(e))
    method = opts["method"]
    chis = input_assignments(dlm, opts["inputs"])
    for chi in chis:
        if len(chi) != len(dlm.inputs):
            return Outcome(Verdict.ERROR, f"input {''.join(map(str, chi))} has {len(chi)} bits, "
                                          f"the DLM has {len(dlm.inputs)} input positions")
    try:
        # every method on every input, in one child process killed at --timeout (issue 10.5)
        computed = within(ctx.timeout, _compute_all, dlm, chis, rule, method)
    except Expired as e:
        return Outcome(Verdict.UNKNOWN, f"the {_method_label(dlm, method)} did not finish: {e}",
                       _method_label(dlm, method))
    except SemanticsError as e:
        return Outcome(Verdict.ERROR, str(e), method, details=dict(e.details))
    for chi, (actual, failure) in zip(chis, computed):
        if failure is not None:
            return failure
        if sum(actual.values()) != 1:
            return Outcome(Verdict.ERROR, f"internal: probabilities sum to {sum(actual.values())}")
        diff = first_difference(actual, target)
        if diff is None:
            continue
        outcome, p_actual, p_target = diff
        chi_text = "".join(map(str, chi))
        # replay: an outcome the DLM produces more often than the target allows
        over = next(o for o in sorted(actual) if actual[o] > target.get(o, Fraction(0)))
        trace = find_run(dlm, chi, over, rule)
        if trace is None:
            return Outcome(Verdict.ERROR, f"outcome {over} has exact probability {actual[over]} but no "
                                          f"simulator run producing it was found", method)
        where = f" on input {chi_text}" if dlm.inputs else ""
        return Outcome(
            Verdict.REFUTED,
            f"outcome {outcome}{where}: probability {p_actual}, target {p_target}",
            _method_label(dlm, method),
            details={"input": chi_text, "outcome": outcome, "probability": str(p_actual),
                     "target_probability": str(p_target),
                     "replayed": {"outcome": over, "probability": str(actual[over]),
                                  "target_probability": str(target.get(over, Fraction(0))),
                                  "rounds": _describe_trace(trace)}},
            explain=[f"replayed on the simulator: outcome {over} (probability {actual[over]}, "
                     f"target {target.get(over, Fraction(0))})"] + trace_lines(trace))
    n_in = len(input_assignments(dlm, opts["inputs"]))
    return Outcome(Verdict.PROVED,
                   f"equals {_target_name(opts, dlm)} exactly ({len(target)} outcomes"
                   + (f", {n_in} inputs" if dlm.inputs else "") + ")",
                   _method_label(dlm, method))
