"""Running one satisfiability question on the SAT back end (python-sat), on z3, or on both.

A :class:`Query` is built *once per back end* from the same code: ``build(alg)`` returns the
assertions (algebra terms that must all hold) and a ``decode(value)`` that turns a model
(``value(term) -> bool``) into a witness. So CNF and z3 come from one encoder (STYLE.md §2).

Trust (MODEL.md §4, STYLE.md §3-4): an UNSAT of the SAT back end counts as *certified* only
after :func:`verify.certify.certify_unsat` wrote the DIMACS CNF and its LRAT (or DRAT) proof and the
trusted checker accepted them. z3 gives no proof: its UNSAT is *uncertified* and is never
turned into PROVED by the checks (with ``solver = "z3"`` the verdict is UNKNOWN, and the
message says z3 found no counterexample). With ``solver = "both"`` the two must agree: SAT on
one side and UNSAT on the other is an ERROR.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .registry import Context

SOLVERS = ("sat", "z3", "both")
DEFAULT_SAT_SOLVER = "cadical195"    # writes LRAT (verify.encode.sat)

SAT, UNSAT, UNKNOWN, ERROR = "SAT", "UNSAT", "UNKNOWN", "ERROR"


@dataclass
class Query:
    label: str                                    # e.g. "pos0-7" (names the certificate)
    build: Callable[[Any], tuple[list[Any], Callable[[Callable[[Any], bool]], Any]]]


@dataclass
class Answer:
    """One back end's answer to one query."""

    backend: str                 # "sat" or "z3"
    status: str                  # SAT / UNSAT / UNKNOWN / ERROR
    witness: Any = None          # decoded model (SAT)
    certified: bool = False      # UNSAT re-checked by the trusted checker
    certificates: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    size: tuple[int, int] = (0, 0)   # (variables, clauses) for the SAT back end
    structural: str = ""         # UNSAT decided by constant folding: what decided it (no certificate)


#: the method of a verdict the CNF encoder decided by constant folding (issue 18)
STRUCTURAL = "structural: decided while encoding"


def run_sat(query: Query, ctx: Context, *, stem: str, meta: dict, timeout: float,
            sat_solver: str = DEFAULT_SAT_SOLVER, proof_format: str | None = None) -> Answer:
    from ..encode.cnf import CnfAlgebra
    t0 = time.perf_counter()
    alg = CnfAlgebra()
    assertions, decode = query.build(alg)
    folded = []
    for k, a in enumerate(assertions):
        if a == -alg.true:
            folded.append(k)
        alg.require(a)
    clauses, num_vars = alg.clauses, alg.num_vars
    size = (num_vars, len(clauses))
    if alg.folded_false:
        # constant folding decided it: no solver, no certificate (it would only hold the
        # complementary units TRUE and -TRUE); the checks say so in the verdict's method
        last = len(assertions) - 1
        what = f"{query.label}: " + ", ".join(
            "the violation folded to FALSE" if k == last else f"constraint {k + 1} folded to FALSE"
            for k in folded)
        return Answer("sat", UNSAT, certified=False, message=f"{STRUCTURAL} ({what})",
                      seconds=time.perf_counter() - t0, size=size, structural=what)
    from ..encode import sat as sat_mod
    if not ctx.write_certificates:
        out = sat_mod.solve(clauses, num_vars, timeout=timeout, proof=False, solver=sat_solver)
        status, model, note = out.status.value, out.model, out.note
        cert = None
    else:
        # certify_unsat solves once with proof logging: a model on SAT, checked files on UNSAT
        from .. import certify
        cert = certify.certify_unsat(clauses, num_vars, directory=Path(ctx.proofs_dir), stem=stem,
                                     meta=dict(meta, solver=sat_solver), timeout=timeout, solver=sat_solver,
                                     proof_format=proof_format or ctx.proof_format)
        status = {"SAT": SAT, "UNKNOWN": UNKNOWN}.get(cert.status.value, UNSAT)
        model, note = cert.model, cert.reason
    seconds = time.perf_counter() - t0
    if status == SAT:
        true = set(lit for lit in model if lit > 0)
        value = lambda lit: (lit in true) if lit > 0 else (-lit not in true)  # noqa: E731
        return Answer("sat", SAT, decode(value), seconds=seconds, size=size)
    if status != UNSAT:
        return Answer("sat", UNKNOWN, message=f"{sat_solver}: unknown ({note or 'no answer'}; timeout {timeout:g}s)",
                      seconds=seconds, size=size)
    if cert is None:
        return Answer("sat", UNSAT, certified=False, message="UNSAT; certificates disabled",
                      seconds=seconds, size=size)
    return Answer("sat", UNSAT, certified=cert.proved, certificates=cert.paths,
                  message=f"{cert.status.value}: {cert.reason}", seconds=seconds, size=size)


def run_z3(query: Query, *, timeout: float) -> Answer:
    import z3

    from ..encode.smt import Z3Algebra
    t0 = time.perf_counter()
    alg = Z3Algebra()
    assertions, decode = query.build(alg)
    s = z3.Solver(ctx=alg.ctx)
    s.set("timeout", max(1, int(timeout * 1000)))
    for a in assertions:
        s.add(a)
    r = s.check()
    if r == z3.sat:
        m = s.model()
        value = lambda term: z3.is_true(m.eval(term, model_completion=True))  # noqa: E731
        return Answer("z3", SAT, decode(value), seconds=time.perf_counter() - t0)
    if r == z3.unsat:
        return Answer("z3", UNSAT, certified=False, message="z3: UNSAT (uncertified: z3 gives no DRAT proof)",
                      seconds=time.perf_counter() - t0)
    return Answer("z3", UNKNOWN, message=f"z3: unknown ({s.reason_unknown()})", seconds=time.perf_counter() - t0)


def ask(query: Query, ctx: Context, solver: str, *, stem: str, meta: dict, timeout: float,
        sat_solver: str = DEFAULT_SAT_SOLVER, proof_format: str | None = None) -> list[Answer]:
    """The answers of the requested back end(s), SAT back end first."""
    answers = []
    if solver in ("sat", "both"):
        answers.append(run_sat(query, ctx, stem=stem, meta=meta, timeout=timeout, sat_solver=sat_solver,
                               proof_format=proof_format))
    if solver in ("z3", "both"):
        answers.append(run_z3(query, timeout=timeout))
    return answers
