"""Outside proof checkers as a cross-check of stored certificates (not part of the trust base).

``python -m verify check --external lrat-check,cake_lpr,drat-trim`` runs each named tool on
every certificate of a format it reads (drat-trim: DRAT; lrat-check and cake_lpr: LRAT) and
compares its verdict with the trusted checker's. A name is looked up on ``PATH``; ``NAME=PATH``
gives the program. The sources and a build script are in ``../shared/tools`` (``build.sh DIR``).

Verdicts are read from the tools' output lines, not their exit codes (drat-trim and lrat-check
exit 0 either way): drat-trim ``s VERIFIED``, lrat-check ``c VERIFIED``, cake_lpr
``s VERIFIED UNSAT``. lrat-check accepts any proof for a CNF with two complementary unit
clauses (its README says so); cake_lpr, formally verified, is the authority. Compressed files
(``*.gz``) are decompressed into a temporary folder first, since none of the tools reads gzip.
"""
from __future__ import annotations

import gzip
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: tool -> (proof formats it checks, output line that means VERIFIED)
TOOLS = {
    "drat-trim": (("drat",), "s VERIFIED"),
    "lrat-check": (("lrat",), "c VERIFIED"),
    "cake_lpr": (("lrat",), "s VERIFIED UNSAT"),
}


@dataclass
class Tool:
    name: str
    path: str


def parse_external(spec: str) -> tuple[list[Tool], list[str], list[str]]:
    """``"lrat-check,cake_lpr=/x/cake_lpr"`` -> (tools found, messages for absent ones,
    usage errors for unknown names)."""
    tools, absent, errors = [], [], []
    for item in filter(None, (x.strip() for x in spec.split(","))):
        name, _, path = item.partition("=")
        if name not in TOOLS:
            errors.append(f"unknown outside checker {name!r} (known: {', '.join(TOOLS)})")
            continue
        found = shutil.which(path) if path else shutil.which(name)
        if found is None:
            absent.append(f"{name}: not found {'at ' + path if path else 'on PATH'} "
                          f"(build it with ../shared/tools/build.sh DIR, then {name}=DIR/{name})")
        else:
            tools.append(Tool(name, found))
    return tools, absent, errors


def _plain(path: Path, tmp: Path) -> Path:
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            return path
    out = tmp / path.name.removesuffix(".gz")
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return out


def run_tool(tool: Tool, cnf: Path, proof: Path, timeout: float | None) -> str:
    """``VERIFIED``, ``NOT VERIFIED``, ``timeout`` or ``error: ...`` for one certificate."""
    expected = TOOLS[tool.name][1]
    with tempfile.TemporaryDirectory(prefix="dlm-external-") as tmp:
        try:
            args = [tool.path, str(_plain(cnf, Path(tmp))), str(_plain(proof, Path(tmp)))]
            proc = subprocess.run(args, capture_output=True, text=True, errors="replace",
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return "timeout"
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            return f"error: {e}"
    lines = [line.strip() for line in proc.stdout.splitlines()]
    if expected in lines:
        return "VERIFIED"
    if any("NOT VERIFIED" in line or "failed" in line.lower() for line in lines):
        return "NOT VERIFIED"
    tail = (proc.stderr.strip() or (lines[-1] if lines else ""))[-200:]
    return f"error: exit {proc.returncode}, no verdict line ({tail})"


class Tally:
    """Per tool: certificates run, agreeing, disagreeing, without a verdict."""

    def __init__(self, tools: list[Tool]):
        self.counts = {t.name: [0, 0, 0, 0] for t in tools}

    def add(self, tool: str, trusted_verified: bool, verdict: str) -> str:
        c = self.counts[tool]
        c[0] += 1
        if verdict in ("VERIFIED", "NOT VERIFIED"):
            agree = (verdict == "VERIFIED") == trusted_verified
            c[1 if agree else 2] += 1
            return "agrees" if agree else "DISAGREES"
        c[3] += 1
        return "no verdict"

    @property
    def disagreements(self) -> int:
        return sum(c[2] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [f"external {name}: {c[0]} certificates, {c[1]} agree, {c[2]} disagree, "
                f"{c[3]} without a verdict" for name, c in self.counts.items()]
