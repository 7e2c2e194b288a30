"""Small Boolean expressions -> circuits (for spec files).

Grammar (a subset of Python syntax, parsed with :mod:`ast`)::

    expr := expr '|' expr | expr '^' expr | expr '&' expr | '~' expr | 'not' expr
          | expr 'and' expr | expr 'or' expr | '(' expr ')' | NAME | 0 | 1
          | all(e, ...) | any(e, ...) | xor(e, ...) | maj(e, ...) | ite(c, a, b)

A chain of one operator (``a & b & c``) is one gate of that fan-in; ``~`` is free (a
complemented fan-in). Names are resolved by the caller into inputs or random sources.
"""
from __future__ import annotations

import ast
from typing import Callable, Sequence

from .. import limits
from .ir import Circuit, CircuitBuilder, Op


class ExprError(ValueError):
    """A malformed expression; ``column`` is 1-based when known."""

    def __init__(self, message: str, column: int | None = None, output: str | None = None):
        super().__init__(message)
        self.column = column
        self.output = output  # which output's expression it is in


_CALLS = {"all": Op.AND, "any": Op.OR, "xor": Op.XOR, "maj": Op.MAJ}
_BINOPS = {ast.BitAnd: Op.AND, ast.BitOr: Op.OR, ast.BitXor: Op.XOR}
_BOOLOPS = {ast.And: Op.AND, ast.Or: Op.OR}

#: resolve(name) -> ("input" | "random", canonical name), or raise ExprError
Resolver = Callable[[str], tuple[str, str]]


class _Compiler:
    def __init__(self, builder: CircuitBuilder, resolve: Resolver):
        self.b = builder
        self.resolve = resolve
        self.leaves: dict[str, int] = {}

    def leaf(self, name: str, col: int) -> int:
        kind, canonical = self.resolve(name)
        if canonical not in self.leaves:
            self.leaves[canonical] = self.b.input(canonical) if kind == "input" else self.b.random(canonical)
        return self.leaves[canonical]

    @staticmethod
    def flatten(node: ast.AST, op_type: type) -> list[ast.AST]:
        """The operands of a chain of one operator, left to right (iterative: a chain of
        1,000 terms is one gate, not 1,000 stack frames)."""
        out, stack = [], [node]
        while stack:
            top = stack.pop()
            if isinstance(top, ast.BinOp) and isinstance(top.op, op_type):
                stack += [top.right, top.left]
            else:
                out.append(top)
        return out

    def compile(self, node: ast.AST) -> int:
        col = getattr(node, "col_offset", None)
        col = col + 1 if col is not None else None
        if isinstance(node, ast.Constant):
            if node.value in (0, 1) and not isinstance(node.value, float):
                return self.b.const(bool(node.value))
            raise ExprError(f"constant {node.value!r} is not 0 or 1", col)
        if isinstance(node, ast.Name):
            return self.leaf(node.id, col or 0)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
            flips = 0
            while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
                node, flips = node.operand, flips + 1   # a chain of ~ iteratively
            return self.compile(node) ^ (flips & 1)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            args = [self.compile(a) for a in self.flatten(node, type(node.op))]
            return self.b.gate(_BINOPS[type(node.op)], args)
        if isinstance(node, ast.BoolOp):
            return self.b.gate(_BOOLOPS[type(node.op)], [self.compile(a) for a in node.values])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            fn = node.func.id
            args = [self.compile(a) for a in node.args]
            if fn in _CALLS:
                if not args:
                    raise ExprError(f"{fn}() needs at least one argument", col)
                return self.b.gate(_CALLS[fn], args)
            if fn == "ite":
                if len(args) != 3:
                    raise ExprError("ite(c, a, b) takes exactly 3 arguments", col)
                c, a, e = args
                return self.b.gate(Op.OR, [self.b.gate(Op.AND, [c, a]), self.b.gate(Op.AND, [c ^ 1, e])])
            raise ExprError(f"unknown function '{fn}' (expected all, any, xor, maj, ite)", col)
        try:
            shown = ast.unparse(node)
        except RecursionError:
            shown = type(node).__name__
        raise ExprError(f"unsupported syntax '{shown[:80]}'", col)


def nesting_depth(tree: ast.AST) -> int:
    """The nesting the compiler recurses through: a chain of one binary operator or of
    ``~``/``not`` counts once (computed iteratively, so any tree can be measured)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
            while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
                node = node.operand
            stack.append((node, depth))
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            kids = _Compiler.flatten(node, type(node.op))
        elif isinstance(node, ast.BoolOp):
            kids = node.values
        elif isinstance(node, ast.Call):
            kids = node.args
        else:
            kids = []
        stack.extend((k, depth + 1) for k in kids)
    return deepest


def compile_expressions(outputs: Sequence[tuple[str, str]], resolve: Resolver, name: str = "") -> Circuit:
    """One circuit whose outputs are the given ``(output name, expression)`` pairs."""
    b = CircuitBuilder(name)
    comp = _Compiler(b, resolve)
    for out_name, text in outputs:
        if not isinstance(text, str):
            raise ExprError(f"expected an expression string, got {type(text).__name__}")
        try:
            lim = limits.current()
            if len(text) > lim.expression_chars:
                raise ExprError(f"an expression of {len(text)} characters exceeds "
                                f"{lim.expression_chars} (limit expression_chars)")
            try:
                tree = ast.parse(text.strip(), mode="eval")
            except SyntaxError as e:
                raise ExprError(f"syntax error in '{text[:80]}': {e.msg}", e.offset) from None
            except (RecursionError, MemoryError, ValueError):
                raise ExprError("expression nested too deeply to parse") from None
            depth = nesting_depth(tree.body)
            if depth > lim.expression_depth:
                raise ExprError(f"expression nested {depth} deep, more than {lim.expression_depth} "
                                f"(limit expression_depth)")
            b.output(comp.compile(tree.body), out_name)
        except ExprError as e:
            e.output = out_name
            raise
    return b.build()
