"""Check kind ``bijection``: the output is exactly uniform on a set S, proved without enumerating.

The argument (README "Exact distributions by certified bijection"). Let the DLM run its ``T``
rounds from the initial state of an input ``χ``, with all its random bits ``R`` uniform and
independent (MODEL.md §2). Choose ``k`` of them, ``R′``, with ``2^k = |S|``. If

(a) *independence*: two runs with the same ``χ`` and the same ``R′`` give the same output,
    whatever the other random bits (a two-copy miter),
(b) *membership*: every run leaves every output position unmasked, emits no ``11``, and its output
    lies in ``S`` (a membership circuit), and
(c) *injectivity*: two runs with the same ``χ`` and different ``R′`` give different outputs
    (a two-copy miter),

then for each ``χ`` the output is ``f(R′)`` for a map ``f: {0,1}^k → S`` that is injective, hence
a bijection since ``|S| = 2^k``; ``R′`` is uniform, so the output is uniform on ``S``. Each of (a),
(b), (c) is one UNSAT question answered by the SAT back end with a certificate the trusted
checker accepts; a satisfying assignment is a counterexample, replayed on the simulator.

``S`` is ``parity-even`` or ``parity-odd`` (``2^(m-1)`` strings of the ``m`` outputs) or ``all``
(``2^m``). ``bits = "auto"`` (the default) takes for ``R′`` the random bits the outputs read
after constant propagation (a structural over-approximation of what they depend on), and gives
UNKNOWN when their number is not ``log2 |S|``; ``bits = ["t.j.k", ...]`` names them (round ``t``
from 1, position ``j``, bit ``k``). The choice never affects soundness: (a)-(c) are proved for
whatever ``R′`` is used.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..dlm.model import DLM, Token, show
from ..dlm.semantics import InvalidToken, Rule, run
from ..encode.unroll import INITIAL, Unrolling
from ..verdict import Verdict
from . import rules  # noqa: F401  (registers the kinds whose option parser is reused below)
from .backends import Query
from .registry import CHECKS, Context, Outcome, check_kind
from .rules import Replay, drive

SETS = ("parity-even", "parity-odd", "all")

#: ``bits = "auto"`` gives up past this many output positions or random bits (the support pass)
MAX_AUTO_BITS = 1 << 16


def parse_options(table) -> dict[str, Any]:
    opts: dict[str, Any] = {"set": table.str("set", choices=SETS)}
    bits = table.raw("bits", "auto")
    if bits != "auto":
        if not isinstance(bits, list) or not bits:
            raise table.error("bits", 'expected "auto" or a non-empty list of "round.position.bit" strings')
        parsed = []
        for item in bits:
            parts = item.split(".") if isinstance(item, str) else []
            if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts) or int(parts[0]) < 1:
                raise table.error("bits", f"{item!r} is not \"round.position.bit\" (round from 1)")
            parsed.append((int(parts[0]) - 1, int(parts[1]), int(parts[2])))
        if len(set(parsed)) != len(parsed):
            raise table.error("bits", "a random bit is named twice")
        bits = sorted(parsed)
    opts["bits"] = bits
    opts.update(CHECKS["termination"].parse_options(table))  # solver, timeout, rule, ...
    return opts


# --- R′ --------------------------------------------------------------------------------------

class _Support:
    """Constant propagation plus support: a value is ``True``/``False`` or the frozenset of the
    random-bit keys it may depend on."""

    def var(self, key):
        return frozenset([key]) if key[0] == "r" else frozenset()

    def const(self, value: bool):
        return bool(value)

    def neg(self, a):
        return (not a) if isinstance(a, bool) else a

    def _join(self, args, absorbing: bool):
        out: frozenset = frozenset()
        for a in args:
            if isinstance(a, bool):
                if a is absorbing:
                    return absorbing
                continue
            out |= a
        return out if out or any(not isinstance(a, bool) for a in args) else (not absorbing)

    def and_(self, args):
        return self._join(args, False)

    def or_(self, args):
        return self._join(args, True)

    def xor(self, args):
        out: frozenset = frozenset()
        parity = False
        symbolic = False
        for a in args:
            if isinstance(a, bool):
                parity ^= a
            else:
                out |= a
                symbolic = True
        return out if symbolic else parity


def auto_bits(dlm: DLM, rule: Rule) -> list[tuple[int, int, int]]:
    """The random bits ``(round, position, bit)`` that the outputs read after constant folding."""
    u = Unrolling(dlm, _Support(), start=INITIAL, rule=rule, tag="support")
    keys: set = set()
    for o in dlm.outputs:
        for part in u.x(dlm.rounds, o):
            if not isinstance(part, bool):
                keys |= part
    return sorted((t, j, k) for (_r, _tag, t, j, k, _copy) in keys)


def set_size(name: str, m: int) -> int:
    return 2 ** m if name == "all" else 2 ** (m - 1)


def _in_set(alg, name: str, values: Sequence[Any]):
    if name == "all":
        return alg.const(True)
    odd = alg.xor(list(values))
    return odd if name == "parity-odd" else alg.neg(odd)


def _string_in_set(name: str, s: str) -> bool:
    return "M" not in s and (name == "all" or s.count("1") % 2 == (name == "parity-odd"))


# --- the three questions ---------------------------------------------------------------------

def _valid(u: Unrolling, rounds: int) -> list:
    return [u.alg.neg(u.is_invalid(u.y(t, j))) for t in range(rounds) for j in range(u.dlm.length)]


def _pair_decoder(dlm: DLM, u0: Unrolling, u1: Unrolling, kind: str):
    def decode(value):
        chi = [int(bool(value(u0.x(0, p)[1]))) for p in dlm.inputs]
        return {"kind": kind, "chi": chi, "draws": [_draws(u0, value, dlm.rounds), _draws(u1, value, dlm.rounds)]}
    return decode


def _draws(u: Unrolling, value, rounds: int) -> list[dict[tuple[int, int], bool]]:
    draws: list[dict[tuple[int, int], bool]] = [{} for _ in range(rounds)]
    for (t, j, k, c) in u.random_touched():
        if t < rounds:
            draws[t][(j, k)] = bool(value(u.random(t, j, k, c)))
    for t in range(rounds):  # bits no output reads: any value (fill for the simulator)
        for j in range(u.dlm.length):
            for k in range(u.dlm.random_bits[j]):
                draws[t].setdefault((j, k), False)
    return draws


def _two_runs(dlm: DLM, alg, rule: Rule):
    u0 = Unrolling(dlm, alg, start=INITIAL, rule=rule, tag="a")
    u1 = Unrolling(dlm, alg, start=INITIAL, rule=rule, tag="b")
    same_chi = [alg.neg(alg.xor([u0.x(0, p)[1], u1.x(0, p)[1]])) for p in dlm.inputs]
    return u0, u1, same_chi


def _outputs_differ(u0: Unrolling, u1: Unrolling, dlm: DLM):
    T = dlm.rounds
    return u0.alg.or_([u0.differs(u0.x(T, o), u1.x(T, o)) for o in dlm.outputs])


def _same_bits(alg, u0: Unrolling, u1: Unrolling, bits) -> list:
    return [alg.neg(alg.xor([u0.random(t, j, k), u1.random(t, j, k)])) for t, j, k in bits]


def _queries(dlm: DLM, rule: Rule, set_name: str, bits) -> list[Query]:
    T = dlm.rounds

    def independent(alg):
        u0, u1, same_chi = _two_runs(dlm, alg, rule)
        differ = _outputs_differ(u0, u1, dlm)
        assertions = same_chi + _same_bits(alg, u0, u1, bits) + [differ]
        return assertions + _valid(u0, T) + _valid(u1, T), _pair_decoder(dlm, u0, u1, "independent")

    def member(alg):
        u = Unrolling(dlm, alg, start=INITIAL, rule=rule)
        outs = [u.x(T, o) for o in dlm.outputs]
        bad = [m for m, _v in outs] + [u.is_invalid(u.y(t, j)) for t in range(T) for j in range(dlm.length)]
        bad.append(alg.neg(_in_set(alg, set_name, [v for _m, v in outs])))

        def decode(value):
            chi = [int(bool(value(u.x(0, p)[1]))) for p in dlm.inputs]
            return {"kind": "member", "chi": chi, "draws": [_draws(u, value, T)]}
        return [alg.or_(bad)], decode

    def injective(alg):
        u0, u1, same_chi = _two_runs(dlm, alg, rule)
        same_out = alg.neg(_outputs_differ(u0, u1, dlm))
        bits_differ = alg.or_([alg.xor([u0.random(t, j, k), u1.random(t, j, k)]) for t, j, k in bits])
        assertions = same_chi + [bits_differ, same_out]
        return assertions + _valid(u0, T) + _valid(u1, T), _pair_decoder(dlm, u0, u1, "injective")

    return [Query("independent", independent), Query("member", member), Query("injective", injective)]


# --- replays ---------------------------------------------------------------------------------

def _final(dlm: DLM, chi, draws, rule: Rule) -> tuple[str, list]:
    trace = run(dlm, chi, draws, rule)
    final = trace[-1].after if trace else dlm.initial_state(chi)
    return show(final[p] for p in dlm.outputs), trace


def _bit_text(bits) -> str:
    return ", ".join(f"{t + 1}.{j}.{k}" for t, j, k in bits)


def _replay(dlm: DLM, rule: Rule, set_name: str, bits):
    def replay(wit) -> Replay:
        chi, kind = wit["chi"], wit["kind"]
        where = f" on input {''.join(map(str, chi))}" if dlm.inputs else ""
        try:
            finals = [_final(dlm, chi, d, rule)[0] for d in wit["draws"]]
        except InvalidToken as e:
            ok = kind == "member"
            return Replay(ok, f"a run{where} emits 11 ({e}), so no output distribution is defined",
                          {"input": chi})
        values = [[int(d[t][(j, k)]) for t, j, k in bits] for d in wit["draws"]]
        details = {"input": "".join(map(str, chi)), "outputs": finals, "r_prime": ["".join(map(str, v)) for v in values]}
        if kind == "member":
            out = finals[0]
            return Replay(not _string_in_set(set_name, out),
                          f"a run{where} outputs {out}, which is not in {set_name}", details,
                          [f"replayed on the simulator: output {out} is outside {set_name}"])
        a, b = finals
        if kind == "independent":
            ok = values[0] == values[1] and a != b
            return Replay(ok, f"two runs{where} with the same R′ = {''.join(map(str, values[0]))} output "
                              f"{a} and {b}: the output reads random bits outside R′ ({_bit_text(bits)})",
                          details, [f"replayed on the simulator: {a} vs {b} with R′ equal"])
        ok = values[0] != values[1] and a == b
        return Replay(ok, f"two runs{where} with R′ = {''.join(map(str, values[0]))} and "
                          f"{''.join(map(str, values[1]))} both output {a}: the map from R′ is not injective",
                      details, [f"replayed on the simulator: both runs output {a}"])
    return replay


@check_kind("bijection", ("dlm",), parse_options,
            "the output is uniform on a set S, by a certified bijection from 2^k random bits (no enumeration)")
def check_bijection(instance, check, ctx: Context) -> Outcome:
    dlm: DLM = instance.subject
    opts = check.options
    rule: Rule = opts["rule"]
    m = len(dlm.outputs)
    if m == 0:
        return Outcome(Verdict.ERROR, "the DLM has no output positions")
    k = set_size(opts["set"], m).bit_length() - 1
    if opts["bits"] == "auto":
        if dlm.rounds * sum(dlm.random_bits) > MAX_AUTO_BITS:
            return Outcome(Verdict.UNKNOWN, f"bits = \"auto\" gives up past {MAX_AUTO_BITS} random bits; name them")
        bits = auto_bits(dlm, rule)
        if len(bits) != k:
            return Outcome(Verdict.UNKNOWN,
                           f"the outputs read {len(bits)} random bits after constant propagation, but "
                           f"|{opts['set']}| = 2^{k}: name R′ with bits = [\"round.position.bit\", ...]",
                           "structural support")
    else:
        bits = opts["bits"]
        for t, j, b in bits:
            if t >= dlm.rounds or j >= dlm.length or b >= dlm.random_bits[j]:
                return Outcome(Verdict.ERROR, f"bits: {t + 1}.{j}.{b} is not a random bit of this DLM "
                                              f"({dlm.rounds} rounds, {dlm.length} positions)")
        if len(bits) != k:
            return Outcome(Verdict.ERROR, f"bits: {len(bits)} random bits named, but |{opts['set']}| = 2^{k}")
    what = (f"uniform on {opts['set']} ({m} outputs, 2^{k} strings): a bijection from R′ = {k} random "
            f"bit(s), independent of the other {dlm.rounds * sum(dlm.random_bits) - k}, every run in the set, "
            f"injective; rule={rule.value}")
    outcome = drive(instance, check, ctx, _queries(dlm, rule, opts["set"], bits),
                    _replay(dlm, rule, opts["set"], bits), what)
    outcome.details["r_prime"] = _bit_text(bits)
    return outcome
