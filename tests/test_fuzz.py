"""Quick fuzzing of every parser in the suite (issue 10.7): hypothesis-driven mutations of real
files (benchmarks/fuzz.py's seeds and mutation operators) must parse or fail with the project's
own error type naming the file, never another exception. The long runs (10^4-10^5 inputs per
format, in memory-limited child processes) are ``benchmarks/fuzz.py``; ``benchmarks/fuzz.out``
holds the last one."""
import importlib.util
import os
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.checker import CheckerInputError, check_certificate
from verify.circuits.formats import read_circuit
from verify.errors import UserError
from verify.specs import load_spec

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_harness", ROOT / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_harness"] = fuzz   # dataclasses look their module up there
_spec.loader.exec_module(fuzz)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
SEEDS = {fmt: fuzz.seeds(fmt) for fmt in ("bench", "blif", "aag", "aig", "toml", "dimacs", "drat", "lrat")}
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def mutated(fmt: str):
    return st.tuples(st.integers(0, len(SEEDS[fmt]) - 1), st.integers(0, 2 ** 32)).map(
        lambda t: fuzz.mutate(SEEDS[fmt][t[0]], random.Random(t[1])))


@pytest.mark.parametrize("fmt", ["bench", "blif", "aag", "aig"])
def test_circuit_readers_fail_cleanly(tmp_path, fmt):
    @SETTINGS
    @given(data=mutated(fmt))
    def one(data):
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(data)
        try:
            read_circuit(path).stats()
        except UserError as e:
            assert e.file == str(path)
    one()


def test_spec_loader_fails_cleanly(tmp_path):
    @SETTINGS
    @given(data=mutated("toml"))
    def one(data):
        path = tmp_path / "x.toml"
        path.write_bytes(data)
        try:
            load_spec(path)
        except UserError as e:
            assert e.file == str(path)
    one()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cert")
    (folder / "seed.cnf").write_bytes(SEEDS["dimacs"][0])
    (folder / "seed.drat").write_bytes(SEEDS["drat"][0])
    return folder


# The trusted checker's faults this fuzzing found (StopIteration and ValueError out of the
# integer parsing) are fixed (benchmarks/fuzz.out, run 5): these tests must pass outright.


def test_checker_fails_cleanly_on_mutated_cnfs(tmp_path, certificate):
    """A mutated CNF is rejected as malformed or checked; a VERIFIED one must be unsatisfiable."""
    from verify.checker import read_dimacs
    from verify.encode.sat import SatStatus, solve

    @SETTINGS
    @given(data=mutated("dimacs"))
    def one(data):
        path = tmp_path / "x.cnf"
        path.write_bytes(data)
        try:
            outcome = check_certificate(path, certificate / "seed.drat")
        except CheckerInputError:
            return
        if outcome.verified:
            cnf = read_dimacs(path)
            assert solve(cnf.clauses, cnf.num_vars, timeout=None, proof=False).status is SatStatus.UNSAT
    one()


@pytest.mark.parametrize("fmt", ["drat", "lrat"])
def test_checker_fails_cleanly_on_mutated_proofs(tmp_path, certificate, fmt):
    @settings(SETTINGS, max_examples=max(1, EXAMPLES // 3))
    @given(data=mutated(fmt))
    def one(data):
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(data)
        try:
            check_certificate(certificate / "seed.cnf", path, fmt=fmt)
        except CheckerInputError:
            pass
    one()


def test_mutation_operators_change_the_input():
    """The harness itself: mutations are deterministic per seed and do change the file."""
    base = SEEDS["bench"][0]
    outs = {fuzz.mutate(base, random.Random(k)) for k in range(50)}
    assert len(outs) > 40
    assert fuzz.mutate(base, random.Random(7)) == fuzz.mutate(base, random.Random(7))
