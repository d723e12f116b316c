"""autograd.expr: the whitelist parser for expressions typed on the command line."""

import builtins
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot, ops, sum_of
from autograd.expr import FUNCTIONS, MAX_LENGTH, MAX_NESTING, MAX_OPERATORS, ExprError, evaluate
from autograd.value import is_constant

VARIABLES = {"x": 0.7, "y": 1.3, "z": -2.1}

# Each accepted form beside the same computation written in Python with Values.
ACCEPTED = [
    ("x + y", lambda x, y, z: x + y),
    ("x - y", lambda x, y, z: x - y),
    ("x * y", lambda x, y, z: x * y),
    ("x / y", lambda x, y, z: x / y),
    ("x ** 2", lambda x, y, z: x**2),
    ("x ** y", lambda x, y, z: x**y),
    ("2 ** x", lambda x, y, z: 2**x),
    ("x ** -1", lambda x, y, z: x**-1),
    ("-x", lambda x, y, z: -x),
    ("+x", lambda x, y, z: x),
    ("--x", lambda x, y, z: -(-x)),  # noqa: B002 (the expression text, not Python)
    ("-x ** 2", lambda x, y, z: -(x**2)),  # ** binds tighter than unary minus
    ("x - y - z", lambda x, y, z: (x - y) - z),  # left-associative
    ("x / y / z", lambda x, y, z: (x / y) / z),
    ("y ** x ** 2", lambda x, y, z: y ** (x**2)),  # right-associative
    ("(x + y) * z", lambda x, y, z: (x + y) * z),
    ("((x))", lambda x, y, z: x),
    ("x * x", lambda x, y, z: x * x),  # one leaf used twice
    ("exp(x)", lambda x, y, z: x.exp()),
    ("log(y)", lambda x, y, z: y.log()),
    ("sqrt(y)", lambda x, y, z: y.sqrt()),
    ("tanh(z)", lambda x, y, z: z.tanh()),
    ("sigmoid(z)", lambda x, y, z: z.sigmoid()),
    ("relu(x)", lambda x, y, z: x.relu()),
    ("relu(z)", lambda x, y, z: z.relu()),
    ("sin(x)", lambda x, y, z: x.sin()),
    ("cos(x)", lambda x, y, z: x.cos()),
    ("abs(z)", lambda x, y, z: abs(z)),
    ("1.5e-1 * x + 1_000 * y - .5", lambda x, y, z: 0.15 * x + 1000 * y - 0.5),
    ("tanh(x*y + z) / (1 + exp(-x))", lambda x, y, z: (x * y + z).tanh() / (1 + (-x).exp())),
    ("x\t*\ny", lambda x, y, z: x * y),  # tabs and line breaks are blanks
    ("  x * y  ", lambda x, y, z: x * y),
]


def _leaves():
    return {name: Value(value, label=name) for name, value in VARIABLES.items()}


