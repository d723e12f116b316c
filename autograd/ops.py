"""Every primitive op, defined once: its forward value and its local derivatives.

An op is two small functions side by side, and how an expression writes it:

* ``forward(*x) -> float`` computes the result from the operands' data (floats) and
  raises at once, naming the op and the operand, when the operands are outside the
  op's domain or the result overflows.
* ``local(out, *x) -> tuple`` gives ∂out/∂x_i for every operand, in operand order.
  It is written with arithmetic and the dispatching helpers below only, so the same
  rule evaluates on floats (the fast first-order backward pass) and on Values (to
  build a differentiable graph of the derivative, for higher-order derivatives).
  Rules reuse the forward result where they can: d exp(x) = exp(x), d tanh = 1 - t².
* ``form``, ``symbol`` and ``arity``: ``x + y``, ``-x`` or ``exp(x)``. The command
  line's parser (``expr.py``) and every view that writes a node as an expression
  read them here, so an op added here can be typed and is shown without more work.
* ``forward_text`` and ``local_text``: the same two rules on floats as Python source,
  one expression each, over the operands ``x`` (one operand) or ``a`` and ``b`` (two)
  and ``out``, the result. An op of any number of operands writes its texts with a
  function of the operands' names instead, the op written out in full for them (a dot
  product as its products). ``Value``'s operators are compiled from the texts (each op
  inlined, no function call for ``a * b``), and so is a ``Tape``'s straight-line code.
  A test checks that text and function agree, bit for bit.

Conventions at kinks and boundaries follow PyTorch:
relu'(0) = 0, abs'(0) = 0, sqrt'(0) = +inf, d(x**y)/dy = 0 at x = 0, and
d(x**y)/dx = 0 when y = 0 (x**0 is the constant 1). For a negative base, x**y is only
defined at integer y, where it has no derivative in y: that local derivative is 0 too
(PyTorch gives NaN; chainrule never produces NaN from finite inputs). Where an
infinite local derivative meets a zero in the chain rule (sqrt(x*x) at x = 0), the
zero wins: the contribution is 0, not NaN (see graph.chain_rule).

Adding an op: one ``Op`` here (and in ``ALL``), one line in ``value.py``, one row in the op
test table.
"""

from __future__ import annotations

import ast
import functools
import math
import sys
from collections.abc import Callable
from operator import mul as _mul
from typing import NamedTuple

_TINY = 1.0 / sys.float_info.max  # below this, 1/x overflows


class Op(NamedTuple):
    name: str  # shown as the node's ``op`` and in drawings
    forward: Callable[..., float]
    local: Callable[..., tuple]
    form: str  # how an expression writes it: "infix" (a + b), "prefix" (-a) or "call" (exp(a))
    symbol: str  # what is written: "+", "-", "exp", ...
    arity: int | None  # the number of operands; None for any number (at least one)
    # ``forward`` and ``local`` on floats, as expressions (see the docstring): a str, or
    # for any number of operands a function of their names returning the expression.
    forward_text: str | Callable[[list[str]], str] = ""
    local_text: str | Callable[[str, list[str]], str] = ""

    def written(self, operands: list[str]) -> str:
        """The op applied to ``operands`` as an expression would write it."""
        if self.form == "infix":
            return f" {self.symbol} ".join(operands)
        if self.form == "prefix":
            return self.symbol + operands[0]
        return f"{self.symbol}({', '.join(operands)})"

    @property
    def operands(self) -> tuple[str, ...]:
        """The operand names that a fixed-arity op's texts use."""
        return {1: ("x",), 2: ("a", "b")}[self.arity]

    def forward_source(self, operands: list[str]) -> str:
        """The forward rule as an expression of ``operands`` (``a * b`` -> ``w * x``);
        for an op without texts, a call of its ``forward``."""
        if not self.forward_text:
            return f"BY_NAME[{self.name!r}].forward({', '.join(operands)})"
        if callable(self.forward_text):
            return self.forward_text(list(operands))
        self._check_count(operands)
        return _template(self.forward_text, self.operands).format(*operands)

    def local_source(self, out: str, operands: list[str]) -> str:
        """The local rule as an expression of the result ``out`` and ``operands``; for
        an op without texts, a call of its ``local``."""
        if not self.local_text:
            return f"BY_NAME[{self.name!r}].local({', '.join([out, *operands])})"
        if callable(self.local_text):
            return self.local_text(out, list(operands))
        self._check_count(operands)
        return _template(self.local_text, ("out", *self.operands)).format(out, *operands)

    def local_parts(self, out: str, operands: list[str]) -> list[str] | None:
        """``local_source`` as one expression per operand, where the local rule is a
        tuple display (``(b, a)`` -> ``["x", "w"]``); None where it is a call."""
        if not self.local_text:
            return None
        if not callable(self.local_text):
            self._check_count(operands)
        parts = _local_part_templates(self, len(operands))
        return None if parts is None else [p.format(out, *operands) for p in parts]

    def _check_count(self, operands: list[str]) -> None:
        if len(operands) != self.arity:
            raise ValueError(f"{self.name} takes {self.arity} operands, not {len(operands)}")


