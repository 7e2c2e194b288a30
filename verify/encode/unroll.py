"""Symbolic rounds of a DLM over any algebra (MODEL.md §3, §4): the encodings of the checks.

:class:`Unrolling` builds, *on demand and memoised*, the symbolic tokens of a DLM run:

* ``x(t, j)``  the state token ``x_j`` before round ``t`` (t = 0 is the start),
* ``y(t, j)``  the prediction ``P_j(x, r_j)`` of round ``t``,
* ``z(t, j)``  the token after the unmasking strategy ``F`` (and, under ``Rule.ENFORCE``, the
  decoder's mode rule),
* ``x(t + 1, j)`` the token after the remasking strategy ``G``,

exactly as :func:`verify.dlm.semantics.finish_round` computes them. A token is a pair
``(mask bit, value bit)`` of algebra values. Because everything is built lazily, asking for
``x(1, i)`` encodes only the circuits in the cone of position ``i`` (``Wiring.reads``), so a
per-position check costs what that position reads, not the length of the DLM.

The start state is either *free* (every token a fresh pair of variables, with ``11`` excluded
by :attr:`Unrolling.constraints`: "for every state") or the DLM's *initial* state (inputs
``χ`` free and unmasked, every other position ``M``). Random bits are fresh per round; the
``copy`` argument of :meth:`Unrolling.random` gives a second, independent set of them (the
miter of the independence check). An *initial* start may instead fix ``χ`` (``chi=``), so the
input positions hold constants (the exact distribution methods, one input at a time).

The algebra needs, besides the evaluator's operations, ``var(key)`` (a leaf variable named by
a hashable key); keys are ``("x", tag, j, "m"|"v")``, ``("chi", tag, j)`` and
``("r", tag, t, j, k, copy)`` so a caller can read a model back.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..circuits.evaluate import evaluate, read_literal
from ..dlm.model import DLM, Wiring
from ..dlm.semantics import Rule

Tok = tuple[Any, Any]  # (mask bit, value bit) as algebra values

FREE = "free"
INITIAL = "initial"


class Unrolling:
    """A lazily built symbolic run of ``dlm`` over ``alg`` (see the module docstring)."""

    def __init__(self, dlm: DLM, alg, *, start: str = FREE, rule: Rule = Rule.LITERAL, tag: str = "",
                 chi: Sequence[int] | None = None):
        if start not in (FREE, INITIAL):
            raise ValueError(f"start must be {FREE!r} or {INITIAL!r}")
        if chi is not None and (start != INITIAL or len(chi) != len(dlm.inputs)):
            raise ValueError(f"chi needs the initial start and {len(dlm.inputs)} bits")
        self._chi = None if chi is None else dict(zip(dlm.inputs, chi))
        self.dlm = dlm
        self.alg = alg
        self.start = start
        self.rule = rule
        self.tag = tag
        self.constraints: list[Any] = []      # must hold (no 11 in a free start state)
        self._x: dict[tuple[int, int], Tok] = {}
        self._y: dict[tuple[int, int], Tok] = {}
        self._z: dict[tuple[int, int], Tok] = {}
        self._r: dict[tuple[int, int, int, int], Any] = {}

    # --- leaves ------------------------------------------------------------------------
    def random(self, t: int, j: int, k: int, copy: int = 0):
        key = (t, j, k, copy)
        v = self._r.get(key)
        if v is None:
            v = self._r[key] = self.alg.var(("r", self.tag, t, j, k, copy))
        return v

    def x(self, t: int, j: int) -> Tok:
        tok = self._x.get((t, j))
        if tok is not None:
            return tok
        if t == 0:
            alg = self.alg
            if self.start == FREE:
                m, v = alg.var(("x", self.tag, j, "m")), alg.var(("x", self.tag, j, "v"))
                self.constraints.append(alg.neg(alg.and_([m, v])))
                tok = (m, v)
            elif j in self._input_positions:
                value = alg.var(("chi", self.tag, j)) if self._chi is None else alg.const(bool(self._chi[j]))
                tok = (alg.const(False), value)
            else:
                tok = (alg.const(True), alg.const(False))
        else:
            if t > 8 and (t - 1, j) not in self._x:
                self._warm(t, j)
            tok = self._after(t - 1, j)
        self._x[(t, j)] = tok
        return tok

    def _warm(self, t: int, j: int) -> None:
        """Build ``x(s, q)`` for every ``s < t`` and every ``q`` that ``x(t, j)`` can depend on, in
        increasing ``s``: each step then finds round ``s - 1`` cached, so the lazy construction
        never recurses deeper than one round (T can be in the hundreds of thousands)."""
        dlm = self.dlm
        cone, stack = {j}, [j]
        while stack:
            q = stack.pop()
            reads = set(dlm.predictor_wiring(q).reads)
            if dlm.unmask_strategy is not None:
                reads.update(dlm.strategy_wiring(q).reads)
            if dlm.remask is not None:
                reads.update(dlm.remask_wiring(q).reads)
            for p in reads - cone:
                cone.add(p)
                stack.append(p)
        order = sorted(cone)
        for s in range(1, t):
            for q in order:
                if (s, q) not in self._x:
                    self._x[(s, q)] = self._after(s - 1, q)

    # --- circuits ----------------------------------------------------------------------
    def evaluate_wiring(self, w: Wiring, t: int, random: Callable[[int, int], Any] | None = None,
                        y: Callable[[int], Tok] | None = None, z: Callable[[int], Tok] | None = None) -> list:
        """Outputs of one DLM circuit in round ``t``; ``random(owner, bit)`` picks the random leaves."""
        rand = random or (lambda owner, bit: self.random(t, owner, bit))
        leaves = {}
        for vertex, kind, j, bit in w.leaves:
            if kind == "r":
                leaves[vertex] = rand(j, bit)
                continue
            if kind in ("m", "v"):
                tok = self.x(t, j)
            elif kind in ("ym", "yv"):
                tok = (y or (lambda q: self.y(t, q)))(j)
            else:
                tok = (z or (lambda q: self.z(t, q)))(j)
            leaves[vertex] = tok[0] if kind[-1] == "m" else tok[1]
        values = evaluate(w.circuit, self.alg, leaves)
        return [read_literal(values, o, self.alg) for o in w.circuit.outputs]

    def y(self, t: int, j: int) -> Tok:
        tok = self._y.get((t, j))
        if tok is None:
            m, v = self.evaluate_wiring(self.dlm.predictor_wiring(j), t)
            tok = self._y[(t, j)] = (m, v)
        return tok

    def commit(self, t: int, j: int):
        """``F_j``'s decision in round ``t`` (true when there is no F)."""
        if self.dlm.unmask_strategy is None:
            return self.alg.const(True)
        return self.evaluate_wiring(self.dlm.strategy_wiring(j), t)[0]

    def remask(self, t: int, j: int):
        """``G_j``'s decision in round ``t`` (false when there is no G)."""
        if self.dlm.remask is None:
            return self.alg.const(False)
        return self.evaluate_wiring(self.dlm.remask_wiring(j), t)[0]

    def z(self, t: int, j: int) -> Tok:
        tok = self._z.get((t, j))
        if tok is not None:
            return tok
        x, y = self.x(t, j), self.y(t, j)
        tok = self.ite(self.commit(t, j), y, x)
        if self.rule is Rule.ENFORCE:
            revealed = self.alg.neg(x[0])
            keep = revealed if not self.dlm.mode.allows_revise else self.alg.and_([revealed, self.is_mask(tok)])
            tok = self.ite(keep, x, tok)
        self._z[(t, j)] = tok
        return tok

    def _after(self, t: int, j: int) -> Tok:
        z = self.z(t, j)
        if self.dlm.remask is None or (self.rule is Rule.ENFORCE and not self.dlm.mode.allows_remask):
            return z
        return self.ite(self.remask(t, j), self.mask_token(), z)

    def after(self, t: int, j: int) -> Tok:
        """``x'_j`` at the end of round ``t`` (= ``x(t + 1, j)``)."""
        return self.x(t + 1, j)

    # --- token helpers -----------------------------------------------------------------
    @property
    def _input_positions(self) -> frozenset[int]:
        s = getattr(self, "_inputs_cache", None)
        if s is None:
            s = self._inputs_cache = frozenset(self.dlm.inputs)
        return s

    def mask_token(self) -> Tok:
        return (self.alg.const(True), self.alg.const(False))

    def ite(self, c, a: Tok, b: Tok) -> Tok:
        alg = self.alg
        nc = alg.neg(c)
        return tuple(alg.or_([alg.and_([c, p]), alg.and_([nc, q])]) for p, q in zip(a, b))  # type: ignore[return-value]

    def is_mask(self, tok: Tok):
        """The token is exactly ``M`` (code 10)."""
        return self.alg.and_([tok[0], self.alg.neg(tok[1])])

    def is_invalid(self, tok: Tok):
        """The token is the non-token ``11``."""
        return self.alg.and_([tok[0], tok[1]])

    def differs(self, a: Tok, b: Tok):
        return self.alg.or_([self.alg.xor([a[0], b[0]]), self.alg.xor([a[1], b[1]])])

    def predictions_touched(self, t: int) -> list[int]:
        return sorted(j for (tt, j) in self._y if tt == t)

    def state_touched(self, t: int) -> list[int]:
        return sorted(j for (tt, j) in self._x if tt == t)

    def random_touched(self) -> list[tuple[int, int, int, int]]:
        return sorted(self._r)


def token_char(m: bool, v: bool) -> str:
    """The character of a decoded 2-bit code (``'?'`` for the non-token 11)."""
    if m:
        return "?" if v else "M"
    return "1" if v else "0"


def cone_size(dlm: DLM, positions: Sequence[int]) -> int:
    """A cheap size estimate (vertices) of the one-round encoding of ``positions``."""
    total = 0
    for i in positions:
        total += len(dlm.predictor[i].vertices)
        if dlm.unmask_strategy is not None:
            w = dlm.strategy_wiring(i)
            total += len(w.circuit.vertices) + sum(len(dlm.predictor[j].vertices) for j in w.reads)
        if dlm.remask is not None:
            total += len(dlm.remask[i].vertices)
    return total