@pytest.mark.parametrize("text, build", ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_form_matches_the_same_expression_built_in_python(text, build):
    root, leaves = evaluate(text, VARIABLES)
    root.backward()
    expected_leaves = _leaves()
    expected = build(**expected_leaves)
    expected.backward()
    assert root.data == pytest.approx(expected.data, rel=1e-12)
    for name, leaf in leaves.items():
        assert leaf.grad == pytest.approx(expected_leaves[name].grad, rel=1e-12, abs=1e-15)


def test_every_op_name_is_accepted():
    for name in FUNCTIONS:
        root, _ = evaluate(f"{name}(y)", VARIABLES)
        assert root.op == name


def test_each_name_is_one_leaf_labelled_with_its_name():
    root, leaves = evaluate("x * x", {"x": 3.0})
    assert list(leaves) == ["x"]
    assert leaves["x"].label == "x" and leaves["x"].op == ""
    assert root.inputs == (leaves["x"], leaves["x"])
    root.backward()
    assert leaves["x"].grad == pytest.approx(6.0)


def test_leaves_come_in_the_order_names_first_appear():
    _, leaves = evaluate("z*exp(x) + y*x + z", VARIABLES)
    assert list(leaves) == ["z", "x", "y"]


def test_unused_variables_are_ignored():
    _, leaves = evaluate("x + 1", {"x": 1.0, "unused": 2.0})
    assert list(leaves) == ["x"]


def test_numbers_become_constants_and_signs_fold_into_them():
    root, leaves = evaluate("-2 * x", {"x": 1.0})
    constant, x = root.inputs
    assert is_constant(constant) and constant.data == -2.0
    assert x is leaves["x"]


def test_unary_plus_adds_no_node():
    root, leaves = evaluate("+x", {"x": 1.0})
    assert root is leaves["x"]


def test_an_expression_without_names_is_a_value():
    root, leaves = evaluate("2 * 3", {})
    assert isinstance(root, Value) and root.data == 6.0 and leaves == {}
    root, _ = evaluate("-4", {})
    assert root.data == -4.0 and is_constant(root)


def test_micrograd_neuron():
    variables = dict(x1=2.0, w1=-3.0, x2=0.0, w2=1.0, b=6.8813735870195432)
    root, leaves = evaluate("tanh(x1*w1 + x2*w2 + b)", variables)
    root.backward()
    assert root.data == pytest.approx(0.7071, abs=1e-4)
    grads = {name: leaf.grad for name, leaf in leaves.items()}
    assert grads == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})


# ---------------------------------------------------------------- rejected forms
REJECTED = [
    # (text, column, words in the message)
    ("x.real", 1, "attribute"),
    ("x[0]", 1, "subscript"),
    ("lambda: 1", 1, "lambda"),
    ("[t for t in x]", 1, "comprehension"),
    ("(t for t in x)", 1, "comprehension"),
    ("[x, y]", 1, "list"),
    ("{x: y}", 1, "dict"),
    ("x, y", 2, "comma"),
    ("'abc'", 1, "string"),
    ("x + 'abc'", 5, "string"),
    ("f'{x}'", 1, "string"),
    ("b'x'", 1, "string"),
    ("exp(x=1)", 5, "keyword"),
    ("exp(*x)", 5, "starred"),
    ("exp(x, y)", 1, "exactly one argument (2 given)"),
    ("exp()", 1, "exactly one argument (0 given)"),
    ("foo(x)", 1, "unknown function 'foo'"),
    ("x + eval(y)", 5, "unknown function 'eval'"),
    ("exp(x)(y)", 1, "only a function name can be called"),
    ("exp + 1", 1, "exp is a function"),
    ("x < y", 1, "comparison"),
    ("x and y", 1, "'and' and 'or'"),
    ("not x", 1, "'not'"),
    ("~x", 1, "'~'"),
    ("x // y", 3, "'//'"),
    ("x % y", 3, "'%'"),
    ("x @ y", 3, "'@'"),
    ("(x) ^ y", 5, "'^'"),
    ("x if y else z", 1, "conditional"),
    ("(x := 1)", 2, "assignment"),
    ("1j", 1, "imaginary"),
    ("True", 1, "True"),
    ("None", 1, "None"),
    ("...", 1, "..."),
    ("1e999", 1, "too large"),
    ("1" + "0" * 400, 1, "too large"),
    ("x +", 4, "ends too early"),
    ("x $ y", 3, "'$'"),
    ("exp(x", 4, "never closed"),
    ("x)", 2, "unmatched"),
    ("x = 1", 3, "'='"),
    ("x\x00", 2, "control character"),
    ("é * y + foo(x)", 9, "unknown function"),  # columns count characters, not bytes
    ("   foo(x)", 4, "unknown function"),  # leading blanks count
    ("x *\n  foo(x)", 7, "unknown function"),  # a line break is one blank
]


