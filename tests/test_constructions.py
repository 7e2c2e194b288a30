"""Tests of the construction compilers and their coupling proofs (verify/constructions).

Tests that cannot pass by accident (STYLE.md §7): the compiled DLMs are run on the simulator
against the circuit's own evaluation; exact output distributions are compared with the
circuit's exact distribution counted by brute force; the formulas for rounds and length are
recomputed independently; mutants (one wrong gate) must be REFUTED with a replayed run.
"""
from __future__ import annotations

import io
import itertools
import json
import random
from collections import Counter as Tally
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.checks.coupling import (coupled_draws, find_counterexample, prove_inductive)
from verify.circuits.evaluate import simulate
from verify.circuits.ir import Circuit, CircuitBuilder, Op, Vertex
from verify.cli import main
from verify.constructions import CIRCUIT_CONSTRUCTIONS, CONSTRUCTIONS, attach
from verify.constructions.thm32 import max_live, strict_width, liveness
from verify.distribution.targets import TARGETS
from verify.dlm.semantics import Rule, output_distribution, run

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"

GATES = [Op.AND, Op.OR, Op.XOR, Op.MAJ, Op.BUF]


def random_circuit(seed: int, n_in: int = 3, n_rand: int = 2, n_gates: int = 8, n_out: int = 3) -> Circuit:
    """A random circuit with every awkward feature: constants, complemented and repeated
    outputs, inputs and random sources as outputs, wide XOR/MAJ gates, long wires."""
    rng = random.Random(seed)
    b = CircuitBuilder(f"rand{seed}")
    lits = [b.input(f"x{i}") for i in range(n_in)]
    lits += [b.random(f"r{i}") for i in range(n_rand)]
    if rng.random() < 0.3:
        lits.append(b.const(rng.random() < 0.5))
    for _ in range(n_gates):
        op = rng.choice(GATES)
        k = 1 if op == Op.BUF else rng.randint(1 if op in (Op.AND, Op.OR, Op.XOR) else 3, min(4, len(lits)) if len(lits) >= 3 or op != Op.MAJ else len(lits))
        if op == Op.MAJ and len(lits) < 3:
            op, k = Op.AND, min(2, len(lits))
        fan = [rng.choice(lits) ^ rng.randint(0, 1) for _ in range(k)]
        lits.append(b.gate(op, fan))
    for _ in range(n_out):
        b.output(rng.choice(lits) ^ rng.randint(0, 1))
    return b.build()


def compile_circuit(name: str, circuit: Circuit):
    compiled = CONSTRUCTIONS[name][1](circuit)
    attach(compiled)
    return compiled


def circuit_distribution(circuit: Circuit, chi) -> dict[str, Fraction]:
    n_r = len(circuit.randoms)
    tally = Tally("".join("1" if b else "0" for b in simulate(circuit, chi, rs))
                  for rs in itertools.product((0, 1), repeat=n_r))
    return {k: Fraction(v, 2 ** n_r) for k, v in tally.items()}


# --- simulation against the circuit ------------------------------------------------------

@pytest.mark.parametrize("name", CIRCUIT_CONSTRUCTIONS)
@pytest.mark.parametrize("seed", range(12))
def test_compiled_dlm_simulates_to_the_circuit(name, seed):
    circuit = random_circuit(seed)
    compiled = compile_circuit(name, circuit)
    rng = random.Random(seed)
    for _ in range(6):
        chi = [rng.randint(0, 1) for _ in circuit.inputs]
        rs = [rng.randint(0, 1) for _ in circuit.randoms]
        randoms = dict(zip(circuit.randoms, map(bool, rs)))
        for rule in (Rule.ENFORCE, Rule.LITERAL):
            draws = coupled_draws(compiled, randoms, random.Random(rng.getrandbits(32)))
            trace = run(compiled.dlm, chi, draws, rule)
            final = trace[-1].after if trace else compiled.dlm.initial_state(chi)
            got = "".join(final[p].char for p in compiled.dlm.outputs)
            want = "".join("1" if b else "0" for b in simulate(circuit, chi, rs))
            assert got == want, (name, seed, chi, rs, rule)


