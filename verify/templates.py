"""``{...}`` templates in spec strings: a small safe evaluator (README, "Spec files").

A template is integer arithmetic over the spec's params (and, in position rules, the position
``i``): integer literals, names, ``+ - * // % **``, unary ``-``, comparisons (value 1 or 0),
``min(...)`` and ``max(...)``. A template that is a single name of a string param is replaced
by that string. Nothing else of Python is evaluated. Every value, intermediate ones included,
is bounded before it is computed (``template_bits``, ``template_exponent`` of
:mod:`verify.limits`), so ``{9**9**9}`` is refused at once; division by zero is an error.
Errors are :class:`TemplateError` with the template's text; callers add file and key.
"""
from __future__ import annotations

import ast
import operator
import re
from typing import Any

from . import limits

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}


class TemplateError(ValueError):
    """A template that is not bounded integer arithmetic over the params."""


def _bounded(value: int, text: str) -> int:
    bits = limits.current().template_bits
    if value.bit_length() > bits:
        raise TemplateError(f"'{{{text}}}': a value exceeds {bits} bits (limit template_bits)")
    return value


def _binop(op: type, a: int, b: int, text: str) -> int:
    lim = limits.current()
    if op in (ast.FloorDiv, ast.Mod) and b == 0:
        raise TemplateError(f"'{{{text}}}': division by zero")
    if op is ast.Pow:
        if b < 0:
            raise TemplateError(f"'{{{text}}}': negative exponent {b}")
        if b > lim.template_exponent:
            raise TemplateError(f"'{{{text}}}': exponent {b} exceeds {lim.template_exponent} "
                                f"(limit template_exponent)")
        if abs(a) > 1 and (abs(a).bit_length() - 1) * b > lim.template_bits:
            raise TemplateError(f"'{{{text}}}': a value exceeds {lim.template_bits} bits (limit template_bits)")
    if op is ast.Mult and a.bit_length() + b.bit_length() > lim.template_bits + 1:
        raise TemplateError(f"'{{{text}}}': a value exceeds {lim.template_bits} bits (limit template_bits)")
    return _bounded(_BINOPS[op](a, b), text)


def _eval(node: ast.AST, env: dict[str, Any], text: str) -> int:
    """Evaluate; the tree is at most ``template_chars`` characters deep, so recursion is bounded."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return _bounded(node.value, text)
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise TemplateError(f"'{{{text}}}': unknown name '{node.id}' (names: "
                                f"{', '.join(sorted(env)) or 'none'})")
        value = env[node.id]
        if type(value) is not int:
            raise TemplateError(f"'{{{text}}}': param '{node.id}' is {value!r}, not an integer")
        return _bounded(value, text)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _binop(type(node.op), _eval(node.left, env, text), _eval(node.right, env, text), text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand, env, text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = _eval(node.left, env, text)
        result = True
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, env, text)
            result = result and _COMPARE[type(op)](left, right)
            left = right
        return int(result)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max")
            and node.args and not node.keywords):
        fn = min if node.func.id == "min" else max
        return fn(_eval(a, env, text) for a in node.args)
    raise TemplateError(f"'{{{text}}}' is not integer arithmetic over "
                        f"{', '.join(sorted(env)) or 'no names'} (+ - * // % **, comparisons, min, max)")


def evaluate(text: str, env: dict[str, Any]) -> int | str:
    """The value of one template body (without the braces)."""
    lim = limits.current()
    body = text.strip()
    if len(body) > lim.template_chars:
        raise TemplateError(f"a template of {len(body)} characters exceeds {lim.template_chars} "
                            f"(limit template_chars)")
    try:
        tree = ast.parse(body, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise TemplateError(f"'{{{text}}}' is not integer arithmetic") from None
    if isinstance(tree, ast.Name) and isinstance(env.get(tree.id), str):
        return env[tree.id]
    return _eval(tree, env, text)


def expand(text: str, env: dict[str, Any]) -> str:
    """Replace every ``{expr}`` in ``text`` by its value under ``env``."""
    return _TEMPLATE.sub(lambda m: str(evaluate(m.group(1), env)), text)


def substitute(value: Any, env: dict[str, Any], key: str = "") -> Any:
    """Expand templates in every string of a TOML value. A failure is a TemplateError whose
    message starts with the dotted sub-key where it happened (relative to ``key``)."""
    if isinstance(value, str):
        return expand(value, env)
    if isinstance(value, list):
        return [substitute(v, env, f"{key}[{k}]") for k, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sub = f"{key}.{k}" if key else k
            try:
                out[k] = substitute(v, env, sub)
            except KeyedTemplateError:
                raise
            except TemplateError as e:
                raise KeyedTemplateError(sub, str(e)) from None
        return out
    return value


class KeyedTemplateError(TemplateError):
    """A TemplateError that knows the dotted key of the string it was in."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message
