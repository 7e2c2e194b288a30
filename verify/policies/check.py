"""Check kinds for the ``[sampler]`` subject (MODEL.md §7): ``distribution``, ``tv``, ``kl``,
``li-cai``.

* ``distribution``: the policy's exact output distribution equals the target (``method =
  "exact"``: state propagation; ``"brute-force"``: every random choice enumerated; ``"both"``:
  both, which must agree). REFUTED names the outcome whose probability is most off, with the
  exact TV and KL; when the instance is small the brute force confirms those probabilities.
* ``tv``: ``TV(target, output) <= epsilon`` (a rational).
* ``kl``: ``KL(target ‖ output) <= epsilon`` or ``= equals`` (forms such as ``"ln 2"``);
  ``direction = "reverse"`` for ``KL(output ‖ target)``. Decided exactly (:mod:`.logs`);
  UNKNOWN when the precision cap is reached.
* ``li-cai``: for every schedule in ``schedules`` (``"all"``: every composition of L; or a
  list of schedules; or ``parts = T``: the compositions into T parts), the expected KL over the
  random mask sets of the random-order sampler with the ideal denoiser against the bound
  ``(2^⌈log2 s_max⌉ − 1)/L · Σ_i I(X_i ; X_{−i})``. ``claim = "bound"`` (default): PROVED when
  it holds for all; ``claim = "attained"``: PROVED when it holds with equality for all.
  ``method = "entropy"`` (chain rule over subset entropies), ``"propagate"`` (every mask
  sequence's output by the semantics) or ``"both"`` (must agree exactly).

Every sentence comes from :func:`sentence`, which names the policy, denoiser and target.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..checks.registry import Context, Outcome, check_kind
from ..verdict import Verdict
from .brute import brute_force_distribution
from .custom import CustomPolicyError, load_function
from .denoiser import IdealDenoiser
from .divergence import (INFINITE, compositions, expected_kl_entropy, expected_kl_propagate, kl,
                         li_cai_bound, most_off, mutual_information_sum, subset_entropies, total_variation)
from .logs import LogForm, Undecided, parse_form
from .policy import Policy
from .semantics import NotRevealed, output_distribution
from .spec import Sampler
from .targets import PolicyModelError

#: brute force confirms a refuted distribution when the instance is at most this big (L·V)
CONFIRM_LIMIT = 9


def sentence(s: Sampler, what: str, with_policy: bool = True) -> str:
    """The one sentence of a sampler claim: what was established, about exactly what (the
    li-cai check is about the random-order sampler, not the subject's policy)."""
    about = s.describe() if with_policy else (
        f"{s.denoiser.description}, target {s.target.name} (L={s.target.length}, V={s.target.size})")
    return f"{what} [{about}; exact rational semantics]"


def show_form(f: LogForm | str) -> str:
    return "∞" if f == INFINITE else f"{f} ≈ {f.approx(6)}"


def resolve(s: Sampler, ctx: Context) -> Policy:
    if s.policy is not None:
        return s.policy
    if s.custom is None:
        raise PolicyModelError("this check needs a policy ([sampler] policy = ...)", "policy")
    if not ctx.allow_code:
        raise PermissionError(f"custom policy '{s.custom[0].name}:{s.custom[1]}' is Python code; "
                              "it is loaded only when the run passes --allow-code")
    fn = load_function(*s.custom)
    return Policy("custom", s.target.length, custom=fn, custom_steps=s.custom_steps)


def _output(s: Sampler, ctx: Context, method: str = "exact"):
    """(distribution, undefined mass, method text) or an ERROR Outcome."""
    try:
        pol = resolve(s, ctx)
        out = output_distribution(pol, s.denoiser)
        if method in ("brute-force", "both"):
            bf = brute_force_distribution(pol, s.denoiser)
            if method == "brute-force":
                return bf, out.undefined_mass, "brute force over every random choice"
            if bf != out.dist:
                x, a, b = most_off(out.dist, bf)
                return Outcome(Verdict.ERROR, f"exact semantics and brute force disagree at "
                                              f"{s.target.show(x)}: {a} vs {b}")
            return out.dist, out.undefined_mass, "exact semantics and brute force (agree)"
        return out.dist, out.undefined_mass, "exact semantics (state propagation)"
    except (PolicyModelError, PermissionError, NotRevealed, CustomPolicyError, ValueError) as e:
        return Outcome(Verdict.ERROR, str(e))


def _details(s: Sampler, dist, undefined: Fraction) -> dict[str, Any]:
    return {"target": s.target.name, "policy": s.policy.describe() if s.policy else "custom",
            "undefined_context_mass": str(undefined),
            "output": {s.target.show(x): str(p) for x, p in sorted(dist.items())}}


def _undefined_note(undefined: Fraction) -> str:
    return f"; runs reaching a context of target probability 0: {undefined}" if undefined else ""


def _method_option(table) -> dict[str, Any]:
    return {"method": table.str("method", "exact", choices=("exact", "brute-force", "both"))}


@check_kind("distribution", ("sampler",), _method_option,
            "the policy's output distribution equals the target exactly")
def run_distribution(inst, check, ctx: Context) -> Outcome:
    s: Sampler = inst.subject
    got = _output(s, ctx, check.options["method"])
    if isinstance(got, Outcome):
        return got
    dist, undefined, method = got
    details = _details(s, dist, undefined)
    if dist == s.target.support():
        return Outcome(Verdict.PROVED, sentence(s, f"output equals the target exactly ({len(dist)} outcomes)")
                       + _undefined_note(undefined), method, details)
    x, want, have = most_off(s.target.probs, dist)
    d = kl(s.target.probs, dist)
    tv = total_variation(s.target.probs, dist)
    details.update(kl=str(d), tv=str(tv), most_off=s.target.show(x))
    explain = [f"most off: {s.target.show(x)}: probability {have}, target {want}",
               f"KL(target ‖ output) = {show_form(d)};  TV = {tv}"]
    if s.target.length * s.target.size <= CONFIRM_LIMIT and s.policy is not None and s.policy.name != "custom":
        bf = brute_force_distribution(s.policy, s.denoiser)
        if bf.get(x, Fraction(0)) != have:
            return Outcome(Verdict.ERROR, f"brute force gives {bf.get(x, 0)} for {s.target.show(x)}, "
                                          f"the semantics {have}", method, details)
        explain.append("confirmed by brute force over every random choice")
    return Outcome(Verdict.REFUTED, f"outcome {s.target.show(x)}: probability {have}, target {want}; "
                                    f"KL = {show_form(d)}" + _undefined_note(undefined),
                   method, details, explain=explain)


def _parse_tv(table) -> dict[str, Any]:
    opts = _method_option(table)
    try:
        opts["epsilon"] = Fraction(str(table.raw("epsilon")))
    except (ValueError, ZeroDivisionError):
        raise table.error("epsilon", "expected a rational, e.g. \"1/10\"") from None
    if opts["epsilon"] < 0:
        raise table.error("epsilon", "expected a rational >= 0")
    return opts


@check_kind("tv", ("sampler",), _parse_tv, "total variation between target and output <= epsilon")
def run_tv(inst, check, ctx: Context) -> Outcome:
    s: Sampler = inst.subject
    got = _output(s, ctx, check.options["method"])
    if isinstance(got, Outcome):
        return got
    dist, undefined, method = got
    tv = total_variation(s.target.probs, dist)
    eps = check.options["epsilon"]
    details = dict(_details(s, dist, undefined), tv=str(tv))
    if tv <= eps:
        return Outcome(Verdict.PROVED, sentence(s, f"TV(target, output) = {tv} <= {eps}") + _undefined_note(undefined),
                       method, details)
    x, want, have = most_off(s.target.probs, dist)
    return Outcome(Verdict.REFUTED, f"TV = {tv} > {eps}; most off: {s.target.show(x)}: {have}, target {want}",
                   method, details)


def _form_option(table, name: str) -> LogForm:
    try:
        return parse_form(str(table.raw(name)))
    except (ValueError, ZeroDivisionError) as e:
        raise table.error(name, f"expected a rational or a sum like '1/2 * ln 3 - 1/10': {e}") from None


def _parse_kl(table) -> dict[str, Any]:
    opts = _method_option(table)
    opts["direction"] = table.str("direction", "forward", choices=("forward", "reverse"))
    has_eps, has_eq = table.has("epsilon"), table.has("equals")
    if has_eps == has_eq:
        raise table.error("epsilon", "give exactly one of 'epsilon' (KL <= epsilon) and 'equals' (KL = value)")
    opts["relation"] = "le" if has_eps else "eq"
    opts["value"] = _form_option(table, "epsilon" if has_eps else "equals")
    return opts


@check_kind("kl", ("sampler",), _parse_kl, "KL(target ‖ output) <= epsilon (or = equals), decided exactly")
def run_kl(inst, check, ctx: Context) -> Outcome:
    s: Sampler = inst.subject
    got = _output(s, ctx, check.options["method"])
    if isinstance(got, Outcome):
        return got
    dist, undefined, method = got
    forward = check.options["direction"] == "forward"
    d = kl(s.target.probs, dist) if forward else kl(dist, s.target.probs)
    name = "KL(target ‖ output)" if forward else "KL(output ‖ target)"
    value: LogForm = check.options["value"]
    rel = check.options["relation"]
    details = dict(_details(s, dist, undefined), kl=str(d), direction=check.options["direction"])
    if d == INFINITE:
        return Outcome(Verdict.REFUTED, f"{name} is infinite (an outcome of positive probability gets 0)",
                       method, details)
    try:
        sign = (d - value).sign()
    except Undecided as e:
        return Outcome(Verdict.UNKNOWN, f"{name} = {show_form(d)}: {e}", method, details)
    text = f"{name} = {show_form(d)}"
    ok = sign == 0 if rel == "eq" else sign <= 0
    op = "=" if rel == "eq" else "<="
    if ok:
        return Outcome(Verdict.PROVED, sentence(s, f"{text} {op} {value} (decided exactly)") + _undefined_note(undefined),
                       method + ", exact log forms", details)
    return Outcome(Verdict.REFUTED, f"{text}, not {op} {value}", method + ", exact log forms", details)


def _parse_li_cai(table) -> dict[str, Any]:
    opts: dict[str, Any] = {"method": table.str("method", "entropy", choices=("entropy", "propagate", "both")),
                            "claim": table.str("claim", "bound", choices=("bound", "attained"))}
    raw = table.raw("schedules", "all")
    if raw == "all":
        opts["schedules"] = "all"
    elif isinstance(raw, list) and raw and all(
            isinstance(r, list) and r and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in r)
            for r in raw):
        opts["schedules"] = [tuple(r) for r in raw]
    else:
        raise table.error("schedules", "expected \"all\" or a list of schedules (lists of sizes >= 1)")
    opts["parts"] = table.int("parts", minimum=1) if table.has("parts") else None
    # selections of the schedules (closed forms hold on such subsets)
    opts["s_max"] = table.int("s_max", minimum=1) if table.has("s_max") else None
    opts["last_min"] = table.int("last_min", minimum=1) if table.has("last_min") else None
    opts["last_max"] = table.int("last_max", minimum=1) if table.has("last_max") else None
    opts["expected_kl"] = _form_option(table, "expected_kl") if table.has("expected_kl") else None
    return opts


