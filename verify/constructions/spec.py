"""The ``[construction]`` spec subject: a DLM compiled by a construction of MODEL.md §5.

Keys: ``name`` (a construction of :data:`~verify.constructions.CONSTRUCTIONS`), and either
``circuit`` (a circuit file, relative to the spec; optional ``random_prefix``: inputs whose
name starts with it are random sources) or ``n`` (for the parity samplers).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..dlm.model import DLM
from ..errors import UserError
from . import CONSTRUCTIONS, attach


def build_construction_subject(table, env: dict[str, Any], base: Path) -> DLM:
    name = table.str("name", choices=tuple(CONSTRUCTIONS))
    kind, compile_fn = CONSTRUCTIONS[name]
    if kind == "n":
        from .. import limits
        n = table.int("n", minimum=1, maximum=limits.current().length, limit="length")
        table.finish()
        return attach(compile_fn(n))
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
