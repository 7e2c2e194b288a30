"""The independent exact methods (MODEL.md §4.6): BDD and projected model counting.

On random small DLMs (hypothesis) the BDD and Ganak distributions equal brute force over every
random bit, and the exact semantics; also when predictors share random bits, where the exact
semantics refuses. On random circuits the three circuit methods agree with a plain simulation
of every random assignment. On the parity specs, ``method = "bdd" | "count" | "all"`` reproduce
every distribution verdict the specs expect. The counters are also checked on their own:
BDD counts over a given variable set against truth tables, Ganak's projection, exactness past
2^53 (where a float count would be wrong).
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.checks import distribution as dist_check
from verify.checks.registry import CHECKS, Context, load_all
from verify.circuits.evaluate import simulate
from verify.circuits.ir import CircuitBuilder, Op
from verify.dlm.model import DLM, Mode
from verify.dlm.semantics import InvalidToken, NotIndependent, Rule, brute_force_distribution, output_distribution
from verify.distribution.symbolic import (bdd_output_distribution, circuit_output_distribution,
                                          count_output_distribution, projected_count)
from verify.encode.bdd import BddAlgebra, available_backends
from verify.specs import CheckSpec, Instance, Spec, load_spec
from verify.verdict import Verdict

from .strategies import _random_function, circuits, dlms
from .test_semantics import coin_dlm

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = available_backends()


# --- DLMs ---------------------------------------------------------------------------------

# at most 12 random bits in all, so brute force stays fast
SMALL_DLMS = st.one_of(dlms(max_rounds=2, max_rho=2), dlms(max_rounds=3, max_rho=1))


@settings(max_examples=60, deadline=None)
@given(SMALL_DLMS, st.sampled_from(BACKENDS))
def test_bdd_and_count_equal_brute_force(dlm, backend):
    for chi in itertools.product((0, 1), repeat=len(dlm.inputs)):
        for rule in Rule:
            truth = brute_force_distribution(dlm, chi, rule)
            assert bdd_output_distribution(dlm, chi, rule, backend=backend) == truth
            assert count_output_distribution(dlm, chi, rule) == truth
            assert output_distribution(dlm, chi, rule) == truth


@st.composite
def sharing_dlms(draw):
    """Small DLMs whose predictors may read any position's random bits (no independence)."""
    L = draw(st.integers(1, 3))
    rho = [draw(st.integers(0, 2)) for _ in range(L)]
    bits = [(j, k) for j in range(L) for k in range(rho[j])]
    predictor = []
    for i in range(L):
        b = CircuitBuilder(f"p{i}")
        reads = draw(st.lists(st.integers(0, L - 1), max_size=2, unique=True))
        leaves = [b.input(f"{k}{j}") for j in reads for k in ("m", "v")]
        if bits:
            leaves += [b.random(f"r{j}_{k}") for j, k in draw(st.lists(st.sampled_from(bits), max_size=3, unique=True))]
        mask = _random_function(draw, b, leaves, draw(st.integers(0, 3)))
        value = _random_function(draw, b, leaves, draw(st.integers(0, 3)))
        b.output(mask, "m")
        b.output(b.gate(Op.AND, [mask ^ 1, value]), "v")
        predictor.append(b.build())
    return DLM(length=L, rounds=draw(st.integers(1, 2)), mode=draw(st.sampled_from(list(Mode))),
               predictor=predictor, random_bits=rho, outputs=list(range(L)))


@settings(max_examples=40, deadline=None)
@given(sharing_dlms())
def test_shared_random_bits_count_correctly(dlm):
    truth = brute_force_distribution(dlm)
    assert bdd_output_distribution(dlm) == truth
    assert count_output_distribution(dlm) == truth


def test_shared_coin():
    dlm = coin_dlm(foreign=True)
    with pytest.raises(NotIndependent):
        output_distribution(dlm)
    want = {"00": Fraction(1, 2), "11": Fraction(1, 2)}
    assert bdd_output_distribution(dlm) == want and count_output_distribution(dlm) == want


@pytest.mark.parametrize("method", [bdd_output_distribution, count_output_distribution])
def test_invalid_token_is_replayed(method):
    with pytest.raises(InvalidToken, match="non-token 11"):
        method(coin_dlm(emit_11=True))


def test_unread_random_bits_still_count():
    """Position 1 draws two bits and reads none: each still halves every outcome's weight."""
    dlm = coin_dlm()
    spare = DLM(length=2, rounds=2, mode=Mode.PLAIN, predictor=dlm.predictor, random_bits=[1, 3], outputs=[0, 1])
    want = {s: Fraction(1, 4) for s in ("00", "01", "10", "11")}
    assert bdd_output_distribution(spare) == count_output_distribution(spare) == want


# --- circuits -----------------------------------------------------------------------------

def simulated(circuit, chi):
    counts: dict[str, int] = {}
    r = len(circuit.randoms)
    for bits in itertools.product((False, True), repeat=r):
        s = "".join("1" if b else "0" for b in simulate(circuit, chi, bits))
        counts[s] = counts.get(s, 0) + 1
    return {s: Fraction(c, 2 ** r) for s, c in counts.items()}


@settings(max_examples=60, deadline=None)
@given(circuits(n_random=(0, 5)), st.data())
def test_circuit_methods_agree_with_simulation(circuit, data):
    chi = data.draw(st.lists(st.integers(0, 1), min_size=len(circuit.inputs), max_size=len(circuit.inputs)))
    truth = simulated(circuit, chi)
    for method in ("enumerate", "bdd", "count"):
        assert circuit_output_distribution(circuit, chi, method) == truth, method


