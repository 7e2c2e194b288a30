"""The constructions of MODEL.md §5 as compilers to ordinary DLMs.

:data:`CONSTRUCTIONS` maps a construction's name to ``(kind, compile)``: ``kind`` is
``"circuit"`` (``compile(circuit) -> Compiled``) or ``"n"`` (``compile(n) -> Compiled``).
"""
from __future__ import annotations

from typing import Callable

from .base import Compiled, attach, compiled_of  # noqa: F401


def _registry() -> dict[str, tuple[str, Callable]]:
    from .parity import compile_parity_remask, compile_parity_revise
    from .thm31 import compile_ar, compile_thm31
    from .thm32 import compile_thm32_remask, compile_thm32_revise
    return {
        "thm3.1": ("circuit", compile_thm31),
        "thm3.2-remask": ("circuit", compile_thm32_remask),
        "thm3.2-revise": ("circuit", compile_thm32_revise),
        "ar-cot": ("circuit", compile_ar),
        "parity-revise": ("n", compile_parity_revise),
        "parity-remask": ("n", compile_parity_remask),
    }


class _Lazy(dict):
    def _fill(self):
        if not dict.__len__(self):
            self.update(_registry())

    def __getitem__(self, k):
        self._fill()
        return dict.__getitem__(self, k)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def __contains__(self, k):
        self._fill()
        return dict.__contains__(self, k)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def items(self):
        self._fill()
        return dict.items(self)


#: name -> (kind, compile)
CONSTRUCTIONS: dict[str, tuple[str, Callable]] = _Lazy()
CIRCUIT_CONSTRUCTIONS = ("thm3.1", "thm3.2-remask", "thm3.2-revise", "ar-cot")
PARITY_CONSTRUCTIONS = ("parity-revise", "parity-remask")
