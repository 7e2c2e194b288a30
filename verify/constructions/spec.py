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
        n = table.int("n", minimum=1)
        table.finish()
        return attach(compile_fn(n))
    from ..circuits.formats import read_circuit
    rel = table.str("circuit")
    prefix = table.str("random_prefix", None) if table.has("random_prefix") else None
    table.finish()
    path = base / rel
    try:
        circuit = read_circuit(path, random_prefix=prefix)
    except UserError:
        raise
    except OSError as e:
        raise table.error("circuit", f"cannot read circuit file {path}: {e.strerror}") from None
    return attach(compile_fn(circuit))
