"""What the check in progress is doing right now (encoding, solving, checking a certificate).

A process-wide note, set by the layers that do the work and read by the run's status line
(:class:`verify.report.Progress`), so a long SAT call or proof check shows as such instead of a
silent line. Standard library only; setting it costs one assignment, and nothing else reads it.
"""
from __future__ import annotations

import time

_state = {"name": None, "since": time.monotonic()}


def set_phase(name: str | None) -> str | None:
    """Enter phase ``name`` (None: idle); returns the previous one, to restore it after."""
    previous = _state["name"]
    if name != previous:
        _state["name"], _state["since"] = name, time.monotonic()
    return previous


def current() -> tuple[str | None, float]:
    """``(phase, seconds in it)``."""
    return _state["name"], time.monotonic() - _state["since"]
