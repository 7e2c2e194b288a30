"""The general encoder: the full model of MODEL.md §3 and G reading ``(x, z)`` (issue 9).

Classes with ``predictor_model = "full"`` or ``remask_reads = "xz"`` (``GapClass.general``) are
encoded here; every other class keeps :mod:`verify.gap.encode`, whose CNFs are unchanged.

One round from ``x``: every consulted ``P_j`` samples ``y_j`` from its support (any non-empty
subset of ``{a, b, M}``; at most two tokens in exact semantics with ``rho = 1``); the
committed vector ``z`` follows (:func:`committed_token`); in remask modes ``x' = G(x, z)``.

* **full** (``predictor_model = "full"``): ``P_j`` is consulted at *every* position (its
  sample is visible to F even at a revealed position); ``F_i`` reads ``(x_j, y_j)`` and
  (remask) ``G_i`` reads ``z_j`` or ``(x_j, z_j)`` for ``j`` in the one read set ``S_i``,
  ``|S_i| <= k``, the own position included and counted (no circuit knows its own token for
  free). Rule ``enforce``: the decoder applies the mode (plain/remask keep a revealed token;
  revise ignores a committed ``M`` at a revealed position). Rule ``literal``: ``z_i = y_i`` if
  ``F_i`` commits, else ``x_i``, and the mode's rule must hold through P, F, G in *every*
  state and for every sample (the ``mode`` check's quantifier, MODEL.md §4.2): static clauses
  over all states (:func:`literal_mode_clauses`).
* **self-unmask with G(x, z)**: the self-unmask class of :mod:`verify.gap.encode` (enforce,
  no F, the own position free for ``P_i`` in plain/remask) with ``G_i`` reading ``(x_j, z_j)``.

Variables: ``("sel", i, j)`` first (same numbering as the other encoder); ``("o", i, x, t)``
the support of ``P_i`` at ``x``; ``("c", i, e)`` F_i commits at the extended state ``e``
(per position ``3·x_j + y_j``); ``("g", i, w)`` G_i remasks at ``w`` (``z``, or per position
``3·x_j + z_j``). Each table is defined on a product of per-position alphabets and made local
by one implication per unread position along the cycle of that alphabet. Reachability as in
:mod:`verify.gap.encode` (forward closure, backward justification through one ``p`` variable
per transition); the goal fixes ``R[T]`` to the even strings. Symmetry breaking is
:func:`verify.gap.encode.symmetry_breaking` (a/b swaps at pairs of positions and position
permutations map these classes to themselves too: every table, the rule and the literal mode
constraints are relabelled with them); in the full model it compares the start supports on
their ``a``/``b`` bits only, which is still a consistent order (sound, weaker).
"""
from __future__ import annotations

import itertools

from .classes import GapClass
from .encode import (A, B, M, TOKENS, Encoding, all_states, is_even_string, read_candidates,
                     symmetry_breaking)
from pysat.formula import IDPool

_CYCLE = {A: B, B: M, M: A}


def is_full(cls: GapClass) -> bool:
    return cls.predictor_model == "full"


def consulted_general(cls: GapClass, i: int, x: tuple[int, ...]) -> bool:
    """Full model: every position; self-unmask: as in the other encoder."""
    return is_full(cls) or cls.mode.allows_revise or x[i] == M


def committed_token(cls: GapClass, xj: int, yj: int | None, commit: bool) -> int:
    """The token at j after F (and the decoder's rule): ``yj`` None = not consulted."""
    if yj is None:
        return xj
    if not is_full(cls):       # self-unmask, enforce: every prediction is committed
        commit = True
    if cls.rule == "literal":
        return yj if commit else xj
    if xj == M:
        return yj if commit else M
    if cls.mode.allows_revise and commit and yj != M:
        return yj
    return xj


def after_remask(x: tuple[int, ...], z: tuple[int, ...], remask: dict[int, bool]) -> tuple[int, ...]:
    return tuple(M if z[j] != M and remask.get(j, False) else z[j] for j in range(len(z)))


def ext_alphabet(cls: GapClass) -> tuple[int, ...]:
    """F's per-position values ``3·x_j + y_j`` (full model: P is consulted everywhere)."""
    return tuple(range(9))


