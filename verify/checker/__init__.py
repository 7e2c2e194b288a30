"""The trusted certificate checker: DIMACS CNF + DRAT or LRAT proof -> VERIFIED or not.

Standard library only and imports nothing else from ``verify`` (a test enforces it), so it can
be audited alone. Only its verdict turns a solver's UNSAT answer into PROVED (STYLE.md §4).
Usage: ``python -m verify.checker [--format drat|lrat] [--timeout S] [--trim OUT] CNF PROOF``
prints ``s VERIFIED`` (exit 0) or ``s NOT VERIFIED: <reason>`` (exit 1); a malformed file gives
``file:line: message`` (exit 2). ``drat.py`` checks DRAT backward (like drat-trim), ``lrat.py``
checks LRAT in one forward pass (and can write the trimmed proof it verified).
"""
from __future__ import annotations

from .dimacs import CheckerInputError, Cnf, iter_lines, parse_dimacs, read_dimacs, write_dimacs
from .drat import CheckOutcome, Proof, check_proof, is_binary, parse_proof, read_proof
from .lrat import LratOutcome, check_lrat

FORMATS = ("drat", "lrat")


def proof_format_of(path) -> str:
    """The format a proof file's name says: ``*.lrat`` / ``*.lrat.gz`` is LRAT, else DRAT."""
    name = str(path)
    return "lrat" if name.endswith((".lrat", ".lrat.gz")) else "drat"


def check_certificate(cnf_path, proof_path, fmt: str | None = None, trim: bool = False):
    """Check the proof file against the CNF file, both read from disk; ``fmt`` is ``drat`` or
    ``lrat`` (default: from the proof's file name). Returns a CheckOutcome (DRAT) or an
    LratOutcome (LRAT; with ``trim``, carrying the trimmed proof it verified).

    Raises CheckerInputError (naming file and line or byte) when either file is malformed."""
    fmt = fmt or proof_format_of(proof_path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown proof format {fmt!r} (expected one of {', '.join(FORMATS)})")
    cnf = read_dimacs(cnf_path)
    if fmt == "lrat":
        return check_lrat(cnf.clauses, iter_lines(proof_path), str(proof_path), trim=trim)
    proof = read_proof(proof_path)
    return check_proof(cnf.num_vars, cnf.clauses, proof)


__all__ = ["CheckOutcome", "CheckerInputError", "Cnf", "FORMATS", "LratOutcome", "Proof",
           "check_certificate", "check_lrat", "check_proof", "is_binary", "iter_lines",
           "parse_dimacs", "parse_proof", "proof_format_of", "read_dimacs", "read_proof",
           "write_dimacs"]
