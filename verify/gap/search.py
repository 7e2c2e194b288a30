"""The search: for one class, SAT with a re-verified witness, or UNSAT with a checked certificate.

Support semantics is one CNF (:mod:`verify.gap.encode`). Exact semantics is
counterexample-guided: the CNF of the support class restricted to supports of size <= 2
(which, for ``rho = 1``, fixes every local distribution), or for ``rho >= 2`` the support CNF
plus the counts out of ``2^rho`` (:func:`verify.gap.encode.count_clauses`), is solved; each
model is evaluated with exact rationals; a model that is not exactly uniform is blocked by a
clause over the predictor supports and counts at the states it reaches and (remask modes) G
at the committed vectors it reaches (any DLM agreeing there has the same distribution; the
template bound of :mod:`verify.gap.template` defines the same variables, so the same clause
serves). The final UNSAT is certified like the support case; the blocking clauses are
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

from ..encode.sat import solve_until
from ..store import claim_record
from .classes import GapClass
from .encode import (A, B, M, TOKENS, Encoding, all_states, class_bound, consulted, encode,
                     is_even_string, local_vars)
from .progress import as_progress, report_phase
from .statement import rests_on, statement
from .witness import (Witness, one_round, from_model, met_extended, quick_distribution,
                      round_states)


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
    proof_format: str = "lrat"
    method: str = ""
    blocked: int = 0                 # exact: candidates refuted by exact evaluation
    message: str = ""


def _is_uniform_even(w: Witness) -> bool:
    if w.cls.general:
        from .fullwitness import is_uniform_even_general
        return is_uniform_even_general(w)
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
    tables, read sets or DNF templates). Counted (rho >= 2): the local distributions are the
    counts; when no choice of counts under the model's supports at the reached states is uniform
    (:func:`_no_counts_work`), the clause is over the supports only."""
    cls = enc.cls
    n = cls.n
    if cls.general:
        from .fullwitness import blocking_clause_general
        return blocking_clause_general(enc, w, model_true)
    if cls.has_strategy:
        return _blocking_clause_with_strategy(enc, w, model_true)
    if cls.counted:
        short = _heavy_paths_clause(enc, w, model_true)
        if short is not None:
            return short
    reached, committed = _reached(w)
    supports_only = cls.counted and _no_counts_work(w, reached)
    lits = []
    for x in reached:
        for i in range(n):
            if consulted(cls, i, x):
                local = (_support_vars(enc, i, x) if supports_only
                         else local_vars(enc, i, x))     # supports, and counts for rho >= 2
                lits += [-var if var in model_true else var for var in local]
    if cls.mode.allows_remask:   # G at the committed vectors reached in some round
        for z in committed:
            for i in range(n):
                if z[i] != M:
                    var = enc.var("g", i, z)
                    lits.append(-var if var in model_true else var)
    return sorted(set(lits))


def _support_vars(enc: Encoding, i: int, x) -> list[int]:
    """The support of the next token at i from x: o at a masked position; at a revealed one
    (revise) q, the support after the decoder's rule (a predicted M keeps x_i)."""
    if x[i] != M:
        return [enc.var("q", i, x, t) for t in (A, B)]
    return [enc.var("o", i, x, t) for t in TOKENS]


#: at most this many count choices are enumerated to block a candidate by its supports only
COUNT_CHOICES = 4096


