"""A witness DLM found by the search: read sets and local tables, and its spec file.

The witness is written as a spec with the ``[dlm]`` subject and a ``distribution`` check
(kind ``distribution`` for exact semantics, kind ``support`` for support semantics, both
with target ``parity-even``), so
``python -m verify`` re-checks it with the exact semantics, independently of the search.
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .classes import GapClass
from .encode import (A, B, EMA, EMB, M, TOKENS, Encoding, after_commit, all_states, consulted,
                     count_var, ext_tokens, extended, predicted_positions, read_candidates)

_CH = {A: "0", B: "1", M: "M"}


@dataclass(frozen=True)
class Witness:
    cls: GapClass
    reads: tuple[tuple[int, ...], ...]                          # S_i, sorted
    predictor: dict[tuple[int, tuple[int, ...]], tuple[int, ...]]  # (i, view on S_i) -> support
    remask: dict[tuple[int, tuple[int, ...]], bool]             # (i, view of z on S_i) -> remask
    #: predictor models ab+F: F_i's read positions (S_i, or all for ab+F-unbounded) and its
    #: commit table (i, extended view on them) -> commit; extended tokens as in encode.py
    strategy_reads: tuple[tuple[int, ...], ...] = ()
    commit: dict[tuple[int, tuple[int, ...]], bool] | None = None
    #: template bound: (i, bit) -> DNF terms (verify.gap.template); reads are then all positions
    template: dict | None = None
    #: exact semantics with rho >= 2: (i, view on S_i) -> the 2^rho equally likely outcomes
    #: (sorted), i.e. the counts; the random value k in 0..2^rho-1 draws outcomes[k]
    outcomes: dict[tuple[int, tuple[int, ...]], tuple[int, ...]] | None = None

    def commits(self, i: int, e: tuple[int, ...]) -> bool:
        return self.commit.get((i, tuple(e[j] for j in self.strategy_reads[i])), False)

    def view_positions(self, i: int) -> tuple[int, ...]:
        return self.reads[i]

    def support(self, i: int, x: tuple[int, ...]) -> tuple[int, ...]:
        return self.predictor[(i, tuple(x[j] for j in self.reads[i]))]


def from_model(enc: Encoding, model: list[int]) -> Witness:
    cls = enc.cls
    if cls.general:    # the full model or G(x, z): verify.gap.fullwitness
        from .fullwitness import from_model_general
        return from_model_general(enc, model)
    true = {l for l in model if l > 0}
    if cls.template:
        from .template import REMASK, eval_dnf, extract, supports
        tmpl = extract(enc, model)
        allpos = tuple(range(cls.n))
        predictor = {(i, x): supports(tmpl, cls.n, i, x) for i in range(cls.n)
                     for x in all_states(cls.n) if consulted(cls, i, x)}
        remask = {(i, z): bool(eval_dnf(tmpl[(i, REMASK)], z, 0)) for i in range(cls.n)
                  for z in all_states(cls.n) if z[i] != M} if cls.mode.allows_remask else {}
        return Witness(cls, tuple(allpos for _ in range(cls.n)), predictor, remask, template=tmpl)
    reads = []
    for i in range(cls.n):
        reads.append(tuple(j for j in read_candidates(cls, i) if enc.var("sel", i, j) in true))
    predictor: dict = {}
    outcomes: dict | None = {} if cls.counted else None
    for i in range(cls.n):
        for x in all_states(cls.n):
            if not consulted(cls, i, x):
                continue
            key = (i, tuple(x[j] for j in reads[i]))
            sup = tuple(t for t in TOKENS if enc.var("o", i, x, t) in true)
            if cls.mode.allows_revise and x[i] != M and key in predictor:
                continue
            predictor.setdefault(key, sup)
            if outcomes is not None:
                outcomes.setdefault(key, _counted_outcomes(enc, i, x, true))
    remask: dict = {}
    if cls.mode.allows_remask:
        for i in range(cls.n):
            for z in all_states(cls.n):
                if z[i] != M and enc.has("g", i, z):
                    remask.setdefault((i, tuple(z[j] for j in reads[i])), enc.var("g", i, z) in true)
    if not cls.has_strategy:
        return Witness(cls, tuple(reads), predictor, remask, outcomes=outcomes)
    sreads = tuple(reads) if cls.strategy_bounded else tuple(tuple(range(cls.n)) for _ in range(cls.n))
    commit: dict = {}
    for (key, var) in enc.pool.obj2id.items():
        if key[0] == "f":
            _, i, e = key
            commit.setdefault((i, tuple(e[j] for j in sreads[i])), var in true)
    return _prune_unreached(Witness(cls, tuple(reads), predictor, remask, sreads, commit))


def met_extended(w: Witness) -> set[tuple[int, tuple[int, ...]]]:
    """The pairs (j, e): F_j decides at the extended state e on some run of the witness; F's
    values anywhere else do not change the output distribution."""
    met = set()
    for x in set().union(*round_states(w)):
        sampled = predicted_positions(w.cls, x)
        for ys in itertools.product(*(w.support(j, x) for j in sampled)):
            e = extended(x, dict(zip(sampled, ys)))
            met.update((j, e) for j in sampled)
    return met


def _counted_outcomes(enc: Encoding, i: int, x, true: set[int]) -> tuple[int, ...]:
    """The 2^rho outcomes of P_i at x read off the order-encoded counts of the model."""
    W = 1 << enc.cls.rho
    count = {t: sum(count_var(enc, i, x, t, m) in true for m in range(1, W + 1)) for t in (A, B)}
    return (A,) * count[A] + (B,) * count[B] + (M,) * (W - count[A] - count[B])


def _prune_unreached(w: Witness) -> Witness:
    """F's value at views never met on a run is a don't-care: set it to 'no commit', so the
    written expressions stay small (an unbounded F has 4^n views)."""
    seen = {(j, tuple(e[q] for q in w.strategy_reads[j])) for j, e in met_extended(w)}
    commit = {key: (c and key in seen) for key, c in w.commit.items()}
    return dataclasses.replace(w, commit=commit)


# --- a fast exact semantics for the search loop (the final word is verify.dlm.semantics) ----

def _local(w: Witness, i: int, x) -> list[tuple[int, Fraction]]:
    cls = w.cls
    if not consulted(cls, i, x):
        return [(x[i], Fraction(1))]
    sup = w.support(i, x)
    p = Fraction(1, len(sup)) if cls.semantics == "exact" else Fraction(1)
    if w.outcomes is not None:   # rho >= 2: each of the 2^rho outcomes has the same weight
        sup = w.outcomes[(i, tuple(x[j] for j in w.reads[i]))]
        p = Fraction(1, len(sup))
    out: dict[int, Fraction] = {}
    for t in sup:
        if x[i] != M and t == M:
            t = x[i]            # revise: a predicted M keeps the revealed token
        out[t] = out.get(t, 0) + p
    return list(out.items())


def _step_with_strategy(w: Witness, x) -> list[tuple[tuple[int, ...], Fraction]]:
    """Predictions where consulted (masked positions; every position in revise), then F's
    commits, then G (ab+F models)."""
    n = w.cls.n
    sampled = predicted_positions(w.cls, x)
    sups = [w.support(j, x) for j in sampled]
    out = []
    for ys in itertools.product(*sups):
        q = Fraction(1)
        if w.cls.semantics == "exact":
            for sup in sups:
                q /= len(sup)
        e = extended(x, dict(zip(sampled, ys)))
        z = after_commit(e, {j: w.commits(j, e) for j in sampled})
        if w.cls.mode.allows_remask:
            z = tuple(M if z[i] != M and w.remask.get((i, tuple(z[j] for j in w.reads[i])), False)
                      else z[i] for i in range(n))
        out.append((z, q))
    return out


def round_states(w: Witness) -> list[set[tuple[int, ...]]]:
    """The reachable states before each round (round 1 .. T)."""
    n = w.cls.n
    sets = [{(M,) * n}]
    support_only = dataclasses.replace(w, cls=dataclasses.replace(w.cls, semantics="support", rho=1))
    for _ in range(w.cls.rounds - 1):
        sets.append(set(one_round(support_only, {x: Fraction(1) for x in sets[-1]})))
    return sets


def quick_distribution(w: Witness) -> dict[tuple[int, ...], Fraction]:
    """Final-state distribution (exact: rho = 1 fair mixes, or 2^rho equally likely outcomes;
    support: weights are not
    probabilities, only their keys mean anything)."""
    n = w.cls.n
    dist = {(M,) * n: Fraction(1)}
    for _ in range(w.cls.rounds):
        dist = one_round(w, dist)
    return dist


def one_round(w: Witness, dist: dict) -> dict:
    """One round of the witness from a distribution over states (exact rationals); the search
    uses it too, for the heavy-run blocking clauses."""
    n = w.cls.n
    nxt: dict = {}
    for x, p in dist.items():
        if w.cls.has_strategy:
            for z, q in _step_with_strategy(w, x):
                nxt[z] = nxt.get(z, 0) + p * q
            continue
        for combo in itertools.product(*(_local(w, i, x) for i in range(n))):
            z = tuple(t for t, _ in combo)
            q = p
            for _, f in combo:
                q *= f
            if w.cls.mode.allows_remask:
                z = tuple(M if z[i] != M and w.remask.get((i, tuple(z[j] for j in w.reads[i])), False)
                          else z[i] for i in range(n))
            nxt[z] = nxt.get(z, 0) + q
    return nxt


# --- witness -> expressions -> spec file --------------------------------------------------

def _view_expr(positions: tuple[int, ...], view: tuple[int, ...], prefix: str = "") -> str:
    parts = []
    for j, t in zip(positions, view):
        if t == M:
            parts.append(f"{prefix}m{j}")
        else:
            parts.append(f"~{prefix}m{j} & {'' if t == B else '~'}{prefix}v{j}")
    return " & ".join(parts) if parts else "1"


def random_bits_needed(w: Witness) -> int:
    if w.outcomes is not None:
        return w.cls.rho
    biggest = max((len(s) for s in w.predictor.values()), default=1)
    return 0 if biggest == 1 else (1 if biggest == 2 else 2)


def _pick(support: tuple[int, ...], k: int) -> int:
    """The token drawn with random value k: uniform for supports of size 1, 2 (and 4)."""
    return support[min(k, len(support) - 1)]


def predictor_expressions(w: Witness, i: int, rho: int) -> tuple[str, str]:
    """(mask, value) expressions of P_i over m/v of S_i and its own bits r0, r1."""
    pos = w.reads[i]
    mask_terms, value_terms = [], []
    for view in itertools.product(TOKENS, repeat=len(pos)):
        sup = w.predictor.get((i, view))
        if sup is None:
            continue   # a view that never occurs where P_i is consulted
        for k in range(1 << rho):
            t = w.outcomes[(i, view)][k] if w.outcomes is not None else _pick(sup, k)
            rlit = " & ".join(("" if (k >> b) & 1 else "~") + f"r{b}" for b in range(rho))
            term = "(" + _view_expr(pos, view) + (f" & {rlit}" if rlit else "") + ")"
            if t == M:
                mask_terms.append(term)
            elif t == B:
                value_terms.append(term)
    return (" | ".join(mask_terms) or "0", " | ".join(value_terms) or "0")


_EXT = {A: "~m{j} & ~v{j}", B: "~m{j} & v{j}", EMA: "m{j} & ~yv{j}", EMB: "m{j} & yv{j}",
        # revise: a revealed token and the prediction sampled there
        4: "~m{j} & ~v{j} & ~yv{j}", 5: "~m{j} & ~v{j} & yv{j}",
        6: "~m{j} & v{j} & ~yv{j}", 7: "~m{j} & v{j} & yv{j}"}


def strategy_expression(w: Witness, i: int) -> str:
    """F_i's commit bit over m/v (state) and yv (sampled prediction) of its read positions
    (in revise modes also at revealed positions)."""
    pos = w.strategy_reads[i]
    table = {view: c for (j, view), c in w.commit.items() if j == i}
    # keep only the positions F_i depends on (an unbounded F is written over 4^n views otherwise)
    keep = []
    for idx in range(len(pos)):
        groups: dict = {}
        for view, c in table.items():
            groups.setdefault(view[:idx] + view[idx + 1:], set()).add(c)
        if any(len(g) > 1 for g in groups.values()):
            keep.append(idx)
    reduced: dict = {}
    for view, c in table.items():
        reduced[tuple(view[idx] for idx in keep)] = c
    pos = tuple(pos[idx] for idx in keep)
    terms = []
    for view in itertools.product(ext_tokens(w.cls), repeat=len(pos)):
        if reduced.get(view):
            terms.append("(" + (" & ".join(_EXT[t].format(j=j) for j, t in zip(pos, view)) or "1") + ")")
    return " | ".join(terms) or "0"


def remask_expression(w: Witness, i: int) -> str:
    pos = w.reads[i]
    terms = ["(" + _view_expr(pos, view, "z") + ")"
             for view in itertools.product(TOKENS, repeat=len(pos)) if w.remask.get((i, view))]
    return " | ".join(terms) or "0"


def spec_text(w: Witness, name: str) -> str:
    """The witness as a spec; its statement is :func:`verify.gap.statement.witness_statement`
    of the class, whose fields the header's class line records."""
    from .statement import class_line, toml_string, witness_statement
    cls = w.cls
    rho = random_bits_needed(w)
    target = "parity-even"
    lines = [
        f"# Witness found by the gap engine (verify/gap) for the class {cls.label()}.",
        "# Re-checked by the exact semantics (verify.dlm.semantics), independently of the search.",
        "# read sets S_i: " + ", ".join("S_%d={%s}" % (i, ",".join(map(str, s))) for i, s in enumerate(w.reads)),
        class_line(cls),
        "[claim]", f'name = "{name}"', f"statement = {toml_string(witness_statement(cls))}",
        'reference = "MODEL.md §6"', "",
        "[dlm]", f"length = {cls.n}", f"rounds = {cls.rounds}", f'mode = "{cls.mode.value}"',
        f"random_bits = {rho}", 'outputs = "all"', "",
    ]
    if w.template is not None:
        from .template import REMASK, dnf_expression
        rho = 1
        lines[lines.index("random_bits = 0") if "random_bits = 0" in lines else
              next(k for k, l in enumerate(lines) if l.startswith("random_bits"))] = "random_bits = 1"
        lines[2] = ("# depth-2 template: each predictor output bit a DNF over m_j, v_j (all j) and r0"
                    + ("; each G_i a DNF over zm_j, zv_j (all j)" if cls.mode.allows_remask else ""))
    for i in range(cls.n):
        if w.template is not None:
            mask, value = (dnf_expression(w.template[(i, b)], cls.n) for b in (0, 1))
            lines += ["[[dlm.predictor]]", f"at = {i}", f'mask = "{mask}"', f'value = "{value}"', ""]
            continue
        mask, value = predictor_expressions(w, i, rho)
        lines += ["[[dlm.predictor]]", f"at = {i}", f'mask = "{mask}"', f'value = "{value}"', ""]
    if cls.has_strategy:
        for i in range(cls.n):
            lines += ["[[dlm.unmask_strategy]]", f"at = {i}", f'commit = "{strategy_expression(w, i)}"', ""]
    if cls.mode.allows_remask:
        for i in range(cls.n):
            if w.template is not None:    # the DNF found, not its table
                g = dnf_expression(w.template[(i, REMASK)], cls.n, "z")
            else:
                g = remask_expression(w, i)
            lines += ["[[dlm.remask]]", f"at = {i}", f'remask = "{g}"', ""]
    kind = "distribution" if cls.semantics == "exact" else "support"
    lines += ["[[check]]", f'kind = "{kind}"', f'target = "{target}"', 'expect = "PROVED"', ""]
    return "\n".join(lines)


