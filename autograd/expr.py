"""A safe parser for expressions typed on the command line: ``tanh(x*w + b)``.

The text is parsed by Python's own parser (``ast.parse(text, mode="eval")``) and the
tree is then checked against a short whitelist; nothing is ever passed to ``eval`` or
``exec``. Allowed:

* numbers (int and float literals, finite), names (variables),
* the infix and prefix ops of ``ops.py`` (``+ - * / **`` and unary ``-``), unary ``+``,
  parentheses,
* calls, with positional arguments, to the ops that ``ops.py`` writes as calls (their
  names are ``FUNCTIONS``): one argument each, or any number for the n-ary ``sum``
  and ``dot`` (``dot(w1, w2, x1, x2, b)`` is w1*x1 + w2*x2 + b, one node).

Every op comes from ``ops.py``, applied with ``value.apply``: an op added there can be
typed here with no change to this file.

Everything else raises ``ExprError`` (a ``ValueError``) with a one-line message saying
what is wrong and at which column (1-based, in characters). So do math errors
(``log(-1)``, ``1/0``, overflow), which come from the engine's own checks.

``evaluate`` builds the expression out of ``Value`` s, so the result is a graph ready
for ``backward``: each name becomes one leaf labelled with that name (a name used twice
is the same leaf), and each number a constant.

Guards against pathological input, in order: a length limit; a scan that limits
bracket nesting and the number of operators before the text reaches the parser (whose
own limits surface as RecursionError or MemoryError, also caught); then a walk of the
tree with an explicit stack, never recursion. Arithmetic is on floats, so even
``9**9**9`` is one float ``pow`` that overflows at once; literal exponents beyond
``MAX_EXPONENT`` are rejected before anything is computed.
"""

from __future__ import annotations

import ast
import difflib
import math
import numbers
import sys
import unicodedata
import warnings

from autograd import ops
from autograd.value import Value, apply, constant

__all__ = ["ExprError", "evaluate", "FUNCTIONS"]

# The ops by how they are written; Python's grammar decides the symbols it can parse.
_CALLS = {op.symbol: op for op in ops.ALL if op.form == "call"}
_INFIX = {op.symbol: op for op in ops.ALL if op.form == "infix"}
_PREFIX = {op.symbol: op for op in ops.ALL if op.form == "prefix"}
FUNCTIONS = tuple(sorted(_CALLS))

MAX_LENGTH = 5000  # characters
MAX_NESTING = 100  # brackets inside brackets
MAX_OPERATORS = 1000  # operator and bracket characters in the whole text
MAX_EXPONENT = 10_000  # |k| for a literal exponent in x ** k


class ExprError(ValueError):
    """An expression that cannot be evaluated. ``message`` says what, ``column``
    (1-based, or None when there is no single place) says where, ``hint`` what to do.
    ``str(error)`` is one line: "unknown function 'foo' at column 1; known: abs, ..."."""

    def __init__(self, message: str, column: int | None = None, hint: str = ""):
        self.message = message
        self.column = column
        self.hint = hint
        text = message if column is None else f"{message} at column {column}"
        super().__init__(f"{text}; {hint}" if hint else text)


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_BINARY = {kind: _INFIX[symbol] for kind, symbol in _BINARY.items() if symbol in _INFIX}
_UNARY = {ast.USub: _PREFIX["-"], ast.UAdd: None}  # unary + is no op at all
_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
    ast.Invert: "~", ast.Not: "not",
}  # fmt: skip
_REJECTED = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "a comma (a tuple) is not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' and 'or' are not allowed",
    ast.IfExp: "conditional expressions ('if ... else') are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.Starred: "starred arguments ('*') are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}
_FUNCTION_LIST = ", ".join(FUNCTIONS)


