"""The ``[sampler]`` spec subject (MODEL.md §7): a target, a denoiser and a policy.

::

    [sampler]
    length = 4
    vocab = ["a", "b"]              # token names (or an integer V: the first V letters)
    target = "parity-even"          # or a table:
    # [sampler.target]  family = "markov", initial = ["1/2", "1/2"],
    #                   transition = [["3/4", "1/4"], ["1/4", "3/4"]]
    #   families: parity-even | uniform | product (marginals) | markov (initial, transition)
    #             | random (seed, max_weight = 9) | table (table = { ab = "1/2", ba = "1/2" })
    denoiser = "ideal"              # or [sampler.denoiser] kind = "ideal" | "mix",
    #   undefined_context = "marginal" | "uniform"; mix: weight = "1/10", with = { family = ... }
    #   (the other denoiser is the ideal denoiser of that target)
    [sampler.policy]                # or policy = "random-order" with the options below absent
    name = "top-k-confidence"       # random-order | top-k-confidence | threshold | remask |
                                    # corrector | blocks | "file.py:function" (needs --allow-code)
    schedule = [2, 2]               # sizes per step (per block step for blocks), sum L (or B)
    # order = "random"  (random-order: random | left-to-right | right-to-left)
    # confidence = "sampled"  (sampled | max | margin);  threshold = "1/2", steps = 3
    # sigma = ["1/2", "0"] (remask);  corrector = [1, 0];  block = 2, inner = "random-order"
    # a list of integers may also be a string "2,1*3" (= [2, 1, 1, 1]), e.g. "1*{L}"

Probabilities are rationals written as strings (``"1/4"``) or integers; a TOML float is read
as the decimal it shows. Every problem is a SpecError naming the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..specs import subject
from . import targets as T
from .denoiser import UNDEFINED, Denoiser, IdealDenoiser, MixedDenoiser
from .policy import CONFIDENCES, INNER, ORDERS, POLICIES, Policy
from .targets import PolicyModelError, Target

LETTERS = "abcdefghijklnopqrstuvwxyz"   # no 'm': reads too much like the mask M


@dataclass
class Sampler:
    """The subject: what is sampled (target), from what (denoiser), how (policy)."""

    target: Target
    denoiser: Denoiser
    policy: Policy | None
    custom: tuple[Path, str] | None = None      # a researcher's policy, loaded with --allow-code
    custom_steps: int = 0

    def describe(self) -> str:
        pol = self.policy.describe() if self.policy else (
            f"custom policy {self.custom[1]} from {self.custom[0].name}" if self.custom else "no policy")
        return (f"{pol}, {self.denoiser.description}, target {self.target.name} "
                f"(L={self.target.length}, V={self.target.size})")


def _model_error(table, e: PolicyModelError, default: str):
    return table.error(e.param or default, str(e))


def build_target(table, length: int, vocab: tuple[str, ...], key: str = "target") -> Target:
    raw = table.raw(key)
    sub = table.table(key) if isinstance(raw, dict) else None
    family = sub.str("family", choices=T.FAMILIES) if sub else raw
    if not isinstance(family, str) or family not in T.FAMILIES:
        raise table.error(key, f"expected one of {', '.join(T.FAMILIES)} or a table with 'family', got {raw!r}")
    where = sub or table
    try:
        if family == "parity-even":
            tgt = T.parity_even(length, vocab)
        elif family == "uniform":
            tgt = T.uniform(length, vocab)
        elif family == "product":
            tgt = T.product(length, vocab, _need(table, sub, key, "marginals"))
        elif family == "markov":
            tgt = T.markov(length, vocab, _need(table, sub, key, "initial"), _need(table, sub, key, "transition"))
        elif family == "random":
            if sub is None:
                raise table.error(key, "family 'random' needs a table with 'seed'")
            tgt = T.random_table(length, vocab, sub.int("seed", minimum=0), sub.int("max_weight", 9, minimum=1))
        else:
            entries = _need(table, sub, key, "table")
            if not isinstance(entries, dict) or not entries:
                raise sub.error("table", "expected a table of outcome = \"probability\" pairs")
            tgt = T.table(length, vocab, entries)
    except PolicyModelError as e:
        raise _model_error(where, e, key) from None
    if sub:
        sub.finish()
    return tgt


def _need(table, sub, key: str, name: str) -> Any:
    if sub is None:
        raise table.error(key, f"this family needs a table with '{name}'")
    return sub.raw(name)


def build_denoiser(table, target: Target, vocab, length: int) -> Denoiser:
    raw = table.raw("denoiser", "ideal")
    if isinstance(raw, str):
        if raw != "ideal":
            raise table.error("denoiser", f"expected 'ideal' or a table with kind = 'ideal' | 'mix', got '{raw}'")
        return IdealDenoiser(target)
    sub = table.table("denoiser")
    kind = sub.str("kind", "ideal", choices=("ideal", "mix"))
    undefined = sub.str("undefined_context", "marginal", choices=UNDEFINED)
    base = IdealDenoiser(target, undefined)
    if kind == "ideal":
        sub.finish()
        return base
    try:
        weight = T.to_fraction(sub.raw("weight"), "weight")
        other_target = build_target(sub, length, vocab, "with")
        den = MixedDenoiser(base, IdealDenoiser(other_target, undefined), weight)
    except PolicyModelError as e:
        raise _model_error(sub, e, "weight") from None
    sub.finish()
    return den


def repeated(text: str) -> list[str]:
    """``"2,1*3"`` -> ``["2", "1", "1", "1"]`` (``x*n``: n copies of x; n >= 0)."""
    out: list[str] = []
    for part in text.split(","):
        value, star, count = part.strip().partition("*")
        n = int(count) if star else 1
        if n < 0 or not value.strip():
            raise ValueError(part)
        out += [value.strip()] * n
    return out


def _fractions(table, name: str) -> tuple[Fraction, ...]:
    raw = table.raw(name)
    if isinstance(raw, str):   # "1/4*2,0" = 1/4, 1/4, 0
        try:
            raw = repeated(raw)
        except ValueError:
            raise table.error(name, f"expected rationals like \"1/4*2,0\", got '{raw}'") from None
    if not isinstance(raw, list):
        raise table.error(name, "expected a list of probabilities")
    try:
        return tuple(T.to_fraction(v, name) for v in raw)
    except PolicyModelError as e:
        raise table.error(name, str(e)) from None


def _ints(table, name: str) -> tuple[int, ...]:
    """A list of integers, or a string like ``"2,1*3"`` (``k*n``: n copies of k), which lets a
    template such as ``"1*{L}"`` give a schedule whose length depends on a param."""
    raw = table.raw(name)
    if isinstance(raw, str):
        try:
            return tuple(int(v) for v in repeated(raw))
        except ValueError:
            raise table.error(name, f"expected integers like \"2,1*3\", got '{raw}'") from None
    if isinstance(raw, list):
        try:
            return tuple(int(v) if not isinstance(v, bool) else int("x") for v in raw)
        except ValueError:
            pass
    raise table.error(name, "expected a list of integers")


def build_policy(table, length: int, base: Path) -> tuple[Policy | None, tuple[Path, str] | None, int]:
    if not table.has("policy"):
        return None, None, 0
    raw = table.raw("policy")
    sub = table.table("policy") if isinstance(raw, dict) else None
    name = sub.str("name") if sub else raw
    if not isinstance(name, str):
        raise table.error("policy", "expected a policy name or a table with 'name'")
    if ":" in name and name.split(":", 1)[0].endswith(".py"):
        file, func = name.split(":", 1)
        holder = sub or table
        steps = holder.int("steps", minimum=1)
        if sub:
            sub.finish()
        return None, (base / file, func), steps
    if name not in POLICIES:
        raise (sub or table).error("name" if sub else "policy",
                                   f"unknown policy '{name}' (expected one of {', '.join(POLICIES)}, "
                                   f"or 'file.py:function')")
    if sub is None:
        raise table.error("policy", f"policy '{name}' needs options: write a [sampler.policy] table "
                                    f"with name = '{name}' and its schedule")
    opts: dict[str, Any] = {}
    kind = sub.str("inner", choices=INNER) if name == "blocks" else name
    if name == "blocks":
        opts["inner"] = kind
        opts["block"] = sub.int("block", minimum=1)
    if kind == "threshold":
        opts["inner_steps"] = sub.int("steps", minimum=1)
        opts["threshold"] = _fractions_one(sub, "threshold")
    else:
        opts["schedule"] = _ints(sub, "schedule")
    if kind in ("top-k-confidence", "threshold"):
        opts["confidence"] = sub.str("confidence", "sampled", choices=CONFIDENCES)
    if name == "random-order":
        opts["order"] = sub.str("order", "random", choices=tuple(o for o in ORDERS if o != "sets"))
    if name == "remask":
        opts["sigma"] = _fractions(sub, "sigma")
    if name == "corrector":
        opts["corrector"] = _ints(sub, "corrector")
    sub.finish()
    try:
        return Policy(name, length, **opts), None, 0
    except PolicyModelError as e:
        raise _model_error(sub, e, "name") from None


def _fractions_one(table, name: str) -> Fraction:
    try:
        return T.to_fraction(table.raw(name), name)
    except PolicyModelError as e:
        raise table.error(name, str(e)) from None


@subject("sampler")
def build_sampler(table, env: dict[str, Any], base: Path) -> Sampler:
    length = table.int("length", minimum=1)
    raw_vocab = table.raw("vocab", ["a", "b"])
    if isinstance(raw_vocab, int) and not isinstance(raw_vocab, bool):
        if not 2 <= raw_vocab <= len(LETTERS):
            raise table.error("vocab", f"a vocabulary needs at least two tokens, got {raw_vocab}")
        vocab = tuple(LETTERS[:raw_vocab])
    elif isinstance(raw_vocab, list) and all(isinstance(v, str) and v for v in raw_vocab):
        vocab = tuple(raw_vocab)
    else:
        raise table.error("vocab", "expected a list of token names or an integer V >= 2")
    if len(vocab) < 2 or len(set(vocab)) != len(vocab) or "M" in vocab:
        raise table.error("vocab", f"expected at least two distinct token names other than 'M', got {list(vocab)}")
    target = build_target(table, length, vocab)
    denoiser = build_denoiser(table, target, vocab, length)
    policy, custom, steps = build_policy(table, length, base)
    table.finish()
    return Sampler(target, denoiser, policy, custom, steps)
