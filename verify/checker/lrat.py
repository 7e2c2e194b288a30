"""LRAT proof checker of the trusted checker (standard library only): one forward pass.

Text LRAT, one step per line (comment lines start with ``c``):

* ``ID L1 .. Lk 0 H1 .. Hn 0`` adds lemma ``ID``: its literals, then the hints (clause ids).
  The CNF's clauses have ids 1..m in file order; lemma ids must increase strictly, above m.
* ``ID d C1 .. Cn 0`` deletes the live clauses ``C1 .. Cn`` (``ID`` is not used).

A lemma is checked when it is read, against the live clauses: its literals are made false,
then each positive hint must name a live clause that is *unit* (exactly one literal not false,
and it is not true: that literal is then made true) or *falsified* (every literal false: the
conflict, which must be the last hint). If the positive hints end without a conflict, the
lemma must be RAT on its first literal p: the rest of the hints are groups ``-C H..`` (each
``-C`` followed by positive hints) and the groups' clauses ``C`` must be exactly the live
clauses containing -p; for each, the literals of C other than -p are made false as well
(on top of what the positive hints derived), and its hints must reach a conflict as above.
A tautological lemma needs no hints.

Rejected, naming the proof line: a hint that names no live clause (never added, deleted), a
hint that is neither unit nor falsified (satisfied, or two literals open), hints after the
conflict, hints that end without a conflict, a RAT step whose groups do not cover exactly the
live clauses with -p, a deletion of a clause that is not live, a lemma id that does not
increase. VERIFIED means the empty clause was added by a checked step; lines after it are
ignored (a warning says how many). A RAT check looks at every live clause, so it costs the
size of the clause database; solver LRAT (CaDiCaL) uses RUP steps only.

With ``trim`` the checker also returns the proof it verified cut down to the lemmas reachable
from the empty clause through hints, in the original order and with the original lines; its
deletions are dropped (they only free memory). A proof that uses a RAT step is not trimmed
(its candidate sets would change).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .dimacs import CheckerInputError, parse_ints


@dataclass
class LratOutcome:
    verified: bool
    reason: str
    lemmas_checked: int = 0        # every lemma read before the empty clause is checked
    lemmas_total: int = 0          # additions read
    rat_lemmas: int = 0
    deletions: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    trimmed: bytes | None = None   # with trim=True and VERIFIED: the trimmed LRAT proof
    trimmed_lemmas: int = 0
    trim_note: str = ""            # why there is no trimmed proof

    def verdict_line(self) -> str:
        return "s VERIFIED" if self.verified else f"s NOT VERIFIED: {self.reason}"


class _Fail(Exception):
    pass


def _chain(db: dict, true: set, hints: list[int], i: int) -> tuple[bool, int]:
    """Apply the positive hints from index i on; (conflict reached, index after the last one
    applied). A hint that is neither unit nor falsified raises _Fail."""
    while i < len(hints):
        h = hints[i]
        if h < 0:
            return False, i
        c = db.get(h)
        if c is None:
            raise _Fail(f"hint {h} names no live clause")
        unit = 0
        for x in c:
            if -x in true:
                continue
            if x in true:
                raise _Fail(f"hint {h} is satisfied (literal {x} already true): neither unit nor falsified")
            if unit and unit != x:
                raise _Fail(f"hint {h} is not unit: literals {unit} and {x} are both unassigned")
            unit = x
        i += 1
        if not unit:
            return True, i
        true.add(unit)
    return False, i


def _check_lemma(db: dict, lits: list[int], hints: list[int]) -> bool:
    """Raise _Fail unless the lemma follows from the live clauses ``db`` by its hints; True if
    it needed RAT."""
    true = {-x for x in lits}
    if any(-x in true for x in true):               # tautology: valid without hints
        if hints:
            raise _Fail("hints given for a tautological lemma")
        return False
    conflict, i = _chain(db, true, hints, 0)
    if conflict:
        if i < len(hints):
            raise _Fail(f"hint {hints[i]} comes after the conflict")
        return False
    if not lits:
        raise _Fail("the hints end without a conflict (the empty clause has no pivot for RAT)")
    p = lits[0]
    wanted = {d for d, c in db.items() if -p in c}
    seen = set()
    while i < len(hints):
        d = -hints[i]
        if d not in wanted:
            raise _Fail(f"RAT group {d} names no live clause containing {-p}, the negated pivot")
        if d in seen:
            raise _Fail(f"RAT group {d} repeated")
        seen.add(d)
        t = set(true)
        conflict = False
        for x in db[d]:
            if x != -p:
                if x in t:
                    conflict = True                  # the resolvent is blocked by the assignment
                t.add(-x)
        if conflict:
            i += 1
        else:
            conflict, i = _chain(db, t, hints, i + 1)
        if not conflict:
            raise _Fail(f"RAT group {d}: its hints end without a conflict")
        if i < len(hints) and hints[i] > 0:
            raise _Fail(f"hint {hints[i]} comes after the conflict of RAT group {d}")
    if seen != wanted:
        raise _Fail(f"the positive hints end without a conflict, and as a RAT step on {p} it has "
                    f"no group for live clause {min(wanted - seen)}, which contains {-p}")
    return True


def check_lrat(cnf_clauses: list[list[int]], lines, path: str = "<proof>",
               trim: bool = False) -> LratOutcome:
    """Check an LRAT proof (an iterable of byte lines) against the CNF; see the module
    docstring. A syntax error raises CheckerInputError naming the line."""
    t0 = time.perf_counter()
    out = LratOutcome(False, "")
    db = {i: tuple(c) for i, c in enumerate(cnf_clauses, 1)}
    m = last_id = len(cnf_clauses)
    kept: dict[int, bytes] = {}                     # lemma id -> its line (for trimming)
    rat: set[int] = set()
    lineno = 0
    for lineno, raw in enumerate(lines, 1):
        toks = raw.split()
        if not toks or toks[0][:1] == b"c":
            continue
        if out.verified:
            out.warnings.append(f"line {lineno}: proof steps after the empty clause ignored")
            break
        where = f"line {lineno}"
        if len(toks) > 1 and toks[1] == b"d":
            nums = parse_ints(toks[2:], raw.replace(b"d", b" ", 1), path, lineno)
            if not nums or nums[-1] != 0 or 0 in nums[:-1] or min(nums) < 0:
                raise CheckerInputError(path, where, "a deletion is 'ID d C1 .. Cn 0' with positive ids")
            parse_ints(toks[:1], toks[0], path, lineno)
            for d in nums[:-1]:
                if db.pop(d, None) is None:
                    out.reason = f"{where}: deletes clause {d}, which is not live"
                    break
            else:
                out.deletions += 1
                continue
            break
        nums = parse_ints(toks, raw, path, lineno)
        try:
            z = nums.index(0, 1)
        except ValueError:
            z = len(nums)
        if len(nums) < z + 2 or nums[-1] != 0 or 0 in nums[z + 1:-1]:
            raise CheckerInputError(path, where, "a lemma is 'ID L1 .. Lk 0 H1 .. Hn 0'")
        cid, lits, hints = nums[0], nums[1:z], nums[z + 1:-1]
        out.lemmas_total += 1
        if cid <= last_id:
            out.reason = (f"{where}: lemma id {cid} does not increase (the CNF has {m} clauses, "
                          f"the last id was {last_id})")
            break
        last_id = cid
        try:
            if _check_lemma(db, lits, hints):
                out.rat_lemmas += 1
                rat.add(cid)
        except _Fail as e:
            out.reason = f"{where}: lemma {cid} rejected: {e}"
            break
        out.lemmas_checked += 1
        db[cid] = tuple(lits)
        if trim:
            kept[cid] = raw.strip()
        if not lits:
            out.verified = True
            out.reason = f"empty clause derived at {where} (lemma {cid}); {out.lemmas_checked} lemmas checked"
    if not out.verified and not out.reason:
        out.reason = "the proof does not derive the empty clause"
    if out.verified and trim:
        _trim(out, kept, rat, m, last_id)
    out.seconds = time.perf_counter() - t0
    return out


def _trim(out: LratOutcome, kept: dict, rat: set, m: int, empty: int) -> None:
    """The lemmas reachable from the empty clause through hints, without deletions."""
    need, stack = {empty}, [empty]
    while stack:
        for h in _hints(kept[stack.pop()]):
            if h > m and h not in need:
                need.add(h)
                stack.append(h)
    if need & rat:
        out.trim_note = "not trimmed: the proof uses a RAT step"
        return
    order = sorted(need)
    out.trimmed = b"".join(kept[cid] + b"\n" for cid in order)
    out.trimmed_lemmas = len(order)


def _hints(line: bytes) -> list[int]:
    nums = [int(t) for t in line.split()]
    return nums[nums.index(0, 1) + 1:-1]
