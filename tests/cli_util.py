"""The in-process command line for tests: ``main(argv, stdout, stderr)`` with captured streams."""
from __future__ import annotations

import io

from verify.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``python -m verify ARGV...``."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()
