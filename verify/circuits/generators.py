"""Randomized sampler circuits ``C(R)`` with known closed-form output distributions.

The paper is about sampling: a circuit with random sources defines a distribution, and
Thm 3.1/3.2 say a DLM reproduces it (MODEL.md §1, §5). The benchmark circuits are all
deterministic, so these generators supply real samplers. Each family has

* ``build(size, **params) -> Circuit``: random sources are :data:`Op.RANDOM` vertices named
  ``rnd<k>`` (:data:`RANDOM_PREFIX`), so a written file read back with
  ``random_prefix = "rnd"`` marks them again; outputs are named;
* ``closed_form(size, **params) -> {outcome: Fraction}``: the output distribution derived from
  the family's mathematics, never from the circuit (outcomes are strings over ``0``/``1``, one
  character per output in the circuit's output order).

Families (MODEL.md-style statements in the README, "Sampler circuits"):

``parity``      size n >= 2: ``x_0 = r_0``, ``x_i = r_{i-1} ⊕ r_i``, ``x_{n-1} = r_{n-2}``;
                uniform on the even strings of length n (``D⊕n``), an NC0 circuit.
``bernoulli``   size k bits, parameter ``b``: bit i is ``[R_i < a_i]`` for b fresh random bits
                ``R_i`` read as a binary number, ``a_i = 1 + (i mod (2^b - 1))``; the product of
                Bernoulli(``a_i / 2^b``).
``walk``        size t steps, parameter ``b``: a walk on the cycle Z_{2^b} from 0, one fair bit per
                step (+1 or -1); P(j) = Σ_k C(t, k) / 2^t over k with 2k - t ≡ j (mod 2^b).
                Outputs are the position's bits, least significant first.
``majority``    size k: the majority (more than k/2 ones) of k fair bits, computed by a popcount
                adder tree and a comparison; P(1) = Σ_{j > k/2} C(k, j) / 2^k.
``permutation`` size k: k items (item i is i in ⌈log2 k⌉ bits) through the random-swap network
                "for i = 1..k-1, for j = 0..i-1: swap positions j and i if a fresh bit is 1";
                outputs the items by position. Its distribution is the product of the swap
                steps' kernels on S_k (computed exactly for k <= 7). Not uniform for k >= 3:
                1/k! is not dyadic, so no circuit with fair bits samples it exactly.

This module knows nothing of solvers, files or the CLI.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from math import comb
from typing import Callable

from .ir import Circuit, CircuitBuilder, Op

RANDOM_PREFIX = "rnd"

#: the largest size any family builds (a bound checked before building; about 10^6 gates)
MAX_SIZE = 100_000
#: the largest ``b`` of ``bernoulli`` and ``walk``
MAX_BITS = 24
#: closed forms are tabulated only up to this many outcomes
MAX_OUTCOMES = 1 << 16
#: the permutation network's closed form is exact propagation over S_k up to this k
MAX_PERMUTATION_CLOSED_FORM = 7


class GeneratorError(ValueError):
    """A size or parameter outside a family's range (the CLI turns it into exit 2)."""


class _Gates:
    """A :class:`CircuitBuilder` with literal-level helpers (constants folded)."""

    def __init__(self, name: str):
        self.b = CircuitBuilder(name)
        self._zero = None
        self._random = 0

    def zero(self) -> int:
        if self._zero is None:
            self._zero = self.b.const(False)
        return self._zero

    def one(self) -> int:
        return self.zero() ^ 1

    def random(self) -> int:
        k = self._random
        self._random += 1
        return self.b.random(f"{RANDOM_PREFIX}{k}")

    def gate(self, op: Op, *fanins: int) -> int:
        return self.b.gate(op, fanins)

    def xor(self, a: int, c: int) -> int:
        if a >> 1 == c >> 1:
            return self.zero() ^ ((a ^ c) & 1)
        for x, y in ((a, c), (c, a)):
            if x >> 1 == self.zero() >> 1 and self._zero is not None:
                return y ^ (x & 1)
        return self.gate(Op.XOR, a, c)

    def and_(self, a: int, c: int) -> int:
        if self._zero is not None:
            z = self._zero
            if z in (a, c):
                return z
            if a == z ^ 1:
                return c
            if c == z ^ 1:
                return a
        return self.gate(Op.AND, a, c)

    def or_(self, a: int, c: int) -> int:
        return self.and_(a ^ 1, c ^ 1) ^ 1

    def mux(self, s: int, if0: int, if1: int) -> int:
        """``s ? if1 : if0``."""
        if if0 == if1:
            return if0
        return self.or_(self.and_(s ^ 1, if0), self.and_(s, if1))

    def full_add(self, a: int, c: int, carry: int) -> tuple[int, int]:
        t = self.xor(a, c)
        return self.xor(t, carry), self.or_(self.and_(a, c), self.and_(t, carry))

    def add(self, xs: list[int], ys: list[int]) -> list[int]:
        """Sum of two little-endian numbers, one bit wider than the wider."""
        n = max(len(xs), len(ys))
        xs = xs + [self.zero()] * (n - len(xs))
        ys = ys + [self.zero()] * (n - len(ys))
        out, carry = [], self.zero()
        for a, c in zip(xs, ys):
            s, carry = self.full_add(a, c, carry)
            out.append(s)
        return out + [carry]

    def less_than_const(self, bits_msb_first: list[int], a: int) -> int:
        """``[R < a]`` for the number R whose bits are given most significant first:
        at the first bit where R and a differ, a has 1 and R has 0."""
        width = len(bits_msb_first)
        result, equal = self.zero(), self.one()
        for j, r in enumerate(bits_msb_first):
            if (a >> (width - 1 - j)) & 1:
                result = self.or_(result, self.and_(equal, r ^ 1))
                equal = self.and_(equal, r)
            else:
                equal = self.and_(equal, r ^ 1)
        return result

    def output(self, literal: int, name: str) -> None:
        self.b.output(literal, name)

    def build(self) -> Circuit:
        return self.b.build()