@functools.cache
def _template(text: str, names: tuple[str, ...]) -> str:
    """``text`` as a format string whose fields are ``names`` in order: every Name of
    the expression that is one of them becomes ``{i}`` (found with ast, never by
    searching the text)."""
    return _fields(ast.parse(text, mode="eval").body, names)


@functools.cache
def _local_part_templates(op: Op, count: int) -> tuple[str, ...] | None:
    """The local rule of ``op`` on ``count`` operands, one format string per operand
    (fields: the result, then the operands), or None if the rule is not a tuple display."""
    names = ("out", *(f"operand{i}" for i in range(count)))
    if callable(op.local_text):
        text = op.local_text(names[0], list(names[1:]))
    else:
        text = op.local_text
        names = ("out", *op.operands)
    tree = ast.parse(text, mode="eval").body
    if not isinstance(tree, ast.Tuple) or len(tree.elts) != count:
        return None
    return tuple(_fields(element, names) for element in tree.elts)


def _fields(tree: ast.expr, names: tuple[str, ...]) -> str:
    class Mark(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in names:
                return ast.Name(id=f"__field{names.index(node.id)}__", ctx=node.ctx)
            return node

    marked = ast.unparse(Mark().visit(tree)).replace("{", "{{").replace("}", "}}")
    for i in range(len(names)):
        marked = marked.replace(f"__field{i}__", "{" + str(i) + "}")
    return marked


def not_finite(name: str, out: float, *operands: float) -> None:
    """Called where an op's result ``out`` is inf or NaN: an overflow, raised naming
    the op and its operands, unless an operand was not finite already."""
    if all(map(math.isfinite, operands)):
        shown = ", ".join(map(repr, operands))
        raise OverflowError(f"{name}: result overflows a float (operands {shown})")


def _infix(symbol: str, forward, local, texts) -> Op:
    return Op(symbol, forward, local, "infix", symbol, 2, *texts)


def _call(name: str, forward, local, texts, arity: int | None = 1) -> Op:
    return Op(name, forward, local, "call", name, arity, *texts)


# Helpers that let one derivative rule run on floats and on Values alike.
def _is_number(x) -> bool:
    return isinstance(x, (float, int))


def _sin(x):
    return math.sin(x) if _is_number(x) else x.sin()


def _cos(x):
    return math.cos(x) if _is_number(x) else x.cos()


def _log(x):
    return math.log(x) if _is_number(x) else x.log()


def _data(x) -> float:
    return x if _is_number(x) else x.data


def _fmt(x: float) -> str:
    return repr(float(x))


# ---------------------------------------------------------------- arithmetic
def _add(a, b):  # a + b
    return a + b


def _sub(a, b):  # a - b
    return a - b


def _div(a, b):  # a / b
    if b == 0.0:
        raise ZeroDivisionError(f"/: division by zero (dividing {_fmt(a)} by {_fmt(b)})")
    out = a / b
    if abs(b) < _TINY or (out and math.isinf(out / b)):  # the local derivatives 1/b, -a/b²
        raise OverflowError(f"/: dividing {_fmt(a)} by {_fmt(b)}: the derivative overflows")
    return out


def _pow(x, y):  # x ** y
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"**: 0.0 cannot be raised to the negative power {_fmt(y)}")
    if x < 0.0 and not float(y).is_integer():
        raise ValueError(
            f"**: negative base {_fmt(x)} with non-integer exponent {_fmt(y)} has no real value"
        )
    try:
        return math.pow(x, y)
    except OverflowError:
        raise OverflowError(f"**: {_fmt(x)} ** {_fmt(y)} overflows") from None


