"""Documented limits on what an input may name (README, "Limits").

Every size, count, range, exponent and nesting depth that a spec, a ``{...}`` template or a
circuit file names is compared with one of these limits *before* anything of that size is
allocated, so a tiny hostile file is refused at once (a :class:`~verify.errors.UserError`,
exit 2) instead of hanging or exhausting memory. The defaults are far above every claim and
benchmark circuit shipped or read by the project; a real user who needs more raises a limit
with a spec's ``[limits]`` table (``max_length = 200000``) or with ``--limit NAME=VALUE`` on
the command line, up to :data:`CEILING_FACTOR` times the default.

The current limits are process-wide (:func:`current`); :func:`raised` installs higher ones for
the duration of a ``with`` block (one spec's load, one command's run).
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, fields, replace
from typing import Any, Iterator

from .errors import UsageError


@dataclass(frozen=True)
class Limits:
    """One field per limit; each field's comment is its documentation (README, "Limits")."""

    spec_bytes: int = 1_000_000          # size of a spec file
    toml_depth: int = 32                 # nesting of arrays / inline tables in a spec
    instances: int = 10_000              # combinations of a spec's [params]
    length: int = 100_000                # positions of a DLM (length, construction n)
    rounds: int = 10_000                 # rounds of a DLM
    random_bits: int = 64                # random bits per position and round
    target_outputs: int = 24             # outputs of a DLM compared with a named target
                                         # (the target lists up to 2^n outcomes)
    template_chars: int = 200            # characters inside one {...} template
    template_bits: int = 64              # bits of every intermediate and final template value
    template_exponent: int = 64          # largest exponent of ** in a template
    expression_chars: int = 100_000      # characters of one Boolean expression
    expression_depth: int = 100          # nesting of a Boolean expression (a chain of one
                                         # operator, or of ~, counts once)
    circuit_bytes: int = 200_000_000     # size of a circuit file
    circuit_vertices: int = 5_000_000    # inputs an AIGER header declares (a binary file does not
                                         # list them; every other count needs bytes of the file)
    timeout: float = 1_000_000.0         # largest --timeout / timeout = ... in seconds


#: how far a [limits] table or --limit may raise a limit (times its default)
CEILING_FACTOR = 1000

DEFAULTS = Limits()
_current = DEFAULTS


def current() -> Limits:
    """The limits in force now."""
    return _current


def names() -> list[str]:
    return [f.name for f in fields(Limits)]


def parse_override(name: str, value: object) -> tuple[str, int | float]:
    """Validate one override ``name = value``; raise ValueError with a message naming it."""
    if name not in names():
        raise ValueError(f"unknown limit '{name}' (limits: {', '.join(names())})")
    default = getattr(DEFAULTS, name)
    if isinstance(value, str):
        try:
            value = float(value) if isinstance(default, float) else int(value.strip())
        except ValueError:
            raise ValueError(f"limit '{name}' expects a number, got '{value}'") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"limit '{name}' expects a number, got {value!r}")
    if isinstance(default, int) and not isinstance(value, int):
        raise ValueError(f"limit '{name}' expects an integer, got {value!r}")
    if not math.isfinite(value) or value < default:
        raise ValueError(f"limit '{name}' can only be raised: {value!r} is below its default {default}")
    if value > default * CEILING_FACTOR:
        raise ValueError(f"limit '{name}' is at most {default * CEILING_FACTOR} "
                         f"({CEILING_FACTOR} times its default)")
    return name, value


@contextlib.contextmanager
def raised(overrides: dict[str, int | float]) -> Iterator[Limits]:
    """Install the current limits with ``overrides`` (already validated) for a ``with`` block."""
    global _current
    saved = _current
    _current = replace(saved, **{k: max(v, getattr(saved, k)) for k, v in overrides.items()})
    try:
        yield _current
    finally:
        _current = saved


def cli_overrides(items: list[str]) -> dict[str, int | float]:
    """``--limit NAME=VALUE`` flags -> overrides; a bad one is a usage error."""
    out: dict[str, int | float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--limit expects NAME=VALUE, got '{item}'")
        try:
            k, v = parse_override(name.strip(), value)
        except ValueError as e:
            raise UsageError(f"--limit: {e}") from None
        out[k] = v
    return out


def check_timeout(value: float, what: str = "--timeout") -> float:
    """A timeout must be a finite positive number of seconds up to the ``timeout`` limit."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0 or value > current().timeout:
        raise ValueError(f"{what} must be a number of seconds in (0, {current().timeout:g}], got {value!r}")
    return float(value)


def timeout_arg(text: str) -> float:
    """argparse ``type=`` of a ``--timeout`` flag: nan, inf, 1e309, 0 and negatives are usage
    errors (exit 2), never a solver's OverflowError later."""
    import argparse
    try:
        return check_timeout(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds in (0, {current().timeout:g}], got '{text}'") from None


def nesting(value: Any) -> int:
    """How deeply tables and arrays nest in a parsed TOML value (iterative)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def toml_depth_error(text: str) -> str | None:
    """Why ``text`` nests arrays / inline tables deeper than the ``toml_depth`` limit, or None.

    A linear scan (strings and comments skipped) run before :mod:`tomllib`, whose parser
    recurses once per level. Table headers (``[a]``, ``[[a]]``) count like brackets, which
    only adds 2. Dots outside strings (but between digits) count as dotted-key parts, per line."""
    most = current().toml_depth
    depth, dots, k, n = 0, 0, 0, len(text)
    while k < n:
        c = text[k]
        if c in "\"'":
            triple = text.startswith(c * 3, k)
            quote = c * 3 if triple else c
            k += len(quote)
            while k < n and not text.startswith(quote, k):
                if c == '"' and text[k] == "\\":
                    k += 1
                elif not triple and text[k] == "\n":
                    break
                k += 1
            k += len(quote)
            continue
        if c == "#":
            end = text.find("\n", k)
            k = n if end < 0 else end
            continue
        if c in "[{":
            depth += 1
            if depth > most:
                return f"arrays or inline tables nested deeper than {most} (limit toml_depth)"
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "\n":
            dots = 0
        elif c == "." and not (text[k - 1:k].isdigit() and text[k + 1:k + 2].isdigit()):
            dots += 1   # a dotted key (tomllib takes quadratic time on long ones)
            if dots > most:
                return f"a dotted key of more than {most} parts (limit toml_depth)"
        k += 1
    return None
