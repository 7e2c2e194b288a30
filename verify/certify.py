"""Certified UNSAT: solve, write CNF + DRAT proof + manifest, and let the trusted checker decide.

Project rule: PROVED from an UNSAT answer means a DIMACS CNF and a DRAT proof were written and
``verify.checker`` accepted them as read back from disk. ``certify_unsat`` does exactly that;
``recheck`` (and ``python -m verify check``, :mod:`verify.cli`) repeat the check later from the
files alone, hashes first, without running any solver. The files are standard DIMACS and text
DRAT, so drat-trim or cake_lpr can re-check them as well.
"""
from __future__ import annotations

import contextlib
import contextvars
import gzip
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from verify import checker, store
from verify.encode.sat import PROOF_FORMAT, SatStatus, call_in_child, die_with_parent, solve
from verify.errors import UsageError
from verify.phase import set_phase

CERTIFICATE_KIND = store.MANIFEST_KIND   # the manifest's "certificate" field


class CertStatus(str, Enum):
    SAT = "SAT"                        # a model, replayed on the clauses
    UNSAT_VERIFIED = "UNSAT-VERIFIED"  # the trusted checker accepted the written certificate
    UNSAT_REJECTED = "UNSAT-REJECTED"  # the solver said UNSAT, the checker did not agree: NOT proved
    UNKNOWN = "UNKNOWN"                # timeout or solver unknown

    def __str__(self) -> str:
        return self.value


class RecheckStatus(str, Enum):
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"      # a hash mismatch, a missing file, or the checker did not verify
    MALFORMED = "MALFORMED"    # bad input: unreadable manifest, CNF or proof (exit 2, as verify.checker)

    def __str__(self) -> str:
        return self.value


@dataclass
class Certificate:
    status: CertStatus
    reason: str = ""
    model: list[int] | None = None
    cnf_path: Path | None = None
    proof_path: Path | None = None
    manifest_path: Path | None = None
    solver: str = ""
    solve_seconds: float = 0.0
    check_seconds: float = 0.0
    lemmas: int = 0                  # additions in the proof
    lemmas_checked: int = 0          # core lemmas the checker checked
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def proved(self) -> bool:
        """True only for an UNSAT answer whose certificate the trusted checker accepted."""
        return self.status is CertStatus.UNSAT_VERIFIED

    @property
    def paths(self) -> list[str]:
        return [str(p) for p in (self.cnf_path, self.proof_path, self.manifest_path) if p]


sha256_file = store.sha256_file


@dataclass
class CheckerRun:
    """The trusted checker's verdict on two files, however it was run."""
    verified: bool
    reason: str
    seconds: float = 0.0
    lemmas_checked: int = 0
    interpreter: str = "in-process"


#: proofs at least this large go to pypy3 when it is present (its start-up costs ~0.2 s)
PYPY_MIN_PROOF_BYTES = 1 << 20


def checker_interpreter(proof_bytes: int | None = None) -> str | None:
    """The interpreter that runs the trusted checker in a subprocess, or None for in-process.

    ``DLM_VERIFY_CHECKER_PYTHON`` names one (``in-process`` forces the default); otherwise
    ``pypy3`` is used when it is on ``PATH`` and the proof has at least
    ``PYPY_MIN_PROOF_BYTES``: the same standard-library checker code, about three times
    faster on large proofs. Only the checker's own verdict line counts."""
    choice = os.environ.get("DLM_VERIFY_CHECKER_PYTHON", "").strip()
    if choice == "in-process":
        return None
    if choice:
        return choice
    if proof_bytes is not None and proof_bytes < PYPY_MIN_PROOF_BYTES:
        return None
    return shutil.which("pypy3")


def _check_in_process(cnf_path: Path, proof_path: Path) -> CheckerRun:
    result = checker.check_certificate(cnf_path, proof_path)
    return CheckerRun(result.verified, result.reason, result.seconds, result.lemmas_checked)


def _check_in_child(cnf_path: Path, proof_path: Path) -> CheckerRun | str:
    try:
        return _check_in_process(cnf_path, proof_path)
    except (checker.CheckerInputError, RuntimeError) as e:
        return str(e)


