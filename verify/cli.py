"""Command line: ``python -m verify [PATH ...]`` and its sub-commands.

Every command has the shape ``cmd(argv, stdout, stderr) -> int`` so tests run it in-process.
Exit codes: 0 success, 1 a result other than the expected one (each command's ``--help``
says which), 2 usage error, bad spec/circuit/proof file, or nothing to check; 130 / 143
stopped by SIGINT / SIGTERM (every command).
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib.util
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
from .verdict import EXIT_INTERRUPTED, EXIT_USAGE, CheckResult

RUN_EXIT_CODES = """exit codes:
  0  every check has its expected verdict
  1  at least one check has another verdict, or (--strict) a spec was skipped
  2  usage error, a bad spec, circuit or proof file, or nothing to check
  130, 143  stopped by SIGINT or SIGTERM (child processes stopped; a run writes its partial
            --json/--junit with the interrupted check marked)"""

INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e ."

#: import name -> PyPI name of every run-time dependency (pyproject.toml)
DEPENDENCIES = {"pysat": "python-sat", "z3": "z3-solver", "sympy": "sympy", "dd": "dd",
                "pyganak": "pyganak"}


class CommandParser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so errors go through one path; ``exit_codes``
    is the command's own exit-code text, printed at the end of its ``--help``."""

    def __init__(self, *args, stdout: TextIO | None = None, exit_codes: str, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("epilog", exit_codes)
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


def missing_dependencies() -> list[str]:
    """PyPI names of the run-time dependencies that cannot be imported."""
    def absent(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is None
        except (ImportError, ValueError):
            return True
    return [pypi for module, pypi in DEPENDENCIES.items() if absent(module)]


# --- run (the default command) ---------------------------------------------------------

QUICK = Path("specs") / "quick.txt"


def default_specs_dir() -> Path:
    """``specs/`` of the current directory if there is one, else the one beside the package
    (the clone an editable install points to), so ``python -m verify`` works from anywhere."""
    here = Path("specs")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[1] / "specs"


def default_proofs_dir() -> Path:
    """``proofs/`` of the current directory if there is one, else the one beside the package."""
    here = Path("proofs")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "proofs"


def _run_parser(stdout) -> CommandParser:
    p = CommandParser(prog="python -m verify", stdout=stdout, exit_codes=RUN_EXIT_CODES,
                      description="Run the claims (spec files) under the given paths and report each "
                                  "check's verdict: PROVED, REFUTED, UNKNOWN or ERROR. Without a path, "
                                  "the quick set specs/quick.txt (every theorem on small instances, "
                                  "about a minute); --all runs every spec under specs/.\n\n"
                                  "other commands: " + ", ".join(sorted(COMMANDS)) +
                                  " (python -m verify COMMAND --help)")
    p.add_argument("paths", nargs="*",
                   help="spec files, directories, or .txt lists of them (default: specs/quick.txt)")
    p.add_argument("--all", action="store_true", help="run every spec under specs/ (the main job)")
    p.add_argument("--json", metavar="FILE", help="write all results as JSON")
    p.add_argument("--junit", metavar="FILE", help="write all results as JUnit XML")
    p.add_argument("--proofs", metavar="DIR",
                   help="where certificates are written (default: proofs/ at the root of the spec "
                        "tree, i.e. beside the specs/ folder the specs are in)")
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
    from .report import LoadError, Progress, RunReport, Skipped, status_line, summary_line, write_json, write_junit
    from .runner import count_checks, run_spec
    from .specs import discover, display_path, load_spec, spec_root

    args = _run_parser(stdout).parse_args(argv)
    overrides = limits.cli_overrides(args.limit)
    if args.all and args.paths:
        raise UsageError("--all runs every spec under specs/; give either --all or paths")
    for path in (args.json, args.junit):
        if path and Path(path).is_dir():
            raise UsageError(f"{path}: is a directory, expected a report file name")
    t0 = time.perf_counter()
    paths = args.paths or [str(default_specs_dir() if args.all else default_specs_dir().parent / QUICK)]
    files = discover(paths)
    if not files:
        raise UsageError(f"no spec files (*.toml) found under {', '.join(paths)}")
    root = spec_root(files[0])
    specs, load_errors = [], []
    for f in files:
        try:
            specs.append(load_spec(f, overrides))
        except UserError as e:
            load_errors.append(LoadError(display_path(f, root), str(e)))
            print(f"error: {e}", file=stderr)
    skipped = [Skipped(spec.name, display_path(spec.path, root), spec.skipped)
               for spec in specs if spec.skipped]
    for s in skipped:
        print(f"SKIPPED  {s.spec} ({s.source}): {s.reason}", file=stdout)
    proofs = Path(args.proofs) if args.proofs else root / "proofs"
    ctx = Context(proofs_dir=proofs, timeout=args.timeout, solver=args.solver or "default",
                  allow_code=args.allow_code, proof_format=args.proof)
    total = count_checks(specs)
    results: list[CheckResult] = []
    interrupted = None
    with Progress(stderr, total) as progress:
        def on_result(r: CheckResult) -> None:
            results.append(r)
            progress.finish_one()
            progress.clear()
            print(status_line(r), file=stdout)
            for line in _details_lines(r, args.verbose):
                print(line, file=stdout)
            stdout.flush()

        try:
            for spec in specs:
                run_spec(spec, ctx, on_start=progress.start, on_result=on_result,
                         source=display_path(spec.path, root))
        except KeyboardInterrupt as e:      # SIGINT, or SIGTERM through the handler of main()
            interrupted = getattr(e, "name", "SIGINT")
    report = RunReport(results, time.perf_counter() - t0, skipped, load_errors, args.strict,
                       interrupted=interrupted, not_run=total - len(results))
    if specs:
        print(summary_line(results, report.seconds), file=stdout)
    if interrupted:
        print(f"interrupted by {interrupted}: {report.not_run} check(s) not run; partial reports written",
              file=stdout)
    if skipped:
        print(f"{len(skipped)} spec file(s) SKIPPED, not checked: {', '.join(s.spec for s in skipped)}"
              + (" (--strict: this fails the run)" if args.strict else ""), file=stdout)
    for path, writer in ((args.json, write_json), (args.junit, write_junit)):
        if path:
            try:
                writer(report, Path(path))
            except OSError as e:
                print(f"error: {path}: cannot write report: {e.strerror}", file=stderr)
                return EXIT_USAGE
    if load_errors:
        print(f"{len(load_errors)} spec file(s) could not be loaded", file=stderr)
    return report.exit_code


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

    p = CommandParser(prog="python -m verify circuit", stdout=stdout,
                      exit_codes="exit codes:\n  0  the file was read\n  2  usage error or a bad circuit file",
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

    p = CommandParser(prog="python -m verify sample", stdout=stdout,
                      exit_codes="exit codes:\n  0  the samples (or the distribution) were printed\n"
                                 "  1  the DLM could not be run (e.g. a predictor produced the non-token 11)\n"
                                 "  2  usage error, a bad spec, or an input of the wrong length",
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
    if len(chi) != len(dlm.inputs):
        k = len(dlm.inputs)
        where = f" ({', '.join(map(str, dlm.inputs))})" if k else ""
        raise UsageError(f"{inst.name} has {k} input position(s){where}: --input must have {k} bit(s), "
                         f"got {len(chi)}" + ("" if args.input else " (no --input given)"))
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


CHECK_EXIT_CODES = """exit codes:
  0  every certificate verified (and no outside checker disagreed)
  1  some certificate rejected: a hash mismatch, a missing file, a file no manifest names, a
     malformed, edited or foreign manifest in a folder, a stale one (--against), or the
     checker did not verify it; or an outside checker (--external) disagreed
  2  no certificate found, a usage error, or bad input as python -m verify.checker sees it: a
     manifest given as PATH that is not one, a CNF or proof that is not DIMACS / DRAT / LRAT
  130, 143  stopped by SIGINT or SIGTERM (partial --json/--junit are written)"""


def command_check(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``python -m verify check [PATH ...]``: re-check stored certificates (verify.certify),
    one line per certificate as soon as it is checked."""
    from . import external as ext
    from .certify import RecheckStatus, certificate_files, find_manifests, iter_recheck
    from .phase import set_phase
    from .report import LoadError, Progress, RunReport, write_json, write_junit
    from .verdict import Verdict

    p = CommandParser(prog="python -m verify check", stdout=stdout, exit_codes=CHECK_EXIT_CODES,
                      description="Re-check stored UNSAT certificates (manifest *.json with a CNF and an "
                                  "LRAT or DRAT proof, as its proof \"format\" says) with the trusted "
                                  "checker, verifying their sha256 hashes first; no solver is run. PATH is a "
                                  "manifest or a directory searched "
                                  "recursively (default: proofs/ here, else the clone's). One line per "
                                  "certificate as it is checked; on a terminal a status line shows the "
                                  "one in progress. A manifest that is malformed, edited or not of this "
                                  "store is REJECTED; so is a certificate file no manifest names, a "
                                  "manifest whose files are missing, and a file outside the folder checked.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="manifests or directories (default: proofs/)")
    p.add_argument("--against", action="append", metavar="SPECS",
                   help="also re-encode each certificate's claim from the spec files under SPECS (a "
                        "folder or file) and require the CNF the encoder produces now to be the stored "
                        "one (a stale certificate is REJECTED). Rule and coupling checks run no solver; "
                        "a gap claim re-runs its search (bounded by --timeout). The lines come at the end.")
    p.add_argument("--timeout", type=timeout_arg, metavar="S",
                   help="seconds per certificate check (and per re-encoded claim); a check that runs "
                        "out is REJECTED (timeout) and the others are still checked")
    p.add_argument("--external", metavar="TOOLS",
                   help="also run outside checkers on every certificate of a format they read and "
                        "print whether they agree: a comma-separated list of lrat-check, cake_lpr, "
                        "drat-trim, each found on PATH or given as NAME=PATH (build them with "
                        "../shared/tools/build.sh DIR); an absent tool is reported and skipped")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON (as the main run's --json)")
    p.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")
    args = p.parse_args(argv)
    tools, absent, errors = ext.parse_external(args.external) if args.external is not None else ([], [], [])
    if errors:
        raise UsageError("--external: " + "; ".join(errors))
    paths = args.paths or [str(default_proofs_dir())]
    total = len(find_manifests(paths))
    for msg in absent:
        print(f"external {msg}: skipped", file=stdout)
    tally = ext.Tally(tools)
    if args.against:
        from .against import check_against
        checked = ((path, status, reason, 0.0)
                   for path, status, reason in check_against(paths, args.against, args.timeout))
    else:
        checked = iter_recheck(paths, args.timeout)
    t0 = time.perf_counter()
    results: list[CheckResult] = []
    malformed: list[LoadError] = []
    counts = {status: 0 for status in RecheckStatus}
    interrupted = None
    with Progress(stderr, total) as progress:
        progress.start("certificates")
        set_phase("checking certificate")
        try:
            for path, status, reason, seconds in checked:
                counts[status] += 1
                progress.finish_one()
                progress.clear()
                print(f"{status.value} {path}" + (f": {reason}" if status is not RecheckStatus.VERIFIED else ""),
                      file=stdout, flush=True)
                progress.start(f"certificates (last: {path.name})")
                if status is RecheckStatus.MALFORMED:
                    malformed.append(LoadError(str(path), reason))
                else:
                    results.append(CheckResult(
                        spec=str(path), check="certificate", expected=Verdict.PROVED, seconds=seconds,
                        verdict=Verdict.PROVED if status is RecheckStatus.VERIFIED else Verdict.ERROR,
                        message=reason, method="trusted checker (verify.checker)", source=str(path)))
                files = certificate_files(path) if tools else None
                for tool in tools:
                    if files is None or files[2] not in ext.TOOLS[tool.name][0]:
                        continue
                    started = time.perf_counter()
                    verdict = ext.run_tool(tool, files[0], files[1], args.timeout)
                    agreement = tally.add(tool.name, status is RecheckStatus.VERIFIED, verdict)
                    print(f"  {tool.name}: {verdict} ({agreement})", file=stdout, flush=True)
                    # a disagreement fails the run (exit 1); a tool without a verdict does not
                    results.append(CheckResult(
                        spec=str(path), check=f"external {tool.name}",
                        expected=None if agreement == "no verdict" else Verdict.PROVED,
                        verdict={"agrees": Verdict.PROVED, "DISAGREES": Verdict.ERROR}.get(agreement, Verdict.UNKNOWN),
                        seconds=time.perf_counter() - started, message=f"{verdict} ({agreement})",
                        method=f"outside checker {tool.name}", source=str(path)))
        except KeyboardInterrupt as e:      # SIGINT, or SIGTERM through the handler of main()
            interrupted = getattr(e, "name", "SIGINT")
        finally:
            set_phase(None)
    done = sum(1 for r in results if r.check == "certificate") + len(malformed)
    if not done and not interrupted:
        raise UsageError(f"no certificates found in {' '.join(paths)}")
    print(f"{done} certificates: {counts[RecheckStatus.VERIFIED]} verified, "
          f"{counts[RecheckStatus.REJECTED] + len(malformed)} rejected"
          + (f" ({len(malformed)} malformed)" if malformed else ""), file=stdout)
    for line in tally.lines():
        print(line, file=stdout)
    report = RunReport(results, time.perf_counter() - t0, load_errors=malformed,
                       interrupted=interrupted, not_run=max(total - done, 0) if interrupted else 0)
    if interrupted:
        print(f"interrupted by {interrupted}: {report.not_run} certificate(s) not checked", file=stdout)
    for path, writer in ((args.json, write_json), (args.junit, write_junit)):
        if path:
            try:
                writer(report, Path(path))
            except OSError as e:
                print(f"error: {path}: cannot write report: {e.strerror}", file=stderr)
                return EXIT_USAGE
    return report.exit_code


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

    p = CommandParser(prog="python -m verify list", stdout=stdout,
                      exit_codes="exit codes:\n  0  listed\n  2  usage error",
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
        if name == "run" and argv and _looks_like_command(argv[0]):
            close = difflib.get_close_matches(argv[0], COMMANDS, n=1)
            raise UsageError(f"unknown command '{argv[0]}'" + (f": did you mean `{close[0]}`?" if close else "")
                             + f" (commands: {', '.join(sorted(COMMANDS))}; a path to run must exist)")
        missing = missing_dependencies()
        if missing and not any(a in ("-h", "--help") for a in argv):
            print(f"error: missing Python package(s) {', '.join(missing)}; install the toolkit first "
                  f"(README, Quick start): {INSTALL}", file=stderr)
            return EXIT_USAGE
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


def _looks_like_command(word: str) -> bool:
    """A bare word that is no existing path (``python -m verify chek``), not a spec to run."""
    return (not word.startswith("-") and not Path(word).exists()
            and "/" not in word and "." not in word and word.replace("-", "").isalnum())


def entry() -> None:
    sys.exit(main())
