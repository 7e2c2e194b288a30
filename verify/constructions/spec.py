"""The ``[construction]`` spec subject: a DLM compiled by a construction of MODEL.md §5.

Keys: ``name`` (a construction of :data:`~verify.constructions.CONSTRUCTIONS`), and either
``circuit`` (a circuit file, relative to the spec; optional ``random_prefix``: inputs whose
name starts with it are random sources), or ``generate`` (a sampler family of
:mod:`verify.circuits.generators`, with ``size`` and the family's parameters such as ``b``,
and optionally ``defect = true`` for the family's deliberately wrong variant), or ``n`` (for the
parity samplers). A generated subject remembers its family's closed form, which the
``distribution`` check reads as ``target = "closed-form"``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..dlm.model import DLM
from ..errors import UserError
from . import CONSTRUCTIONS, attach


def build_construction_subject(table, env: dict[str, Any], base: Path) -> DLM:
    table.declare("n", "circuit", "random_prefix", "mutate", "mutate_position")
    name = table.str("name", choices=tuple(CONSTRUCTIONS))
    kind, compile_fn = CONSTRUCTIONS[name]
    if kind == "n":
        from .. import limits
        n = table.int("n", minimum=1, maximum=limits.current().length, limit="length")
        table.finish()
        return attach(compile_fn(n))
    if table.has("generate"):
        return _generated(table, compile_fn)
    from ..circuits.formats import read_circuit
    rel = table.str("circuit")
    prefix = table.str("random_prefix", None) if table.has("random_prefix") else None
    mutate = table.str("mutate", None, choices=MUTANTS) if table.has("mutate") else None
    position = table.int("mutate_position", minimum=0, maximum=10**12) if mutate else None
    table.finish()
    path = base / rel
    try:
        circuit = read_circuit(path, random_prefix=prefix)
    except UserError:
        raise
    except OSError as e:
        raise table.error("circuit", f"cannot read circuit file {path}: {e.strerror}") from None
    compiled = compile_fn(circuit)
    if mutate:
        from ..dlm.mutate import negate_value
        if position >= compiled.dlm.length:
            raise table.error("mutate_position", f"position {position} is outside the compiled DLM "
                                                 f"(length {compiled.dlm.length})")
        compiled.dlm = negate_value(compiled.dlm, position)
    return attach(compiled)


MUTANTS = ("negate-value",)


def _generated(table, compile_fn) -> DLM:
    from ..circuits import generators as gen
    name = table.str("generate", choices=tuple(gen.FAMILIES))
    fam = gen.FAMILIES[name]
    size = table.int("size", minimum=1)
    params = {k: table.int(k, minimum=1) for k in fam.params if table.has(k)}
    defect = table.raw("defect", False)
    if not isinstance(defect, bool):
        raise table.error("defect", "expected true or false")
    table.finish()
    try:
        circuit = gen.generate(name, size, defect=defect, **params)
    except gen.GeneratorError as e:
        raise table.error("size", str(e)) from None
    from .base import attach_closed_form
    return attach_closed_form(attach(compile_fn(circuit)),
                              f"{name} size {size}" + "".join(f", {k} = {v}" for k, v in params.items()),
                              lambda: gen.closed_form(name, size, **params))
