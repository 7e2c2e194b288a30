"""The SAT front end: one ``solve`` over PySAT back ends, three-valued (STYLE.md §3).

``solve`` never returns ``Optional[bool]``: a timeout, an interrupt, a crashed child or a model
that fails replay is ``SatStatus.UNKNOWN``. An UNSAT answer is only a claim; it becomes PROVED
when ``verify.certify`` has written the CNF and proof and the trusted checker accepted them.

Proofs: every back end that logs proofs in PySAT 1.9 emits DRUP, which PySAT hands over as
text lines (``"1 -2 0"``, ``"d 1 -2 0"``; CaDiCaL's binary trace is converted by PySAT) — a
subset of text DRAT that ``verify.checker`` and drat-trim read. ``cadical195`` (CaDiCaL 1.9.5)
also writes text LRAT (``proof_format="lrat"``): the solver is configured with ``lrat=1,
binary=0`` and its proof tracer writes straight to ``proof_path``; the ids are then made the
CNF's own (:mod:`verify.encode.proofs`).

Timeouts: back ends with ``interrupt()`` (Glucose, Maple*) run in-process under
``solve_limited(expect_interrupt=True)`` and a ``threading.Timer``; CaDiCaL's ``interrupt()``
raises NotImplementedError in PySAT 1.9, so with a timeout such back ends run in a forked child
process that is killed when the time is up (``call_in_child``). An incremental solver that must
stay in this process (``solve_until``) is bounded by a deadline instead: ``interrupt()`` where
the back end has it, else slices of ``solve_limited`` under a conflict budget (CaDiCaL honours
``conf_budget`` per call and keeps its learnt clauses between calls) with the deadline checked
between slices.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import pysat
from pysat.solvers import Solver, SolverNames

from .proofs import append_input_conflict, repair_lrat_ids

PYSAT_VERSION = getattr(pysat, "__version__", "unknown")
PROOF_FORMAT = "drat-text"     # what SatOutcome.proof lines are
LRAT_FORMAT = "lrat-text"      # what a proof_format="lrat" solve writes to proof_path
PROOF_FORMATS = ("lrat", "drat")


class SatStatus(str, Enum):
    SAT = "SAT"
    UNSAT = "UNSAT"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SatOutcome:
    status: SatStatus
    model: list[int] | None       # SAT: one literal per variable 1..num_vars
    proof: list[str] | None       # UNSAT with proof=True: text DRAT lines
    solver: str
    pysat_version: str
    seconds: float
    note: str = ""                # why UNKNOWN (timeout, child died, ...)
    proof_path: str | None = None  # UNSAT with an LRAT proof: the file it was written to


def solver_names() -> list[str]:
    """Back-end names PySAT knows (from PySAT itself, not a hand-kept list)."""
    return sorted(k for k, names in vars(SolverNames).items() if isinstance(names, tuple))


@contextmanager
def _quiet_probe():
    """PySAT back ends that fail in their constructor complain from ``__del__``; mute that."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        yield
    finally:
        sys.unraisablehook = hook


@lru_cache(maxsize=None)
def supports_proof(name: str) -> bool:
    with _quiet_probe():
        return _supports_proof(name)


def _supports_proof(name: str) -> bool:
    try:
        with Solver(name=name, bootstrap_with=[[1]], with_proof=True) as s:
            s.solve()
            return isinstance(s.get_proof(), list)
    except Exception:        # NotImplementedError, NoSuchSolverError, ...
        return False


def supports_lrat(name: str) -> bool:
    """Whether PySAT can make this back end write LRAT (CaDiCaL 1.9.5's ``lrat`` option)."""
    return name in SolverNames.cadical195


def default_proof_format(solver: str) -> str:
    """``lrat`` where the back end writes it, else ``drat``."""
    return "lrat" if supports_lrat(solver) else "drat"