def evaluate(text: str, variables: dict | None = None) -> tuple[Value, dict[str, Value]]:
    """Parse ``text`` and compute it with ``Value`` s.

    ``variables`` maps each name used in ``text`` to a finite real number (names not
    used are ignored). Returns ``(root, leaves)``: the expression's Value and a dict
    from each name, in the order the names first appear in ``text``, to its leaf.
    Raises ``ExprError`` for anything that is not a whitelisted expression, a missing
    or non-finite value, or a math error.
    """
    source = _Source(text)
    body = _parse(source)
    uses = _check(body, source)
    leaves = _make_leaves(uses, _normalise(variables or {}), source)
    root = _compute(body, leaves, source)
    if not isinstance(root, Value):  # the whole expression is one number
        root = constant(root)
    return root, leaves


class _Source:
    """The text, and conversions from the parser's positions to 1-based columns."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise ExprError(f"the expression must be a str, not {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise ExprError(
                f"the expression is too long ({len(text)} characters)",
                MAX_LENGTH + 1,
                f"the limit is {MAX_LENGTH}",
            )
        for i, ch in enumerate(text):
            if unicodedata.category(ch) == "Cc" and not ch.isspace():
                raise ExprError(f"control character U+{ord(ch):04X} is not allowed", i + 1)
        # Line breaks and tabs become spaces, so the text is one line and columns are
        # positions in it; leading blanks are skipped (the parser rejects them).
        flat = "".join(" " if ch.isspace() else ch for ch in text)
        self.skipped = len(flat) - len(flat.lstrip(" "))
        self.code = flat[self.skipped :].rstrip(" ")
        self._ascii = self.code.isascii()
        self._utf8 = self.code.encode("utf-8")

    def index(self, byte_offset: int) -> int:
        """0-based character index in ``code`` of a parser byte offset."""
        if self._ascii:
            return byte_offset
        return len(self._utf8[:byte_offset].decode("utf-8", errors="replace"))

    def column(self, byte_offset: int) -> int:
        return self.skipped + self.index(byte_offset) + 1

    def segment(self, node: ast.AST, limit: int = 40) -> str:
        piece = self.code[self.index(node.col_offset) : self.index(node.end_col_offset)]
        return piece if len(piece) <= limit else piece[: limit - 3] + "..."

    def operator_column_after(self, node: ast.expr, char: str) -> int | None:
        """The column of the first ``char`` after ``node``, if there is one."""
        i = self.code.find(char, self.index(node.end_col_offset))
        return None if i < 0 else self.skipped + i + 1

    def operator_column(self, node: ast.BinOp) -> int:
        # The AST has no position for the operator itself: it is the first character
        # after the left operand that is neither a blank nor a closing parenthesis.
        start, end = self.index(node.left.end_col_offset), self.index(node.right.col_offset)
        for i in range(start, end):
            if self.code[i] not in " )":
                return self.skipped + i + 1
        return self.column(node.col_offset)


_TOO_MANY_DIGITS = (
    "a number in the expression has too many digits to read "
    f"(the limit is {sys.get_int_max_str_digits()})"
)


def _parse(source: _Source) -> ast.expr:
    code = source.code
    if not code:
        raise ExprError("the expression is empty")
    _scan(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for odd string escapes
            tree = ast.parse(code, mode="eval")
    except SyntaxError as e:
        if "integer string conversion" in e.msg:  # an int literal over Python's limit
            raise ExprError(
                _TOO_MANY_DIGITS, hint="write it with an exponent, like 1e4400"
            ) from None
        offset = e.offset or 0
        if (e.lineno or 1) > 1 or offset < 1 or offset > len(code):
            at_end = e.msg == "invalid syntax" or e.msg.startswith("invalid syntax.")
            message = "the expression ends too early" if at_end else e.msg
            raise ExprError(message, source.skipped + len(code) + 1) from None
        message = e.msg
        if message == "invalid syntax":
            message = f"invalid syntax: unexpected {code[offset - 1]!r}"
        raise ExprError(message, source.skipped + offset) from None
    except (RecursionError, MemoryError):
        raise ExprError("the expression is nested too deeply to parse") from None
    except (ValueError, OverflowError) as e:
        if "integer string conversion" in str(e):
            raise ExprError(
                _TOO_MANY_DIGITS, hint="write it with an exponent, like 1e4400"
            ) from None
        raise ExprError(f"cannot parse the expression: {e}") from None
    return tree.body


def _scan(source: _Source) -> None:
    """Reject deep nesting and very many operators before the parser sees them."""
    depth = operators = 0
    code = source.code
    for i, ch in enumerate(code):
        if ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise ExprError(
                    f"brackets are nested more than {MAX_NESTING} deep", source.skipped + i + 1
                )
        elif ch in ")]}":
            depth -= 1
        if ch in "+-*/%@&|^~<>=!,:([" or _is_attribute_dot(code, i):
            if ch == "*" and code[i - 1 : i] == "*":
                continue  # ** is one operator
            operators += 1
            if operators > MAX_OPERATORS:
                raise ExprError(
                    f"the expression has more than {MAX_OPERATORS} operators",
                    source.skipped + i + 1,
                )


def _is_attribute_dot(code: str, i: int) -> bool:
    # "x.y" is an operator; the point in a number (1.5, .5, 1.e5) is not.
    if code[i] != ".":
        return False
    before, after = code[i - 1 : i], code[i + 1 : i + 2]
    return not before.isdigit() and not after.isdigit()


def _check(body: ast.expr, source: _Source) -> dict[str, ast.Name]:
    """Walk the tree (explicit stack, left to right) against the whitelist; return
    each variable name with the node of its first use, in order of appearance."""
    uses: dict[str, ast.Name] = {}
    stack = [body]
    while stack:
        node = stack.pop()
        column = source.column(node.col_offset)
        if isinstance(node, ast.Constant):
            _literal(node, source)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExprError(f"{node.id} is a function", column, f"call it as {node.id}(...)")
            if node.id not in uses or node.col_offset < uses[node.id].col_offset:
                uses[node.id] = node
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                symbol = _OPERATOR_SYMBOLS.get(type(node.op), "this operator")
                raise ExprError(f"{symbol!r} is not allowed", column, "use - or +")
            stack.append(node.operand)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                symbol = _OPERATOR_SYMBOLS.get(type(node.op), "this operator")
                raise ExprError(
                    f"operator {symbol!r} is not supported",
                    source.operator_column(node),
                    "use + - * / **",
                )
            if isinstance(node.op, ast.Pow):
                _check_exponent(node.right, source)
            stack += (node.right, node.left)
        elif isinstance(node, ast.Call):
            _check_call(node, source)
            stack.extend(reversed(node.args))
        else:
            reason = _REJECTED.get(type(node), f"{type(node).__name__} expressions are not allowed")
            if isinstance(node, ast.Tuple) and node.elts:  # point at the comma
                column = source.operator_column_after(node.elts[0], ",") or column
            raise ExprError(reason, column)
    return dict(sorted(uses.items(), key=lambda item: item[1].col_offset))


def _literal(node: ast.Constant, source: _Source) -> float:
    value, column = node.value, source.column(node.col_offset)
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise ExprError(f"{source.segment(node)} is not allowed", column, "only numbers and names")
    if isinstance(value, (str, bytes)):
        raise ExprError("strings are not allowed", column)
    if isinstance(value, complex):
        raise ExprError("imaginary numbers are not allowed", column)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExprError(f"the number {source.segment(node)} is too large for a float", column)
    return number


def _literal_value(node: ast.expr, source: _Source) -> float | None:
    """The number a literal (possibly with unary signs: ``-2``) stands for, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant):
        return sign * _literal(node, source)
    return None


