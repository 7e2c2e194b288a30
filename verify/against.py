"""``python -m verify check --against SPECS``: is each stored certificate still the one its
claim's encoder produces now? (issue 10, item 3)

First every certificate is re-checked as by ``check`` (:func:`verify.certify.recheck`). Then
each claim that has a certificate is found by its manifest's ``claim.spec`` (the spec file's
path relative to its spec root, :func:`verify.store.spec_key`) among the spec files under
SPECS, and its check is run again under :func:`verify.certify.replaying`: wherever the check
would certify an UNSAT, no solver runs and nothing is written; the CNF it hands over is hashed
and compared with the stored certificate of the same claim and obligation. A certificate is
VERIFIED only when the trusted checker accepts it *and* its CNF is byte for byte the one the
encoder produces now; a stale one (another CNF), or one its claim no longer asks for, is
REJECTED with the reason. Rule and coupling checks re-encode without solving; a gap claim's
search runs again (its CNF depends on the candidates it refutes), bounded by ``timeout``.
"""
from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from . import checker, store
from .certify import Certificate, CertStatus, RecheckStatus, recheck, replaying
from .errors import UserError


@dataclasses.dataclass
class _Stored:
    path: Path
    manifest: dict[str, Any]
    produced: str | None = None          # dimacs sha256 the encoder produces now, if asked


class _Replay:
    """The ``replay`` object of :func:`verify.certify.replaying` for one checked folder: the
    run's proofs directory is a scratch folder, mapped onto the checked one by relative path."""

    def __init__(self, scratch: Path, root: Path, stored: dict[Path, _Stored], verified: set[Path]):
        self.scratch, self.root, self.stored, self.verified = scratch, root, stored, verified

    def certify(self, clauses, num_vars: int, directory: Path, stem: str, claim: dict) -> Certificate:
        try:
            rel = Path(directory).resolve().relative_to(self.scratch.resolve())
        except ValueError:
            rel = Path(".")
        manifest_path = (self.root / rel / f"{stem}.json").resolve()
        entry = self.stored.get(manifest_path)
        if entry is None or store.claim_key(entry.manifest["claim"]) != store.claim_key(claim) \
                or entry.manifest["claim"]["obligation"] != claim["obligation"]:
            return Certificate(CertStatus.UNKNOWN, reason=f"no stored certificate {stem} of this claim")
        sha = store.sha256_bytes(checker.write_dimacs([list(c) for c in clauses], num_vars))
        entry.produced = sha
        if sha != entry.manifest["cnf"]["dimacs_sha256"] or manifest_path not in self.verified:
            return Certificate(CertStatus.UNKNOWN, reason=f"stored certificate {stem} is stale or rejected")
        cnf, proof = (manifest_path.parent / entry.manifest[p]["file"] for p in ("cnf", "proof"))
        return Certificate(CertStatus.UNSAT_VERIFIED, reason="stored certificate, re-encoded and re-checked",
                           cnf_path=cnf, proof_path=proof, manifest_path=manifest_path)


def _spec_files(against: list[str]) -> dict[str, Path]:
    from .specs import discover
    found: dict[str, Path] = {}
    for f in discover(against):
        found.setdefault(store.spec_key(f), f)
    return found


def check_against(paths: list[str], against: list[str], timeout: float | None = None
                  ) -> list[tuple[Path, RecheckStatus, str]]:
    """:func:`verify.certify.recheck`, then every verified certificate re-encoded from its
    claim (module docstring). Raises UserError for a missing folder or a bad spec."""
    from .checks.registry import CHECKS, Context, load_all
    from .specs import load_spec

    first = recheck(paths, timeout)
    verified = {p.resolve() for p, st, _ in first if st is RecheckStatus.VERIFIED and p.suffix == ".json"}
    specs = _spec_files(against)
    verdict: dict[Path, tuple[RecheckStatus, str]] = {p.resolve(): (st, why) for p, st, why in first}
    load_all()
    for arg in map(Path, paths):
        root = arg if arg.is_dir() else arg.parent
        stored: dict[Path, _Stored] = {}
        for p in ([arg] if arg.is_file() else sorted(arg.rglob("*.json"))):
            if p.resolve() in verified:
                stored[p.resolve()] = _Stored(p, store.read_manifest(p))
        by_spec: dict[str, list[_Stored]] = {}
        for entry in stored.values():
            spec = entry.manifest["claim"]["spec"]
            if spec is None:
                verdict[entry.path.resolve()] = (RecheckStatus.REJECTED, "not bound to a spec (written "
                                                 "outside a spec run): nothing to re-encode it from")
            elif spec not in specs:
                verdict[entry.path.resolve()] = (RecheckStatus.REJECTED, f"its spec {spec} is not under "
                                                 f"{', '.join(against)}")
            else:
                by_spec.setdefault(spec, []).append(entry)
        outcome: dict[tuple, str] = {}
        with tempfile.TemporaryDirectory(prefix="dlm-against-") as scratch:
            replay = _Replay(Path(scratch), root, stored, verified)
            for key, entries in sorted(by_spec.items()):
                try:
                    spec = load_spec(specs[key])
                except UserError as e:
                    for entry in entries:
                        verdict[entry.path.resolve()] = (RecheckStatus.REJECTED, f"its spec does not load: {e}")
                    continue
                wanted = {(e.manifest["claim"]["name"], e.manifest["claim"]["index"]) for e in entries}
                ctx = Context(proofs_dir=Path(scratch), timeout=timeout or 600.0)
                for inst in spec.instances:
                    for index, check in enumerate(inst.checks):
                        if (inst.name, index) not in wanted:
                            continue
                        with replaying(replay):
                            try:
                                out = CHECKS[check.kind].run(inst, check, ctx)
                                outcome[(inst.name, index)] = f"{out.verdict.value}: {out.message}"
                            except Exception as e:      # re-encoding failed: the claim is not reproduced
                                outcome[(inst.name, index)] = f"ERROR: {type(e).__name__}: {e}"
        for entry in stored.values():
            path = entry.path.resolve()
            if verdict[path][0] is not RecheckStatus.VERIFIED:
                continue
            claim = entry.manifest["claim"]
            stored_sha = entry.manifest["cnf"]["dimacs_sha256"]
            if entry.produced == stored_sha:
                verdict[path] = (RecheckStatus.VERIFIED, "re-encoded from its claim: the same CNF")
            elif entry.produced is not None:
                verdict[path] = (RecheckStatus.REJECTED, f"stale: the encoder now produces another CNF for "
                                 f"{claim['name']} {claim['check']} {claim['obligation']} (sha256 "
                                 f"{entry.produced[:16]}..., the certificate holds {stored_sha[:16]}...)")
            else:
                ran = outcome.get((claim["name"], claim["index"]))
                verdict[path] = (RecheckStatus.REJECTED, (
                    f"not reproduced: re-running {claim['name']} check {claim['index']} ({claim['check']}) "
                    f"did not ask for obligation {claim['obligation']} (it ended {ran})" if ran else
                    f"not reproduced: {claim['spec']} has no claim {claim['name']} with check "
                    f"{claim['index']} ({claim['check']})"))
    return [(p, *verdict[p.resolve()]) for p, _, _ in first]
