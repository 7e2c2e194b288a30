"""Check kinds ``coupling`` and ``coupling-miter``: a compiled DLM computes its circuit (MODEL.md §4.6).

The claim (the strongest form of correctness, a *coupling*): for every input ``χ`` and every
assignment ``R`` of the circuit's random sources, the DLM run in which the private random bit
named by ``random_map[v] = (position, bit, round)`` equals ``R_v`` ends with the circuit's
outputs at its output positions, whatever every other private random bit is. So the output
distributions are equal for every ``χ``.

``coupling`` (inductive, linear in the circuit). The compiler states an invariant: what every
position holds after every round (a circuit literal's value or ``M``; the round counter's
encoding of the round). The check proves, by induction on rounds:

* *base*: the invariant after round 0 is the initial state (inputs hold ``χ``, the rest ``M``);
* *end*: after round ``T`` each output position holds its circuit output literal;
* *step*: for every position ``p`` and every round ``l``, from any state that agrees with the
  invariant after round ``l-1`` on the positions ``p`` reads, round ``l`` leaves at ``p`` what
  the invariant says after round ``l``, under both the decoder's rule and the literal reading of
  the circuits. The rounds of ``p`` are cut into a few *cases*; in a case, the reads that the
  compiler calls free are unknown (X), the others must hold one fixed content over the whole
  case (checked against the invariant), and the round counter is symbolic over the case's
  rounds. Each case is proved by exhaustive evaluation of ``P_p``, ``F_p``, ``G_p`` over all
  values of the circuit vertices it mentions and of the count, in three-valued logic
  (:mod:`verify.encode.ternary`): X-leaves are over-approximated, so a definite result is a
  proof for every filling. Vertex relations used: a gate's value is its function of its
  fan-ins' values (only when they are read), a coupled random bit is its random source.

The number of cases is linear in the circuit (a few per position plus one per vertex a position
hosts), each over a handful of variables: the whole proof is linear. Method label:
``induction, exhaustive 3-valued evaluation per position``. A failed case is not yet a
counterexample (the invariant may be too weak); the check then searches a concrete run
(``χ``, ``R``) on the simulator whose output differs from the circuit's and reports REFUTED
only with that replayed run, UNKNOWN otherwise.

``coupling-miter`` (small circuits): the whole ``T``-round run from the initial state, unrolled
symbolically (:mod:`verify.encode.unroll`) next to the circuit, every uncoupled random bit
free; the miter "some output differs or is masked" must be unsatisfiable. Exhaustive
evaluation proves it when the free leaves are few (``exhaustive miter``), otherwise SAT with a
DRAT certificate checked by the trusted checker (the ``checks`` back ends).
"""
from __future__ import annotations

import itertools
import random as _random
from dataclasses import dataclass, field
from typing import Any

from ..circuits.evaluate import BitParallelAlgebra, evaluate, read_literal, simulate
from ..circuits.ir import Op
from ..constructions.base import MASK, Compiled, compiled_of, counter_token
from ..dlm.model import DLM, Token, show
from ..dlm.semantics import Rule, SemanticsError, run
from ..encode.ternary import TernaryAlgebra
from ..encode.unroll import INITIAL, Unrolling
from ..verdict import Verdict
from .registry import Context, Outcome, check_kind

MAX_CASE_VARS = 22
METHOD = "induction, exhaustive 3-valued evaluation per position"


class Failure(Exception):
    """An obligation that does not hold (or cannot be stated); ``where`` names it."""

    def __init__(self, message: str, **where):
        super().__init__(message)
        self.where = where


@dataclass
class InductiveResult:
    ok: bool
    message: str
    cases: int = 0
    positions: int = 0
    distinct: int = 0
    failure: dict[str, Any] = field(default_factory=dict)


# --- the inductive proof ------------------------------------------------------------------------

