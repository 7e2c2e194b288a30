"""The DLM of MODEL.md §2-3: tokens, position circuits, F, G, modes.

A DLM is ``(L, P, F, G, mode)`` run for ``T`` rounds. Every circuit is an ordinary
:class:`~verify.circuits.ir.Circuit` whose inputs and random sources are *named* by the
convention below, so a circuit says by itself which positions and random bits it reads:

=============  ==============================================================
``m{j}``       mask bit of the state token ``x_j`` (1 iff ``x_j = M``)
``v{j}``       value bit of ``x_j`` (1 iff ``x_j = b``)
``ym{j}``      mask bit of the sampled prediction ``y_j`` (F only)
``yv{j}``      value bit of ``y_j`` (F only)
``zm{j}``      mask bit of ``z_j``, the token after F (G only)
``zv{j}``      value bit of ``z_j`` (G only)
``r{i}_{k}``   random source: bit ``k`` of position ``i``'s private bits ``r_i``
=============  ==============================================================

Token encoding on the wire (MODEL.md §2): ``a -> 00``, ``b -> 01``, ``M -> 10`` as
(mask bit, value bit); ``11`` is not a token. Positions are numbered from 0.

The predictor ``P_i`` has two outputs (mask bit, value bit); ``F_i`` one output, 1 = commit
``y_i`` (else keep ``x_i``); ``G_i`` one output, 1 = turn ``z_i`` into ``M``. This module knows
nothing of solvers, files or the CLI.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import cached_property
from typing import Sequence

from ..circuits.ir import Circuit


class Token(IntEnum):
    A = 0   # the bit 0, encoded 00
    B = 1   # the bit 1, encoded 01
    M = 2   # the mask, encoded 10

    @property
    def bits(self) -> tuple[int, int]:
        """(mask bit, value bit)."""
        return (1, 0) if self is Token.M else (0, int(self))

    @property
    def char(self) -> str:
        return "M" if self is Token.M else str(int(self))


def decode(mask_bit: int, value_bit: int) -> Token | None:
    """The token of a 2-bit code, or None for the non-token ``11``."""
    if mask_bit:
        return None if value_bit else Token.M
    return Token.B if value_bit else Token.A


def show(tokens: Sequence[Token]) -> str:
    """``(A, B, M)`` -> ``"01M"``: tokens read as bits, the mask as ``M``."""
    return "".join(t.char for t in tokens)


class Mode(str, Enum):
    PLAIN = "plain"                  # unmask-only
    REMASK = "remask"                # G may remask; the predictor never changes a revealed token
    REVISE = "revise"                # the predictor may replace a revealed token by a non-mask
    REMASK_REVISE = "remask+revise"

    @property
    def allows_remask(self) -> bool:
        return self in (Mode.REMASK, Mode.REMASK_REVISE)

    @property
    def allows_revise(self) -> bool:
        return self in (Mode.REVISE, Mode.REMASK_REVISE)


class DLMError(ValueError):
    """A DLM whose parts do not fit together (wrong arity, names, lengths)."""


_NAME = re.compile(r"^(m|v|ym|yv|zm|zv)([0-9]{1,9})$|^r([0-9]{1,9})_([0-9]{1,9})$")  # ASCII digits

#: which input name kinds each role of circuit may read
_ROLE_KINDS = {
    "predictor": {"m", "v"},
    "unmask_strategy": {"m", "v", "ym", "yv"},
    "remask": {"m", "v", "zm", "zv"},
}


def parse_name(name: str | None) -> tuple[str, int, int] | None:
    """``'m3' -> ('m', 3, 0)``, ``'r2_1' -> ('r', 2, 1)``; None when not a DLM name."""
    if not name:
        return None
    hit = _NAME.match(name)
    if not hit:
        return None
    if hit.group(1):
        return (hit.group(1), int(hit.group(2)), 0)
    return ("r", int(hit.group(3)), int(hit.group(4)))


@dataclass(frozen=True)
class Wiring:
    """How one DLM circuit's leaves map to the state: ``leaves[k] = (vertex, kind, j, bit)``."""

    circuit: Circuit
    leaves: tuple[tuple[int, str, int, int], ...]

    @cached_property
    def reads(self) -> tuple[int, ...]:
        """Positions whose token (x, y or z) this circuit reads."""
        return tuple(sorted({j for _, kind, j, _ in self.leaves if kind != "r"}))

    @cached_property
    def state_reads(self) -> tuple[int, ...]:
        return tuple(sorted({j for _, kind, j, _ in self.leaves if kind in ("m", "v")}))

    @cached_property
    def random_leaves(self) -> tuple[tuple[int, int, int], ...]:
        """(vertex, owner position, bit index) for every random source."""
        return tuple((v, j, b) for v, kind, j, b in self.leaves if kind == "r")


