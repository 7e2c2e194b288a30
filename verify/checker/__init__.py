"""The trusted certificate checker: DIMACS CNF + DRAT proof -> VERIFIED or not.

Standard library only and imports nothing else from ``verify`` (a test enforces it), so it can
be audited alone. Only its verdict turns a solver's UNSAT answer into PROVED (STYLE.md §4).
Usage: ``python -m verify.checker CNF PROOF`` prints ``s VERIFIED`` (exit 0) or
``s NOT VERIFIED: <reason>`` (exit 1); a malformed file gives ``file:line: message`` (exit 2).
"""
from __future__ import annotations

from .dimacs import CheckerInputError, Cnf, parse_dimacs, read_dimacs, write_dimacs
from .drat import CheckOutcome, Proof, check_proof, is_binary, parse_proof, read_proof


def check_certificate(cnf_path, proof_path) -> CheckOutcome:
    """Check the proof file against the CNF file, both read from disk.

    Raises CheckerInputError (naming file and line or byte) when either file is malformed."""
    cnf = read_dimacs(cnf_path)
    proof = read_proof(proof_path)
    return check_proof(cnf.num_vars, cnf.clauses, proof)


__all__ = ["CheckOutcome", "CheckerInputError", "Cnf", "Proof", "check_certificate", "check_proof",
           "is_binary", "parse_dimacs", "parse_proof", "read_dimacs", "read_proof", "write_dimacs"]
