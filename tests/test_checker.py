"""The trusted checker: accepts solver proofs, rejects every broken certificate we can make."""
from __future__ import annotations

import ast
import io
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import verify.checker as checker
from verify.checker import CheckerInputError, check_certificate, check_proof, parse_proof
from verify.checker.__main__ import main as checker_main
from verify.encode.cnf_families import pigeonhole, random_kcnf
from verify.encode.sat import SatStatus, solve, supports_proof, solver_names

ROOT = Path(__file__).resolve().parents[1]


def text_drat(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def binary_drat(lines: list[str]) -> bytes:
    """Encode text DRAT lines as binary DRAT (the drat-trim format: a/d, varint 2v+sign, 0)."""
    out = bytearray()
    for line in lines:
        toks = line.split()
        out.append(0x64 if toks[0] == "d" else 0x61)
        for t in toks[1:] if toks[0] == "d" else toks:
            lit = int(t)
            if lit == 0:
                break
            u = 2 * abs(lit) + (lit < 0)
            while u > 0x7F:
                out.append(0x80 | (u & 0x7F))
                u >>= 7
            out.append(u)
        out.append(0)
    return bytes(out)


def brute_force_sat(clauses, num_vars) -> bool:
    for bits in itertools.product((False, True), repeat=num_vars):
        if all(any(bits[abs(l) - 1] == (l > 0) for l in c) for c in clauses):
            return True
    return False


def solver_proof(clauses, num_vars, solver="cadical153") -> list[str]:
    out = solve(clauses, num_vars, timeout=None, proof=True, solver=solver)
    assert out.status is SatStatus.UNSAT
    return out.proof


def check(clauses, num_vars, lines):
    return check_proof(num_vars, clauses, parse_proof(text_drat(lines)))


def write(tmp_path: Path, clauses, num_vars, proof: bytes, name="f"):
    cnf = tmp_path / f"{name}.cnf"
    prf = tmp_path / f"{name}.drat"
    cnf.write_bytes(checker.write_dimacs(clauses, num_vars))
    prf.write_bytes(proof)
    return cnf, prf


def unsat_random(seed: int, n: int = 30):
    for s in itertools.count(seed * 1000):
        clauses = random_kcnf(n, 7 * n, 3, seed=s)
        if solve(clauses, n, timeout=None, proof=False).status is SatStatus.UNSAT:
            return clauses, n


PHP = {(4, 3): pigeonhole(4, 3), (5, 4): pigeonhole(5, 4)}


# ---- acceptance --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(4, 3), (5, 4)])
@pytest.mark.parametrize("solver", ["cadical153", "cadical195", "glucose4"])
def test_accepts_pigeonhole_proofs(tmp_path, size, solver):
    clauses, nv = PHP[size]
    proof = solver_proof(clauses, nv, solver)
    for data in (text_drat(proof), binary_drat(proof)):
        cnf, prf = write(tmp_path, clauses, nv, data)
        out = check_certificate(cnf, prf)
        assert out.verified, out.reason
        assert out.binary_proof == (data[:1] == b"a")
        assert 0 < out.lemmas_checked <= out.lemmas_total


@pytest.mark.parametrize("solver", [n for n in solver_names() if supports_proof(n)])
def test_every_proof_logging_backend_is_accepted(solver):
    clauses, nv = PHP[(4, 3)]
    out = check(clauses, nv, solver_proof(clauses, nv, solver))
    assert out.verified, (solver, out.reason)


@pytest.mark.parametrize("seed", range(4))
def test_accepts_random_unsat_3cnf(seed):
    clauses, nv = unsat_random(seed)
    out = check(clauses, nv, solver_proof(clauses, nv))
    assert out.verified, out.reason


def test_accepts_cadical_raw_binary_trace(tmp_path):
    """The binary trace CaDiCaL writes (before PySAT converts it) parses and checks."""
    from pysat.solvers import Solver
    clauses, nv = PHP[(5, 4)]
    with Solver(name="cadical153", bootstrap_with=clauses, with_proof=True) as s:
        assert s.solve() is False
        text = s.get_proof()
        prfile = getattr(s.solver, "prfile", None)
        if prfile is None:
            pytest.skip("PySAT internals changed: no raw proof file")
        prfile.seek(0)
        raw = prfile.read()
    assert checker.is_binary(raw)
    assert parse_proof(raw).clauses == parse_proof(text_drat(text)).clauses
    cnf, prf = write(tmp_path, clauses, nv, raw)
    assert check_certificate(cnf, prf).verified


def test_text_and_binary_parse_alike():
    lines = ["1 -2 0", "d 1 -2 0", "-300 0", "c a comment", "0"]
    t, b = parse_proof(text_drat(lines)), parse_proof(binary_drat([l for l in lines if l[0] != "c"]))
    assert not t.binary and b.binary
    assert t.clauses == b.clauses == [[1, -2], [1, -2], [-300], []]
    assert list(t.kinds) == list(b.kinds) == [0, 1, 0, 0]
    assert checker.is_binary(b"a\x02\x00") and not checker.is_binary(b"1 2 0\nd 1 2 0\n")


def test_trivial_cases():
    assert check([[1], [-1]], 1, []).verified                  # refuted by propagation alone
    assert check([[1, 2], []], 2, []).verified                 # contains the empty clause
    out = check([[1, 2], [-1, 2], [1, -2], [-1, -2]], 2, ["1 0", "0"])
    assert out.verified and out.lemmas_checked == 1            # '0' is the conflict point


def test_rat_lemma_in_core():
    # F is UNSAT but not by propagation; '3 0' is RAT (no clause has -3), not RUP, and is used.
    f = [[1, 2], [-1, 2], [1, -2], [-1, -2]]
    out = check(f, 3, ["3 0", "-3 1 0", "1 0", "0"])
    assert out.verified, out.reason
    assert out.rat_lemmas == 1


# ---- rejection ---------------------------------------------------------------------------------

def test_rejects_empty_proof_for_nontrivial_formula():
    clauses, nv = PHP[(4, 3)]
    out = check(clauses, nv, [])
    assert not out.verified and "no conflict" in out.reason


def test_rejects_unjustified_empty_clause():
    clauses, nv = PHP[(4, 3)]
    out = check(clauses, nv, ["0"])
    assert not out.verified and "lemma 1 (line 1)" in out.reason


def test_rejects_non_rat_lemma_and_names_it():
    f = [[1, 2], [-1, 2], [1, -2]]                              # SAT: 1 = 2 = true
    out = check(f, 2, ["c first line is a comment", "-2 0", "0"])
    assert not out.verified
    assert "lemma 1 (line 2)" in out.reason and "CNF clause 2" in out.reason


def test_rejects_dropped_lemma():
    clauses, nv = PHP[(4, 3)]
    proof = solver_proof(clauses, nv)
    assert check(clauses, nv, proof).verified
    lemma_positions = [i for i, l in enumerate(proof) if not l.startswith("d") and l != "0"]
    rejected = 0
    for i in lemma_positions:
        out = check(clauses, nv, proof[:i] + proof[i + 1:])
        if not out.verified:
            rejected += 1
            assert "lemma" in out.reason or "no conflict" in out.reason
    assert rejected > 0


def test_rejects_flipped_literal_with_lemma_name():
    clauses, nv = PHP[(5, 4)]
    proof = solver_proof(clauses, nv)
    rejected = 0
    for i, line in enumerate(proof):
        if line.startswith("d") or line == "0":
            continue
        lits = line.split()
        lits[0] = str(-int(lits[0]))
        out = check(clauses, nv, proof[:i] + [" ".join(lits)] + proof[i + 1:])
        if not out.verified:
            rejected += 1
            assert re.search(r"lemma \d+ \(line \d+\)", out.reason) or "no conflict" in out.reason
    assert rejected > 0


def test_rejects_proof_of_another_cnf():
    a, nv = unsat_random(0)
    b, _ = unsat_random(1)
    assert not check(b, nv, solver_proof(a, nv)).verified
    php43, nv43 = PHP[(4, 3)]
    assert not check(php43, nv43, solver_proof(*PHP[(5, 4)])).verified


def test_rejects_sat_formula_with_solver_proof():
    clauses, nv = PHP[(4, 3)]
    proof = solver_proof(clauses, nv)
    for drop in range(len(clauses)):                            # any one clause less: SAT
        weaker = clauses[:drop] + clauses[drop + 1:]
        assert brute_force_sat(weaker, nv)
        assert not check(weaker, nv, proof).verified


clause_st = st.lists(st.integers(1, 6).flatmap(lambda v: st.sampled_from([v, -v])),
                     min_size=0, max_size=4)


@settings(max_examples=300, deadline=None)
@given(cnf=st.lists(clause_st.filter(bool), min_size=1, max_size=14),
       proof=st.lists(st.tuples(st.booleans(), clause_st), max_size=12))
def test_sound_on_random_cnfs_and_proofs(cnf, proof):
    """Whatever the proof (RUP, RAT, deletions, junk), VERIFIED implies brute-force UNSAT."""
    lines = [("d " if d and c else "") + " ".join(map(str, c)) + " 0" for d, c in proof] + ["0"]
    out = check(cnf, 6, lines)
    if out.verified:
        assert not brute_force_sat(cnf, 6)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_complete_on_solver_proofs_of_small_random_cnfs(seed):
    clauses = random_kcnf(8, 50, 3, seed=seed)
    out = solve(clauses, 8, timeout=None, proof=True)
    assert (out.status is SatStatus.SAT) == brute_force_sat(clauses, 8)
    if out.status is SatStatus.UNSAT:
        assert check(clauses, 8, out.proof).verified


# ---- malformed input: file:line, exit 2 --------------------------------------------------------

@pytest.mark.parametrize("text, where, what", [
    (b"1 2 0\n", "line 1", "before the 'p cnf' header"),
    (b"c hi\np cnf 2\n1 2 0\n", "line 2", "malformed header"),
    (b"p cnf 2 1\n1 x 0\n", "line 2", "not an integer: 'x'"),
    (b"p cnf 2 1\n1 +2 0\n", "line 2", "not an integer"),
    (b"p cnf 2 2\n1 2 0\n-3 0\n", "line 3", "literal -3 exceeds"),
    (b"p cnf 2 2\n1 2 0\n", "line 3", "announces 2 clauses, file has 1"),
    (b"p cnf 2 1\n1 2\n", "line 2", "not terminated"),
    (b"p cnf 2 1\np cnf 2 1\n1 0\n", "line 2", "second 'p' header"),
])
def test_malformed_dimacs(tmp_path, text, where, what):
    with pytest.raises(CheckerInputError) as e:
        checker.parse_dimacs(text, "f.cnf")
    assert str(e.value).startswith(f"f.cnf:{where}: ") and what in str(e.value)


@pytest.mark.parametrize("data, where", [
    (b"1 2 0\n1 y 0\n", "line 2"),
    (b"1 2 0\n-1 2\n", "line 2"),
    (b"1 2 0\nd 1 d 0\n", "line 2"),
    (b"a\x02\x00\x07\x02\x00", "byte 3"),       # binary: bad tag
    (b"a\x02\x00a\x04", "byte 3"),              # binary: unterminated
])
def test_malformed_proof(data, where):
    with pytest.raises(CheckerInputError) as e:
        parse_proof(data, "p.drat")
    assert str(e.value).startswith(f"p.drat:{where}: ")


def test_main_exit_codes(tmp_path):
    clauses, nv = PHP[(4, 3)]
    cnf, prf = write(tmp_path, clauses, nv, text_drat(solver_proof(clauses, nv)))
    out, err = io.StringIO(), io.StringIO()
    assert checker_main([str(cnf), str(prf)], out, err) == 0
    assert out.getvalue().splitlines()[-1] == "s VERIFIED"
    empty = tmp_path / "empty.drat"
    empty.write_bytes(b"")
    out = io.StringIO()
    assert checker_main([str(cnf), str(empty)], out, err) == 1
    assert out.getvalue().splitlines()[-1].startswith("s NOT VERIFIED: no conflict")
    bad = tmp_path / "bad.cnf"
    bad.write_bytes(b"p cnf 1 1\n2 0\n")
    err = io.StringIO()
    assert checker_main([str(bad), str(prf)], io.StringIO(), err) == 2
    assert f"{bad}:line 2:" in err.getvalue()
    assert checker_main([str(cnf)], io.StringIO(), io.StringIO()) == 2


def test_main_as_module(tmp_path):
    clauses, nv = PHP[(4, 3)]
    cnf, prf = write(tmp_path, clauses, nv, binary_drat(solver_proof(clauses, nv)))
    run = subprocess.run([sys.executable, "-m", "verify.checker", str(cnf), str(prf)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == "s VERIFIED", run.stderr


# ---- the checker stays small and self-contained ------------------------------------------------

def test_checker_imports_only_the_standard_library():
    package = ROOT / "verify" / "checker"
    files = sorted(package.glob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 0:                   # relative: must stay inside verify.checker
                    assert node.level == 1, f"{path.name}:{node.lineno}: relative import leaves the package"
                    continue
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                raise AssertionError(f"{path.name}:{node.lineno}: dynamic import")
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names, f"{path.name}:{node.lineno}: imports {name}"
