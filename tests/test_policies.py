"""Decoding policies with a denoiser (MODEL.md §7): the exact semantics against brute force
over every random choice, closed forms, and the Li–Cai quantities."""
import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.policies import targets as T
from verify.policies.brute import brute_force_distribution
from verify.policies.denoiser import IdealDenoiser, MixedDenoiser
from verify.policies.divergence import (compositions, entropy, expected_kl_entropy, expected_kl_propagate,
                                        kl, li_cai_bound, mask_sequences, count_mask_sequences,
                                        mutual_information_sum, subset_entropies, total_variation)
from verify.policies.logs import LogForm
from verify.policies.policy import Policy
from verify.policies.semantics import output_distribution

AB, ABC = ("a", "b"), ("a", "b", "c")


@st.composite
def targets(draw, max_len=3):
    length = draw(st.integers(1, max_len))
    size = draw(st.integers(2, 3 if length <= 2 else 2))
    vocab = ABC[:size]
    xs = list(T.outcomes(length, size))
    weights = draw(st.lists(st.integers(0, 4), min_size=len(xs), max_size=len(xs)).filter(any))
    total = sum(weights)
    return T.Target(length, vocab, {x: Fraction(w, total) for x, w in zip(xs, weights) if w})


@st.composite
def schedules(draw, length):
    cuts = draw(st.sets(st.integers(1, length - 1))) if length > 1 else set()
    bounds = [0] + sorted(cuts) + [length]
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))


@st.composite
def policies(draw, length):
    name = draw(st.sampled_from(["random-order", "top-k-confidence", "threshold", "remask", "corrector", "blocks"]))
    sch = draw(schedules(length))
    conf = draw(st.sampled_from(["sampled", "max", "margin"]))
    if name == "random-order":
        return Policy(name, length, sch, order=draw(st.sampled_from(["random", "left-to-right", "right-to-left"])))
    if name == "top-k-confidence":
        return Policy(name, length, sch, confidence=conf)
    if name == "threshold":
        return Policy(name, length, inner_steps=draw(st.integers(1, 3)), confidence=conf,
                      threshold=draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(2, 3), Fraction(1)])))
    if name == "remask":
        sigma = tuple(draw(st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1)])) for _ in sch[:-1]) + (Fraction(0),)
        return Policy(name, length, sch, sigma=sigma)
    if name == "corrector":
        return Policy(name, length, sch, corrector=tuple(draw(st.integers(0, 2)) for _ in sch))
    block = draw(st.sampled_from([b for b in range(1, length + 1) if length % b == 0]))
    inner = draw(st.sampled_from(["random-order", "top-k-confidence", "threshold"]))
    return Policy("blocks", length, draw(schedules(block)), block=block, inner=inner, confidence=conf,
                  inner_steps=draw(st.integers(1, 2)))


@st.composite
def cases(draw):
    target = draw(targets())
    den = IdealDenoiser(target, draw(st.sampled_from(["marginal", "uniform"])))
    if draw(st.booleans()):
        other = T.uniform(target.length, target.vocab)
        den = MixedDenoiser(den, IdealDenoiser(other), draw(st.sampled_from([Fraction(1, 5), Fraction(1, 2)])))
    return target, den, draw(policies(target.length))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_exact_semantics_equals_brute_force(case):
    target, den, policy = case
    out = output_distribution(policy, den)
    assert out.dist == brute_force_distribution(policy, den), policy.describe()
    assert sum(out.dist.values()) == 1
    assert 0 <= out.undefined_mass <= 1


def test_brute_force_can_disagree():
    """The comparison above can fail: a different policy gives a different distribution."""
    t = T.markov(3, AB, ["1/2", "1/2"], [["3/4", "1/4"], ["1/4", "3/4"]])
    den = IdealDenoiser(t)
    a = output_distribution(Policy("random-order", 3, (3,)), den).dist
    assert a != brute_force_distribution(Policy("random-order", 3, (1, 1, 1)), den)


@settings(max_examples=40, deadline=None)
@given(targets(max_len=4), st.sampled_from(["random", "left-to-right", "right-to-left"]))
def test_one_position_per_step_is_exact(target, order):
    pol = Policy("random-order", target.length, (1,) * target.length, order=order)
    out = output_distribution(pol, IdealDenoiser(target))
    assert out.dist == target.support()
    assert kl(target.probs, out.dist).is_zero()
    assert out.undefined_mass == 0


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_parity_kl_closed_form(n):
    t = T.parity_even(n, AB)
    h = subset_entropies(t)
    assert (mutual_information_sum(t, h) - LogForm.ln(2, n)).is_zero()
    for sch in compositions(n):
        e = expected_kl_entropy(t, sch, h)
        want = LogForm.ln(2) if sch[-1] >= 2 else LogForm()
        assert (e - want).is_zero(), sch
        assert (li_cai_bound(t, sch, h) - LogForm.ln(2, 2 ** (max(sch) - 1).bit_length() - 1)).is_zero()
        # the mixture over mask sets is the policy's output; all p_M are equal for parity
        out = output_distribution(Policy("random-order", n, sch), IdealDenoiser(t))
        assert (kl(t.probs, out.dist) - want).is_zero()


@settings(max_examples=25, deadline=None)
@given(targets(max_len=3), st.data())
def test_li_cai_two_methods_agree_and_bound_holds(target, data):
    sch = data.draw(schedules(target.length))
    e = expected_kl_entropy(target, sch)
    assert (e - expected_kl_propagate(target, sch)).is_zero()
    assert (e - li_cai_bound(target, sch)).sign() <= 0
    # Jensen: KL of the mixture (the sampler's output) <= expected KL over mask sets
    out = output_distribution(Policy("random-order", target.length, sch), IdealDenoiser(target))
    assert (kl(target.probs, out.dist) - e).sign() <= 0