def run_checker(cnf_path: Path, proof_path: Path, timeout: float | None = None) -> CheckerRun | str:
    """Run ``verify.checker`` on the files as written: in this process, or as
    ``<interpreter> -m verify.checker CNF PROOF`` (see :func:`checker_interpreter`), whose
    last line ``s VERIFIED`` / ``s NOT VERIFIED: reason`` and exit code decide. Malformed
    files raise ``checker.CheckerInputError`` or ``RuntimeError`` (file and line named).

    With ``timeout`` the check runs in a child process (a forked one in-process) that is
    killed when the time is up; the result is then a note (``"timeout"``), not a verdict."""
    interp = checker_interpreter(Path(proof_path).stat().st_size)
    if interp is None:
        if timeout is None:
            return _check_in_process(cnf_path, proof_path)
        done, got = call_in_child(_check_in_child, (cnf_path, proof_path), timeout)
        if done and isinstance(got, str):
            raise RuntimeError(got)
        return got
    root = str(Path(checker.__file__).resolve().parent.parent.parent)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    try:
        parent = os.getpid()
        proc = subprocess.run([interp, "-m", "verify.checker", str(cnf_path), str(proof_path)],
                              capture_output=True, text=True, env=env, check=False,
                              preexec_fn=lambda: die_with_parent(parent),
                              timeout=None if timeout is None else max(0.0, timeout))
    except subprocess.TimeoutExpired:
        return "timeout"
    except OSError as e:
        raise RuntimeError(f"cannot run the checker with {interp}: {e}") from None
    lines = proc.stdout.strip().splitlines()
    last = lines[-1] if lines else ""
    if proc.returncode == 2:    # malformed input: the checker named file and line on stderr
        raise RuntimeError((proc.stderr.strip() or last)[:500])
    if proc.returncode not in (0, 1) or not last.startswith("s "):
        raise RuntimeError(f"checker under {interp} exited {proc.returncode}: "
                           f"{(proc.stderr.strip() or last)[-500:]}")
    verified = proc.returncode == 0 and last == "s VERIFIED"
    reason = last.removeprefix("s NOT VERIFIED:").strip() if not verified else ""
    lemmas = 0
    for line in lines:
        if line.startswith("c ") and "lemmas checked" in line:
            lemmas = int(line.split()[1])
        elif line.startswith("c reason: "):
            reason = reason or line.removeprefix("c reason: ")
    return CheckerRun(verified, reason, time.perf_counter() - t0, lemmas, interp)


#: CNF and proof files larger than this are stored gzip-compressed (``.cnf.gz``, ``.drat.gz``;
#: the trusted checker reads both forms; ``gunzip -k`` gives the plain files for drat-trim)
GZIP_MIN_BYTES = 8 << 20


def _maybe_gzip(path: Path, data: bytes) -> tuple[Path, bytes]:
    if len(data) < GZIP_MIN_BYTES:
        return path, data
    return path.with_name(path.name + ".gz"), gzip.compress(data, compresslevel=6, mtime=0)


#: set by :func:`replaying`: ``certify_unsat`` then compares instead of solving and writing
_REPLAY: contextvars.ContextVar[Any] = contextvars.ContextVar("dlm_verify_replay", default=None)


@contextlib.contextmanager
def replaying(replay):
    """Within the block, :func:`certify_unsat` runs no solver and writes nothing: it returns
    ``replay.certify(clauses, num_vars, directory, stem, claim)`` (a :class:`Certificate`).
    ``python -m verify check --against`` re-encodes claims this way (:mod:`verify.against`)."""
    token = _REPLAY.set(replay)
    try:
        yield
    finally:
        _REPLAY.reset(token)


