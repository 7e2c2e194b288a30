"""``python -m verify policies TARGET``: exact TV and KL of every built-in policy, per T.

For each built-in policy (with default parameters, below) and each number of steps ``T``, the
exact output distribution with the ideal denoiser of the target is computed and compared with
the target: ``TV`` (a rational, printed as a decimal) and ``KL(target ‖ output)`` (an exact
log form; ``--exact`` prints the forms). A Markdown table, or ``--json``.

Defaults: schedule = the balanced composition of L into T parts (larger parts first);
top-k-confidence with each confidence; threshold τ = ``--threshold`` (default 9/10, the last
step commits everything left); remask σ_t = 1/4 (σ_T = 0); corrector c_t = 1; blocks of
``--block`` positions (default 2) with random-order inside, when B divides L and L/B divides T.
"""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TextIO

from ..cli import Parser
from ..errors import UsageError
from . import targets as T
from .denoiser import IdealDenoiser
from .divergence import INFINITE, kl, total_variation
from .logs import LogForm
from .policy import Policy
from .semantics import output_distribution
from .spec import LETTERS
from .targets import PolicyModelError


def balanced(length: int, parts: int) -> tuple[int, ...]:
    q, r = divmod(length, parts)
    return tuple(q + 1 if k < r else q for k in range(parts))