@pytest.mark.parametrize(
    "text, column, words", REJECTED, ids=[repr(t[:20]) for t, _, _ in REJECTED]
)
def test_rejected_form_raises_one_line_with_its_column(text, column, words):
    with pytest.raises(ExprError) as caught:
        evaluate(text, VARIABLES)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.column == column
    assert f"at column {column}" in str(error)
    assert words in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_expression_is_rejected(text):
    with pytest.raises(ExprError, match="empty"):
        evaluate(text, {})


def test_missing_values_are_named_with_the_first_column():
    with pytest.raises(ExprError) as caught:
        evaluate("x * w + b", {"x": 1.0})
    assert caught.value.column == 5
    assert "no value for w, b" in str(caught.value)


def test_missing_value_suggests_a_close_name():
    with pytest.raises(ExprError, match=r"did you mean w1 for wl\?"):
        evaluate("x * wl", {"x": 1.0, "w1": 2.0})


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_values_are_rejected(value):
    with pytest.raises(ExprError, match="finite") as caught:
        evaluate("1 + x", {"x": value})
    assert caught.value.column == 5


@pytest.mark.parametrize("value", ["2", None, 1j, Value(2.0)])
def test_values_that_are_not_real_numbers_are_rejected(value):
    with pytest.raises(ExprError, match="real number"):
        evaluate("x", {"x": value})


# ---------------------------------------------------------------- math errors
MATH_ERRORS = [
    # (text, x, column, words)
    ("log(x)", -1.0, 1, "log"),
    ("2 * log(x - 1)", 1.0, 5, "log"),
    ("sqrt(x)", -4.0, 1, "sqrt"),
    ("1 / (x - 1)", 1.0, 3, "division by zero"),
    ("exp(x)", 1000.0, 1, "overflow"),
    ("x ** 0.5", -1.0, 3, "negative base"),
    ("0 ** x", -1.0, 3, "negative power"),
]


@pytest.mark.parametrize("text, x, column, words", MATH_ERRORS, ids=[t for t, *_ in MATH_ERRORS])
def test_math_errors_become_one_line_expr_errors_with_their_column(text, x, column, words):
    with pytest.raises(ExprError) as caught:
        evaluate(text, {"x": x})
    assert caught.value.column == column
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- pathological input
@pytest.mark.parametrize(
    "text",
    [
        "(" * 10000 + "x" + ")" * 10000,
        "-" * 100000 + "x",
        "x" + "+x" * 100000,
        "x" * (MAX_LENGTH + 1),
    ],
    ids=["10000 parentheses", "100000 minus signs", "100000 additions", "long name"],
)
def test_very_long_input_is_rejected_before_parsing(text):
    with pytest.raises(ExprError, match="too long") as caught:
        evaluate(text, {"x": 1.0})
    assert caught.value.column == MAX_LENGTH + 1


def test_deep_brackets_are_rejected_at_the_first_one_too_deep():
    text = "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ExprError, match="nested") as caught:
        evaluate(text, {"x": 1.0})
    assert caught.value.column == MAX_NESTING + 1


def test_deep_calls_are_rejected():
    text = "exp(" * 200 + "x" + ")" * 200
    with pytest.raises(ExprError, match="nested"):
        evaluate(text, {"x": 1.0})


@pytest.mark.parametrize("text", ["-" * 3000 + "x", "x" + "+x" * 2000, "x" + "**x" * 1500])
def test_too_many_operators_are_rejected_before_parsing(text):
    with pytest.raises(ExprError, match="operators") as caught:
        evaluate(text, {"x": 1.0})
    assert caught.value.column is not None


def test_nesting_just_inside_the_limits_evaluates():
    depth = MAX_NESTING
    root, _ = evaluate("(" * depth + "x" + ")" * depth, {"x": 2.0})
    assert root.data == 2.0
    root, leaves = evaluate("x" + "+x" * (MAX_OPERATORS - 1), {"x": 1.0})
    root.backward()
    assert root.data == MAX_OPERATORS and leaves["x"].grad == MAX_OPERATORS
    root, _ = evaluate("-" * (MAX_OPERATORS - 1) + "x", {"x": 2.0})  # an odd count
    assert root.data == -2.0


