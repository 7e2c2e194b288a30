"""The certificate store: manifests bound to claims, atomic writes, retraction (issue 10).

A certificate is three files in one folder: ``<stem>.cnf`` (DIMACS), ``<stem>.drat`` (the
proof; either may be gzip-compressed as ``.gz``) and ``<stem>.json``, the *manifest*. The
manifest binds the files to the claim they prove::

    {"certificate": "dlm-verify/unsat-drat/2",
     "claim": {"spec": "constructions/thm3.1.toml",     # relative to the spec root (below)
               "name": "thm3.1[circuit=iscas85/c17.bench]", "check": "coupling",
               "index": 0, "obligation": "step1"},
     "cnf": {"file", "sha256", "dimacs_sha256", "vars", "clauses", "bytes"},
     "proof": {"file", "sha256", "format", "lemmas", "deletions", "bytes", "text_bytes"},
     "solver": {"name"}, "checker": {"verdict", "lemmas_checked"}, "meta": {...}}

The *spec root* of a spec file is its nearest ancestor folder named ``specs`` (the project's
layout), else the spec's own folder; so a claim's record does not depend on how a run was
invoked. ``spec`` is null for certificates written outside a spec run (``compile``, ``gap``).

Nothing volatile (dates, seconds, versions, interpreter) is recorded, and a file whose bytes
are unchanged is not rewritten, so a re-run leaves ``git status`` clean.

Writes: each file goes to a unique hidden temporary name in the target folder
(``.tmp-<random>-<name>``), is checked there, and is renamed into place under an exclusive
``flock`` on the folder, the manifest last; two runs writing into one folder therefore never
see each other's half-written files. A run deletes only files that a manifest of this store
names *and* whose hash still matches it (files it wrote), never a file by its name alone.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Iterable, Iterator

MANIFEST_KIND = "dlm-verify/unsat-drat/2"
#: the fields of a manifest's ``claim`` (spec and index are null outside a spec run)
CLAIM_FIELDS = ("spec", "name", "check", "index", "obligation")
TOP_FIELDS = {"certificate", "claim", "cnf", "proof", "solver", "checker", "meta"}
CNF_FIELDS = {"file", "sha256", "dimacs_sha256", "vars", "clauses", "bytes"}
PROOF_FIELDS = {"file", "sha256", "format", "lemmas", "deletions", "bytes", "text_bytes"}
#: an LRAT proof also says how large the solver's proof was and whether it was trimmed
LRAT_PROOF_FIELDS = {"solver_text_bytes", "trimmed", "trim_note"}
#: suffixes of the files a manifest may name (the proof's format decides its suffix)
CNF_SUFFIXES = (".cnf", ".cnf.gz")
PROOF_SUFFIXES = (".drat", ".drat.gz", ".lrat", ".lrat.gz")
TEMP_PREFIX = ".tmp-"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(ValueError):
    """A manifest that is not a well-formed manifest of this store (the reason says why)."""


# ---- claims ------------------------------------------------------------------------------

def spec_key(path: Path | str) -> str:
    """A spec file's path relative to its spec root (module docstring), with ``/``."""
    p = Path(os.path.abspath(path))
    for parent in p.parents:
        if parent.name == "specs":
            return p.relative_to(parent).as_posix()
    return p.name


def check_index(check) -> int | None:
    """The index of a spec's ``[[check]]`` table (its key is ``check[<index>]``)."""
    m = re.search(r"\[(\d+)\]\s*$", getattr(check, "key", "") or "")
    return int(m.group(1)) if m else None


def claim_record(instance=None, check=None, obligation: str = "", *, name: str | None = None,
                 kind: str | None = None) -> dict[str, Any]:
    """The ``claim`` of a manifest: which spec, claim instance, check and obligation."""
    spec = getattr(instance, "spec", None)
    path = getattr(spec, "path", None)
    return {"spec": spec_key(path) if path else None,
            "name": name if name is not None else getattr(instance, "name", None),
            "check": kind if kind is not None else getattr(check, "kind", None),
            "index": check_index(check) if check is not None else None,
            "obligation": obligation}


def claim_key(claim: dict[str, Any]) -> tuple:
    """What identifies a claim's check (every obligation of it shares this key)."""
    return tuple(claim.get(f) for f in CLAIM_FIELDS[:4])


# ---- manifests ---------------------------------------------------------------------------

