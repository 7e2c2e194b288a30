"""The DLM semantics: exact propagation vs brute-force enumeration of every random bit."""
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings

from verify.circuits.ir import CircuitBuilder, Op
from verify.dlm.model import DLM, DLMError, Mode, Token, decode
from verify.dlm.semantics import (InvalidToken, NotIndependent, Rule, brute_force_distribution,
                                  output_distribution, sample)

from .strategies import dlms


def test_token_encoding():
    assert [t.bits for t in Token] == [(0, 0), (0, 1), (1, 0)]
    assert decode(1, 1) is None
    assert all(decode(*t.bits) is t for t in Token)


@settings(max_examples=120, deadline=None)
@given(dlms())
def test_exact_equals_brute_force(dlm):
    for chi in product((0, 1), repeat=len(dlm.inputs)):
        for rule in Rule:
            exact = output_distribution(dlm, chi, rule)
            assert sum(exact.values()) == 1
            assert exact == brute_force_distribution(dlm, chi, rule)


@settings(max_examples=40, deadline=None)
@given(dlms(max_rounds=2))
def test_samples_lie_in_the_support(dlm):
    chi = (0,) * len(dlm.inputs)
    support = output_distribution(dlm, chi)
    for seed in range(5):
        assert sample(dlm, chi, seed=seed) in support


def coin_dlm(mode=Mode.PLAIN, foreign=False, emit_11=False) -> DLM:
    """Two positions; each reveals its own coin in round 1 (position 1 may read r0_0)."""
    preds = []
    for i in range(2):
        b = CircuitBuilder()
        r = b.random(f"r{1 - i if foreign and i == 1 else i}_0")
        m = b.const(True) if emit_11 and i == 1 else b.const(False)
        b.output(m, "m")
        b.output(r | 0 if not emit_11 else b.const(True), "v")
        preds.append(b.build())
    return DLM(length=2, rounds=1, mode=mode, predictor=preds, random_bits=[1, 1], outputs=[0, 1])


def test_shared_random_bit_needs_brute_force():
    dlm = coin_dlm(foreign=True)
    with pytest.raises(NotIndependent):
        output_distribution(dlm)
    # brute force still knows: both positions show the same coin
    assert brute_force_distribution(dlm) == {"00": Fraction(1, 2), "11": Fraction(1, 2)}


def test_invalid_token_is_an_error():
    with pytest.raises(InvalidToken):
        output_distribution(coin_dlm(emit_11=True))


def test_plain_rule_keeps_revealed_tokens():
    """A predictor that flips revealed tokens: plain keeps them, revise lets them change."""
    preds = []
    b = CircuitBuilder()
    m0, v0 = b.input("m0"), b.input("v0")
    b.output(b.const(False), "m")
    b.output(b.gate(Op.OR, [b.gate(Op.AND, [m0, b.const(True)]), b.gate(Op.AND, [m0 ^ 1, v0 ^ 1])]), "v")
    preds.append(b.build())
    for mode, want in ((Mode.PLAIN, "1"), (Mode.REVISE, "0")):
        dlm = DLM(length=1, rounds=2, mode=mode, predictor=preds, random_bits=[0], outputs=[0])
        assert output_distribution(dlm) == {want: 1}
        # the literal reading of the circuits ignores the mode
        assert output_distribution(dlm, rule=Rule.LITERAL) == {"0": 1}


def test_dlm_validation():
    b = CircuitBuilder()
    b.output(b.input("m5"))
    b.output(b.const(False))
    with pytest.raises(DLMError, match="position 5"):
        DLM(length=2, rounds=1, mode=Mode.PLAIN, predictor=[b.build()] * 2, random_bits=[0, 0], outputs=[0])
    b = CircuitBuilder()
    b.output(b.random("r0_3"))
    b.output(b.const(False))
    with pytest.raises(DLMError, match="only 1 random bits"):
        DLM(length=1, rounds=1, mode=Mode.PLAIN, predictor=[b.build()], random_bits=[1], outputs=[0])
    b = CircuitBuilder()
    b.output(b.input("ym0"))
    b.output(b.const(False))
    with pytest.raises(DLMError, match="may read"):
        DLM(length=1, rounds=1, mode=Mode.PLAIN, predictor=[b.build()], random_bits=[0], outputs=[0])
