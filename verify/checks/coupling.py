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
  compiler calls free are unconstrained tokens, the others must hold one fixed content over the
  whole case (checked against the invariant), and the round counter is symbolic over the
  case's rounds. Vertex relations used: a gate's value is its function of its fan-ins' values,
  a coupled random bit is its random source.

Base, end, the cover of rounds by cases and the fixed contents are structural facts checked
here in Python. Every *step* obligation is a formula over the one evaluator
(:meth:`_CaseEvaluator.encode_case`): constraints and a violation ("round ``l`` leaves
something else at ``p``"); the obligation holds iff the two are unsatisfiable together. They
are discharged by **certified SAT**: the CNF view (:mod:`verify.encode.cnf`) of many
obligations is one formula asserting OR_i (constraints_i AND violation_i), so its UNSAT proves
every obligation in it; :func:`verify.certify.certify_unsat` writes CNF, LRAT (or DRAT) proof and
manifest under the proofs directory as ``<instance>__coupling__stepN`` and only the trusted
checker's acceptance counts. A batch is closed at about ``CLAUSES_PER_CERTIFICATE`` clauses
(the trusted checker's time grows faster than linearly in one formula).

Which obligations are encoded:

* Positions that do not read the round counter (all of ``thm3.1`` and ``ar-cot``, the inputs
  of Thm 3.2): one obligation per distinct *shape*. Cases are deduplicated by
  :meth:`_CaseEvaluator._key`, which must capture everything the formula depends on: the
  circuits ``P_p``, ``F_p``, ``G_p`` vertex for vertex with the positions their leaves name
  renamed in order of appearance; the content of every read (free, ``M``, a variable, or a gate
  over variables) under that renaming; the expected content; the gate relations among the
  variables; the coupled bits; the mode. Two cases with one key are the same formula up to a
  renaming of positions and variables, so the certificate of one covers the other. The
  test-suite checks that a position whose gate is changed gets a new key and is refuted.
* Positions that read the counter (Thm 3.2): all the cases of the position in one obligation
  (:meth:`_CaseEvaluator.encode_position`): the count is symbolic over rounds ``1..T`` and
  selects the case, and with it each read's content; no deduplication (the counter makes every
  position different).

Independent cross-check: each deduplicated case, and each case of a merged position, is also
evaluated exhaustively in three-valued logic (:mod:`verify.encode.ternary`; X for free reads
and uncoupled random bits, an over-approximation, so a definite result is a proof for every
filling) when it has at most ``CROSS_CHECK_VARS`` variables (``CROSS_CHECK_SYMBOLIC_VARS``
when its count is symbolic: 2^k assignments). A case the 3-valued evaluation proves but the SAT
encoding refutes is an ERROR. The 3-valued evaluation may be inconclusive (X), which is
reported and not an error; the verdict rests on the certificates.

A failed obligation is not yet a counterexample (the invariant may be too weak); the check
then searches a concrete run (``χ``, ``R``) on the simulator whose output differs from the
circuit's and reports REFUTED only with that replayed run, UNKNOWN otherwise. A solver
timeout is UNKNOWN; a certificate the checker rejects is an ERROR.

``coupling-miter`` (small circuits): the whole ``T``-round run from the initial state, unrolled
symbolically (:mod:`verify.encode.unroll`) next to the circuit, every uncoupled random bit
free; the miter "some output differs or is masked" must be unsatisfiable. Exhaustive
evaluation proves it when the free leaves are few (``exhaustive miter``), otherwise SAT with a
certificate (LRAT or DRAT) checked by the trusted checker (the ``checks`` back ends).
"""
from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..circuits.evaluate import BitParallelAlgebra, evaluate, read_literal, simulate
from ..circuits.ir import Op
from ..constructions.base import MASK, Compiled, compiled_of, counter_token
from ..dlm.model import DLM, parse_name
from ..dlm.semantics import Rule, SemanticsError, run
from ..encode.sat import default_proof_format, solver_names
from ..encode.ternary import TernaryAlgebra
from ..encode.unroll import FREE, INITIAL, Unrolling
from ..store import claim_record
from ..verdict import Verdict
from .bounded import Expired, within
from .registry import BOTH_RULES, Context, Outcome, check_kind
from .rules import certificate_stem

CROSS_CHECK_VARS = 22             # 3-valued cross-check of a case: at most 2^22 assignments
CROSS_CHECK_SYMBOLIC_VARS = 12    # ... of a case whose count is symbolic (the costly ones)
CLAUSES_PER_CERTIFICATE = 3_000  # a batch is flushed into one certificate from this size on:
# measured on c3540 under thm3.2-remask, 3k-clause batches take 7.5 s in all and 20k-clause
# batches 44 s (solving and checking one formula grow faster than linearly), so keep them small
METHOD = "induction; SAT+LRAT/DRAT per distinct case; 3-valued cross-check"


def method_label(res: "InductiveResult") -> str:
    from .backends import STRUCTURAL
    cc = res.cross_check or {}
    cross = f"3-valued cross-check ({cc.get('proved', 0)} of {res.obligations_cases} cases)"
    certified = res.n_certificates
    if res.structural and not certified:
        return (f"induction; {STRUCTURAL} (every obligation folded to FALSE in "
                f"{res.structural} batch(es), no certificate); {cross}")
    sat = f"induction; SAT+{res.proof_format.upper()} per distinct case ({certified} certificate(s) checked)"
    if res.structural:
        sat += f"; {res.structural} batch(es) {STRUCTURAL}"
    return f"{sat}; {cross}"


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
    status: str = "FAILED"          # PROVED | FAILED (an obligation fails) | UNKNOWN | ERROR
    certificates: list[str] = field(default_factory=list)   # paths of the checked files
    n_certificates: int = 0          # certificates checked (batches decided while encoding excluded)
    cross_check: dict[str, int] = field(default_factory=dict)
    obligations: int = 0            # disjuncts discharged by SAT (distinct shapes + merged positions)
    merged_positions: int = 0
    clauses: int = 0
    structural: int = 0             # batches decided by constant folding (no certificate)
    proof_format: str = "lrat"

    @property
    def obligations_cases(self) -> int:
        return sum((self.cross_check or {}).values())


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


@dataclass
class _Case:
    """One step obligation of position ``p`` over rounds ``first..last`` (module docstring)."""

    p: int
    first: int
    last: int
    contents: dict            # read position -> Sym, "X" (free) or ("count", register, bit)
    expected: Any             # Sym or ("count", register, bit): the invariant after the round
    coupled: list             # (bit, circuit random vertex) of p's coupled bits in this round
    base: list                # circuit vertices that are variables of the obligation
    k: int                    # symbolic count bits (0: no counter read, or a single round)
    symbolic: bool            # reads the counter (or is a counter position)

    @property
    def nvars(self) -> int:
        return self.k + len(self.base)


def _at_least(alg, bits, a: int):
    """``count >= a`` for the unsigned count ``bits`` (LSB first), over any algebra."""
    if a <= 0:
        return alg.const(True)
    if a >= 1 << len(bits):
        return alg.const(False)
    acc = alg.const(True)   # the low bits so far are >= the low bits of a
    for i, b in enumerate(bits):
        acc = alg.and_([b, acc]) if (a >> i) & 1 else alg.or_([b, acc])
    return acc


class _CaseEvaluator:
    """States the step obligations of the inductive proof and encodes them over an algebra."""

    def __init__(self, compiled: Compiled):
        self.c = compiled
        self.dlm = compiled.dlm
        self.circuit = compiled.circuit
        self.counter_where = compiled.counter.where() if compiled.counter else {}
        self.coupled = {}
        for v, (p, bit, rnd) in compiled.random_map.items():
            self.coupled.setdefault(p, []).append((bit, rnd, v))
        self.content_cache: dict = {}
        self.memo: dict = {}                 # shape key -> index of its representative case
        self._canon: tuple | None = None     # (position, renaming, circuits id) of the last position
        self._circuit_ids: dict = {}

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

    def describe(self, p: int, first: int, last: int, free: frozenset) -> _Case:
        """The obligation of one case, after checking its structural claims (fixed contents)."""
        c, circuit = self.c, self.circuit
        reads = self.reads(p)
        symbolic = False
        contents: dict[int, Any] = {}
        for q in sorted(reads):
            if q in free and q != p:
                contents[q] = "X"
            elif q in self.counter_where:
                contents[q] = ("count",) + self.counter_where[q]
                symbolic = True
            else:
                contents[q] = _constant_content(c, self.content_cache, q, first - 1, last - 1)
        if p in self.counter_where:
            expected = ("count",) + self.counter_where[p]
            symbolic = True
        else:
            expected = _constant_content(c, self.content_cache, p, first, last)
        coupled = [(bit, v) for bit, rnd, v in self.coupled.get(p, ()) if first <= rnd <= last]
        if coupled and first != last:
            raise Failure(f"position {p}: a coupled random bit is used in round(s) {first}..{last}; "
                          f"a case with a coupled bit must be a single round", position=p)
        if symbolic and c.counter is None:
            raise Failure(f"position {p} reads a counter position, but the DLM declares no counter", position=p)
        k = c.counter.bits if (symbolic and first != last) else 0
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
        return _Case(p, first, last, contents, expected, coupled, base, k, symbolic)

    # --- one case over any algebra ----------------------------------------------------------
    def encode_case(self, case: _Case, alg, var, tag: str = "") -> tuple[list, Any]:
        """(constraints, violation) of one case over ``alg``; ``var(key)`` gives the leaves:
        ``("count", i)`` the count's bits, ``("vertex", u)`` the circuit vertices of ``base``;
        every other leaf (free reads, uncoupled random bits) is the algebra's own ``var``.
        The obligation holds iff no assignment satisfies the constraints and the violation."""
        circuit, p = self.circuit, case.p
        k = case.k
        bits = [var(("count", i)) for i in range(k)]
        vv = {u: var(("vertex", u)) for u in case.base}
        constraints: list = []
        if k:
            constraints.append(_at_least(alg, bits, case.first - 1))
            constraints.append(alg.neg(_at_least(alg, bits, case.last)))
        for u in case.base:  # facts of the circuit: a read gate whose fan-ins are read too
            vx = circuit.vertices[u]
            if vx.fanins and all((f >> 1) in vv or circuit.vertices[f >> 1].op == Op.CONST for f in vx.fanins):
                args = []
                for f in vx.fanins:
                    a = vv[f >> 1] if (f >> 1) in vv else alg.const(False)
                    args.append(alg.neg(a) if f & 1 else a)
                constraints.append(alg.neg(alg.xor([_apply(alg, vx.op, args), vv[u]])))

        def lit_value(literal: int):
            u, neg = literal >> 1, literal & 1
            vx = circuit.vertices[u]
            if vx.op == Op.CONST:
                val = alg.const(False)
            elif u in vv:
                val = vv[u]
            else:
                if vx.op in (Op.INPUT, Op.RANDOM) or any(
                        (f >> 1) not in vv and circuit.vertices[f >> 1].op != Op.CONST for f in vx.fanins):
                    raise Failure(f"position {p}, rounds {case.first}..{case.last}: the value of vertex {u} "
                                  f"({vx.name or vx.op.name}) is not determined by what the position reads",
                                  position=p, first=case.first, last=case.last)
                val = _apply(alg, vx.op, [lit_value(f) for f in vx.fanins])
            return alg.neg(val) if neg else val

        lo, hi = case.first - 1, case.last - 1

        def token(s):
            if s == MASK:
                return alg.const(True), alg.const(False)
            if s[0] == "lit":
                return alg.const(False), lit_value(s[1])
            if s[0] == "count":
                return self._count_token(alg, bits, s[1], s[2], k, lo, hi, plus=0)
            raise Failure(f"unknown content {s!r} of a read of position {p}", position=p)

        if case.expected[0] == "count":
            want = self._count_token(alg, bits, case.expected[1], case.expected[2], k, lo, hi, plus=1)
        else:
            want = token(case.expected)
        violations = []
        for rule in (Rule.LITERAL, Rule.ENFORCE):
            u = Unrolling(self.dlm, alg, start=FREE, rule=rule, tag=tag)
            for q, s in case.contents.items():
                if s != "X":          # a free read stays a fresh token of the unrolling
                    u._x[(0, q)] = token(s)
            for bit, v in case.coupled:
                u._r[(0, p, bit, 0)] = vv[v]
            violations.append(u.differs(u.x(1, p), want))
            constraints.extend(u.constraints)
        return constraints, alg.or_(violations)

    def ternary(self, case: _Case) -> tuple[bool, str]:
        """Exhaustive 3-valued evaluation of one case: (proved, why not). X-leaves (free reads,
        uncoupled random bits) are over-approximated, so ``proved`` holds for every filling;
        a failure may be the approximation's, not the DLM's."""
        k, nvars = case.k, case.nvars
        alg = TernaryAlgebra(1 << nvars)
        leaves = {("count", i): alg.pattern(i) for i in range(k)}
        leaves.update({("vertex", u): alg.pattern(k + n) for n, u in enumerate(case.base)})
        constraints, violation = self.encode_case(case, alg, lambda key: leaves.get(key, alg.X))
        valid = alg.mask
        for c0, c1 in constraints:
            valid &= c1           # may hold: an over-approximation of the valid assignments
        bad = violation[1] & valid
        if not bad:
            return True, ""
        a = (bad & -bad).bit_length() - 1
        assignment = {f"v{u_}": (a >> (k + n)) & 1 for n, u_ in enumerate(case.base)}
        if k:
            assignment["count"] = a & ((1 << k) - 1)
        return False, ", ".join(f"{n}={b}" for n, b in assignment.items()) or "no variables"

    # --- every case of one counter-reading position, merged --------------------------------
    def encode_position(self, p: int, cases: list[_Case], alg, var, tag: str) -> tuple[list, Any]:
        """(constraints, violation) of all the cases of position ``p`` at once: the count is
        symbolic over every round ``1..T`` and selects the case, and hence what each read holds
        (its fixed content, or a free token where the case leaves it free), which coupled bit
        ``p`` draws and what it must hold afterwards. One formula of size linear in ``P_p``,
        ``F_p``, ``G_p`` and the cases, instead of one per case. Vertex values are leaves tied
        to their fan-ins' by the gate relation (true of every circuit run)."""
        circuit, dlm, counter = self.circuit, self.dlm, self.c.counter
        T, k = dlm.rounds, counter.bits
        bits = [var(("count", i)) for i in range(k)]
        constraints = [alg.neg(_at_least(alg, bits, T))]        # rounds 1..T: count 0..T-1
        sel = [alg.and_([_at_least(alg, bits, cs.first - 1), alg.neg(_at_least(alg, bits, cs.last))])
               for cs in cases]
        mentioned: dict[int, Any] = {}

        def vertex(u: int):
            if u not in mentioned:
                mentioned[u] = var(("vertex", u))
            return mentioned[u]

        def sym_token(s):
            if s == MASK:
                return alg.const(True), alg.const(False)
            if s[0] == "lit":
                u = s[1] >> 1
                val = alg.const(False) if circuit.vertices[u].op == Op.CONST else vertex(u)
                return alg.const(False), (alg.neg(val) if s[1] & 1 else val)
            raise Failure(f"unknown content {s!r} at position {p}", position=p)

        def select(pairs, default=None):
            """The token of the selected case (exactly one selector holds)."""
            ms = [alg.and_([s, t[0]]) for s, t in pairs]
            vs = [alg.and_([s, t[1]]) for s, t in pairs]
            if default is not None:
                none = alg.neg(alg.or_([s for s, _ in pairs]))
                ms.append(alg.and_([none, default[0]]))
                vs.append(alg.and_([none, default[1]]))
            return alg.or_(ms), alg.or_(vs)

        reads = sorted(set().union(*(cs.contents for cs in cases)))
        tokens = {}
        for q in reads:
            if q in self.counter_where:
                reg, bit = self.counter_where[q]
                tokens[q] = self._count_token(alg, bits, reg, bit, k, 0, 1, plus=0)
                continue
            fixed = [(sel[j], sym_token(cs.contents[q])) for j, cs in enumerate(cases)
                     if cs.contents.get(q, "X") != "X"]
            if len(fixed) == len(cases):
                tokens[q] = select(fixed)
            else:
                xm, xv = var(("free", q, "m")), var(("free", q, "v"))
                constraints.append(alg.neg(alg.and_([xm, xv])))
                tokens[q] = select(fixed, (xm, xv))
        randoms = {}
        for bit in range(dlm.random_bits[p]):
            pairs = [(sel[j], (vertex(v), vertex(v))) for j, cs in enumerate(cases) for b, v in cs.coupled if b == bit]
            if pairs:
                r = var(("free-random", bit))
                randoms[bit] = select(pairs, (r, r))[0]
        if p in self.counter_where:
            reg, bit = self.counter_where[p]
            want = self._count_token(alg, bits, reg, bit, k, 0, 1, plus=1)
        else:
            want = select([(sel[j], sym_token(cs.expected)) for j, cs in enumerate(cases)])
        for u in list(mentioned):   # gate relations of the vertices mentioned (one level)
            vx = circuit.vertices[u]
            if vx.fanins:
                args = []
                for f in vx.fanins:
                    w = f >> 1
                    a = alg.const(False) if circuit.vertices[w].op == Op.CONST else vertex(w)
                    args.append(alg.neg(a) if f & 1 else a)
                constraints.append(alg.neg(alg.xor([_apply(alg, vx.op, args), mentioned[u]])))
        violations = []
        for rule in (Rule.LITERAL, Rule.ENFORCE):
            u = Unrolling(dlm, alg, start=FREE, rule=rule, tag=tag)
            for q, tok in tokens.items():
                u._x[(0, q)] = tok
            for bit, r in randoms.items():
                u._r[(0, p, bit, 0)] = r
            violations.append(u.differs(u.x(1, p), want))
            constraints.extend(u.constraints)
        return constraints, alg.or_(violations)

    def _key(self, case: _Case):
        """A canonical form of the case, so identical obligations are discharged once.

        What an obligation depends on: the circuits ``P_p``, ``F_p``, ``G_p`` (their vertices,
        fan-ins and outputs, with the positions their leaves name renamed in order of first
        appearance, ``p`` first); what every read holds (free, the counter, ``M``, or a circuit
        literal: a variable of ``base``, renamed by its index there, or a gate over such
        variables); the invariant after the round; the gate relations among the ``base``
        variables; the coupled bits; the mode (the decoder's rule); and, when the count is read,
        the rounds (counter contents depend on them). The key records exactly these, so two
        cases with one key are the same formula up to renaming positions and variables: a
        proof of one is a proof of the other. The counter's layout is fixed per DLM."""
        p = case.p
        circuit = self.circuit
        if self._canon is None or self._canon[0] != p:
            ren_pos: dict[int, int] = {}

            def rp(q):
                return ren_pos.setdefault(q, len(ren_pos))
            rp(p)

            def canon_circuit(circ):
                out = []
                for vx in circ.vertices:
                    name = vx.name
                    if name:
                        parsed = parse_name(name)
                        if parsed:
                            name = (parsed[0], rp(parsed[1]), parsed[2])
                    out.append((vx.op, vx.fanins, name))
                return (tuple(out), tuple(circ.outputs))
            dlm = self.dlm
            circuits = [canon_circuit(dlm.predictor[p])]
            if dlm.unmask_strategy is not None:
                circuits.append(canon_circuit(dlm.unmask_strategy[p]))
            if dlm.remask is not None:
                circuits.append(canon_circuit(dlm.remask[p]))
            cid = self._circuit_ids.setdefault(tuple(circuits), len(self._circuit_ids))
            self._canon = (p, ren_pos, cid)
        _, ren_pos, cid = self._canon
        ren_v = {u: n for n, u in enumerate(case.base)}

        def canon_sym(s):
            if isinstance(s, tuple) and s and s[0] == "lit":
                u = s[1] >> 1
                if u in ren_v:
                    return ("lit", ren_v[u], s[1] & 1)
                vx = circuit.vertices[u]
                if vx.op == Op.CONST:
                    return ("const", s[1] & 1)
                return ("lit?", vx.op, tuple((ren_v.get(f >> 1, ("c",) if circuit.vertices[f >> 1].op == Op.CONST else None), f & 1) for f in vx.fanins), s[1] & 1)
            return s

        relations = []
        for u in case.base:
            vx = circuit.vertices[u]
            if vx.fanins and all((f >> 1) in ren_v or circuit.vertices[f >> 1].op == Op.CONST
                                 for f in vx.fanins):
                relations.append((vx.op, tuple((ren_v.get(f >> 1, "c"), f & 1) for f in vx.fanins)))
            else:
                relations.append(None)
        unknown = [q for q in case.contents if q not in ren_pos]
        if unknown:   # a read no circuit names: cannot happen (reads come from the circuits)
            return None
        return ((case.first, case.last) if case.symbolic else None, tuple(relations), cid,
                tuple(sorted((ren_pos[q], canon_sym(s)) for q, s in case.contents.items())),
                canon_sym(case.expected), tuple((bit, ren_v[v]) for bit, v in case.coupled),
                self.dlm.mode, len(case.base))

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


class _Disagreement(Exception):
    """The certified SAT encoding and the 3-valued evaluation disagree (a bug in one of them)."""


class _NoAnswer(Exception):
    """A solver call gave no answer (timeout), or the checker rejected a certificate."""

    def __init__(self, message: str, rejected: bool = False):
        super().__init__(message)
        self.rejected = rejected


class _Certifier:
    """Collects obligations as disjuncts of one CNF and discharges them by certified UNSAT.

    Each obligation ``i`` contributes a literal ``bad_i`` = AND(its constraints, its
    violation); a batch asserts OR(bad_i). Variables may be shared between obligations: the
    formula is satisfiable iff some single ``bad_i`` is, so its UNSAT proves every obligation of
    the batch. A batch is flushed (one certificate) when it reaches ``limit`` clauses."""

    def __init__(self, directory: Path, instance: str, timeout: float | None, solver: str, meta: dict,
                 limit: int, proof_format: str | None = None):
        self.directory, self.instance, self.timeout, self.solver = directory, instance, timeout, solver
        self.claim = meta.pop("claim", None) or claim_record(name=instance, kind="coupling")
        self.proof_format = proof_format
        self.meta, self.limit = meta, limit
        self.certificates: list[str] = []
        self.batches = 0
        self.structural = 0              # batches whose disjunction folded to FALSE
        self.obligations = 0
        self.clauses = 0
        self._new()

    def _new(self) -> None:
        from ..encode.cnf import CnfAlgebra
        self.alg = CnfAlgebra()
        self.items: list[tuple[int, Any]] = []

    def add(self, build, on_sat) -> None:
        """``build(alg) -> (constraints, violation)``; ``on_sat(value)`` raises for a model."""
        alg = self.alg
        constraints, violation = build(alg)
        self.items.append((alg.and_(list(constraints) + [violation]), on_sat))
        self.obligations += 1
        if len(alg.clauses) >= self.limit:
            self.flush()

    def flush(self) -> None:
        from .. import certify
        if not self.items:
            return
        alg, items = self.alg, self.items
        alg.require(alg.or_([lit for lit, _ in items]))
        self.batches += 1
        label = f"step{self.batches}"
        if alg.folded_false:
            # every obligation of the batch folded to FALSE while encoding: decided, and a
            # certificate would hold nothing but the complementary units (issue 18)
            self.structural += 1
            self.clauses += len(alg.clauses)
            self._new()
            return
        cert = certify.certify_unsat(alg.clauses, alg.num_vars, directory=self.directory,
                                     stem=certificate_stem(self.instance, "coupling", label), timeout=self.timeout, solver=self.solver,
                                     proof_format=self.proof_format,
                                     meta=dict(self.meta, query=label, obligations=len(items),
                                               claim=dict(self.claim, obligation=label)))
        self.clauses += len(alg.clauses)
        self._new()
        if cert.proved:
            self.certificates.extend(cert.paths)
            return
        if cert.status is certify.CertStatus.SAT:
            true = set(lit for lit in cert.model if lit > 0)
            value = lambda lit: (lit in true) if lit > 0 else (-lit not in true)  # noqa: E731
            for lit, on_sat in items:
                if value(lit):
                    on_sat(value)
            raise _Disagreement("the SAT model satisfies no obligation of the batch (encoder bug)")
        if cert.status is certify.CertStatus.UNSAT_REJECTED:
            raise _NoAnswer(f"{label}: UNSAT, but the trusted checker rejected the certificate: {cert.reason}",
                            rejected=True)
        raise _NoAnswer(f"{label}: the SAT solver gave no answer ({cert.reason})")

    @property
    def n_certificates(self) -> int:
        return self.batches


def prove_inductive(compiled: Compiled, progress=None, *, proofs_dir: Path | str | None = None,
                    instance: str | None = None, timeout: float | None = None, solver: str = "cadical195",
                    cross_check: bool = True, meta: dict | None = None,
                    proof_format: str | None = None) -> InductiveResult:
    """The inductive coupling proof (module docstring); never raises on a failed obligation.

    Every step obligation is discharged by certified UNSAT: the CNF, its DRAT proof and a
    manifest are written under ``proofs_dir`` as ``<instance>__coupling__stepN`` (a temporary directory, deleted
    afterwards, when None) and only the trusted checker's acceptance counts. ``cross_check``
    also evaluates the cases exhaustively in 3-valued logic where that is cheap; a case the
    3-valued evaluation proves but SAT refutes is an ERROR."""
    import tempfile
    if proofs_dir is None:
        with tempfile.TemporaryDirectory(prefix="dlm-coupling-") as tmp:
            return prove_inductive(compiled, progress, proofs_dir=tmp, instance=instance, timeout=timeout,
                                   solver=solver, cross_check=cross_check, meta=meta,
                                   proof_format=proof_format)
    dlm, circuit = compiled.dlm, compiled.circuit
    T = dlm.rounds
    if circuit is None or compiled.content is None or compiled.cases is None:
        return InductiveResult(False, "this construction states no invariant (not compiled from a circuit)")
    ev = _CaseEvaluator(compiled)
    counter_positions = set(ev.counter_where)
    instance = instance or dlm.name or compiled.construction
    cert = _Certifier(Path(proofs_dir), instance, timeout, solver,
                      dict(meta or {}, check="coupling", property="inductive coupling step obligations",
                           construction=compiled.construction, encoder="verify.encode.cnf (Tseitin, one IDPool)"),
                      CLAUSES_PER_CERTIFICATE, proof_format)
    n_cases = 0
    cross = {"proved": 0, "inconclusive": 0, "skipped": 0}
    merged_positions = 0

    def check_ternary(case: _Case) -> bool:
        limit = CROSS_CHECK_SYMBOLIC_VARS if case.k else CROSS_CHECK_VARS
        if not cross_check or case.nvars > limit:
            cross["skipped"] += 1
            return False
        ok, _ = ev.ternary(case)
        cross["proved" if ok else "inconclusive"] += 1
        return ok

    def fail_case(case: _Case, value, ternary_ok: bool, assignment: str):
        if ternary_ok:
            raise _Disagreement(f"position {case.p}, round(s) {case.first}..{case.last}: the 3-valued "
                                f"evaluation proves the obligation, the SAT encoding has a model ({assignment})")
        raise Failure(f"position {case.p}, round(s) {case.first}..{case.last}: the invariant says "
                      f"{_show_sym(case.expected)}, the DLM may produce something else (SAT model: {assignment})",
                      position=case.p, first=case.first, last=case.last,
                      reads={str(q): _show_sym(s) for q, s in case.contents.items()})

    def single(case: _Case, idx: int, ternary_ok: bool):
        tag = f"c{idx}"
        var_of = {}

        def build(alg):
            def var(key):
                if key not in var_of:
                    var_of[key] = alg.var((tag,) + key)
                return var_of[key]
            return ev.encode_case(case, alg, var, tag)

        def on_sat(value):
            got = [f"v{u}={int(value(var_of[('vertex', u)]))}" for u in case.base if ("vertex", u) in var_of]
            fail_case(case, value, ternary_ok, ", ".join(got) or "no variables")
        cert.add(build, on_sat)

    def merged(p: int, cases: list[_Case], ternary_ok: list[bool]):
        tag = f"p{p}"
        var_of = {}

        def build(alg):
            def var(key):
                if key[0] == "count":      # one count for the whole batch (shared is sound)
                    return alg.var(key)
                if key not in var_of:
                    var_of[key] = alg.var((tag,) + key)
                return var_of[key]
            out = ev.encode_position(p, cases, alg, var, tag)
            var_of["bits"] = [alg.var(("count", i)) for i in range(compiled.counter.bits)]
            return out

        def on_sat(value):
            count = sum(int(value(b)) << i for i, b in enumerate(var_of["bits"]))
            rnd = count + 1
            j = next((j for j, cs in enumerate(cases) if cs.first <= rnd <= cs.last), None)
            if j is None:
                raise _Disagreement(f"position {p}: SAT model with count {count} outside the rounds")
            fail_case(cases[j], value, ternary_ok[j], f"round {rnd}")
        cert.add(build, on_sat)

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
            described = []
            for first, last, free in cases:
                if first != nxt or last < first:
                    raise Failure(f"position {p}: the cases do not cover rounds 1..{T} in order "
                                  f"(round {nxt} expected, case {first}..{last} given)", position=p)
                described.append(ev.describe(p, first, last, frozenset(free)))
                n_cases += 1
                nxt = last + 1
            if nxt != T + 1:
                raise Failure(f"position {p}: the cases cover rounds 1..{nxt - 1}, not 1..{T}", position=p)
            if any(cs.symbolic for cs in described):
                # the count selects the case: one merged obligation for the position
                merged(p, described, [check_ternary(cs) for cs in described])
                merged_positions += 1
            else:
                for cs in described:
                    key = ev._key(cs)
                    if key is not None and key in ev.memo:
                        continue
                    idx = len(ev.memo)
                    ev.memo[key if key is not None else ("unkeyed", idx)] = idx
                    single(cs, idx, check_ternary(cs))
            dlm.forget_wiring([p])
            if dlm.length > 4096:
                ev.content_cache.clear()
            if progress and p % 20000 == 0:
                progress(p)
        cert.flush()
    except Failure as f:
        return InductiveResult(False, str(f), n_cases, dlm.length, len(ev.memo), dict(f.where),
                               certificates=list(cert.certificates), n_certificates=cert.batches - cert.structural,
                               structural=cert.structural)
    except _Disagreement as e:
        return InductiveResult(False, str(e), n_cases, dlm.length, len(ev.memo), status="ERROR",
                               certificates=list(cert.certificates), n_certificates=cert.batches - cert.structural,
                               structural=cert.structural)
    except _NoAnswer as e:
        return InductiveResult(False, str(e), n_cases, dlm.length, len(ev.memo),
                               status="ERROR" if e.rejected else "UNKNOWN",
                               certificates=list(cert.certificates), n_certificates=cert.batches - cert.structural,
                               structural=cert.structural)
    parts = [f"{n_cases} cases over {dlm.length} positions and {T} rounds"]
    if len(ev.memo):
        parts.append(f"{len(ev.memo)} distinct shapes")
    if merged_positions:
        parts.append(f"{merged_positions} counter-reading positions with their cases merged")
    certified = cert.batches - cert.structural
    how = f"{certified} certificate(s) checked by the trusted checker"
    if cert.structural:
        how += f" and {cert.structural} batch(es) decided while encoding (folded to FALSE)"
    msg = (", ".join(parts) + f": {cert.obligations} obligations in {how}; "
           f"3-valued cross-check: {cross['proved']} proved, "
           f"{cross['inconclusive']} inconclusive, {cross['skipped']} too large")
    return InductiveResult(True, msg, n_cases, dlm.length, len(ev.memo), status="PROVED",
                           certificates=list(cert.certificates), n_certificates=cert.batches - cert.structural,
                           structural=cert.structural, cross_check=dict(cross), obligations=cert.obligations,
                           merged_positions=merged_positions, clauses=cert.clauses,
                           proof_format=proof_format or default_proof_format(solver))


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
    # proved under both readings at once (the step obligations and the miter cover each)
    opts = {"tries": table.int("tries", 300, minimum=1, maximum=10**6),
            "sat_solver": table.str("sat_solver", "cadical195", choices=tuple(solver_names())),
            "timeout": table.seconds("timeout"), "rule": BOTH_RULES}
    return opts


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
    name = getattr(instance, "name", None) or compiled.dlm.name
    spec = getattr(instance, "spec", None)
    opts = check.options
    res = prove_inductive(compiled, proofs_dir=ctx.proofs_dir, instance=name,
                          timeout=opts.get("timeout") or ctx.timeout,
                          solver=opts.get("sat_solver", "cadical195"), proof_format=ctx.proof_format,
                          meta={"spec": name, "source": str(getattr(spec, "path", "")),
                                "claim": claim_record(instance, check)})
    details = {"cases": res.cases, "positions": res.positions, "distinct_shapes": res.distinct,
               "random_map": len(compiled.random_map), "certificates": res.n_certificates,
               "structural_batches": res.structural,
               "obligations": res.obligations, "merged_positions": res.merged_positions,
               "cross_check": res.cross_check}
    method = method_label(res)
    if res.ok:
        return Outcome(Verdict.PROVED, res.message, method, details=details, certificates=res.certificates)
    if res.status == "ERROR":
        return Outcome(Verdict.ERROR, res.message, method, details=details, certificates=res.certificates)
    if res.status == "UNKNOWN":
        return Outcome(Verdict.UNKNOWN, res.message, method, details=details, certificates=res.certificates)
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
    return {"max_exhaustive": table.int("max_exhaustive", 20, minimum=0, maximum=26),
            "sat_solver": table.str("sat_solver", "cadical195", choices=tuple(solver_names())), "rule": BOTH_RULES}


@check_kind("coupling-miter", ("construction",), _miter_options,
            "the unrolled compiled DLM and its circuit agree on every input and random bit (miter)")
def check_coupling_miter(instance, check, ctx: Context) -> Outcome:
    compiled = _compiled(instance)
    if compiled is None or compiled.circuit is None:
        return Outcome(Verdict.ERROR, "the coupling miter needs a DLM compiled from a circuit")
    free = _free_leaves(compiled)
    if free <= check.options["max_exhaustive"]:
        try:   # bit-parallel over 2^free patterns: in a child killed at --timeout (issue 10.5)
            bad = within(ctx.timeout, exhaustive_miter, compiled, free)
        except Expired as e:
            return Outcome(Verdict.UNKNOWN, f"the exhaustive miter over {free} free leaves did not finish: {e}",
                           "exhaustive miter (bit-parallel evaluation of the unrolled run)")
        if not bad:
            return Outcome(Verdict.PROVED, f"no assignment of the {free} free leaves (inputs and every "
                                           f"private random bit of every round) separates them",
                           "exhaustive miter (bit-parallel evaluation of the unrolled run)",
                           details={"free_leaves": free})
        return _refute_or_unknown(compiled, "the exhaustive miter is violated", {}, 300)
    return _sat_miter(instance, check, ctx, compiled)


def exhaustive_miter(compiled: Compiled, free: int) -> int:
    """The patterns (a bit mask over all 2^free assignments of the free leaves) on which the
    unrolled DLM and the circuit disagree, under either rule."""
    alg = _PatternAlgebra(1 << free)
    bad = 0
    for rule in (Rule.ENFORCE, Rule.LITERAL):
        violation, _, _ = miter(compiled, alg, rule)
        bad |= violation
    return bad


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
