"""Command line: ``python -m verify [PATH ...]`` and its sub-commands.

Every command has the shape ``cmd(argv, stdout, stderr) -> int`` so tests run it in-process.
Exit codes (all commands): 0 success (every check has its expected verdict), 1 a check did
not (or a certificate was rejected), 2 usage error, bad spec/circuit/proof file, or nothing
to check; 130 / 143 stopped by SIGINT / SIGTERM.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from . import limits
from .errors import Interrupted, UsageError, UserError
from .limits import timeout_arg
from .verdict import EXIT_MISMATCH, EXIT_USAGE, CheckResult, exit_code

EXIT_CODES = """exit codes:
  0  every check has its expected verdict
  1  at least one check has another verdict (or a certificate was rejected)
  2  usage error, a bad spec, circuit or proof file, or nothing to check
  130, 143  stopped by SIGINT or SIGTERM (child processes stopped; a run writes its partial
            --json/--junit with the interrupted check marked)"""


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


#: the public name of the parser every sub-command uses (errors raise UsageError, exit 2)
Parser = _Parser


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
    p.add_argument("--timeout", type=timeout_arg, default=120.0, metavar="S",
                   help="per solver call, and per distribution method and input (default 120)")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="raise an input limit (README, 'Limits'), e.g. --limit length=200000")
    p.add_argument("--solver", choices=("sat", "z3", "both"), default=None,
                   help="back end for the rule checks whose spec names none (default: sat)")
    p.add_argument("--proof", choices=("lrat", "drat"), default=None,
                   help="proof format of new certificates (default: lrat, from cadical195; "
                        "a spec's proof = ... wins)")
    p.add_argument("--verbose", "-v", action="store_true", help="print the details of every result")
    p.add_argument("--strict", action="store_true",
                   help="a spec skipped for missing data ([claim] requires) fails the run (exit 1)")
    p.add_argument("--allow-code", action="store_true",
                   help="let a [sampler] spec load a researcher's Python policy (policy = \"file.py:name\")")
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
    overrides = limits.cli_overrides(args.limit)
    for path in (args.json, args.junit):
        if path and Path(path).is_dir():
            raise UsageError(f"{path}: is a directory, expected a report file name")
    t0 = time.perf_counter()
    files = discover(args.paths)
    if not files:
        raise UsageError(f"no spec files (*.toml) found under {', '.join(args.paths)}")
    specs, spec_errors = [], []
    for f in files:
        try:
            specs.append(load_spec(f, overrides))
        except UserError as e:
            spec_errors.append(e)
            print(f"error: {e}", file=stderr)
    skipped = [spec for spec in specs if spec.skipped]
    for spec in skipped:
        print(f"SKIPPED  {spec.name} ({spec.path}): {spec.skipped}", file=stdout)
    ctx = Context(proofs_dir=Path(args.proofs), timeout=args.timeout, solver=args.solver or "default",
                  allow_code=args.allow_code, proof_format=args.proof)
    total = count_checks(specs)
    progress = Progress(stderr, total)
    results: list[CheckResult] = []

    def on_result(r: CheckResult) -> None:
        results.append(r)
        progress.clear()
        progress.finish_one()
        print(status_line(r), file=stdout)
        for line in _details_lines(r, args.verbose):
            print(line, file=stdout)
        stdout.flush()

    interrupted = None
    try:
        for spec in specs:
            run_spec(spec, ctx, on_start=progress.start, on_result=on_result)
    except KeyboardInterrupt as e:      # SIGINT, or SIGTERM through the handler of main()
        interrupted = getattr(e, "name", "SIGINT")
        progress.clear()
    seconds = time.perf_counter() - t0
    not_run = total - len(results)
    print(summary_line(results, seconds), file=stdout)
    if interrupted:
        print(f"interrupted by {interrupted}: {not_run} check(s) not run; partial reports written",
              file=stdout)
    if skipped:
        print(f"{len(skipped)} spec file(s) SKIPPED, not checked: {', '.join(s.name for s in skipped)}"
              + (" (--strict: this fails the run)" if args.strict else ""), file=stdout)
    for path, writer in ((args.json, write_json), (args.junit, write_junit)):
        if path:
            try:
                writer(results, Path(path), seconds, interrupted, not_run)
            except OSError as e:
                print(f"error: {path}: cannot write report: {e.strerror}", file=stderr)
                return EXIT_USAGE
    if interrupted:
        return EXIT_INTERRUPTED.get(interrupted, 130)
    if spec_errors:
        print(f"{len(spec_errors)} spec file(s) could not be loaded", file=stderr)
        return EXIT_USAGE
    code = exit_code(results)
    if code == 0 and skipped and args.strict:
        return EXIT_MISMATCH
    return code


# --- circuit ---------------------------------------------------------------------------

def _generated_circuit(args):
    from .circuits import generators as gen
    from .circuits.formats import write_circuit
    if args.file is not None or args.size is None or args.random_prefix:
        raise UsageError("--generate takes --size K and no circuit file or --random-prefix")
    params = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit() or not value.isascii():
            raise UsageError(f"--param {item!r}: expected NAME=INTEGER")
        params[name.strip()] = int(value)
    try:
        circuit = gen.generate(args.generate, args.size, defect=args.defect, **params)
    except gen.GeneratorError as e:
        raise UsageError(f"--generate {args.generate}: {e}") from None
    if args.out:
        out = Path(args.out)
        if out.suffix not in (".bench", ".aag", ".aig"):
            raise UsageError(f"--out {args.out}: expected a .bench, .aag or .aig file name")
        try:
            write_circuit(circuit, out)
        except OSError as e:
            raise UsageError(f"--out {args.out}: {e.strerror}") from None
    return circuit


def command_circuit(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .circuits.formats import read_circuit

    p = _Parser(prog="python -m verify circuit", stdout=stdout,
                description="Read a circuit file (.bench, .blif, .aag, .aig) and print its statistics "
                            "by the conventions of MODEL.md §1; or, with --generate, build a sampler "
                            "circuit of a family with a closed-form distribution (README, 'Sampler "
                            "circuits'), write it with --out, and print its statistics.")
    p.add_argument("file", nargs="?")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--random-prefix", metavar="P", help="inputs whose name starts with P are random sources")
    p.add_argument("--generate", metavar="FAMILY", help="parity, bernoulli, walk, majority or permutation")
    p.add_argument("--size", type=int, metavar="K", help="the family's size (bits, steps or items)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a family parameter, e.g. b=3 (repeatable)")
    p.add_argument("--defect", action="store_true", help="the family's deliberately wrong variant")
    p.add_argument("--out", metavar="FILE", help="where --generate writes (.bench, .aag, .aig); "
                                                 "random sources are named rnd<k>")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="raise an input limit (README, 'Limits'), e.g. --limit circuit_vertices=10000000")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    if args.generate:
        circuit = _generated_circuit(args)
    else:
        if args.file is None or args.size is not None or args.out or args.param or args.defect:
            raise UsageError("give a circuit FILE, or --generate FAMILY --size K [--out FILE]")
        with limits.raised(limits.cli_overrides(args.limit)):
            circuit = read_circuit(Path(args.file), random_prefix=args.random_prefix)
    stats = circuit.stats()
    stats["file"] = args.out if args.generate else args.file
    stats["read_seconds"] = round(time.perf_counter() - t0, 3)
    if args.json:
        print(json.dumps(stats), file=stdout)
    else:
        for k, v in stats.items():
            print(f"{k:>12}: {v}", file=stdout)
    return 0


# --- sample ----------------------------------------------------------------------------

def command_sample(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .dlm.model import DLM, show
    from .dlm.semantics import Rule, SemanticsError, final_output, output_distribution, sample_run
    from .specs import load_spec

    p = _Parser(prog="python -m verify sample", stdout=stdout,
                description="Run the DLM of a spec: seeded samples, a traced run, or its exact "
                            "output distribution.")
    p.add_argument("spec", help="a spec file with a [dlm] subject")
    p.add_argument("--instance", metavar="K=V", action="append", default=[],
                   help="pick the instance with these params, e.g. --instance n=4 (default: the first)")
    p.add_argument("--input", default="", metavar="BITS", help="the input χ as a bit string")
    p.add_argument("--count", type=int, default=10, help="number of samples (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first sample (default 0)")
    p.add_argument("--trace", action="store_true", help="print every round of each sample")
    p.add_argument("--exact", action="store_true", help="print the exact output distribution instead")
    p.add_argument("--rule", choices=[r.value for r in Rule], default="enforce")
    args = p.parse_args(argv)
    if args.count < 0:
        raise UsageError("--count must be >= 0")
    if set(args.input) - {"0", "1"}:
        raise UsageError(f"--input must be a bit string, got '{args.input}'")
    spec = load_spec(Path(args.spec))
    wanted = dict(kv.split("=", 1) for kv in args.instance if "=" in kv)
    insts = [i for i in spec.instances if all(str(i.params.get(k)) == v for k, v in wanted.items())]
    if not insts or insts[0].subject_kind != "dlm":
        raise UsageError(f"{args.spec}: no [dlm] instance matches {args.instance or 'the spec'}")
    inst = insts[0]
    dlm: DLM = inst.subject
    chi = [int(c) for c in args.input]
    rule = Rule(args.rule)
    print(f"# {inst.name}: L={dlm.length} T={dlm.rounds} mode={dlm.mode.value} rule={rule.value}", file=stdout)
    try:
        if args.exact:
            for outcome, prob in sorted(output_distribution(dlm, chi, rule).items()):
                print(f"{outcome}  {prob}", file=stdout)
            return 0
        for k in range(args.count):
            seed = args.seed + k
            trace = sample_run(dlm, chi, seed=seed, rule=rule)
            if args.trace:
                for r, t in enumerate(trace):
                    print(f"seed {seed} round {r + 1}: {show(t.state)} -> y={show(t.predictions)} -> {show(t.after)}",
                          file=stdout)
            print(final_output(dlm, chi, trace), file=stdout)
    except SemanticsError as e:
        print(f"error: {e}", file=stderr)
        return 1
    except ValueError as e:  # wrong χ length
        raise UsageError(str(e)) from None
    return 0


def command_compile(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .constructions.cli import command_compile as run
    return run(argv, stdout, stderr)


def command_table(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .constructions.cli import command_table as run
    return run(argv, stdout, stderr)


def command_check(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``python -m verify check [PATH ...]``: re-check stored certificates (verify.certify)."""
    from .certify import command_check as run_check
    return run_check(argv, stdout, stderr)