def _pow_local(out, x, y):
    xd, yd = _data(x), _data(y)
    if yd == 0.0 and (xd == 0.0 or _is_number(y)):
        # x**0 is the constant 1. (When y is a Value, y * x**(y - 1) is 0 too, but its
        # derivative in y is not: a derivative built from Values keeps the formula.)
        dx = 0.0
    elif xd == 0.0 and yd < 1.0:
        dx = math.inf  # PyTorch's convention: the slope of x**0.5 at 0
    else:
        # x ** (y - 1) can overflow where x ** y does not (1e-200 ** -1 is fine, its
        # slope -1e400 is not): float ** then raises a bare "Numerical result out of
        # range", so name the op and operands as every other domain error does.
        try:
            dx = y * x ** (y - 1)
        except OverflowError:
            if yd != 0.0:
                raise OverflowError(
                    f"**: the derivative of {_fmt(xd)} ** {_fmt(yd)} overflows a float"
                ) from None
            dx = 0.0  # still 0 at y = 0; only its derivative in y (1/x) is beyond a float
    dy = out * _log(x) if xd > 0.0 else 0.0
    return (dx, dy)


# Each op: its functions, then the same rules as text ((forward, local); see above).
ADD = _infix("+", _add, lambda out, a, b: (1.0, 1.0), ("a + b", "(1.0, 1.0)"))
SUB = _infix("-", _sub, lambda out, a, b: (1.0, -1.0), ("a - b", "(1.0, -1.0)"))
MUL = _infix("*", _mul, lambda out, a, b: (b, a), ("a * b", "(b, a)"))
DIV = _infix(
    "/", _div, lambda out, a, b: (1.0 / b, -out / b), ("_div(a, b)", "(1.0 / b, -out / b)")
)
POW = _infix("**", _pow, _pow_local, ("_pow(a, b)", "_pow_local(out, a, b)"))
NEG = Op("neg", lambda a: -a, lambda out, a: (-1.0,), "prefix", "-", 1, "-x", "(-1.0,)")


# ---------------------------------------------------------------- n-ary ops
# One node for a whole sum or dot product: a neuron's w·x is one node with 2n inputs
# instead of 2n-1 binary nodes, which is what makes training fast.
def _dot(*wxb):  # inputs are w_1..w_n, x_1..x_n, then optionally a bias b
    n = len(wxb) // 2
    total = sum(map(_mul, wxb[:n], wxb[n : 2 * n]))
    return total + wxb[-1] if len(wxb) % 2 else total


def _dot_local(out, *wxb):  # ∂/∂w_i = x_i, ∂/∂x_i = w_i, ∂/∂b = 1
    n = len(wxb) // 2
    swapped = wxb[n : 2 * n] + wxb[:n]
    return swapped + (1.0,) if len(wxb) % 2 else swapped


