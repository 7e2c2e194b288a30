"""Certified UNSAT: solve, write CNF + proof + manifest, and let the trusted checker decide.

Project rule: PROVED from an UNSAT answer means a DIMACS CNF and a proof were written and
``verify.checker`` accepted them as read back from disk. ``certify_unsat`` does exactly that;
``recheck`` and ``python -m verify check`` (``command_check``) repeat the check later from the
files alone, hashes first, without running any solver. The files are standard DIMACS and text
LRAT (default, from ``cadical195``) or text DRAT (``proof_format="drat"``, or a back end that
writes no LRAT), so lrat-check, cake_lpr or drat-trim can re-check them as well.

LRAT: the solver's proof goes to a temporary file; the trusted checker verifies it and writes
the *trimmed* proof it verified (only the lemmas the empty clause depends on through hints);
the trimmed proof is checked again and is what is stored (``<stem>.lrat``). The manifest
records both sizes. A proof with a RAT step is stored untrimmed.
"""
from __future__ import annotations

import argparse
import contextlib
import contextvars
import gzip
import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Sequence

from verify import checker, store
from verify.encode.sat import (LRAT_FORMAT, PROOF_FORMAT, SatStatus, call_in_child,
                               check_proof_format, default_proof_format, die_with_parent, solve)
from verify.errors import UsageError
from verify.verdict import EXIT_MISMATCH, EXIT_OK, EXIT_USAGE

CERTIFICATE_KIND = store.MANIFEST_KIND   # the manifest's "certificate" field (the proof's
                                         # "format" says DRAT or LRAT)
#: manifest "format" -> checker format
MANIFEST_FORMATS = {PROOF_FORMAT: "drat", LRAT_FORMAT: "lrat"}
DEFAULT_SOLVER = "cadical195"


class CertStatus(str, Enum):
    SAT = "SAT"                        # a model, replayed on the clauses
    UNSAT_VERIFIED = "UNSAT-VERIFIED"  # the trusted checker accepted the written certificate
    UNSAT_REJECTED = "UNSAT-REJECTED"  # the solver said UNSAT, the checker did not agree: NOT proved
    UNKNOWN = "UNKNOWN"                # timeout or solver unknown

    def __str__(self) -> str:
        return self.value


class RecheckStatus(str, Enum):
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"

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
    trimmed: bool = False          # the trimmed proof was written to the trim_out path
    trim_note: str = ""            # why not


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


def _check_in_process(cnf_path: Path, proof_path: Path, fmt: str = "drat",
                      trim_out: Path | None = None) -> CheckerRun:
    result = checker.check_certificate(cnf_path, proof_path, fmt, trim=trim_out is not None)
    run = CheckerRun(result.verified, result.reason, result.seconds, result.lemmas_checked)
    if trim_out is not None and result.verified:
        if result.trimmed is None:
            run.trim_note = result.trim_note
        else:
            with open(trim_out, "wb") as f:
                f.write(result.trimmed)
            run.trimmed = True
    return run


def _check_in_child(cnf_path: Path, proof_path: Path, fmt: str, trim_out) -> CheckerRun | str:
    try:
        return _check_in_process(cnf_path, proof_path, fmt, trim_out)
    except (checker.CheckerInputError, RuntimeError, OSError, ValueError) as e:
        return f"{type(e).__name__}: {e}" if isinstance(e, (OSError, ValueError)) else str(e)


