"""The layers import one way (STYLE.md §1): circuits and the DLM model know nothing of solvers,
encoders, checks, specs or the CLI; encoders know nothing of checks, specs or the CLI."""
import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "verify"
SOLVERS = {"z3", "pysat", "dd", "pyganak", "sympy"}
ABOVE_MODEL = {"verify.encode", "verify.checks", "verify.specs", "verify.cli", "verify.runner",
               "verify.report", "verify.certify", "verify.constructions", "verify.gap",
               "verify.distribution.symbolic"}
ABOVE_ENCODERS = ABOVE_MODEL - {"verify.encode"}


def imports(path: Path) -> set[str]:
    """Absolute names of every module a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PKG.parent).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


def offending(files, forbidden_prefixes):
    bad = []
    for f in files:
        for name in imports(f):
            if any(name == p or name.startswith(p + ".") for p in forbidden_prefixes):
                bad.append(f"{f.relative_to(PKG.parent)} imports {name}")
    return bad


@pytest.mark.parametrize("layer", ["circuits", "dlm"])
def test_model_layers_import_no_solver_and_nothing_above(layer):
    files = sorted((PKG / layer).glob("*.py"))
    assert files
    assert offending(files, SOLVERS | ABOVE_MODEL) == []


def test_encoders_import_nothing_above_them():
    files = sorted((PKG / "encode").glob("*.py"))
    assert offending(files, ABOVE_ENCODERS) == []


def test_the_check_of_this_test_can_fail(tmp_path):
    """The import scanner does see a forbidden import (so the tests above can fail)."""
    f = PKG / "dlm" / "model.py"
    assert "verify.circuits.ir" in imports(f)
    assert offending([PKG / "checks" / "rules.py"], {"verify.encode"}) != []