def _breakpoint_index(bps, rnd: int) -> int:
    lo, hi = 0, len(bps) - 1
    while lo < hi:      # last breakpoint with round <= rnd
        mid = (lo + hi + 1) // 2
        if bps[mid][0] <= rnd:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _constant_content(compiled: Compiled, cache: dict, q: int, first: int, last: int):
    """The one content of position ``q`` after every round in ``first..last``, or Failure."""
    bps = cache.get(q)
    if bps is None:
        bps = cache[q] = compiled.content(q)  # type: ignore[misc]
        if not bps or bps[0][0] != 0:
            raise Failure(f"invariant of position {q} does not start at round 0", position=q)
    i = _breakpoint_index(bps, first)
    j = _breakpoint_index(bps, last)
    if i != j:
        raise Failure(f"position {q} changes content between rounds {first} and {last} "
                      f"({bps[i][1]} -> {bps[j][1]}), but the case needs it fixed", position=q)
    return bps[i][1]


class _CaseEvaluator:
    """Builds and evaluates one case of one position (see the module docstring)."""

    def __init__(self, compiled: Compiled):
        self.c = compiled
        self.dlm = compiled.dlm
        self.circuit = compiled.circuit
        self.counter_where = compiled.counter.where() if compiled.counter else {}
        self.coupled = {}
        for v, (p, bit, rnd) in compiled.random_map.items():
            self.coupled.setdefault(p, []).append((bit, rnd, v))
        self.content_cache: dict = {}
        self.memo: dict = {}

    def reads(self, p: int) -> set[int]:
        dlm = self.dlm
        out = set(dlm.predictor_wiring(p).state_reads) | {p}
        if dlm.unmask_strategy is not None:
            w = dlm.strategy_wiring(p)
            others = {j for _, kind, j, _ in w.leaves if kind in ("ym", "yv") and j != p}
            if others:
                raise Failure(f"F_{p} reads predictions of other positions {sorted(others)[:4]}; "
                              f"the inductive coupling check does not support that", position=p)
            out |= set(w.state_reads)
        if dlm.remask is not None:
            w = dlm.remask_wiring(p)
            others = {j for _, kind, j, _ in w.leaves if kind in ("zm", "zv") and j != p}
            if others:
                raise Failure(f"G_{p} reads committed tokens of other positions {sorted(others)[:4]}; "
                              f"the inductive coupling check does not support that", position=p)
            out |= set(w.state_reads)
        return out

    def prove(self, p: int, first: int, last: int, free: frozenset) -> None:
        c, circuit = self.c, self.circuit
        reads = self.reads(p)
        symbolic_count = False
        contents: dict[int, Any] = {}
        for q in sorted(reads):
            if q in free and q != p:
                contents[q] = "X"
            elif q in self.counter_where:
                contents[q] = ("count",) + self.counter_where[q]
                symbolic_count = True
            else:
                contents[q] = _constant_content(c, self.content_cache, q, first - 1, last - 1)
        if p in self.counter_where:
            expected = ("count",) + self.counter_where[p]
            symbolic_count = True
        else:
            expected = _constant_content(c, self.content_cache, p, first, last)
        coupled = [(bit, v) for bit, rnd, v in self.coupled.get(p, ()) if first <= rnd <= last]
        if coupled and first != last:
            raise Failure(f"position {p}: a coupled random bit is used in round(s) {first}..{last}; "
                          f"a case with a coupled bit must be a single round", position=p)
        # variables: the count (if symbolic and the case spans rounds or reads it), then vertices
        if symbolic_count and c.counter is None:
            raise Failure(f"position {p} reads a counter position, but the DLM declares no counter", position=p)
        k = c.counter.bits if (symbolic_count and first != last) else 0
        count_lo, count_hi = first - 1, last - 1
        base: list[int] = []
        for q in sorted(contents):
            s = contents[q]
            if isinstance(s, tuple) and s and s[0] == "lit":
                u = s[1] >> 1
                if circuit.vertices[u].op != Op.CONST and u not in base:
                    base.append(u)
        for _, v in coupled:
            if v not in base:
                base.append(v)
        nvars = k + len(base)
        if nvars > MAX_CASE_VARS:
            raise Failure(f"position {p}, rounds {first}..{last}: {nvars} variables, more than the "
                          f"{MAX_CASE_VARS} exhaustive evaluation allows", position=p, first=first, last=last)
        key = self._key(p, first, last, contents, expected, coupled, base, symbolic_count)
        if key is not None and key in self.memo:
            return
        width = 1 << nvars
        alg = TernaryAlgebra(width)
        count_bits = [alg.pattern(i) for i in range(k)]
        var = {u: alg.pattern(k + n) for n, u in enumerate(base)}
        valid = self._count_range(alg, k, count_lo, count_hi) if k else alg.mask
        # facts of the circuit: a read gate whose fan-ins are read too has their gate's value
        for u in base:
            vx = circuit.vertices[u]
            if vx.fanins and all((f >> 1) in var or circuit.vertices[f >> 1].op == Op.CONST for f in vx.fanins):
                args = []
                for f in vx.fanins:
                    a = var[f >> 1] if (f >> 1) in var else alg.const(False)
                    args.append(alg.neg(a) if f & 1 else a)
                g = _apply(alg, vx.op, args)
                valid &= (g[1] & var[u][1]) | (g[0] & var[u][0])

        def lit_value(literal: int):
            u, neg = literal >> 1, literal & 1
            if circuit.vertices[u].op == Op.CONST:
                val = alg.const(False)
            elif u in var:
                val = var[u]
            else:
                vx = circuit.vertices[u]
                if vx.op in (Op.INPUT, Op.RANDOM) or any(
                        (f >> 1) not in var and circuit.vertices[f >> 1].op != Op.CONST for f in vx.fanins):
                    raise Failure(f"position {p}, rounds {first}..{last}: the value of vertex {u} "
                                  f"({vx.name or vx.op.name}) is not determined by what the position reads",
                                  position=p, first=first, last=last)
                sub = {}
                args = [lit_value(f) for f in vx.fanins]
                sub = args
                val = _apply(alg, vx.op, sub)
            return alg.neg(val) if neg else val

        def token(s):
            if s == "X":
                return (alg.X, alg.X)
            if s == MASK:
                return alg.const(True), alg.const(False)
            if s[0] == "lit":
                return alg.const(False), lit_value(s[1])
            if s[0] == "count":
                return self._count_token(alg, count_bits, s[1], s[2], k, count_lo, count_hi, plus=0)
            raise Failure(f"unknown content {s!r} of a read of position {p}", position=p)

        if expected[0] == "count":
            want = self._count_token(alg, count_bits, expected[1], expected[2], k, count_lo, count_hi, plus=1)
        else:
            want = token(expected)
        for rule in (Rule.LITERAL, Rule.ENFORCE):
            u = Unrolling(self.dlm, alg, rule=rule)
            for q, s in contents.items():
                u._x[(0, q)] = token(s)
            for bit, v in coupled:
                u._r[(0, p, bit, 0)] = var[v]
            got = u.x(1, p)
            bad = 0
            for g, w in zip(got, want):
                # a bit is settled only when both are definite and equal
                bad |= (g[0] & w[1]) | (g[1] & w[0])
            bad &= valid
            if bad:
                a = (bad & -bad).bit_length() - 1
                assignment = {f"v{u_}": (a >> (k + n)) & 1 for n, u_ in enumerate(base)}
                if k:
                    assignment["count"] = a & ((1 << k) - 1)
                raise Failure(
                    f"position {p}, round(s) {first}..{last} ({rule.value} rule): the invariant says "
                    f"{_show_sym(expected)}, the DLM may produce something else "
                    f"(with {', '.join(f'{n}={b}' for n, b in assignment.items()) or 'no variables'})",
                    position=p, first=first, last=last, rule=rule.value, assignment=assignment,
                    reads={str(q): _show_sym(s) for q, s in contents.items()})
        if key is not None:
            self.memo[key] = True

    def _key(self, p, first, last, contents, expected, coupled, base, k):
        """A canonical form of the case, so identical obligations are evaluated once.

        Two cases share a key only if their circuits are the same up to renaming positions and
        vertices; the circuits are compared by their vertex tuples with leaf names renamed."""
        dlm = self.dlm
        ren_pos = {}
        ren_v = {u: n for n, u in enumerate(base)}

        def rp(q):
            return ren_pos.setdefault(q, len(ren_pos))

        rp(p)

        def canon_circuit(circ):
            out = []
            for vx in circ.vertices:
                name = vx.name
                if name:
                    from ..dlm.model import parse_name
                    parsed = parse_name(name)
                    if parsed:
                        name = (parsed[0], rp(parsed[1]), parsed[2])
                out.append((vx.op, vx.fanins, name))
            return (tuple(out), circ.outputs)

        circuits = [canon_circuit(dlm.predictor[p])]
        if dlm.unmask_strategy is not None:
            circuits.append(canon_circuit(dlm.unmask_strategy[p]))
        if dlm.remask is not None:
            circuits.append(canon_circuit(dlm.remask[p]))

        def canon_sym(s):
            if isinstance(s, tuple) and s and s[0] == "lit":
                u = s[1] >> 1
                if u in ren_v:
                    return ("lit", ren_v[u], s[1] & 1)
                vx = self.circuit.vertices[u]
                if vx.op == Op.CONST:
                    return ("const", s[1] & 1)
                return ("lit?", vx.op, tuple((ren_v.get(f >> 1, ("c",) if self.circuit.vertices[f >> 1].op == Op.CONST else None), f & 1) for f in vx.fanins), s[1] & 1)
            return s

        relations = []
        for u in base:  # the gate facts among the variables (they restrict the assignments)
            vx = self.circuit.vertices[u]
            if vx.fanins and all((f >> 1) in ren_v or self.circuit.vertices[f >> 1].op == Op.CONST
                                 for f in vx.fanins):
                relations.append((vx.op, tuple((ren_v.get(f >> 1, "c"), f & 1) for f in vx.fanins)))
            else:
                relations.append(None)
        return ((first, last) if k else None,  # counter contents depend on the rounds
                tuple(relations),
                tuple(circuits), tuple(sorted((rp(q), canon_sym(s)) for q, s in contents.items())),
                canon_sym(expected), tuple((bit, ren_v[v]) for bit, v in coupled),
                self.dlm.mode, len(base))

    @staticmethod
    def _count_range(alg: TernaryAlgebra, k: int, lo: int, hi: int) -> int:
        block = 0
        for cnt in range(max(lo, 0), min(hi, (1 << k) - 1) + 1):
            block |= 1 << cnt
        period = 1 << k
        out = 0
        for start in range(0, alg.width, period):
            out |= block << start
        return out & alg.mask

    def _count_token(self, alg, bits, register, bit, k, lo, hi, plus):
        counter = self.c.counter
        if lo == hi:  # concrete count
            m, v = counter_token(counter, register, bit, lo + plus)
            return alg.const(bool(m)), alg.const(bool(v))
        if plus:
            carry = alg.const(True)
            val = []
            for i in range(k):
                val.append(alg.xor([bits[i], carry]))
                carry = alg.and_([bits[i], carry])
            nonzero = alg.const(True)   # count + 1 >= 1 within range
        else:
            val = list(bits)
            nonzero = alg.or_(list(bits))
        if counter.kind == "binary":
            return alg.neg(nonzero), val[bit]
        parity = val[0] if register == 1 else alg.neg(val[0])
        active = alg.and_([nonzero, parity])
        return alg.neg(active), alg.and_([val[bit], active])


