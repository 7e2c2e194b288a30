"""``python -m verify.checker CNF PROOF``: one verdict line.

Exit codes: 0 VERIFIED, 1 NOT VERIFIED, 2 usage error or malformed file (file:line named)."""
from __future__ import annotations

import sys

from . import CheckerInputError, check_certificate


def main(argv: list[str], stdout=sys.stdout, stderr=sys.stderr) -> int:
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=stdout if argv[:1] in (["-h"], ["--help"]) else stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        outcome = check_certificate(argv[0], argv[1])
    except CheckerInputError as e:
        print(f"{e}", file=stderr)
        print("s NOT VERIFIED: malformed input", file=stdout)
        return 2
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=stderr)
        print("s NOT VERIFIED: unreadable input", file=stdout)
        return 2
    for w in outcome.warnings:
        print(f"c WARNING: {w}", file=stdout)
    print(f"c {outcome.lemmas_checked} of {outcome.lemmas_total} lemmas checked "
          f"in {outcome.seconds:.3f}s", file=stdout)
    print(f"c reason: {outcome.reason}", file=stdout)
    print(outcome.verdict_line(), file=stdout)
    return 0 if outcome.verified else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
