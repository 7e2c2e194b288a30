"""Sampler circuit families (verify/circuits/generators.py, issue 14).

Each family's closed form is derived from its mathematics, never from the circuit; these tests
compare it with the circuit's exact distribution counted three independent ways (bit-parallel
enumeration of every random assignment, BDD, Ganak), check that the deliberately wrong variants
differ from it, and that files written and read back keep the random sources.
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from verify.circuits import generators as gen
from verify.circuits.formats import read_circuit, write_circuit
from verify.distribution.symbolic import circuit_output_distribution

from .cli_util import run_cli

SMALL = [("parity", n, {}) for n in (2, 3, 4, 7)] + \
        [("bernoulli", k, {"b": b}) for k, b in ((1, 1), (2, 2), (3, 3))] + \
        [("walk", t, {"b": b}) for t, b in ((1, 1), (3, 2), (5, 2), (6, 3))] + \
        [("majority", k, {}) for k in (1, 2, 3, 4, 5, 6, 9)] + \
        [("permutation", k, {}) for k in (2, 3, 4)]


def run(argv):
    return run_cli(*argv)


@pytest.mark.parametrize("name,size,params", SMALL)
def test_closed_form_equals_enumeration(name, size, params):
    circuit = gen.generate(name, size, **params)
    closed = gen.closed_form(name, size, **params)
    assert sum(closed.values()) == 1
    assert circuit_output_distribution(circuit) == closed
    assert all(circuit.vertices[v].name.startswith(gen.RANDOM_PREFIX) for v in circuit.randoms)


@pytest.mark.parametrize("name,size,params", [("walk", 4, {"b": 2}), ("majority", 5, {}),
                                              ("permutation", 3, {}), ("bernoulli", 2, {"b": 2})])
@pytest.mark.parametrize("method", ["bdd", "count"])
def test_closed_form_equals_symbolic(name, size, params, method):
    circuit = gen.generate(name, size, **params)
    assert circuit_output_distribution(circuit, method=method) == gen.closed_form(name, size, **params)


@pytest.mark.parametrize("name,size,params", [("parity", 3, {}), ("parity", 6, {}), ("bernoulli", 2, {"b": 2}),
                                              ("walk", 3, {"b": 2}), ("walk", 5, {"b": 3}),
                                              ("majority", 3, {}), ("majority", 4, {}),
                                              ("permutation", 3, {}), ("permutation", 4, {})])
def test_defects_differ(name, size, params):
    wrong = gen.generate(name, size, defect=True, **params)
    assert circuit_output_distribution(wrong) != gen.closed_form(name, size, **params)


def test_closed_forms_by_hand():
    assert gen.closed_form("walk", 2, b=2) == {"00": Fraction(1, 2), "01": Fraction(1, 2)}  # positions 0, 2
    assert gen.closed_form("majority", 3) == {"1": Fraction(1, 2), "0": Fraction(1, 2)}
    assert gen.closed_form("bernoulli", 1, b=2) == {"1": Fraction(1, 4), "0": Fraction(3, 4)}
    perm3 = gen.closed_form("permutation", 3)
    assert len(perm3) == 6 and sum(perm3.values()) == 1 and len(set(perm3.values())) > 1  # not uniform


@pytest.mark.parametrize("ext", [".bench", ".aag", ".aig"])
def test_round_trip_keeps_random_sources(tmp_path, ext):
    circuit = gen.generate("walk", 4, b=2)
    path = tmp_path / f"walk{ext}"
    write_circuit(circuit, path)
    back = read_circuit(path, random_prefix=gen.RANDOM_PREFIX)
    assert len(back.randoms) == len(circuit.randoms) and not back.inputs
    assert circuit_output_distribution(back) == gen.closed_form("walk", 4, b=2)


def test_large_sizes_reach_ten_thousand_gates():
    for name, size, params in (("parity", 10_001, {}), ("walk", 320, {"b": 8}), ("majority", 1500, {}),
                               ("bernoulli", 800, {"b": 8}), ("permutation", 30, {})):
        gates = sum(gen.generate(name, size, **params).gate_counts.values())
        assert gates >= 10_000, (name, gates)


@pytest.mark.parametrize("name,size,params", [("parity", 1, {}), ("walk", 0, {}), ("walk", 3, {"b": 0}),
                                              ("majority", 3, {"b": 2}), ("permutation", 1001, {}),
                                              ("nope", 3, {})])
def test_bad_sizes_are_errors(name, size, params):
    with pytest.raises(gen.GeneratorError):
        gen.generate(name, size, **params)


def test_cli_generate(tmp_path):
    out_file = tmp_path / "maj.aag"
    code, out, err = run(["circuit", "--generate", "majority", "--size", "5", "--out", str(out_file), "--json"])
    assert code == 0, err
    assert '"random": 5' in out
    back = read_circuit(out_file, random_prefix="rnd")
    assert circuit_output_distribution(back) == gen.closed_form("majority", 5)


@pytest.mark.parametrize("argv", [
    ["circuit", "--generate", "walk", "--size", "0"],
    ["circuit", "--generate", "walk", "--size", "3", "--param", "b"],
    ["circuit", "--generate", "walk", "--size", "3", "--param", "c=2"],
    ["circuit", "--generate", "foo", "--size", "3"],
    ["circuit", "--generate", "walk"],
    ["circuit", "--generate", "walk", "--size", "3", "--out", "x.txt"],
    ["circuit", "--size", "3"],
])
def test_cli_generate_bad_input(argv):
    code, out, err = run(argv)
    assert code == 2 and "Traceback" not in err and err.strip()


SPEC = """
[claim]
name = "gen"
statement = "s"
reference = "r"

[construction]
name = "thm3.1"
{subject}

[[check]]
kind = "distribution"
target = "closed-form"
expect = "{expect}"
"""


@pytest.mark.parametrize("subject,expect,code", [
    ('generate = "walk"\nsize = 3\nb = 2', "PROVED", 0),
    ('generate = "walk"\nsize = 3\nb = 2\ndefect = true', "REFUTED", 0),
    ('generate = "majority"\nsize = 3\ndefect = true', "REFUTED", 0),
])
def test_spec_closed_form(tmp_path, subject, expect, code):
    spec = tmp_path / "gen.toml"
    spec.write_text(SPEC.format(subject=subject, expect=expect))
    result, out, err = run([str(spec), "--proofs", str(tmp_path / "proofs")])
    assert result == code, out + err
    assert out.startswith(expect)


@pytest.mark.parametrize("subject,key", [('generate = "nope"\nsize = 3', "generate"),
                                         ('generate = "walk"\nsize = 0', "size"),
                                         ('generate = "parity"\nsize = 3\nb = 2', "b"),
                                         ('generate = "walk"\nsize = 3\ndefect = 1', "defect")])
def test_spec_bad_generator(tmp_path, subject, key):
    spec = tmp_path / "gen.toml"
    spec.write_text(SPEC.format(subject=subject, expect="PROVED"))
    result, out, err = run([str(spec), "--proofs", str(tmp_path / "proofs")])
    assert result == 2 and key in err and "Traceback" not in err


def test_closed_form_target_needs_generated_subject(tmp_path):
    spec = tmp_path / "gen.toml"
    spec.write_text(SPEC.format(subject='circuit = "c.bench"', expect="PROVED"))
    (tmp_path / "c.bench").write_text("INPUT(a)\nOUTPUT(b)\nb = NOT(a)\n")
    result, out, err = run([str(spec), "--proofs", str(tmp_path / "proofs")])
    assert out.startswith("ERROR") and "closed-form" in out