def _check_exponent(exponent: ast.expr, source: _Source) -> None:
    k = _literal_value(exponent, source)
    if k is not None and abs(k) > MAX_EXPONENT:
        raise ExprError(
            f"the exponent {source.segment(exponent)} is too large",
            source.column(exponent.col_offset),
            f"literal exponents are limited to ±{MAX_EXPONENT}",
        )


def _check_call(node: ast.Call, source: _Source) -> None:
    column = source.column(node.col_offset)
    if not isinstance(node.func, ast.Name):
        raise ExprError("only a function name can be called", column, f"known: {_FUNCTION_LIST}")
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExprError(f"unknown function {name!r}", column, f"known: {_FUNCTION_LIST}")
    if node.keywords:
        keyword = node.keywords[0]
        raise ExprError(f"{name}() takes no keyword arguments", source.column(keyword.col_offset))
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise ExprError(_REJECTED[ast.Starred], source.column(arg.col_offset))
    arity, given = _CALLS[name].arity, len(node.args)
    if arity is None and not given:
        raise ExprError(f"{name}() needs at least one argument", column)
    if arity is not None and given != arity:
        count = "one argument" if arity == 1 else f"{arity} arguments"
        raise ExprError(f"{name}() takes exactly {count} ({given} given)", column)