def selected_schedules(length: int, opts: dict[str, Any]) -> list[tuple[int, ...]]:
    schedules = compositions(length, opts["parts"]) if opts["schedules"] == "all" else opts["schedules"]
    return [s for s in schedules
            if (opts["s_max"] is None or max(s) == opts["s_max"])
            and (opts["last_min"] is None or s[-1] >= opts["last_min"])
            and (opts["last_max"] is None or s[-1] <= opts["last_max"])]


@check_kind("li-cai", ("sampler",), _parse_li_cai,
            "E over random mask sets of KL(target ‖ output) <= Li–Cai bound, every schedule, exact")
def run_li_cai(inst, check, ctx: Context) -> Outcome:
    s: Sampler = inst.subject
    L = s.target.length
    if not isinstance(s.denoiser, IdealDenoiser):
        return Outcome(Verdict.ERROR, "li-cai is checked for the ideal denoiser (ε_train = 0); "
                                      f"this sampler has the {s.denoiser.description}")
    opts = check.options
    schedules = selected_schedules(L, opts)
    bad = [sch for sch in schedules if sum(sch) != L]
    if bad:
        return Outcome(Verdict.ERROR, f"schedule {list(bad[0])} does not sum to L = {L}")
    if not schedules:
        return Outcome(Verdict.ERROR, "no schedule selected (nothing to check is not a success)")
    h = subset_entropies(s.target)
    mi = mutual_information_sum(s.target, h)
    rows, tightest = [], None
    for sch in schedules:
        if opts["method"] == "propagate":
            e = expected_kl_propagate(s.target, sch, s.denoiser.undefined)
        else:
            e = expected_kl_entropy(s.target, sch, h)
            if opts["method"] == "both":
                e2 = expected_kl_propagate(s.target, sch, s.denoiser.undefined)
                if not (e - e2).is_zero():
                    return Outcome(Verdict.ERROR, f"schedule {list(sch)}: the two methods disagree: {e} vs {e2}")
        bound = li_cai_bound(s.target, sch, h, mi)
        try:
            sign = (e - bound).sign()
        except Undecided as err:
            return Outcome(Verdict.UNKNOWN, f"schedule {list(sch)}: {err}")
        rows.append({"schedule": list(sch), "expected_kl": str(e), "bound": str(bound), "sign": sign})
        if opts["expected_kl"] is not None:
            try:
                off = (e - opts["expected_kl"]).sign()
            except Undecided as err:
                return Outcome(Verdict.UNKNOWN, f"schedule {list(sch)}: {err}")
            if off:
                return Outcome(Verdict.REFUTED, f"target {s.target.name}, schedule {list(sch)}: E_M KL = "
                                                f"{show_form(e)}, not {opts['expected_kl']}",
                               f"li-cai ({opts['method']}), exact log forms", {"rows": rows})
        failed = sign > 0 if opts["claim"] == "bound" else sign != 0
        if failed:
            rel = ">" if sign > 0 else "<"
            return Outcome(Verdict.REFUTED,
                           f"target {s.target.name}, schedule {list(sch)}: E_M KL = {show_form(e)} {rel} "
                           f"bound {show_form(bound)}", f"li-cai ({opts['method']}), exact log forms",
                           {"rows": rows})
        # which schedule to *show* as the tightest: by an enclosure's midpoint (display only)
        lo, hi = (bound - e).interval(30)
        if tightest is None or lo + hi < tightest[0]:
            tightest = (lo + hi, sch, e, bound)
    what = ("E_M KL(target ‖ output) " + (f"= {opts['expected_kl']} and " if opts["expected_kl"] is not None else "")
            + ("= " if opts["claim"] == "attained" else "<= "))
    gap, sch, e, bound = tightest
    return Outcome(Verdict.PROVED,
                   sentence(s, f"{what}the Li–Cai bound for {len(schedules)} schedule(s) of the random-order "
                               f"sampler, ideal denoiser; smallest slack at {list(sch)}: "
                               f"E KL = {show_form(e)}, bound = {show_form(bound)}", with_policy=False),
                   f"li-cai ({opts['method']}), exact log forms", {"rows": rows})
