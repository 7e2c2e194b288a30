"""Spec files: one TOML file per claim (README, "Spec files").

A spec has a ``[claim]`` table, optional ``[params]`` (each a value or a list of values; the
spec is instantiated for every combination), exactly one *subject* table (``[dlm]`` for a DLM
written directly; further subject kinds register themselves in :data:`SUBJECTS`), and one or
more ``[[check]]`` tables with a ``kind`` and the ``expect``-ed verdict.

Strings in the subject may contain ``{...}`` templates: integer arithmetic over the params
(and, in position rules, the position ``i``), e.g. ``"v{i-1}"`` or ``"0..{n-1}"``.
Every problem raises :class:`~verify.errors.SpecError` naming the file and the key.
"""
from __future__ import annotations

import difflib
import itertools
import math
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import limits
from .circuits.expr import ExprError, compile_expressions
from .circuits.ir import Circuit
from .dlm.model import DLM, DLMError, Mode
from .errors import SpecError, UserError
from .templates import KeyedTemplateError, TemplateError, expand, substitute
from .verdict import Verdict


# --- small typed access to TOML tables, with errors that name the key -------------------

class Table:
    """A TOML table with typed getters; every error names the file and the dotted key."""

    def __init__(self, data: dict, path: Path, prefix: str):
        self.data = data
        self.path = path
        self.prefix = prefix
        self.used: set[str] = set()
        self.known: set[str] = set()    # keys asked about (has) or declared: valid, maybe absent

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str | None, message: str) -> SpecError:
        return SpecError(message, file=str(self.path), key=self.key(name) if name else self.prefix or None)

    def has(self, name: str) -> bool:
        self.known.add(name)
        return name in self.data

    def declare(self, *names: str) -> None:
        """Keys valid in this table that the reader reads only in some cases (so a typo of
        one is still named in the "did you mean" of :meth:`finish`)."""
        self.known.update(names)

    def raw(self, name: str, default: Any = ...) -> Any:
        self.used.add(name)
        if name not in self.data:
            if default is ...:
                strays = [k for k in self.data if k not in self.used | self.known]
                close = difflib.get_close_matches(name, strays, n=1, cutoff=0.6)
                if close:
                    raise self.error(close[0], f"unknown key: did you mean `{name}`? "
                                               f"(`{self.key(name)}` is required)")
                raise self.error(name, "is required")
            return default
        return self.data[name]

    def int(self, name: str, default: Any = ..., minimum: int | None = None,
            maximum: int | None = None, limit: str = "") -> int:
        """An integer (or a string of ASCII digits, e.g. an expanded template); ``maximum``
        is a limit of :mod:`verify.limits` when ``limit`` names it."""
        value = self.raw(name, default)
        if isinstance(value, str):
            try:
                value = ascii_int(value)
            except ValueError:
                raise self.error(name, f"expected an integer, got '{value}'") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"expected an integer, got {type(value).__name__} {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(name, f"expected an integer >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.error(name, f"{value} exceeds {maximum}" + (
                f" (limit {limit}; raise it with [limits] {limit} = ... or --limit {limit}=...)" if limit else ""))
        return value

    def seconds(self, name: str) -> float | None:
        """An optional time limit in seconds: finite, positive, at most the ``timeout`` limit."""
        if not self.has(name):
            self.used.add(name)
            return None
        value = self.raw(name)
        try:
            return limits.check_timeout(value, "a timeout")
        except ValueError as e:
            raise self.error(name, str(e)) from None

    def str(self, name: str, default: Any = ..., choices: tuple[str, ...] | None = None) -> str:
        value = self.raw(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {type(value).__name__} {value!r}")
        if choices is not None and value not in choices:
            raise self.error(name, f"expected one of {', '.join(repr(c) for c in choices)}, got '{value}'")
        return value

    def table(self, name: str) -> "Table":
        value = self.raw(name)
        if not isinstance(value, dict):
            raise self.error(name, f"expected a table, got {type(value).__name__}")
        return Table(value, self.path, self.key(name))

    def tables(self, name: str, required: bool = False) -> list["Table"]:
        value = self.raw(name, ... if required else [])
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "expected an array of tables ([[...]])")
        return [Table(v, self.path, f"{self.key(name)}[{k}]") for k, v in enumerate(value)]

    def finish(self) -> None:
        """Reject keys nobody read (typos must not pass silently)."""
        extra = sorted(set(self.data) - self.used)
        if extra:
            if extra[0] in self.known:
                raise self.error(extra[0], "does not apply with the other keys of this table")
            valid = sorted(self.used | self.known)
            close = difflib.get_close_matches(extra[0], valid, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise self.error(extra[0], f"unknown key: {hint}(valid keys here: {', '.join(valid) or 'none'})")


# --- integers and positions ----------------------------------------------------------

_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def ascii_int(text: str) -> int:
    """An integer written in ASCII digits (``int()`` alone also takes Unicode digits and ``_``)."""
    text = text.strip()
    if not _ASCII_INT.fullmatch(text) or len(text) > 30:
        raise ValueError(f"'{text}' is not an integer")
    return int(text)


def positions(table: Table, name: str, length: int, env: dict[str, int], default: Any = ...) -> list[int]:
    """A set of positions: an int, a list of ints, ``"all"``, ``"none"`` or ``"lo..hi"`` (inclusive).

    Only ``"none"`` means no positions: an empty list, an empty string or a reversed range
    (``"3..0"``) is an error naming the key, so a slip never turns a claim into a vacuous one.
    A repeated position is an error too."""
    value = table.raw(name, default)
    try:
        if isinstance(value, bool):
            raise ValueError("expected positions")
        if isinstance(value, int):
            out = [value]
        elif isinstance(value, list):
            if len(value) > length:
                raise ValueError(f"{len(value)} positions listed, the DLM has {length}")
            out = [ascii_int(expand(v, env)) if isinstance(v, str) else v for v in value]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
                raise ValueError("expected a list of integers")
            if not out:
                raise ValueError("an empty list of positions (write \"none\" if no position is meant)")
        elif isinstance(value, str):
            text = expand(value, env).strip()
            if text == "all":
                out = list(range(length))
            elif text == "none":
                out = []
            elif text == "":
                raise ValueError("an empty string (write \"none\" if no position is meant)")
            elif ".." in text:
                lo, hi = (ascii_int(part) for part in text.split("..", 1))
                if hi < lo:
                    raise ValueError(f"'{text}' is a reversed range (lo > hi), which would name no "
                                     f"position (write \"none\" if none is meant)")
                if lo < 0 or hi >= length:   # checked before the range is built
                    raise ValueError(f"range {lo}..{hi} is outside 0..{length - 1}")
                out = list(range(lo, hi + 1))
            else:
                parts = text.split(",")
                if len(parts) > length:
                    raise ValueError(f"{len(parts)} positions listed, the DLM has {length}")
                out = [ascii_int(part) for part in parts]
        else:
            raise ValueError(f"expected positions, got {type(value).__name__}")
    except (ValueError, TemplateError) as e:
        raise table.error(name, f"{e} (positions are an int, a list, 'all', 'none' or 'lo..hi')") from None
    bad = [p for p in out if not 0 <= p < length]
    if bad:
        raise table.error(name, f"position {bad[0]} is outside 0..{length - 1}")
    if len(set(out)) != len(out):
        raise table.error(name, f"position {next(p for p in out if out.count(p) > 1)} is named twice")
    return out


# --- spec objects ----------------------------------------------------------------------

@dataclass
class CheckSpec:
    kind: str
    expect: Verdict
    options: dict[str, Any]
    key: str


@dataclass
class Instance:
    """One instantiation of a spec (one combination of its params)."""

    spec: "Spec"
    params: dict[str, Any]
    subject_kind: str
    subject: Any
    checks: list[CheckSpec]

    @property
    def name(self) -> str:
        if not self.params:
            return self.spec.name
        return f"{self.spec.name}[{','.join(f'{k}={v}' for k, v in self.params.items())}]"


@dataclass
class Spec:
    path: Path
    name: str
    statement: str
    reference: str
    instances: list[Instance] = field(default_factory=list)
    skipped: str = ""   # why the spec was not instantiated (its [claim] requires data not present)


#: subject kind -> builder(table, env, spec path) -> subject object
SUBJECTS: dict[str, Callable[[Table, dict[str, Any], Path], Any]] = {}


#: subject kind -> the kind its objects also are (a [construction] builds a DLM, so every
#: check of a [dlm] applies to it)
SUBJECT_IS: dict[str, str] = {}


def subject(kind: str, acts_as: str | None = None):
    def register(fn):
        SUBJECTS[kind] = fn
        if acts_as:
            SUBJECT_IS[kind] = acts_as
        return fn
    return register


# --- the [dlm] subject -------------------------------------------------------------------

def _resolver(role: str, position: int):
    kinds = {"predictor": ("m", "v"), "unmask_strategy": ("m", "v", "ym", "yv"),
             "remask": ("m", "v", "zm", "zv")}[role]
    # ASCII digits only (\d also matches other scripts' digits), at most 9 of them
    state = re.compile(r"^(%s)([0-9]{1,9})$" % "|".join(sorted(kinds, key=len, reverse=True)))
    own = re.compile(r"^r([0-9]{1,9})$")
    other = re.compile(r"^r([0-9]{1,9})_([0-9]{1,9})$")

    def resolve(name: str) -> tuple[str, str]:
        if state.match(name):
            return "input", name
        hit = own.match(name)
        if hit:
            return "random", f"r{position}_{hit.group(1)}"
        if other.match(name):
            return "random", name
        raise ExprError(f"unknown name '{name}' in a {role} expression (expected "
                        f"{', '.join(k + '<j>' for k in kinds)}, r<k> or r<j>_<k>)")
    return resolve


def _load_circuit_file(table: Table, name: str, base: Path) -> Circuit:
    from .circuits.formats import read_circuit  # formats are a leaf layer; imported lazily
    from .circuits.ir import mark_random
    path = base / table.str(name)
    try:
        # by the naming convention, inputs named r<j>_<k> are random sources
        return mark_random(read_circuit(path), lambda n: re.fullmatch(r"r\d+_\d+", n) is not None)
    except UserError:
        raise
    except OSError as e:
        raise table.error(name, f"cannot read circuit file {path}: {e.strerror}") from None


def _position_rules(parent: Table, role: str, outputs: list[tuple[str, str]], length: int,
                    env: dict[str, Any], base: Path, required: bool) -> list[Circuit] | None:
    """Per-position circuits from ``[[dlm.<role>]]`` rules: the first rule whose ``at``
    covers a position defines it; every position must be covered."""
    rules = parent.tables(role, required=required)
    if not rules:
        if required:
            raise parent.error(role, f"needs at least one rule ([[{parent.key(role)}]])")
        return None
    circuits: list[Circuit | None] = [None] * length
    defaults = {"mask": "0"}
    for rule in rules:
        at = positions(rule, "at", length, env, default="all")
        use_file = rule.has("circuit")
        if use_file:
            circuit = _load_circuit_file(rule, "circuit", base)
            if len(circuit.outputs) != len(outputs):
                raise rule.error("circuit", f"has {len(circuit.outputs)} outputs, a {role} circuit needs {len(outputs)}")
        texts = {}
        if not use_file:
            for out_key, _ in outputs:
                texts[out_key] = rule.raw(out_key, defaults.get(out_key, ...))
        rule.finish()
        for i in at:
            if circuits[i] is not None:
                continue
            if use_file:
                circuits[i] = circuit  # names are absolute (m3, r2_0), shared as is
                continue
            local = dict(env, i=i)
            pairs = []
            for out_key, out_name in outputs:
                text = texts[out_key]
                if not isinstance(text, str):
                    raise rule.error(out_key, f"expected an expression string, got {text!r}")
                try:
                    pairs.append((out_name, expand(text, local)))
                except ValueError as e:
                    raise rule.error(out_key, str(e)) from None
            try:
                circuits[i] = compile_expressions(pairs, _resolver(role, i), name=f"{role}{i}")
            except ExprError as e:
                col = f" (column {e.column})" if e.column else ""
                key = next((k for k, n in outputs if n == e.output), outputs[0][0])
                raise rule.error(key, f"position {i}: {e}{col}") from None
    missing = [i for i, c in enumerate(circuits) if c is None]
    if missing:
        raise parent.error(role, f"no rule covers position {missing[0]} (add an 'at' that includes it)")
    return circuits  # type: ignore[return-value]


@subject("dlm")
def build_dlm(table: Table, env: dict[str, Any], base: Path) -> DLM:
    """A DLM written directly in the spec (MODEL.md §3)."""
    lim = limits.current()
    length = table.int("length", minimum=1, maximum=lim.length, limit="length")
    rounds = table.int("rounds", minimum=0, maximum=lim.rounds, limit="rounds")
    mode_text = table.str("mode", choices=tuple(m.value for m in Mode))
    bits = table.raw("random_bits", 0)
    if type(bits) is int:
        random_bits = [bits] * length
    elif isinstance(bits, list) and all(type(b) is int for b in bits) and len(bits) == length:
        random_bits = bits
    else:
        raise table.error("random_bits", f"expected an integer or a list of {length} integers")
    bad = [b for b in random_bits if not 0 <= b <= lim.random_bits]
    if bad:
        raise table.error("random_bits", f"{bad[0]} random bits: expected 0..{lim.random_bits} per "
                                         f"position and round (limit random_bits)")
    inputs = positions(table, "inputs", length, env, default="none")
    outputs = positions(table, "outputs", length, env)
    name = table.str("name", "")
    predictor = _position_rules(table, "predictor", [("mask", "m"), ("value", "v")], length, env, base, True)
    strategy = _position_rules(table, "unmask_strategy", [("commit", "commit")], length, env, base, False)
    remask = _position_rules(table, "remask", [("remask", "remask")], length, env, base, False)
    table.finish()
    try:
        return DLM(length=length, rounds=rounds, mode=Mode(mode_text), predictor=predictor,
                   random_bits=random_bits, outputs=outputs, inputs=inputs,
                   unmask_strategy=strategy, remask=remask, name=name)
    except DLMError as e:
        raise table.error(None, str(e)) from None


@subject("construction", acts_as="dlm")
def build_construction(table: Table, env: dict[str, Any], base: Path) -> DLM:
    """A DLM compiled by a construction of MODEL.md §5 (``verify.constructions``)."""
    from .constructions.spec import build_construction_subject  # constructions sit above the model
    return build_construction_subject(table, env, base)


# --- loading -----------------------------------------------------------------------------

def _toml_line(message: str) -> int | None:
    hit = re.search(r"line (\d+)", message)
    return int(hit.group(1)) if hit else None


def _params(table: Table | None) -> list[dict[str, Any]]:
    if table is None:
        return [{}]
    names, values = [], []
    for name in table.data:
        value = table.raw(name)
        seq = value if isinstance(value, list) else [value]
        if not seq or not all(type(v) in (int, str) for v in seq):
            raise table.error(name, "expected an integer or string, or a non-empty list of them")
        if not name.isidentifier() or not name.isascii():
            raise table.error(name, "a param name must be an ASCII identifier (it is used in {...} templates)")
        names.append(name)
        values.append(seq)
    count, most = math.prod(len(v) for v in values), limits.current().instances
    if count > most:   # checked before the combinations are built
        raise table.error(None, f"{count} combinations of params exceed {most} (limit instances)")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _check_outcome_length(table: Table, options: dict[str, Any], subject_obj: Any) -> None:
    """A target given as a table names outcomes of the subject's output positions."""
    outcomes = options.get("table")
    outputs = getattr(subject_obj, "outputs", None)
    if not isinstance(outcomes, dict) or outputs is None:
        return
    for outcome in outcomes:
        if len(outcome) != len(outputs):
            raise table.error(f"table.{outcome}", f"outcome '{outcome}' has {len(outcome)} token(s), "
                                                  f"the DLM has {len(outputs)} output position(s)")


_CLAIM_NAME = re.compile(r"[^./\\\s\x00-\x1f][^/\\\s\x00-\x1f]{0,199}")


def load_spec(path: Path, overrides: dict[str, int | float] | None = None) -> Spec:
    """Parse and validate one spec file; raise SpecError naming the file and key.
    ``overrides`` raise limits (``--limit``); the spec's own ``[limits]`` table may raise more."""
    with limits.raised(overrides or {}):
        return _read(path)


def _read(path: Path) -> Spec:
    from .checks.registry import load_all  # checks sit below specs; imported here to register kinds
    load_all()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):   # /dev/zero, a FIFO: never read
            raise SpecError("not a regular file", file=str(path))
        size = info.st_size
        if size > limits.current().spec_bytes:
            raise SpecError(f"spec file of {size} bytes exceeds {limits.current().spec_bytes} "
                            f"(limit spec_bytes; raise it with --limit spec_bytes=...)", file=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(f"cannot read spec: {e.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise SpecError("spec is not UTF-8 text", file=str(path)) from None
    deep = limits.toml_depth_error(text)
    if deep:
        raise SpecError(deep, file=str(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"TOML syntax error: {e}", file=str(path), line=_toml_line(str(e))) from None
    except ValueError as e:   # tomllib's int() of a literal over 4300 digits
        raise SpecError(f"TOML value out of range: {str(e)[:80]}", file=str(path)) from None
    except RecursionError:  # the scan above should prevent it; never a traceback
        raise SpecError("TOML nested too deeply", file=str(path)) from None
    if limits.nesting(data) > limits.current().toml_depth:   # dotted keys nest without brackets
        raise SpecError(f"tables or arrays nested deeper than {limits.current().toml_depth} "
                        f"(limit toml_depth; dotted keys count)", file=str(path))
    top = Table(data, path, "")
    overrides = {}
    if top.has("limits"):
        lt = top.table("limits")
        for name in list(lt.data):
            try:
                k, v = limits.parse_override(name, lt.raw(name))
            except ValueError as e:
                raise lt.error(name, str(e)) from None
            overrides[k] = v
    with limits.raised(overrides):
        return _load(path, top, data)


def _load(path: Path, top: Table, data: dict) -> Spec:
    from .checks.registry import CHECKS, for_subject
    claim = top.table("claim")
    spec = Spec(path=path, name=claim.str("name"), statement=claim.str("statement", ""),
                reference=claim.str("reference", ""))
    if not _CLAIM_NAME.fullmatch(spec.name):
        raise claim.error("name", f"'{spec.name}' is not a claim name: no '/', '\\', white space or "
                                  f"control characters, not starting with '.', at most 200 characters "
                                  f"(it names certificate files)")
    requires = claim.raw("requires", [])
    if isinstance(requires, str):
        requires = [requires]
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise claim.error("requires", "expected a path or a list of paths (relative to the spec)")
    claim.finish()
    missing = [r for r in requires if not (path.parent / r).exists()]
    if missing:
        # third-party data (e.g. the shared benchmark circuits) that a fresh clone may lack
        spec.skipped = f"requires {missing[0]} (relative to the spec), which is not present"
        return spec
    params_table = top.table("params") if top.has("params") else None
    kinds = [k for k in SUBJECTS if top.has(k)]
    if len(kinds) != 1:
        strays = [k for k in data if k not in ("claim", "params", "check", *SUBJECTS)]
        close = difflib.get_close_matches(strays[0], list(SUBJECTS), n=1, cutoff=0.6) if strays else []
        hint = f" ([{strays[0]}]: did you mean [{close[0]}]?)" if close and not kinds else ""
        raise top.error(None, f"a spec needs exactly one subject table, one of: "
                              f"{', '.join('[' + k + ']' for k in SUBJECTS)}; found {len(kinds)}{hint}")
    kind = kinds[0]
    top.used.add(kind)
    check_tables = top.tables("check", required=True)
    if not check_tables:
        raise top.error("check", "a spec needs at least one [[check]]")
    top.finish()
    raw_subject = data[kind]
    if not isinstance(raw_subject, dict):
        raise top.error(kind, "expected a table")
    for env in _params(params_table):
        try:
            # position rules keep their own templates (they need i); the rest is expanded now
            rules = {k: v for k, v in raw_subject.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
            expanded = substitute({k: v for k, v in raw_subject.items() if k not in rules}, env)
            expanded = {k: rules.get(k, expanded.get(k)) for k in raw_subject}
        except KeyedTemplateError as e:
            raise SpecError(e.message, file=str(path), key=f"{kind}.{e.key}") from None
        except TemplateError as e:
            raise SpecError(str(e), file=str(path), key=kind) from None
        subject_obj = SUBJECTS[kind](Table(expanded, path, kind), env, path.parent)
        checks = []
        for ct in check_tables:
            try:
                ct = Table(substitute(ct.data, env), path, ct.prefix)
            except KeyedTemplateError as e:
                raise SpecError(e.message, file=str(path), key=f"{ct.prefix}.{e.key}") from None
            ck = ct.str("kind", choices=tuple(sorted(CHECKS)))
            expect_text = ct.str("expect", "PROVED", choices=tuple(v.value for v in Verdict))
            check_kind = CHECKS[ck]
            if kind not in check_kind.subjects and not (SUBJECT_IS.get(kind) in check_kind.subjects):
                raise ct.error("kind", f"check '{ck}' does not apply to a [{kind}] subject "
                                       f"(it applies to: {', '.join(check_kind.subjects)})")
            check_kind = for_subject(ck, kind if kind in check_kind.subjects else SUBJECT_IS[kind])
            options = check_kind.parse_options(ct)
            ct.finish()
            _check_outcome_length(ct, options, subject_obj)
            checks.append(CheckSpec(ck, Verdict(expect_text), options, ct.prefix))
        spec.instances.append(Instance(spec, env, kind, subject_obj, checks))
    return spec


def discover(paths: list[str]) -> list[Path]:
    """Spec files named or found (recursively, ``*.toml``) under the given paths. A ``.txt``
    file is a list of spec files and directories, one per line relative to the list
    (``#`` starts a comment): ``specs/quick.txt`` is the quick set."""
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found.extend(sorted(q for q in path.rglob("*.toml") if q.is_file()))
        elif path.is_file() and path.suffix == ".txt":
            found.extend(_spec_list(path))
        elif path.is_file():
            found.append(path)
        else:
            raise SpecError("no such file or directory", file=str(path))
    return list(dict.fromkeys(found))


def _spec_list(path: Path) -> list[Path]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"cannot read spec list: {e}", file=str(path)) from None
    found: list[Path] = []
    for number, line in enumerate(lines, 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        target = path.parent / entry
        if target.is_dir():
            found.extend(sorted(q for q in target.rglob("*.toml") if q.is_file()))
        elif target.is_file() and target.suffix == ".toml":
            found.append(target)
        else:
            raise SpecError(f"'{entry}' is not a spec file (*.toml) or directory", file=str(path),
                            line=number)
    return found


def spec_root(path: Path) -> Path:
    """The root of the spec tree a spec file belongs to: the parent of its nearest ancestor
    directory named ``specs`` (the repository root for the project's own specs), else the
    spec's own directory. Default certificates go to ``<root>/proofs`` and reports name spec
    files relative to it, wherever the command is run from."""
    path = Path(path).resolve()
    for parent in path.parents:
        if parent.name == "specs":
            return parent.parent
    return path.parent


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies under it (POSIX separators), else absolute."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()