def _check(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GeneratorError(f"{name} must be an integer in {low}..{high}, got {value!r}")
    return value


# --- parity --------------------------------------------------------------------------------

def build_parity(n: int, defect: bool = False) -> Circuit:
    _check("size", n, 2 + defect, MAX_SIZE)
    g = _Gates(f"parity{n}" + "_defect" * defect)
    r = [g.random() for _ in range(n - 1)]
    outs = [r[0]] + [g.xor(r[i - 1], r[i]) for i in range(1, n - 1)] + [r[n - 2]]
    if defect:  # the last position ignores its bit and copies the one before it
        outs[-1] = r[n - 3]
    for i, o in enumerate(outs):
        g.output(o, f"x{i}")
    return g.build()


def closed_parity(n: int) -> dict[str, Fraction]:
    _check("size", n, 2, 16)
    p = Fraction(1, 2 ** (n - 1))
    return {"".join(s): p for s in product("01", repeat=n) if s.count("1") % 2 == 0}


# --- bernoulli -------------------------------------------------------------------------------

def bernoulli_numerators(k: int, b: int) -> list[int]:
    return [1 + (i % (2 ** b - 1)) for i in range(k)]


def build_bernoulli(k: int, b: int = 3, defect: bool = False) -> Circuit:
    _check("size", k, 1, MAX_SIZE)
    _check("b", b, 1 + defect, MAX_BITS)
    g = _Gates(f"bernoulli{k}_b{b}" + "_defect" * defect)
    numerators = bernoulli_numerators(k, b)
    if defect:  # bit 0 compares with a_0 + 1: biased by 2^-b
        numerators[0] += 1
    for i, a in enumerate(numerators):
        bits = [g.random() for _ in range(b)]
        g.output(g.less_than_const(bits, a), f"x{i}")
    return g.build()


def closed_bernoulli(k: int, b: int = 3) -> dict[str, Fraction]:
    _check("size", k, 1, 16)
    _check("b", b, 1, MAX_BITS)
    ps = [Fraction(a, 2 ** b) for a in bernoulli_numerators(k, b)]
    dist = {}
    for s in product("01", repeat=k):
        p = Fraction(1)
        for bit, q in zip(s, ps):
            p *= q if bit == "1" else 1 - q
        if p:
            dist["".join(s)] = p
    return dist


# --- walk ----------------------------------------------------------------------------------

def build_walk(t: int, b: int = 2, defect: bool = False) -> Circuit:
    _check("size", t, 1, MAX_SIZE)
    _check("b", b, 1, MAX_BITS)
    g = _Gates(f"walk{t}_b{b}" + "_defect" * defect)
    pos = [g.zero()] * b
    for step_index in range(t):
        s = g.random()
        if defect and step_index == t - 1:  # the last step stays put
            break
        # +1 if s else -1 (= 2^b - 1): the addend is 1 in bit 0 and ~s elsewhere
        step = [g.one()] + [s ^ 1] * (b - 1)
        pos = g.add(pos, step)[:b]
    for j, o in enumerate(pos):
        g.output(o, f"p{j}")
    return g.build()


def closed_walk(t: int, b: int = 2) -> dict[str, Fraction]:
    _check("size", t, 1, MAX_SIZE)
    _check("b", b, 1, 16)
    m = 2 ** b
    counts = [0] * m
    for k in range(t + 1):
        counts[(2 * k - t) % m] += comb(t, k)
    return {_bits_lsb_first(j, b): Fraction(c, 2 ** t) for j, c in enumerate(counts) if c}


def _bits_lsb_first(value: int, width: int) -> str:
    return "".join(str((value >> j) & 1) for j in range(width))


# --- majority ------------------------------------------------------------------------------

def build_majority(k: int, defect: bool = False) -> Circuit:
    _check("size", k, 1, MAX_SIZE)
    g = _Gates(f"majority{k}" + "_defect" * defect)
    numbers = [[g.random()] for _ in range(k)]
    while len(numbers) > 1:  # a balanced adder tree: the popcount of the k bits
        nxt = [g.add(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
        if len(numbers) % 2:
            nxt.append(numbers[-1])
        numbers = nxt
    count = numbers[0]
    threshold = k // 2 + 1 + defect  # majority: count >= threshold, i.e. not (count < threshold)
    width = max(len(count), threshold.bit_length())
    count = count + [g.zero()] * (width - len(count))
    below = g.less_than_const(list(reversed(count)), threshold)
    g.output(below ^ 1, "maj")
    return g.build()


def closed_majority(k: int) -> dict[str, Fraction]:
    _check("size", k, 1, MAX_SIZE)
    p1 = Fraction(sum(comb(k, j) for j in range(k // 2 + 1, k + 1)), 2 ** k)
    return {o: p for o, p in (("1", p1), ("0", 1 - p1)) if p}


# --- permutation -----------------------------------------------------------------------------

def swap_network(k: int) -> list[tuple[int, int]]:
    return [(j, i) for i in range(1, k) for j in range(i)]


def item_bits(k: int) -> int:
    return max(1, (k - 1).bit_length())


def build_permutation(k: int, defect: bool = False) -> Circuit:
    _check("size", k, 2, 1000)
    g = _Gates(f"permutation{k}" + "_defect" * defect)
    w = item_bits(k)
    slots = [[g.one() if (i >> j) & 1 else g.zero() for j in range(w)] for i in range(k)]
    for j, i in swap_network(k):
        s = g.random()
        a, c = slots[j], slots[i]
        slots[j] = [g.mux(s, x, y) for x, y in zip(a, c)]
        # the defect wires the first swap's second output wrong: it duplicates an item
        slots[i] = slots[j] if defect and (j, i) == (0, 1) else [g.mux(s, y, x) for x, y in zip(a, c)]
    for i, item in enumerate(slots):
        for j, o in enumerate(item):
            g.output(o, f"s{i}_{j}")
    return g.build()


def closed_permutation(k: int) -> dict[str, Fraction]:
    _check("size", k, 2, MAX_PERMUTATION_CLOSED_FORM)
    dist = {tuple(range(k)): Fraction(1)}
    half = Fraction(1, 2)
    for j, i in swap_network(k):  # each step: keep, or swap j and i, with probability 1/2
        nxt: dict[tuple, Fraction] = {}
        for perm, p in dist.items():
            swapped = list(perm)
            swapped[j], swapped[i] = swapped[i], swapped[j]
            for q in (perm, tuple(swapped)):
                nxt[q] = nxt.get(q, Fraction(0)) + p * half
        dist = nxt
    w = item_bits(k)
    return {"".join(_bits_lsb_first(x, w) for x in perm): p for perm, p in dist.items()}


# --- registry --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Family:
    name: str
    build: Callable[..., Circuit]
    closed_form: Callable[..., dict[str, Fraction]]
    params: tuple[str, ...]
    summary: str


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("parity", build_parity, closed_parity, (), "uniform on the even strings of length n (D⊕n)"),
    Family("bernoulli", build_bernoulli, closed_bernoulli, ("b",),
           "k independent Bernoulli(a_i/2^b) bits, a_i = 1 + (i mod (2^b - 1))"),
    Family("walk", build_walk, closed_walk, ("b",), "a ±1 random walk of t steps on Z_{2^b} from 0"),
    Family("majority", build_majority, closed_majority, (), "the majority of k fair bits"),
    Family("permutation", build_permutation, closed_permutation, (),
           "k items through the random-swap network (not uniform for k >= 3)"),
)}


def family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise GeneratorError(f"unknown sampler family {name!r} (expected one of "
                             f"{', '.join(FAMILIES)})") from None


def generate(name: str, size: int, *, defect: bool = False, **params: int) -> Circuit:
    """The family's circuit; ``defect`` builds its deliberately wrong variant (negative controls:
    parity's last position ignores its bit, one Bernoulli bit is biased by 2^-b, the walk's last
    step stays put, majority compares with a threshold one too high, the permutation duplicates an item)."""
    fam = family(name)
    _check_params(fam, params)
    return fam.build(size, defect=defect, **params)


def closed_form(name: str, size: int, **params: int) -> dict[str, Fraction]:
    fam = family(name)
    _check_params(fam, params)
    return fam.closed_form(size, **params)


def _check_params(fam: Family, params: dict) -> None:
    unknown = sorted(set(params) - set(fam.params))
    if unknown:
        allowed = ", ".join(fam.params) or "none"
        raise GeneratorError(f"{fam.name} has no parameter {unknown[0]!r} (parameters: {allowed})")