def test_parser_limits_become_expr_errors():
    # Python's parser gives up on deep trees with RecursionError or MemoryError; with
    # a low recursion limit a tree within chainrule's own limits shows that path.
    text = "x" + "+x" * 900
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 50)  # leaves the parser far fewer than 900 levels
    try:
        with pytest.raises(ExprError, match="nested too deeply"):
            evaluate(text, {"x": 1.0})
    finally:
        sys.setrecursionlimit(limit)


def test_pathological_input_never_hangs_or_crashes_the_interpreter():
    # A guard, not a timing test: a separate interpreter so that a crash would show
    # as a failure here rather than take pytest down.
    program = (
        "from autograd.expr import evaluate, ExprError\n"
        "texts = ['('*10000+'x'+')'*10000, '-'*100000+'x', 'x'+'+x'*100000,\n"
        "         '-'*4999+'x', 'not '*1249+'x', 'x'+'.y'*2499, 'lambda:'*714+'x',\n"
        "         'x'+'[0]'*1249, '9**9**9**9', '10**10**10', '2**'*500+'x']\n"
        "for t in texts:\n"
        "    try:\n"
        "        evaluate(t, {'x': 3000.0})\n"
        "    except ExprError as e:\n"
        "        assert '\\n' not in str(e)\n"
        "    else:\n"
        "        raise AssertionError(t[:20])\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# ---------------------------------------------------------------- huge exponents
@pytest.mark.parametrize(
    "text, variables",
    [
        ("9**9**9", {}),
        ("10**1000", {}),
        ("10**10**10", {}),
        ("2**x", {"x": 5000.0}),
        ("x**x**x", {"x": 9.0}),
        ("x ** 1e6", {"x": 1.0}),
        ("x ** -20000", {"x": 1.0}),
        ("x ** (10**1000)", {"x": 1.0}),
    ],
)
def test_huge_exponents_are_rejected(text, variables):
    with pytest.raises(ExprError) as caught:
        evaluate(text, variables)
    assert caught.value.column is not None


def test_literal_exponent_limit_names_the_exponent():
    with pytest.raises(ExprError, match="exponent 1e6 is too large") as caught:
        evaluate("x ** 1e6", {"x": 1.0})
    assert caught.value.column == 6


def test_large_but_reasonable_exponent_is_fine():
    root, _ = evaluate("(1 + 1/10000) ** 10000", {})
    assert root.data == pytest.approx(math.e, rel=1e-4)


# ---------------------------------------------------------------- never eval
def test_code_injection_is_rejected_and_never_runs(tmp_path):
    target = tmp_path / "pwned"
    text = f"__import__('os').system('touch {target}')"
    with pytest.raises(ExprError, match="only a function name can be called"):
        evaluate(text, {})
    assert not target.exists()


def test_evaluate_does_not_use_eval_or_exec(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    root, _ = evaluate("tanh(x * y) + 1", VARIABLES)
    assert root.data == pytest.approx(math.tanh(0.7 * 1.3) + 1)


# ---------------------------------------------------------------- properties
# Random whitelisted expressions as small trees: a leaf is a name or a number,
# ("+", a, b) a binary op, ("tanh", a) a function or unary minus ("-", a).
_BINARY_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
_UNARY_OPS = ["-", *(name for name in FUNCTIONS if name not in ("sum", "dot"))]

trees = st.recursive(
    st.sampled_from(["x", "y", "z", 2.0, 0.5]),
    lambda children: (
        st.tuples(st.sampled_from(sorted(_BINARY_OPS)), children, children)
        | st.tuples(st.sampled_from(_UNARY_OPS), children)
        | st.lists(children, min_size=1, max_size=3).map(lambda xs: ("sum()", *xs))
        | st.lists(children, min_size=2, max_size=5).map(lambda xs: ("dot()", *xs))
    ),
    max_leaves=12,
)


def _text(tree) -> str:
    if not isinstance(tree, tuple):
        return str(tree)
    if tree[0].endswith("()"):  # an n-ary call
        return f"{tree[0][:-2]}({', '.join(map(_text, tree[1:]))})"
    if len(tree) == 3:
        return f"({_text(tree[1])} {tree[0]} {_text(tree[2])})"
    if tree[0] == "-":
        return f"(-{_text(tree[1])})"  # the parentheses keep -x ** y from meaning -(x ** y)
    return f"{tree[0]}({_text(tree[1])})"


def _build(tree, leaves):
    """The same tree computed directly with Values (numbers stay numbers)."""
    if isinstance(tree, str):
        return leaves[tree]
    if isinstance(tree, float):
        return tree
    if tree[0] == "sum()":
        return sum_of([_build(t, leaves) for t in tree[1:]])
    if tree[0] == "dot()":
        operands = [_build(t, leaves) for t in tree[1:]]
        n = len(operands) // 2
        return dot(operands[:n], operands[n : 2 * n], *operands[2 * n :])
    if len(tree) == 3:
        a, b = _build(tree[1], leaves), _build(tree[2], leaves)
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Value(a)  # the engine's arithmetic, not Python's (-2.0 ** 0.5 is complex)
        return _BINARY_OPS[tree[0]](a, b)
    operand = _build(tree[1], leaves)
    if tree[0] == "-":
        return -operand
    if tree[0] == "abs":
        return abs(Value(operand) if not isinstance(operand, Value) else operand)
    return getattr(operand if isinstance(operand, Value) else Value(operand), tree[0])()


@settings(max_examples=150)
@given(trees, st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3))
def test_random_expressions_match_the_same_built_in_python(tree, x, y, z):
    variables = {"x": x, "y": y, "z": z}
    expected_leaves = {name: Value(value, label=name) for name, value in variables.items()}
    try:
        expected = _build(tree, expected_leaves)
    except (ArithmeticError, ValueError):  # log(-1), 1/0, exp(exp(exp(...))) overflowing
        with pytest.raises(ExprError):
            evaluate(_text(tree), variables)
        return
    root, leaves = evaluate(_text(tree), variables)
    assert root.data == pytest.approx(float(expected), rel=1e-9, abs=1e-12)
    root.backward()
    if isinstance(expected, Value):
        expected.backward()
    for name, leaf in leaves.items():
        expected_grad = expected_leaves[name].grad  # nan where inf meets 0: sqrt(x*x) at 0
        assert leaf.grad == pytest.approx(expected_grad, rel=1e-9, abs=1e-12, nan_ok=True)


_NEAR_MISSES = st.text(alphabet=list("xyz()+-*/.,:[]'\"0123456789eij _λ\t\n"), max_size=40)


@settings(max_examples=300)
@given(_NEAR_MISSES | st.text(max_size=30))
def test_any_text_evaluates_or_raises_a_one_line_expr_error(text):
    try:
        root, _ = evaluate(text, VARIABLES)
    except ExprError as e:
        assert "\n" not in str(e)
        assert e.column is None or 1 <= e.column <= len(text) + 1
    else:
        assert math.isfinite(root.data)


@pytest.mark.parametrize("op", ops.ALL, ids=lambda op: op.name)
def test_every_op_of_ops_py_can_be_typed_on_the_command_line(op):
    # An op added to ops.py is written by its own form and symbol; if the parser
    # cannot read that text back into the same op, this fails.
    operands = ["x", "y", "z", "w"][: op.arity or 4]
    root, _ = evaluate(op.written(operands), {"x": 0.5, "y": 1.5, "z": 2.0, "w": -1.0})
    assert root.op == op.name
    assert [v.label for v in root.inputs] == operands
