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
from typing import Iterator

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
