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
    if (cls.mode.allows_revise or cls.mode.allows_remask or cls.strategy_bounded
            or cls.predictor_model == "full"):
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
        if not cls.template:
            out += _read_sets_lex_leader(enc, i, u, w)
    return out


def _read_sets_lex_leader(enc: Encoding, i: int, u: list[int], w: list[int]) -> list[list[int]]:
    """Lex-leader clauses for the transposition ``τ = (i i+1)`` of positions.

    The order on DLMs compares the start supports first (position by position, the order the
    sorting clauses of :func:`symmetry_breaking` use), then the read-set matrix ``sel`` row by
    row. The lex-least DLM of every orbit satisfies ``DLM ≤ τ(DLM)`` for every ``τ`` at once,
    and the set of DLMs that obey the a/b-swap clauses is closed under permutations, so these
    clauses keep one DLM of every orbit together with the others. When the start supports of
    ``i`` and ``i + 1`` differ the sorting clauses already decide; when they are equal, ``sel``
    must not be lex-greater than ``sel`` with ``i`` and ``i + 1`` swapped (rows and columns).
    """
    n = enc.cls.n
    v = enc.var
    tau = {i: i + 1, i + 1: i}
    pairs = []    # (sel literal, the literal it is compared with in τ(sel)), row-major
    for p in range(n):
        for q in range(n):
            tp, tq = tau.get(p, p), tau.get(q, q)
            if (tp, tq) == (p, q) or not enc.has("sel", p, q):
                continue
            if not enc.has("sel", tp, tq):
                return []   # candidates are not closed under τ (never, but stay sound)
            pairs.append((v("sel", p, q), v("sel", tp, tq)))
    if not pairs:
        return []
    out: list[list[int]] = []
    eq = v("lex", i, 0)           # equal start supports => eq
    diffs = []
    for t, (a, b) in enumerate(zip(u, w)):
        d = v("lexd", i, t)       # d => the two start supports differ at token t
        out += [[-d, a, b], [-d, -a, -b]]
        diffs.append(d)
    out.append([eq] + diffs)
    for t, (x, y) in enumerate(pairs):
        out.append([-eq, -x, y])               # equal so far => x <= y
        if t + 1 < len(pairs):
            nxt = v("lex", i, t + 1)           # equal so far and x == y => equal so far
            out += [[-eq, x, y, nxt], [-eq, -x, -y, nxt]]
            eq = nxt
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
                    image, reach, final=None) -> None:
    """The T rounds of reachability shared by every predictor model: ``image`` encodes one
    round's predict-and-commit step into ``R`` (or ``Z`` before a remasking step); in remask
    modes ``x' = G(z)`` is deterministic, one successor per ``z``; then the goal, exactly the
    even strings at the end.

    ``final`` (with ``goal``): encodes the last round and the goal together (see
    :func:`final_round_goal`) instead of the last image plus unit clauses on ``R[T]``."""
    for r in range(T):
        src = [start] if r == 0 else states
        if goal and final is not None and r == T - 1:
            if remask:
                # G is time-independent and every even string is a committed vector of the last
                # round, whose G must keep it: G keeps every even string (no extra restriction)
                for y in states:
                    if is_even_string(y):
                        C.extend([-v("g", i, y)] for i in range(n))
            final(r, src, lambda x, r=r: reach(r, x))
            return
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


