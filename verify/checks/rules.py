"""Check kinds for the rules a DLM must obey (MODEL.md §4 items 1-5), by SAT and SMT.

* ``independence`` (§4.1) - every predictor ``P_i`` ignores random bits outside its own
  ``r_i`` (a miter: two copies agreeing on ``r_i`` and the state, free elsewhere), and the
  strategies ``F``, ``G`` ignore every random bit. A circuit with no such random leaf at all
  is independent by its structure (no solver call).
* ``mode`` (§4.2) - for every state and all random bits, at every revealed position:
  ``plain`` keeps the token, ``remask`` keeps it or masks it, ``revise`` keeps it unmasked
  (``remask+revise`` constrains nothing). ``rule = "literal"``: through ``P``, ``F``, ``G`` as
  computed (the circuits need no help); ``enforce`` confirms only the decoder's own reading.
* ``encoding`` (§4.3) - no predictor outputs the non-token ``11``, in any state.
* ``termination`` (§4.4) - after ``T`` rounds from the initial state, for every input ``χ`` and
  every random bit of every round, no output position is masked.
* ``resources`` (§4.5) - rounds, length, depth / fan-in / size of every position circuit
  (structural), and the peak number of unmasked tokens over the run (SAT, T-round unrolling).

States range over all of ``{a, b, M}^L`` (``11`` excluded by constraints). Checks that are per
position encode only the cone of that position (:mod:`verify.encode.unroll`) and are batched:
one solver call asks whether *some* position of a batch fails, so the cost grows with the
DLM's circuits, not with its number of states.

Every check takes a ``rule`` (default ``enforce``); no rule enters ``independence`` or ``encoding``.

Verdicts. REFUTED only after the decoded counterexample has been replayed on the simulator
(under the check's rule; F and G see the bits drawn); a replay that disagrees is an ERROR (an
encoder bug). PROVED only when every UNSAT of the SAT back end has a certificate (LRAT or DRAT) that the
trusted checker accepted (:func:`verify.certify.certify_unsat`). z3's UNSAT is uncertified:
with ``solver = "z3"`` the verdict is UNKNOWN and says so; with ``solver = "both"`` both back
ends run and any SAT/UNSAT disagreement is an ERROR. The checks ``mode``, ``termination`` and
``resources`` assume every prediction in the cone is a token (``encoding`` checks that).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..circuits.evaluate import BOOL, evaluate, read_literal
from ..dlm.model import DLM, Mode, Token, Wiring, show
from ..dlm.semantics import InvalidToken, Rule, finish_round, leaf_values, predict, run
from ..encode.sat import default_proof_format
from ..encode.unroll import FREE, INITIAL, Unrolling, cone_size
from ..verdict import Verdict
from ..encode.sat import solver_names
from ..store import claim_record
from .backends import STRUCTURAL, DEFAULT_SAT_SOLVER, SAT, SOLVERS, UNKNOWN, UNSAT, Query, ask
from .registry import Context, Outcome, check_kind, rule_option

BATCH_VERTICES = 20000     # auto batching: about this many circuit vertices per solver call
BATCH_POSITIONS = 256
EXPLAIN_MAX_LENGTH = 64    # longer states are summarised in the explanation


# --- options -------------------------------------------------------------------------------

def _common(table) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    opts["solver"] = table.str("solver", None, choices=SOLVERS) if table.has("solver") else None
    opts["timeout"] = table.seconds("timeout")
    opts["sat_solver"] = table.str("sat_solver", DEFAULT_SAT_SOLVER, choices=tuple(solver_names()))
    opts["proof"] = table.str("proof", None, choices=("lrat", "drat")) if table.has("proof") else None
    opts["batch"] = table.int("batch", 0, minimum=0)   # 0 = automatic
    opts["rule"] = rule_option(table)
    return opts


RESOURCE_BOUNDS = ("max_rounds", "max_length", "max_peak_unmasked",
                   "max_predictor_depth", "max_predictor_fanin", "max_predictor_size",
                   "max_predictor_reads",
                   "max_strategy_depth", "max_strategy_fanin", "max_strategy_size")


def _resources_options(table) -> dict[str, Any]:
    opts = _common(table)
    bounds = {}
    for name in RESOURCE_BOUNDS:
        if table.has(name):
            bounds[name] = table.int(name, minimum=0)
    if not bounds:
        table.finish()      # a misspelt bound is named first ("did you mean `max_rounds`?")
        raise table.error(None, f"a resources check needs at least one bound: {', '.join(RESOURCE_BOUNDS)}")
    opts["bounds"] = bounds
    return opts


def _solver(opts: dict, ctx: Context) -> str:
    if opts.get("solver"):
        return opts["solver"]
    return ctx.solver if ctx.solver in SOLVERS else "sat"


def _timeout(opts: dict, ctx: Context) -> float:
    return opts["timeout"] if opts.get("timeout") else ctx.timeout


def certificate_stem(instance_name: str, check: str, label: str) -> str:
    """``<spec-instance>__<check>__<label>``, safe as a file name."""
    def clean(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9.-]+", "_", s).strip("_") or "x"
    return f"{clean(instance_name)}__{clean(check)}__{clean(label)}"


# --- the driver: queries -> verdict ---------------------------------------------------------

@dataclass
class Replay:
    ok: bool                      # the simulator reproduces the counterexample
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    explain: list[str] = field(default_factory=list)


def _label(positions: Sequence[int], prefix: str = "pos") -> str:
    if len(positions) == 1:
        return f"{prefix}{positions[0]}"
    return f"{prefix}{positions[0]}-{positions[-1]}"


def _batches(dlm: DLM, positions: Sequence[int], batch: int, weight: Callable[[int], int] | None = None) -> list[list[int]]:
    if batch:
        return [list(positions[k:k + batch]) for k in range(0, len(positions), batch)]
    weight = weight or (lambda i: cone_size(dlm, [i]))
    out: list[list[int]] = []
    cur: list[int] = []
    load = 0
    for i in positions:
        w = weight(i)
        if cur and (load + w > BATCH_VERTICES or len(cur) >= BATCH_POSITIONS):
            out.append(cur)
            cur, load = [], 0
        cur.append(i)
        load += w
    if cur:
        out.append(cur)
    return out


def drive(instance, check, ctx: Context, queries: Sequence[Query], replay: Callable[[Any], Replay],
          what: str, rule: Rule | None = None) -> Outcome:
    """Ask every query; the first replayed counterexample refutes, all certified UNSAT proves.
    ``rule``, when it enters the formulas, is part of the certificates' names (``mode-literal``),
    so one spec may check both readings without one certificate overwriting the other."""
    opts = check.options
    solver = _solver(opts, ctx)
    timeout = _timeout(opts, ctx)
    names = {"sat": f"SAT ({opts['sat_solver']})", "z3": "z3"}
    certificates: list[str] = []
    structural: list[str] = []         # queries decided by constant folding (no certificate)
    unknown: list[str] = []
    statuses_all: list[dict[str, str]] = []
    sizes = [0, 0]
    for q in queries:
        stem = certificate_stem(instance.name, f"{check.kind}-{rule.value}" if rule else check.kind, q.label)
        meta = {"spec": instance.name, "source": str(instance.spec.path), "check": check.kind,
                "query": q.label, "property": what, "encoder": "verify.encode.cnf (Tseitin, one IDPool)",
                "claim": claim_record(instance, check, q.label)}
        answers = ask(q, ctx, solver, stem=stem, meta=meta, timeout=timeout, sat_solver=opts["sat_solver"],
                      proof_format=opts.get("proof"))
        statuses = {a.backend: a.status for a in answers}
        statuses_all.append(statuses)
        for a in answers:
            if a.backend == "sat":
                sizes[0] = max(sizes[0], a.size[0])
                sizes[1] += a.size[1]
        if SAT in statuses.values() and UNSAT in statuses.values():
            return Outcome(Verdict.ERROR, f"{q.label}: the solvers disagree ({', '.join(f'{k}: {v}' for k, v in statuses.items())})",
                           "both", details={"query": q.label, "solver_status": statuses})
        sat_answers = [a for a in answers if a.status == SAT]
        if sat_answers:
            replays = [replay(a.witness) for a in sat_answers]
            for a, r in zip(sat_answers, replays):
                if not r.ok:
                    return Outcome(Verdict.ERROR, f"{q.label}: the simulator does not reproduce the "
                                                  f"{names[a.backend]} counterexample (encoder bug): {r.message}",
                                   names[a.backend], details=dict(r.details, solver_status=statuses),
                                   explain=r.explain)
            r = replays[0]
            method = " and ".join(names[a.backend] for a in sat_answers) + ", replayed on the simulator"
            return Outcome(Verdict.REFUTED, r.message, method,
                           details=dict(r.details, query=q.label, solver_status=statuses), explain=r.explain)
        for a in answers:
            if a.status == UNKNOWN or a.status not in (SAT, UNSAT):
                unknown.append(f"{q.label}: {a.message or a.status}")
            if a.backend == "sat" and a.status == UNSAT:
                if a.structural:
                    structural.append(a.structural)
                    continue
                if not a.certified:
                    return Outcome(Verdict.ERROR, f"{q.label}: UNSAT, but the certificate was not accepted"
                                                  f"{': ' + a.message if a.message else ''}",
                                   names["sat"], details={"query": q.label, "solver_status": statuses},
                                   certificates=a.certificates)
                certificates.extend(a.certificates)
    details = {"queries": len(queries), "solver_status": statuses_all if len(statuses_all) <= 16 else "UNSAT (all)",
               "cnf_max_vars": sizes[0], "cnf_clauses": sizes[1]}
    if unknown:
        return Outcome(Verdict.UNKNOWN, f"{what}: no counterexample, but {len(unknown)} solver call(s) "
                                        f"gave no answer ({unknown[0]})", " and ".join(names[s] for s in ("sat", "z3") if s in solver or solver == "both"),
                       details=details, certificates=certificates)
    if solver == "z3":
        return Outcome(Verdict.UNKNOWN,
                       f"{what}: z3 (uncertified) finds no counterexample in {len(queries)} call(s); "
                       f"not PROVED, since z3 gives no DRAT proof (use solver = \"sat\" or \"both\")",
                       "z3 (uncertified)", details=details)
    if structural:
        details["structural"] = structural[:16]
    n_cert = len(queries) - len(structural)
    fmt = opts.get("proof") or ctx.proof_format or default_proof_format(opts["sat_solver"])
    if n_cert == 0:
        method = f"{STRUCTURAL} ({structural[0]}" + (f"; {len(structural) - 1} more" if len(structural) > 1 else "") + ")"
        note = f"{len(queries)} obligation(s) decided by constant folding, no certificate"
    else:
        method = f"SAT ({opts['sat_solver']}) + {fmt.upper()} checked by the trusted checker"
        note = f"{n_cert} solver call(s), {n_cert} certificate(s) checked"
        if structural:
            method += f"; {len(structural)} of {len(queries)} obligation(s) {STRUCTURAL}"
            note += f", {len(structural)} obligation(s) decided while encoding"
    if solver == "both":
        method += "; z3 agrees"
    return Outcome(Verdict.PROVED, f"{what} ({note})", method,
                   details=details, certificates=certificates)


# --- decoding models ------------------------------------------------------------------------

def _tok(value, pair) -> Token | None:
    m, v = bool(value(pair[0])), bool(value(pair[1]))
    if m:
        return None if v else Token.M
    return Token.B if v else Token.A


def _decode_state(u: Unrolling, value, t: int = 0, filler: Token = Token.M) -> tuple[Token, ...]:
    state = [filler] * u.dlm.length
    for j in u.state_touched(t):
        tok = _tok(value, u.x(t, j))
        if tok is None:  # excluded by the constraints; a model that has it is an encoder bug
            raise AssertionError(f"model has 11 at position {j}")
        state[j] = tok
    return tuple(state)


def _decode_draws(u: Unrolling, value, rounds: int, copy: int = 0) -> list[dict[tuple[int, int], bool]]:
    draws: list[dict[tuple[int, int], bool]] = [{} for _ in range(rounds)]
    for (t, j, k, c) in u.random_touched():
        if c == copy and t < rounds:
            draws[t][(j, k)] = bool(value(u.random(t, j, k, c)))
    return draws


def _bits(draw: dict[tuple[int, int], bool]) -> str:
    return " ".join(f"r{j}_{k}={int(b)}" for (j, k), b in sorted(draw.items())) or "none"


def _state_text(state: Sequence[Token]) -> str:
    s = show(state)
    return s if len(s) <= EXPLAIN_MAX_LENGTH else s[:EXPLAIN_MAX_LENGTH] + f"... ({len(s)} positions)"


def _draw_json(draw) -> dict[str, int]:
    return {f"r{j}_{k}": int(b) for (j, k), b in sorted(draw.items())}


def _replay_round(dlm: DLM, state, draw, cone: Sequence[int], rule: Rule):
    """One simulator round in which only the predictions of ``cone`` are computed; any other
    position's prediction cannot reach the positions checked and is replaced by its current
    token. F and G see ``draw`` (the bits the encoder gave them)."""
    cone_set = set(cone)
    y = tuple(predict(dlm, j, state, draw) if j in cone_set else state[j] for j in range(dlm.length))
    z, after = finish_round(dlm, state, y, rule, draw)
    return y, z, after


# --- independence ---------------------------------------------------------------------------

def _independence_targets(dlm: DLM) -> list[tuple[str, int, Wiring]]:
    """(role, position, wiring) of every circuit with a random leaf it must not depend on."""
    out = []
    for i in range(dlm.length):
        w = dlm.predictor_wiring(i)
        if any(owner != i for _, owner, _ in w.random_leaves):
            out.append(("predictor", i, w))
        if dlm.unmask_strategy is not None:
            w = dlm.strategy_wiring(i)
            if w.random_leaves:
                out.append(("unmask_strategy", i, w))
        if dlm.remask is not None:
            w = dlm.remask_wiring(i)
            if w.random_leaves:
                out.append(("remask", i, w))
    return out


def _independence_query(dlm: DLM, role: str, i: int, w: Wiring) -> Query:
    def build(alg):
        u = Unrolling(dlm, alg, start=FREE)
        free = {}

        def other(kind):
            def tok(q):
                key = (kind, q)
                if key not in free:
                    m, v = alg.var((kind, "", q, "m")), alg.var((kind, "", q, "v"))
                    u.constraints.append(alg.neg(alg.and_([m, v])))
                    free[key] = (m, v)
                return free[key]
            return tok
        kept = (lambda owner: owner == i) if role == "predictor" else (lambda owner: False)
        a = u.evaluate_wiring(w, 0, random=lambda o, b: u.random(0, o, b, 0), y=other("y"), z=other("z"))
        b = u.evaluate_wiring(w, 0, random=lambda o, b_: u.random(0, o, b_, 0 if kept(o) else 1),
                              y=other("y"), z=other("z"))
        goal = alg.or_([alg.xor([p, q]) for p, q in zip(a, b)])

        def decode(value):
            state = _decode_state(u, value)
            extra = {kind: {q: _tok(value, tok) for (k2, q), tok in free.items() if k2 == kind} for kind in ("y", "z")}
            d0 = _decode_draws(u, value, 1, 0)[0]
            d1 = dict(d0)
            d1.update(_decode_draws(u, value, 1, 1)[0])
            return {"state": state, "y": extra["y"], "z": extra["z"], "draws": (d0, d1)}
        return u.constraints + [goal], decode
    return Query(_label([i], prefix=role + "_"), build)


def _eval_raw(w: Wiring, state, y, z, draw) -> tuple[int, ...]:
    leaves = leaf_values(w, state, y, z, draw, bool)
    values = evaluate(w.circuit, BOOL, leaves)
    return tuple(int(read_literal(values, o, BOOL)) for o in w.circuit.outputs)


@check_kind("independence", ("dlm",), _common,
            "each predictor reads only its own random bits; F and G read none (MODEL.md §4.1)")
def check_independence(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    targets = _independence_targets(dlm)
    if not targets:
        return Outcome(Verdict.PROVED, f"no circuit has a random source outside its own "
                                       f"({dlm.length} predictors{', F' if dlm.unmask_strategy else ''}"
                                       f"{', G' if dlm.remask else ''}): independent by structure",
                       "structural (leaf names)")
    roles = {(role, i): w for role, i, w in targets}
    queries = [_independence_query(dlm, role, i, w) for role, i, w in targets]

    # each query knows its own target: bind it through the witness
    bound = []
    for (role, i, w), q in zip(targets, queries):
        def build(alg, q=q, role=role, i=i):
            assertions, decode = q.build(alg)
            return assertions, (lambda value: dict(decode(value), role=role, position=i))
        bound.append(Query(q.label, build))
    return drive(instance, check, ctx, bound,
                 lambda wit: _replay_independence(dlm, wit["role"], wit["position"],
                                                  roles[(wit["role"], wit["position"])], wit),
                 f"{len(targets)} circuit(s) with random sources independent of foreign bits")


def _full(dlm: DLM, partial: dict) -> tuple[Token, ...]:
    return tuple(partial.get(q) or Token.M for q in range(dlm.length))


def _replay_independence(dlm: DLM, role: str, i: int, w: Wiring, wit) -> Replay:
    state = wit["state"]
    y, z = _full(dlm, wit["y"]), _full(dlm, wit["z"])
    d0, d1 = wit["draws"]
    if role == "predictor":
        def out(d):
            try:
                return predict(dlm, i, state, d).char
            except InvalidToken:
                return "11"
        a, b = out(d0), out(d1)
    else:
        a, b = (str(_eval_raw(w, state, y, z, d)[0]) for d in (d0, d1))
    changed = {f"r{j}_{k}": (int(d0.get((j, k), False)), int(d1.get((j, k), False)))
               for (j, k) in sorted(set(d0) | set(d1)) if d0.get((j, k), False) != d1.get((j, k), False)}
    details = {"role": role, "position": i, "state": show(state), "random_1": _draw_json(d0),
               "random_2": _draw_json(d1), "output_1": a, "output_2": b, "foreign_bits_changed": changed}
    if role != "predictor":
        details[("y" if role == "unmask_strategy" else "z")] = show(y if role == "unmask_strategy" else z)
    what = {"predictor": f"P_{i}", "unmask_strategy": f"F_{i}", "remask": f"G_{i}"}[role]
    msg = (f"{what} depends on random bit(s) {', '.join(changed)} "
           f"{'outside its own r_' + str(i) if role == 'predictor' else '(F and G may read none)'}: "
           f"in state {_state_text(state)} it outputs {a} or {b}")
    return Replay(a != b, msg, details, [
        f"state {_state_text(state)}" + (f", {'y' if role == 'unmask_strategy' else 'z'} = {_state_text(y if role == 'unmask_strategy' else z)}" if role != "predictor" else ""),
        f"random bits {_bits(d0)} -> {what} = {a}",
        f"random bits {_bits(d1)} -> {what} = {b}   (replayed on the simulator)"])


# --- mode -----------------------------------------------------------------------------------

MODE_RULE = {
    Mode.PLAIN: "a revealed token never changes",
    Mode.REMASK: "a revealed token stays or becomes M",
    Mode.REVISE: "a revealed token never becomes M",
}


def _mode_violation(u: Unrolling, mode: Mode, i: int):
    alg = u.alg
    x, x2 = u.x(0, i), u.after(0, i)
    if mode is Mode.PLAIN:
        bad = u.differs(x2, x)
    elif mode is Mode.REMASK:
        bad = alg.and_([u.differs(x2, x), alg.neg(u.is_mask(x2))])
    else:
        bad = x2[0]
    return alg.and_([alg.neg(x[0]), bad])


def _valid_predictions(u: Unrolling, rounds: int) -> list:
    return [u.alg.neg(u.is_invalid(u.y(t, j))) for t in range(rounds) for j in u.predictions_touched(t)]


def _round_query(dlm: DLM, batch: list[int], violation: Callable[[Unrolling, int], Any], *,
                 valid: bool = True, rule: Rule = Rule.LITERAL) -> Query:
    """One round from a free state: is some position of ``batch`` in violation?"""
    def build(alg):
        u = Unrolling(dlm, alg, start=FREE, rule=rule)
        viol = {i: violation(u, i) for i in batch}
        assertions = list(u.constraints) + (_valid_predictions(u, 1) if valid else [])
        assertions.append(alg.or_(list(viol.values())))

        def decode(value):
            i = next(i for i in batch if value(viol[i]))
            y_enc = {j: _tok(value, u.y(0, j)) for j in u.predictions_touched(0)}
            return {"position": i, "state": _decode_state(u, value), "draw": _decode_draws(u, value, 1)[0],
                    "cone": u.predictions_touched(0), "after": _tok(value, u.after(0, i)),
                    "y": y_enc}
        return assertions, decode
    return Query(_label(batch), build)


@check_kind("mode", ("dlm",), _common,
            "the mode's rule holds for every state: through P, F, G as computed (rule = literal), "
            "or as the decoder runs them (enforce) (MODEL.md §4.2)")
def check_mode(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    mode = dlm.mode
    rule: Rule = check.options["rule"]
    if mode is Mode.REMASK_REVISE:
        return Outcome(Verdict.PROVED, "remask+revise allows every change of a revealed token "
                                       "(nothing to check)", "by definition (MODEL.md §3)")
    queries = [_round_query(dlm, b, lambda u, i: _mode_violation(u, mode, i), rule=rule)
               for b in _batches(dlm, range(dlm.length), check.options["batch"])]

    def replay(wit) -> Replay:
        i, state, draw = wit["position"], wit["state"], wit["draw"]
        y, z, after = _replay_round(dlm, state, draw, wit["cone"], rule)
        before, now = state[i], after[i]
        if mode is Mode.PLAIN:
            broken = now != before
        elif mode is Mode.REMASK:
            broken = now not in (before, Token.M)
        else:
            broken = now is Token.M
        ok = before is not Token.M and broken and now == wit["after"]
        msg = (f"{mode.value} mode: position {i} holds {before.char} and becomes {now.char} in state "
               f"{_state_text(state)} (where {MODE_RULE[mode]})")
        details = {"position": i, "state": show(state), "random": _draw_json(draw),
                   "predictions": show(y), "committed": show(z), "after": show(after),
                   "token_before": before.char, "token_after": now.char, "rule": rule.value}
        if not ok:
            msg += f" [encoder said {wit['after'].char if wit['after'] else '11'}]"
        return Replay(ok, msg, details, [
            f"state {_state_text(state)}, random bits {_bits(draw)}",
            f"y = {_state_text(y)}, after F: {_state_text(z)}, after G: {_state_text(after)}",
            f"position {i}: {before.char} -> {now.char}, but {mode.value} requires that {MODE_RULE[mode]} "
            f"(replayed on the simulator, rule {rule.value})"])
    how = ("through the circuits as computed" if rule is Rule.LITERAL else
           "as the decoder runs them (it enforces this; rule = \"literal\" checks the circuits)")
    return drive(instance, check, ctx, queries, replay,
                 f"{mode.value}: {MODE_RULE[mode]}, at all {dlm.length} positions, {how}", rule)


# --- encoding -------------------------------------------------------------------------------

@check_kind("encoding", ("dlm",), _common,
            "no predictor ever outputs the non-token 11 (MODEL.md §4.3)")
def check_encoding(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    weight = lambda i: len(dlm.predictor[i].vertices)  # noqa: E731
    queries = [_round_query(dlm, b, lambda u, i: u.is_invalid(u.y(0, i)), valid=False)
               for b in _batches(dlm, range(dlm.length), check.options["batch"], weight)]

    def replay(wit) -> Replay:
        i, state, draw = wit["position"], wit["state"], wit["draw"]
        details = {"position": i, "state": show(state), "random": _draw_json(draw)}
        msg = f"predictor {i} outputs the non-token 11 in state {_state_text(state)}"
        try:
            tok = predict(dlm, i, state, draw)
        except InvalidToken:
            return Replay(True, msg, details, [
                f"state {_state_text(state)}, random bits {_bits(draw)}",
                f"P_{i} outputs 11, which is not a token (replayed on the simulator)"])
        return Replay(False, msg + f" [the simulator gives {tok.char}]", details)
    return drive(instance, check, ctx, queries, replay,
                 f"all {dlm.length} predictors output tokens only")


# --- termination ----------------------------------------------------------------------------

def _run_query(dlm: DLM, batch: list[int], rule: Rule, label: str,
               goal: Callable[[Unrolling], dict[Any, Any]]) -> Query:
    """The run from the initial state over all rounds: is some goal term true?"""
    def build(alg):
        u = Unrolling(dlm, alg, start=INITIAL, rule=rule)
        terms = goal(u)
        assertions = list(u.constraints) + _valid_predictions(u, dlm.rounds)
        assertions.append(alg.or_(list(terms.values())))

        def decode(value):
            key = next(k for k in terms if value(terms[k]))
            chi_at = {j: bool(value(u.x(0, j)[1])) for j in u.state_touched(0) if j in set(dlm.inputs)}
            chi = [int(chi_at.get(p, False)) for p in dlm.inputs]
            return {"key": key, "chi": chi, "draws": _decode_draws(u, value, dlm.rounds)}
        return assertions, decode
    return Query(label, build)


def _trace_lines(dlm: DLM, trace) -> list[str]:
    return [f"round {r + 1}: {_state_text(t.state)} --r: {_bits(t.draw)}--> {_state_text(t.after)}"
            for r, t in enumerate(trace)]


def _replay_run(dlm: DLM, chi, draws, rule: Rule):
    trace = run(dlm, chi, draws, rule)
    states = [dlm.initial_state(chi)] + [t.after for t in trace]
    return trace, states


@check_kind("termination", ("dlm",), _common,
            "after T rounds no output position is masked, for every input and random outcome (MODEL.md §4.4)")
def check_termination(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    rule: Rule = check.options["rule"]
    T = dlm.rounds
    if not dlm.outputs:
        return Outcome(Verdict.ERROR, "the DLM has no output positions")
    weight = lambda o: cone_size(dlm, [o]) * max(T, 1)  # noqa: E731
    queries = [_run_query(dlm, b, rule, _label(b), lambda u, b=b: {o: u.x(T, o)[0] for o in b})
               for b in _batches(dlm, list(dlm.outputs), check.options["batch"], weight)]

    def replay(wit) -> Replay:
        o, chi, draws = wit["key"], wit["chi"], wit["draws"]
        try:
            trace, states = _replay_run(dlm, chi, draws, rule)
        except InvalidToken as e:
            return Replay(False, f"the run emits 11 ({e}); run the encoding check")
        final = states[-1]
        chi_text = "".join(map(str, chi))
        msg = (f"output position {o} is still masked after {T} round(s)"
               + (f" on input {chi_text}" if dlm.inputs else "") + f": final state {_state_text(final)}")
        details = {"position": o, "input": chi_text, "rounds": T, "final": show(final), "rule": rule.value,
                   "random": [_draw_json(d) for d in draws], "states": [show(s) for s in states]}
        return Replay(final[o] is Token.M, msg, details,
                      _trace_lines(dlm, trace) + [f"output position {o} is M after round {T} "
                                                  f"(replayed on the simulator, rule {rule.value})"])
    return drive(instance, check, ctx, queries, replay,
                 f"all {len(dlm.outputs)} output positions unmasked after {T} round(s), every input and random outcome",
                 rule)


# --- resources ------------------------------------------------------------------------------

def _circuit_stats(circuits, kind: str) -> dict[str, tuple[int, int]]:
    """max depth / fan-in / size over circuits, with the first position attaining it."""
    out: dict[str, tuple[int, int]] = {}
    for i, c in enumerate(circuits):
        for name, value in (("depth", c.depth), ("fanin", c.max_fanin), ("size", c.size)):
            if name not in out or value > out[name][0]:
                out[name] = (value, i)
    return {f"{kind}_{k}": v for k, v in out.items()}


@check_kind("resources", ("dlm",), _resources_options,
            "rounds, length, peak unmasked tokens, depth/fan-in/size of each position circuit (MODEL.md §4.5)")
def check_resources(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    bounds: dict[str, int] = check.options["bounds"]
    measured: dict[str, Any] = {"rounds": (dlm.rounds, None), "length": (dlm.length, None)}
    measured.update(_circuit_stats(dlm.predictor, "predictor"))
    # locality (MODEL.md §6): positions whose token a predictor circuit reads, its own included;
    # syntactic, so an upper bound on what the function depends on
    reads = [len(dlm.predictor_wiring(i).reads) for i in range(dlm.length)]
    measured["predictor_reads"] = max(((r, i) for i, r in enumerate(reads)), key=lambda ri: ri[0],
                                      default=(0, None))
    strategies = list(dlm.unmask_strategy or ()) + list(dlm.remask or ())
    if strategies:
        measured.update(_circuit_stats(strategies, "strategy"))
    held = []
    for name, bound in bounds.items():
        if name == "max_peak_unmasked":
            continue
        key = name[len("max_"):]
        value, where = measured.get(key, (0, None))
        if value > bound:
            role = "F/G circuit" if key.startswith("strategy") else "predictor"
            pos = where if where is None or not key.startswith("strategy") or where < dlm.length else where - dlm.length
            at = f" (position {pos}: {role} with {key.split('_', 1)[1]} {value})" if where is not None else ""
            return Outcome(Verdict.REFUTED, f"{key} is {value} > {name} = {bound}{at}",
                           "structural (circuit statistics)",
                           details={"bound": name, "limit": bound, "value": value, "position": pos},
                           explain=[f"{name} = {bound} is violated: {key} = {value}{at}"])
        held.append(f"{key} {value} <= {bound}")
    details = {k: v[0] for k, v in measured.items()}
    if "max_peak_unmasked" not in bounds:
        return Outcome(Verdict.PROVED, "; ".join(held), "structural (circuit statistics)", details=details)
    K = bounds["max_peak_unmasked"]
    if K >= dlm.length:
        held.append(f"peak unmasked <= length {dlm.length} <= {K}")
        return Outcome(Verdict.PROVED, "; ".join(held), "structural (circuit statistics)", details=details)
    if len(dlm.inputs) > K:
        return Outcome(Verdict.REFUTED, f"the initial state already has {len(dlm.inputs)} unmasked tokens "
                                        f"> max_peak_unmasked = {K}", "structural",
                       details={"bound": "max_peak_unmasked", "limit": K, "round": 0, "value": len(dlm.inputs)})
    rule: Rule = check.options["rule"]
    T = dlm.rounds

    def goal(u: Unrolling):
        alg = u.alg
        return {t: alg.at_least([alg.neg(u.x(t, j)[0]) for j in range(dlm.length)], K + 1)
                for t in range(1, T + 1)}
    query = _run_query(dlm, list(range(dlm.length)), rule, f"peak{K}", goal)

    def replay(wit) -> Replay:
        t, chi, draws = wit["key"], wit["chi"], wit["draws"]
        try:
            trace, states = _replay_run(dlm, chi, draws, rule)
        except InvalidToken as e:
            return Replay(False, f"the run emits 11 ({e}); run the encoding check")
        count = sum(tok is not Token.M for tok in states[t])
        chi_text = "".join(map(str, chi))
        msg = (f"{count} unmasked tokens after round {t} > max_peak_unmasked = {K}"
               + (f" on input {chi_text}" if dlm.inputs else "") + f": state {_state_text(states[t])}")
        return Replay(count > K, msg, {"bound": "max_peak_unmasked", "limit": K, "round": t, "value": count,
                                       "input": chi_text, "random": [_draw_json(d) for d in draws],
                                       "states": [show(s) for s in states]},
                      _trace_lines(dlm, trace) + [f"{count} unmasked tokens after round {t} "
                                                  f"(replayed on the simulator, rule {rule.value})"])
    if T == 0:
        held.append(f"peak unmasked {len(dlm.inputs)} <= {K}")
        return Outcome(Verdict.PROVED, "; ".join(held), "structural", details=details)
    out = drive(instance, check, ctx, [query], replay, f"peak unmasked <= {K} in every round", rule)
    if out.verdict is Verdict.PROVED:
        out.message = "; ".join(held + [out.message])
        out.details.update(details)
    return out
