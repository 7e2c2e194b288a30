"""Generated regions of the README and docs/gap.md (issue 9 item 1).

A region sits between ``<!-- BEGIN generated: NAME ... -->`` and ``<!-- END generated: NAME -->``
and is rendered from gap classes, so a table's caption and row labels can never say more (or
other) than the class its numbers were measured for:

* ``gap-claims`` (docs/gap.md): one row per committed ``specs/gap`` claim, read from the spec
  files (class caption, claim, what a PROVED verdict rests on);
* one region per ``[[table]]`` of ``docs/gap-tables.toml`` (README): the measured least-k
  tables; their numbers are data (measured by ``python -m verify gap``, see docs/gap.md), their
  caption and row labels come from the class.

``python -m verify.gap.statement --docs [--check] [ROOT]`` rewrites (or checks) every region.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from ..dlm.model import Mode
from ..errors import SpecError
from .classes import GapClass, GapClassError
from .statement import caption, class_description, engine_lacks_class, remask_reads_of, rule_of

TABLES = Path("docs") / "gap-tables.toml"
_REGION = re.compile(r"(<!-- BEGIN generated: (?P<name>[\w-]+)[^\n]*-->\n)(?P<body>.*?)"
                     r"(<!-- END generated: (?P=name) -->)", re.S)
_SEMANTICS_WORD = {"support": "support", "exact": "exact"}


def _class(data: dict, where: str) -> GapClass:
    """A row's class: every key but ``cells`` is a field of :class:`GapClass` (so fields other
    engines add to the class work here too); n and locality are placeholders (columns)."""
    fields = {f.name for f in dataclasses.fields(GapClass)}
    unknown = sorted(set(data) - fields - {"cells"})
    if unknown:
        raise SpecError(f"unknown class field '{unknown[0]}'", file=str(TABLES), key=where)
    kw = {"n": 4, "locality": 1, **{k: v for k, v in data.items() if k in fields}}
    try:
        kw["mode"] = Mode(kw.get("mode"))
        return GapClass(**kw)
    except (TypeError, ValueError, GapClassError) as e:
        raise SpecError(f"bad class: {e}", file=str(TABLES), key=where) from None


def _mode_cell(cls) -> str:
    if not cls.mode.allows_remask:
        return cls.mode.value
    return f"{cls.mode.value} (G reads {'z' if remask_reads_of(cls) == 'z' else 'x, z'})"


def _semantics_cell(cls) -> str:
    if cls.semantics == "exact" and cls.rho != 1:
        return f"exact, ρ = {cls.rho}"
    return cls.semantics


def render_table(table: dict, where: str) -> str:
    """One least-k table: a caption generated from the class, then the rows."""
    ns = table["ns"]
    rows = table["row"]
    classes = [_class({**table.get("class", {}), **r}, f"{where}.row[{i}]") for i, r in enumerate(rows)]
    # the class without remasking and rule (both said below, they vary by row)
    desc = class_description(dataclasses.replace(classes[0], mode=Mode.PLAIN),
                             generic=True).rsplit("; ", 1)[0]
    remask = next((c for c in classes if c.mode.allows_remask), None)
    rules = sorted({rule_of(c) for c in classes})
    lines = [f"{table.get('title', 'Least k')}; L = n, start M^n; class: {desc}"
             + (f"; in remask rows G_i reads "
                f"{'the committed tokens z (not x)' if remask_reads_of(remask) == 'z' else 'x and z'}"
                f" on the read set of P_i" if remask else "")
             + f"; decoder rule {', '.join(rules)}:", ""]
    lines.append("| mode | semantics | T | " + " | ".join(f"n = {n}" if i == 0 else str(n)
                                                        for i, n in enumerate(ns)) + " |")
    lines.append("|---|---|---|" + "---|" * len(ns))
    for i, (r, cls) in enumerate(zip(rows, classes)):
        cells = [str(c) for c in r["cells"]]
        if len(cells) != len(ns):
            raise SpecError(f"{len(cells)} cells for {len(ns)} values of n", file=str(TABLES),
                            key=f"{where}.row[{i}].cells")
        lines.append(f"| {_mode_cell(cls)} | {_semantics_cell(cls)} | {cls.rounds} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_claims(root: Path) -> str:
    """The table of committed gap claims, from the spec files themselves."""
    from ..specs import load_spec
    lines = ["| claim | mode | semantics | T | n | bound | class | claim is | a PROVED verdict rests on |",
             "|---|---|---|---|---|---|---|---|---|"]
    for path in sorted((root / "specs" / "gap").glob("*.toml")):
        why = engine_lacks_class(path)
        if why:
            lines.append(f"| `{path.stem}` | | | | | | not described here: {why} | | |")
            continue
        spec = load_spec(path)
        inst = spec.instances[0]
        if inst.subject_kind != "gap":
            lines.append(f"| `{spec.name}` | | | | | | witness DLM (`[dlm]` subject) | its checks | "
                         "exact semantics; read counts of its circuits |")
            continue
        cls = inst.subject
        claim = next(c.options["claim"] for c in inst.checks if c.kind == "gap")
        bound = f"s = {cls.size}" if cls.template else f"k = {cls.locality}"
        if claim == "exists":
            rests = "witness DLM re-verified by the exact semantics"
        elif cls.semantics == "support":
            rests = "certificate alone"
        else:
            rests = "certificate + the exact evaluator's blocking clauses (count: verdict line, manifest)"
        lines.append(f"| `{spec.name}` | {_mode_cell(cls)} | {_semantics_cell(cls)} | {cls.rounds} | "
                     f"{cls.n} | {bound} | {caption(cls)} | {claim} | {rests} |")
    return "\n".join(lines) + "\n"


def _regions(root: Path) -> dict[str, str]:
    """Region name -> rendered body."""
    out = {"gap-claims": render_claims(root)}
    path = root / TABLES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SpecError(f"cannot read: {e.strerror}", file=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"TOML syntax error: {e}", file=str(path)) from None
    for i, table in enumerate(data.get("table", [])):
        out[table["id"]] = render_table(table, f"table[{i}]")
    return out


def render_all(root: Path, write: bool = True) -> list[str]:
    """Re-render every generated region of README.md and docs/gap.md; return the files whose
    regions differ (rewritten when ``write``). A region named in no file is an error."""
    regions = _regions(root)
    used: set[str] = set()
    stale, texts = [], {}
    for name in ("README.md", "docs/gap.md"):
        path = root / name
        text = path.read_text(encoding="utf-8")

        def sub(m: re.Match) -> str:
            region = m.group("name")
            if region not in regions:
                raise SpecError(f"unknown generated region '{region}'", file=str(path))
            used.add(region)
            return m.group(1) + regions[region] + m.group(4)

        new = _REGION.sub(sub, text)
        if new != text:
            stale.append(name)
            texts[path] = new
    missing = sorted(set(regions) - used)
    if missing:
        raise SpecError(f"generated region(s) {', '.join(missing)} appear in neither README.md "
                        "nor docs/gap.md", file=str(root / TABLES))
    if write:
        for path, new in texts.items():
            path.write_text(new, encoding="utf-8")
    return stale
