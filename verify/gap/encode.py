"""CNF encoding of "some DLM of the class reaches exactly the even strings" (MODEL.md §6).

Variables (one :class:`pysat.formula.IDPool`, keys are tuples):

* ``("sel", i, j)``: position ``i`` reads position ``j`` (at most ``k`` per ``i``).
* ``("o", i, x, t)``: token ``t`` is a possible prediction of ``P_i`` in state ``x`` (the
  support of ``P_i(x, ·)``), for the states where ``P_i`` is consulted. Locality: when
  ``i`` does not read ``j``, ``o`` is unchanged by changing ``x_j``; one implication along the
  cycle ``a -> b -> M -> a`` per ``(i, x, j, t)`` gives equality on the whole cycle.
* ``("q", i, x, t)`` (revise): the possible next token at a revealed position after the
  decoder's rule (a predicted ``M`` there keeps ``x_i``).
* ``("g", i, z)`` (remask): ``G_i`` remasks the committed token ``z_i``.
* ``("R", r, x)``: state ``x`` is reachable after ``r`` rounds; ``("Z", r, z)`` (remask): ``z``
  is a reachable committed vector in round ``r + 1``. Forward clauses close ``R`` under the
  transition; backward clauses (through one ``("p", ...)`` variable per transition) make every
  ``R`` justified, so ``R`` is exactly the reachable set.
* Goal: ``R[T][x]`` is true exactly for the even strings without ``M``.

States are tuples over ``0 = a, 1 = b, 2 = M`` (the :class:`~verify.dlm.model.Token` values).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool

from .classes import GapClass

A, B, M = 0, 1, 2
TOKENS = (A, B, M)
_CYCLE = {A: B, B: M, M: A}


def all_states(n: int) -> list[tuple[int, ...]]:
    return list(itertools.product(TOKENS, repeat=n))


def is_even_string(x: tuple[int, ...]) -> bool:
    return M not in x and sum(x) % 2 == 0


@dataclass
class Encoding:
    cls: GapClass
    pool: IDPool
    clauses: list[list[int]] = field(default_factory=list)
    #: clauses that fix the bound k; kept apart so one base serves every k
    bound_clauses: list[list[int]] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        return self.pool.top

    def var(self, *key) -> int:
        return self.pool.id(key)

    def has(self, *key) -> bool:
        return key in self.pool.obj2id

    def all_clauses(self) -> list[list[int]]:
        return self.clauses + self.bound_clauses


def consulted(cls: GapClass, i: int, x: tuple[int, ...]) -> bool:
    """``P_i`` matters in state ``x``: always when revising, else only while ``x_i = M``."""
    return cls.mode.allows_revise or x[i] == M


def read_candidates(cls: GapClass, i: int) -> list[int]:
    """Positions ``i`` may select; its own position is free (never selected) in plain mode,
    except in ``ab+F``, where ``F_i`` reading its own sampled prediction costs one."""
    if cls.mode.allows_revise or cls.mode.allows_remask or cls.strategy_bounded:
        return list(range(cls.n))
    return [j for j in range(cls.n) if j != i]


def predicted_tokens(cls: GapClass) -> tuple[int, ...]:
    """Tokens a predictor may output: a/b only when an unmasking strategy decides commits."""
    return (A, B) if cls.has_strategy else TOKENS


def symmetry_breaking(enc: Encoding) -> list[list[int]]:
    """Clauses that keep at least one DLM of every orbit of the class's symmetries.

    Both symmetries map the class to itself and fix the target ``D⊕n`` (support and exact):
    swapping ``a``/``b`` at two positions at once (the parity is kept), and permuting positions
    (read sets and tables are carried along). Both act on the predictor supports at the start
    state ``M^n`` simply: a swap at ``i`` and ``j`` swaps ``a``/``b`` in the start supports of
    ``i`` and ``j`` only (the views of ``M^n`` are all ``M``), and a permutation permutes the
    start supports. So: by swaps paired with one fixed position, every position but one has
    ``b ∈ sup ⇒ a ∈ sup`` at the start (at most one exception); then by a permutation the start
    supports are sorted (as 3-bit numbers ``4·[a] + 2·[b] + [M]``, non-increasing).
    """
    cls = enc.cls
    n = cls.n
    v = enc.var
    start = (M,) * n
    if not consulted(cls, 0, start):
        return []
    out: list[list[int]] = []
    # at most one position with b but not a in its start support (pairwise, n is small).
    # Not for the template bound: swapping a/b maps the literal v_j to ~m_j & ~v_j, so it does
    # not keep the template size; permuting positions does (literals are renamed).
    odd = []
    for i in range(n if not cls.template else 0):
        e = v("sym_ba", i)
        oa, ob = v("o", i, start, A), v("o", i, start, B)
        out += [[-e, ob], [-e, -oa], [e, -ob, oa]]
        odd.append(e)
    for i in range(len(odd)):
        for j in range(i + 1, len(odd)):
            out.append([-odd[i], -odd[j]])
    # sorted start supports: forbid every adjacent pair with value_i < value_{i+1}
    toks = predicted_tokens(cls)
    w_ = len(toks)

    def bits(i):
        return [v("o", i, start, t) for t in toks]
    for i in range(n - 1):
        u, w = bits(i), bits(i + 1)
        for a in range(1 << w_):
            for b in range(a + 1, 1 << w_):
                cl = []
                for pos in range(w_):
                    bit_a, bit_b = (a >> (w_ - 1 - pos)) & 1, (b >> (w_ - 1 - pos)) & 1
                    cl.append(-u[pos] if bit_a else u[pos])
                    cl.append(-w[pos] if bit_b else w[pos])
                out.append(cl)
    return out


def reach_literals(v, start):
    """``reach(r, x)``: the literal of R[r][x]; None = constant true (the start state in round
    0), 0 = constant false (any other state in round 0)."""
    def reach(r: int, x) -> int | None:
        if r == 0:
            return None if x == start else 0
        return v("R", r, x)
    return reach


def remask_locality(C: list, v, n: int, states) -> None:
    """G_i's decision at a revealed position depends only on the positions it reads: changing an
    unread position j (one step along the cycle, or a/b at the own position) keeps it."""
    for i in range(n):
        for z in states:
            if z[i] == M:
                continue
            for j in range(n):
                if j == i:
                    y = z[:i] + (1 - z[i],) + z[i + 1:]   # own read: swap a/b
                else:
                    y = z[:j] + (_CYCLE[z[j]],) + z[j + 1:]
                C.append([v("sel", i, j), -v("g", i, z), v("g", i, y)])


def rounds_and_goal(C: list, v, n: int, T: int, start, states, remask: bool, goal: bool,
                    image, reach) -> None:
    """The T rounds of reachability shared by every predictor model: ``image`` encodes one
    round's predict-and-commit step into ``R`` (or ``Z`` before a remasking step); in remask
    modes ``x' = G(z)`` is deterministic, one successor per ``z``; then the goal, exactly the
    even strings at the end."""
    for r in range(T):
        src = [start] if r == 0 else states
        if not remask:
            image(r, "R", src, lambda x, r=r: reach(r, x))
            continue
        image(r, "Z", src, lambda x, r=r: reach(r, x))
        preds: dict[tuple, list[int]] = {}
        for z in states:
            zl = v("Z", r, z)
            rev = [j for j in range(n) if z[j] != M]
            for pattern in itertools.product((0, 1), repeat=len(rev)):
                x2 = list(z)
                glits = []
                for j, bit in zip(rev, pattern):
                    g = v("g", j, z)
                    glits.append(g if bit else -g)
                    if bit:
                        x2[j] = M
                x2 = tuple(x2)
                C.append([-zl] + [-l for l in glits] + [v("R", r + 1, x2)])
                p = v("p", "G", r, z, x2)
                C += [[-p, zl]] + [[-p, l] for l in glits]
                preds.setdefault(x2, []).append(p)
        for x2 in states:
            C.append([-v("R", r + 1, x2)] + preds.get(x2, []))
    if goal:
        for x in states:
            C.append([v("R", T, x)] if is_even_string(x) else [-v("R", T, x)])


def encode(cls: GapClass, fix: dict | None = None, goal: bool = True) -> Encoding:
    """The CNF of the class, without the goal's bound ``k`` (see :func:`bound`).

    ``fix`` (tests): a concrete DLM as ``{"sel": {(i, j): bool}, "o": {(i, x): set}, "g":
    {(i, z): bool}}``, added as unit clauses, so the encoding can be compared with the
    simulator on one DLM at a time; ``goal=False`` drops the goal, so the model's ``R`` can be
    compared with the reachable sets the simulator computes.
    """
    if cls.has_strategy:
        return _encode_with_strategy(cls, fix, goal)
    n, T = cls.n, cls.rounds
    enc = Encoding(cls, IDPool())
    C = enc.clauses
    v = enc.var
    states = all_states(n)
    revise, remask = cls.mode.allows_revise, cls.mode.allows_remask

    # selectors first so their numbers are small and stable
    for i in range(n):
        for j in read_candidates(cls, i):
            v("sel", i, j)

    # --- predictor supports and locality -------------------------------------------------
    for i in range(n):
        for x in states:
            if not consulted(cls, i, x):
                continue
            lits = [v("o", i, x, t) for t in TOKENS]
            C.append(lits)                                   # a distribution has support
            if cls.max_support == 2:
                C.append([-l for l in lits])                 # rho = 1: at most two tokens
        for x in states:
            if not consulted(cls, i, x):
                continue
            if cls.template:
                break  # the template (verify.gap.template) defines o; no read sets
            for j in read_candidates(cls, i):
                if j == i and not revise:
                    continue  # P_i's domain has x_i = M; its own read serves only G_i
                y = x[:j] + (_CYCLE[x[j]],) + x[j + 1:]
                s = v("sel", i, j)
                for t in TOKENS:
                    C.append([s, -v("o", i, x, t), v("o", i, y, t)])
        if revise:
            for x in states:
                if x[i] == M:
                    continue
                for t in (A, B):
                    q, o = v("q", i, x, t), v("o", i, x, t)
                    if t == x[i]:   # q <-> o_t or o_M
                        om = v("o", i, x, M)
                        C += [[-q, o, om], [q, -o], [q, -om]]
                    else:
                        C += [[-q, o], [q, -o]]
    # --- remasking strategy G and its locality -------------------------------------------
    if remask and not cls.template:   # the template defines g (verify.gap.template)
        remask_locality(C, v, n, states)

    # --- reachability, round by round ------------------------------------------------------
    start = (M,) * n
    reach = reach_literals(v, start)

    def choices(x, j):
        """(token, literal or None for 'always') for the next token at j from x."""
        if x[j] == M:
            return [(t, v("o", j, x, t)) for t in TOKENS]
        if revise:
            return [(t, v("q", j, x, t)) for t in (A, B)]
        return [(x[j], None)]

    def image(r: int, target: str, src_states, src_lit):
        """Clauses making ``target[r+1]`` (R or Z) exactly the image of the source set
        under the predictor step."""
        preds: dict[tuple, list[int]] = {}
        for x in src_states:
            sx = src_lit(x)
            if sx == 0:
                continue
            per_pos = [choices(x, j) for j in range(n)]
            for combo in itertools.product(*per_pos):
                x2 = tuple(t for t, _ in combo)
                lits = [l for _, l in combo if l is not None]
                if sx is not None:
                    lits = [sx] + lits
                tgt = v(target, r + 1, x2) if target == "R" else v("Z", r, x2)
                C.append([-l for l in lits] + [tgt])
                p = v("p", target, r, x, x2)
                for l in lits:
                    C.append([-p, l])
                preds.setdefault(x2, []).append(p)
        for x2 in states:
            tgt = v(target, r + 1, x2) if target == "R" else v("Z", r, x2)
            C.append([-tgt] + preds.get(x2, []))

    rounds_and_goal(C, v, n, T, start, states, remask, goal, image, reach)

    if fix is None:
        C += symmetry_breaking(enc)
    else:
        for (i, j), on in fix.get("sel", {}).items():
            if enc.has("sel", i, j):
                C.append([v("sel", i, j) if on else -v("sel", i, j)])
        for (i, x), support in fix.get("o", {}).items():
            if enc.has("o", i, x, A):
                for t in TOKENS:
                    C.append([v("o", i, x, t) if t in support else -v("o", i, x, t)])
        for (i, z), on in fix.get("g", {}).items():
            if enc.has("g", i, z):
                C.append([v("g", i, z) if on else -v("g", i, z)])
    return enc


# --- predictors over a/b plus an unmasking strategy F (predictor models ab+F) -------------
#
# Extended tokens ``e_j`` (what F sees at position j): 0 = a, 1 = b (revealed), 2 = masked with
# prediction a, 3 = masked with prediction b. ``("f", i, e)``: F_i commits at position i
# (defined when ``e_i`` is masked). Locality of F: when i does not read j, f is unchanged along
# the cycle 0 -> 1 -> 2 -> 3 -> 0 of e_j; at j = i, unchanged by swapping 2 <-> 3.

EA, EB, EMA, EMB = 0, 1, 2, 3
_ECYCLE = {EA: EB, EB: EMA, EMA: EMB, EMB: EA}


def extended(x: tuple[int, ...], y: dict[int, int]) -> tuple[int, ...]:
    """The extended state: revealed tokens, and predictions (2 + y_j) at masked positions."""
    return tuple(x[j] if x[j] != M else 2 + y[j] for j in range(len(x)))


def after_commit(e: tuple[int, ...], commits: dict[int, bool]) -> tuple[int, ...]:
    return tuple(t if t < 2 else ((t - 2) if commits[j] else M) for j, t in enumerate(e))


def _encode_with_strategy(cls: GapClass, fix: dict | None, goal: bool) -> Encoding:
    n, T = cls.n, cls.rounds
    enc = Encoding(cls, IDPool())
    C = enc.clauses
    v = enc.var
    states = all_states(n)
    remask = cls.mode.allows_remask
    for i in range(n):
        for j in read_candidates(cls, i):
            v("sel", i, j)
    # predictors: supports over {a, b}, local in x_j for selected j != i
    for i in range(n):
        for x in states:
            if x[i] != M:
                continue
            C.append([v("o", i, x, A), v("o", i, x, B)])
            for j in range(n):
                if j == i or not enc.has("sel", i, j):
                    continue
                y = x[:j] + (_CYCLE[x[j]],) + x[j + 1:]
                for t in (A, B):
                    C.append([v("sel", i, j), -v("o", i, x, t), v("o", i, y, t)])
    # unmasking strategies: one commit bit per extended state with e_i masked
    ext_states = list(itertools.product((EA, EB, EMA, EMB), repeat=n))
    for i in range(n):
        for e in ext_states:
            if e[i] < 2:
                continue
            f = v("f", i, e)
            if cls.predictor_model == "ab+F-state":
                for j in range(n):   # blind to every sampled prediction
                    if e[j] >= 2:
                        y = e[:j] + (EMA + EMB - e[j],) + e[j + 1:]
                        C.append([-f, v("f", i, y)])
            if not cls.strategy_bounded:
                continue
            for j in range(n):
                if j == i:
                    y = e[:i] + (EMA + EMB - e[i],) + e[i + 1:]
                else:
                    y = e[:j] + (_ECYCLE[e[j]],) + e[j + 1:]
                C.append([v("sel", i, j), -f, v("f", i, y)])
    if remask:
        remask_locality(C, v, n, states)

    start = (M,) * n
    reach = reach_literals(v, start)

    def image(r: int, target: str, src_states, src_lit):
        tgt = (lambda x2: v("R", r + 1, x2)) if target == "R" else (lambda x2: v("Z", r, x2))
        preds: dict[tuple, list[int]] = {}
        for x in src_states:
            sx = src_lit(x)
            if sx == 0:
                continue
            masked = [j for j in range(n) if x[j] == M]
            for ys in itertools.product((A, B), repeat=len(masked)):
                y = dict(zip(masked, ys))
                e = extended(x, y)
                # Y <-> R[r][x] and every sampled prediction possible
                Y = v("Y", target, r, e)
                body = ([sx] if sx is not None else []) + [v("o", j, x, y[j]) for j in masked]
                C.append([-l for l in body] + [Y])
                C.extend([-Y, l] for l in body)
                for cs in itertools.product((False, True), repeat=len(masked)):
                    commits = dict(zip(masked, cs))
                    x2 = after_commit(e, commits)
                    lits = [Y] + [v("f", j, e) if commits[j] else -v("f", j, e) for j in masked]
                    C.append([-l for l in lits] + [tgt(x2)])
                    p = v("p", target, r, e, x2)
                    C.extend([-p, l] for l in lits)
                    preds.setdefault(x2, []).append(p)
        for x2 in states:
            C.append([-tgt(x2)] + preds.get(x2, []))

    rounds_and_goal(C, v, n, T, start, states, remask, goal, image, reach)
    if fix is None:
        C += symmetry_breaking(enc)
    else:
        for (i, j), on in fix.get("sel", {}).items():
            if enc.has("sel", i, j):
                C.append([v("sel", i, j) if on else -v("sel", i, j)])
        for (i, x), support in fix.get("o", {}).items():
            if enc.has("o", i, x, A):
                for t in (A, B):
                    C.append([v("o", i, x, t) if t in support else -v("o", i, x, t)])
        for (i, e), on in fix.get("f", {}).items():
            if enc.has("f", i, e):
                C.append([v("f", i, e) if on else -v("f", i, e)])
        for (i, z), on in fix.get("g", {}).items():
            if enc.has("g", i, z):
                C.append([v("g", i, z) if on else -v("g", i, z)])
    return enc


def class_bound(enc: Encoding) -> list[list[int]]:
    """The clauses of the class's complexity bound: locality k or template size s."""
    if enc.cls.template:
        from .template import template_clauses
        return template_clauses(enc, enc.cls.size)
    return bound(enc, enc.cls.locality)


def bound(enc: Encoding, k: int) -> list[list[int]]:
    """Clauses for ``|S_i| <= k`` for every position (sequential counter)."""
    cls = enc.cls
    out: list[list[int]] = []
    for i in range(cls.n):
        lits = [enc.var("sel", i, j) for j in read_candidates(cls, i)]
        if k >= len(lits):
            continue
        if k == 0:
            out += [[-l] for l in lits]
            continue
        card = CardEnc.atmost(lits, bound=k, vpool=enc.pool, encoding=EncType.seqcounter)
        out += card.clauses
    return out
