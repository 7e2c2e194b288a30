"""The general gap classes (verify/gap/full.py): the full model (F reads (x_j, y_j), rule
literal | enforce) and G reading (x_j, z_j), against an independent brute force.

The brute force enumerates every DLM of a tiny class lazily: read sets first, then each table
entry (P's support, F's and G's bits at one view) only when the run, or the literal mode check
over every state, asks for it; a branch fails as soon as it is decided. It shares no code with
the engine (its own token semantics, its own rule, its own mode check)."""
from __future__ import annotations

import hashlib
import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest

from verify.checker import write_dimacs
from verify.dlm.model import Mode
from verify.gap.classes import GapClass, GapClassError
from verify.gap.encode import bound, encode
from verify.gap.search import solve_class

ROOT = Path(__file__).resolve().parent.parent
TOK = ("a", "b", "M")


class Need(Exception):
    def __init__(self, key):
        self.key = key


def _domain(cls: GapClass, key):
    if key[0] == "S":
        return [s for r in range(cls.locality + 1) for s in itertools.combinations(range(cls.n), r)]
    if key[0] == "P":
        sizes = (1, 2) if cls.semantics == "exact" else (1, 2, 3)
        return [s for r in sizes for s in itertools.combinations(TOK, r)]
    return [False, True]


def _next_token(cls: GapClass, x: str, y: str, commit: bool) -> str:
    full = cls.predictor_model == "full"
    if not full:
        commit = True
    if cls.rule == "literal":
        return y if commit else x
    if x == "M":
        return y if commit else "M"
    if cls.mode.allows_revise and commit and y != "M":
        return y
    return x


def _round(cls: GapClass, get, x: tuple):
    """Yields every (next state, probability) of one round from ``x``, asking for table entries
    only as each sample needs them (so a failing branch stops early)."""
    n = cls.n
    full = cls.predictor_model == "full"
    S = [get(("S", i)) for i in range(n)]
    per = []
    for i in range(n):
        if full or cls.mode.allows_revise or x[i] == "M":
            per.append(get(("P", i, tuple(x[j] for j in S[i]))))
        else:
            per.append((None,))
    for ys in itertools.product(*per):
        p = Fraction(1)
        for sup in per:
            p /= len(sup)
        z = []
        for i in range(n):
            if ys[i] is None:
                z.append(x[i])
                continue
            c = full and get(("F", i, tuple((x[j], ys[j]) for j in S[i])))
            z.append(_next_token(cls, x[i], ys[i], c))
        x2 = tuple(z)
        if cls.mode.allows_remask:
            x2 = tuple("M" if z[i] != "M" and get(("G", i, tuple(
                (x[j], z[j]) if cls.remask_reads == "xz" else z[j] for j in S[i]))) else z[i]
                for i in range(n))
        yield x2, p


def _literal_mode_ok(cls: GapClass, get, assigned: dict) -> bool:
    """Rule literal: the mode's rule in every state, for every possible sample.

    In plain and revise an F entry that the run never asked for is set to "no commit": a
    violation at ``i`` needs ``F_i`` to commit, and no other F bit matters to it, so if any
    completion obeys the mode this one does. In remask every entry is branched on (G reads
    the other positions' commits)."""
    n, mode = cls.n, cls.mode
    if mode.allows_remask and mode.allows_revise:
        return True
    S = [get(("S", i)) for i in range(n)]

    def commit(key):
        if not mode.allows_remask and key not in assigned:
            return False
        return get(key)
    for x in itertools.product(TOK, repeat=n):
        per = [get(("P", i, tuple(x[j] for j in S[i]))) for i in range(n)]
        for ys in itertools.product(*per):
            z = tuple(ys[i] if commit(("F", i, tuple((x[j], ys[j]) for j in S[i]))) else x[i]
                      for i in range(n))
            for i in range(n):
                if x[i] == "M" or z[i] == x[i]:
                    continue
                if mode.allows_revise:
                    if z[i] == "M":
                        return False
                    continue
                if mode.allows_remask:
                    if z[i] == "M":
                        continue
                    view = tuple((x[j], z[j]) if cls.remask_reads == "xz" else z[j] for j in S[i])
                    if not get(("G", i, view)):
                        return False
                    continue
                return False
    return True


def _good(cls: GapClass, get, assigned: dict) -> bool:
    n = cls.n
    evens = {s for s in itertools.product("ab", repeat=n) if s.count("b") % 2 == 0}
    dist = {("M",) * n: Fraction(1)}
    for r in range(cls.rounds):
        nxt: dict = {}
        for x, p in dist.items():
            for x2, q in _round(cls, get, x):
                if r == cls.rounds - 1 and x2 not in evens:
                    return False            # an odd or masked output: decided
                nxt[x2] = nxt.get(x2, 0) + p * q
        dist = nxt
    if set(dist) != evens:
        return False
    if cls.semantics == "exact" and any(p != Fraction(1, len(evens)) for p in dist.values()):
        return False
    return cls.rule != "literal" or _literal_mode_ok(cls, get, assigned)


def brute_force_exists(cls: GapClass) -> bool:
    def search(assign: dict) -> bool:
        def get(key):
            if key in assign:
                return assign[key]
            raise Need(key)
        try:
            return _good(cls, get, assign)
        except Need as e:
            return any(search({**assign, e.key: val}) for val in _domain(cls, e.key))
    return search({})


def engine_exists(cls: GapClass) -> bool:
    res = solve_class(cls, timeout=120)
    assert res.status in ("SAT", "UNSAT"), res.message
    return res.status == "SAT"