def _normalise(variables: dict) -> dict[str, float]:
    # Python's parser NFKC-normalises identifiers; do the same to the given names so
    # that a name typed the same way matches.
    if not isinstance(variables, dict):
        raise ExprError(f"variables must be a dict, not {type(variables).__name__}")
    normalised: dict[str, object] = {}
    for name, value in variables.items():
        if not isinstance(name, str):
            raise ExprError(f"variable names must be str, not {type(name).__name__}")
        normalised[unicodedata.normalize("NFKC", name)] = value
    return normalised


def _make_leaves(uses: dict[str, ast.Name], variables: dict, source: _Source) -> dict[str, Value]:
    missing = [name for name in uses if name not in variables]
    if missing:
        hint = "give each variable a value as name=value"
        unused = [name for name in variables if name not in uses]
        guesses = [
            f"{match[0]} for {name}"
            for name in missing
            if (match := difflib.get_close_matches(name, unused, n=1, cutoff=0.5))
        ]
        if guesses:
            hint += f" (did you mean {', '.join(guesses)}?)"
        first = source.column(uses[missing[0]].col_offset)
        raise ExprError(f"no value for {', '.join(missing)}", first, hint)
    leaves = {}
    for name, node in uses.items():
        value = variables[name]
        column = source.column(node.col_offset)
        if isinstance(value, Value) or not isinstance(value, numbers.Real):
            raise ExprError(
                f"the value of {name} must be a real number, not {type(value).__name__}", column
            )
        if not math.isfinite(value):
            raise ExprError(f"the value of {name} must be finite, not {value!r}", column)
        leaves[name] = Value(value, label=name)
    return leaves


def _children(node: ast.expr) -> tuple:
    if isinstance(node, ast.BinOp):
        return (node.left, node.right)
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    if isinstance(node, ast.Call):
        return tuple(node.args)
    return ()


def _compute(body: ast.expr, leaves: dict[str, Value], source: _Source):
    """Evaluate the checked tree bottom-up with an explicit stack. A result is a
    Value, or a float while it is still a literal (so that ``-2`` is the number -2,
    not the negation of 2); literals become constants when an op needs a Value."""
    results: dict[int, object] = {}
    stack = [(body, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children and not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        operands = [results.pop(id(child)) for child in children]
        results[id(node)] = _apply(node, operands, leaves, source)
    return results[id(body)]


def _apply(node: ast.expr, operands: list, leaves: dict[str, Value], source: _Source):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    try:
        if isinstance(node, ast.UnaryOp):
            op, (operand,) = _UNARY[type(node.op)], operands
            if op is None:
                return operand
            if not isinstance(operand, Value):  # -2 is the number -2: still a literal
                return op.forward(operand)
            return apply(op, (operand,))
        op = _BINARY[type(node.op)] if isinstance(node, ast.BinOp) else _CALLS[node.func.id]
        return apply(op, tuple(x if isinstance(x, Value) else constant(x) for x in operands))
    except (ArithmeticError, ValueError) as e:
        column = (
            source.operator_column(node)
            if isinstance(node, ast.BinOp)
            else source.column(node.col_offset)
        )
        raise ExprError(f"{e}, in {source.segment(node)}", column) from None