@pytest.mark.parametrize("name", CIRCUIT_CONSTRUCTIONS)
@pytest.mark.parametrize("seed", range(12))
def test_inductive_coupling_proves_random_circuits(name, seed):
    compiled = compile_circuit(name, random_circuit(seed))
    result = prove_inductive(compiled)
    assert result.ok, result.message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10 ** 6), name=st.sampled_from(CIRCUIT_CONSTRUCTIONS))
def test_exact_distribution_equals_the_circuits(seed, name):
    circuit = random_circuit(seed, n_in=2, n_rand=2, n_gates=5, n_out=2)
    compiled = compile_circuit(name, circuit)
    for chi in itertools.product((0, 1), repeat=len(circuit.inputs)):
        assert output_distribution(compiled.dlm, chi) == circuit_distribution(circuit, chi)


# --- formulas ----------------------------------------------------------------------------

def _check_formulas(name: str, circuit: Circuit, compiled) -> None:
    s = compiled.stats
    dlm = compiled.dlm
    n_in, m = len(circuit.inputs), len(circuit.outputs)
    layers = circuit.layers

    def out_round(lit):
        op = circuit.vertices[lit >> 1].op
        return 1 if op in (Op.INPUT, Op.CONST) else 2 if op == Op.RANDOM else layers[lit >> 1]

    if name == "thm3.1":
        extra = dlm.length - n_in - circuit.size
        assert 0 <= extra <= m
        assert dlm.rounds == max([circuit.depth if circuit.size else 0] +
                                 [out_round(o) for o in circuit.outputs if circuit.vertices[o >> 1].op == Op.INPUT or o & 1])
        assert s["peak_unmasked"] == dlm.length
    elif name == "ar-cot":
        assert dlm.rounds == dlm.length - n_in       # one position per round
    else:
        remask = name.endswith("remask")
        T = max((out_round(o) for o in circuit.outputs), default=0)
        k = max(1, T.bit_length())
        assert dlm.rounds == T
        lastuse, _ = liveness(circuit)
        S = max_live(circuit, lastuse, remask)
        assert s["slots"] == S                       # the greedy allocation is optimal
        assert dlm.length == n_in + m + S + (2 * k if remask else k)
        if not remask:
            assert S <= strict_width(circuit)
    if circuit.depth and name != "ar-cot" and any(layers[o >> 1] == circuit.depth for o in circuit.outputs):
        assert dlm.rounds >= circuit.depth


@pytest.mark.parametrize("name", CIRCUIT_CONSTRUCTIONS)
def test_rounds_and_length_formulas(name):
    for seed in range(30):
        circuit = random_circuit(seed, n_gates=12)
        _check_formulas(name, circuit, compile_circuit(name, circuit))


def test_thm31_rounds_equal_depth_and_predictors_are_constant():
    # a deep chain and a wide layer: the predictor's depth and fan-in do not grow
    for depth in (3, 30, 300):
        b = CircuitBuilder("chain")
        x = [b.input(f"x{i}") for i in range(4)]
        cur = x[0]
        for i in range(depth):
            cur = b.gate(Op.AND if i % 2 else Op.XOR, [cur, x[(i + 1) % 4]])
        b.output(cur)
        c = b.build()
        compiled = compile_circuit("thm3.1", c)
        assert compiled.dlm.rounds == c.depth == depth
        from verify.constructions.cli import resources
        r = resources(compiled)
        assert r["predictor_max_depth"] == 2 and r["predictor_max_fanin"] == 2


# --- mutants -----------------------------------------------------------------------------

