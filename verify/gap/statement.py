"""The claim sentence of a gap class: one function of the class, never typed by hand.

STYLE.md §12: a PROVED verdict's sentence must say exactly what its certificate proves. For a
class of :mod:`verify.gap.classes` that is: the mode, ``L = n``, the target (support or exact,
with ``rho`` random bits), the rounds, the predictor model (may ``P_i`` output ``M``; is there
an unmasking strategy ``F``, and what it reads and where), what the remasking ``G`` reads
(remask modes), the bound (locality ``k`` or DNF size ``s``) and the decoder rule.

* :func:`statement` (``claim`` = ``"exists"`` or ``"none"``) is the ``[claim] statement`` of
  a ``specs/gap`` spec; :func:`witness_statement` that of a witness spec the engine writes.
* :func:`caption` is the short class caption used in tables (README, docs/gap.md).
* ``python -m verify.gap.statement FILE...`` rewrites the statements of spec files to the
  generated ones (``--check``: only report the ones that differ, exit 1 if any);
  ``--docs`` re-renders the generated regions of the README and docs/gap.md
  (:mod:`verify.gap.docs`).

Fields other engines may add to a class are read with defaults, so they plug in: ``rule``
(``"enforce"``, the decoder's reading, or ``"literal"``), ``remask_reads`` (``"z"``: ``G_i``
reads the committed tokens only; ``"xz"``: the state and the committed tokens), and the
predictor model ``"full"`` (``P_i`` may output ``M`` and ``F_i`` reads ``x`` and ``y`` on the
read set of ``P_i``).
"""
from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import TextIO

from ..dlm.model import Mode

#: predictor model -> (what the predictor may output, what F reads; None = no F, every
#: predicted token is committed; whether the locality bounds F too)
_MODELS = {
    "self-unmask": ("a, b or M (M: stay masked)", None, False),
    "full": ("a, b or M and is consulted at every position (its own position counted like any other)",
             "the state x and the sampled predictions y on the read set of P_i", True),
    "ab+F": ("a or b only", "the state x and the sampled predictions y on the read set of P_i", True),
    "ab+F-state": ("a or b only", "the whole state x and no prediction", False),
    "ab+F-unbounded": ("a or b only", "the whole state x and all sampled predictions y", False),
}
#: predictor model -> short caption for tables
_MODEL_CAPTIONS = {
    "self-unmask": "P may output M, no F",
    "full": "P may output M, F(x, y on S_i)",
    "ab+F": "a/b P, F(x, y on S_i)",
    "ab+F-state": "a/b P, F(whole x, no y)",
    "ab+F-unbounded": "a/b P, F(whole x and y)",
}
_MODE_WORDS = {Mode.PLAIN: "plain (unmask-only)", Mode.REMASK: "remasking",
               Mode.REVISE: "revising", Mode.REMASK_REVISE: "remasking and revising"}


class StatementError(ValueError):
    """A class or spec the generator cannot describe (named in the message)."""


def _value(x) -> str:
    return str(getattr(x, "value", x))


def rule_of(cls) -> str:
    """The decoder rule of the class: ``"enforce"`` unless the class says otherwise."""
    return _value(getattr(cls, "rule", "enforce"))


def remask_reads_of(cls) -> str:
    """What G_i reads in remask modes: ``"z"`` (committed tokens) unless the class says so."""
    return _value(getattr(cls, "remask_reads", "z"))


def _model(cls) -> tuple[str, str | None, bool]:
    try:
        return _MODELS[cls.predictor_model]
    except KeyError:
        raise StatementError(f"no statement for predictor model '{cls.predictor_model}'") from None