def _apply(alg, op: Op, args):
    from ..circuits.evaluate import majority
    if op == Op.BUF:
        return args[0]
    if op == Op.AND:
        return alg.and_(args)
    if op == Op.OR:
        return alg.or_(args)
    if op == Op.XOR:
        return alg.xor(args)
    return majority(alg, args)


def _show_sym(s) -> str:
    if s == "X":
        return "any"
    if s == MASK:
        return "M"
    if s[0] == "lit":
        return f"{'~' if s[1] & 1 else ''}vertex{s[1] >> 1}"
    if s[0] == "count":
        return f"counter[{s[1]}].bit{s[2]}"
    return str(s)


def prove_inductive(compiled: Compiled, progress=None) -> InductiveResult:
    """The inductive coupling proof (module docstring); never raises on a failed obligation."""
    dlm, circuit = compiled.dlm, compiled.circuit
    T = dlm.rounds
    if circuit is None or compiled.content is None or compiled.cases is None:
        return InductiveResult(False, "this construction states no invariant (not compiled from a circuit)")
    ev = _CaseEvaluator(compiled)
    counter_positions = set(ev.counter_where)
    n_cases = 0
    try:
        # the coupling itself: injective, valid bits and rounds
        seen = {}
        for v, (p, bit, rnd) in compiled.random_map.items():
            if circuit.vertices[v].op != Op.RANDOM:
                raise Failure(f"random_map names vertex {v}, which is not a random source")
            if not (0 <= p < dlm.length and 0 <= bit < dlm.random_bits[p] and 1 <= rnd <= T):
                raise Failure(f"random_map: vertex {v} -> position {p}, bit {bit}, round {rnd} is not a random bit of the DLM")
            if (p, bit, rnd) in seen:
                raise Failure(f"random_map is not injective: vertices {seen[(p, bit, rnd)]} and {v} share a bit")
            seen[(p, bit, rnd)] = v
        # base: the initial state
        if len(dlm.inputs) != len(circuit.inputs):
            raise Failure(f"the DLM has {len(dlm.inputs)} input positions, the circuit {len(circuit.inputs)} inputs")
        inputs = {p: k for k, p in enumerate(dlm.inputs)}
        for p in range(dlm.length):
            if p in counter_positions:
                if p in inputs:
                    raise Failure(f"counter position {p} is an input position")
                continue  # count 0 is the all-masked counter
            s = _constant_content(compiled, ev.content_cache, p, 0, 0)
            want = ("lit", 2 * circuit.inputs[inputs[p]]) if p in inputs else MASK
            if s != want:
                raise Failure(f"position {p}: the invariant after round 0 is {_show_sym(s)}, the initial "
                              f"state holds {_show_sym(want)}", position=p)
        # end: the outputs
        if len(dlm.outputs) != len(circuit.outputs):
            raise Failure(f"the DLM has {len(dlm.outputs)} output positions, the circuit {len(circuit.outputs)} outputs")
        for k, (p, literal) in enumerate(zip(dlm.outputs, circuit.outputs)):
            s = _constant_content(compiled, ev.content_cache, p, T, T)
            if s != ("lit", literal):
                raise Failure(f"output {k} (position {p}) holds {_show_sym(s)} after round {T}, "
                              f"the circuit's output is {_show_sym(('lit', literal))}", position=p)
        # step: every position, every round
        for p in range(dlm.length):
            cases = sorted(compiled.cases(p), key=lambda c: c[0])
            nxt = 1
            for first, last, free in cases:
                if first != nxt or last < first:
                    raise Failure(f"position {p}: the cases do not cover rounds 1..{T} in order "
                                  f"(round {nxt} expected, case {first}..{last} given)", position=p)
                ev.prove(p, first, last, frozenset(free))
                n_cases += 1
                nxt = last + 1
            if nxt != T + 1:
                raise Failure(f"position {p}: the cases cover rounds 1..{nxt - 1}, not 1..{T}", position=p)
            if dlm.length > 4096:
                ev.content_cache.clear()
            if progress and p % 20000 == 0:
                progress(p)
    except Failure as f:
        return InductiveResult(False, str(f), n_cases, dlm.length, len(ev.memo), dict(f.where))
    return InductiveResult(True, f"{n_cases} cases over {dlm.length} positions and {T} rounds "
                                 f"({len(ev.memo)} distinct shapes evaluated)", n_cases, dlm.length, len(ev.memo))