def test_circuit_counts_are_exact_past_2_53():
    """AND of 70 random bits is 1 with probability exactly 2^-70 (a float count would be off)."""
    b = CircuitBuilder()
    rs = [b.random(f"r{k}") for k in range(70)]
    b.output(b.gate(Op.AND, rs))
    b.output(b.gate(Op.XOR, rs[:3]))
    c = b.build()
    want = {"00": Fraction(1, 2), "01": Fraction(1, 2) - Fraction(1, 2 ** 70), "11": Fraction(1, 2 ** 70)}
    assert circuit_output_distribution(c, method="bdd") == want
    assert circuit_output_distribution(c, method="count") == want
    for backend in BACKENDS:
        assert circuit_output_distribution(c, method="bdd", backend=backend) == want


def test_circuit_method_errors():
    b = CircuitBuilder()
    b.output(b.input("i0"))
    with pytest.raises(ValueError, match="1 inputs"):
        circuit_output_distribution(b.build(), ())
    with pytest.raises(ValueError, match="unknown method"):
        circuit_output_distribution(b.build(), (0,), "magic")


# --- the counters on their own ------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_bdd_count_matches_truth_table(backend):
    rng = __import__("random").Random(7)
    for _ in range(200):
        alg = BddAlgebra(backend)
        n = rng.randint(1, 6)
        values = [alg.var(k) for k in range(n)] + [alg.true, alg.false]
        for _ in range(rng.randint(0, 8)):
            args = [rng.choice(values) for _ in range(rng.randint(1, 3))]
            values.append(rng.choice([alg.and_, alg.or_, alg.xor, lambda a: alg.neg(a[0])])(args))
        u, extra = values[-1], rng.randint(0, 3)
        keys = list(range(n)) + [("spare", k) for k in range(extra)]
        for k in keys[n:]:
            alg.var(k)
        truth = sum(alg.bdd.let({alg.name(k): bit for k, bit in enumerate(bits)}, u) == alg.true
                    for bits in itertools.product((False, True), repeat=n))
        assert alg.count(u, keys) == truth << extra
    alg = BddAlgebra(backend)
    with pytest.raises(ValueError, match="outside the counting set"):
        alg.count(alg.and_([alg.var("a"), alg.var("b")]), ["a"])


def test_ganak_projection(capfd):
    """x3 -> x1 has 3 models over {x1, x3} but 2 projected on {x1}; unread sampling variables
    double the count; an unsatisfiable formula counts 0 without printing on stdout."""
    assert projected_count([[-3, 1]], [1, 2, 3]) == 6
    assert projected_count([[-3, 1]], [1]) == 2
    assert projected_count([[-3, 1]], [1, 5]) == 4
    assert projected_count([[1], [-1]], [1]) == 0
    assert projected_count([[1]], []) == 1
    assert isinstance(projected_count([], list(range(1, 101))), int)
    assert projected_count([], list(range(1, 101))) == 2 ** 100
    assert capfd.readouterr().out == ""


# --- the check kind on the specs -----------------------------------------------------------

SPECS = ["parity-revise", "parity-remask", "parity-revise-wrong-last", "parity-revise-run-as-plain",
         "parity-plain-last"]


def distribution_checks():
    for name in SPECS:
        for inst in load_spec(ROOT / "specs" / f"{name}.toml").instances:
            if inst.params.get("n", 0) <= 8:
                for check in inst.checks:
                    if check.kind == "distribution":
                        yield inst, check


@pytest.mark.parametrize("method", ["bdd", "count", "all"])
def test_specs_reproduce_their_verdicts(method, tmp_path):
    load_all()
    seen = 0
    for inst, check in distribution_checks():
        if method == "all" and inst.params.get("n", 0) > 6:
            continue
        opts = dict(check.options, method=method)
        out = CHECKS["distribution"].run(inst, CheckSpec(check.kind, check.expect, opts, check.key),
                                         Context(proofs_dir=tmp_path))
        assert out.verdict is check.expect, (inst.name, out.message)
        assert method in out.method
        if out.verdict is Verdict.REFUTED:
            assert "replayed on the simulator" in out.explain[0]
        seen += 1
    assert seen >= 10


def _run(dlm, method):
    load_all()
    spec = Spec(path=Path("t.toml"), name="t", statement="", reference="")
    inst = Instance(spec, {}, "dlm", dlm, [])
    opts = {"target": "uniform", "method": method, "rule": Rule.ENFORCE, "inputs": "all"}
    return CHECKS["distribution"].run(inst, CheckSpec("distribution", Verdict.PROVED, opts, "check[0]"), Context())


def test_all_methods_disagreeing_is_an_error(monkeypatch):
    real = dist_check._SINGLE["count"]

    def skewed(dlm, chi, rule):
        d = real(dlm, chi, rule)
        return {"00": d["00"] * 2, "11": d["11"] - d["00"], **{k: v for k, v in d.items() if k not in ("00", "11")}}

    monkeypatch.setitem(dist_check._SINGLE, "count", skewed)
    out = _run(coin_dlm(), "all")
    assert out.verdict is Verdict.ERROR
    assert "count" in out.message and "outcome 00" in out.message and "exact 1/4" in out.message, out.message
    assert out.details["probabilities"]["count"] == "1/2"


def test_all_skips_the_exact_semantics_when_bits_are_shared():
    out = _run(coin_dlm(foreign=True), "all")
    assert out.verdict is Verdict.REFUTED, out.message          # 00 and 11 only: not uniform
    assert "exact" not in out.method and "bdd" in out.method and "brute-force" in out.method
    assert _run(coin_dlm(foreign=True), "exact").verdict is Verdict.ERROR
    assert _run(coin_dlm(), "all").verdict is Verdict.PROVED
