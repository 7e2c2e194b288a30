"""Proof formats of the SAT front end: LRAT from CaDiCaL 1.9.5 through PySAT, and its ids.

CaDiCaL numbers clauses with one counter: the input clauses in the order they are added, and
every clause it derives. A clause derived *while the input is still being added* (an input
clause with a repeated literal, or with a literal already false at the root, two
complementary unit clauses, ...) takes the next id, so the input clauses after it are off by
one from their position in the CNF, which is what LRAT checkers (lrat-check, cake_lpr, the
trusted checker) number them by. :func:`repair_lrat_ids` renumbers such a proof: the input
clauses get their CNF positions 1..m and the early lemmas the ids right after them. Nothing
here is trusted: a wrong renumbering only makes the trusted checker reject the proof.
"""
from __future__ import annotations

import os
from bisect import bisect_left
from pathlib import Path


def _early_lemmas(path: Path, m: int) -> list[int]:
    """Ids of the lemmas CaDiCaL derived while the CNF's m clauses were being added.

    The lemmas' ids increase in file order; the i-th lemma (0-based) can only be an early one
    if its id is at most m + i + 1 (the ids below it are input clauses or earlier lemmas). A
    late lemma that passes this test has id X + 1, X + 2, ... right after the last input id X,
    and is mapped to itself below, so taking the longest such prefix is exact."""
    early: list[int] = []
    with open(path, "rb") as f:
        for line in f:
            toks = line.split(None, 2)
            if len(toks) < 2 or toks[1] == b"d" or toks[0][:1] == b"c":
                continue
            d = int(toks[0])
            if d > m + len(early) + 1:
                break
            early.append(d)
    return early


def repair_lrat_ids(path: Path | str, m: int) -> bool:
    """Renumber the LRAT proof at ``path`` (written by CaDiCaL for a CNF of ``m`` clauses
    added in order) in place so that input clause k has id k. Returns True if it changed."""
    path = Path(path)
    early = _early_lemmas(path, m)
    if all(d == m + i + 1 for i, d in enumerate(early)):
        return False                                  # the ids are already the CNF's
    top = m + len(early)                              # ids up to here are input or early lemmas
    rank = {d: m + i + 1 for i, d in enumerate(early)}

    def new(x: int) -> int:
        a = abs(x)
        if a > top:
            return x
        y = rank.get(a)
        if y is None:
            y = a - bisect_left(early, a)             # its position among the input clauses
        return y if x > 0 else -y

    tmp = path.with_name(path.name + f".{os.getpid()}.renumber")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for line in src:
            toks = line.split()
            if not toks or toks[0][:1] == b"c":
                continue
            if len(toks) > 1 and toks[1] == b"d":
                ids = [new(int(t)) for t in toks[2:-1]]
                dst.write(b"%d d %s 0\n" % (new(int(toks[0])), " ".join(map(str, ids)).encode()))
                continue
            nums = [int(t) for t in toks]
            z = nums.index(0, 1)
            out = [new(nums[0])] + nums[1:z + 1] + [new(h) for h in nums[z + 1:-1]] + [0]
            dst.write(" ".join(map(str, out)).encode() + b"\n")
    os.replace(tmp, path)
    return True


def append_input_conflict(path: Path | str, clauses) -> bool:
    """CaDiCaL writes no step when the CNF itself holds the empty clause; add the one-line LRAT
    step that derives it from that clause (``ID 0 k 0``), so every proof ends in the empty
    clause. Returns True if a line was added."""
    k = next((i for i, c in enumerate(clauses, 1) if not c), 0)
    if not k:
        return False
    last, has_empty = len(clauses), False
    with open(path, "rb") as f:
        for line in f:
            toks = line.split()
            if len(toks) < 2 or toks[0][:1] == b"c":
                continue
            last = max(last, int(toks[0]))
            has_empty = has_empty or (toks[1] == b"0")
    if has_empty:
        return False
    with open(path, "ab") as f:
        f.write(b"%d 0 %d 0\n" % (last + 1, k))
    return True
