"""Derivatives of derivatives and forward mode (autograd.calculus): ``grad`` with and
without ``create_graph``, ``jacobian``, ``hessian``, ``jvp``, ``tangents``,
``jacobian_cost`` and ``gradgradcheck``.

The oracles: closed forms (written in mpmath, evaluated at 30 digits), mpmath's own
numerical differentiation (``mp.diff``, which shares no rule with chainrule), central
differences, and PyTorch's ``create_graph=True`` on random expression graphs.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from examples import groups, messy_graph, parse_svg, texts, value_boxes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf
from strategies import CHAINRULE, MpmathBackend, TorchBackend, programs

import autograd.calculus
import autograd.graph
from autograd import (
    GradcheckError,
    Value,
    backprop_steps,
    dot,
    draw,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    jacobian,
    jvp,
    no_grad,
    ops,
    sum_of,
    topological_order,
)
from autograd.calculus import JacobianCost, jacobian_cost, nudges, tangents
from autograd.gradcheck import numerical_jacobian
from autograd.graph import chain_rule
from autograd.steps import replay
from autograd.value import is_constant

DIGITS = 30
ROOT = Path(__file__).resolve().parents[1]


def _snapshot(root: Value) -> list[tuple]:
    return [(n.data, repr(n.grad)) for n in topological_order(root)]


# ------------------------------------------------------------------ grad, first order
def test_grad_gives_the_gradients_backward_gives():
    leaves, root = messy_graph()
    ours = grad(root, leaves)
    root.backward()
    assert [g.data for g in ours] == [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_changes_no_grad_anywhere(create_graph):
    leaves, root = messy_graph()
    for i, node in enumerate(topological_order(root)):
        node.grad = 0.125 * i  # what earlier passes left, leaves and the rest alike
    before = _snapshot(root)
    grad(root, leaves, create_graph=create_graph)
    assert _snapshot(root) == before


def test_grad_without_create_graph_returns_new_leaves():
    x = Value(3.0)
    y = x * x
    (g,) = grad(y, [x])
    assert (g.data, g.op, g.inputs) == (6.0, "", ())
    assert g is not x and g is not y


def test_an_input_the_output_does_not_depend_on_gets_zero():
    x, unused = Value(2.0), Value(5.0)
    unused.grad = 7.0  # its own grad is not the answer
    for create_graph in (False, True):
        g = grad(x * x, [unused, x], create_graph=create_graph)
        assert [v.data for v in g] == [0.0, 4.0]
        assert isinstance(g[0], Value) and unused.grad == 7.0


def test_duplicate_inputs_get_the_same_gradient_twice():
    x, y = Value(2.0), Value(-1.0)
    g = grad(x * y, [x, y, x])
    assert [v.data for v in g] == [-1.0, 2.0, -1.0]


def test_gradient_of_an_intermediate_node():
    x = Value(0.5)
    h = x * 3.0
    y = h.tanh()
    (g,) = grad(y, [h])
    assert math.isclose(g.data, 1 - math.tanh(1.5) ** 2, rel_tol=1e-15)


def test_gradient_of_the_output_with_respect_to_itself_is_one():
    x = Value(2.0)
    y = x.exp()
    assert [g.data for g in grad(y, [y, x])] == [1.0, math.exp(2.0)]
    assert grad(x, [x], create_graph=True)[0].data == 1.0


def test_grad_of_no_inputs_is_an_empty_list():
    assert grad(Value(1.0) * 2, []) == []


@pytest.mark.parametrize(
    ("output", "inputs", "words"),
    [
        (1.5, [], ("output", "float")),
        ("x", [], ("output", "str")),
        (Value(1.0), Value(1.0), ("[x]",)),
        (Value(1.0), 3, ("inputs", "int")),
        (Value(1.0), [Value(1.0), 2.0], ("inputs[1]", "float")),
    ],
)
def test_bad_arguments_raise_type_error_saying_what_is_wrong(output, inputs, words):
    with pytest.raises(TypeError) as caught:
        grad(output, inputs)
    for word in words:
        assert word in str(caught.value)


def test_create_graph_is_keyword_only():
    x = Value(1.0)
    with pytest.raises(TypeError):
        grad(x * x, [x], True)


# ------------------------------------------------------------------ grad, create_graph
def test_create_graph_gives_the_first_order_numbers():
    leaves, root = messy_graph()
    plain = [g.data for g in grad(root, leaves)]
    built = grad(root, leaves, create_graph=True)
    for p, b in zip(plain, built):
        assert math.isclose(b.data, p, rel_tol=1e-14)


def test_the_derivative_is_a_graph_connected_to_the_inputs():
    x = Value(1.0, label="x")
    y = x * x.sin()
    (dy,) = grad(y, [x], create_graph=True)
    assert dy.op != ""  # sin(x) + x cos(x), a graph, not a number
    assert x in topological_order(dy)
    assert math.isclose(dy.data, math.sin(1.0) + math.cos(1.0), rel_tol=1e-15)


def test_second_derivative_by_differentiating_the_derivative():
    x = Value(2.0)
    y = x**3
    (dy,) = grad(y, [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    assert (dy.data, d2y.data) == (12.0, 12.0)  # 3x², 6x


def test_backward_of_a_derivative_puts_the_second_derivative_in_the_leaf():
    x = Value(0.3)
    y = x.exp() * x.sin()
    (dy,) = grad(y, [x], create_graph=True)
    assert x.grad == 0.0
    dy.backward()  # what x.grad.backward() cannot do: grad is a float
    assert math.isclose(x.grad, 2 * math.exp(0.3) * math.cos(0.3), rel_tol=1e-14)


def test_a_derivative_can_be_an_existing_node():
    # ∂(x*y)/∂x is y itself: no new node is needed, and none is made.
    x, y = Value(2.0), Value(3.0)
    assert grad(x * y, [x], create_graph=True)[0] is y


def test_a_constant_derivative_is_a_leaf_and_its_derivative_is_zero():
    x, y = Value(2.0), Value(3.0)
    (d,) = grad(x + y, [x], create_graph=True)
    assert (d.data, d.inputs) == (1.0, ())
    assert grad(d, [x])[0].data == 0.0


def test_kinks_keep_first_order_conventions_and_have_zero_second_derivative():
    for x0 in (0.0, -1.5, 2.0):
        for f in (lambda v: v.relu(), lambda v: abs(v)):
            x = Value(x0)
            y = f(x)
            (d,) = grad(y, [x], create_graph=True)
            y.backward()
            assert d.data == x.grad  # relu'(0) = abs'(0) = 0, as in backward
            assert grad(d, [x])[0].data == 0.0


def test_zero_wins_over_an_infinite_slope_in_the_derivative_graph_too():
    # sqrt(x*x) at 0: sqrt'(0) = inf meets x = 0. backward says 0; so must create_graph.
    x = Value(0.0)
    y = (x * x).sqrt()
    y.backward()
    (d,) = grad(y, [x], create_graph=True)
    assert x.grad == 0.0 and d.data == 0.0
    assert not any(math.isnan(n.data) for n in topological_order(d))


def test_chain_rules_own_zero_times_infinity_rule_covers_value_products():
    x = Value(0.0)
    order = topological_order((x * x).sqrt())
    with autograd.graph.kept_grads(order):
        chain_rule(
            order,
            leaves_from_zero=True,
            local_of=lambda n: ops.BY_NAME[n.op].local(n, *n.inputs) if n.inputs else (),
        )
        assert float(x.grad) == 0.0  # sqrt(x*x) at 0: 0, as in first order, not NaN


def test_under_no_grad_the_results_are_leaves():
    x = Value(2.0)
    y = x * x * x
    with no_grad():
        (d,) = grad(y, [x], create_graph=True)
    assert (d.data, d.inputs) == (12.0, ())


# ------------------------------------------------------------------ every op, second order
# name, f on Values, f on mpmath numbers, its Hessian in closed form (mpmath), points.
# Points include the edges of the domains: near 0 for log, sqrt, / and **, far tails
# for exp, tanh, sigmoid and softplus.
def _sig(x):
    return 1 / (1 + mp.exp(-x))


# fmt: off
SECOND_ORDER = [
    ("a + b, squared", lambda a, b: (a + b) * (a + b), lambda a, b: (a + b) ** 2,
     lambda a, b: [[2, 2], [2, 2]], [(1.5, -0.5)]),
    ("a - b, times a", lambda a, b: (a - b) * a, lambda a, b: (a - b) * a,
     lambda a, b: [[2, -1], [-1, 0]], [(1.5, -0.5)]),
    ("a * b", lambda a, b: a * b, lambda a, b: a * b,
     lambda a, b: [[0, 1], [1, 0]], [(1.5, -0.5), (0.0, 0.0)]),
    ("a * a * b", lambda a, b: a * a * b, lambda a, b: a * a * b,
     lambda a, b: [[2 * b, 2 * a], [2 * a, 0]], [(1.5, -0.5), (-3.0, 2.0)]),
    ("a / b", lambda a, b: a / b, lambda a, b: a / b,
     lambda a, b: [[0, -1 / b**2], [-1 / b**2, 2 * a / b**3]],
     [(1.0, 3.0), (-2.0, 1e-3), (5.0, -250.0)]),
    ("number / a", lambda a: 4.0 / a, lambda a: 4 / a,
     lambda a: [[8 / a**3]], [(0.5,), (-1e-3,)]),
    ("a ** 3", lambda a: a**3, lambda a: a**3, lambda a: [[6 * a]], [(-1.7,), (1e-3,)]),
    ("a ** -2", lambda a: a**-2, lambda a: a**-2,
     lambda a: [[6 * a**-4]], [(-0.5,), (3.0,), (1e-2,)]),
    ("a ** 0.5", lambda a: a**0.5, lambda a: a ** mpf(0.5),
     lambda a: [[-a ** mpf(-1.5) / 4]], [(1e-6,), (2.0,), (1e6,)]),
    ("a ** b", lambda a, b: a**b, lambda a, b: a**b,
     lambda a, b: [
         [b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * mp.log(a))],
         [a ** (b - 1) * (1 + b * mp.log(a)), a**b * mp.log(a) ** 2],
     ],
     [(2.0, 3.0), (0.5, -1.5), (1e-3, 0.5), (7.0, 1e-9)]),
    ("number ** b", lambda b: 2.0**b, lambda b: mpf(2) ** b,
     lambda b: [[mp.log(2) ** 2 * 2**b]], [(0.0,), (-3.5,), (10.0,)]),
    ("-(a * a)", lambda a: -(a * a), lambda a: -(a * a), lambda a: [[-2]], [(1.5,)]),
    ("sum_of", lambda a, b: sum_of([a * a, a * b, b, 2.0]), lambda a, b: a * a + a * b + b + 2,
     lambda a, b: [[2, 1], [1, 0]], [(1.0, -2.0)]),
    ("dot", lambda a, b: dot([a, b], [b, a]), lambda a, b: 2 * a * b,
     lambda a, b: [[0, 2], [2, 0]], [(1.0, -2.0)]),
    ("dot with a bias", lambda a, b: dot([a, b], [a, 3.0], b * b),
     lambda a, b: a * a + 3 * b + b * b, lambda a, b: [[2, 0], [0, 2]], [(1.0, -2.0)]),
    ("exp", lambda a: a.exp(), mp.exp, lambda a: [[mp.exp(a)]], [(-700.0,), (0.0,), (2.0,)]),
    ("log", lambda a: a.log(), mp.log, lambda a: [[-1 / a**2]], [(1e-8,), (0.5,), (1e300,)]),
    ("sqrt", lambda a: a.sqrt(), mp.sqrt,
     lambda a: [[-a ** mpf(-1.5) / 4]], [(1e-12,), (2.0,), (1e10,)]),
    ("tanh", lambda a: a.tanh(), mp.tanh,
     lambda a: [[-2 * mp.tanh(a) * (1 - mp.tanh(a) ** 2)]], [(-3.0,), (0.0,), (0.7,), (5.0,)]),
    ("sigmoid", lambda a: a.sigmoid(), _sig,
     lambda a: [[_sig(a) * (1 - _sig(a)) * (1 - 2 * _sig(a))]], [(-30.0,), (0.5,), (10.0,)]),
    ("softplus", lambda a: a.softplus(), lambda a: mp.log(1 + mp.exp(a)),
     lambda a: [[_sig(a) * (1 - _sig(a))]], [(-30.0,), (0.4,), (30.0,)]),
    ("relu", lambda a: a.relu() * a, lambda a: (a if a > 0 else 0) * a,
     lambda a: [[2 if a > 0 else 0]], [(-1.0,), (1e-9,), (2.5,)]),
    ("abs", lambda a: abs(a) * a, lambda a: abs(a) * a,
     lambda a: [[2 * mp.sign(a)]], [(-2.0,), (1e-9,), (3.0,)]),
    ("sin", lambda a: a.sin(), mp.sin, lambda a: [[-mp.sin(a)]], [(0.0,), (1.0,), (100.0,)]),
    ("cos", lambda a: a.cos(), mp.cos, lambda a: [[-mp.cos(a)]], [(0.0,), (1.0,), (100.0,)]),
]
# fmt: on

SECOND_ORDER_POINTS = [
    pytest.param(f, exact, closed, point, id=f"{name} at {point}")
    for name, f, exact, closed, points in SECOND_ORDER
    for point in points
]


def test_the_second_order_table_covers_every_op():
    used = set()
    for _, f, _, _, points in SECOND_ORDER:
        used |= {n.op for n in topological_order(f(*(Value(x) for x in points[0])))}
    assert {op.name for op in ops.ALL} <= used


def _mp_partial2(exact, point, i, j):
    args = [mpf(x) for x in point]
    orders = [0] * len(point)
    orders[i] += 1
    orders[j] += 1
    # Steps relative to each coordinate keep them inside the domain near 0 and
    # meaningful at 1e300 (mp.diff's default step is absolute).
    h = min(abs(x) if x else mpf(1) for x in args) * mpf(10) ** -12
    return mp.diff(exact, tuple(args), tuple(orders), h=h)


@pytest.mark.parametrize(("f", "exact", "closed", "point"), SECOND_ORDER_POINTS)
def test_second_derivatives_match_the_closed_form(f, exact, closed, point):
    ours = hessian(f, point)
    with mp.workdps(DIGITS):
        expected = closed(*(mpf(x) for x in point))
        for i, row in enumerate(expected):
            for j, e in enumerate(row):
                # abs 1e-15: rules that subtract nearly equal numbers (1 - s for
                # sigmoid near 1) lose the digits of results that small, in first
                # order as in second (sigmoid''(30) is 9.4e-14).
                assert math.isclose(ours[i][j], float(e), rel_tol=1e-10, abs_tol=1e-15), (i, j)


@pytest.mark.parametrize(("f", "exact", "closed", "point"), SECOND_ORDER_POINTS)
def test_second_derivatives_match_mpmath_differentiation(f, exact, closed, point):
    ours = hessian(f, point)
    with mp.workdps(60):  # mp.diff differences at 60 digits: ample for 1e-8 below
        for i in range(len(point)):
            for j in range(len(point)):
                expected = float(_mp_partial2(exact, point, i, j))
                scale = max(1.0, abs(expected))
                assert math.isclose(ours[i][j], expected, rel_tol=1e-8, abs_tol=1e-12 * scale), (
                    i,
                    j,
                    ours[i][j],
                    expected,
                )


def test_third_derivative_of_a_small_expression():
    # d³/dx³ (e^x sin x) = 2 e^x (cos x - sin x)
    for x0 in (-1.0, 0.3, 2.5):
        x = Value(x0)
        y = x.exp() * x.sin()
        (d1,) = grad(y, [x], create_graph=True)
        (d2,) = grad(d1, [x], create_graph=True)
        (d3,) = grad(d2, [x])
        closed = 2 * math.exp(x0) * (math.cos(x0) - math.sin(x0))
        with mp.workdps(DIGITS):
            numeric = float(mp.diff(lambda t: mp.exp(t) * mp.sin(t), mpf(x0), 3))
        assert math.isclose(d3.data, closed, rel_tol=1e-13)
        assert math.isclose(d3.data, numeric, rel_tol=1e-12)


def test_mixed_partials_are_symmetric():
    def f(a, b, c):
        return (a * b.sin() + c).tanh() * (a / (b * b + 1)).exp() + dot([a, b], [c, a]) ** 2

    h = hessian(f, [0.4, -1.1, 0.8])
    for i in range(3):
        for j in range(i):
            assert math.isclose(h[i][j], h[j][i], rel_tol=1e-12), (i, j)
            assert h[i][j] != 0.0


@settings(max_examples=60)
@given(programs(max_leaves=3, max_instructions=8))
def test_mixed_partials_of_random_graphs_are_symmetric(program):
    h = hessian(lambda *xs: program.run(CHAINRULE, xs), program.leaves)
    scale = max(1.0, *(abs(x) for row in h for x in row))
    for i, row in enumerate(h):
        for j in range(i):
            assert math.isclose(row[j], h[j][i], rel_tol=1e-9, abs_tol=1e-11 * scale)


@settings(max_examples=60)
@given(programs(max_leaves=3, max_instructions=8))
def test_second_derivatives_of_random_graphs_match_mpmath_differentiation(program):
    # mpmath runs the same program at 50 digits and differentiates it numerically
    # (mp.diff): no rule of chainrule's is involved. Kinks of abs and relu must be
    # further from the point than mp.diff's steps.
    assume(program.kink_clearance() > 1e-6)
    ours = hessian(lambda *xs: program.run(CHAINRULE, xs), program.leaves)
    backend = MpmathBackend(mp)
    n = len(program.leaves)
    with mp.workdps(50):
        point = tuple(mpf(x) for x in program.leaves)
        exact = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                orders = [0] * n
                orders[i] += 1
                orders[j] += 1
                d2 = mp.diff(lambda *xs: program.run(backend, list(xs)), point, tuple(orders))
                exact[i][j] = exact[j][i] = float(d2)
    scale = max(1.0, *(abs(x) for row in exact for x in row))
    for i in range(n):
        for j in range(n):
            assert math.isclose(ours[i][j], exact[i][j], rel_tol=1e-8, abs_tol=1e-10 * scale), (
                i,
                j,
                ours[i][j],
                exact[i][j],
            )


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


@pytest.mark.parametrize("point", [(1.0, 1.0), (-1.2, 1.0), (0.5, -0.3)])
def test_hessian_of_rosenbrocks_function(point):
    x, y = point
    expected = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]]
    ours = hessian(_rosenbrock, point)
    for row, e_row in zip(ours, expected):
        for got, want in zip(row, e_row):
            assert math.isclose(got, want, rel_tol=1e-13)
    if point == (1.0, 1.0):  # the minimum: everything there is exact in floats
        assert ours == [[802.0, -400.0], [-400.0, 200.0]]


def test_hessian_of_a_constant_function_is_zero():
    assert hessian(lambda a, b: a * 0 + 3, [1.0, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]
    assert hessian(lambda a: 3.0, [1.0]) == [[0.0]]


def test_hessian_needs_one_value():
    with pytest.raises(TypeError, match="one Value"):
        hessian(lambda a: [a, a], [1.0])


# ------------------------------------------------------------------ jacobian
def _polar(r, t, z):
    return [r * t.cos(), r * t.sin(), z * r, (r * r + z).log()]


def test_jacobian_matches_central_differences():
    point = [1.3, 0.4, -0.2]
    ours = jacobian(_polar, point)

    def floats(p):
        return [v.data for v in _polar(*(Value(x) for x in p))]

    numeric = numerical_jacobian(floats, point)
    assert len(ours) == 4 and all(len(row) == 3 for row in ours)
    for row, n_row in zip(ours, numeric):
        for got, want in zip(row, n_row):
            assert math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9)


@settings(max_examples=100)
@given(programs(max_leaves=3, max_instructions=8))
def test_jacobian_of_every_result_of_a_random_graph_matches_central_differences(program):
    assume(program.kink_clearance() > 1e-4)

    def every_result(*xs):
        results = []
        program.run(CHAINRULE, xs, results=results)
        return results

    ours = jacobian(every_result, program.leaves)
    numeric = numerical_jacobian(
        lambda p: [v.data for v in every_result(*(Value(x) for x in p))], program.leaves
    )
    for row, n_row in zip(ours, numeric):
        for got, want in zip(row, n_row):
            assert math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-5)


@settings(max_examples=100)
@given(programs(max_leaves=4, max_instructions=10))
def test_forward_and_reverse_mode_give_the_same_jacobian(program):
    def two_outputs(*xs):
        results = []
        root = program.run(CHAINRULE, xs, results=results)
        return [root, results[len(results) // 2]]

    reverse = jacobian(two_outputs, program.leaves)
    forward = jacobian(two_outputs, program.leaves, mode="forward")
    scale = max(1.0, *(abs(x) for row in reverse for x in row))
    for row, f_row in zip(reverse, forward):
        for r, f in zip(row, f_row):
            assert math.isclose(r, f, rel_tol=1e-12, abs_tol=1e-13 * scale)


def test_jacobian_rows_for_constant_outputs_and_columns_for_unused_inputs_are_zero():
    for mode in ("reverse", "forward"):
        assert jacobian(lambda a, b: [a * 2.0, 5.0, Value(1.0)], [1.0, 2.0], mode=mode) == [
            [2.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
        ]


@pytest.mark.parametrize(
    ("f", "point", "error", "words"),
    [
        (lambda a: a * a, [1.0], TypeError, ("list of Values", "[y]")),
        (lambda a: ["x"], [1.0], TypeError, ("output 0", "str")),
        (lambda a: [a], 1.0, TypeError, ("point", "[x]")),
        (lambda a: [a], ["1"], TypeError, ("point[0]", "str")),
        (lambda a: [a], [math.nan], ValueError, ("point[0]", "finite")),
    ],
)
def test_jacobian_bad_arguments_say_what_is_wrong(f, point, error, words):
    with pytest.raises(error) as caught:
        jacobian(f, point)
    for word in words:
        assert word in str(caught.value)


def test_jacobian_mode_must_be_forward_or_reverse():
    with pytest.raises(ValueError, match="mode"):
        jacobian(lambda a: [a], [1.0], mode="sideways")


def test_jacobian_reads_values_given_as_the_point_and_changes_nothing():
    x = Value(2.0, label="x")
    x.grad = 0.5
    assert jacobian(lambda a: [a * a], [x]) == [[4.0]]
    assert (x.data, x.grad) == (2.0, 0.5)


# ------------------------------------------------------------------ forward mode
_TANGENT = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=4, max_size=4)


@settings(max_examples=150)
@given(programs(max_leaves=4, max_instructions=12), _TANGENT)
def test_jvp_is_the_gradient_dotted_with_the_tangent(program, direction):
    direction = direction[: len(program.leaves)]
    value, derivative = jvp(lambda *xs: program.run(CHAINRULE, xs), program.leaves, direction)
    leaves, root = program.build()
    root.backward()
    assert value == root.data
    terms = [leaf.grad * t for leaf, t in zip(leaves, direction)]
    scale = max(1.0, *(abs(t) for t in terms))
    assert math.isclose(derivative, sum(terms), rel_tol=1e-12, abs_tol=1e-12 * scale)


def test_jvp_changes_no_grad():
    w = Value(-0.7, label="w")  # a parameter f closes over
    leaves, shared = messy_graph()
    for i, node in enumerate(topological_order(shared)):
        node.grad = 0.5 + i
    w.grad = 3.0
    before = _snapshot(shared)
    value, derivative = jvp(lambda a, b: (a * w + shared * b).tanh(), [0.2, 1.4], [1.0, -2.0])
    assert _snapshot(shared) == before and w.grad == 3.0
    assert math.isfinite(value) and derivative != 0.0


def test_jvp_never_runs_a_backward_pass(monkeypatch):
    def no_backward(*args, **kwargs):
        raise AssertionError("forward mode ran the chain-rule loop of reverse mode")

    monkeypatch.setattr(autograd.graph, "chain_rule", no_backward)
    monkeypatch.setattr(autograd.calculus, "chain_rule", no_backward)
    value, derivative = jvp(lambda x, y: x * y.sin(), [2.0, 0.5], [1.0, 0.0])
    assert (value, derivative) == (2.0 * math.sin(0.5), math.sin(0.5))
    with pytest.raises(AssertionError, match="reverse mode"):
        grad(Value(1.0) * 2, [])  # the guard works: reverse mode does run it


def test_jvp_of_a_function_that_ignores_an_input_or_returns_a_number():
    assert jvp(lambda x, y: x * x, [3.0, 1.0], [1.0, 5.0]) == (9.0, 6.0)
    assert jvp(lambda x: 4.0, [3.0], [1.0]) == (4.0, 0.0)
    assert jvp(lambda x: x, [3.0], [2.0]) == (3.0, 2.0)


@pytest.mark.parametrize(
    ("point", "tangent", "error", "words"),
    [
        ([1.0, 2.0], [1.0], ValueError, ("2 coordinates", "tangent 1")),
        ([1.0], ["a"], TypeError, ("tangent[0]", "str")),
        ([1.0], [math.inf], ValueError, ("tangent[0]", "finite")),
        (1.0, [1.0], TypeError, ("point", "[x]")),
    ],
)
def test_jvp_bad_arguments_say_what_is_wrong(point, tangent, error, words):
    with pytest.raises(error) as caught:
        jvp(lambda *xs: xs[0] * 2, point, tangent)
    for word in words:
        assert word in str(caught.value)


def test_tangents_follow_the_rule_node_by_node():
    x, w = Value(2.0), Value(-3.0)
    n = x * w
    y = n.tanh()
    order = topological_order(y)
    assert order == [x, w, n, y]
    t = tangents(order, {x: 1.0, w: 0.5})
    assert t[:3] == [1.0, 0.5, -3.0 * 1.0 + 2.0 * 0.5]
    assert t[3] == y.local[0] * t[2]


def test_a_node_used_twice_gets_both_tangent_terms():
    a = Value(3.0)
    assert tangents(topological_order(a * a), {a: 1.0})[-1] == 6.0


def test_tangents_zero_wins_over_an_infinite_slope():
    x = Value(0.0)
    order = topological_order((x * x).sqrt())
    assert tangents(order, {x: 1.0}) == [1.0, 0.0, 0.0]


def test_only_leaves_can_be_seeded():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(ValueError, match="only leaves"):
        tangents(topological_order(y), {y: 1.0})
    with pytest.raises(ValueError, match="finite"):
        tangents(topological_order(y), {x: math.nan})


def test_a_seed_outside_the_graph_has_no_effect():
    x, other = Value(1.0), Value(5.0)
    assert tangents(topological_order(x * 2), {other: 1.0})[-1] == 0.0


# ------------------------------------------------------------------ costs
def test_many_inputs_one_output_costs_n_forward_passes_or_one_backward_pass():
    def f(*xs):
        return sum_of([x * x.sin() for x in xs])

    cost = jacobian_cost(f, [0.1 * i for i in range(10)])
    leaves = [Value(0.1 * i) for i in range(10)]
    steps = len(replay(f(*leaves)))  # the step table of one backward pass
    assert cost == JacobianCost(10, 1, 10, 10 * steps, 1, steps)


def test_one_input_many_outputs_costs_one_forward_pass_or_m_backward_passes():
    def f(x):
        h = (x * 0.5).tanh()
        return [h * k for k in range(1, 9)]

    cost = jacobian_cost(f, [0.3])
    x = Value(0.3)
    outputs = f(x)
    per_output = [len(replay(y)) for y in outputs]
    every_node = {n for y in outputs for n in topological_order(y)}  # shared ones once
    one_forward_pass = sum(len(n.inputs) for n in every_node)
    assert (cost.inputs, cost.outputs, cost.forward_passes, cost.reverse_passes) == (1, 8, 1, 8)
    assert cost.reverse_steps == sum(per_output) == 8 * 5  # x * 0.5, tanh, h * k: 5 edges
    assert cost.forward_steps == one_forward_pass == 3 + 8 * 2  # the shared 3 edges once
    assert cost.forward_steps < cost.reverse_steps


# ------------------------------------------------------------------ gradgradcheck
CORRECT = [
    ("polynomial", lambda x, y: x * x * y - 3 * y * y * y + 2, (1.5, -0.5)),
    ("neuron", lambda x, w, b: (x * w + b).tanh(), (2.0, -3.0, 0.88)),
    (
        "every unary op",
        lambda x: (x.exp() + x.sin() * x.cos()).log() + x.sqrt().sigmoid() + x.softplus() * abs(-x),
        (0.7,),
    ),
    ("quotient and powers", lambda x, y: x / y + x**y + 2**x - x**-1.5, (1.3, 0.4)),
    (
        "sum_of and dot",
        lambda a, b, c: sum_of([a, b * c, 1.0]) * dot([a, b], [c, a], b),
        (0.3, -1.2, 2.0),
    ),
]


@pytest.mark.parametrize(("f", "inputs"), [pytest.param(*row[1:], id=row[0]) for row in CORRECT])
def test_correct_second_derivatives_pass_gradgradcheck(f, inputs):
    assert gradgradcheck(f, inputs) is True


def _tanh_rule_that_forgets_its_graph(monkeypatch):
    # A rule right on floats and wrong on Values: it reads .data, so the derivative
    # it builds is a constant and tanh'' comes out 0. The first-order pass uses the
    # rule recorded in each node (right); create_graph reads ops.BY_NAME (wrong).
    broken = ops.TANH._replace(local=lambda out, x: (1.0 - float(out) * float(out),))
    monkeypatch.setitem(ops.BY_NAME, "tanh", broken)


def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch):
    _tanh_rule_that_forgets_its_graph(monkeypatch)

    def f(a, b):
        return (a * b).tanh()

    assert gradcheck(f, [0.6, -0.9]) is True  # first order cannot see it
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, [Value(0.6, label="a"), -0.9])
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("gradgradcheck failed")
    assert len(lines) == 1 + 4  # one line per pair (i, j)
    assert "a, a" in lines[1] and "input 1, input 1" in lines[4]
    assert all("MISMATCH" in line for line in lines[1:])
    rows = caught.value.rows
    assert [r[0] for r in rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    t = math.tanh(0.6 * -0.9)
    # ∂²/∂a² of tanh(ab) is -2 t (1 - t²) b²: the numeric side finds it.
    assert math.isclose(rows[0][3], -2 * t * (1 - t * t) * 0.81, rel_tol=1e-6)


def test_gradgradcheck_passes_once_the_rule_is_right(monkeypatch):
    f = lambda a, b: (a * b).tanh()  # noqa: E731
    assert gradgradcheck(f, [0.6, -0.9]) is True
    _tanh_rule_that_forgets_its_graph(monkeypatch)
    with pytest.raises(GradcheckError):
        gradgradcheck(f, [0.6, -0.9])


def test_gradgradcheck_tolerances_are_honoured():
    quartic = lambda x: x**4  # noqa: E731
    # The central difference of (x**4)' = 4x³ at 1 is 12 + 4 eps²: with eps = 0.1, 12.04.
    assert gradgradcheck(quartic, [1.0]) is True
    with pytest.raises(GradcheckError):
        gradgradcheck(quartic, [1.0], eps=0.1)
    assert gradgradcheck(quartic, [1.0], eps=0.1, atol=0.05, rtol=0.0) is True


def test_gradgradcheck_leaves_its_inputs_alone():
    a = Value(1.5, label="a")
    a.grad = 0.25
    gradgradcheck(lambda x: x * x * x, [a])
    assert (a.data, a.grad, a.op) == (1.5, 0.25, "")


def test_gradgradcheck_needs_f_to_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradgradcheck(lambda x: [x], [1.0])


# ------------------------------------------------------------------ PyTorch
@pytest.mark.torch
@settings(max_examples=150)
@given(programs(max_leaves=3, max_instructions=10))
def test_second_derivatives_of_random_graphs_match_torch(torch, program):
    leaves = [Value(x) for x in program.leaves]
    root = program.run(CHAINRULE, leaves)
    # PyTorch's double backward of x ** y drops the mixed term where y is exactly 0
    # (it masks y * x**(y-1) to a constant 0 there); chainrule keeps it, as mpmath
    # does (the test above and the zero-exponent test): leave those points to them.
    assume(not any(n.op == "**" and n.inputs[1].data == 0.0 for n in topological_order(root)))
    ours = hessian(lambda *xs: program.run(CHAINRULE, xs), program.leaves)
    ours_first = grad(root, leaves, create_graph=True)

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in program.leaves]
    root = program.run(TorchBackend(torch), tensors)
    first = torch.autograd.grad(root, tensors, create_graph=True, allow_unused=True)
    theirs = []
    for g in first:
        if g is None or not g.requires_grad:  # a constant first derivative
            theirs.append([0.0] * len(tensors))
            continue
        row = torch.autograd.grad(g, tensors, retain_graph=True, allow_unused=True)
        theirs.append([0.0 if r is None else r.item() for r in row])

    first_scale = max(1.0, *(abs(g.data) for g in ours_first))
    for ours_g, g in zip(ours_first, first):
        expected = 0.0 if g is None else g.item()
        assert math.isclose(ours_g.data, expected, rel_tol=1e-12, abs_tol=1e-12 * first_scale)
    scale = max(1.0, *(abs(x) for row in theirs for x in row))
    for i, (row, t_row) in enumerate(zip(ours, theirs)):
        for j, (o, t) in enumerate(zip(row, t_row)):
            assert math.isclose(o, t, rel_tol=1e-10, abs_tol=1e-11 * scale), (i, j, o, t)


@pytest.mark.torch
def test_third_derivative_matches_torch(torch):
    x = Value(0.4)
    y = (x * x.tanh()).sin() / (x.exp() + 1)
    d = y
    for _ in range(3):
        (d,) = grad(d, [x], create_graph=True)
    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    dt = (t * t.tanh()).sin() / (t.exp() + 1)
    for _ in range(3):
        (dt,) = torch.autograd.grad(dt, [t], create_graph=True)
    assert math.isclose(d.data, dt.item(), rel_tol=1e-12)


# ------------------------------------------------------------------ the derivative graph
def _neuron_derivative():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    (dy_dx,) = grad(y, [x], create_graph=True)
    dy_dx.label = "dy/dx"
    return x, w, b, dy_dx


def test_a_derivative_can_be_stepped_through_like_any_graph():
    x, w, b, dy_dx = _neuron_derivative()
    steps = backprop_steps(dy_dx)
    assert len(steps) == sum(len(n.inputs) for n in topological_order(dy_dx))
    h = hessian(lambda x, w, b: (x * w + b).tanh(), [2.0, -3.0, 6.5])
    for leaf, expected in zip((x, w, b), h[0]):
        assert math.isclose(leaf.grad, expected, rel_tol=1e-13)
    assert "dy/dx" in str(steps[0])


def test_a_derivative_can_be_drawn(renderer):
    *_, dy_dx = _neuron_derivative()
    svg = parse_svg(draw(dy_dx))
    shown = " ".join(texts(svg))
    for name in ("dy/dx", "x", "w", "b", "tanh"):
        assert name in shown


def test_the_readmes_picture_of_a_derivative_is_what_its_code_draws(renderer):
    # README.md draws y' for y = x sin x at 2 after backprop_steps; docs/ keeps a copy.
    # The same boxes (name, data, grad) and ops: the content, whatever the layout.
    x = Value(2.0, label="x")
    (dy,) = grad(x * x.sin(), [x], create_graph=True)
    dy.label = "y′"
    backprop_steps(dy)
    fresh = parse_svg(draw(dy))
    committed = ET.parse(ROOT / "docs" / "derivative.svg").getroot()
    assert value_boxes(committed) == value_boxes(fresh)
    assert [texts(g) for g in groups(committed, "op")] == [texts(g) for g in groups(fresh, "op")]
    assert "(docs/derivative.svg)" in (ROOT / "README.md").read_text()


# ------------------------------------------------------------------ deep graphs
@pytest.mark.slow
def test_derivatives_of_a_chain_deeper_than_the_recursion_limit():
    # y = sin(sin(...sin(x))), 50,000 deep; the derivatives follow the recurrences
    # y' = cos(u) u', y'' = cos(u) u'' - sin(u) u'², u the previous level.
    depth, x0 = 50_000, 0.5
    x = Value(x0)
    y = x
    for _ in range(depth):
        y = y.sin()
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    u, du, d2u = x0, 1.0, 0.0
    for _ in range(depth):
        u, du, d2u = math.sin(u), math.cos(u) * du, math.cos(u) * d2u - math.sin(u) * du * du
    assert math.isclose(d1.data, du, rel_tol=1e-9)
    assert math.isclose(d2.data, d2u, rel_tol=1e-9)
    steps = backprop_steps(d1)  # and stepped through, no recursion there either
    assert steps and steps[-1].node is not None


def test_the_mixed_second_derivative_of_a_power_survives_a_zero_exponent():
    # d/dx x**y is y * x**(y-1), which is 0 at y = 0 for any x; its derivative in y,
    # x**(y-1), is not. (x**y at x = 2, y = 0: ∂²/∂x∂y = 1/2.)
    h = hessian(lambda x, y: x**y, [2.0, 0.0])
    assert h[0][1] == pytest.approx(0.5) and h[1][0] == pytest.approx(0.5)


# ------------------------------------------------------------------ nudging by hand
def test_nudges_match_every_grad_of_the_classic_neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    o = (x * w + b).tanh()
    o.backward()
    found = nudges(o)
    assert set(found) == set(topological_order(o))
    for node, slope in found.items():
        assert slope == pytest.approx(node.grad, abs=1e-7)


@given(programs(max_instructions=10))
def test_nudges_agree_with_backward_on_random_graphs_and_change_nothing(program):
    assume(program.kink_clearance() > 1e-3)
    _, root = program.build()
    root.backward()
    before = [(n.data, n.grad) for n in topological_order(root)]
    found = nudges(root, h=1e-6)
    assert [(n.data, n.grad) for n in topological_order(root)] == before
    scale = max(1.0, *(abs(n.grad) for n in topological_order(root)))
    for node, slope in found.items():
        if math.isnan(slope):  # an integer exponent nudged off the integers, under a
            assert is_constant(node)  # negative base: (-1) ** 2.000001 has no value
            continue
        assert math.isclose(slope, node.grad, rel_tol=1e-4, abs_tol=1e-5 * scale)


def test_a_nudge_out_of_an_ops_domain_is_nan_and_bad_steps_are_refused():
    x = Value(1e-9, label="x")
    y = x.log()
    assert math.isnan(nudges(y, h=1e-3)[x])  # x - h is below 0
    assert nudges(y, h=1e-12)[x] == pytest.approx(1e9, rel=1e-3)
    for bad in (0, -1e-4, math.inf, True, "1e-4"):
        with pytest.raises(ValueError, match="h must be a positive number"):
            nudges(y, h=bad)


def test_a_drawing_can_show_each_values_nudge_beside_its_grad():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    source = draw(y, nudge=1e-4).source
    assert source.count("nudge 6.0000") == 1 and source.count("nudge 1.0000") == 1
    assert "(L(n + h) − L(n − h)) / 2h with h = 0.0001" in source
    assert "nudge" not in draw(y).source
