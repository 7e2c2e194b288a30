"""The trusted checker's LRAT mode: accepts solver LRAT, rejects every broken proof we can make
(naming the line), agrees with brute force, with the DRAT path and with the trimmed proof."""
from __future__ import annotations

import io
import itertools
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from verify.checker import check_certificate, check_lrat, check_proof, parse_proof, write_dimacs
from verify.checker.__main__ import main as checker_main
from verify.encode.cnf_families import pigeonhole, random_kcnf
from verify.encode.sat import SatStatus, solve


def brute_force_sat(clauses, num_vars) -> bool:
    for bits in itertools.product((False, True), repeat=num_vars):
        if all(any(bits[abs(l) - 1] == (l > 0) for l in c) for c in clauses):
            return True
    return False


def lrat_of(clauses, num_vars, tmp_path: Path, name="p") -> bytes:
    path = tmp_path / f"{name}.lrat"
    out = solve(clauses, num_vars, timeout=None, proof=True, solver="cadical195",
                proof_format="lrat", proof_path=path)
    assert out.status is SatStatus.UNSAT and out.proof_path == str(path)
    return path.read_bytes()


def check(clauses, data: bytes, trim=False):
    return check_lrat([list(c) for c in clauses], data.splitlines(keepends=True), "p.lrat", trim=trim)


def lines(data: bytes) -> list[bytes]:
    return [l for l in data.splitlines() if l.strip()]


def join(ls) -> bytes:
    return b"".join(l + b"\n" for l in ls)


def additions(ls) -> list[int]:
    return [i for i, l in enumerate(ls) if l.split()[1:2] != [b"d"]]


# ---- accepts what CaDiCaL writes, with the CNF's own clause ids ----------------------------------

