"""The depth-2 template bound (MODEL.md §6, "a depth-d, size-s circuit template"; d = 2).

Class (self-unmasking predictors, every mode, support and exact semantics with ``rho = 1``):
each position's predictor ``P_i`` has two output bits (mask bit, value bit; ``a = 00``,
``b = 01``, ``M = 10``); **each output bit is a DNF of at most ``s`` terms** (an OR of at most
``s`` ANDs of literals) over the ``2n + 1`` input bits ``m_j, v_j`` (every position ``j``, the
own one included: all positions are visible, so the bound is on formula size, not on locality)
and the position's one private random bit ``r_i`` (``rho = 1``). The support of ``P_i`` at a
state ``x`` is the set of tokens ``(m, v)`` over ``r_i ∈ {0, 1}``; the local distribution is
uniform over ``r_i``, so it is the fair mix of the (at most two) tokens of the support: the
support fixes it (exact semantics). The output ``11`` is not a token: it is forbidden at every
state and every ``r_i`` (the simulator evaluates every predictor at every reached state,
revealed positions included, and rejects ``11``). ``s = 0``: both bits constant 0 (always ``a``).

Remask modes: the remasking decision ``G_i`` (one output bit) is a DNF of at most ``s`` terms
over the ``2n`` bits ``zm_j, zv_j`` of the committed vector ``z`` (every position; the same
literals as the predictor minus the random bit). Only its value at ``z`` with ``z_i`` revealed
matters (a masked position stays masked).

Variables (in the encoding's pool):

* ``("tp", i, b, t, l)`` / ``("tn", i, b, t, l)``: term ``t`` of output bit ``b`` (0 = mask,
  1 = value, 2 = remask) of position ``i`` contains literal ``l`` positively / negatively
  (never both); literals ``l`` index :func:`literal_names` (``m0, v0, m1, v1, ..., r0``; for
  ``G`` the same bits of ``z`` without ``r0``).
* ``("tv", i, b, t, x, r)`` (``("tv", i, 2, t, z)`` for ``G``): the term's value at one input:
  ``tv <-> AND_l ¬killer_l`` where ``killer_l`` is ``tn`` if literal ``l`` is 1 there and
  ``tp`` otherwise.
* ``("ob", i, b, x, r)``: the predictor's output bit, ``<-> OR_t tv``; for ``G`` the output
  bit is the ``("g", i, z)`` of :mod:`verify.gap.encode` itself.
* The support variables ``("o", i, x, t)`` of :mod:`verify.gap.encode` (at the states where
  ``P_i`` is consulted) are defined from them: ``o_t <-> OR_r [token(ob_0, ob_1) = t]``. The
  rest of the encoding (revise rule, remask step, reachability, goal, the exact-semantics
  CEGAR of :mod:`verify.gap.search`) is shared with the locality bound.
"""
from __future__ import annotations

import itertools

from .encode import A, B, M, Encoding, all_states, consulted

MASK, VALUE, REMASK = 0, 1, 2


def literal_names(n: int) -> list[str]:
    return [f"{c}{j}" for j in range(n) for c in "mv"] + ["r0"]


def literal_values(x: tuple[int, ...], r: int) -> list[int]:
    out = []
    for t in x:
        out += [1 if t == M else 0, 1 if t == B else 0]
    return out + [r]


def _dnf_value(out: list, v, i: int, b: int, s: int, point: tuple, vals: list[int], ob: int) -> None:
    """Clauses making ``ob`` the value of the DNF of output bit ``b`` of position ``i`` at one
    input ``point`` whose literals take the values ``vals``."""
    terms = []
    for t in range(s):
        tv = v("tv", i, b, t, *point)
        killers = [v("tn" if vals[l] else "tp", i, b, t, l) for l in range(len(vals))]
        out += [[-tv, -k] for k in killers]
        out.append([tv] + killers)
        terms.append(tv)
    out += [[-tv, ob] for tv in terms]
    out.append([-ob] + terms)