def _mutate(compiled, position: int):
    """Swap AND/OR (or XOR->AND) in the last gate of one predictor."""
    seq = compiled.dlm.predictor
    original = seq._factory

    def factory(i):
        c = original(i)
        if i != position:
            return c
        vs = list(c.vertices)
        for k in range(len(vs) - 1, -1, -1):
            if vs[k].op in (Op.AND, Op.OR, Op.XOR):
                vs[k] = Vertex(Op.OR if vs[k].op == Op.AND else Op.AND, vs[k].fanins, vs[k].name)
                break
        return Circuit(tuple(vs), c.outputs, c.output_names, c.name)

    seq._factory = factory
    seq._cache.clear()
    keep = compiled.dlm._cache.get("compiled")
    compiled.dlm._cache.clear()
    compiled.dlm._cache["compiled"] = keep


@pytest.mark.parametrize("name", CIRCUIT_CONSTRUCTIONS)
def test_mutants_are_refuted_with_a_replayed_run(name, tmp_path):
    from verify.checks.coupling import check_coupling
    from verify.checks.registry import Context
    from verify.verdict import Verdict
    b = CircuitBuilder("m")
    x = [b.input(f"x{i}") for i in range(3)]
    g1 = b.gate(Op.AND, [x[0], x[1]])
    g2 = b.gate(Op.OR, [g1, x[2] ^ 1])
    g3 = b.gate(Op.XOR, [g2, x[0]])
    b.output(g3)
    b.output(g1 ^ 1)
    c = b.build()
    refuted = 0
    compiled0 = compile_circuit(name, c)
    gate_positions = [p for p in range(compiled0.dlm.length) if p not in compiled0.dlm.inputs]
    for p in gate_positions:
        compiled = compile_circuit(name, c)
        _mutate(compiled, p)

        class Inst:
            subject = compiled.dlm

        class Chk:
            options = {"tries": 50}

        out = check_coupling(Inst, Chk, Context(proofs_dir=tmp_path))
        assert out.verdict in (Verdict.REFUTED, Verdict.UNKNOWN, Verdict.PROVED)
        if out.verdict is Verdict.REFUTED:
            refuted += 1
            cex = out.details["counterexample"]
            if "error" not in cex:
                # replay independently: the mutant's simulator output differs from the circuit's
                chi = [int(ch) for ch in cex["input"]]
                draws = coupled_draws(compiled, {}, None)
                final = run(compiled.dlm, chi, draws)[-1].after
                got = "".join(final[q].char for q in compiled.dlm.outputs)
                assert got == cex["dlm_output"] != cex["circuit_output"]
                assert cex["circuit_output"] == "".join("1" if v else "0" for v in simulate(c, chi))
        elif out.verdict is Verdict.PROVED:
            # a mutation that does not change the function must really be harmless
            assert find_counterexample(compiled) is None
    assert refuted >= 1


# --- parity samplers -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["parity-revise", "parity-remask"])
def test_parity_samplers_are_exact(name):
    for n in range(1, 8):
        compiled = CONSTRUCTIONS[name][1](n)
        assert compiled.dlm.rounds <= 2 and compiled.dlm.length == n
        assert output_distribution(compiled.dlm) == TARGETS["parity-even"](n)


# --- commands ------------------------------------------------------------------------------

def _bench(path: str) -> Path:
    p = BENCH / path
    if not p.exists():
        pytest.skip(f"benchmark {p} not present")
    return p


def test_compile_command_json_and_export(tmp_path):
    c17 = _bench("iscas85/c17.bench")
    out, err = io.StringIO(), io.StringIO()
    rc = main(["compile", str(c17), "--construction", "thm3.1", "--json", "--export", str(tmp_path), "--miter"],
              out, err)
    assert rc == 0, err.getvalue()
    d = json.loads(out.getvalue())
    for key in ("construction", "rounds", "length", "peak_unmasked", "predictor_max_depth",
                "predictor_max_fanin", "circuit", "equivalence"):
        assert key in d
    assert (d["rounds"], d["length"]) == (3, 11)
    assert d["circuit"] == {**d["circuit"], "size": 6, "depth": 3, "width": 2}
    assert d["equivalence"]["verdict"] == "PROVED" and d["miter"]["verdict"] == "PROVED"
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "c17.thm3.1.toml" in files and "c17.thm3.1.unrolled.aig" in files and "c17.circuit.aig" in files
    out2 = io.StringIO()
    assert main([str(tmp_path / "c17.thm3.1.toml"), "--proofs", str(tmp_path / "proofs")], out2, io.StringIO()) == 0
    assert "2 checks (2 PROVED)" in out2.getvalue()
    # the exported AIGER files: the unrolled DLM and the circuit agree (read back, simulated)
    from verify.circuits.formats import read_circuit
    a = read_circuit(tmp_path / "c17.circuit.aig")
    u = read_circuit(tmp_path / "c17.thm3.1.unrolled.aig")
    assert len(a.inputs) == len(u.inputs)
    for chi in itertools.product((0, 1), repeat=len(a.inputs)):
        assert simulate(a, chi) == simulate(u, chi)


