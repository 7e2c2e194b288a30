"""The search: for one class, SAT with a re-verified witness, or UNSAT with a checked certificate.

Support semantics is one CNF (:mod:`verify.gap.encode`). Exact semantics with ``rho = 1`` is
counterexample-guided: the CNF of the support class restricted to supports of size <= 2
(which, for ``rho = 1``, fixes every local distribution) is solved; each model is evaluated
with exact rationals; a model that is not exactly uniform is blocked by a clause over the
predictor supports at the states it reaches and (remask modes) G at the committed vectors it
reaches (any DLM agreeing there has the same distribution; the template bound of
:mod:`verify.gap.template` defines the same variables, so the same clause serves). The final UNSAT is certified like the support case; the blocking clauses are
justified by the exact evaluation of the blocked candidates, which the certificate's manifest
lists (method label ``cegar``). The two semantics therefore refine each other by
construction: an exact witness is a support witness.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from pysat.solvers import Solver

from .classes import GapClass
from .encode import M, Encoding, class_bound, consulted, encode, is_even_string
from .witness import Witness, from_model, quick_distribution, round_states


@dataclass
class Result:
    cls: GapClass
    status: str                      # "SAT", "UNSAT", "UNKNOWN"
    seconds: float = 0.0
    clauses: int = 0
    variables: int = 0
    witness: Witness | None = None
    certified: bool = False          # UNSAT: the trusted checker accepted the proof
    certificates: list[str] = field(default_factory=list)
    proof_bytes: int = 0
    method: str = ""
    blocked: int = 0                 # exact: candidates refuted by exact evaluation
    message: str = ""


def _is_uniform_even(w: Witness) -> bool:
    dist = quick_distribution(w)
    n = w.cls.n
    want = Fraction(1, 2 ** (n - 1))
    if len(dist) != 2 ** (n - 1):
        return False
    return all(is_even_string(x) and p == want for x, p in dist.items())


def _blocking_clause(enc: Encoding, w: Witness, model_true: set[int]) -> list[int]:
    """Literals that differ from the model on the supports at every reached state and (remask
    modes) on G at every reached committed vector.

    Sound: the output distribution is fixed, round by round, by the local distributions at the
    states reached before each round (fixed by the supports when ``rho = 1``: a fair mix of at
    most two tokens, for the locality and the template bound alike) and by G at the committed
    vectors reached in each round; any DLM agreeing there has the same, non-uniform
    distribution. The literals are the ``o``/``g`` variables, whatever defines them (free
    tables, read sets or DNF templates)."""
    cls = enc.cls
    n = cls.n
    if cls.has_strategy:
        return _blocking_clause_with_strategy(enc, w, model_true)
    remask = cls.mode.allows_remask
    reached: set = set()
    committed: set = set()
    layer = {(M,) * n}
    for _ in range(cls.rounds):
        reached |= layer
        nxt = set()
        for x in layer:
            per = []
            for i in range(n):
                if not consulted(cls, i, x):
                    per.append([x[i]])
                else:
                    sup = w.support(i, x)
                    per.append([x[i] if (t == M and x[i] != M) else t for t in sup])
            for z in itertools.product(*per):
                committed.add(z)
                if remask:
                    z = tuple(M if z[i] != M and w.remask.get((i, tuple(z[j] for j in w.reads[i])), False)
                              else z[i] for i in range(n))
                nxt.add(z)
        layer = nxt
    lits = []
    for x in reached:
        for i in range(n):
            if consulted(cls, i, x):
                for t in (0, 1, 2):
                    var = enc.var("o", i, x, t)
                    lits.append(-var if var in model_true else var)
    if remask:
        for z in committed:
            for i in range(n):
                if z[i] != M:
                    var = enc.var("g", i, z)
                    lits.append(-var if var in model_true else var)
    return sorted(set(lits))


def _blocking_clause_with_strategy(enc: Encoding, w: Witness, model_true: set[int]) -> list[int]:
    """ab+F models: the predictor supports at the states reached before each round, and every
    commit (F) and remask (G) bit; any DLM agreeing on these has the same distribution."""
    lits = []
    for x in set().union(*round_states(w)):
        for i in range(enc.cls.n):
            if x[i] == M:
                for t in (0, 1):
                    var = enc.var("o", i, x, t)
                    lits.append(-var if var in model_true else var)
    for key, var in enc.pool.obj2id.items():
        if key[0] in ("f", "g"):
            lits.append(-var if var in model_true else var)
    return sorted(set(lits))


def _certify(clauses, num_vars, directory: Path | None, stem: str, meta: dict, timeout: float,
             solver: str = "cadical153"):
    """Certify an UNSAT: write ``<stem>.cnf/.drat/.json`` and let the trusted checker decide.

    Uses :func:`verify.certify.certify_unsat` when present (branch 'checker'); otherwise the same
    steps here: re-solve the written CNF with proof logging, then
    :func:`verify.checker.check_certificate` on the files as written. Only the checker's
    verdict counts. Returns (accepted, paths, proof bytes, note).
    """
    if directory is None:
        return False, [], 0, "certificates not requested"
    directory.mkdir(parents=True, exist_ok=True)
    try:
        from ..certify import certify_unsat  # written on branch 'checker'
    except ImportError:
        certify_unsat = None
    if certify_unsat is not None:
        cert = certify_unsat(clauses, num_vars, directory=directory, stem=stem, meta=meta,
                             timeout=timeout, solver=solver)
        paths = [str(p) for p in (cert.cnf_path, cert.proof_path, cert.manifest_path) if p is not None]
        size = cert.proof_path.stat().st_size if cert.proof_path and cert.proof_path.exists() else 0
        ok = getattr(cert, "proved", None)
        ok = bool(ok) if ok is not None else str(cert.status) == "UNSAT-VERIFIED"
        return ok, paths, size, f"{cert.status}: {cert.reason}"
    import json
    from ..checker import check_certificate, write_dimacs
    cnf, drat, manifest = (directory / f"{stem}{ext}" for ext in (".cnf", ".drat", ".json"))
    cnf.write_bytes(write_dimacs(clauses, num_vars))
    with Solver(name=solver, bootstrap_with=clauses, with_proof=True) as s:
        if s.solve():
            return False, [], 0, "re-solve found a model (engine bug)"
        proof = s.get_proof()
    drat.write_text("\n".join(proof) + "\n")
    outcome = check_certificate(cnf, drat)
    manifest.write_text(json.dumps(dict(meta, cnf=cnf.name, proof=drat.name, solver=solver,
                                        checker="verify.checker", verified=outcome.verified,
                                        reason=outcome.reason, clauses=len(clauses),
                                        variables=num_vars), indent=1) + "\n")
    return (outcome.verified, [str(cnf), str(drat), str(manifest)], drat.stat().st_size,
            outcome.verdict_line())


def solve_class(cls: GapClass, *, solver: str = "cadical153", certify_dir: Path | None = None,
                timeout: float = 600.0, max_candidates: int = 5000,
                progress: Callable[[str], None] | None = None) -> Result:
    """Decide one class. SAT results carry a witness (to be re-verified by the caller through a
    spec file); UNSAT results are certified when ``certify_dir`` is given."""
    t0 = time.perf_counter()
    enc = encode(cls)
    enc.bound_clauses = class_bound(enc)
    clauses = enc.all_clauses()
    res = Result(cls, "UNKNOWN", clauses=len(clauses), variables=enc.num_vars,
                 method="sat" if cls.semantics == "support" else "cegar")
    blocked: list[list[int]] = []
    with Solver(name=solver, bootstrap_with=clauses) as s:
        while True:
            if time.perf_counter() - t0 > timeout:
                res.message = "timeout"
                break
            if not s.solve():
                res.status = "UNSAT"
                break
            model = s.get_model()
            w = from_model(enc, model)
            if cls.semantics == "support" or _is_uniform_even(w):
                res.status, res.witness = "SAT", w
                break
            clause = _blocking_clause(enc, w, {l for l in model if l > 0})
            blocked.append(clause)
            s.add_clause(clause)
            if progress and len(blocked) % 50 == 0:
                progress(f"{cls.label()}: {len(blocked)} candidates refuted by exact evaluation")
            if len(blocked) >= max_candidates:
                res.message = f"gave up after {len(blocked)} candidates"
                break
    res.blocked = len(blocked)
    if res.status == "UNSAT":
        all_clauses = clauses + blocked
        res.clauses = len(all_clauses)
        meta = {"class": cls.label(), "n": cls.n, "rounds": cls.rounds, "mode": cls.mode.value,
                "semantics": cls.semantics, "locality": cls.locality, "rho": cls.rho,
                "predictor_model": cls.predictor_model, "method": res.method,
                "bound": cls.bound, **({"template_size": cls.size} if cls.template else {}),
                "blocked_candidates": len(blocked),
                "claim": "no DLM of this class reaches the even-parity target"}
        ok, paths, size, note = _certify(all_clauses, enc.num_vars, certify_dir, cls.key(), meta,
                                         max(1.0, timeout - (time.perf_counter() - t0)))
        res.certified, res.certificates, res.proof_bytes = ok, paths, size
        res.message = note if not ok else "certificate accepted by the trusted checker"
    res.seconds = time.perf_counter() - t0
    return res