def wire(circuit: Circuit, role: str, length: int, where: str) -> Wiring:
    """Check a circuit's leaf names against the naming convention and the DLM's length."""
    allowed = _ROLE_KINDS[role]
    leaves = []
    for vertex in circuit.inputs:
        name = circuit.vertices[vertex].name
        parsed = parse_name(name)
        if parsed is None or parsed[0] == "r" or parsed[0] not in allowed:
            raise DLMError(f"{where}: input '{name}' is not one a {role} circuit may read "
                           f"(expected {', '.join(sorted(k + '<j>' for k in allowed))})")
        if parsed[1] >= length:
            raise DLMError(f"{where}: input '{name}' names position {parsed[1]}, but L = {length}")
        leaves.append((vertex, parsed[0], parsed[1], parsed[2]))
    for vertex in circuit.randoms:
        name = circuit.vertices[vertex].name
        parsed = parse_name(name)
        if parsed is None or parsed[0] != "r":
            raise DLMError(f"{where}: random source '{name}' must be named r<position>_<bit>")
        if parsed[1] >= length:
            raise DLMError(f"{where}: random source '{name}' names position {parsed[1]}, but L = {length}")
        leaves.append((vertex, "r", parsed[1], parsed[2]))
    return Wiring(circuit, tuple(leaves))