def run_checker(cnf_path: Path, proof_path: Path, timeout: float | None = None, *,
                fmt: str | None = None, trim_out: Path | None = None) -> CheckerRun | str:
    """Run ``verify.checker`` on the files as written: in this process, or as
    ``<interpreter> -m verify.checker --format FMT CNF PROOF`` (see
    :func:`checker_interpreter`), whose last line ``s VERIFIED`` / ``s NOT VERIFIED: reason``
    and exit code decide. Malformed files raise ``checker.CheckerInputError`` or
    ``RuntimeError`` (file and line named). ``fmt`` is ``drat`` or ``lrat`` (default: from
    the file name); with ``trim_out`` (LRAT) the checker writes the trimmed proof it verified
    there (``CheckerRun.trimmed``).

    With ``timeout`` the check runs in a child process (a forked one in-process) that is
    killed when the time is up; the result is then a note (``"timeout"``), not a verdict."""
    fmt = fmt or checker.proof_format_of(proof_path)
    interp = checker_interpreter(Path(proof_path).stat().st_size)
    if interp is None:
        if timeout is None:
            return _check_in_process(cnf_path, proof_path, fmt, trim_out)
        done, got = call_in_child(_check_in_child, (cnf_path, proof_path, fmt, trim_out), timeout)
        if done and isinstance(got, str):
            raise RuntimeError(got)
        return got
    root = str(Path(checker.__file__).resolve().parent.parent.parent)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    cmd = [interp, "-m", "verify.checker", "--format", fmt]
    if trim_out is not None:
        cmd += ["--trim", str(trim_out)]
    try:
        parent = os.getpid()
        proc = subprocess.run(cmd + [str(cnf_path), str(proof_path)],
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
    run = CheckerRun(verified, reason, time.perf_counter() - t0, 0, interp)
    for line in lines:
        if line.startswith("c reason: "):
            run.reason = run.reason or line.removeprefix("c reason: ")
        elif line.startswith("c ") and line.endswith("s") and " lemmas checked in " in line:
            run.lemmas_checked = int(line.split()[1])
        elif line.startswith("c trimmed: "):
            run.trimmed = verified
        elif line.startswith("c trim: "):
            run.trim_note = line.removeprefix("c trim: ")
    return run


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


def _unique_tmp(directory: Path, stem: str, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix, dir=directory)
    os.close(fd)
    return Path(name)


def certify_unsat(clauses: Sequence[Sequence[int]], num_vars: int, *, directory: Path, stem: str,
                  meta: dict[str, Any], timeout: float | None,
                  solver: str = DEFAULT_SOLVER, proof_format: str | None = None) -> Certificate:
    """Solve; on UNSAT write ``<stem>.cnf``, the proof ``<stem>.lrat`` (or ``<stem>.drat``)
    and ``<stem>.json`` under ``directory`` and run the trusted checker on the files as
    written. Only ``CertStatus.UNSAT_VERIFIED`` (``Certificate.proved``) may be reported as
    PROVED. ``proof_format`` is ``lrat`` or ``drat`` (default: LRAT where the solver writes it).

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
    fmt = proof_format or default_proof_format(solver)
    check_proof_format(fmt, solver)
    meta["claim"] = claim
    started = time.monotonic()
    clauses = [list(c) for c in clauses]
    directory = Path(directory)
    raw_path = None
    if fmt == "lrat":
        directory.mkdir(parents=True, exist_ok=True)
        raw_path = _unique_tmp(directory, stem, ".lrat.tmp")
    try:
        return _certify(clauses, num_vars, directory, stem, meta, timeout, solver, fmt,
                        started, raw_path)
    finally:
        for tmp in (raw_path, raw_path and raw_path.with_suffix(".trim")):
            if tmp is not None and tmp.exists():
                tmp.unlink()


def _certify(clauses, num_vars, directory: Path, stem: str, meta, timeout, solver, fmt,
             started, raw_path) -> Certificate:
    out = solve(clauses, num_vars, timeout=timeout, proof=True, solver=solver,
                proof_format=fmt, proof_path=raw_path)
    cert = Certificate(CertStatus.UNKNOWN, solver=solver, solve_seconds=out.seconds)
    if out.status is SatStatus.SAT:
        cert.status, cert.model, cert.reason = CertStatus.SAT, out.model, "model replayed on the clauses"
        return cert
    if out.status is SatStatus.UNKNOWN:
        cert.reason = out.note or "solver returned unknown"
        return cert

    def left() -> float | None:
        return None if timeout is None else timeout - (time.monotonic() - started)

    directory.mkdir(parents=True, exist_ok=True)
    meta = dict(meta)
    claim = meta.pop("claim")
    dimacs = checker.write_dimacs(clauses, num_vars)
    cnf_path, cnf_bytes = _maybe_gzip(directory / f"{stem}.cnf", dimacs)
    staged_cnf = store.stage(directory, cnf_path.name, cnf_bytes)
    staged: list[Path] = [staged_cnf]
    try:
        raw_bytes = trim_note = None
        first_check = None
        if fmt == "lrat":
            # the solver's proof, checked as written; the checker writes the trimmed proof it verified
            raw_bytes = raw_path.stat().st_size
            trim_path = raw_path.with_suffix(".trim")
            first_check = _run_checked(staged_cnf, raw_path, left(), "lrat", trim_path)
            if isinstance(first_check, CheckerRun) and first_check.verified and first_check.trimmed:
                proof_data = trim_path.read_bytes()
            else:
                if isinstance(first_check, CheckerRun) and first_check.verified:
                    trim_note = first_check.trim_note or "not trimmed"
                proof_data = raw_path.read_bytes()
        else:
            proof_data = "".join(line + "\n" for line in (out.proof or [])).encode("ascii")
        suffix = ".lrat" if fmt == "lrat" else ".drat"
        cert.details["proof_text_bytes"] = len(proof_data)     # before any compression
        proof_path, proof_bytes = _maybe_gzip(directory / f"{stem}{suffix}", proof_data)
        staged_proof = store.stage(directory, proof_path.name, proof_bytes)
        staged.append(staged_proof)
        # the verdict comes from the files on disk, not from memory: for LRAT the stored (trimmed)
        # proof is checked again, after the solver's full proof was
        if first_check is None or (isinstance(first_check, CheckerRun) and first_check.verified):
            result = _run_checked(staged_cnf, staged_proof, left(), fmt, None)
            if isinstance(first_check, CheckerRun) and isinstance(result, CheckerRun):
                result.seconds += first_check.seconds
        else:
            result = first_check
        if isinstance(result, str):     # timed out: nothing was established, nothing is stored
            cert.reason = f"{result} (checking)"
            return cert
        cert.check_seconds, cert.lemmas_checked = result.seconds, result.lemmas_checked
        cert.details["checker_interpreter"] = result.interpreter
        cert.reason = result.reason
        text = proof_data.decode("ascii", errors="replace").splitlines()
        if fmt == "lrat":
            deletions = sum(1 for line in text if " d " in line)
        else:
            deletions = sum(1 for line in text if line.startswith("d"))
        cert.lemmas = sum(1 for line in text if line and not line.startswith("c")) - deletions
        if not result.verified:
            cert.status = CertStatus.UNSAT_REJECTED
            return cert
        cert.status = CertStatus.UNSAT_VERIFIED
        for key in VOLATILE_META:
            meta.pop(key, None)
        proof_entry = {"file": proof_path.name, "sha256": store.sha256_bytes(proof_bytes),
                       "format": LRAT_FORMAT if fmt == "lrat" else PROOF_FORMAT,
                       "lemmas": cert.lemmas, "deletions": deletions,
                       "bytes": len(proof_bytes), "text_bytes": len(proof_data)}
        if fmt == "lrat":
            proof_entry["solver_text_bytes"] = raw_bytes
            proof_entry["trimmed"] = trim_note is None
            if trim_note:
                proof_entry["trim_note"] = trim_note
        manifest = {
            "certificate": store.MANIFEST_KIND,
            "claim": claim,
            "meta": meta,
            "cnf": {"file": cnf_path.name, "sha256": store.sha256_bytes(cnf_bytes),
                    "dimacs_sha256": store.sha256_bytes(dimacs),
                    "vars": num_vars, "clauses": len(clauses), "bytes": len(cnf_bytes)},
            "proof": proof_entry,
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
        store.discard(staged)


#: meta keys that change from run to run or machine to machine: kept out of manifests
VOLATILE_META = ("seconds", "created", "date", "pysat", "version", "interpreter",
                 "source")   # the spec path as typed: claim.spec records it relative to the spec root


def _run_checked(cnf_path, proof_path, timeout, fmt, trim_out) -> CheckerRun | str:
    """run_checker, with malformed files turned into a rejection."""
    if timeout is not None and timeout <= 0:
        return "timeout"
    try:
        return run_checker(cnf_path, proof_path, timeout, fmt=fmt, trim_out=trim_out)
    except (checker.CheckerInputError, RuntimeError) as e:
        return CheckerRun(False, f"checker refused the written files: {e}")


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


def manifest_proof_format(manifest: dict) -> str | None:
    """``drat`` or ``lrat`` from the manifest's proof "format", or None for a format this
    toolkit does not know."""
    proof = manifest.get("proof")
    fmt = proof.get("format", PROOF_FORMAT) if isinstance(proof, dict) else PROOF_FORMAT
    return MANIFEST_FORMATS.get(fmt) if isinstance(fmt, str) else None


def _recheck_one(manifest_path: Path, root: Path, timeout: float | None = None) -> tuple[RecheckStatus, str]:
    rejected = RecheckStatus.REJECTED
    try:
        manifest = store.read_manifest(manifest_path)
    except store.ManifestError as e:
        return rejected, f"manifest: {e}"
    files = {part: (path, sha) for part, path, sha in store.manifest_files(manifest_path, manifest)}
    fmt = manifest_proof_format(manifest)
    if fmt is None:
        return rejected, f"unknown proof format {manifest['proof'].get('format')!r}"
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
        result = run_checker(files["cnf"][0], files["proof"][0], timeout, fmt=fmt)
        if isinstance(result, str):
            return rejected, f"checker: {result}" + (f" after {timeout:g} s" if timeout else "")
        header = _dimacs_header(files["cnf"][0])
        declared = (manifest["cnf"]["vars"], manifest["cnf"]["clauses"])
        if declared != header:
            return rejected, (f"manifest says {declared[0]} vars / {declared[1]} clauses, "
                              f"CNF header says {header[0] if header else '?'} / {header[1] if header else '?'}")
    except (checker.CheckerInputError, RuntimeError) as e:
        return rejected, f"malformed certificate: {e}"
    except Exception as e:          # noqa: BLE001 - one certificate must not stop the folder
        return rejected, f"checker failed: {type(e).__name__}: {e}"
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


def recheck(paths: Iterable[Path | str], timeout: float | None = None) -> list[tuple[Path, RecheckStatus, str]]:
    """Re-check the certificates under ``paths`` (folders, searched recursively, or single
    manifests): every ``*.json`` must be a valid manifest of :mod:`verify.store` (a malformed,
    edited or foreign one is REJECTED, never skipped), its files must lie in the manifest's own
    folder inside the folder checked and match its hashes, and the trusted checker must accept
    them (``timeout`` seconds each, when given). In a folder, a certificate file that no
    manifest names is REJECTED too. No solver runs."""
    results = []
    for arg in map(Path, paths):
        if not arg.exists():
            raise UsageError("no such file or directory", file=str(arg))
        root = arg if arg.is_dir() else arg.parent
        manifests = find_manifests([arg])
        for path in manifests:
            results.append((path, *_recheck_one(path, root, timeout)))
        if arg.is_dir():
            named = set()
            for path in manifests:
                stem = path.name[:-len(".json")]
                named.update(path.parent / (stem + suffix)
                             for suffix in store.CNF_SUFFIXES + store.PROOF_SUFFIXES)
            for f in sorted(arg.rglob("*")):
                if f.is_file() and store.is_certificate_file(f.name) and f not in named:
                    results.append((f, RecheckStatus.REJECTED,
                                    "certificate file without a manifest (its .json is missing)"))
    return results


CHECK_USAGE = """usage: python -m verify check [PATH ...] [--against SPECS] [--timeout S] [--external TOOLS]

Re-check stored UNSAT certificates (manifest *.json with a CNF and an LRAT or DRAT proof, as
its proof "format" says) with the trusted checker, verifying their sha256 hashes first; no
solver is run. PATH is a manifest or a directory searched recursively (default: proofs/). A
manifest that is malformed, edited or not of this store is REJECTED; so is a certificate file
no manifest names, a manifest whose files are missing, and a file outside the folder checked.

  --against SPECS   also re-encode each certificate's claim from the spec files under SPECS
                    (a folder or file) and require the CNF the encoder produces now to be the
                    stored one (a stale certificate is REJECTED). Rule and coupling checks run
                    no solver; a gap claim re-runs its search (bounded by --timeout).
  --timeout S       seconds per certificate check (and per re-encoded claim); a check that
                    runs out is REJECTED (timeout) and the others are still checked
  --external TOOLS  also run outside checkers on every certificate of a format they read
                    and print whether they agree: a comma-separated list of lrat-check,
                    cake_lpr, drat-trim, each found on PATH or given as NAME=PATH (build
                    them with ../shared/tools/build.sh DIR); an absent tool is reported and
                    skipped

exit codes: 0 every certificate verified (and no outside checker disagreed);
            1 some certificate rejected, or an outside checker disagreed;
            2 no certificate found, or a usage error."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number of seconds, not {text!r}")
    return value