def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def _int(d: dict, key: str, where: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ManifestError(f"field {where}.{key} must be a non-negative integer, not {v!r}")
    return v


def _file_name(d: dict, where: str, stem: str, suffixes: tuple[str, ...]) -> str:
    name = d.get("file")
    if not isinstance(name, str):
        raise ManifestError(f"field {where}.file must be a file name")
    if name not in {stem + s for s in suffixes}:
        # a manifest names only its own files, in its own folder: never another claim's
        raise ManifestError(f"field {where}.file is {name!r}; a manifest {stem}.json may name only "
                            + " or ".join(stem + s for s in suffixes))
    return name


def validate_manifest(path: Path, obj: Any) -> dict[str, Any]:
    """The manifest, checked against the schema (module docstring); ManifestError otherwise.
    Every field is required and no other is allowed, so an edited manifest does not pass."""
    if not isinstance(obj, dict):
        raise ManifestError(f"not a JSON object but {type(obj).__name__}")
    kind = obj.get("certificate")
    if kind != MANIFEST_KIND:
        raise ManifestError(f"foreign manifest: certificate kind {kind!r}, expected {MANIFEST_KIND!r}"
                            + (" (an older format, not bound to a claim: regenerate it)"
                               if isinstance(kind, str) and kind.startswith("dlm-verify/") else ""))
    extra, missing = set(obj) - TOP_FIELDS, TOP_FIELDS - set(obj)
    if extra or missing:
        raise ManifestError(f"fields {sorted(extra)} not allowed" if extra else f"lacks fields {sorted(missing)}")
    claim = obj["claim"]
    if not isinstance(claim, dict) or set(claim) != set(CLAIM_FIELDS):
        raise ManifestError(f"field claim must be an object with exactly {', '.join(CLAIM_FIELDS)}")
    for f in ("name", "check", "obligation"):
        if not isinstance(claim[f], str) or not claim[f]:
            raise ManifestError(f"field claim.{f} must be a non-empty string")
    if claim["spec"] is not None and (not isinstance(claim["spec"], str) or not claim["spec"].endswith(".toml")
                                      or claim["spec"].startswith("/") or ".." in claim["spec"].split("/")):
        raise ManifestError(f"field claim.spec must be a relative path to a .toml file or null, not {claim['spec']!r}")
    if claim["index"] is not None and (not isinstance(claim["index"], int) or isinstance(claim["index"], bool)
                                       or claim["index"] < 0):
        raise ManifestError("field claim.index must be a non-negative integer or null")
    stem = path.name[:-len(".json")] if path.name.endswith(".json") else path.name
    for part, fields, suffixes in (("cnf", CNF_FIELDS, CNF_SUFFIXES), ("proof", PROOF_FIELDS, PROOF_SUFFIXES)):
        d = obj[part]
        extra = LRAT_PROOF_FIELDS if part == "proof" and isinstance(d, dict) and d.get("format") == "lrat-text" else set()
        if not isinstance(d, dict) or not fields <= set(d) <= fields | extra:
            raise ManifestError(f"field {part} must be an object with exactly {', '.join(sorted(fields))}"
                                + (f" (and optionally {', '.join(sorted(extra))})" if extra else ""))
        _file_name(d, part, stem, suffixes)
        for h in ("sha256", "dimacs_sha256") if part == "cnf" else ("sha256",):
            if not isinstance(d[h], str) or not _HEX64.match(d[h]):
                raise ManifestError(f"field {part}.{h} must be 64 lowercase hex digits")
        for f in sorted(fields - {"file", "sha256", "dimacs_sha256", "format"}):
            _int(d, f, part)
    if not isinstance(obj["proof"]["format"], str):
        raise ManifestError("field proof.format must be a string")
    lrat = obj["proof"]
    if "solver_text_bytes" in lrat:
        _int(lrat, "solver_text_bytes", "proof")
    if "trimmed" in lrat and not isinstance(lrat["trimmed"], bool):
        raise ManifestError("field proof.trimmed must be true or false")
    if "trim_note" in lrat and not isinstance(lrat["trim_note"], str):
        raise ManifestError("field proof.trim_note must be a string")
    for part in ("solver", "checker", "meta"):
        if not isinstance(obj[part], dict):
            raise ManifestError(f"field {part} must be an object")
    if obj["checker"].get("verdict") != "VERIFIED":
        raise ManifestError(f"checker.verdict is {obj['checker'].get('verdict')!r}: the store holds only "
                            "certificates the trusted checker accepted")
    return obj


def read_manifest(path: Path) -> dict[str, Any]:
    """Read and validate a manifest; ManifestError (with the reason) when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"unreadable: {e}") from None
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ManifestError(f"not JSON: {e}") from None
    return validate_manifest(path, obj)


def manifest_files(path: Path, manifest: dict[str, Any]) -> list[tuple[str, Path, str]]:
    """``(part, path, sha256)`` of the files a (validated) manifest names, in its folder."""
    return [(part, path.parent / manifest[part]["file"], manifest[part]["sha256"]) for part in ("cnf", "proof")]


def is_certificate_file(name: str) -> bool:
    return not name.startswith(".") and name.endswith(CNF_SUFFIXES + PROOF_SUFFIXES)


# ---- atomic writes -----------------------------------------------------------------------

@contextlib.contextmanager
def folder_lock(directory: Path) -> Iterator[None]:
    """An exclusive advisory lock on the folder (``flock`` on its descriptor; no lock file).
    Where ``fcntl`` is absent the renames are still atomic, only not serialised."""
    try:
        import fcntl
    except ImportError:          # pragma: no cover (not POSIX)
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)             # closing the descriptor releases the lock


def stage(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to a new unique hidden file in ``directory`` (never an existing name);
    it keeps ``name``'s suffixes, so tools that look at them read it as the final file."""
    while True:
        tmp = directory / f"{TEMP_PREFIX}{secrets.token_hex(6)}-{name}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:   # pragma: no cover (48 random bits)
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp


def discard(paths: Iterable[Path]) -> None:
    for p in paths:
        Path(p).unlink(missing_ok=True)


def _same_bytes(path: Path, sha: str) -> bool:
    try:
        return path.is_file() and sha256_file(path) == sha
    except OSError:
        return False


def publish(directory: Path, stem: str, staged: list[tuple[Path, str]], manifest: dict[str, Any]) -> Path:
    """Move checked staged files into place and write the manifest last, under the folder
    lock. A file already holding the same bytes is left alone (its temporary copy is
    dropped), and so is an unchanged manifest. Files the previous manifest of this stem named
    (ours, hash still matching) that the new one does not are removed. Returns the manifest."""
    manifest_path = directory / f"{stem}.json"
    data = manifest_bytes(manifest)
    try:
        with folder_lock(directory):
            try:
                old = read_manifest(manifest_path) if manifest_path.exists() else None
            except ManifestError:
                old = None
            for tmp, name in staged:
                final = directory / name
                if _same_bytes(final, sha256_file(tmp)):
                    tmp.unlink()
                else:
                    os.replace(tmp, final)
            if not _same_bytes(manifest_path, sha256_bytes(data)):
                os.replace(stage(directory, manifest_path.name, data), manifest_path)
            if old is not None:
                keep = {name for _, name in staged}
                for _, path, sha in manifest_files(manifest_path, old):
                    if path.name not in keep and _same_bytes(path, sha):
                        path.unlink()
    finally:
        discard(tmp for tmp, _ in staged)
    return manifest_path


# ---- retraction --------------------------------------------------------------------------

def stored_manifests(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every valid manifest under ``directory`` (recursively); invalid ones are skipped here
    (``python -m verify check`` reports them)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.json")):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            yield path, read_manifest(path)
        except ManifestError:
            continue


class Store:
    """One ``--proofs`` folder during a run: which manifests each claim has there (read once)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._by_claim: dict[tuple, list[Path]] | None = None

    def _index(self) -> dict[tuple, list[Path]]:
        if self._by_claim is None:
            self._by_claim = {}
            for path, m in stored_manifests(self.directory):
                if m["claim"]["spec"] is not None:
                    self._by_claim.setdefault(claim_key(m["claim"]), []).append(path)
        return self._by_claim

    def refresh(self) -> None:
        """Read the folder again at the next retraction (it holds certificates written since)."""
        self._by_claim = None

    def retract(self, claim: dict[str, Any], keep: Iterable[str | Path] = ()) -> list[Path]:
        """Remove the stored certificates of ``claim`` (its check: every obligation) except
        those whose manifest is in ``keep``: a run that no longer proves the claim, or proves
        it with other obligations, leaves no stale certificate of it. Only files its manifest
        names and whose hash still matches are removed. Returns the manifests removed."""
        keep_set = {os.path.abspath(p) for p in keep}
        removed = []
        for path in self._index().get(claim_key(claim), []):
            if os.path.abspath(path) in keep_set or not path.exists():
                continue
            with folder_lock(path.parent):
                try:
                    m = read_manifest(path)
                except ManifestError:
                    continue
                if claim_key(m["claim"]) != claim_key(claim):
                    continue             # rewritten meanwhile for another claim
                for _, f, sha in manifest_files(path, m):
                    if _same_bytes(f, sha):
                        f.unlink()
                path.unlink()
            removed.append(path)
        return removed


__all__ = ["CLAIM_FIELDS", "MANIFEST_KIND", "ManifestError", "Store", "check_index", "claim_key",
           "claim_record", "discard", "folder_lock", "is_certificate_file", "manifest_bytes",
           "manifest_files", "publish", "read_manifest", "sha256_bytes", "sha256_file", "spec_key",
           "stage", "stored_manifests", "validate_manifest"]
