"""Exact computations under ``--timeout`` (issue 10.5): run in a killable child process.

The exact methods of the ``distribution`` and ``support`` checks (state propagation, brute
force, BDDs, model counting) are pure Python or C extensions that cannot be interrupted in
place, so :func:`within` runs the whole computation in a forked child that is killed when the
time is up. Its result (or the exception it raised) comes back through a pipe; a timeout is
:class:`Expired`, which the checks turn into UNKNOWN, never into a verdict.
"""
from __future__ import annotations

import pickle
from typing import Any, Callable

from ..encode.sat import call_in_child


class Expired(Exception):
    """The time limit passed (or the child died) before the computation finished."""


def _capture(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except Exception as e:           # sent back and re-raised in the parent
        try:
            pickle.dumps(e)
            return "raise", e
        except Exception:
            return "raise", RuntimeError(f"{type(e).__name__}: {e}")


def within(timeout: float, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` computed in a child process killed after ``timeout`` seconds.
    Raises :class:`Expired` on timeout, and whatever ``fn`` raised otherwise."""
    done, got = call_in_child(_capture, (fn, args), timeout)
    if not done:
        raise Expired(f"timeout after {timeout:g}s (--timeout)" if got == "timeout" else str(got))
    kind, value = got
    if kind == "raise":
        raise value
    return value