def certify_unsat(clauses: Sequence[Sequence[int]], num_vars: int, *, directory: Path, stem: str,
                  meta: dict[str, Any], timeout: float | None,
                  solver: str = "cadical153") -> Certificate:
    """Solve; on UNSAT write ``<stem>.cnf``, ``<stem>.drat`` and ``<stem>.json`` under
    ``directory`` and run the trusted checker on the files as written. Only
    ``CertStatus.UNSAT_VERIFIED`` (``Certificate.proved``) may be reported as PROVED.

    The files are written to unique temporary names in ``directory``, checked there, and
    renamed into place with the manifest last (:mod:`verify.store`); a certificate the checker
    rejects, or whose check timed out, is not stored. ``meta["claim"]`` (see
    :func:`verify.store.claim_record`) binds the manifest to its claim.

    ``timeout`` bounds solving and checking together: the check gets what the solve left, and
    runs in a child process killed when it is used up (UNKNOWN, reason "timeout (checking)").

    Under :func:`replaying` (``python -m verify check --against``) no solver runs and nothing
    is written: the CNF is compared with the stored certificate of the same claim."""
    if not stem or Path(stem).name != stem or stem.startswith("."):
        raise ValueError(f"certificate stem must be a plain file name, not {stem!r}")
    meta = dict(meta)
    claim = meta.pop("claim", None) or store.claim_record(
        name=str(meta.get("spec") or stem), kind=str(meta.get("check") or "unsat"),
        obligation=str(meta.get("query") or stem))
    for key in ("spec", "check", "query"):      # the claim records them
        meta.pop(key, None)
    replay = _REPLAY.get()
    if replay is not None:
        return replay.certify(clauses, num_vars, Path(directory), stem, claim)
    started = time.monotonic()
    clauses = [list(c) for c in clauses]
    out = solve(clauses, num_vars, timeout=timeout, proof=True, solver=solver)
    cert = Certificate(CertStatus.UNKNOWN, solver=solver, solve_seconds=out.seconds)
    if out.status is SatStatus.SAT:
        cert.status, cert.model, cert.reason = CertStatus.SAT, out.model, "model replayed on the clauses"
        return cert
    if out.status is SatStatus.UNKNOWN:
        cert.reason = out.note or "solver returned unknown"
        return cert

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dimacs = checker.write_dimacs(clauses, num_vars)
    proof_lines = out.proof or []
    proof_text = "".join(line + "\n" for line in proof_lines).encode("ascii")
    cert.details["proof_text_bytes"] = len(proof_text)     # before any compression
    cnf_path, cnf_bytes = _maybe_gzip(directory / f"{stem}.cnf", dimacs)
    proof_path, proof_bytes = _maybe_gzip(directory / f"{stem}.drat", proof_text)
    staged_cnf = store.stage(directory, cnf_path.name, cnf_bytes)
    staged_proof = store.stage(directory, proof_path.name, proof_bytes)
    try:
        # the verdict comes from the files on disk, not from memory
        previous_phase = set_phase("checking certificate")
        try:
            result = run_checker(staged_cnf, staged_proof,
                                 None if timeout is None else timeout - (time.monotonic() - started))
        except (checker.CheckerInputError, RuntimeError) as e:
            result = CheckerRun(False, f"checker refused the written files: {e}")
        finally:
            set_phase(previous_phase)
        if isinstance(result, str):     # timed out: nothing was established, nothing is stored
            cert.reason = f"{result} (checking)"
            return cert
        cert.check_seconds, cert.lemmas_checked = result.seconds, result.lemmas_checked
        cert.details["checker_interpreter"] = result.interpreter
        cert.reason = result.reason
        deletions = sum(1 for line in proof_lines if line.startswith("d"))
        cert.lemmas = len(proof_lines) - deletions
        if not result.verified:
            cert.status = CertStatus.UNSAT_REJECTED
            return cert
        cert.status = CertStatus.UNSAT_VERIFIED
        for key in VOLATILE_META:
            meta.pop(key, None)
        manifest = {
            "certificate": store.MANIFEST_KIND,
            "claim": claim,
            "meta": meta,
            "cnf": {"file": cnf_path.name, "sha256": store.sha256_bytes(cnf_bytes),
                    "dimacs_sha256": store.sha256_bytes(dimacs),
                    "vars": num_vars, "clauses": len(clauses), "bytes": len(cnf_bytes)},
            "proof": {"file": proof_path.name, "sha256": store.sha256_bytes(proof_bytes),
                      "format": PROOF_FORMAT, "lemmas": cert.lemmas, "deletions": deletions,
                      "bytes": len(proof_bytes), "text_bytes": len(proof_text)},
            # no versions, seconds, dates or interpreter: a re-run rewrites nothing
            "solver": {"name": out.solver},
            "checker": {"verdict": "VERIFIED", "lemmas_checked": cert.lemmas_checked,
                        "reason": result.reason},
        }
        manifest_path = store.publish(directory, stem, [(staged_cnf, cnf_path.name),
                                                        (staged_proof, proof_path.name)], manifest)
        cert.cnf_path, cert.proof_path, cert.manifest_path = cnf_path, proof_path, manifest_path
        return cert
    finally:
        store.discard([staged_cnf, staged_proof])


#: meta keys that change from run to run or machine to machine: kept out of manifests
VOLATILE_META = ("seconds", "created", "date", "pysat", "version", "interpreter",
                 "source")   # the spec path as typed: claim.spec records it relative to the spec root


# ---- re-checking stored certificates ---------------------------------------------------------

def find_manifests(paths: Iterable[Path | str]) -> list[Path]:
    """The ``*.json`` files under the given files and directories (sorted, no duplicates)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.json") if q.is_file() and not q.name.startswith(".")))
        elif p.is_file():
            found.append(p)
        else:
            raise UsageError("no such file or directory", file=str(p))
    return list(dict.fromkeys(found))


def _inside(path: Path, root: Path) -> bool:
    """``path`` resolves (symbolic links followed) to a place inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