def default_policies(length: int, steps: int, threshold: Fraction, block: int) -> list[tuple[str, Policy]]:
    sch = balanced(length, steps)
    out = [("random-order", Policy("random-order", length, sch)),
           ("left-to-right", Policy("random-order", length, sch, order="left-to-right"))]
    for conf in ("sampled", "max", "margin"):
        out.append((f"top-k-confidence ({conf})", Policy("top-k-confidence", length, sch, confidence=conf)))
    out.append((f"threshold τ={threshold}", Policy("threshold", length, inner_steps=steps, threshold=threshold)))
    if steps >= 2:
        sigma = tuple([Fraction(1, 4)] * (steps - 1) + [Fraction(0)])
        out.append(("remask σ=1/4", Policy("remask", length, sch, sigma=sigma)))
    out.append(("corrector c=1", Policy("corrector", length, sch, corrector=(1,) * steps)))
    nblocks = length // block if block and length % block == 0 else 0
    if nblocks and steps % nblocks == 0 and steps // nblocks <= block:
        out.append((f"blocks B={block}", Policy("blocks", length, balanced(block, steps // nblocks),
                                                 block=block, inner="random-order")))
    return out


def _fraction_list(text: str, flag: str) -> list[Fraction]:
    try:
        return [Fraction(v) for v in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"{flag}: expected comma-separated rationals, got '{text}'") from None


def build_target(args) -> T.Target:
    vocab = tuple(LETTERS[:args.V])
    if args.target.endswith(".toml"):
        from ..specs import load_spec
        spec = load_spec(Path(args.target))
        insts = [i for i in spec.instances if i.subject_kind == "sampler"]
        if not insts:
            raise UsageError(f"{args.target}: no [sampler] instance")
        return insts[0].subject.target
    fam = args.target
    if fam == "parity-even":
        return T.parity_even(args.L, vocab)
    if fam == "uniform":
        return T.uniform(args.L, vocab)
    if fam == "random":
        return T.random_table(args.L, vocab, args.seed)
    if fam == "product":
        return T.product(args.L, vocab, [str(v) for v in _fraction_list(args.marginals, "--marginals")])
    if fam == "markov":
        rows = [[str(v) for v in _fraction_list(r, "--transition")] for r in args.transition.split(";")]
        return T.markov(args.L, vocab, [str(v) for v in _fraction_list(args.initial, "--initial")], rows)
    raise UsageError(f"unknown target '{fam}' (expected one of {', '.join(T.FAMILIES[:-1])} or a spec file)")


def _steps(text: str | None, length: int) -> list[int]:
    if not text:
        return list(range(1, length + 1))
    try:
        if ".." in text:
            lo, hi = (int(v) for v in text.split(".."))
            out = list(range(lo, hi + 1))
        else:
            out = [int(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"--T: expected e.g. 2,3 or 1..4, got '{text}'") from None
    if not out or any(not 1 <= t <= length for t in out):
        raise UsageError(f"--T: every T must be in 1..{length}")
    return out


def rows_for(target: T.Target, steps: list[int], threshold: Fraction, block: int) -> list[dict]:
    den = IdealDenoiser(target)
    rows = []
    for t in steps:
        for label, pol in default_policies(target.length, t, threshold, block):
            out = output_distribution(pol, den)
            d = kl(target.probs, out.dist)
            rows.append({"policy": label, "T": t, "described": pol.describe(),
                         "tv": total_variation(target.probs, out.dist), "kl": d,
                         "undefined_mass": out.undefined_mass})
    return rows


def command_policies(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    p = Parser(prog="python -m verify policies", stdout=stdout,
                description=__doc__.split("\n\n", 1)[1] if __doc__ else "")
    p.add_argument("target", help="parity-even | uniform | product | markov | random, or a spec file with a [sampler]")
    p.add_argument("--L", type=int, default=4, help="length (default 4)")
    p.add_argument("--V", type=int, default=2, help="vocabulary size (default 2)")
    p.add_argument("--T", default=None, help="steps: a list (2,3) or a range (1..4); default 1..L")
    p.add_argument("--seed", type=int, default=0, help="seed of the random target (default 0)")
    p.add_argument("--initial", default=None, help="markov: initial vector, e.g. 1/2,1/2")
    p.add_argument("--transition", default=None, help="markov: rows separated by ';', e.g. '3/4,1/4;1/4,3/4'")
    p.add_argument("--marginals", default=None, help="product: one marginal for every position, e.g. 1/3,2/3")
    p.add_argument("--threshold", default="9/10", help="τ of the threshold policy (default 9/10)")
    p.add_argument("--block", type=int, default=2, help="block size of the blocks policy (default 2)")
    p.add_argument("--exact", action="store_true", help="also print the exact TV and KL")
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = p.parse_args(argv)
    if args.L < 1 or args.V < 2 or args.V > len(LETTERS):
        raise UsageError("--L must be >= 1 and --V in 2..24")
    if args.block < 1:
        raise UsageError("--block must be >= 1")
    if args.target == "markov":
        args.initial = args.initial or ",".join(["1/%d" % args.V] * args.V)
        if args.transition is None:
            stay = Fraction(3, 4)
            move = (1 - stay) / (args.V - 1)
            args.transition = ";".join(",".join(str(stay if a == b else move) for b in range(args.V))
                                       for a in range(args.V))
    if args.target == "product" and args.marginals is None:
        raise UsageError("product: give --marginals")
    try:
        threshold = Fraction(args.threshold)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"--threshold: '{args.threshold}' is not a rational") from None
    try:
        target = build_target(args)
        rows = rows_for(target, _steps(args.T, target.length), threshold, args.block)
    except PolicyModelError as e:
        raise UsageError(f"{('--' + e.param) if e.param else 'target'}: {e}") from None
    if args.json:
        doc = {"target": target.name, "L": target.length, "V": target.size,
               "rows": [{"policy": r["policy"], "T": r["T"], "described": r["described"],
                         "tv": str(r["tv"]), "tv_decimal": float(r["tv"]),
                         "kl": str(r["kl"]), "kl_decimal": None if r["kl"] == INFINITE else r["kl"].approx(12),
                         "undefined_mass": str(r["undefined_mass"])} for r in rows]}
        print(json.dumps(doc, indent=1), file=stdout)
        return 0
    print(f"target {target.name}, L = {target.length}, V = {target.size}, ideal denoiser", file=stdout)
    print("", file=stdout)
    head = "| policy | T | TV | KL(target ‖ output) |" + (" TV (exact) | KL (exact) |" if args.exact else "")
    print(head, file=stdout)
    print("|" + "---|" * head.count("|")[:-1] if False else "|" + "---|" * (head.count("|") - 1), file=stdout)
    for r in rows:
        d = r["kl"]
        kl_dec = "∞" if d == INFINITE else d.approx(4)
        line = f"| {r['policy']} | {r['T']} | {float(r['tv']):.4f} | {kl_dec} |"
        if args.exact:
            line += f" {r['tv']} | {'∞' if d == INFINITE else d} |"
        print(line, file=stdout)
    return 0