def pair_alphabet(cls: GapClass) -> tuple[int, ...]:
    """G's per-position values: ``z_j`` (remask_reads z) or ``3·x_j + z_j`` (xz), every pair
    the class can produce."""
    if cls.remask_reads == "z":
        return TOKENS
    out = set()
    ys = TOKENS
    for xj in TOKENS:
        for yj in ys:
            for c in (False, True):
                out.add(3 * xj + committed_token(cls, xj, yj, c))
    return tuple(sorted(out))


def g_key(cls: GapClass, x: tuple[int, ...], z: tuple[int, ...]) -> tuple[int, ...]:
    return z if cls.remask_reads == "z" else tuple(3 * a + b for a, b in zip(x, z))


def _local(C: list, v, name: str, i: int, domain, alphabet, readable) -> None:
    """``name[i][w]`` is a function of ``w_j, j ∈ S_i``: for each readable ``j`` one
    implication along the cycle of the alphabet, guarded by ``sel[i][j]``; positions that are
    not readable (never selected) are tied unconditionally."""
    cyc = dict(zip(alphabet, alphabet[1:] + alphabet[:1]))
    for w in domain:
        f = v(name, i, w)
        for j in range(len(w)):
            w2 = w[:j] + (cyc[w[j]],) + w[j + 1:]
            guard = [v("sel", i, j)] if j in readable else []
            C.append(guard + [-f, v(name, i, w2)])


def encode_general(cls: GapClass, fix: dict | None = None, goal: bool = True) -> Encoding:
    """The CNF of a general class without the bound k (see :func:`verify.gap.encode.bound`).
    ``fix`` (tests): ``{"sel": {(i, j): bool}, "o": {(i, x): set}, "c": {(i, e): bool},
    "g": {(i, w): bool}}`` as unit clauses; ``goal=False`` drops the goal."""
    n, T = cls.n, cls.rounds
    enc = Encoding(cls, IDPool())
    for i in range(n):
        for j in read_candidates(cls, i):
            enc.var("sel", i, j)
    C, v = enc.clauses, enc.var
    states = all_states(n)
    full, remask = is_full(cls), cls.mode.allows_remask
    # --- P: supports and locality ------------------------------------------------------
    for i in range(n):
        cands = set(read_candidates(cls, i))
        for x in states:
            if not consulted_general(cls, i, x):
                continue
            lits = [v("o", i, x, t) for t in TOKENS]
            C.append(lits)
            if cls.semantics == "exact":
                C.append([-l for l in lits])             # rho = 1: at most two tokens
            for j in range(n):
                if j == i and not (full or cls.mode.allows_revise):
                    continue        # self-unmask plain/remask: P_i knows x_i = M
                y = x[:j] + (_CYCLE[x[j]],) + x[j + 1:]
                guard = [v("sel", i, j)] if j in cands else []
                for t in TOKENS:
                    C.append(guard + [-v("o", i, x, t), v("o", i, y, t)])
    # --- F and G: locality ---------------------------------------------------------------
    if full:
        ext = ext_alphabet(cls)
        for i in range(n):
            _local(C, v, "c", i, itertools.product(ext, repeat=n), ext, set(read_candidates(cls, i)))
    if remask:
        pal = pair_alphabet(cls)
        for i in range(n):
            _local(C, v, "g", i, itertools.product(pal, repeat=n), pal, set(read_candidates(cls, i)))
    if full and cls.rule == "literal":
        literal_mode_clauses(enc, states)

    start = (M,) * n

    def reach(r, x):
        if r == 0:
            return None if x == start else 0
        return v("R", r, x)

    def samples(x):
        """Per position: (y_j, literal of 'y_j possible' or None)."""
        return [[(t, v("o", j, x, t)) for t in TOKENS] if consulted_general(cls, j, x)
                else [(None, None)] for j in range(n)]

    def commit_options(x, ys, e):
        out = []
        for j in range(n):
            kept = committed_token(cls, x[j], ys[j], False)
            took = committed_token(cls, x[j], ys[j], True)
            if kept == took:
                out.append([(kept, None)])
            else:
                c = v("c", j, e)
                out.append([(kept, -c), (took, c)])
        return out

    def justify(target_lits: dict, preds: dict) -> None:
        for key, lit in target_lits.items():
            C.append([-lit] + preds.get(key, []))

    for r in range(T):
        src = [start] if r == 0 else states
        mid = "W" if remask else "R"
        mid_lits: dict = {}
        preds: dict = {}
        for x in src:
            sx = reach(r, x)
            if sx == 0:
                continue
            for combo in itertools.product(*samples(x)):
                ys = tuple(t for t, _ in combo)
                e = tuple(3 * a + (b if b is not None else a) for a, b in zip(x, ys))
                body = ([sx] if sx is not None else []) + [l for _, l in combo if l is not None]
                Y = v("Y", r, x, ys)
                C.append([-l for l in body] + [Y])
                C.extend([-Y, l] for l in body)
                for opt in itertools.product(*commit_options(x, ys, e)):
                    z = tuple(t for t, _ in opt)
                    key = (x, z) if remask else z
                    tgt = v("W", r, key) if remask else v("R", r + 1, z)
                    mid_lits[key] = tgt
                    lits = [Y] + [l for _, l in opt if l is not None]
                    C.append([-l for l in lits] + [tgt])
                    p = v("p", mid, r, e, z)
                    C.extend([-p, l] for l in lits)
                    preds.setdefault(key, []).append(p)
        if not remask:
            justify({z: v("R", r + 1, z) for z in states}, preds)
            continue
        justify(mid_lits, preds)
        preds = {}
        for (x, z), wl in mid_lits.items():
            rev = [j for j in range(n) if z[j] != M]
            gk = g_key(cls, x, z)
            for pattern in itertools.product((0, 1), repeat=len(rev)):
                glits = [v("g", j, gk) if bit else -v("g", j, gk) for j, bit in zip(rev, pattern)]
                x2 = after_remask(x, z, {j: bool(bit) for j, bit in zip(rev, pattern)})
                C.append([-wl] + [-l for l in glits] + [v("R", r + 1, x2)])
                p = v("p", "G", r, x, z, x2)
                C += [[-p, wl]] + [[-p, l] for l in glits]
                preds.setdefault(x2, []).append(p)
        justify({x2: v("R", r + 1, x2) for x2 in states}, preds)
    if goal:
        for x in states:
            C.append([v("R", T, x)] if is_even_string(x) else [-v("R", T, x)])
    if fix is None:
        C += symmetry_breaking(enc)
    else:
        for (i, j), on in fix.get("sel", {}).items():
            if enc.has("sel", i, j):
                C.append([v("sel", i, j) if on else -v("sel", i, j)])
        for (i, x), support in fix.get("o", {}).items():
            if enc.has("o", i, x, A):
                C.extend([v("o", i, x, t) if t in support else -v("o", i, x, t)] for t in TOKENS)
        for name in ("c", "g"):
            for (i, w), on in fix.get(name, {}).items():
                if enc.has(name, i, w):
                    C.append([v(name, i, w) if on else -v(name, i, w)])
    return enc