class _CheckArgs(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message)


def certificate_files(manifest_path: Path) -> tuple[Path, Path, str] | None:
    """(CNF, proof, format) that a manifest names, or None if it names no usable files."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
        cnf = manifest_path.parent / manifest["cnf"]["file"]
        proof = manifest_path.parent / manifest["proof"]["file"]
        fmt = manifest_proof_format(manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (cnf, proof, fmt) if fmt and cnf.is_file() and proof.is_file() else None

def command_check(argv: list[str], stdout, stderr) -> int:
    """``python -m verify check [--timeout S] [--external TOOLS] [PATH ...]``: one line per
    certificate (and per outside checker run), then a summary."""
    from verify import external as ext
    if any(a in ("-h", "--help") for a in argv):
        print(CHECK_USAGE, file=stdout)
        return EXIT_OK
    p = _CheckArgs(prog="python -m verify check", add_help=False)
    p.add_argument("paths", nargs="*")
    p.add_argument("--against", action="append", metavar="SPECS")
    p.add_argument("--timeout", type=_positive_seconds)
    p.add_argument("--external", metavar="TOOLS")
    try:
        args = p.parse_args(argv)
        tools, absent, errors = (ext.parse_external(args.external) if args.external is not None
                                 else ([], [], []))
        if errors:
            raise UsageError("; ".join(errors))
    except UsageError as e:
        print(f"error: {e}\n{CHECK_USAGE}", file=stderr)
        return EXIT_USAGE
    paths = args.paths or ["proofs"]
    timeout = args.timeout
    for msg in absent:
        print(f"external {msg}: skipped", file=stdout)
    try:
        if args.against:
            from .against import check_against
            results = check_against(paths, args.against, args.timeout)
        else:
            results = recheck(paths, args.timeout)
    except UsageError as e:
        print(f"error: {e}\n{CHECK_USAGE}" if "usage" not in str(e) else f"error: {e}", file=stderr)
        return EXIT_USAGE
    if not results:
        print(f"error: no certificates found in {' '.join(paths)}", file=stderr)
        return EXIT_USAGE
    rejected = 0
    tally = ext.Tally(tools)
    for path, status, reason in results:
        if status is RecheckStatus.VERIFIED:
            print(f"VERIFIED {path}", file=stdout)
        else:
            rejected += 1
            print(f"REJECTED {path}: {reason}", file=stdout)
        files = certificate_files(path) if tools else None
        for tool in tools:
            if files is None or files[2] not in ext.TOOLS[tool.name][0]:
                continue
            verdict = ext.run_tool(tool, files[0], files[1], timeout)
            agreement = tally.add(tool.name, status is RecheckStatus.VERIFIED, verdict)
            print(f"  {tool.name}: {verdict} ({agreement})", file=stdout)
    print(f"{len(results)} certificates: {len(results) - rejected} verified, {rejected} rejected",
          file=stdout)
    for line in tally.lines():
        print(line, file=stdout)
    return EXIT_MISMATCH if rejected or tally.disagreements else EXIT_OK