# --- concrete counterexamples -----------------------------------------------------------------

def coupled_draws(compiled: Compiled, randoms: dict[int, bool], fill: _random.Random | None = None):
    """Per-round draws of the DLM's private bits: coupled ones from ``randoms``, the rest 0 or random."""
    dlm = compiled.dlm
    slots = [(i, b) for i in range(dlm.length) for b in range(dlm.random_bits[i])]
    draws = [{s: (bool(fill.getrandbits(1)) if fill else False) for s in slots} for _ in range(dlm.rounds)]
    for v, (p, bit, rnd) in compiled.random_map.items():
        draws[rnd - 1][(p, bit)] = bool(randoms[v])
    return draws


def find_counterexample(compiled: Compiled, tries: int = 300, seed: int = 0):
    """A replayed run whose outputs differ from the circuit's, or None (simulator only)."""
    circuit, dlm = compiled.circuit, compiled.dlm
    rng = _random.Random(seed)
    n_in, n_r = len(circuit.inputs), len(circuit.randoms)
    total = n_in + n_r
    if total <= 12:
        space = ([(a >> i) & 1 for i in range(total)] for a in range(1 << total))
    else:
        space = ([rng.getrandbits(1) for _ in range(total)] for _ in range(tries))
    for bits in space:
        chi, rs = bits[:n_in], bits[n_in:]
        randoms = dict(zip(circuit.randoms, map(bool, rs)))
        want = ["1" if b else "0" for b in simulate(circuit, chi, rs)]
        for fill in (None, _random.Random(rng.getrandbits(32))):
            draws = coupled_draws(compiled, randoms, fill)
            try:
                trace = run(dlm, chi, draws, Rule.ENFORCE)
            except SemanticsError as e:
                return {"input": "".join(map(str, chi)), "random": "".join(map(str, rs)), "error": str(e)}
            final = trace[-1].after if trace else dlm.initial_state(chi)
            got = [final[p].char for p in dlm.outputs]
            if got != want:
                return {"input": "".join(map(str, chi)), "random": "".join(map(str, rs)),
                        "dlm_output": "".join(got), "circuit_output": "".join(want),
                        "first_difference": next(k for k, (a, b) in enumerate(zip(got, want)) if a != b)}
    return None