def _cases():
    """Tiny classes (each brute force under about two seconds; the whole list about 40 s on a
    loaded machine). Left out: the two-round literal plain and remask classes with k >= 1 on
    n = 2 (the lazy enumeration branches on every F and G entry the mode check asks for:
    minutes), k = 2 with G, and n = 3 beyond k = 0."""
    out = []
    for T, mode, sem, k, rule in itertools.product((1, 2), ("plain", "remask", "revise", "remask+revise"),
                                                   ("support", "exact"), (0, 1, 2),
                                                   ("enforce", "literal")):
        for rr in (("z", "xz") if "remask" in mode else ("z",)):
            if T == 2 and k >= 1 and rule == "literal" and mode in ("plain", "remask"):
                continue
            if (k == 2 and ("remask" in mode or T == 1)) or (T == 1 and k == 1 and mode == "remask+revise"):
                continue
            out.append((2, T, mode, sem, k, "full", rr, rule))
    out += [(3, 1, m, s, 0, "full", "z", r) for m in ("plain", "revise")
            for s in ("support", "exact") for r in ("enforce", "literal")]
    out += [(3, 2, m, "exact", 0, "full", "z", r) for m in ("plain", "revise") for r in ("enforce", "literal")]
    out += [(3, 1, "remask", "exact", 0, "full", "xz", "enforce"), (3, 1, "remask", "exact", 0, "full", "z", "literal")]
    out += [(n, T, "remask", s, k, "self-unmask", "xz", "enforce") for n in (2, 3) for T in (1, 2)
            for s in ("support", "exact") for k in (0, 1, 2) if n == 2 or (k == 0 and (T, s) != (2, "support"))]
    return out


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_general_engine_matches_brute_force(case):
    n, T, mode, sem, k, model, rr, rule = case
    cls = GapClass(n, T, Mode(mode), sem, k, predictor_model=model, remask_reads=rr, rule=rule)
    assert engine_exists(cls) == brute_force_exists(cls), cls.label()


UNCHANGED = ("n3-T2-plain-support-k1", "n3-T2-revise-exact-abF-k0", "n3-T2-remask-exact-dnf-s1",
             "n4-T2-plain-support-abFstate-k2", "n5-T2-remask-exact-k2")


@pytest.mark.parametrize("stem", UNCHANGED)
def test_existing_classes_keep_their_committed_cnf(stem):
    """The general encoder is separate: classes that existed before it produce the CNF whose
    hash their committed manifest records (G reading z only, no full model)."""
    from verify.gap.encode import class_bound
    path = ROOT / "proofs" / "gap" / f"{stem}.json"
    if not path.exists():
        pytest.skip(f"{path} is not committed")
    m = json.loads(path.read_text())
    meta = m["meta"]
    cls = GapClass(meta["n"], meta["rounds"], Mode(meta["mode"]), meta["semantics"],
                   meta["locality"], meta["rho"], meta["predictor_model"], meta["bound"],
                   meta.get("template_size", 0))
    assert not cls.general and meta["blocked_candidates"] == 0
    enc = encode(cls)
    enc.bound_clauses = class_bound(enc)
    data = write_dimacs(enc.all_clauses(), enc.num_vars)
    assert hashlib.sha256(data).hexdigest() == m["cnf"]["sha256"], stem


def test_general_class_fields_are_checked():
    with pytest.raises(GapClassError, match="remask mode"):
        GapClass(3, 2, Mode.PLAIN, "support", 1, remask_reads="xz")
    with pytest.raises(GapClassError, match="literal"):
        GapClass(3, 2, Mode.PLAIN, "support", 1, rule="literal")
    with pytest.raises(GapClassError, match="self-unmask and full"):
        GapClass(3, 2, Mode.REMASK, "support", 1, predictor_model="ab+F", remask_reads="xz")
    with pytest.raises(GapClassError, match="rho = 1"):
        GapClass(3, 2, Mode.PLAIN, "exact", 1, rho=2, predictor_model="full")
    cls = GapClass(4, 2, Mode.REMASK, "exact", 2, predictor_model="full", remask_reads="xz",
                   rule="literal")
    assert cls.key() == "n4-T2-remask-exact-full-literal-Gxz-k2"
    assert GapClass(4, 2, Mode.REMASK, "exact", 2).key() == "n4-T2-remask-exact-k2"


@pytest.mark.parametrize("mode", ["plain", "revise"])
def test_literal_witness_passes_the_mode_check(tmp_path, mode):
    """A witness of a literal class is written with a ``mode`` check, and ``python -m verify``
    proves it (SAT over every state) together with its distribution."""
    import io
    from verify.cli import main
    from verify.gap.witness import verify_witness, write_spec
    cls = GapClass(2, 2, Mode(mode), "exact", 2 if mode == "plain" else 1, predictor_model="full",
                   rule="literal")
    res = solve_class(cls, timeout=60)
    assert res.status == "SAT"
    path = write_spec(res.witness, tmp_path / "w.toml", "w")
    assert verify_witness(res.witness, path)[0]
    assert 'kind = "mode"' in path.read_text()
    out = io.StringIO()
    assert main([str(path), "--proofs", str(tmp_path / "p")], stdout=out, stderr=io.StringIO()) == 0
    assert "mode" in out.getvalue() and "REFUTED" not in out.getvalue()


def test_gap_cli_rejects_literal_without_the_full_model():
    import io
    from verify.cli import main
    err = io.StringIO()
    assert main(["gap", "--rule", "literal", "--n", "3"], stdout=io.StringIO(), stderr=err) == 2
    assert "--predictor-model full" in err.getvalue()