def final_round_goal(C: list, v, n: int, src_states, src_lit, choices) -> None:
    """The last round and the goal in one: exactly the even strings are possible at the end.

    The last round's outcome from a state ``x`` is the product of the per-position choices
    (``choices(x, j)``: ``(token, literal)`` pairs, literal ``None`` = forced). Every outcome
    must be an even string, and a product of token sets contains only even strings exactly
    when every set is one token (two tokens at one position give strings of both parities,
    ``M`` is never allowed) and the one string is even. So from every reachable ``x``:
    no ``M``, not both ``a`` and ``b``, and an even XOR of the ``b`` choices (a chain of
    auxiliary XOR variables ``("par", x, t)``). Every even string ``y`` is then reached from
    some reachable ``x`` whose choices include ``y_j`` at every position (one variable
    ``("py", x, y)`` per pair). Equivalent to the image of the last round plus unit clauses
    fixing ``R[T]`` to the even strings, with fewer clauses and no ``R[T]``; the tests compare
    both encodings and brute force.
    """
    cover: dict[tuple, list[int]] = {}
    for x in src_states:
        sx = src_lit(x)
        if sx == 0:
            continue
        guard = [] if sx is None else [-sx]
        per_pos = [choices(x, j) for j in range(n)]
        parity, bits = 0, []
        for ch in per_pos:
            d = dict(ch)
            if len(ch) == 1 and ch[0][1] is None:
                parity ^= ch[0][0] == B
                continue
            if M in d:
                C.append(guard + [-d[M]])
            C.append(guard + [-d[A], -d[B]])
            bits.append(d[B])
        acc = None
        for t, b in enumerate(bits):
            if acc is None:
                acc = b
                continue
            z = v("par", x, t)       # z <-> acc XOR b
            C += [[-z, acc, b], [-z, -acc, -b], [z, -acc, b], [z, acc, -b]]
            acc = z
        if acc is None:
            if parity:
                C.append(guard)
        else:
            C.append(guard + [-acc if parity == 0 else acc])
        # coverage: the even strings this x can produce
        opts = [[(t, l) for t, l in ch if t != M] for ch in per_pos]
        for combo in itertools.product(*opts):
            y = tuple(t for t, _ in combo)
            if sum(y) % 2:
                continue
            lits = ([] if sx is None else [sx]) + [l for _, l in combo if l is not None]
            p = v("py", x, y)
            C.extend([-p, l] for l in lits)
            cover.setdefault(y, []).append(p)
    for y in itertools.product((A, B), repeat=n):
        if sum(y) % 2 == 0:
            C.append(cover.get(y, []))


def _new_encoding(cls: GapClass):
    """An empty encoding with the read-set selectors allocated first (small, stable numbers);
    returns it with its clause list, its variable function and the state space."""
    enc = Encoding(cls, IDPool())
    for i in range(cls.n):
        for j in read_candidates(cls, i):
            enc.var("sel", i, j)
    return enc, enc.clauses, enc.var, all_states(cls.n)


def encode(cls: GapClass, fix: dict | None = None, goal: bool = True,
           final_goal: bool = True) -> Encoding:
    """The CNF of the class, without the goal's bound ``k`` (see :func:`bound`).

    ``fix`` (tests): a concrete DLM as ``{"sel": {(i, j): bool}, "o": {(i, x): set}, "g":
    {(i, z): bool}}``, added as unit clauses, so the encoding can be compared with the
    simulator on one DLM at a time; ``goal=False`` drops the goal, so the model's ``R`` can be
    compared with the reachable sets the simulator computes.
    """
    if cls.general:   # the full model, or G reading (x, z): verify.gap.full
        from .full import encode_general
        return encode_general(cls, fix, goal)
    if cls.has_strategy:
        return _encode_with_strategy(cls, fix, goal)
    n, T = cls.n, cls.rounds
    enc, C, v, states = _new_encoding(cls)
    revise, remask = cls.mode.allows_revise, cls.mode.allows_remask

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

    def final(r: int, src_states, src_lit):
        final_round_goal(C, v, n, src_states, src_lit, choices)

    rounds_and_goal(C, v, n, T, start, states, remask, goal, image, reach,
                    final if final_goal else None)
    if cls.counted:
        C += count_clauses(enc)

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


# --- exact semantics with rho >= 2: counts out of W = 2^rho ------------------------------
#
# A local distribution of P_i at x is a multiset of W outcomes: counts c_a + c_b + c_M = W.
# Order encoding: ("c", i, x, t, m) = "c_t >= m" for t in {a, b}, m = 2..W, and m = 1 is the
# support variable ("o", i, x, t) itself; c_M = W - c_a - c_b, so ("o", i, x, M) <-> c_a + c_b
# < W. Every count vector is exactly one assignment (no auxiliary variables), and the support
# CNF above is unchanged underneath.

def count_var(enc: Encoding, i: int, x: tuple[int, ...], t: int, m: int) -> int:
    """The literal "c_t >= m" (t in {a, b}, 1 <= m <= W) of P_i at x."""
    return enc.var("o", i, x, t) if m == 1 else enc.var("c", i, x, t, m)


