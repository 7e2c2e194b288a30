"""usage: python -m verify.checker [--format drat|lrat] [--timeout S] [--trim OUT] CNF PROOF

Check PROOF (DRAT or LRAT, text; DRAT also binary; either may be gzip-compressed) against the
DIMACS CNF and print one verdict line. --format defaults to the proof's file name (*.lrat,
*.lrat.gz: LRAT; otherwise DRAT). --timeout stops the check after S seconds (NOT VERIFIED).
--trim OUT (LRAT only) writes the trimmed proof that was verified: the lemmas the empty clause
depends on through hints, without deletions.

Exit codes: 0 VERIFIED, 1 NOT VERIFIED, 2 usage error or malformed file (file:line named)."""
from __future__ import annotations

import math
import signal
import sys

from . import FORMATS, CheckerInputError, check_certificate


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout


def _parse(argv: list[str]):
    opts, files = {"--format": None, "--timeout": None, "--trim": None}, []
    it = iter(argv)
    for a in it:
        if a in opts:
            opts[a] = next(it, None)
            if opts[a] is None:
                raise ValueError(f"{a} needs a value")
        elif a.startswith("-") and a != "-":
            raise ValueError(f"unknown option {a}")
        else:
            files.append(a)
    if len(files) != 2:
        raise ValueError("expected CNF and PROOF")
    if opts["--format"] is not None and opts["--format"] not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}")
    timeout = None
    if opts["--timeout"] is not None:
        try:
            timeout = float(opts["--timeout"])
        except ValueError:
            timeout = -1.0
        if not (math.isfinite(timeout) and 0 < timeout <= 1e7):
            raise ValueError("--timeout must be a number of seconds in (0, 1e7]")
    return files, opts["--format"], timeout, opts["--trim"]


def main(argv: list[str], stdout=sys.stdout, stderr=sys.stderr) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip(), file=stdout)
        return 0
    try:
        (cnf, proof), fmt, timeout, trim = _parse(argv)
        if trim and (fmt or ("lrat" if proof.endswith((".lrat", ".lrat.gz")) else "drat")) != "lrat":
            raise ValueError("--trim works on LRAT proofs only")
    except ValueError as e:
        print(f"error: {e}\n{__doc__.strip()}", file=stderr)
        return 2
    old = None
    if timeout is not None:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        # repeating: a raise that lands where Python swallows it (a gc callback) is retried
        signal.setitimer(signal.ITIMER_REAL, timeout, 0.05)
    try:
        outcome = check_certificate(cnf, proof, fmt, trim=bool(trim))
    except _Timeout:
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(f"s NOT VERIFIED: timeout after {timeout:g} s", file=stdout)
        return 1
    except CheckerInputError as e:
        print(f"{e}", file=stderr)
        print("s NOT VERIFIED: malformed input", file=stdout)
        return 2
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=stderr)
        print("s NOT VERIFIED: unreadable input", file=stdout)
        return 2
    finally:
        if timeout is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    for w in outcome.warnings:
        print(f"c WARNING: {w}", file=stdout)
    print(f"c {outcome.lemmas_checked} of {outcome.lemmas_total} lemmas checked "
          f"in {outcome.seconds:.3f}s", file=stdout)
    if trim and outcome.verified:
        data = getattr(outcome, "trimmed", None)
        if data is None:
            print(f"c trim: {outcome.trim_note}", file=stdout)
        else:
            try:
                with open(trim, "wb") as f:
                    f.write(data)
            except OSError as e:
                print(f"{trim}: {e.strerror}", file=stderr)
                print("s NOT VERIFIED: cannot write the trimmed proof", file=stdout)
                return 2
            print(f"c trimmed: {outcome.trimmed_lemmas} of {outcome.lemmas_total} lemmas, "
                  f"{len(data)} bytes written to {trim}", file=stdout)
    print(f"c reason: {outcome.reason}", file=stdout)
    print(outcome.verdict_line(), file=stdout)
    return 0 if outcome.verified else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