# --- check kinds ------------------------------------------------------------------------------

def _parse_options(table) -> dict[str, Any]:
    return {"tries": table.int("tries", 300, minimum=1)}


def _compiled(instance) -> Compiled | None:
    subject = instance.subject
    return compiled_of(subject) if isinstance(subject, DLM) else None


def _refute_or_unknown(compiled: Compiled, why: str, where: dict, tries: int) -> Outcome:
    cex = find_counterexample(compiled, tries)
    if cex is None:
        return Outcome(Verdict.UNKNOWN, f"an inductive obligation fails ({why}), and no concrete run "
                                        f"on the simulator disagrees with the circuit", METHOD,
                       details={"failed_obligation": where})
    what = cex.get("error") or (f"output {cex['first_difference']}: DLM {cex['dlm_output']} vs circuit "
                                f"{cex['circuit_output']}")
    return Outcome(Verdict.REFUTED, f"input {cex['input'] or '-'}, random {cex['random'] or '-'}: {what}",
                   METHOD + "; counterexample replayed on the simulator",
                   details={"counterexample": cex, "failed_obligation": where, "reason": why},
                   explain=[f"first failed obligation: {why}",
                            f"replayed: χ={cex['input'] or '-'} R={cex['random'] or '-'} (coupled bits; others 0 or random) -> {what}"])