def check_proof_format(fmt: str, solver: str) -> None:
    """ValueError unless ``fmt`` is a known format that ``solver`` can write."""
    if fmt not in PROOF_FORMATS:
        raise ValueError(f"unknown proof format {fmt!r} (expected one of {', '.join(PROOF_FORMATS)})")
    if fmt == "lrat" and not supports_lrat(solver):
        raise ValueError(f"solver {solver!r} cannot write LRAT in PySAT {PYSAT_VERSION} "
                         f"(use cadical195, or proof = \"drat\")")
    if fmt == "drat" and not supports_proof(solver):
        raise ValueError(f"solver {solver!r} cannot log proofs in PySAT {PYSAT_VERSION}")


@lru_cache(maxsize=None)
def supports_interrupt(name: str) -> bool:
    with _quiet_probe():
        return _supports_interrupt(name)


def _supports_interrupt(name: str) -> bool:
    try:
        with Solver(name=name, bootstrap_with=[[1]]) as s:
            s.interrupt()
            s.clear_interrupt()
            return True
    except Exception:        # NotImplementedError (CaDiCaL), NoSuchSolverError, ...
        return False


def check_model(clauses: Iterable[Sequence[int]], model: Sequence[int]) -> int:
    """Index of the first clause the model falsifies, or -1 (the replay of a SAT answer)."""
    true = set(model)
    for i, c in enumerate(clauses):
        if not any(l in true for l in c):
            return i
    return -1


def _run(clauses, num_vars, proof, solver, assumptions, limited, lrat_path=None):
    """Solve in this process; (status, model, proof). ``limited`` is a setup(solver) hook.
    With ``lrat_path`` the proof is LRAT, written to that file (the third item is then None)."""
    if lrat_path is not None:
        return _run_lrat(clauses, num_vars, solver, assumptions, limited, lrat_path)
    with Solver(name=solver, bootstrap_with=clauses, with_proof=proof) as s:
        if limited is None:
            answer = s.solve(assumptions=assumptions)
        else:
            answer = limited(s)
        if answer is True:
            got = {abs(l): l for l in (s.get_model() or [])}
            model = [got.get(v, -v) for v in range(1, num_vars + 1)]
            return SatStatus.SAT, model, None
        if answer is False:
            return SatStatus.UNSAT, None, (s.get_proof() if proof else None)
        return SatStatus.UNKNOWN, None, None


def _run_lrat(clauses, num_vars, solver, assumptions, limited, lrat_path):
    import pysolvers          # PySAT's extension module: the tracer takes an open file
    with open(lrat_path, "w+b") as f, Solver(name=solver) as s:   # the tracer wants w+
        s.solver.configure({"lrat": 1, "binary": 0})
        tracer = pysolvers.cadical195_tracepr(s.solver.cadical, f)
        s.append_formula(clauses)
        answer = s.solve(assumptions=assumptions) if limited is None else limited(s)
        pysolvers.flushpr(tracer)
        if answer is True:
            got = {abs(l): l for l in (s.get_model() or [])}
            return SatStatus.SAT, [got.get(v, -v) for v in range(1, num_vars + 1)], None
        return (SatStatus.UNSAT if answer is False else SatStatus.UNKNOWN), None, None