def test_mask_sequences_are_counted():
    for n in range(1, 6):
        for sch in compositions(n):
            seqs = list(mask_sequences(n, sch))
            assert len(seqs) == len(set(seqs)) == count_mask_sequences(n, sch)
    assert len(compositions(5)) == 16 and len(compositions(5, 2)) == 4


@pytest.mark.parametrize("confidence,exact", [("max", True), ("margin", True), ("sampled", False)])
def test_product_target_under_top_k(confidence, exact):
    t = T.product(3, AB, ["1/3", "2/3"])
    out = output_distribution(Policy("top-k-confidence", 3, (1, 2), confidence=confidence), IdealDenoiser(t))
    assert (out.dist == t.support()) is exact


def test_product_sampled_confidence_closed_form():
    """L = 2, schedule (1, 1), marginals (1/3, 2/3): step 1 samples both positions; the more
    confident one is kept (conf 2/3 for b, 1/3 for a; ties go to position 0). P(bb) works out
    by hand: keep position 0 if y0 = b, or if both are a; then the other is drawn fresh."""
    t = T.product(2, AB, ["1/3", "2/3"])
    out = output_distribution(Policy("top-k-confidence", 2, (1, 1)), IdealDenoiser(t)).dist
    third, two = Fraction(1, 3), Fraction(2, 3)
    # position 0 is kept with value b whenever y0 = b (2/3: its confidence 2/3 is never beaten);
    # position 1 is kept instead when y0 = a, y1 = b (2/9), and x0 is then a fresh draw (b: 2/3)
    p_b0 = two + Fraction(2, 9) * two                # = 22/27, not the target's 2/3
    assert sum(p for x, p in out.items() if x[0] == 1) == p_b0
    assert p_b0 != two


def test_total_variation_and_kl_values():
    p = {(0,): Fraction(1, 2), (1,): Fraction(1, 2)}
    q = {(0,): Fraction(1, 4), (1,): Fraction(3, 4)}
    assert total_variation(p, q) == Fraction(1, 4)
    d = kl(p, q)   # 1/2 ln 2 + 1/2 ln(2/3) = ln 2 - 1/2 ln 3
    assert (d - (LogForm.ln(2) - LogForm.ln(3, Fraction(1, 2)))).is_zero()
    assert kl(q, {(0,): Fraction(1)}) == "infinite"
    assert (entropy(p) - LogForm.ln(2)).is_zero()


def test_undefined_context_mass_is_reported():
    """A denoiser mixed with uniform leaves the support of a target with zeros (only aaa and
    bbb): a run that reveals 'a' then 'b' asks the ideal part about a context of probability 0.
    Exactly: the second reveal disagrees with the first with probability 1/2 · 1/2 = 1/4."""
    t = T.markov(3, AB, ["1/2", "1/2"], [["1", "0"], ["0", "1"]])
    den = MixedDenoiser(IdealDenoiser(t), IdealDenoiser(T.uniform(3, AB)), Fraction(1, 2))
    pol = Policy("random-order", 3, (1, 1, 1), order="left-to-right")
    out = output_distribution(pol, den)
    assert out.undefined_mass == Fraction(1, 4)
    assert out.dist == brute_force_distribution(pol, den)
    assert output_distribution(pol, IdealDenoiser(t)).undefined_mass == 0


def test_model_errors_name_the_parameter():
    with pytest.raises(T.PolicyModelError) as e:
        Policy("random-order", 3, (1, 1))
    assert e.value.param == "schedule"
    with pytest.raises(T.PolicyModelError) as e:
        T.markov(2, AB, ["1/2", "1/2"], [["1/2", "1/2"], ["3/4", "1/2"]])
    assert e.value.param == "transition[1]"
    with pytest.raises(T.PolicyModelError):
        T.uniform(2, ("a",))
    with pytest.raises(T.PolicyModelError) as e:
        Policy("remask", 2, (1, 1), sigma=(Fraction(1, 2), Fraction(1, 2)))
    assert e.value.param == "sigma"


def test_policy_model_layer_imports_nothing_above_it():
    """STYLE.md §1 and §13: the policies model and semantics know nothing of specs, checks,
    solvers or the CLI; only spec.py, check.py and cli.py sit on those layers."""
    from tests.test_layers import ABOVE_MODEL, PKG, SOLVERS, offending
    files = [f for f in sorted((PKG / "policies").glob("*.py")) if f.stem not in ("spec", "check", "cli")]
    assert len(files) >= 8
    assert offending(files, SOLVERS | ABOVE_MODEL | {"verify.dlm", "verify.policies.spec",
                                                      "verify.policies.check", "verify.policies.cli"}) == []


@settings(max_examples=20, deadline=None)
@given(targets(max_len=3), st.data())
def test_phased_semantics_equals_the_one_step_kernel(target, data):
    """The semantics runs remask and corrector steps in two phases; composing them is :func:`step`."""
    from verify.policies.policy import step
    sch = data.draw(schedules(target.length))
    sigma = tuple(Fraction(1, 3) for _ in sch[:-1]) + (Fraction(0),)
    pol = data.draw(st.sampled_from([Policy("remask", target.length, sch, sigma=sigma),
                                     Policy("corrector", target.length, sch, corrector=(1,) * len(sch))]))
    den = IdealDenoiser(target)
    current = {(T.MASK,) * target.length: Fraction(1)}
    for t in range(pol.steps):
        nxt = {}
        for x, p in current.items():
            for q, y, _ in step(pol, den, x, t):
                nxt[y] = nxt.get(y, 0) + p * q
        current = nxt
    assert {x: p for x, p in current.items() if p} == output_distribution(pol, den).dist