PHP = pigeonhole(5, 4)[0]
TRICKY = {    # inputs that make CaDiCaL derive clauses while the CNF is still being added
    "plain": PHP,
    "repeated-literals": [[1, 1, -2]] + PHP + [[3, 3]],
    "root-units": [[1], [-1, 2], [2, -1, 5]] + PHP + [[-2, 7, 7]],
    "tautology": [[1, -1, 2]] + PHP,
    "empty-clause": PHP[:3] + [[]] + PHP[3:],
    "complementary-units": [[1], [-1]] + PHP,
    "late-complementary-units": PHP + [[1], [-1], [4]],
    "repeated-units": [[1], [1], [1]] + PHP + [[1]],
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_accepts_solver_lrat_with_cnf_clause_ids(tmp_path, name):
    clauses = TRICKY[name]
    nv = max(abs(l) for c in clauses for l in c)
    data = lrat_of(clauses, nv, tmp_path)
    out = check(clauses, data, trim=True)
    assert out.verified, out.reason
    assert out.lemmas_checked == out.lemmas_total
    again = check(clauses, out.trimmed)                      # the trimmed proof checks too
    assert again.verified and again.lemmas_total == out.trimmed_lemmas <= out.lemmas_total


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_brute_force_on_small_random_cnfs(tmp_path, seed):
    rnd = random.Random(seed)
    nv = rnd.randint(3, 9)
    clauses = random_kcnf(nv, rnd.randint(2 * nv, 6 * nv), 3, seed)
    if brute_force_sat(clauses, nv):
        out = solve(clauses, nv, timeout=None, proof=True, solver="cadical195",
                    proof_format="lrat", proof_path=tmp_path / "p.lrat")
        assert out.status is SatStatus.SAT
        return
    data = lrat_of(clauses, nv, tmp_path)
    assert check(clauses, data).verified


# ---- rejects, naming the line -------------------------------------------------------------------

@pytest.fixture(scope="module")
def php_proof(tmp_path_factory):
    clauses, nv = pigeonhole(5, 4)
    return clauses, lrat_of(clauses, nv, tmp_path_factory.mktemp("php"))


def rejected(clauses, ls, *fragments):
    out = check(clauses, join(ls))
    assert not out.verified
    for f in fragments:
        assert f in out.reason, out.reason
    return out


def test_rejects_dropped_hint(php_proof):
    clauses, data = php_proof
    ls = lines(data)
    i = next(i for i in additions(ls) if len(ls[i].split()) > 6)
    toks = ls[i].split()
    toks.pop(-2)                                  # the last hint: the conflict is gone
    ls[i] = b" ".join(toks)
    rejected(clauses, ls, f"line {i + 1}: lemma {int(toks[0])} rejected")


def test_rejects_hint_naming_another_clause(php_proof):
    clauses, data = php_proof
    ls = lines(data)
    i = additions(ls)[0]
    toks = ls[i].split()
    z = toks.index(b"0", 1)
    toks[z + 1] = str(int(toks[z + 1]) % len(clauses) + 1).encode()
    ls[i] = b" ".join(toks)
    rejected(clauses, ls, f"line {i + 1}:")


def test_rejects_unknown_and_deleted_ids(php_proof):
    clauses, data = php_proof
    ls = lines(data)
    i = additions(ls)[0]
    toks = ls[i].split()
    z = toks.index(b"0", 1)
    bad = list(toks)
    bad[z + 1] = b"99999"
    rejected(clauses, ls[:i] + [b" ".join(bad)] + ls[i + 1:], "hint 99999 names no live clause")
    used = int(toks[z + 1])
    deletion = b"%d d %d 0" % (len(clauses), used)
    rejected(clauses, ls[:i] + [deletion] + ls[i:], f"line {i + 2}:", f"hint {used} names no live clause")
    rejected(clauses, [deletion, deletion] + ls, "line 2: deletes clause", "not live")


def test_rejects_non_increasing_ids_and_reordered_lines(php_proof):
    clauses, data = php_proof
    ls = lines(data)
    a, b = additions(ls)[:2]
    rejected(clauses, ls[:a] + [ls[b], ls[a]] + ls[a + 1:b] + ls[b + 1:])
    toks = ls[a].split()
    toks[0] = str(len(clauses)).encode()          # the id of a CNF clause
    rejected(clauses, ls[:a] + [b" ".join(toks)] + ls[a + 1:], "does not increase")


def test_rejects_satisfied_and_non_unit_hints():
    clauses = [[1, 2], [-1, 2], [1, -2], [-1, -2]]
    assert check(clauses, b"5 2 0 1 2 0\n6 0 5 4 3 0\n").verified
    rejected(clauses, [b"5 2 0 1 3 0"], "line 1: lemma 5 rejected: hint 3 is satisfied")
    rejected(clauses, [b"5 0 1 0"], "hint 1 is not unit")
    rejected(clauses, [b"5 2 0 0"], "without a conflict", "no group for live clause 3")
    rejected(clauses, [b"5 2 0 1 0"], "without a conflict")
    rejected(clauses, [b"5 2 0 1 2 4 0"], "hint 4 comes after the conflict")
    rejected(clauses, [b"5 2 0 1 2 0", b"6 0 5 4 0"], "line 2:", "without a conflict")


def test_rejects_missing_empty_clause_and_truncation(php_proof):
    clauses, data = php_proof
    ls = lines(data)
    out = rejected(clauses, ls[:-1], "does not derive the empty clause")
    assert out.lemmas_checked == len(additions(ls)) - 1
    rejected(clauses, [], "does not derive the empty clause")


def test_rejects_proof_for_another_cnf(php_proof, tmp_path):
    _, data = php_proof
    other, nv = pigeonhole(4, 3)
    assert not check(other, data).verified
    shuffled = PHP[1:] + PHP[:1]                  # same clauses, other order: ids differ
    assert not check(shuffled, data).verified


def test_rat_steps_and_their_groups():
    clauses = [[1, 2], [1, -2], [-1, 2], [-1, -2]]
    ok = [b"5 3 1 0 0", b"6 -3 1 0 -5 1 2 0", b"7 1 0 1 2 0", b"8 0 7 3 4 0"]
    out = check(clauses, join(ok), trim=True)
    assert out.verified and out.rat_lemmas == 2
    assert out.trimmed == b"7 1 0 1 2 0\n8 0 7 3 4 0\n"          # the RAT lemmas are not needed
    rejected(clauses, [ok[0], b"6 -3 1 0 0"] + ok[2:], "line 2:", "no group for live clause 5")
    rejected(clauses, [ok[0], b"6 -3 1 0 -5 1 0"] + ok[2:], "RAT group 5: its hints end without a conflict")
    rejected(clauses, [ok[0], b"6 -3 1 0 -4 1 2 0"] + ok[2:], "RAT group 4 names no live clause")
    rejected(clauses, [ok[0], b"6 -3 1 0 -5 1 2 -5 1 2 0"] + ok[2:], "RAT group 5 repeated")
    # a used RAT step: the proof is verified but not trimmed
    used = [ok[0], b"6 -3 1 0 -5 1 2 0", b"7 1 0 5 6 0", b"8 0 7 3 4 0"]
    out = check(clauses, join(used), trim=True)
    assert out.verified and out.trimmed is None and "RAT" in out.trim_note


def test_malformed_lines_name_the_line():
    from verify.checker import CheckerInputError
    clauses = [[1], [-1]]
    for bad, where in [(b"3 0 1 2\n", 1), (b"c ok\n3 x 0 1 2 0\n", 2), (b"2 d 1\n", 1), (b"2 d 1 -1 0\n", 1),
                       (b"+3 0 1 2 0\n", 1), (b"3 1 0 0 0 1 0\n", 1)]:
        with pytest.raises(CheckerInputError, match=f"p.lrat:line {where}:"):
            check(clauses, bad)


# ---- soundness and differential tests -----------------------------------------------------------

def lrat_to_drat(clauses, data: bytes) -> list[str]:
    """The same proof as DRAT: lemma literals in order, deletions by clause content."""
    db = {i: c for i, c in enumerate(clauses, 1)}
    out = []
    for line in data.splitlines():
        nums = [int(t) if t != b"d" else None for t in line.split()]
        if not nums:
            continue
        if nums[1] is None:
            out.extend("d " + " ".join(map(str, db[d])) + " 0" for d in nums[2:-1] if d in db)
            continue
        z = nums.index(0, 1)
        db[nums[0]] = nums[1:z]
        out.append(" ".join(map(str, nums[1:z] + [0])))
    return out


MUTATIONS = ["drop-line", "swap-lines", "flip-literal", "drop-hint", "shift-hint", "negate-hint"]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutants_never_accepted_where_drat_or_brute_force_says_no(tmp_path, seed, mutation):
    """A mutated solver proof that the LRAT checker still accepts is also accepted by the DRAT
    path (LRAT is the stricter check), and the formula is UNSAT by brute force."""
    rnd = random.Random(seed * 31 + MUTATIONS.index(mutation))
    nv = 8
    clauses = random_kcnf(nv, 60, 3, seed + 100)
    if brute_force_sat(clauses, nv):
        clauses = clauses + [[1], [-1, 2], [-2, -1]]
    ls = lines(lrat_of(clauses, nv, tmp_path))
    adds = additions(ls)
    i = rnd.choice(adds)
    toks = ls[i].split()
    z = toks.index(b"0", 1)
    if mutation == "drop-line":
        del ls[i]
    elif mutation == "swap-lines" and len(adds) > 1:
        j = rnd.choice(adds)
        ls[i], ls[j] = ls[j], ls[i]
    elif mutation == "flip-literal" and z > 1:
        k = rnd.randrange(1, z)
        toks[k] = str(-int(toks[k])).encode()
    elif mutation == "drop-hint" and len(toks) > z + 2:
        del toks[rnd.randrange(z + 1, len(toks) - 1)]
    elif mutation == "shift-hint" and len(toks) > z + 2:
        k = rnd.randrange(z + 1, len(toks) - 1)
        toks[k] = str(max(1, int(toks[k]) + rnd.choice((-1, 1)))).encode()
    elif mutation == "negate-hint" and len(toks) > z + 2:
        k = rnd.randrange(z + 1, len(toks) - 1)
        toks[k] = str(-int(toks[k])).encode()
    if mutation not in ("drop-line", "swap-lines"):
        ls[i] = b" ".join(toks)
    data = join(ls)
    out = check(clauses, data)
    drat = check_proof(nv, clauses, parse_proof("".join(l + "\n" for l in lrat_to_drat(clauses, data)).encode()))
    if out.verified:
        assert drat.verified, drat.reason
    assert not brute_force_sat(clauses, nv)      # so accepting it was right in the first place


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_sound_on_random_cnfs_and_random_lrat(data):
    """Random small CNFs with random LRAT steps: whatever the checker accepts is UNSAT."""
    nv = data.draw(st.integers(2, 4))
    lit = st.integers(1, nv).flatmap(lambda v: st.sampled_from((v, -v)))
    clauses = data.draw(st.lists(st.lists(lit, min_size=1, max_size=3), min_size=1, max_size=8))
    steps, next_id = [], len(clauses) + 1
    for _ in range(data.draw(st.integers(1, 5))):
        lemma = data.draw(st.lists(lit, max_size=2))
        hints = data.draw(st.lists(st.integers(-next_id, next_id), max_size=5).map(
            lambda hs: [h for h in hs if h]))
        steps.append(" ".join(map(str, [next_id] + lemma + [0] + hints + [0])))
        next_id += 1
    out = check(clauses, ("\n".join(steps) + "\n").encode())
    if out.verified:
        assert not brute_force_sat(clauses, nv)


def test_lrat_and_drat_paths_agree_on_solver_proofs(tmp_path):
    for seed in range(4):
        clauses, nv = random_kcnf(40, 180, 3, seed), 40
        if solve(clauses, nv, timeout=None, proof=False).status is not SatStatus.UNSAT:
            continue
        data = lrat_of(clauses, nv, tmp_path, f"s{seed}")
        drat = solve(clauses, nv, timeout=None, proof=True, solver="cadical195").proof
        assert check(clauses, data).verified
        assert check_proof(nv, clauses, parse_proof("".join(l + "\n" for l in drat).encode())).verified
        assert check_proof(nv, clauses, parse_proof(
            "".join(l + "\n" for l in lrat_to_drat(clauses, data)).encode())).verified


# ---- the command line, and files that declare more than they hold (issue 10) ------------------

def run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    code = checker_main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_main_lrat_trim_and_format(tmp_path):
    clauses, nv = pigeonhole(5, 4)
    cnf = tmp_path / "c.cnf"
    cnf.write_bytes(write_dimacs(clauses, nv))
    data = lrat_of(clauses, nv, tmp_path)
    proof = tmp_path / "p.txt"                           # the name says nothing: --format does
    proof.write_bytes(data)
    code, out, _ = run_main(["--format", "lrat", "--trim", str(tmp_path / "t.lrat"), str(cnf), str(proof)])
    assert code == 0 and out.endswith("s VERIFIED\n") and "c trimmed: " in out
    code, out, _ = run_main([str(cnf), str(tmp_path / "t.lrat")])
    assert code == 0 and out.endswith("s VERIFIED\n")
    code, _, err = run_main(["--trim", "x", str(cnf), str(proof)])      # DRAT by its name
    assert code == 2 and "LRAT" in err
    for bad in (["--format", "frat", str(cnf), str(proof)], ["--timeout", "nan", str(cnf), str(proof)],
                ["--timeout", "inf", str(cnf), str(proof)], ["--timeout"], [str(cnf)]):
        assert run_main(bad)[0] == 2


def test_main_timeout(tmp_path):
    clauses, nv = pigeonhole(8, 7)
    cnf, proof = tmp_path / "c.cnf", tmp_path / "p.drat"
    cnf.write_bytes(write_dimacs(clauses, nv))
    lines_ = solve(clauses, nv, timeout=None, proof=True, solver="cadical153").proof
    proof.write_text("".join(l + "\n" for l in lines_))
    t0 = time.monotonic()
    code, out, _ = run_main(["--timeout", "0.2", str(cnf), str(proof)])
    assert time.monotonic() - t0 < 2
    assert code == 1 and out == "s NOT VERIFIED: timeout after 0.2 s\n"


@pytest.mark.parametrize("fmt", ["drat", "lrat"])
def test_headers_and_literals_do_not_drive_memory(tmp_path, fmt):
    """Issue 10's reproducers: a 26-byte CNF declaring 16,000,000 variables, a 17-byte proof
    naming literal 16777216, a header declaring more than 2^24 unused variables: each is
    decided in well under a second, with memory for what the files hold."""
    cases = [(b"p cnf 16000000 2\n1 0\n-1 0\n", b"0\n" if fmt == "drat" else b"3 0 1 2 0\n", True),
             (b"p cnf 16777216 1\n1 0\n", b"16777216 0\n-16777216 0\n0\n" if fmt == "drat"
              else b"2 16777216 0 0\n", False),
             (b"p cnf 20000000 2\n1 2 0\n-1 0\n", b"2 0\n0\n" if fmt == "drat" else b"3 2 0 2 1 0\n", False)]
    for k, (cnf_text, proof_text, verified) in enumerate(cases):
        cnf, proof = tmp_path / f"c{k}.cnf", tmp_path / f"p{k}.{fmt}"
        cnf.write_bytes(cnf_text)
        proof.write_bytes(proof_text)
        t0 = time.monotonic()
        out = check_certificate(cnf, proof, fmt)
        assert time.monotonic() - t0 < 0.5
        assert out.verified is verified, (k, out.reason)


def test_header_declaring_fewer_variables_is_an_error(tmp_path):
    from verify.checker import CheckerInputError
    cnf = tmp_path / "c.cnf"
    cnf.write_bytes(b"p cnf 1 1\n2 0\n")
    (tmp_path / "p.lrat").write_bytes(b"2 0 1 0\n")
    with pytest.raises(CheckerInputError, match="exceeds the 1 variables"):
        check_certificate(cnf, tmp_path / "p.lrat")


def test_repair_lrat_ids_renumbers_lemmas_derived_during_input(tmp_path):
    """CaDiCaL's one id counter: a lemma derived while the CNF is added takes the next id, so
    later input clauses are off by one; the repair gives inputs their CNF positions."""
    from verify.encode.proofs import repair_lrat_ids
    # CNF: 1:(1) 2:(-1 2) 3:(-2) ; CaDiCaL numbering: 1, 2, lemma 3 = (2) from 1 2, then input 4 = (-2)
    cadical = b"3 2 0 1 2 0\n3 d 2 0\n5 0 3 4 0\n"
    path = tmp_path / "p.lrat"
    path.write_bytes(cadical)
    assert repair_lrat_ids(path, 3)
    assert path.read_bytes() == b"4 2 0 1 2 0\n4 d 2 0\n5 0 4 3 0\n"
    assert check([[1], [-1, 2], [-2]], path.read_bytes()).verified
    assert not repair_lrat_ids(path, 3)                  # already the CNF's ids: unchanged