#: how a reason about the manifest itself (not its files) begins
MANIFEST_REASON = "manifest: "


def _recheck_one(manifest_path: Path, root: Path, timeout: float | None = None) -> tuple[RecheckStatus, str]:
    rejected = RecheckStatus.REJECTED
    try:
        manifest = store.read_manifest(manifest_path)
    except store.ManifestError as e:
        return rejected, f"{MANIFEST_REASON}{e}"
    files = {part: (path, sha) for part, path, sha in store.manifest_files(manifest_path, manifest)}
    for part, (path, expected) in files.items():
        if not path.is_file():
            return rejected, f"{part} file {path} is missing"
        if not _inside(path, root):
            return rejected, f"{part} file {path} lies outside the folder checked ({root})"
        actual = sha256_file(path)
        if actual != expected:
            return rejected, (f"hash mismatch for {path}: manifest has {expected[:16]}..., "
                              f"file has {actual[:16]}...")
    try:
        # the checker rejects a CNF whose clauses do not match its header, so the header is
        # what the manifest is compared with
        result = run_checker(files["cnf"][0], files["proof"][0], timeout)
        if isinstance(result, str):
            return rejected, f"checker: {result}"
        header = _dimacs_header(files["cnf"][0])
        declared = (manifest["cnf"]["vars"], manifest["cnf"]["clauses"])
        if declared != header:
            return rejected, (f"manifest says {declared[0]} vars / {declared[1]} clauses, "
                              f"CNF header says {header[0] if header else '?'} / {header[1] if header else '?'}")
    except (checker.CheckerInputError, RuntimeError) as e:
        return RecheckStatus.MALFORMED, f"malformed certificate: {e}"
    if not result.verified:
        return rejected, f"checker: {result.reason}"
    return RecheckStatus.VERIFIED, result.reason


def _dimacs_header(path: Path) -> tuple[int, int] | None:
    """``(vars, clauses)`` of the first ``p cnf`` line (None if there is none)."""
    with open(path, "rb") as raw_file:
        gz = raw_file.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
        for raw in f:
            tokens = raw.split()
            if tokens[:2] == [b"p", b"cnf"] and len(tokens) == 4:
                try:
                    return int(tokens[2]), int(tokens[3])
                except ValueError:
                    return None
            if tokens and not tokens[0].startswith(b"c"):
                return None
    return None


def iter_recheck(paths: Iterable[Path | str], timeout: float | None = None
                 ) -> Iterator[tuple[Path, RecheckStatus, str, float]]:
    """Re-check the certificates under ``paths`` (folders, searched recursively, or single
    manifests), one at a time as found, yielding ``(path, status, reason, seconds)``: every
    ``*.json`` must be a valid manifest of :mod:`verify.store` (in a folder, a malformed, edited
    or foreign one is REJECTED, never skipped), its files must lie in the manifest's own folder
    inside the folder checked and match its hashes, and the trusted checker must accept them
    (``timeout`` seconds each, when given). In a folder, a certificate file that no manifest
    names is REJECTED too. No solver runs.

    MALFORMED is bad input, as ``python -m verify.checker`` reports it (exit 2): a manifest
    given directly as a PATH that is not a manifest of the store, or a CNF or proof that the
    manifest names (hashes matching) but that is not DIMACS / DRAT."""
    for arg in map(Path, paths):
        if not arg.exists():
            raise UsageError("no such file or directory", file=str(arg))
        root = arg if arg.is_dir() else arg.parent
        manifests = find_manifests([arg])
        for path in manifests:
            started = time.perf_counter()
            status, reason = _recheck_one(path, root, timeout)
            if arg.is_file() and reason.startswith(MANIFEST_REASON):
                status = RecheckStatus.MALFORMED
            yield path, status, reason, time.perf_counter() - started
        if arg.is_dir():
            named = set()
            for path in manifests:
                stem = path.name[:-len(".json")]
                named.update(path.parent / (stem + suffix)
                             for suffix in store.CNF_SUFFIXES + store.PROOF_SUFFIXES)
            for f in sorted(arg.rglob("*")):
                if f.is_file() and store.is_certificate_file(f.name) and f not in named:
                    yield (f, RecheckStatus.REJECTED,
                           "certificate file without a manifest (its .json is missing)", 0.0)


def recheck(paths: Iterable[Path | str], timeout: float | None = None) -> list[tuple[Path, RecheckStatus, str]]:
    """:func:`iter_recheck` as a list of ``(path, status, reason)``."""
    return [(path, status, reason) for path, status, reason, _ in iter_recheck(paths, timeout)]