def local_vars(enc: Encoding, i: int, x: tuple[int, ...]) -> list[int]:
    """Variables that fix the distribution of the next token at i from x: the supports (and
    the counts when counted). Counted, at a revealed position (revise) only the count of the
    other token matters (a predicted M keeps x_i), so only its variables are returned."""
    W = 1 << enc.cls.rho
    if enc.cls.counted and x[i] != M:
        return [count_var(enc, i, x, 1 - x[i], m) for m in range(1, W + 1)]
    out = [enc.var("o", i, x, t) for t in TOKENS]
    if enc.cls.counted:
        out += [count_var(enc, i, x, t, m) for t in (A, B) for m in range(2, W + 1)]
    return out


def count_literals(enc: Encoding, i: int, x: tuple[int, ...], counts: dict[int, int]) -> list[int]:
    """Unit literals fixing P_i's counts at x to ``counts`` (token -> count, summing to W)."""
    W = 1 << enc.cls.rho
    lits = [count_var(enc, i, x, t, m) * (1 if counts.get(t, 0) >= m else -1)
            for t in (A, B) for m in range(1, W + 1)]
    return lits + [enc.var("o", i, x, M) * (1 if counts.get(M, 0) > 0 else -1)]


def count_clauses(enc: Encoding) -> list[list[int]]:
    """Counts out of ``W = 2^rho`` under the supports, and their locality (the whole local
    distribution, not only its support, is a function of the read positions)."""
    cls = enc.cls
    n, W = cls.n, 1 << cls.rho
    v = enc.var
    out: list[list[int]] = []
    for i in range(n):
        for x in all_states(n):
            if not consulted(cls, i, x):
                continue
            u = {t: [None] + [count_var(enc, i, x, t, m) for m in range(1, W + 1)] for t in (A, B)}
            om = v("o", i, x, M)
            for t in (A, B):
                out += [[-u[t][m + 1], u[t][m]] for m in range(1, W)]          # order
            out += [[-u[A][m], -u[B][W - m + 1]] for m in range(1, W + 1)]     # c_a + c_b <= W
            # o_M -> c_a + c_b <= W - 1; not o_M -> c_a + c_b >= W
            out += [[-om] + [-l for l in (u[A][m], u[B][W - m]) if l is not None]
                    for m in range(0, W + 1)]
            out += [[om, u[A][m + 1], u[B][W - m]] for m in range(0, W)]
            for j in read_candidates(cls, i):
                if j == i and not cls.mode.allows_revise:
                    continue
                y = x[:j] + (_CYCLE[x[j]],) + x[j + 1:]
                out += [[v("sel", i, j), -u[t][m], count_var(enc, i, y, t, m)]
                        for t in (A, B) for m in range(2, W + 1)]
    return out


# --- predictors over a/b plus an unmasking strategy F (predictor models ab+F) -------------
#
# Extended tokens ``e_j`` (what F sees at position j): 0 = a, 1 = b (revealed), 2 = masked with
# prediction a, 3 = masked with prediction b; in revise modes the predictor is consulted at a
# revealed position too, and ``e_j = 4 + 2·x_j + y_j`` (a·a, a·b, b·a, b·b: the token and its
# sampled prediction), so the alphabet is {M·a, M·b, a·a, a·b, b·a, b·b}. ``("f", i, e)``: F_i
# commits ``y_i`` at position i (defined where P_i is consulted; in revise committing replaces
# the revealed token, MODEL.md §3). Locality of F: when i does not read j, f is unchanged along
# the cycle of the alphabet at e_j (0 -> 1 -> 2 -> 3 -> 0, resp. 2 -> 3 -> ... -> 7 -> 2); at
# j = i in plain/remask, unchanged by swapping 2 <-> 3 (F_i knows e_i is masked); in revise the
# own position is like any other (reading it counts, as for the predictor).

EA, EB, EMA, EMB = 0, 1, 2, 3
#: extended tokens that carry a sampled prediction, paired by swapping the prediction
_EFLIP = {EMA: EMB, EMB: EMA, 4: 5, 5: 4, 6: 7, 7: 6}


def ext_tokens(cls: GapClass) -> tuple[int, ...]:
    """The extended alphabet of the class (the values F sees at one position)."""
    return (EMA, EMB, 4, 5, 6, 7) if cls.mode.allows_revise else (EA, EB, EMA, EMB)


