"""Progress lines for long gap searches (issue 5: "long searches show progress").

One line at every phase change (class label with its bound, phase: encoding, solving,
exact-checking candidates, certifying; seconds since the class started) and, while one phase
lasts, the same line again every ``every`` seconds from a background thread, so a run that
sits in one SAT call or one proof check still shows it is alive. Lines go to a ``write``
callable (the CLI: stderr), never to stdout, which may carry JSON.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from ..phase import set_phase


class Progress:
    def __init__(self, write: Callable[[str], None], every: float = 5.0):
        self._write = write
        self.every = every
        self._lock = threading.Lock()
        self._label: str | None = None
        self._phase: str | None = None
        self._detail = ""
        self._started = self._last = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        """A free-form line."""
        with self._lock:
            self._write(message)
            self._last = time.monotonic()

    def phase(self, label: str, name: str | None, detail: str = "") -> None:
        """``label`` is in phase ``name`` (None: idle, no reminders until the next phase). A
        line is written when the class or the phase changes; a new ``detail`` alone (e.g. the
        number of refuted candidates) only shows in the next reminder."""
        with self._lock:
            changed = (label, name) != (self._label, self._phase)
            if label != self._label:
                self._label, self._started = label, time.monotonic()
            self._phase, self._detail = name, detail
            if changed and name is not None:
                self._emit()

    def _emit(self) -> None:
        now = time.monotonic()
        detail = f", {self._detail}" if self._detail else ""
        self._write(f"{self._label}: {self._phase} ({now - self._started:.1f} s{detail})")
        self._last = now

    def _beat(self) -> None:
        while not self._stop.wait(min(1.0, self.every)):
            with self._lock:
                if self._phase is not None and time.monotonic() - self._last >= self.every:
                    self._emit()

    def __enter__(self) -> Progress:
        self._thread = threading.Thread(target=self._beat, name="gap-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def as_progress(progress: Callable[[str], None] | None) -> Progress | None:
    """A :class:`Progress` writing to ``progress`` (a callable taking a line); no reminders
    unless it is entered as a context manager (the CLI does)."""
    if progress is None or isinstance(progress, Progress):
        return progress
    return Progress(progress)


def report_phase(progress: Progress | None, label: str, name: str | None, detail: str = "") -> None:
    set_phase(name)     # also shown by the main run's status line (verify.phase)
    if progress is not None:
        progress.phase(label, name, detail)