def literal_mode_clauses(enc: Encoding, states) -> None:
    """Rule ``literal``: the mode's rule holds through P, F, G in every state ``x`` and for
    every possible sample ``y`` (MODEL.md §4.2, as the ``mode`` check quantifies).

    plain: a revealed ``x_i`` with ``F_i`` committing needs ``y_i = x_i``; revise: a committed
    ``y_i`` at a revealed position is not ``M``; remask: a committed ``y_i`` that is the other
    token must be remasked by ``G_i(x, z)`` (``z`` from every commit bit: one clause per
    commit pattern); remask+revise: nothing."""
    cls = enc.cls
    n, C, v = cls.n, enc.clauses, enc.var
    mode = cls.mode
    if mode.allows_remask and mode.allows_revise:
        return
    for x in states:
        for ys in itertools.product(TOKENS, repeat=n):
            e = tuple(3 * a + b for a, b in zip(x, ys))
            possible = [-v("o", j, x, ys[j]) for j in range(n)]
            for i in range(n):
                if x[i] == M or ys[i] == x[i]:
                    continue
                if mode.allows_remask:
                    continue
                if mode.allows_revise and ys[i] != M:
                    continue
                C.append(possible + [-v("c", i, e)])
            if not mode.allows_remask:
                continue
            bad = [i for i in range(n) if x[i] != M and ys[i] not in (x[i], M)]
            if not bad:
                continue
            opts = []
            for j in range(n):
                if ys[j] == x[j]:
                    opts.append([(x[j], None)])
                else:
                    c = v("c", j, e)
                    opts.append([(x[j], -c), (ys[j], c)])
            for opt in itertools.product(*opts):
                z = tuple(t for t, _ in opt)
                gk = g_key(cls, x, z)
                cl = possible + [-l for _, l in opt if l is not None]
                for i in bad:
                    if z[i] != x[i]:
                        C.append(cl + [v("g", i, gk)])