@check_kind("coupling", ("construction",), _parse_options,
            "the compiled DLM equals its circuit under the coupling (inductive, linear)")
def check_coupling(instance, check, ctx: Context) -> Outcome:
    compiled = _compiled(instance)
    if compiled is None or compiled.circuit is None:
        return Outcome(Verdict.ERROR, "the coupling check needs a DLM compiled from a circuit")
    res = prove_inductive(compiled)
    details = {"cases": res.cases, "positions": res.positions, "distinct_shapes": res.distinct,
               "random_map": len(compiled.random_map)}
    if res.ok:
        return Outcome(Verdict.PROVED, res.message, METHOD, details=details)
    return _refute_or_unknown(compiled, res.message, res.failure, check.options["tries"])


# --- the unrolled miter ---------------------------------------------------------------------

class _PatternAlgebra(BitParallelAlgebra):
    """Bit-parallel evaluation where every named leaf is the next enumeration variable."""

    def __init__(self, width: int):
        super().__init__(width)
        self.keys: dict = {}

    def var(self, key):
        n = self.keys.get(key)
        if n is None:
            n = self.keys[key] = len(self.keys)
        return self.pattern(n)


def miter(compiled: Compiled, alg, rule: Rule = Rule.ENFORCE) -> tuple[Any, Unrolling, list]:
    """(violation, unrolling, circuit outputs) over ``alg``: the T-round run from the initial
    state vs the circuit, the coupled bits shared, every other random bit free."""
    dlm, circuit = compiled.dlm, compiled.circuit
    u = Unrolling(dlm, alg, start=INITIAL, rule=rule, tag="dlm")
    leaves = {}
    for k, v in enumerate(circuit.inputs):
        leaves[v] = u.x(0, dlm.inputs[k])[1]
    for v in circuit.randoms:
        if v in compiled.random_map:
            p, bit, rnd = compiled.random_map[v]
            leaves[v] = u.random(rnd - 1, p, bit)
        else:
            leaves[v] = alg.var(("unused-random", v))
    values = evaluate(circuit, alg, leaves)
    outs = [read_literal(values, o, alg) for o in circuit.outputs]
    fill_rounds(u)
    bad = []
    for k, p in enumerate(dlm.outputs):
        m, val = u.x(dlm.rounds, p)
        bad.append(alg.or_([m, alg.xor([val, outs[k]])]))
    return alg.or_(bad), u, outs