def solve(clauses: Sequence[Sequence[int]], num_vars: int, *, timeout: float | None,
          proof: bool, solver: str = "cadical195", assumptions: Sequence[int] = (),
          proof_format: str = "drat", proof_path: str | Path | None = None) -> SatOutcome:
    """Decide the CNF. ``timeout`` in seconds (None: no limit); on expiry the status is
    UNKNOWN, never UNSAT. With ``proof`` the UNSAT outcome carries the solver's proof: DRUP
    lines in ``proof`` (``proof_format="drat"``), or, with ``proof_format="lrat"``, an LRAT
    file written to ``proof_path`` with the CNF's clause ids (``SatOutcome.proof_path``).
    Assumptions cannot be combined with a proof: the proof would not end in the empty clause
    (add the assumptions as unit clauses instead)."""
    if proof and assumptions:
        raise ValueError("a proof under assumptions is not a refutation; add them as unit clauses")
    lrat_path = None
    if proof:
        check_proof_format(proof_format, solver)
        if proof_format == "lrat":
            if proof_path is None:
                raise ValueError("an LRAT proof needs proof_path")
            lrat_path = str(proof_path)
    clauses = [list(map(int, c)) for c in clauses]
    assumptions = list(assumptions)
    start = time.perf_counter()
    note = ""
    args = (clauses, num_vars, proof, solver, assumptions)
    if timeout is None:
        status, model, prf = _run(*args, None, lrat_path)
    elif timeout <= 0:
        status, model, prf, note = SatStatus.UNKNOWN, None, None, "timeout"
    elif supports_interrupt(solver):
        deadline = time.monotonic() + timeout
        status, model, prf = _run(*args, lambda s: solve_until(s, solver, deadline, assumptions),
                                  lrat_path)
        note = "timeout" if status is SatStatus.UNKNOWN else ""
    else:
        done, got = call_in_child(_run, (*args, None, lrat_path), timeout)
        status, model, prf, note = (*got, "") if done else (SatStatus.UNKNOWN, None, None, got)
    if status is SatStatus.SAT and check_model(clauses, model) >= 0:
        status, model, note = SatStatus.UNKNOWN, None, "solver model fails replay"
    if status is SatStatus.UNSAT and lrat_path is not None:
        repair_lrat_ids(lrat_path, len(clauses))
        append_input_conflict(lrat_path, clauses)
    return SatOutcome(status, model, prf if status is SatStatus.UNSAT else None, solver,
                      PYSAT_VERSION, time.perf_counter() - start, note,
                      lrat_path if status is SatStatus.UNSAT else None)


def die_with_parent(parent: int | None = None) -> None:
    """In a child process: be killed when the parent dies, even by SIGKILL (Linux
    ``PR_SET_PDEATHSIG``; elsewhere nothing), and take the default action on SIGINT/SIGTERM
    instead of the parent's Python handlers. If the parent is already gone, exit now."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _child_main(conn, fn, args, parent):
    die_with_parent(parent)
    try:
        conn.send(fn(*args))
    finally:
        conn.close()


def call_in_child(fn, args: tuple, timeout: float) -> tuple[bool, object]:
    """``fn(*args)`` in a forked child process, killed after ``timeout`` seconds.

    Returns ``(True, value)``, or ``(False, note)`` on timeout ("timeout") or when the child
    died without an answer. For work that cannot be interrupted in this process (a CaDiCaL
    call, the pure-Python proof check)."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(send, fn, args, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        if not recv.poll(max(0.0, timeout)):
            return False, "timeout"
        try:
            return True, recv.recv()
        except EOFError:
            child.join(1)
            return False, f"child process died (exit {child.exitcode})"
    finally:
        recv.close()
        if child.is_alive():
            child.kill()
        child.join()


#: conflicts per slice of a solve without interrupt() (CaDiCaL in PySAT): the deadline is checked
#: between slices, so it is overrun by at most one slice (well under a second at the rates seen)
SLICE_CONFLICTS = 10000


def solve_until(s: Solver, name: str, deadline: float | None, assumptions: Sequence[int] = ()):
    """One (possibly incremental) SAT call on an open solver, stopped at ``deadline``
    (``time.monotonic()``; None: no limit). Returns True, False, or None when the deadline
    passed first. In-process, so the solver keeps its state for the next call."""
    assumptions = list(assumptions)
    if deadline is None:
        return s.solve(assumptions=assumptions)
    if supports_interrupt(name):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        timer = threading.Timer(left, s.interrupt)
        timer.start()
        try:
            return s.solve_limited(assumptions=assumptions, expect_interrupt=True)
        finally:
            timer.cancel()
            s.clear_interrupt()
    # conflict budgets that do not depend on the clock (1000, 2000, ... then SLICE_CONFLICTS
    # each), so the search, and with it the proof, is the same on a loaded or an idle machine
    budget = 1000
    while deadline - time.monotonic() > 0:
        s.conf_budget(budget)
        answer = s.solve_limited(assumptions=assumptions)
        if answer is not None:
            return answer
        budget = min(2 * budget, SLICE_CONFLICTS)
    return None