def test_compile_command_parity_and_usage_errors():
    out = io.StringIO()
    assert main(["compile", "--construction", "parity-remask", "--n", "5", "--json"], out, io.StringIO()) == 0
    assert json.loads(out.getvalue())["equivalence"]["verdict"] == "PROVED"
    assert main(["compile", "--construction", "nope", "--n", "3"], io.StringIO(), io.StringIO()) == 2
    assert main(["compile", "--construction", "thm3.1"], io.StringIO(), io.StringIO()) == 2


def test_table_steps():
    c17, c432 = _bench("iscas85/c17.bench"), _bench("iscas85/c432.bench")
    out = io.StringIO()
    assert main(["table", "steps", str(c17), str(c432)], out, io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("| circuit | N | d | w | AR steps |")
    assert lines[2].startswith("| c17 | 6 | 3 | 2 | 6 | 3 | 3 | 3 |")
    assert lines[0].endswith("| w′ | S remask | S revise |")
    from verify.constructions.thm32 import strict_width
    from verify.circuits.formats import read_circuit
    for line, path in zip(lines[2:4], (c17, c432)):
        cells = line.strip("| ").split(" | ")
        c = read_circuit(path)
        assert int(cells[-3]) == strict_width(c)
        assert int(cells[-1]) <= int(cells[-3])          # S revise <= w'
        for name, length, s_col in (("thm3.2-remask", cells[9], cells[-2]), ("thm3.2-revise", cells[10], cells[-1])):
            comp = compile_circuit(name, c)
            k = max(1, comp.dlm.rounds.bit_length())
            assert int(length) == len(c.inputs) + len(c.outputs) + int(s_col) + (2 * k if name.endswith("remask") else k)
    assert not lines[4] and lines[5].startswith("Legend")


@pytest.mark.parametrize("name", CIRCUIT_CONSTRUCTIONS)
def test_benchmark_c432_is_proved(name):
    from verify.circuits.formats import read_circuit
    c = read_circuit(_bench("iscas85/c432.bench"))
    compiled = compile_circuit(name, c)
    assert prove_inductive(compiled).ok
    _check_formulas(name, c, compiled)


# --- certificates of the inductive proof, shape keys, cross-check ---------------------------

def test_inductive_proof_rests_on_checked_certificates(tmp_path):
    from verify.certify import RecheckStatus, recheck
    compiled = compile_circuit("thm3.2-revise", random_circuit(3))
    res = prove_inductive(compiled, proofs_dir=tmp_path, instance="rand3")
    assert res.ok and res.status == "PROVED" and res.n_certificates >= 1
    manifests = sorted(tmp_path.glob("rand3__coupling__step*.json"))
    assert len(manifests) == res.n_certificates
    results = recheck(manifests)
    assert [s for _, s, _ in results] == [RecheckStatus.VERIFIED] * len(manifests)
    assert res.cross_check["inconclusive"] == 0 and res.cross_check["proved"] >= res.obligations
    # the wiring cache does not keep one entry per position after the proof
    assert not [k for k in compiled.dlm._cache if isinstance(k, tuple)]


def test_inductive_proof_decided_while_encoding_is_cross_checked(tmp_path):
    """Under thm3.1 every step obligation folds to FALSE while encoding: no certificate is
    written, the method says so, and the 3-valued evaluation (a second route, no CNF) proves
    every obligation."""
    from verify.checks.backends import STRUCTURAL
    from verify.checks.coupling import method_label
    compiled = compile_circuit("thm3.1", random_circuit(3))
    res = prove_inductive(compiled, proofs_dir=tmp_path, instance="rand3")
    assert res.ok and res.structural >= 1 and res.n_certificates == 0 and not res.certificates
    assert STRUCTURAL in method_label(res) and list(tmp_path.iterdir()) == []
    assert res.cross_check["proved"] == res.obligations > 0


@pytest.mark.parametrize("name", ["thm3.2-revise", "thm3.2-remask"])
def test_counter_positions_are_certified_merged(name, tmp_path):
    compiled = compile_circuit(name, random_circuit(5))
    res = prove_inductive(compiled, proofs_dir=tmp_path)
    assert res.ok, res.message
    assert res.merged_positions > 0 and res.n_certificates >= 1


def _same_shape_pair(compiled):
    """Two gate positions of a thm3.1 DLM whose first obligations share a shape key."""
    from verify.checks.coupling import _CaseEvaluator
    ev = _CaseEvaluator(compiled)
    seen = {}
    for p in range(len(compiled.dlm.inputs), compiled.dlm.length):
        first, last, free = sorted(compiled.cases(p))[-1]
        key = ev._key(ev.describe(p, first, last, frozenset(free)))
        if key in seen:
            return seen[key], p, (first, last, free)
        seen[key] = p
    return None


def test_shape_key_separates_a_mutant_and_the_mutant_is_refuted():
    """A position whose gate is changed must not share the key of its former twin (else its
    obligation would be skipped as already proved), and the proof must fail on it."""
    import dataclasses
    from verify.checks.coupling import _CaseEvaluator
    from verify.dlm.mutate import negate_value
    from verify.circuits.formats import read_circuit
    compiled = compile_circuit("thm3.1", read_circuit(_bench("iscas85/c17.bench")))
    q, p, _ = _same_shape_pair(compiled)
    ev0 = _CaseEvaluator(compiled)
    case_of0 = [ev0._key(c) for x in (q, p) for c in
                [ev0.describe(x, f, l, frozenset(fr)) for f, l, fr in sorted(compiled.cases(x))][-1:]]
    assert case_of0[0] == case_of0[1]          # twins before the mutation
    case_of = lambda comp, x: [_CaseEvaluator(comp).describe(x, f, l, frozenset(fr)) for f, l, fr in sorted(comp.cases(x))]  # noqa: E731
    mutant = dataclasses.replace(compiled, dlm=negate_value(compiled.dlm, p))
    attach(mutant)
    ev = _CaseEvaluator(mutant)
    keys_p = {ev._key(c) for c in case_of(mutant, p)}
    keys_q = {ev._key(c) for c in case_of(mutant, q)}   # one evaluator: circuit ids comparable
    assert not keys_p & keys_q
    res = prove_inductive(mutant)
    assert not res.ok and res.status == "FAILED"
    cex = find_counterexample(mutant)
    assert cex is not None and cex["dlm_output"] != cex["circuit_output"]


def test_cross_check_disagreement_is_an_error(monkeypatch):
    """If the 3-valued evaluation claims a case the SAT encoding refutes, the result is ERROR."""
    import dataclasses
    from verify.checks import coupling
    from verify.circuits.formats import read_circuit
    from verify.dlm.mutate import negate_value
    compiled = compile_circuit("thm3.1", read_circuit(_bench("iscas85/c17.bench")))
    mutant = dataclasses.replace(compiled, dlm=negate_value(compiled.dlm, compiled.dlm.outputs[0]))
    attach(mutant)
    monkeypatch.setattr(coupling._CaseEvaluator, "ternary", lambda self, case: (True, ""))
    res = prove_inductive(mutant)
    assert res.status == "ERROR" and "3-valued" in res.message
