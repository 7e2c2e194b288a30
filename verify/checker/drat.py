"""DRAT proof reader and backward checker of the trusted checker (standard library only).

Semantics (those of drat-trim in its default backward mode):

* The proof is a sequence of lemma additions and ``d`` deletions, in text or binary DRAT.
  Binary is detected as drat-trim does: a byte among the first 10 that is none of
  ``d``, newline, carriage return, space, ``-``, a digit or a character in ``A``..``z``.
* Forward pass, unchecked: clauses are added and deleted and unit propagation is run at top
  level after each addition. The first addition after which propagation conflicts (the
  explicit empty lemma ``0`` counts as a conflicting addition) ends the proof; the rest is
  ignored. No conflict by the end of the proof means NOT VERIFIED.
* A deletion that matches no live clause is ignored with a warning; deletions of unit clauses
  and of clauses that are the reason of a top-level assignment (pseudo-units) are ignored, as
  drat-trim does by default. Ignoring a deletion only keeps the formula stronger.
* Backward pass with core marking: the clauses used by the final conflict are marked; going
  back through the proof, each marked lemma is removed and checked against the formula as it
  was when the lemma was added: RUP (unit propagation on its negation conflicts), else RAT on
  its first literal as written (every resolvent with a live clause containing the negated
  first literal is RUP or a tautology). Clauses used by a successful check are marked in turn.
  Unmarked lemmas are not needed for the empty clause and are not checked.
* Propagation visits marked (core) clauses first, as drat-trim does. The order only decides
  which clauses get marked: unit propagation reaches the same fixpoint, or a conflict, in any
  order. Removing a lemma that is a top-level reason redoes only the trail after its literal.

Deliberately stricter than drat-trim in one respect: RAT candidates are *all* live clauses
containing the negated pivot (the textbook DRAT definition), where drat-trim's backward mode
only looks at candidates already in the core and then also tries other pivots. RUP-only (DRUP)
proofs, which is what the PySAT back ends produce, are unaffected.

VERIFIED therefore means: every lemma needed to reach a top-level conflict was checked to be
RUP or RAT against the clauses live at its position, starting from the CNF as parsed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .dimacs import CheckerInputError

ADD, DELETE = 0, 1
_TEXT_BYTES = frozenset(b"d\n\r -0123456789") | frozenset(range(65, 123))


@dataclass
class Proof:
    kinds: bytearray               # ADD or DELETE per step
    clauses: list[list[int]]       # DIMACS literals per step
    where: list[int]               # line (text) or byte offset (binary) of each step
    binary: bool
    path: str = "<proof>"

    def location(self, step: int) -> str:
        return f"{'byte' if self.binary else 'line'} {self.where[step]}"


def is_binary(head: bytes) -> bool:
    return any(b not in _TEXT_BYTES for b in head[:10])


def read_proof(path) -> Proof:
    from .dimacs import read_file
    return parse_proof(read_file(path), str(path))


def parse_proof(data: bytes, path: str = "<proof>") -> Proof:
    return _parse_binary(data, path) if is_binary(data) else _parse_text(data, path)


def _parse_text(data: bytes, path: str) -> Proof:
    from .dimacs import parse_ints
    kinds, clauses, where = bytearray(), [], []
    cur: list[int] | None = None
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        tokens = raw.split()
        if not tokens or tokens[0][:1] == b"c":
            continue
        start = 0
        if tokens[0] == b"d":
            if cur is not None:
                raise CheckerInputError(path, f"line {lineno}", "'d' inside an unterminated clause")
            start = 1
            raw = raw.replace(b"d", b" ", 1)
            kinds.append(DELETE)
            where.append(lineno)
            cur = []
        for lit in parse_ints(tokens[start:], raw, path, lineno):
            if cur is None:
                kinds.append(ADD)
                where.append(lineno)
                cur = []
            if lit == 0:
                clauses.append(cur)
                cur = None
            else:
                cur.append(lit)
    if cur is not None:
        raise CheckerInputError(path, f"line {where[-1]}", "clause not terminated by 0 at end of file")
    return Proof(kinds, clauses, where, False, path)


def _parse_binary(data: bytes, path: str) -> Proof:
    kinds, clauses, where = bytearray(), [], []
    i, n = 0, len(data)
    while i < n:
        tag = data[i]
        if tag == 0x61:
            kinds.append(ADD)
        elif tag == 0x64:
            kinds.append(DELETE)
        else:
            raise CheckerInputError(path, f"byte {i}", f"expected 'a' or 'd', found byte {tag}")
        where.append(i)
        i += 1
        cur = []
        while True:
            if i >= n:
                raise CheckerInputError(path, f"byte {where[-1]}", "clause not terminated by 0 at end of file")
            b = data[i]
            i += 1
            if b == 0:
                break
            u, shift = b & 0x7F, 7
            while b & 0x80:
                if i >= n:
                    raise CheckerInputError(path, f"byte {i}", "truncated literal")
                b = data[i]
                i += 1
                u |= (b & 0x7F) << shift
                shift += 7
            if u < 2 or shift > 35:
                raise CheckerInputError(path, f"byte {i - 1}", f"invalid literal code {u}")
            cur.append(-(u >> 1) if u & 1 else u >> 1)
        clauses.append(cur)
    return Proof(kinds, clauses, where, True, path)


@dataclass
class CheckOutcome:
    verified: bool
    reason: str
    lemmas_checked: int = 0        # core lemmas checked (RUP or RAT)
    lemmas_total: int = 0          # additions in the proof
    rat_lemmas: int = 0            # of the checked, how many needed RAT
    core_clauses: int = 0          # original clauses in the core
    deletions_ignored: int = 0     # unit/pseudo-unit deletions ignored (drat-trim default)
    deletions_missing: int = 0     # deletions of clauses not present, ignored
    binary_proof: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def verdict_line(self) -> str:
        return "s VERIFIED" if self.verified else f"s NOT VERIFIED: {self.reason}"


class _State:
    """Clauses with two watched literals and one top-level trail.

    Literals are coded x = 2*var + (1 if negative); ``x ^ 1`` negates. ``val[x]`` is 1 when
    literal x is true. The literal a clause implies is kept at position 0. A live clause of two
    or more literals sits in exactly ``w[c[0]]`` and ``w[c[1]]`` (lists of clauses to visit
    when that literal becomes false), where ``w`` is ``core`` for marked clauses and ``rest``
    for the others; a dead clause sits in none. At a fixpoint a false watched literal's partner
    is true. Propagation is core-first (as in drat-trim): the core watches are exhausted before
    a non-core clause may propagate, so checks tend to reuse clauses already in the core.
    """

    def __init__(self, num_vars: int, clauses: list[list[int]]):
        self.clauses = clauses
        n = len(clauses)
        self.active = bytearray(n)
        self.marked = bytearray(n)
        self.val = bytearray(2 * num_vars + 2)
        self.reason = [-1] * (num_vars + 1)
        self.pos = [0] * (num_vars + 1)
        self.seen = bytearray(num_vars + 1)
        self.core: list[list[int]] = [[] for _ in range(2 * num_vars + 2)]
        self.rest: list[list[int]] = [[] for _ in range(2 * num_vars + 2)]
        self.trail: list[int] = []
        self.qhead = self.qrest = 0                # next trail literal for core / rest watches
        self.units: dict[int, list[int]] = {}      # literal -> live unit clauses asserting it

    def assign(self, x: int, cid: int) -> None:
        self.val[x] = 1
        v = x >> 1
        self.reason[v] = cid
        self.pos[v] = len(self.trail)
        self.trail.append(x)

    def attach(self, cid: int) -> bool:
        """Activate clause cid under the current assignment; True if it is falsified."""
        self.active[cid] = 1
        c = self.clauses[cid]
        val = self.val
        if len(c) <= 1:
            if not c:
                return True
            x = c[0]
            self.units.setdefault(x, []).append(cid)
            if val[x]:
                return False
            if val[x ^ 1]:
                return True
            self.assign(x, cid)
            return False
        pos = self.pos
        # non-false literals first (true before unassigned), then false ones latest first
        c.sort(key=lambda x: -1 if val[x] else (0 if not val[x ^ 1] else 1 + len(val) - pos[x >> 1]))
        w = self.core if self.marked[cid] else self.rest
        w[c[0]].append(cid)
        w[c[1]].append(cid)
        x = c[0]
        if val[x ^ 1]:
            return True
        if not val[x] and val[c[1] ^ 1]:
            self.assign(x, cid)
        return False

    def detach(self, cid: int) -> None:
        """Deactivate clause cid (it must not be a reason: see unassign_reason)."""
        self.active[cid] = 0
        c = self.clauses[cid]
        if len(c) >= 2:
            w = self.core if self.marked[cid] else self.rest
            w[c[0]].remove(cid)
            w[c[1]].remove(cid)
        elif c:
            self.units[c[0]].remove(cid)

    def mark(self, cid: int) -> None:
        """Put clause cid in the core (its watches move to the core lists)."""
        self.marked[cid] = 1
        c = self.clauses[cid]
        if self.active[cid] and len(c) >= 2:
            for x in c[:2]:
                self.rest[x].remove(cid)
                self.core[x].append(cid)

    def is_reason(self, cid: int) -> bool:
        c = self.clauses[cid]
        return bool(c) and self.val[c[0]] == 1 and self.reason[c[0] >> 1] == cid

    def propagate(self) -> int:
        """Unit propagation, core first; the conflicting clause id, or -1."""
        q, r, scan = self.qhead, self.qrest, self._scan
        while True:
            q, confl = scan(self.core, q, False)
            if confl >= 0 or r == len(self.trail):
                break
            r, confl = scan(self.rest, r, True)    # until one non-core clause propagates
            if confl >= 0:
                break
        self.qhead, self.qrest = q, r
        return confl

    def _scan(self, watches: list[list[int]], q: int, once: bool) -> tuple[int, int]:
        """Visit ``watches`` of the trail literals from position q on, which became false;
        assign what the clauses imply (stop after the first literal that implied something if
        ``once``). Returns the next position and the conflicting clause id, or -1."""
        val, trail, clauses, reason, pos = self.val, self.trail, self.clauses, self.reason, self.pos
        stop = len(trail) if once else -1
        while q < len(trail):
            if len(trail) > stop >= 0:
                break
            f = trail[q] ^ 1
            q += 1
            ws = watches[f]
            if not ws:
                continue
            i = j = 0                   # entries before j are kept; ws[i] is being visited
            for cid in ws:
                c = clauses[cid]
                o = c[0]
                if o == f:
                    o = c[0] = c[1]
                    c[1] = f
                if val[o]:
                    ws[j] = cid
                    j += 1
                    i += 1
                    continue
                k = 2
                for x in c[2:]:
                    if not val[x ^ 1]:
                        c[1] = x
                        c[k] = f
                        watches[x].append(cid)
                        break
                    k += 1
                else:
                    ws[j] = cid
                    j += 1
                    if val[o ^ 1]:
                        del ws[j:i + 1]
                        return q, cid
                    v = o >> 1
                    val[o] = 1
                    reason[v] = cid
                    pos[v] = len(trail)
                    trail.append(o)
                i += 1
            del ws[j:]
        return q, -1

    def backtrack(self, size: int) -> None:
        val, trail = self.val, self.trail
        for x in trail[size:]:
            val[x] = 0
        del trail[size:]
        self.qhead = min(self.qhead, size)
        self.qrest = min(self.qrest, size)

    def unassign_reason(self, cid: int) -> None:
        """Deactivate cid, the reason of a top-level literal, and restore the fixpoint.

        Only the trail from that literal on is redone: a later literal whose reason still has
        every other literal false stays (in order); the others are dropped. A clause can now be
        unit only if it implied a dropped literal, so it watches that literal: those watch lists
        are repaired (move the partner watch off a false literal, or re-assert), then propagate.
        """
        val, trail, reason, clauses = self.val, self.trail, self.reason, self.clauses
        start = self.pos[clauses[cid][0] >> 1]
        suffix = trail[start:]
        self.backtrack(start)
        self.detach(cid)
        dropped = []
        for x in suffix:
            r = reason[x >> 1]
            if r >= 0 and self.active[r] and all(val[y ^ 1] for y in clauses[r] if y != x):
                self.assign(x, r)
            else:
                dropped.append(x)
        self.qhead = self.qrest = len(trail)       # kept literals were propagated before
        for y in dropped:
            if val[y]:
                continue
            if self.units.get(y):
                self.assign(y, self.units[y][0])
                continue
            for watches in (self.core, self.rest):
                for d in watches[y]:
                    c = clauses[d]
                    if c[0] != y:
                        c[0], c[1] = y, c[0]
                    o = c[1]
                    if not val[o ^ 1]:
                        continue
                    for k in range(2, len(c)):
                        x = c[k]
                        if not val[x ^ 1]:
                            c[1], c[k] = x, o
                            watches[o].remove(d)
                            watches[x].append(d)
                            break
                    else:
                        self.assign(y, d)
                        break
                if val[y]:
                    break
        if self.propagate() >= 0:
            raise RuntimeError("internal: top-level conflict while restoring the fixpoint")

    def analyze(self, start_vars, cid: int = -1) -> None:
        """Mark clause cid and the reasons of every assignment the conflict depends on."""
        marked, reason, clauses, seen = self.marked, self.reason, self.clauses, self.seen
        if cid >= 0 and not marked[cid]:
            self.mark(cid)
        stack = list(start_vars)
        touched = []
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = 1
            touched.append(v)
            r = reason[v]
            if r >= 0:
                if not marked[r]:
                    self.mark(r)
                stack.extend(x >> 1 for x in clauses[r])
        for v in touched:
            seen[v] = 0

    def rup(self, lits: list[int]) -> bool:
        """Is the clause a reverse unit propagation consequence of the live clauses?
        On success the clauses used are marked. State returns to the top-level fixpoint."""
        base = len(self.trail)
        val = self.val
        ok = False
        for x in lits:
            if val[x]:                            # true at top level (or tautology)
                self.analyze([x >> 1])
                ok = True
                break
            if not val[x ^ 1]:
                self.assign(x ^ 1, -1)
        if not ok:
            confl = self.propagate()
            if confl >= 0:
                self.analyze([x >> 1 for x in self.clauses[confl]], confl)
                ok = True
        self.backtrack(base)
        return ok


def check_proof(num_vars: int, cnf_clauses: list[list[int]], proof: Proof) -> CheckOutcome:
    """Check the DRAT proof against the CNF; see the module docstring for the semantics."""
    t0 = time.perf_counter()
    out = CheckOutcome(False, "", binary_proof=proof.binary,
                       lemmas_total=proof.kinds.count(ADD))

    # variables are numbered densely in order of first use, so memory follows the literals the
    # files contain, not the variable count a header declares or the largest index named
    dense: dict[int, int] = {}
    names = [0]                                   # dense index -> DIMACS variable

    def enc(lits: list[int]) -> list[int]:
        out = []
        for l in lits:
            v = dense.get(abs(l))
            if v is None:
                v = dense[abs(l)] = len(names)
                names.append(abs(l))
            out.append(2 * v + (l < 0))
        return list(dict.fromkeys(out))

    def dimacs(xs: list[int]) -> str:
        return " ".join(str(-names[x >> 1] if x & 1 else names[x >> 1]) for x in xs)

    m = len(cnf_clauses)
    clauses = [enc(c) for c in cnf_clauses]
    step_cid = [-1] * len(proof.kinds)     # clause id an addition created / a deletion removed
    lemma_no = {}                           # clause id -> (1-based lemma number, step)
    for s, kind in enumerate(proof.kinds):
        if kind == ADD:
            step_cid[s] = len(clauses)
            lemma_no[len(clauses)] = (len(lemma_no) + 1, s)
            clauses.append(enc(proof.clauses[s]))
    pivot = {cid: (clauses[cid][0] if clauses[cid] else -1) for cid in lemma_no}
    st = _State(len(names) - 1, clauses)

    def name(cid: int) -> str:
        n, s = lemma_no[cid]
        return f"lemma {n} ({proof.location(s)})"

    def done(verified: bool, reason: str) -> CheckOutcome:
        out.verified, out.reason = verified, reason
        out.core_clauses = sum(st.marked[:m])
        out.seconds = time.perf_counter() - t0
        return out

    # ---- forward pass: find the first top-level conflict ----------------------------------
    live: dict[tuple, list[int]] = {}
    confl = -1
    for cid in range(m):
        live.setdefault(tuple(sorted(clauses[cid])), []).append(cid)
        if st.attach(cid) and confl < 0:
            confl = cid
    if confl < 0:
        confl = st.propagate()
    if confl >= 0:
        st.analyze([x >> 1 for x in clauses[confl]], confl)
        return done(True, "the CNF is refuted by unit propagation alone; no lemma needed")
    last = -1
    for s, kind in enumerate(proof.kinds):
        if kind == ADD:
            cid = step_cid[s]
            live.setdefault(tuple(sorted(clauses[cid])), []).append(cid)
            fixpoint = len(st.trail)
            confl = cid if st.attach(cid) else st.propagate()
            if confl >= 0:
                last = s
                break
        else:
            key = tuple(sorted(enc(proof.clauses[s])))
            ids = live.get(key)
            if not ids:
                out.deletions_missing += 1
                if len(out.warnings) < 20:
                    out.warnings.append(f"ignored deletion ({proof.location(s)}) of a clause not present: "
                                        f"{dimacs(list(key))} 0")
                continue
            cid = ids[-1]
            if len(clauses[cid]) == 1 or st.is_reason(cid):
                out.deletions_ignored += 1
                continue
            ids.pop()
            st.detach(cid)
            step_cid[s] = cid
    if last < 0:
        return done(False, "no conflict: the proof does not derive the empty clause")
    if last + 1 < len(proof.kinds):
        out.warnings.append(f"{len(proof.kinds) - last - 1} proof steps after the conflict at "
                            f"{name(step_cid[last])} ignored")
    st.analyze([x >> 1 for x in clauses[confl]], confl)

    # ---- backward pass: check marked lemmas against the formula at their position ----------
    # the trail before the last lemma is the fixpoint without it, kept in proof order so that
    # removing a pseudo-unit lemma below usually cuts only a short suffix of the trail
    st.backtrack(fixpoint)
    for s in range(last, -1, -1):
        cid = step_cid[s]
        if cid < 0:
            continue                              # an ignored deletion
        if proof.kinds[s] == DELETE:
            if st.attach(cid) or st.propagate() >= 0:
                raise RuntimeError("internal: conflict when restoring a deleted clause")
            continue
        if s != last and st.is_reason(cid):
            st.unassign_reason(cid)
        else:
            st.detach(cid)
        if not st.marked[cid]:
            continue
        out.lemmas_checked += 1
        lits = list(clauses[cid])
        if st.rup(lits):
            continue
        p = pivot[cid]
        if p < 0:
            return done(False, f"{name(cid)}: the empty clause is not RUP "
                               f"(unit propagation does not conflict)")
        out.rat_lemmas += 1
        for d in range(len(clauses)):
            if not st.active[d] or (p ^ 1) not in clauses[d]:
                continue
            resolvent = lits + [x for x in clauses[d] if x != p ^ 1]
            if any(x ^ 1 in resolvent for x in resolvent):
                continue                          # tautological resolvent
            if not st.rup(resolvent):
                other = (f"lemma {lemma_no[d][0]}" if d in lemma_no else f"CNF clause {d + 1}")
                return done(False, f"{name(cid)}: '{dimacs(lits)} 0' is neither RUP nor RAT "
                                   f"on its first literal {dimacs([p])} (resolvent with {other} "
                                   f"'{dimacs(clauses[d])} 0' is not RUP)")
    return done(True, f"empty clause derived at {name(step_cid[last])}; "
                      f"{out.lemmas_checked} of {out.lemmas_total} lemmas in the core checked "
                      f"({out.rat_lemmas} by RAT)")
