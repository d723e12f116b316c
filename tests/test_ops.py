"""Every op's forward value and local derivatives, checked against two oracles.

The table ``CASES`` has one row per way of using an op (a Value or a number on either
side, a number or a Value exponent...). Every row is evaluated at several points,
including points near the edge of the op's domain, and its gradient from ``backward``
is compared with

(a) central differences in float arithmetic, with a step small enough to stay inside
    the domain, and
(b) mpmath: the same function written with mpmath and differentiated numerically at
    30 significant digits (``mp.diff``), which shares no code and no derivative rule
    with chainrule.

Adding an op = one row here (``test_table_covers_every_op`` fails until it has one).
The rest of the file checks the rules themselves: evaluated on Values they give the
same numbers as on floats (so they can build higher-order derivatives), domain errors
and the conventions at kinks.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from autograd import Value, dot, ops, sum_of, topological_order

DIGITS = 30  # mpmath working precision, in significant decimal digits


def _sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def _relu(x):
    return x if x > 0 else mpf(0)


@dataclass(frozen=True)
class Case:
    name: str
    f: Callable  # the function on chainrule Values
    exact: Callable  # the same function on mpmath numbers
    points: tuple[tuple[float, ...], ...]
    near_edge: tuple[bool, ...] = ()  # per argument: keep the float step << |x|

    def edge(self, i: int) -> bool:
        return bool(self.near_edge) and self.near_edge[i]


# fmt: off
CASES = [
    # ------------------------------------------------------------ + - * /
    Case("a + b", lambda a, b: a + b, lambda a, b: a + b,
         ((1.5, -2.25), (0.0, 0.0), (1e10, 3e-10))),
    Case("a + number", lambda a: a + 2.5, lambda a: a + 2.5, ((-1.0,), (0.1,))),
    Case("number + a", lambda a: 2.5 + a, lambda a: 2.5 + a, ((-1.0,), (0.1,))),
    Case("a - b", lambda a, b: a - b, lambda a, b: a - b, ((1.5, -2.25), (3.0, 3.0))),
    Case("a - number", lambda a: a - 0.75, lambda a: a - 0.75, ((2.0,), (-0.3,))),
    Case("number - a", lambda a: 0.75 - a, lambda a: 0.75 - a, ((2.0,), (-0.3,))),
    Case("a * b", lambda a, b: a * b, lambda a, b: a * b,
         ((1.5, -2.0), (0.0, 3.0), (1e150, 1e-150))),
    Case("a * number", lambda a: a * -3.0, lambda a: a * -3.0, ((0.7,), (-2.0,))),
    Case("number * a", lambda a: -3.0 * a, lambda a: -3.0 * a, ((0.7,), (-2.0,))),
    Case("a / b", lambda a, b: a / b, lambda a, b: a / b,
         ((1.0, 3.0), (-2.0, 1e-6), (5.0, -1e3), (0.0, 2.0)), (False, True)),
    Case("a / number", lambda a: a / 4.0, lambda a: a / 4.0, ((0.5,), (-1e-5,))),
    Case("number / a", lambda a: 4.0 / a, lambda a: 4.0 / a,
         ((0.5,), (-1e-5,), (-300.0,)), (True,)),
    # ------------------------------------------------------------ ** (both sides)
    Case("a ** integer", lambda a: a ** 3, lambda a: a ** 3, ((-1.7,), (2.0,), (1e-3,))),
    Case("a ** negative integer", lambda a: a ** -2, lambda a: a ** -2,
         ((-0.5,), (3.0,), (1e-3,)), (True,)),
    Case("a ** 0.5", lambda a: a ** 0.5, lambda a: a ** mpf(0.5),
         ((1e-12,), (2.0,), (1e10,)), (True,)),
    Case("a ** -1.5", lambda a: a ** -1.5, lambda a: a ** mpf(-1.5),
         ((1e-4,), (3.0,)), (True,)),
    Case("a ** b", lambda a, b: a ** b, lambda a, b: a ** b,
         ((2.0, 3.0), (0.5, -1.5), (1e-8, 0.5), (3.0, 0.0), (7.0, 1e-9)), (True, False)),
    Case("number ** b", lambda b: 2.0 ** b, lambda b: mpf(2) ** b,
         ((0.0,), (-3.5,), (10.0,))),
    # ------------------------------------------------------------ unary
    Case("-a", lambda a: -a, lambda a: -a, ((1.5,), (-2.0,), (0.0,))),
    Case("abs(a)", lambda a: abs(a), lambda a: abs(a),
         ((-2.0,), (3.0,), (1e-9,), (-1e-9,)), (True,)),
    Case("exp", lambda a: a.exp(), mp.exp, ((-700.0,), (0.0,), (1.0,), (700.0,))),
    Case("log", lambda a: a.log(), mp.log, ((1e-8,), (0.5,), (3.0,), (1e300,)), (True,)),
    Case("sqrt", lambda a: a.sqrt(), mp.sqrt, ((1e-12,), (2.0,), (1e10,)), (True,)),
    Case("tanh", lambda a: a.tanh(), mp.tanh, ((-20.0,), (-0.5,), (0.0,), (3.0,), (20.0,))),
    Case("sigmoid", lambda a: a.sigmoid(), _sigmoid,
         ((-700.0,), (-30.0,), (0.0,), (2.0,), (6.0,), (30.0,))),
    Case("softplus", lambda a: a.softplus(), lambda a: mp.log(1 + mp.exp(a)),
         ((-700.0,), (-30.0,), (0.0,), (2.0,), (30.0,), (700.0,))),
    Case("relu", lambda a: a.relu(), _relu, ((-1.0,), (1e-9,), (2.5,)), (True,)),
    Case("sin", lambda a: a.sin(), mp.sin, ((0.0,), (1.0,), (-3.0,), (100.0,))),
    Case("cos", lambda a: a.cos(), mp.cos, ((0.0,), (1.0,), (-3.0,), (100.0,))),
    # ------------------------------------------------------------ n-ary
    Case("sum_of", lambda a, b, c: sum_of([a, b, c]), lambda a, b, c: a + b + c,
         ((1.0, -2.0, 0.5), (1e-3, 1e3, 0.0))),
    Case("sum_of with numbers and a repeat", lambda a, b: sum_of([a, 2.0, b, a, -1]),
         lambda a, b: a + 2 + b + a - 1, ((1.0, -2.0),)),
    Case("dot", lambda a, b, c, d: dot([a, b], [c, d]), lambda a, b, c, d: a * c + b * d,
         ((1.0, -2.0, 0.5, 3.0), (0.0, 1e-3, -7.0, 2.0))),
    Case("dot with numbers and a repeat", lambda a, b: dot([a, 2.0, a], [3.0, b, a]),
         lambda a, b: 3 * a + 2 * b + a * a, ((1.5, -0.5),)),
    Case("dot with a bias", lambda a, b, c: dot([a], [b], c), lambda a, b, c: a * b + c,
         ((1.5, -0.5, 2.0),)),
]
# fmt: on

POINTS = [
    pytest.param(case, point, id=f"{case.name} at {point}")
    for case in CASES
    for point in case.points
]


def _analytic(case: Case, point) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in point]
    out = case.f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def _evaluate(case: Case, point) -> float:
    return case.f(*(Value(x) for x in point)).data


def _central_difference(case: Case, point, i: int) -> float:
    x = point[i]
    # Near a domain edge or a kink at 0 the step must be a small fraction of |x|;
    # elsewhere a step of about 1e-6 of the operands' scale balances truncation and
    # rounding error (1e10 + 3e-10 cannot feel a step of 3e-16).
    h = 1e-6 * abs(x) if case.edge(i) else 1e-6 * max(1.0, *map(abs, point))
    up, down = list(point), list(point)
    up[i], down[i] = x + h, x - h
    return (_evaluate(case, up) - _evaluate(case, down)) / ((x + h) - (x - h))


def _mpmath_partial(case: Case, point, i: int):
    args = [mpf(x) for x in point]

    def along_i(t):
        return case.exact(*args[:i], t, *args[i + 1 :])

    # mp.diff's own step is absolute; a step relative to |x| keeps it inside the
    # domain near 0 and meaningful at 1e300.
    h = abs(args[i]) * mpf(10) ** -25 if args[i] else mpf(10) ** -25
    return mp.diff(along_i, args[i], h=h)


def test_table_covers_every_op():
    used = set()
    for case in CASES:
        out = case.f(*(Value(x) for x in case.points[0]))
        used |= {node.op for node in topological_order(out)}
    missing = {op.name for op in ops.ALL} - used
    assert not missing, f"ops without a row in the op table: {sorted(missing)}"


@pytest.mark.parametrize(("case", "point"), POINTS)
def test_gradient_matches_central_differences(case, point):
    _, grads = _analytic(case, point)
    for i, grad in enumerate(grads):
        numeric = _central_difference(case, point, i)
        assert math.isclose(grad, numeric, rel_tol=1e-6, abs_tol=1e-8), (i, grad, numeric)


@pytest.mark.parametrize(("case", "point"), POINTS)
def test_value_and_gradient_match_mpmath(case, point):
    value, grads = _analytic(case, point)
    with mp.workdps(DIGITS):
        exact_value = case.exact(*(mpf(x) for x in point))
        assert math.isclose(value, float(exact_value), rel_tol=1e-14, abs_tol=1e-300)
        for i, grad in enumerate(grads):
            exact = float(_mpmath_partial(case, point, i))
            # rel 1e-10: a float rule loses a few digits where it subtracts nearly equal
            # numbers (1 - t*t for tanh near ±1); abs 1e-15 covers results that are
            # themselves rounding noise, such as sigmoid'(30) = 9.4e-14.
            assert math.isclose(grad, exact, rel_tol=1e-10, abs_tol=1e-15), (i, grad, exact)


# ---------------------------------------------------------------- rules on Values
def _apply_dot(*wxb):  # w_1..w_n, x_1..x_n, then a bias when the count is odd
    n = len(wxb) // 2
    return dot(wxb[:n], wxb[n : 2 * n], *wxb[2 * n :])


# How to apply each op through the public API, and points to evaluate its rule at
# (kinks and boundaries included: the conventions must hold on Values too).
APPLY = {
    "+": (lambda a, b: a + b, [(1.5, -2.0)]),
    "-": (lambda a, b: a - b, [(1.5, -2.0)]),
    "*": (lambda a, b: a * b, [(1.5, -2.0), (0.0, 3.0)]),
    "/": (lambda a, b: a / b, [(1.5, -2.0), (0.0, 0.25)]),
    "**": (
        lambda a, b: a**b,
        [(1.5, -2.0), (2.0, 0.5), (-2.0, 3.0), (0.0, 0.5), (0.0, 2.0), (0.0, 0.0), (3.0, 0.0)],
    ),
    "neg": (lambda a: -a, [(1.5,)]),
    "sum": (lambda *xs: sum_of(xs), [(1.5, -2.0, 0.25)]),
    "dot": (_apply_dot, [(1.5, -2.0, 0.25, 4.0), (1.5, -2.0, 0.25, 4.0, -3.0)]),  # w, x (, bias)
    "exp": (lambda a: a.exp(), [(0.5,), (-3.0,)]),
    "log": (lambda a: a.log(), [(0.5,), (1e-8,)]),
    "sqrt": (lambda a: a.sqrt(), [(0.5,), (0.0,)]),
    "tanh": (lambda a: a.tanh(), [(0.5,), (-20.0,)]),
    "sigmoid": (lambda a: a.sigmoid(), [(0.5,), (-30.0,)]),
    "softplus": (lambda a: a.softplus(), [(0.5,), (-30.0,), (30.0,)]),
    "relu": (lambda a: a.relu(), [(0.5,), (0.0,), (-1.0,)]),
    "abs": (lambda a: abs(a), [(0.5,), (0.0,), (-1.0,)]),
    "sin": (lambda a: a.sin(), [(0.5,), (-3.0,)]),
    "cos": (lambda a: a.cos(), [(0.5,), (-3.0,)]),
}
RULE_POINTS = [
    pytest.param(op, point, id=f"{op.name} at {point}")
    for op in ops.ALL
    for point in APPLY.get(op.name, (None, [()]))[1]  # a missing op fails the test above
]


def test_every_op_has_a_rule_check():
    assert {op.name for op in ops.ALL} <= set(APPLY)


@pytest.mark.parametrize(("op", "point"), RULE_POINTS)
def test_local_rule_gives_the_same_numbers_on_values_as_on_floats(op, point):
    inputs = [Value(x) for x in point]
    out = APPLY[op.name][0](*inputs)
    assert out.op == op.name and out.inputs == tuple(inputs)
    on_floats = op.local(out.data, *point)
    on_values = op.local(out, *inputs)
    assert len(on_floats) == len(on_values) == len(inputs)
    for stored, f, v in zip(out.local, on_floats, on_values):
        # The same arithmetic in the same order, so only the last bit may differ.
        assert math.isclose(float(v), f, rel_tol=1e-15) or f == float(v)
        assert math.isclose(stored, f, rel_tol=1e-15) or f == stored


# f, its op, the point, and which partial of which local derivative to differentiate:
# (k, j) differentiates the local derivative ∂out/∂x_k with respect to x_j.
SECOND_DERIVATIVES = [
    ("tanh", lambda a: a.tanh(), mp.tanh, (0.7,), (0, 0)),
    ("exp", lambda a: a.exp(), mp.exp, (-1.3,), (0, 0)),
    ("sin", lambda a: a.sin(), mp.sin, (2.0,), (0, 0)),
    ("cos", lambda a: a.cos(), mp.cos, (2.0,), (0, 0)),
    ("log", lambda a: a.log(), mp.log, (0.3,), (0, 0)),
    ("sigmoid", lambda a: a.sigmoid(), _sigmoid, (1.1,), (0, 0)),
    ("sqrt", lambda a: a.sqrt(), mp.sqrt, (2.5,), (0, 0)),
    ("softplus", lambda a: a.softplus(), lambda a: mp.log(1 + mp.exp(a)), (0.4,), (0, 0)),
    ("a / b", lambda a, b: a / b, lambda a, b: a / b, (1.5, -0.7), (1, 1)),
    ("a ** b, mixed", lambda a, b: a**b, lambda a, b: a**b, (1.7, 2.3), (0, 1)),
    ("a ** b, in a", lambda a, b: a**b, lambda a, b: a**b, (1.7, 2.3), (0, 0)),
]


@pytest.mark.parametrize(
    ("f", "exact", "point", "which"),
    [pytest.param(*row[1:], id=row[0]) for row in SECOND_DERIVATIVES],
)
def test_rule_on_values_differentiates_to_the_second_derivative(f, exact, point, which):
    k, j = which
    inputs = [Value(x) for x in point]
    out = f(*inputs)
    op = next(op for op in ops.ALL if op.name == out.op)
    first = op.local(out, *inputs)[k]  # a Value: a graph of the derivative
    assert isinstance(first, Value)
    first.backward()
    order = [0] * len(point)
    order[k] += 1
    order[j] += 1
    with mp.workdps(DIGITS):
        expected = mp.diff(exact, tuple(mpf(x) for x in point), tuple(order))
    assert math.isclose(inputs[j].grad, float(expected), rel_tol=1e-10, abs_tol=1e-14)


# ---------------------------------------------------------------- domain errors
def _live_values() -> int:
    # type(obj), not isinstance: isinstance may look up __class__ on any object in
    # the process, and some (torch's lazy modules) warn when touched.
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), Value))


# (error, the operation, operands, text the message must contain: op and operand)
DOMAIN_ERRORS = [
    (ValueError, lambda a: a.log(), (0.0,), ("log", "0.0")),
    (ValueError, lambda a: a.log(), (-1.0,), ("log", "-1.0")),
    (ValueError, lambda a: a.sqrt(), (-1.0,), ("sqrt", "-1.0")),
    (ValueError, lambda a: a ** (1 / 3), (-8.0,), ("**", "-8.0")),
    (ValueError, lambda a, b: a**b, (-8.0, 0.5), ("**", "-8.0")),
    (ZeroDivisionError, lambda a: a / 0, (1.0,), ("/", "0.0")),
    (ZeroDivisionError, lambda a, b: a / b, (1.0, -0.0), ("/", "0.0")),
    (ZeroDivisionError, lambda a: 3 / a, (0.0,), ("/", "0.0")),
    (ZeroDivisionError, lambda a: a**-1, (0.0,), ("**", "-1")),
    (ZeroDivisionError, lambda a: 0**a, (-1.0,), ("**", "-1")),
    (OverflowError, lambda a: a.exp(), (1000.0,), ("exp", "1000.0")),
    (OverflowError, lambda a: a * 1e200, (1e200,), ("*", "1e+200")),
    (OverflowError, lambda a, b: a + b, (1e308, 1e308), ("+", "1e+308")),
    (OverflowError, lambda a: a / 1e-310, (1.0,), ("/", "1e-310")),
    (OverflowError, lambda a: a**2, (1e200,), ("**", "1e+200")),
    (OverflowError, lambda a: 2**a, (1e4,), ("**", "10000.0")),
    # The value 1e200 is fine, its derivative -1e400 is not.
    (OverflowError, lambda a: a**-1, (1e-200,), ("**", "1e-200")),
    (OverflowError, lambda a: sum_of([a, a, 1.0]), (1e308,), ("sum", "1e+308")),
    (OverflowError, lambda a: dot([a], [a]), (1e200,), ("dot", "1e+200")),
]


@pytest.mark.parametrize(
    ("error", "f", "operands", "words"),
    [pytest.param(*row, id=f"{row[0].__name__}: {' '.join(row[3])}") for row in DOMAIN_ERRORS],
)
def test_domain_error_raises_at_once_naming_op_and_operand(error, f, operands, words):
    with pytest.raises(error) as caught:
        f(*(Value(x) for x in operands))
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.mark.parametrize(
    ("error", "f", "operands"),
    [pytest.param(*row[:3], id=" ".join(row[3])) for row in DOMAIN_ERRORS],
)
def test_failed_op_leaves_no_node_behind(error, f, operands):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(operands)]
    for v in inputs:
        v.grad = 0.25

    def attempt():
        try:
            f(*inputs)
        except error:
            return True
        return False

    # Count live Values around the failed op with the cyclic collector off, so that
    # it cannot free garbage left by earlier tests in between and skew the count.
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        assert attempt()
        after = _live_values()
    finally:
        gc.enable()
    assert after == before  # nothing built survives the error
    for v, x in zip(inputs, operands):
        assert (v.data, v.grad, v.op, v.inputs, v.local) == (x, 0.25, "", (), ())


# Every op through the public API, for the property below: (name in messages, f).
_ANY_OPERANDS = [
    ("+", lambda a, b: a + b),
    ("-", lambda a, b: a - b),
    ("*", lambda a, b: a * b),
    ("/", lambda a, b: a / b),
    ("/", lambda a, b: a.data / b),
    ("**", lambda a, b: a**b),
    ("**", lambda a, b: a**b.data),
    ("**", lambda a, b: a.data**b),
    ("neg", lambda a, b: -a),
    ("abs", lambda a, b: abs(a)),
    ("exp", lambda a, b: a.exp()),
    ("log", lambda a, b: a.log()),
    ("sqrt", lambda a, b: a.sqrt()),
    ("tanh", lambda a, b: a.tanh()),
    ("sigmoid", lambda a, b: a.sigmoid()),
    ("softplus", lambda a, b: a.softplus()),
    ("relu", lambda a, b: a.relu()),
    ("sin", lambda a, b: a.sin()),
    ("cos", lambda a, b: a.cos()),
    ("sum", lambda a, b: sum_of([a, b, a])),
    ("dot", lambda a, b: dot([a, b], [b, a], a)),
]


# Any finite float, with extra weight on numbers near the edges of some domain.
_EDGY = (0.0, -0.0, 1.0, -1.0, 0.5, -8.0, 2.0, 710.0, 1e-200, 1e-300, 5e-324, 1e200, 1e308, -1e-310)
_ANY_FINITE = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(_EDGY)


@settings(max_examples=300)
@given(
    st.lists(_ANY_FINITE, min_size=1, max_size=3),
    st.lists(
        st.tuples(st.integers(0, len(_ANY_OPERANDS) - 1), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=8,
    ),
)
def test_finite_operands_give_finite_values_or_a_named_error(leaves, steps):
    # Any finite numbers, any op, chained: either a finite result with finite or
    # infinite (never NaN) local derivatives, or a domain error naming op and operand.
    pool = [Value(x) for x in leaves]
    for k, i, j in steps:
        name, f = _ANY_OPERANDS[k]
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        try:
            out = f(a, b)
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            message = str(error)
            assert name in message, message
            assert repr(a.data) in message or repr(b.data) in message, message
            continue
        assert math.isfinite(out.data), (name, a.data, b.data, out.data)
        assert not any(map(math.isnan, out.local)), (name, a.data, b.data, out.local)
        pool.append(out)


@pytest.mark.parametrize("x", [1e4, -1e4, 1e308, -1e308])
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_tanh_and_sigmoid_are_finite_for_any_finite_input(name, x):
    a = Value(x)
    out = getattr(a, name)()
    out.backward()
    limit = {"tanh": math.copysign(1.0, x), "sigmoid": 1.0 if x > 0 else 0.0}[name]
    assert out.data == limit
    assert a.grad == 0.0


# ---------------------------------------------------------------- kink conventions
def _grads(f, *xs):
    inputs = [Value(x) for x in xs]
    f(*inputs).backward()
    return [v.grad for v in inputs]


def test_relu_slope_at_zero_is_zero():
    assert _grads(lambda a: a.relu(), 0.0) == [0.0]


def test_abs_slope_at_zero_is_zero():
    assert _grads(lambda a: abs(a), 0.0) == [0.0]
    assert _grads(lambda a: abs(a), -0.0) == [0.0]


def test_sqrt_slope_at_zero_is_infinite():
    assert _grads(lambda a: a.sqrt(), 0.0) == [math.inf]
    assert _grads(lambda a: a**0.5, 0.0) == [math.inf]


@pytest.mark.parametrize("y", [0.0, 0.5, 1.0, 2.0, 3.5])
def test_pow_slope_in_exponent_is_zero_at_base_zero(y):
    assert _grads(lambda a, b: a**b, 0.0, y)[1] == 0.0


@pytest.mark.parametrize("x", [0.0, -2.0, 3.0])
def test_pow_slope_in_base_is_zero_for_exponent_zero(x):
    assert _grads(lambda a: a**0, x) == [0.0]


def test_pow_slope_in_exponent_is_zero_for_a_negative_base():
    # (-2)**y is real only at integer y: no derivative in y; chainrule says 0, never NaN.
    dx, dy = _grads(lambda a, b: a**b, -2.0, 3.0)
    assert (dx, dy) == (12.0, 0.0)


def test_conventions_are_documented_in_ops():
    doc = ops.__doc__
    for convention in ("relu'(0) = 0", "abs'(0) = 0", "sqrt'(0) = +inf", "d(x**y)/dy = 0 at x = 0"):
        assert convention in doc
    assert "PyTorch" in doc


# ---------------------------------------------------------------- the rules as text
# Each op's forward and local rules are also written as Python text, from which the
# operators of Value and a Tape's code are compiled: the text must compute exactly
# what the function computes, bit for bit, and raise the same errors.
def _outcome(compute):
    """repr of the result (bit-exact for floats: -0.0, nan), or the error raised."""
    try:
        return ("value", repr(compute()))
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return ("error", type(error).__name__, str(error))


def _text_operands(op, data) -> list[float]:
    if op.arity is not None:
        return data.draw(st.lists(_ANY_FINITE, min_size=op.arity, max_size=op.arity))
    return data.draw(st.lists(_ANY_FINITE, min_size=1, max_size=7))


@pytest.mark.parametrize("op", ops.ALL, ids=lambda op: op.name)
@settings(max_examples=150)
@given(data=st.data())
def test_each_ops_texts_compute_exactly_what_its_functions_compute(op, data):
    operands = _text_operands(op, data)
    names = [f"v{i}" for i in range(len(operands))]
    scope = dict(zip(names, operands))

    def by_text(text):
        return eval(text, dict(ops.TEXT_GLOBALS), scope)  # noqa: S307 - our own texts

    forward = _outcome(lambda: op.forward(*operands))
    assert _outcome(lambda: by_text(op.forward_source(names))) == forward
    if forward[0] == "value":
        out = op.forward(*operands)
        scope["result"] = out
        local = _outcome(lambda: op.local(out, *operands))
        assert _outcome(lambda: by_text(op.local_source("result", names))) == local


def test_every_op_has_its_rules_as_text_that_compile():
    # (An op without texts would still work, through calls of its functions: slower.)
    for op in ops.ALL:
        assert op.forward_text and op.local_text, op.name
        names = [f"v{i}" for i in range(op.arity or 3)]
        for text in (op.forward_source(names), op.local_source("out", names)):
            compile(text, op.name, "eval")


def test_texts_are_renamed_operand_by_operand():
    assert ops.MUL.forward_source(["w", "x"]) == "w * x"
    assert ops.MUL.local_source("wx", ["w", "x"]) == "(x, w)"
    assert ops.TANH.local_source("t", ["n"]) == "(1.0 - t * t,)"
    assert ops.SUM.forward_source(["p", "q", "r"]) == "sum((p, q, r))"
    assert ops.SUM.local_source("s", ["p", "q"]) == "(1.0, 1.0)"
    assert ops.DOT.forward_source(["w", "v", "x", "y", "b"]) == "sum((w * x, v * y)) + b"
    assert ops.DOT.local_source("d", ["w", "v", "x", "y"]) == "(x, y, w, v)"
    with pytest.raises(ValueError, match="2 operands"):
        ops.MUL.forward_source(["w"])


_COMPILED_OPERATORS = [
    ("__add__", ops.ADD, False),
    ("__radd__", ops.ADD, True),
    ("__sub__", ops.SUB, False),
    ("__rsub__", ops.SUB, True),
    ("__mul__", ops.MUL, False),
    ("__rmul__", ops.MUL, True),
    ("__truediv__", ops.DIV, False),
    ("__rtruediv__", ops.DIV, True),
    ("__pow__", ops.POW, False),
    ("__rpow__", ops.POW, True),
    ("__neg__", ops.NEG, None),
    ("__abs__", ops.ABS, None),
    *((name, ops.BY_NAME[name], None) for name in ("exp", "log", "sqrt", "tanh")),
    *((name, ops.BY_NAME[name], None) for name in ("sigmoid", "softplus", "relu", "sin", "cos")),
]


def _node_outcome(make):
    try:
        v = make()
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return ("error", type(error).__name__, str(error))
    return ("node", repr(v.data), v.op, v.inputs, repr(v.local))


@pytest.mark.parametrize(
    ("method", "op", "reflected"), _COMPILED_OPERATORS, ids=[m for m, *_ in _COMPILED_OPERATORS]
)
@settings(max_examples=100)
@given(x=_ANY_FINITE, y=_ANY_FINITE)
def test_compiled_operators_make_the_node_that_apply_makes(method, op, reflected, x, y):
    # Value's operators are compiled from the texts; value.apply is the general way
    # to make a node from an op's functions. Both must give the same node.
    from autograd.value import apply

    a, b = Value(x), Value(y)
    if reflected is None:
        compiled = _node_outcome(lambda: getattr(a, method)())
        general = _node_outcome(lambda: apply(op, (a,)))
    else:
        first, second = (b, a) if reflected else (a, b)
        compiled = _node_outcome(lambda: getattr(a, method)(b))
        general = _node_outcome(lambda: apply(op, (first, second)))
    assert compiled == general


def test_every_operator_of_value_is_compiled_from_its_op():
    def compiled_from_an_op(name):
        code = getattr(getattr(Value, name), "__code__", None)
        return code is not None and "compiled from ops" in code.co_filename

    assert {m for m in dir(Value) if compiled_from_an_op(m)} == {m for m, *_ in _COMPILED_OPERATORS}