def _count_choices(cls: GapClass, x, i: int, support: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every multiset of 2^rho outcomes of P_i at x with this support, up to what the decoder
    makes of it (at a revealed position a predicted M keeps x_i: only the other count matters)."""
    W = 1 << cls.rho
    if x[i] != M:
        other = 1 - x[i]
        if other not in support:
            return [(x[i],) * W]
        lo, hi = (1, W - 1) if {x[i], M} & set(support) else (W, W)
        return [(x[i],) * (W - c) + (other,) * c for c in range(lo, hi + 1)]
    out = []
    for cut in itertools.combinations(range(1, W), len(support) - 1):
        sizes = [b - a for a, b in zip((0,) + cut, cut + (W,))]
        out.append(tuple(t for t, c in zip(support, sizes) for _ in range(c)))
    return out


def _no_counts_work(w: Witness, reached) -> bool:
    """True when no DLM with the candidate's supports at the reached states is exactly uniform:
    every choice of counts per (position, reached state) under those supports (locality
    relaxed, so a superset of the class) is evaluated with exact rationals. False when some
    choice is uniform or there are more than :data:`COUNT_CHOICES` choices."""
    cls = w.cls
    n = cls.n
    allpos = tuple(range(n))
    keys = [(i, x) for x in reached for i in range(n) if consulted(cls, i, x)]
    options = [_count_choices(cls, x, i, w.support(i, x)) for i, x in keys]
    total = 1
    for o in options:
        total *= len(o)
        if total > COUNT_CHOICES:
            return False
    predictor = {(i, x): w.support(i, x) for i, x in keys}
    remask = {(i, z): w.remask.get((i, tuple(z[j] for j in w.reads[i])), False)
              for i in range(n) for z in all_states(n)} if cls.mode.allows_remask else {}
    for combo in itertools.product(*options):
        free = Witness(cls, (allpos,) * n, predictor, remask, outcomes=dict(zip(keys, combo)))
        if _is_uniform_even(free):
            return False
    return True


def _heavy_paths_clause(enc: Encoding, w: Witness, model_true: set[int]) -> list[int] | None:
    """Counted, no remasking: a short clause from a string that gets too much mass.

    The candidate's support is exactly the even strings (the CNF), so a non-uniform candidate
    gives some even ``s`` more than ``2^-(n-1)``. An exact DLM is deterministic in the last
    round (a random position there would also give an odd string). Take runs
    ``x_0 -> ... -> x_{T-1} -> s`` of the candidate, heaviest first, until their mass exceeds
    ``2^-(n-1)``: any DLM with the same local distributions (supports and counts) at the states
    ``x_0 .. x_{T-2}`` of these runs, in which every ``x_{T-1}`` of them can go to ``s``, has
    ``P(s)`` at least that mass, so it is not exact. The clause says one of these differs."""
    cls = enc.cls
    n, T = cls.n, cls.rounds
    if cls.mode.allows_remask:
        return None
    step_cache: dict = {}

    def step(x):
        if x not in step_cache:
            step_cache[x] = one_round(w, {x: Fraction(1)})
        return step_cache[x]

    runs = [((M,) * n,), ]
    probs = [Fraction(1)]
    for _ in range(T - 1):
        runs, probs = zip(*[(run + (z,), p * q) for run, p in zip(runs, probs)
                            for z, q in step(run[-1]).items()]) if runs else ((), ())
    by_s: dict = {}
    for run, p in zip(runs, probs):
        out = step(run[-1])
        if len(out) != 1:
            return None            # not deterministic in the last round: cannot happen here
        by_s.setdefault(next(iter(out)), []).append((p, run))
    want = Fraction(1, 2 ** (n - 1))
    s, heavy = max(by_s.items(), key=lambda kv: sum(p for p, _ in kv[1]))
    if sum(p for p, _ in heavy) <= want:
        return None
    fixed, last, mass = set(), set(), Fraction(0)
    for p, run in sorted(heavy, key=lambda pr: -pr[0]):
        fixed.update(run[:-1])
        last.add(run[-1])
        mass += p
        if mass > want:
            break
    lits = [-v if v in model_true else v for x in fixed for i in range(n) if consulted(cls, i, x)
            for v in local_vars(enc, i, x)]
    for z in last:
        for i in range(n):
            if consulted(cls, i, z):
                lits.append(-enc.var("o" if z[i] == M else "q", i, z, s[i]))
    return sorted(set(lits))


def _reached(w: Witness) -> tuple[set[tuple[int, ...]], set[tuple[int, ...]]]:
    """The states reached before some round (where predictors are consulted) and the committed
    vectors reached in some round (where G decides, in remask modes)."""
    cls = w.cls
    n = cls.n
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
    return reached, committed


def _blocking_clause_with_strategy(enc: Encoding, w: Witness, model_true: set[int]) -> list[int]:
    """ab+F models: the predictor supports at the states reached before each round, the commit
    bits of F at the extended states met on a run, and every remask (G) bit; any DLM agreeing
    on these has the same distribution."""
    lits = []
    for x in set().union(*round_states(w)):
        for i in range(enc.cls.n):
            if consulted(enc.cls, i, x):
                for t in (0, 1):
                    var = enc.var("o", i, x, t)
                    lits.append(-var if var in model_true else var)
    for j, e in met_extended(w):
        var = enc.var("f", j, e)
        lits.append(-var if var in model_true else var)
    for key, var in enc.pool.obj2id.items():
        if key[0] == "g":
            lits.append(-var if var in model_true else var)
    return sorted(set(lits))


def _certify(clauses, num_vars, directory: Path | None, stem: str, meta: dict, timeout: float,
             solver: str = "cadical153", proof_format: str = "lrat"):
    """Certify an UNSAT with :func:`verify.certify.certify_unsat`: write ``<stem>.cnf/.drat/.json``
    and let the trusted checker decide; ``timeout`` bounds the re-solve with proof logging and
    the check together. Only the checker's verdict counts. Returns (accepted, paths, proof
    bytes, note, timed out)."""
    if directory is None:
        return False, [], 0, "certificates not requested", False
    from ..certify import CertStatus, certify_unsat
    cert = certify_unsat(clauses, num_vars, directory=directory, stem=stem, meta=meta,
                         timeout=timeout, solver=solver, proof_format=proof_format)
    size = cert.details.get("proof_text_bytes", 0)   # the stored proof's text size, compressed or not
    timed_out = cert.status is CertStatus.UNKNOWN and cert.reason.startswith("timeout")
    return cert.proved, cert.paths, size, f"{cert.status}: {cert.reason}", timed_out


def timeout_message(limit: float, phase: str) -> str:
    return f"timeout after {limit:g} s ({phase})"


def _cegar(s: Solver, solver: str, enc: Encoding, blocked: list[list[int]], deadline: float,
           max_candidates: int, progress) -> tuple[str, Witness | None, str]:
    """Solve on the open solver ``s`` until a witness (support: any model; exact: a model whose
    exact distribution is uniform on the even strings), UNSAT, or the deadline; non-uniform
    candidates are blocked (clauses appended to ``blocked`` and added to ``s``). Returns
    (status, witness, why not decided)."""
    cls = enc.cls
    report_phase(progress, cls.label(), "solving")
    while True:
        answer = solve_until(s, solver, deadline)
        if answer is None:
            return "UNKNOWN", None, "solving"
        if not answer:
            return "UNSAT", None, ""
        model = s.get_model()
        w = from_model(enc, model)
        if cls.semantics == "support":
            return "SAT", w, ""
        report_phase(progress, cls.label(), "exact-checking candidates", f"{len(blocked)} refuted")
        if _is_uniform_even(w):
            return "SAT", w, ""
        clause = _blocking_clause(enc, w, {l for l in model if l > 0})
        blocked.append(clause)
        s.add_clause(clause)
        if len(blocked) >= max_candidates:
            return "UNKNOWN", None, f"gave up after {len(blocked)} candidates"
        if time.monotonic() >= deadline:
            return "UNKNOWN", None, "solving"


def solve_class(cls: GapClass, *, solver: str = "cadical153", certify_dir: Path | None = None,
                timeout: float = 600.0, max_candidates: int = 5000,
                progress: Callable[[str], None] | None = None, claim: dict | None = None,
                proof_format: str | None = None) -> Result:
    """Decide one class. SAT results carry a witness (to be re-verified by the caller through a
    spec file); UNSAT results are certified when ``certify_dir`` is given.

    ``timeout`` bounds the whole call: encoding, each SAT call (stopped inside the solver, see
    :func:`verify.encode.sat.solve_until`), the exact checks, and the certification (re-solve
    with proof logging and trusted check, bounded by what is left). On expiry the result is
    neither SAT nor certified, and its message is "timeout after X s (encoding|solving|
    certifying)". ``progress`` gets a line at each phase change (see :mod:`.progress`).

    The certificate is written in ``proof_format`` (default ``lrat``): LRAT is re-solved by
    ``cadical195`` (the only back end that writes it), DRAT by ``solver``."""
    proof_format = proof_format or "lrat"
    cert_solver = "cadical195" if proof_format == "lrat" else solver
    t0 = time.monotonic()
    deadline = t0 + timeout
    label = cls.label()
    progress = as_progress(progress)
    report_phase(progress, label, "encoding")
    enc = encode(cls)
    enc.bound_clauses = class_bound(enc)
    clauses = enc.all_clauses()
    res = Result(cls, "UNKNOWN", clauses=len(clauses), variables=enc.num_vars,
                 method="sat" if cls.semantics == "support" else "cegar", proof_format=proof_format)
    blocked: list[list[int]] = []
    if time.monotonic() >= deadline:
        res.message = timeout_message(timeout, "encoding")
    else:
        with Solver(name=solver, bootstrap_with=clauses) as s:
            res.status, res.witness, why = _cegar(s, solver, enc, blocked, deadline, max_candidates,
                                                  progress)
        res.message = timeout_message(timeout, why) if why == "solving" else why
    res.blocked = len(blocked)
    if res.status == "UNSAT":
        report_phase(progress, label, "certifying")
        all_clauses = clauses + blocked
        res.clauses = len(all_clauses)
        meta = {"class": cls.label(), "n": cls.n, "rounds": cls.rounds, "mode": cls.mode.value,
                "semantics": cls.semantics, "locality": cls.locality, "rho": cls.rho,
                "predictor_model": cls.predictor_model, "method": res.method,
                "bound": cls.bound, **({"template_size": cls.size} if cls.template else {}),
                "blocked_candidates": len(blocked),
                **({"remask_reads": cls.remask_reads, "rule": cls.rule} if cls.general else {}),
                "statement": statement(cls, "none"),
                "rests_on": rests_on(len(blocked)),
                "claim": dict(claim or claim_record(name=cls.label(), kind="gap"), obligation=cls.key())}
        left = deadline - time.monotonic()
        ok, paths, size, note, timed_out = (
            _certify(all_clauses, enc.num_vars, certify_dir, cls.key(), meta, left, cert_solver,
                     proof_format)
            if left > 0 else (False, [], 0, "", True))
        res.certified, res.certificates, res.proof_bytes = ok, paths, size
        res.message = ("certificate accepted by the trusted checker" if ok
                       else timeout_message(timeout, "certifying") if timed_out else note)
    report_phase(progress, label, None)
    res.seconds = time.monotonic() - t0
    return res