def write_spec(w: Witness, path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if w.cls.general:
        from .fullwitness import spec_text_general
        path.write_text(spec_text_general(w, name), encoding="utf-8")
        return path
    path.write_text(spec_text(w, name), encoding="utf-8")
    return path


def verify_witness(w: Witness, path: Path):
    """Re-check the written spec with the exact semantics: (ok, message). The witness must be
    in its class: every read set within the locality bound (the spec's expressions read only
    those positions)."""
    from ..dlm.semantics import output_distribution
    from ..specs import load_spec
    if w.cls.general:
        from .fullwitness import verify_general_witness
        return verify_general_witness(w, path)
    if not w.cls.template and any(len(r) > w.cls.locality for r in w.reads):
        return False, f"read sets {[list(r) for r in w.reads]} exceed the locality {w.cls.locality}"
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))   # long witness expressions parse recursively
    try:
        spec = load_spec(path)
    finally:
        sys.setrecursionlimit(limit)
    dlm = spec.instances[0].subject
    dist = output_distribution(dlm)
    n = w.cls.n
    evens = {"".join(s) for s in itertools.product("01", repeat=n) if s.count("1") % 2 == 0}
    if set(dist) != evens:
        return False, f"support is {sorted(dist)[:6]}..., not the {len(evens)} even strings"
    if w.cls.semantics == "exact":
        bad = [s for s, p in dist.items() if p != Fraction(1, len(evens))]
        if bad:
            return False, f"probability of {bad[0]} is {dist[bad[0]]}, not 1/{len(evens)}"
    return True, "re-verified by the exact semantics"
