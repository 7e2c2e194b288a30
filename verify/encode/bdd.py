"""BDD view of a circuit: a BDD algebra for the one evaluator (STYLE.md §2), exact counting.

Values are nodes of one ``dd`` manager: CUDD (``dd.cudd``) when that extension is built, else
the pure-Python ``dd.autoref`` (``backend=`` picks one explicitly). Named leaves get a BDD
variable per hashable key, declared in the order they are first asked for (callers that care
about the variable order declare their leaves up front).

``dd``'s own ``count`` is not usable for exact probabilities: CUDD's returns a float (exact
only below 2^53) and both count over the node's support. :meth:`BddAlgebra.count` counts over
a *given* set of variables, exactly, in Python integers, by one memoised pass over the nodes
(complemented edges handled explicitly, so both back ends share the code).
"""
from __future__ import annotations

from typing import Any, Hashable, Iterable, Sequence

BACKENDS = ("cudd", "autoref")


def available_backends() -> list[str]:
    """The ``dd`` back ends importable here, fastest first."""
    out = []
    try:
        import dd.cudd  # noqa: F401
        out.append("cudd")
    except ImportError:
        pass
    import dd.autoref  # noqa: F401  (pure Python, always there with dd)
    out.append("autoref")
    return out


def new_manager(backend: str = "auto"):
    """A fresh BDD manager of ``backend`` (``"auto"``: CUDD if available, else autoref)."""
    if backend == "auto":
        backend = available_backends()[0]
    if backend == "cudd":
        import dd.cudd
        return dd.cudd.BDD()
    if backend == "autoref":
        import dd.autoref
        return dd.autoref.BDD()
    raise ValueError(f"unknown BDD back end {backend!r} (expected one of {', '.join(BACKENDS)} or 'auto')")


class BddAlgebra:
    """Values are BDD nodes (``dd`` Functions) of :attr:`bdd`; ``var(key)`` names a leaf."""

    def __init__(self, backend: str = "auto"):
        self.bdd = new_manager(backend)
        self.backend = type(self.bdd).__module__.rsplit(".", 1)[-1]
        self.true = self.bdd.true
        self.false = self.bdd.false
        self._names: dict[Hashable, str] = {}
        self._keys: dict[str, Hashable] = {}

    # --- leaves ------------------------------------------------------------------------
    def var(self, key: Hashable):
        """The BDD variable of a named leaf (the same key always gives the same variable)."""
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"x{len(self._names)}"
            self._keys[name] = key
            self.bdd.declare(name)
        return self.bdd.var(name)

    def name(self, key: Hashable) -> str:
        """The BDD variable name of a leaf already declared with :meth:`var`."""
        return self._names[key]

    def key(self, name: str) -> Hashable:
        return self._keys[name]

    # --- the algebra -------------------------------------------------------------------
    def const(self, value: bool):
        return self.true if value else self.false

    def neg(self, a):
        return ~a

    def and_(self, args: Sequence[Any]):
        out = self.true
        for a in args:
            out = out & a
            if out == self.false:
                break
        return out

    def or_(self, args: Sequence[Any]):
        out = self.false
        for a in args:
            out = out | a
            if out == self.true:
                break
        return out

    def xor(self, args: Sequence[Any]):
        out = self.false
        for a in args:
            out = self.bdd.apply("xor", out, a)
        return out

    # --- counting ----------------------------------------------------------------------
    def support(self, u) -> set[Hashable]:
        """The leaf keys ``u`` depends on."""
        return {self._keys[name] for name in self.bdd.support(u)}

    def count(self, u, keys: Iterable[Hashable]) -> int:
        """The number of assignments to the leaves ``keys`` that satisfy ``u``, exactly.

        ``u`` must depend on no other leaf (a ``ValueError`` otherwise); leaves in ``keys`` that
        ``u`` does not read each double the count.
        """
        return count_models(self.bdd, u, [self.name(k) for k in keys])

    def pick(self, u) -> dict[Hashable, bool] | None:
        """One satisfying assignment of ``u`` (its support only), or None when ``u`` is false."""
        model = self.bdd.pick(u)
        if model is None:
            return None
        return {self._keys[name]: bool(value) for name, value in model.items()}


def count_models(bdd, u, names: Sequence[str]) -> int:
    """Exact number of assignments to the variables ``names`` of ``bdd`` that satisfy ``u``.

    One memoised pass: for a node at rank ``k`` (its level's position among the levels of
    ``names``), ``f(node)`` counts assignments to the variables of rank >= k. A complemented
    node counts as ``2^(n - k) - f(regular node)``; an edge that skips ranks multiplies by 2
    per skipped variable.
    """
    levels = sorted({bdd.level_of_var(name) for name in names})
    if len(levels) != len(names):
        raise ValueError("duplicate variable in the counting set")
    rank = {level: k for k, level in enumerate(levels)}
    n = len(levels)
    missing = set(bdd.support(u)) - set(names)
    if missing:
        raise ValueError(f"the function reads {len(missing)} variable(s) outside the counting set, "
                         f"e.g. {sorted(missing)[0]}")
    true, false = bdd.true, bdd.false
    memo: dict[int, int] = {}

    def rank_of(node) -> int:
        return n if node == true or node == false else rank[node.level]

    def children(node) -> list:
        return [~node] if node.negated else [node.low, node.high]

    def value(node) -> int:
        # assignments to the variables of rank >= rank_of(node) that satisfy node
        if node == true:
            return 1
        if node == false:
            return 0
        return memo[int(node)]

    # iterative post-order (a recursion would hit Python's limit on deep BDDs)
    stack = [(u, False)]
    while stack:
        node, expanded = stack.pop()
        if node == true or node == false or int(node) in memo:
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((c, False) for c in children(node))
            continue
        k = rank[node.level]
        if node.negated:
            out = (1 << (n - k)) - value(~node)
        else:
            low, high = node.low, node.high
            out = (value(low) << (rank_of(low) - k - 1)) + (value(high) << (rank_of(high) - k - 1))
        memo[int(node)] = out
    return value(u) << rank_of(u)
