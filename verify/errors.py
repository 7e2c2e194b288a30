"""The project's own error types for bad user input (STYLE.md §6).

Each carries where the fault is (file, line, key) so the CLI can print a compiler-style
``file:line: message`` and exit 2 without a traceback.
"""
from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: a spec, a circuit file, a proof file or a CLI flag."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"key '{self.key}': " if self.key else ""
        return f"{where}{key}{self.message}"


class CircuitFileError(UserError):
    """A malformed circuit file (names file and line)."""


class SpecError(UserError):
    """A malformed or invalid spec file (names file and key)."""


class ProofFileError(UserError):
    """A malformed certificate or proof file."""


class UsageError(UserError):
    """Bad command-line flags."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived during a run (raised by the handler the CLI installs). A
    ``KeyboardInterrupt``, so ``finally`` blocks stop child processes on the way out; the CLI
    writes the partial reports and exits ``128 + signum`` (130, 143)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        import signal
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"
