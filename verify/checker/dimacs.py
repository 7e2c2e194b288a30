"""Strict DIMACS CNF reader of the trusted checker (standard library only).

Accepted: comment lines starting with ``c`` anywhere, blank lines, exactly one header
``p cnf V C`` before the first clause, then clauses as whitespace-separated decimal integers
each terminated by ``0`` (a clause may span lines; several may share a line). Rejected, with
``file:line``: a missing, repeated or malformed header, any other token, a literal whose
variable exceeds ``V``, a clause left unterminated at end of file, and a clause count other
than ``C``. Nothing else (``%`` end markers, ``+1``, ``1_0``) is tolerated.
"""
from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

_NUMBER_CHARS = b"0123456789- \t\r\n\v\f"


class CheckerInputError(Exception):
    """A malformed CNF or proof file; ``where`` is ``line N`` (text) or ``byte N`` (binary)."""

    def __init__(self, path: str, where: str, message: str):
        super().__init__(f"{path}:{where}: {message}")
        self.path = path
        self.where = where
        self.message = message


@dataclass
class Cnf:
    num_vars: int
    clauses: list[list[int]]
    lines: list[int]          # the line on which each clause starts


#: no literal, clause id or count in a certificate needs more digits than this
MAX_DIGITS = 20


def parse_ints(tokens: list[bytes], line: bytes, path: str, lineno: int) -> list[int]:
    """Decimal integers only: bytes.translate rejects '+', '_' and letters that int() takes."""
    if line.translate(None, _NUMBER_CHARS):
        # a character other than digits, '-' and white space; the token that holds it, or the
        # line itself when it is a separator split() does not know (e.g. a control character)
        bad = next((t for t in tokens if t.translate(None, b"0123456789-")), line)
        raise CheckerInputError(path, f"line {lineno}", f"not an integer: {bad[:40].decode('latin-1')!r}")
    if any(len(t) > MAX_DIGITS for t in tokens):
        raise CheckerInputError(path, f"line {lineno}", f"an integer of more than {MAX_DIGITS} digits")
    try:
        return list(map(int, tokens))
    except ValueError:
        bad = next((t for t in tokens if not t.lstrip(b"-").isdigit() or t.count(b"-") > 1), line)
        raise CheckerInputError(path, f"line {lineno}",
                                f"not an integer: {bad[:40].decode('latin-1')!r}") from None


def read_file(path) -> bytes:
    """A file's bytes; gzip-compressed files (magic bytes 1f 8b, e.g. ``*.cnf.gz``,
    ``*.drat.gz``) are decompressed, as most SAT tools accept them."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise CheckerInputError(str(path), "byte 0", f"corrupt gzip data: {e}") from None
    return data


def iter_lines(path):
    """The lines of a file, plain or gzip-compressed, read as a stream (so memory follows what
    the caller keeps, not the file's size)."""
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    try:
        with opener(path, "rb") as f:
            yield from f
    except (OSError, EOFError, zlib.error) as e:
        raise CheckerInputError(str(path), "byte 0", f"corrupt gzip data: {e}") from None


def read_dimacs(path) -> Cnf:
    return parse_dimacs(read_file(path), str(path))


def parse_dimacs(data: bytes, path: str = "<cnf>") -> Cnf:
    num_vars = num_clauses = -1
    clauses: list[list[int]] = []
    starts: list[int] = []
    cur: list[int] = []
    cur_line = lineno = 0
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        tokens = raw.split()
        if not tokens or tokens[0][:1] == b"c":
            continue
        if tokens[0][:1] == b"p":
            if num_vars >= 0:
                raise CheckerInputError(path, f"line {lineno}", "second 'p' header")
            if (len(tokens) != 4 or tokens[0] != b"p" or tokens[1] != b"cnf"
                    or not tokens[2].isdigit() or not tokens[3].isdigit()
                    or len(tokens[2]) > MAX_DIGITS or len(tokens[3]) > MAX_DIGITS):
                raise CheckerInputError(path, f"line {lineno}",
                                        "malformed header, expected 'p cnf VARS CLAUSES'")
            num_vars, num_clauses = int(tokens[2]), int(tokens[3])
            continue
        if num_vars < 0:
            raise CheckerInputError(path, f"line {lineno}", "clause before the 'p cnf' header")
        for lit in parse_ints(tokens, raw, path, lineno):
            if not cur:
                cur_line = lineno
            if lit == 0:
                clauses.append(cur)
                starts.append(cur_line)
                cur = []
            elif -num_vars <= lit <= num_vars:
                cur.append(lit)
            else:
                raise CheckerInputError(path, f"line {lineno}",
                                        f"literal {lit} exceeds the {num_vars} variables of the header")
    if num_vars < 0:
        raise CheckerInputError(path, "line 1", "no 'p cnf' header")
    if cur:
        raise CheckerInputError(path, f"line {cur_line}", "clause not terminated by 0 at end of file")
    if len(clauses) != num_clauses:
        raise CheckerInputError(path, f"line {lineno}",
                                f"header announces {num_clauses} clauses, file has {len(clauses)}")
    return Cnf(num_vars, clauses, starts)


def write_dimacs(clauses, num_vars: int) -> bytes:
    """The DIMACS text of a clause list, one clause a line (the writer certificates use)."""
    out = [f"p cnf {num_vars} {len(clauses)}"]
    out.extend(" ".join(map(str, c)) + " 0" if c else "0" for c in clauses)
    return ("\n".join(out) + "\n").encode("ascii")