def fill_rounds(u: Unrolling) -> None:
    """Build the unrolling round by round, so its memoised recursion stays one round deep."""
    dlm = u.dlm
    for t in range(1, dlm.rounds + 1):
        for j in range(dlm.length):
            u.x(t, j)


def _free_leaves(compiled: Compiled) -> int:
    dlm = compiled.dlm
    coupled = len(compiled.random_map)
    unused = len(compiled.circuit.randoms) - coupled
    return len(dlm.inputs) + sum(dlm.random_bits) * dlm.rounds + unused


def _miter_options(table) -> dict[str, Any]:
    return {"max_exhaustive": table.int("max_exhaustive", 20, minimum=0),
            "sat_solver": table.str("sat_solver", "cadical153")}


@check_kind("coupling-miter", ("construction",), _miter_options,
            "the unrolled compiled DLM and its circuit agree on every input and random bit (miter)")
def check_coupling_miter(instance, check, ctx: Context) -> Outcome:
    compiled = _compiled(instance)
    if compiled is None or compiled.circuit is None:
        return Outcome(Verdict.ERROR, "the coupling miter needs a DLM compiled from a circuit")
    free = _free_leaves(compiled)
    if free <= check.options["max_exhaustive"]:
        alg = _PatternAlgebra(1 << free)
        bad = 0
        for rule in (Rule.ENFORCE, Rule.LITERAL):
            violation, _, _ = miter(compiled, alg, rule)
            bad |= violation
        if not bad:
            return Outcome(Verdict.PROVED, f"no assignment of the {free} free leaves (inputs and every "
                                           f"private random bit of every round) separates them",
                           "exhaustive miter (bit-parallel evaluation of the unrolled run)",
                           details={"free_leaves": free})
        return _refute_or_unknown(compiled, "the exhaustive miter is violated", {}, 300)
    return _sat_miter(instance, check, ctx, compiled)


def _sat_miter(instance, check, ctx: Context, compiled: Compiled) -> Outcome:
    from .backends import Query
    from .rules import Replay, drive

    def build(alg):
        violations = []
        for rule in (Rule.ENFORCE, Rule.LITERAL):
            violation, _, _ = miter(compiled, alg, rule)
            violations.append(violation)
        return [alg.or_(violations)], (lambda value: None)

    def replay(_witness) -> Replay:
        cex = find_counterexample(compiled, 1000)
        if cex is None:
            return Replay(False, "no concrete run found for the SAT model")
        return Replay(True, f"input {cex['input']}, random {cex['random']}: outputs differ",
                      details={"counterexample": cex})

    opts = dict(check.options)
    check.options.setdefault("solver", "sat")
    check.options.setdefault("timeout", None)
    try:
        return drive(instance, check, ctx, [Query("miter", build)], replay,
                     "the unrolled DLM equals the circuit")
    except ImportError as e:
        check.options.clear()
        check.options.update(opts)
        return Outcome(Verdict.UNKNOWN, f"SAT back end not available yet ({e}); too many free leaves "
                                        f"({_free_leaves(compiled)}) for the exhaustive miter", "SAT miter")