def command_policies(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .policies.cli import command_policies as run
    return run(argv, stdout, stderr)


def command_gap(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .gap.cli import command_gap as run
    return run(argv, stdout, stderr)


# --- list ------------------------------------------------------------------------------

def command_list(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    from .checks.registry import load_all
    from .constructions import CONSTRUCTIONS
    from .distribution.targets import TARGETS
    from .specs import SUBJECT_IS, SUBJECTS

    p = _Parser(prog="python -m verify list", stdout=stdout,
                description="List what a spec can use: subjects, check kinds, constructions, targets.")
    p.parse_args(argv)
    checks = load_all()
    print("subjects (one table per spec): " + ", ".join(
        f"[{k}]" + (f" (also takes every [{SUBJECT_IS[k]}] check)" if k in SUBJECT_IS else "")
        for k in sorted(SUBJECTS)), file=stdout)
    print("check kinds ([[check]] kind = ...):", file=stdout)
    for name, kind in sorted(checks.items()):
        print(f"  {name:<16} on {', '.join('[' + s + ']' for s in kind.subjects):<24} {kind.summary}", file=stdout)
    print("constructions ([construction] name = ..., or compile --construction): "
          + ", ".join(sorted(CONSTRUCTIONS)), file=stdout)
    print("distribution targets: " + ", ".join(sorted(TARGETS)) + ", table, closed-form", file=stdout)
    return 0


COMMANDS: dict[str, Callable[[list[str], TextIO, TextIO], int]] = {
    "list": command_list,
    "run": command_run,
    "circuit": command_circuit,
    "sample": command_sample,
    "compile": command_compile,
    "table": command_table,
    "check": command_check,
    "gap": command_gap,
    "policies": command_policies,
}


#: exit code of a run stopped by a signal: 128 + its number, as a shell reports it
EXIT_INTERRUPTED = {"SIGINT": 130, "SIGTERM": 143}


@contextlib.contextmanager
def _signals_interrupt():
    """SIGINT and SIGTERM raise :class:`verify.errors.Interrupted` in the main thread, so
    ``finally`` blocks kill solver and checker children and the run writes partial reports.
    (SIGTERM's default would end the process at once, leaving children running.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)
    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    name = argv[0] if argv and argv[0] in COMMANDS else "run"
    if argv and argv[0] == name:
        argv = argv[1:]
    try:
        with _signals_interrupt():
            return COMMANDS[name](argv, stdout, stderr)
    except _Exit as e:
        return e.status
    except UserError as e:
        print(f"error: {e}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as e:
        signame = getattr(e, "name", "SIGINT")
        print(f"interrupted by {signame}", file=stderr)
        return EXIT_INTERRUPTED.get(signame, 130)
    except BrokenPipeError:  # output piped into e.g. `head`
        return 0


def entry() -> None:
    sys.exit(main())
