"""Command line: ``python -m verify [PATH ...]`` and its sub-commands.

Every command has the shape ``cmd(argv, stdout, stderr) -> int`` so tests run it in-process.
Exit codes (all commands): 0 success (every check has its expected verdict), 1 a check did
not (or a certificate was rejected), 2 usage error, bad spec/circuit/proof file, or nothing
to check.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from .errors import UsageError, UserError
from .verdict import EXIT_USAGE, CheckResult, Verdict, exit_code

EXIT_CODES = """exit codes:
  0  every check has its expected verdict
  1  at least one check has another verdict (or a certificate was rejected)
  2  usage error, a bad spec, circuit or proof file, or nothing to check"""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so errors go through one path."""

    def __init__(self, *args, stdout: TextIO | None = None, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)
        self._out = stdout

    def error(self, message: str):
        raise UsageError(f"{message} (see --help)")

    def print_help(self, file=None):
        super().print_help(self._out or file)

    def exit(self, status=0, message=None):
        raise _Exit(status)


class _Exit(Exception):
    def __init__(self, status: int):
        self.status = status


# --- run (the default command) ---------------------------------------------------------

def _run_parser(stdout) -> _Parser:
    p = _Parser(prog="python -m verify", stdout=stdout,
                description="Run every claim (spec file) found under the given paths and report "
                            "each check's verdict: PROVED, REFUTED, UNKNOWN or ERROR.\n\n"
                            "other commands: " + ", ".join(sorted(COMMANDS)) +
                            " (python -m verify COMMAND --help)")
    p.add_argument("paths", nargs="*", default=["specs"], help="spec files or directories (default: specs/)")
    p.add_argument("--json", metavar="FILE", help="write all results as JSON")
    p.add_argument("--junit", metavar="FILE", help="write all results as JUnit XML")
    p.add_argument("--proofs", metavar="DIR", default="proofs", help="where certificates are written (default: proofs/)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S", help="per solver call, seconds (default 120)")
    p.add_argument("--verbose", "-v", action="store_true", help="print the details of every result")
    return p


def _details_lines(r: CheckResult, verbose: bool) -> list[str]:
    lines = ["    " + line for line in r.explain]
    if verbose and r.details:
        lines += ["    " + line for line in json.dumps(r.details, indent=2, default=str).splitlines()]
    return lines


def command_run(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .checks.registry import Context
    from .report import Progress, status_line, summary_line, write_json, write_junit
    from .runner import count_checks, run_spec
    from .specs import discover, load_spec

    args = _run_parser(stdout).parse_args(argv)
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    t0 = time.perf_counter()
    files = discover(args.paths)
    if not files:
        raise UsageError(f"no spec files (*.toml) found under {', '.join(args.paths)}")
    specs, spec_errors = [], []
    for f in files:
        try:
            specs.append(load_spec(f))
        except UserError as e:
            spec_errors.append(e)
            print(f"error: {e}", file=stderr)
    ctx = Context(proofs_dir=Path(args.proofs), timeout=args.timeout)
    progress = Progress(stderr, count_checks(specs))
    results: list[CheckResult] = []

    def on_result(r: CheckResult) -> None:
        progress.clear()
        progress.finish_one()
        print(status_line(r), file=stdout)
        for line in _details_lines(r, args.verbose):
            print(line, file=stdout)
        stdout.flush()

    for spec in specs:
        results.extend(run_spec(spec, ctx, on_start=progress.start, on_result=on_result))
    seconds = time.perf_counter() - t0
    print(summary_line(results, seconds), file=stdout)
    if args.json:
        write_json(results, Path(args.json), seconds)
    if args.junit:
        write_junit(results, Path(args.junit), seconds)
    if spec_errors:
        print(f"{len(spec_errors)} spec file(s) could not be loaded", file=stderr)
        return EXIT_USAGE
    return exit_code(results)


# --- circuit ---------------------------------------------------------------------------

def command_circuit(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .circuits.formats import read_circuit

    p = _Parser(prog="python -m verify circuit", stdout=stdout,
                description="Read a circuit file (.bench, .blif, .aag, .aig) and print its statistics "
                            "by the conventions of MODEL.md §1.")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--random-prefix", metavar="P", help="inputs whose name starts with P are random sources")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    circuit = read_circuit(Path(args.file), random_prefix=args.random_prefix)
    stats = circuit.stats()
    stats["file"] = args.file
    stats["read_seconds"] = round(time.perf_counter() - t0, 3)
    if args.json:
        print(json.dumps(stats), file=stdout)
    else:
        for k, v in stats.items():
            print(f"{k:>12}: {v}", file=stdout)
    return 0


COMMANDS: dict[str, Callable[[list[str], TextIO, TextIO], int]] = {
    "run": command_run,
    "circuit": command_circuit,
    "gap": lambda argv, stdout, stderr: __import__("verify.gap.cli", fromlist=["command_gap"]).command_gap(argv, stdout, stderr),
}


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    name = argv[0] if argv and argv[0] in COMMANDS else "run"
    if argv and argv[0] == name:
        argv = argv[1:]
    try:
        return COMMANDS[name](argv, stdout, stderr)
    except _Exit as e:
        return e.status
    except UserError as e:
        print(f"error: {e}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`
        return 0


def entry() -> None:
    sys.exit(main())