def _plural(k, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def target_phrase(cls) -> str:
    """What the DLM produces, by the semantics of the class."""
    n = cls.n
    if cls.semantics == "exact":
        return (f"samples D⊕{n} exactly (uniform on the even strings of length {n}; "
                f"{_plural(cls.rho, 'private random bit')} per position and round)")
    if cls.semantics == "support":
        return (f"has exactly the even strings of length {n} as its possible outputs "
                f"(support semantics: probabilities unconstrained)")
    raise StatementError(f"no statement for semantics '{cls.semantics}'")


def _remask_phrase(cls, generic: bool = False) -> str:
    if not cls.mode.allows_remask:
        return ""
    reads = remask_reads_of(cls)
    if cls.bound == "template":
        if reads != "z":
            raise StatementError(f"no statement for a template class with remask_reads = '{reads}'")
        return (f"G_i's remask bit a DNF of at most {_plural('s' if generic else cls.size, 'term')} over the committed "
                f"tokens z of every position (not x)")
    what = {"z": "the committed tokens z (not x)", "xz": "the state x and the committed tokens z"}
    if reads not in what:
        raise StatementError(f"no statement for remask_reads = '{reads}'")
    return f"G_i reads {what[reads]} on the read set of P_i"


def _bound_phrase(cls, generic: bool = False) -> str:
    _, f_reads, f_bounded = _model(cls)
    size, k = ("s", "k") if generic else (cls.size, cls.locality)
    if cls.bound == "template":
        return (f"each output bit of P_i (mask, value) a DNF of at most {_plural(size, 'term')} over "
                f"the state bits of every position and its random bit")
    if cls.bound != "locality":
        raise StatementError(f"no statement for bound '{cls.bound}'")
    who = ["P_i"]
    if f_reads is not None and f_bounded:
        who.append("F_i")
    if cls.mode.allows_remask:
        who.append("G_i")
    names = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
    unbounded = "; F_i is not bounded by it" if f_reads is not None and not f_bounded else ""
    return (f"locality {k}: {names} read{'s' if len(who) == 1 else ''} at most "
            f"{_plural(k, 'position')} (one read set S_i, chosen freely){unbounded}")


def _rule_phrase(cls) -> str:
    rule = rule_of(cls)
    if rule == "enforce":
        gloss = ("a predicted M at a revealed position keeps the token" if cls.mode.allows_revise
                 else "a revealed token is kept whatever P_i outputs there")
        return f"decoder rule enforce ({gloss})"
    if rule == "literal":
        parts = "P, F and G" if cls.mode.allows_remask else "P and F"
        return (f"rule literal (the next state is what {parts} compute, and the mode's rule "
                f"holds through them in every state)")
    raise StatementError(f"no statement for rule '{rule}'")


def class_description(cls, generic: bool = False) -> str:
    """The class after "class:": predictor model, F, bound, G, rule (semicolon-separated).
    ``generic``: the bound as the letter k (or s), for the caption of a table over k."""
    outputs, f_reads, _ = _model(cls)
    parts = [f"P_i outputs {outputs}",
             f"an unmasking strategy F_i reads {f_reads}" if f_reads is not None
             else "no unmasking strategy F (every predicted token is committed)",
             _bound_phrase(cls, generic), _remask_phrase(cls, generic), _rule_phrase(cls)]
    return "; ".join(p for p in parts if p)


def _rounds(cls) -> str:
    return f"from M^{cls.n} in {_plural(cls.rounds, 'round')}"


def statement(cls, claim: str) -> str:
    """The sentence of the claim ``exists`` (some DLM of the class) or ``none`` (no DLM)."""
    if claim not in ("exists", "none"):
        raise StatementError(f"claim must be 'exists' or 'none', not '{claim}'")
    lead = "a" if claim == "exists" else "no"
    return (f"{lead} {_MODE_WORDS[cls.mode]} DLM of length L = {cls.n} {target_phrase(cls)} "
            f"{_rounds(cls)}; class: {class_description(cls)}")


def witness_statement(cls) -> str:
    """The sentence of a witness spec: what its distribution/support check re-verifies about
    this one DLM, and the class the engine found it for (membership is by construction: read
    sets in the spec's header; only a ``resources`` check in the spec would re-check them)."""
    return (f"this {_MODE_WORDS[cls.mode]} DLM of length L = {cls.n} {target_phrase(cls)} "
            f"{_rounds(cls)} (under the rule below); found by the gap engine for the class: "
            f"{class_description(cls)}")


def rests_on(blocked: int) -> str:
    """What a certified "none" rests on (README, "What least k = K rests on"): the (LRAT or DRAT)
    certificate of ``CNF + blocking clauses``, where each blocking clause is justified only by
    the engine's exact evaluation of one candidate DLM (exact semantics, CEGAR)."""
    if blocked == 0:
        return "the certificate alone (no blocking clauses)"
    return (f"the certificate plus {blocked} blocking clause{'s' if blocked != 1 else ''} "
            f"from the engine's exact evaluator (each excludes a candidate DLM it found not to "
            f"sample D⊕n; not re-checked by the trusted checker)")


def caption(cls) -> str:
    """A short caption of the class for tables (no n, T or semantics: those are columns)."""
    parts = [_MODEL_CAPTIONS.get(cls.predictor_model) or _model(cls)[0]]
    if cls.mode.allows_remask:
        parts.append("G(z on S_i)" if remask_reads_of(cls) == "z" else "G(x, z on S_i)")
    parts.append("DNF size s" if cls.bound == "template" else "locality k")
    if cls.semantics == "exact" and cls.rho != 1:
        parts.append(f"ρ = {cls.rho}")
    parts.append(f"rule {rule_of(cls)}")
    return ", ".join(parts)


# --- the class line of a witness spec ----------------------------------------------------

CLASS_LINE = "# gap class: "


def class_line(cls) -> str:
    """``# gap class: n=4 rounds=2 mode=plain ...``: every field of the class, so a witness
    spec (a ``[dlm]`` subject) names the class its statement is generated from."""
    return CLASS_LINE + " ".join(f"{f.name}={_value(getattr(cls, f.name))}"
                                 for f in dataclasses.fields(cls))


def parse_class_line(line: str):
    """The class of a :func:`class_line`; raises :class:`StatementError` on a bad line."""
    from .classes import GapClass, GapClassError
    if not line.startswith(CLASS_LINE):
        raise StatementError("not a gap class line")
    fields = {f.name for f in dataclasses.fields(GapClass)}
    kw: dict = {}
    for item in line[len(CLASS_LINE):].split():
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            raise StatementError(f"bad field '{item}' in the gap class line")
        kw[key] = Mode(value) if key == "mode" else int(value) if value.isdigit() else value
    try:
        return GapClass(**kw)
    except (GapClassError, TypeError, ValueError) as e:
        raise StatementError(f"bad gap class line: {e}") from None


# --- spec files --------------------------------------------------------------------------

_STATEMENT = re.compile(r'^statement = ".*"$', re.M)


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def expected_statement(path: Path) -> str:
    """The generated statement of one spec file: a ``[gap]`` subject with one ``gap`` check
    (its claim), or a witness spec (a ``[dlm]`` subject with a :func:`class_line`)."""
    from ..errors import SpecError
    from ..specs import load_spec
    spec = load_spec(path)
    if not spec.instances:
        raise SpecError("the spec has no instance (a missing requirement?)", file=str(path))
    inst = spec.instances[0]
    if inst.subject_kind == "gap":
        claims = {c.options["claim"] for i in spec.instances for c in i.checks if c.kind == "gap"}
        if len(spec.instances) != 1 or len(claims) != 1:
            raise SpecError("a gap claim spec needs one instance and one gap claim", file=str(path))
        return statement(inst.subject, claims.pop())
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(CLASS_LINE):
            try:
                return witness_statement(parse_class_line(line))
            except StatementError as e:
                raise SpecError(str(e), file=str(path)) from None
    raise SpecError(f"neither a [gap] subject nor a '{CLASS_LINE.strip()}' line", file=str(path))


def engine_lacks_class(path: Path) -> str:
    """Why this checkout's engine cannot build the class of a ``[gap]`` spec ('' if it can):
    a predictor model or class field it does not implement (a class whose engine lands
    separately). Callers say so (skip, or a table row saying it), never describe the class."""
    import tomllib

    from .classes import PREDICTOR_MODELS, GapClass
    try:
        gap = tomllib.loads(path.read_text(encoding="utf-8")).get("gap", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""          # load_spec reports these
    model = gap.get("predictor_model", "self-unmask")
    if model not in PREDICTOR_MODELS:
        return f"predictor model '{model}' is not implemented in this checkout"
    extra = sorted(set(gap) - {f.name for f in dataclasses.fields(GapClass)} - {"s"})
    return f"class field '{extra[0]}' is not implemented in this checkout" if extra else ""


def rewrite_spec(path: Path) -> bool:
    """Set the ``[claim] statement`` of ``path`` to the generated one; True if it changed."""
    from ..errors import SpecError
    want = expected_statement(path)
    text = path.read_text(encoding="utf-8")
    if len(_STATEMENT.findall(text)) != 1:
        raise SpecError("expected exactly one 'statement = \"...\"' line", file=str(path))
    new = _STATEMENT.sub(lambda _: f"statement = {toml_string(want)}", text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``python -m verify.gap.statement [--check] FILE...`` / ``--docs [--check] [ROOT]``."""
    from ..errors import UserError
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if args and args[0] == "--docs":
        from .docs import render_all
        root = Path(args[1]) if len(args) > 1 else Path(".")
        try:
            stale = render_all(root, write=not check)
        except (UserError, OSError) as e:
            print(f"error: {e}", file=stderr)
            return 2
        for name in stale:
            print(f"{name}: {'stale' if check else 'rewritten'}", file=stdout)
        return 1 if check and stale else 0
    if not args or any(a.startswith("-") for a in args):
        print("usage: python -m verify.gap.statement [--check] SPEC.toml...\n"
              "       python -m verify.gap.statement --docs [--check] [REPO_ROOT]", file=stderr)
        return 2
    differ = 0
    for a in args:
        path = Path(a)
        try:
            if check:
                if _current(path) != expected_statement(path):
                    differ += 1
                    print(f"{path}: statement differs from the generated one", file=stdout)
            elif rewrite_spec(path):
                print(f"{path}: statement rewritten", file=stdout)
        except UserError as e:
            print(f"error: {e}", file=stderr)
            return 2
    return 1 if differ else 0


def _current(path: Path) -> str:
    from ..specs import load_spec
    return load_spec(path).statement


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], sys.stdout, sys.stderr))