# Their texts, written out for the operands' names: the products in the order _dot
# sums them (sum() over the same floats, so the same bits on every Python version).
def _tuple_text(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _dot_text(wxb: list[str]) -> str:
    n = len(wxb) // 2
    total = f"sum({_tuple_text([f'{w} * {x}' for w, x in zip(wxb[:n], wxb[n : 2 * n])])})"
    return f"{total} + {wxb[-1]}" if len(wxb) % 2 else total


def _dot_local_text(out: str, wxb: list[str]) -> str:
    n = len(wxb) // 2
    return _tuple_text(wxb[n : 2 * n] + wxb[:n] + ["1.0"] * (len(wxb) % 2))


SUM = _call(
    "sum",
    lambda *xs: sum(xs),
    lambda out, *xs: (1.0,) * len(xs),
    (lambda xs: f"sum({_tuple_text(xs)})", lambda out, xs: _tuple_text(["1.0"] * len(xs))),
    arity=None,
)
DOT = _call("dot", _dot, _dot_local, (_dot_text, _dot_local_text), arity=None)


# ---------------------------------------------------------------- functions
def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({_fmt(x)}) overflows") from None


def _ln(x):
    if x <= 0.0:
        raise ValueError(f"log: operand must be positive, got {_fmt(x)}")
    if x < _TINY:
        raise OverflowError(f"log: operand {_fmt(x)} is so small that 1/x overflows")
    return math.log(x)


def _sqrt(x):
    if x < 0.0:
        raise ValueError(f"sqrt: operand must be non-negative, got {_fmt(x)}")
    return math.sqrt(x)


def _sigmoid(x):
    # Two branches so exp never sees a large positive argument: stable for any x.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): exp never sees a positive argument.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sigmoid_of(x):  # the derivative of softplus, on floats or Values
    return _sigmoid(x) if _is_number(x) else x.sigmoid()


def _relu(x):
    return x if x > 0.0 else 0.0


def _sign(x) -> float:
    d = _data(x)
    return 1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0


EXP = _call("exp", _exp, lambda out, x: (out,), ("_exp(x)", "(out,)"))
LOG = _call("log", _ln, lambda out, x: (1.0 / x,), ("_ln(x)", "(1.0 / x,)"))
SQRT = _call(
    "sqrt",
    _sqrt,
    lambda out, x: (0.5 / out if _data(out) else math.inf,),
    ("_sqrt(x)", "(0.5 / out if out else math.inf,)"),
)
TANH = _call(
    "tanh", math.tanh, lambda out, x: (1.0 - out * out,), ("math.tanh(x)", "(1.0 - out * out,)")
)
SIGMOID = _call(
    "sigmoid",
    _sigmoid,
    lambda out, x: (out * (1.0 - out),),
    ("_sigmoid(x)", "(out * (1.0 - out),)"),
)
SOFTPLUS = _call(
    "softplus", _softplus, lambda out, x: (_sigmoid_of(x),), ("_softplus(x)", "(_sigmoid(x),)")
)
RELU = _call(
    "relu",
    _relu,
    lambda out, x: (1.0 if _data(x) > 0.0 else 0.0,),
    ("x if x > 0.0 else 0.0", "(1.0 if x > 0.0 else 0.0,)"),
)
ABS = _call(
    "abs",
    abs,
    lambda out, x: (_sign(x),),
    ("abs(x)", "(1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,)"),
)


def _periodic(name: str, fn):
    def forward(x):
        if not math.isfinite(x):
            raise ValueError(f"{name}: operand must be finite, got {_fmt(x)}")
        return fn(x)

    return forward


_sin_of_finite = _periodic("sin", math.sin)
_cos_of_finite = _periodic("cos", math.cos)
SIN = _call(
    "sin", _sin_of_finite, lambda out, x: (_cos(x),), ("_sin_of_finite(x)", "(math.cos(x),)")
)
COS = _call(
    "cos", _cos_of_finite, lambda out, x: (-_sin(x),), ("_cos_of_finite(x)", "(-math.sin(x),)")
)

# fmt: off
ALL = (ADD, SUB, MUL, DIV, POW, NEG, SUM, DOT,
       EXP, LOG, SQRT, TANH, SIGMOID, SOFTPLUS, RELU, ABS, SIN, COS)
# fmt: on
BY_NAME = {op.name: op for op in ALL}  # a node's ``op`` string -> its Op


def _globals_of_texts() -> dict:
    """Every name the texts use besides their operands: math and the checked helpers."""
    used = set()
    for op in ALL:
        operands = list(op.operands) if op.arity else ["x", "a", "b"]
        for text in (op.forward_source(operands), op.local_source("out", operands)):
            tree = ast.parse(text, mode="eval")
            used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used -= {"x", "a", "b", "out"}
    builtins = {"abs", "sum"}
    return {"BY_NAME": BY_NAME} | {name: globals()[name] for name in sorted(used - builtins)}


# The globals that code compiled from the texts runs with (value.py, tape.py).
TEXT_GLOBALS = _globals_of_texts()