def predicted_positions(cls: GapClass, x: tuple[int, ...]) -> list[int]:
    """The positions whose predictor is consulted (and sampled) in state ``x``."""
    return [j for j in range(len(x)) if consulted(cls, j, x)]


def extended(x: tuple[int, ...], y: dict[int, int]) -> tuple[int, ...]:
    """The extended state: ``2 + y_j`` at masked positions, ``4 + 2·x_j + y_j`` at revealed
    positions with a prediction (revise), the token at the others."""
    return tuple(2 + y[j] if x[j] == M else (4 + 2 * x[j] + y[j] if j in y else x[j])
                 for j in range(len(x)))


def token_after(t: int, commit: bool) -> int:
    """The token at a position with extended token ``t`` after F's decision."""
    if t < 2:
        return t
    if t < 4:
        return t - 2 if commit else M
    return (t - 4) % 2 if commit else (t - 4) // 2


def after_commit(e: tuple[int, ...], commits: dict[int, bool]) -> tuple[int, ...]:
    return tuple(token_after(t, commits.get(j, False)) for j, t in enumerate(e))


def _encode_with_strategy(cls: GapClass, fix: dict | None, goal: bool) -> Encoding:
    n, T = cls.n, cls.rounds
    enc, C, v, states = _new_encoding(cls)
    remask, revise = cls.mode.allows_remask, cls.mode.allows_revise
    # predictors: supports over {a, b} where consulted, local in x_j for selected j (the own
    # position only in revise, where P_i does not know x_i for free)
    for i in range(n):
        for x in states:
            if not consulted(cls, i, x):
                continue
            C.append([v("o", i, x, A), v("o", i, x, B)])
            for j in range(n):
                if (j == i and not revise) or not enc.has("sel", i, j):
                    continue
                y = x[:j] + (_CYCLE[x[j]],) + x[j + 1:]
                for t in (A, B):
                    C.append([v("sel", i, j), -v("o", i, x, t), v("o", i, y, t)])
    # unmasking strategies: one commit bit per extended state where P_i is consulted
    alphabet = ext_tokens(cls)
    cycle = dict(zip(alphabet, alphabet[1:] + alphabet[:1]))
    for i in range(n):
        for e in itertools.product(alphabet, repeat=n):
            if e[i] < 2:
                continue
            f = v("f", i, e)
            if cls.predictor_model == "ab+F-state":
                for j in range(n):   # blind to every sampled prediction
                    if e[j] >= 2:
                        C.append([-f, v("f", i, e[:j] + (_EFLIP[e[j]],) + e[j + 1:])])
            if not cls.strategy_bounded:
                continue
            for j in range(n):
                step = _EFLIP if (j == i and not revise) else cycle
                C.append([v("sel", i, j), -f, v("f", i, e[:j] + (step[e[j]],) + e[j + 1:])])
    if remask:
        remask_locality(C, v, n, states)

    start = (M,) * n
    reach = reach_literals(v, start)

    def options(e, j):
        """(next token at j, literal of F_j's decision or None when it does not matter)."""
        kept, committed = token_after(e[j], False), token_after(e[j], True)
        if kept == committed:
            return [(kept, None)]
        f = v("f", j, e)
        return [(kept, -f), (committed, f)]

    def image(r: int, target: str, src_states, src_lit):
        tgt = (lambda x2: v("R", r + 1, x2)) if target == "R" else (lambda x2: v("Z", r, x2))
        preds: dict[tuple, list[int]] = {}
        for x in src_states:
            sx = src_lit(x)
            if sx == 0:
                continue
            sampled = predicted_positions(cls, x)
            for ys in itertools.product((A, B), repeat=len(sampled)):
                y = dict(zip(sampled, ys))
                e = extended(x, y)
                # Y <-> R[r][x] and every sampled prediction possible
                Y = v("Y", target, r, e)
                body = ([sx] if sx is not None else []) + [v("o", j, x, y[j]) for j in sampled]
                C.append([-l for l in body] + [Y])
                C.extend([-Y, l] for l in body)
                for combo in itertools.product(*(options(e, j) for j in range(n))):
                    x2 = tuple(t for t, _ in combo)
                    lits = [Y] + [l for _, l in combo if l is not None]
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