def template_clauses(enc: Encoding, s: int) -> list[list[int]]:
    cls = enc.cls
    n = cls.n
    v = enc.var
    remask = cls.mode.allows_remask
    out: list[list[int]] = []
    for i in range(n):
        for b in (MASK, VALUE, REMASK) if remask else (MASK, VALUE):
            for t in range(s):
                for l in range(2 * n + (b != REMASK)):
                    out.append([-v("tp", i, b, t, l), -v("tn", i, b, t, l)])
    for i in range(n):
        if remask:
            for z in all_states(n):
                if z[i] != M:
                    _dnf_value(out, v, i, REMASK, s, (z,), literal_values(z, 0)[:-1], v("g", i, z))
        for x in all_states(n):
            for r in (0, 1):
                bits = []
                for b in (MASK, VALUE):
                    bits.append(v("ob", i, b, x, r))
                    _dnf_value(out, v, i, b, s, (x, r), literal_values(x, r), bits[-1])
                out.append([-bits[0], -bits[1]])        # 11 is not a token
            if not consulted(cls, i, x):
                continue
            om = [v("ob", i, MASK, x, r) for r in (0, 1)]
            ov = [v("ob", i, VALUE, x, r) for r in (0, 1)]
            # token indicators per r: M = mask; b = ~mask & value; a = ~mask & ~value
            for tok in (A, B, M):
                o = v("o", i, x, tok)
                ind = []
                for r in (0, 1):
                    if tok == M:
                        ind.append(om[r])
                        continue
                    e = v("tok", i, x, r, tok)
                    want = ov[r] if tok == B else -ov[r]
                    out += [[-e, -om[r]], [-e, want], [e, om[r], -want]]
                    ind.append(e)
                out += [[-l, o] for l in ind]
                out.append([-o] + ind)
    return out


def extract(enc: Encoding, model: list[int]) -> dict[tuple[int, int], list[list[tuple[int, bool]]]]:
    """(i, bit) -> the DNF's terms, each a list of (literal index, positive); bits MASK, VALUE
    and, in remask modes, REMASK (G_i, literals over z without r0)."""
    cls = enc.cls
    true = {l for l in model if l > 0}
    out = {}
    for i in range(cls.n):
        for b in (MASK, VALUE, REMASK) if cls.mode.allows_remask else (MASK, VALUE):
            terms = []
            for t in range(cls.size):
                lits = []
                for l in range(2 * cls.n + (b != REMASK)):
                    if enc.var("tp", i, b, t, l) in true:
                        lits.append((l, True))
                    elif enc.var("tn", i, b, t, l) in true:
                        lits.append((l, False))
                terms.append(lits)
            out[(i, b)] = terms
    return out


def eval_dnf(terms, x: tuple[int, ...], r: int) -> int:
    vals = literal_values(x, r)
    return int(any(all(vals[l] == (1 if pos else 0) for l, pos in term) for term in terms))


def dnf_expression(terms, n: int, prefix: str = "") -> str:
    """The DNF as a spec expression; ``prefix = "z"`` names G's literals ``zm_j, zv_j``."""
    names = [prefix + name for name in literal_names(n)]
    parts = []
    for term in terms:
        lits = [("" if pos else "~") + names[l] for l, pos in term]
        parts.append("(" + (" & ".join(lits) or "1") + ")")
    return " | ".join(parts) or "0"


def supports(template, n: int, i: int, x: tuple[int, ...]) -> tuple[int, ...]:
    got = set()
    for r in (0, 1):
        m = eval_dnf(template[(i, MASK)], x, r)
        val = eval_dnf(template[(i, VALUE)], x, r)
        assert not (m and val), "11 emitted"
        got.add(M if m else (B if val else A))
    return tuple(sorted(got))


def used_positions(template, n: int, i: int) -> tuple[int, ...]:
    return tuple(sorted({l // 2 for b in (MASK, VALUE) for term in template[(i, b)]
                         for l, _ in term if l < 2 * n}))


def iter_terms(n: int):
    """Every term over the 2n + 1 literals (3^(2n+1) of them), for brute force."""
    L = 2 * n + 1
    for signs in itertools.product((None, True, False), repeat=L):
        yield [(l, p) for l, p in enumerate(signs) if p is not None]