@dataclass(frozen=True, eq=False)
class DLM:
    """A diffusion language model (MODEL.md §3), time-independent, run for ``rounds`` rounds.

    ``inputs`` are the positions that hold ``χ`` (unmasked) initially, ``outputs`` the positions
    read as the sample after the last round; ``length > len(inputs) + len(outputs)`` is
    chain-of-thought scratch space.
    """

    length: int
    rounds: int
    mode: Mode
    predictor: Sequence[Circuit]
    random_bits: Sequence[int]
    outputs: Sequence[int]
    inputs: Sequence[int] = ()
    unmask_strategy: Sequence[Circuit] | None = None
    remask: Sequence[Circuit] | None = None
    name: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        L = self.length
        if L < 1:
            raise DLMError("length must be at least 1")
        if self.rounds < 0:
            raise DLMError("rounds must be >= 0")
        if len(self.predictor) != L:
            raise DLMError(f"{len(self.predictor)} predictor circuits for length {L}")
        if len(self.random_bits) != L or any(r < 0 for r in self.random_bits):
            raise DLMError(f"random_bits must give a count >= 0 for each of the {L} positions")
        for name, seq in (("inputs", self.inputs), ("outputs", self.outputs)):
            if len(set(seq)) != len(seq) or any(not 0 <= p < L for p in seq):
                raise DLMError(f"{name} must be distinct positions in 0..{L - 1}")
        if set(self.inputs) & set(self.outputs):
            raise DLMError("a position cannot be both an input and an output")
        if self.unmask_strategy is not None and len(self.unmask_strategy) != L:
            raise DLMError(f"{len(self.unmask_strategy)} unmasking-strategy circuits for length {L}")
        if self.remask is not None:
            if not self.mode.allows_remask:
                raise DLMError(f"a remasking strategy G is only allowed in remask modes, not '{self.mode.value}'")
            if len(self.remask) != L:
                raise DLMError(f"{len(self.remask)} remasking circuits for length {L}")
        for i, c in enumerate(self.predictor):
            if len(c.outputs) != 2:
                raise DLMError(f"predictor {i}: needs 2 outputs (mask bit, value bit), has {len(c.outputs)}")
        for role, seq in (("unmask_strategy", self.unmask_strategy), ("remask", self.remask)):
            for i, c in enumerate(seq or ()):
                if len(c.outputs) != 1:
                    raise DLMError(f"{role} {i}: needs 1 output, has {len(c.outputs)}")
        # Wiring is checked eagerly only for small DLMs; compiled giants check lazily.
        if L <= 4096:
            for i in range(L):
                self.predictor_wiring(i)
                if self.unmask_strategy is not None:
                    self.strategy_wiring(i)
                if self.remask is not None:
                    self.remask_wiring(i)

    def _wiring(self, role: str, seq: Sequence[Circuit], i: int) -> Wiring:
        key = (role, i)
        w = self._cache.get(key)
        if w is None:
            w = wire(seq[i], role, self.length, f"{role} {i}")
            for v, owner, bit in w.random_leaves:
                if bit >= self.random_bits[owner]:
                    name = seq[i].vertices[v].name
                    raise DLMError(f"{role} {i}: random source '{name}' is bit {bit} of position "
                                   f"{owner}, which has only {self.random_bits[owner]} random bits")
            self._cache[key] = w
        return w

    def forget_wiring(self, positions) -> None:
        """Drop the cached wiring of ``positions`` (it is rebuilt on demand). A pass that visits
        every position once, like the inductive coupling proof on a 200k-position DLM, calls
        this so the cache does not grow to one entry per circuit of the DLM."""
        for i in positions:
            for role in ("predictor", "unmask_strategy", "remask"):
                self._cache.pop((role, i), None)

    def predictor_wiring(self, i: int) -> Wiring:
        return self._wiring("predictor", self.predictor, i)

    def strategy_wiring(self, i: int) -> Wiring:
        assert self.unmask_strategy is not None  # internal: callers test first
        return self._wiring("unmask_strategy", self.unmask_strategy, i)

    def remask_wiring(self, i: int) -> Wiring:
        assert self.remask is not None
        return self._wiring("remask", self.remask, i)

    @property
    def scratch(self) -> int:
        """Chain-of-thought positions: neither input nor output."""
        return self.length - len(self.inputs) - len(self.outputs)

    def initial_state(self, chi: Sequence[int]) -> tuple[Token, ...]:
        """``χ`` at the input positions (unmasked), ``M`` elsewhere."""
        if len(chi) != len(self.inputs):
            raise DLMError(f"χ has {len(chi)} bits, the DLM has {len(self.inputs)} input positions")
        state = [Token.M] * self.length
        for p, bit in zip(self.inputs, chi):
            state[p] = Token.B if bit else Token.A
        return tuple(state)

    def summary(self) -> dict:
        return {
            "name": self.name, "length": self.length, "rounds": self.rounds,
            "mode": self.mode.value, "inputs": len(self.inputs), "outputs": len(self.outputs),
            "random_bits": sum(self.random_bits),
            "unmask_strategy": self.unmask_strategy is not None, "remask": self.remask is not None,
        }


def own_random_only(dlm: DLM, i: int) -> list[str]:
    """Names of random sources in P_i that belong to another position (structurally)."""
    w = dlm.predictor_wiring(i)
    return [dlm.predictor[i].vertices[v].name or "?" for v, owner, _ in w.random_leaves if owner != i]


def strategy_random_reads(dlm: DLM) -> list[tuple[str, int, str]]:
    """``(role, position, bit name)`` for every random source an unmasking strategy F_i or a
    remasking strategy G_i names (structurally). MODEL.md §3 gives F and G no random bits."""
    out = []
    for role, seq in (("unmask_strategy", dlm.unmask_strategy), ("remask", dlm.remask)):
        if seq is None:
            continue
        for i in range(dlm.length):
            w = dlm.strategy_wiring(i) if role == "unmask_strategy" else dlm.remask_wiring(i)
            out.extend((role, i, seq[i].vertices[v].name or "?") for v, _, _ in w.random_leaves)
    return out
