"""Witnesses of the general classes (:mod:`verify.gap.full`): tables, a fast exact semantics
for the search, blocking clauses, the spec file, and the re-check by the simulator.

A witness is written as a ``[dlm]`` spec: ``[[dlm.predictor]]`` over ``m/v`` of ``S_i`` and
``r0``, ``[[dlm.unmask_strategy]]`` (full model) over ``m/v/ym/yv`` of ``S_i``, and
``[[dlm.remask]]`` over ``zm/zv`` (and ``m/v`` when G reads ``x``) of ``S_i``; every table is
written at every view (the SAT model's values), so under the literal rule the written circuits
obey the mode in every state. The spec asks ``distribution``/``support`` under the class's
rule, and for the literal rule also ``mode``; :func:`verify_general_witness` re-checks the
distribution by :func:`verify.dlm.semantics.output_distribution` and, for the literal rule,
the mode's rule by the simulator (``Rule.LITERAL``) in every state and on every random bit.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .classes import GapClass
from .encode import A, B, M, TOKENS, Encoding, all_states, is_even_string, read_candidates
from .full import after_remask, committed_token, consulted_general, g_key, is_full, pair_alphabet


@dataclass(frozen=True)
class GeneralWitness:
    cls: GapClass
    reads: tuple[tuple[int, ...], ...]
    predictor: dict      # (i, x-view on S_i) -> support
    commit: dict         # (i, e-view on S_i) -> bool (full model; e_j = 3·x_j + y_j)
    remask: dict         # (i, g-view on S_i) -> bool (remask modes)
    template = None      # (not a field) no template bound in the general classes

    def support(self, i: int, x) -> tuple[int, ...]:
        return self.predictor[(i, tuple(x[j] for j in self.reads[i]))]

    def commits(self, i: int, e) -> bool:
        return self.commit.get((i, tuple(e[j] for j in self.reads[i])), False)

    def remasks(self, i: int, gk) -> bool:
        return self.remask.get((i, tuple(gk[j] for j in self.reads[i])), False)


def from_model_general(enc: Encoding, model: list[int]) -> GeneralWitness:
    cls = enc.cls
    n = cls.n
    true = {l for l in model if l > 0}
    reads = tuple(tuple(j for j in read_candidates(cls, i) if enc.var("sel", i, j) in true)
                  for i in range(n))
    predictor: dict = {}
    for i in range(n):
        for x in all_states(n):
            if consulted_general(cls, i, x):
                predictor.setdefault((i, tuple(x[j] for j in reads[i])),
                                     tuple(t for t in TOKENS if enc.var("o", i, x, t) in true))
    commit: dict = {}
    remask: dict = {}
    for key, var in enc.pool.obj2id.items():
        if key[0] == "c" and len(key) == 3 and isinstance(key[2], tuple):
            _, i, e = key
            commit.setdefault((i, tuple(e[j] for j in reads[i])), var in true)
        elif key[0] == "g" and len(key) == 3:
            _, i, w = key
            remask.setdefault((i, tuple(w[j] for j in reads[i])), var in true)
    return GeneralWitness(cls, reads, predictor, commit if is_full(cls) else {}, remask)


# --- semantics (the search's fast evaluator; the final word is verify.dlm.semantics) -------

def transitions(w: GeneralWitness, x) -> list[tuple[tuple, tuple, tuple, Fraction]]:
    """From ``x``: every (extended state e, committed z, next state, probability)."""
    cls = w.cls
    n = cls.n
    per = [w.support(j, x) if consulted_general(cls, j, x) else (None,) for j in range(n)]
    out = []
    for ys in itertools.product(*per):
        q = Fraction(1)
        if cls.semantics == "exact":
            for sup in per:
                q /= len(sup)
        e = tuple(3 * a + (b if b is not None else a) for a, b in zip(x, ys))
        z = tuple(committed_token(cls, x[j], ys[j], is_full(cls) and w.commits(j, e))
                  for j in range(n))
        x2 = z
        if cls.mode.allows_remask:
            gk = g_key(cls, x, z)
            x2 = after_remask(x, z, {j: w.remasks(j, gk) for j in range(n)})
        out.append((e, z, x2, q))
    return out


def quick_distribution_general(w: GeneralWitness) -> dict:
    dist = {(M,) * w.cls.n: Fraction(1)}
    for _ in range(w.cls.rounds):
        nxt: dict = {}
        for x, p in dist.items():
            for _, _, x2, q in transitions(w, x):
                nxt[x2] = nxt.get(x2, 0) + p * q
        dist = nxt
    return dist


def is_uniform_even_general(w: GeneralWitness) -> bool:
    dist = quick_distribution_general(w)
    n = w.cls.n
    want = Fraction(1, 2 ** (n - 1))
    return len(dist) == 2 ** (n - 1) and all(is_even_string(x) and p == want for x, p in dist.items())


def blocking_clause_general(enc: Encoding, w: GeneralWitness, true: set[int]) -> list[int]:
    """Literals that differ from the model somewhere the candidate's runs look: the supports at
    every state reached before a round, F's bit at every extended state met where it decides
    something, G's bit at every (x, z) met at a non-masked z_j. Any DLM agreeing on all of
    these has the same (non-uniform) distribution."""
    cls = w.cls
    n = cls.n
    lits: set[int] = set()

    def flip(var):
        lits.add(-var if var in true else var)
    layer = {(M,) * n}
    for _ in range(cls.rounds):
        nxt = set()
        for x in layer:
            for i in range(n):
                if consulted_general(cls, i, x):
                    for t in TOKENS:
                        flip(enc.var("o", i, x, t))
            for e, z, x2, _ in transitions(w, x):
                ys = tuple(c % 3 for c in e)
                for j in range(n):
                    if is_full(cls) and committed_token(cls, x[j], ys[j], False) != \
                            committed_token(cls, x[j], ys[j], True):
                        flip(enc.var("c", j, e))
                if cls.mode.allows_remask:
                    gk = g_key(cls, x, z)
                    for j in range(n):
                        if z[j] != M:
                            flip(enc.var("g", j, gk))
                nxt.add(x2)
        layer = nxt
    return sorted(lits)


# --- spec file --------------------------------------------------------------------------

def _tok_expr(j: int, t: int, prefix: str) -> str:
    if t == M:
        return f"{prefix}m{j}"
    return f"~{prefix}m{j} & {'' if t == B else '~'}{prefix}v{j}"


def _conj(parts: list[str]) -> str:
    return "(" + (" & ".join(parts) or "1") + ")"


def _predictor_exprs(w: GeneralWitness, i: int, rho: int) -> tuple[str, str]:
    mask, value = [], []
    pos = w.reads[i]
    for view in itertools.product(TOKENS, repeat=len(pos)):
        sup = w.predictor.get((i, view))
        if sup is None:
            continue
        for k in range(1 << rho):
            t = sup[min(k, len(sup) - 1)]
            parts = [_tok_expr(j, s, "") for j, s in zip(pos, view)]
            parts += [("" if (k >> b) & 1 else "~") + f"r{b}" for b in range(rho)]
            if t == M:
                mask.append(_conj(parts))
            elif t == B:
                value.append(_conj(parts))
    return " | ".join(mask) or "0", " | ".join(value) or "0"


def _pair_exprs(w: GeneralWitness, i: int, table: dict, first: str, second: str, alphabet) -> str:
    pos = w.reads[i]
    terms = []
    for view in itertools.product(alphabet, repeat=len(pos)):
        if table.get((i, view)):
            parts = []
            for j, c in zip(pos, view):
                if first:
                    parts.append(_tok_expr(j, c // 3, first if first != "x" else ""))
                parts.append(_tok_expr(j, c % 3, second))
            terms.append(_conj(parts))
    return " | ".join(terms) or "0"


def spec_text_general(w: GeneralWitness, name: str) -> str:
    """The witness as a spec; its statement is :func:`verify.gap.statement.witness_statement`."""
    from .statement import class_line, toml_string, witness_statement
    cls = w.cls
    n = cls.n
    biggest = max((len(s) for s in w.predictor.values()), default=1)
    rho = 0 if biggest == 1 else (1 if biggest == 2 else 2)   # 3 tokens: a, b, M, M
    lines = [f"# Witness found by the gap engine (verify/gap/full.py) for the class {cls.label()}.",
             "# Re-checked by the exact semantics (verify.dlm.semantics), independently of the search.",
             "# read sets S_i: " + ", ".join("S_%d={%s}" % (i, ",".join(map(str, s)))
                                            for i, s in enumerate(w.reads)),
             class_line(cls),
             "[claim]", f'name = "{name}"', f"statement = {toml_string(witness_statement(cls))}",
             'reference = "MODEL.md §6"', "",
             "[dlm]", f"length = {n}", f"rounds = {cls.rounds}", f'mode = "{cls.mode.value}"',
             f"random_bits = {rho}", 'outputs = "all"', ""]
    for i in range(n):
        mask, value = _predictor_exprs(w, i, rho)
        lines += ["[[dlm.predictor]]", f"at = {i}", f'mask = "{mask}"', f'value = "{value}"', ""]
    if is_full(cls):
        for i in range(n):
            lines += ["[[dlm.unmask_strategy]]", f"at = {i}",
                      f'commit = "{_pair_exprs(w, i, w.commit, "x", "y", range(9))}"', ""]
    if cls.mode.allows_remask:
        for i in range(n):
            if cls.remask_reads == "z":
                g = _pair_exprs(w, i, w.remask, "", "z", TOKENS)
            else:
                g = _pair_exprs(w, i, w.remask, "x", "z", pair_alphabet(cls))
            lines += ["[[dlm.remask]]", f"at = {i}", f'remask = "{g}"', ""]
    kind = "distribution" if cls.semantics == "exact" else "support"
    lines += ["[[check]]", f'kind = "{kind}"', 'target = "parity-even"']
    if kind == "distribution":
        lines.append(f'rule = "{cls.rule}"')
    lines += ['expect = "PROVED"', ""]
    if cls.rule == "literal":
        lines += ["[[check]]", 'kind = "mode"', 'expect = "PROVED"', ""]
    return "\n".join(lines)


def verify_general_witness(w: GeneralWitness, path: Path) -> tuple[bool, str]:
    """Re-check the written spec: the read sets within k, the distribution (or support) by the
    exact semantics under the class's rule, and (literal) the mode's rule by the simulator in
    every state, for every random bit."""
    import sys
    from ..dlm.model import Token
    from ..dlm.semantics import Rule, finish_round, output_distribution, predict
    from ..specs import load_spec
    cls = w.cls
    if any(len(r) > cls.locality for r in w.reads):
        return False, f"read sets {[list(r) for r in w.reads]} exceed the locality {cls.locality}"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        dlm = load_spec(path).instances[0].subject
    finally:
        sys.setrecursionlimit(limit)
    rule = Rule(cls.rule)
    dist = output_distribution(dlm, rule=rule)
    n = cls.n
    evens = {"".join(s) for s in itertools.product("01", repeat=n) if s.count("1") % 2 == 0}
    got = {s for s, p in dist.items() if p > 0}
    if got != evens:
        return False, f"support is {sorted(got)[:6]}..., not the {len(evens)} even strings"
    if cls.semantics == "exact":
        bad = [s for s, p in dist.items() if p != Fraction(1, len(evens))]
        if bad:
            return False, f"probability of {bad[0]} is {dist[bad[0]]}, not 1/{len(evens)}"
    if rule is Rule.LITERAL and not (cls.mode.allows_remask and cls.mode.allows_revise):
        rho = dlm.random_bits[0]
        for x in itertools.product((Token.A, Token.B, Token.M), repeat=n):
            for bits in range(1 << (rho * n)):
                draw = {(i, b): bool((bits >> (rho * i + b)) & 1) for i in range(n) for b in range(rho)}
                y = tuple(predict(dlm, i, x, draw) for i in range(n))
                _, x2 = finish_round(dlm, x, y, Rule.LITERAL)
                for i in range(n):
                    if x[i] is Token.M:
                        continue
                    ok = (x2[i] == x[i] if not cls.mode.allows_remask and not cls.mode.allows_revise
                          else x2[i] in (x[i], Token.M) if cls.mode.allows_remask
                          else x2[i] is not Token.M)
                    if not ok:
                        return False, (f"literal {cls.mode.value} mode broken at position {i} in "
                                       f"state {''.join(t.char for t in x)}")
        return True, "re-verified by the exact semantics (rule literal) and the mode's rule in every state"
    return True, f"re-verified by the exact semantics (rule {cls.rule})"
