"""A researcher's own policy: ``policy = "file.py:name"`` in a ``[sampler]`` spec.

The file is imported only when the run passes ``--allow-code`` (it is arbitrary Python). The
function's contract::

    def name(state, step, steps, q):
        '''state: tuple of token indices (-1 = the mask); step: 0-based, < steps;
        q(i, state) -> tuple of V Fractions, the denoiser's q_i(. | state) (position i hidden
        if it is visible). Returns the exact distribution of the next state as a list of
        (probability, next_state) pairs: Fractions >= 0 summing to 1, states of the same length.'''

The semantics validates every answer (a bad one is an error naming the function, the step and
the state); after ``steps`` steps every position must be revealed.
"""
from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path
from typing import Callable

from .denoiser import Denoiser
from .targets import MASK, PolicyModelError, State


class CustomPolicyError(Exception):
    """A custom policy returned something that is not a distribution over states."""


def load_function(path: Path, name: str) -> Callable:
    """Import ``name`` from the Python file ``path`` (call only with --allow-code)."""
    if not path.is_file():
        raise PolicyModelError(f"no such file: {path}", "policy")
    spec = importlib.util.spec_from_file_location(f"dlm_verify_custom_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except Exception as e:  # the researcher's code: report, do not crash
        raise PolicyModelError(f"importing {path} failed: {type(e).__name__}: {e}", "policy") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise PolicyModelError(f"{path} has no function '{name}'", "policy")
    return fn


def custom_step(policy, den: Denoiser, x: State, t: int):
    flag = [False]

    def q(i: int, state: State) -> tuple[Fraction, ...]:
        probs, undefined = den.q(i, tuple(state))
        flag[0] = flag[0] or undefined
        return probs

    where = f"custom policy at step {t} from state {x}"
    try:
        answer = list(policy.custom(x, t, policy.steps, q))
    except Exception as e:
        raise CustomPolicyError(f"{where} raised {type(e).__name__}: {e}") from None
    out, total = [], Fraction(0)
    for item in answer:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise CustomPolicyError(f"{where}: expected (probability, state) pairs, got {item!r}")
        prob, y = item
        if not isinstance(prob, (int, Fraction)) or isinstance(prob, bool) or prob < 0:
            raise CustomPolicyError(f"{where}: probability {prob!r} is not a Fraction >= 0")
        y = tuple(y)
        if len(y) != len(x) or any(not (v == MASK or 0 <= v < den.vocab_size) for v in y):
            raise CustomPolicyError(f"{where}: {y} is not a state of length {len(x)}")
        total += prob
        out.append((Fraction(prob), y, flag[0]))
    if total != 1:
        raise CustomPolicyError(f"{where}: probabilities sum to {total}, not 1")
    return out
