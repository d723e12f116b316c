"""``gradcheck``: True for correct gradients, a ``GradcheckError`` with a per-input
report for wrong ones, inputs left alone, ``eps``/``atol``/``rtol`` honoured; and the
central differences it is built on, ``numerical_jacobian``."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from autograd import GradcheckError, Value, dot, gradcheck, sum_of
from autograd.gradcheck import numerical_gradient, numerical_jacobian

CORRECT = [
    ("polynomial", lambda x, y: x * x * y - 3 * y + 2, (1.5, -0.5)),
    ("neuron", lambda x, w, b: (x * w + b).tanh(), (2.0, -3.0, 6.8813735870195432)),
    (
        "every unary op",
        lambda x: (x.exp() + x.sin() * x.cos()).log() + x.sqrt().sigmoid() + abs(-x).relu(),
        (0.7,),
    ),
    ("quotient and powers", lambda x, y: x / y + x**y + 2**x - x**-1.5, (1.3, 0.4)),
    (
        "sum_of and dot",
        lambda a, b, c: sum_of([a, b * c, 1.0]) * dot([a, b], [c, a]),
        (0.3, -1.2, 2.0),
    ),
]


@pytest.mark.parametrize(("f", "inputs"), [pytest.param(*row[1:], id=row[0]) for row in CORRECT])
def test_correct_gradients_pass(f, inputs):
    assert gradcheck(f, inputs) is True


def _lost_gradient(x, y):
    # Rebuilding x from its data cuts it out of the graph: backward gives ∂/∂x = 0,
    # while the function clearly depends on x.
    return Value(x.data) * y + y


def _numbers(line: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?", line)]


def test_a_lost_gradient_raises_with_every_inputs_analytic_and_numeric_gradient():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_lost_gradient, [Value(2.0, label="alpha"), Value(-3.0, label="beta")])
    lines = str(caught.value).splitlines()
    alpha = next(line for line in lines if "alpha" in line)
    beta = next(line for line in lines if "beta" in line)
    for line in (alpha, beta):
        assert line.index("analytic") < line.index("numeric")
    # alpha: analytic 0, numeric ∂/∂alpha = beta = -3; beta: both 3 (= alpha + 1).
    analytic, numeric = _numbers(alpha)
    assert analytic == 0.0 and numeric == pytest.approx(-3.0, rel=1e-6)
    analytic, numeric = _numbers(beta)
    assert analytic == 3.0 and numeric == pytest.approx(3.0, rel=1e-6)


def test_the_report_names_unlabelled_inputs_by_position():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_lost_gradient, [2.0, -3.0])
    report = str(caught.value)
    assert "input 0" in report and "input 1" in report


def test_gradcheck_error_is_an_assertion_error():
    # So a failing gradcheck inside a test reads as a test failure.
    with pytest.raises(AssertionError):
        gradcheck(_lost_gradient, [2.0, -3.0])


def test_numbers_and_values_are_both_accepted_as_inputs():
    f = CORRECT[0][1]
    assert gradcheck(f, [1.5, Value(-0.5)]) is True
    assert gradcheck(f, (Fraction(3, 2), 2)) is True
    assert gradcheck(f, [Value(1.5), Value(-0.5)]) is True


def test_input_values_are_not_modified():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    b.grad = 0.75
    derived = a * b  # a non-leaf input: only its data is used
    snapshot = [(v.data, v.grad, v.label, v.op, v.inputs) for v in (a, b, derived)]
    gradcheck(lambda x, y: x * x * y, [derived, b])
    with pytest.raises(GradcheckError):
        gradcheck(_lost_gradient, [a, b])
    assert [(v.data, v.grad, v.label, v.op, v.inputs) for v in (a, b, derived)] == snapshot


def test_eps_atol_and_rtol_are_honoured():
    cube = lambda x: x**3  # noqa: E731
    # With eps = 0.1 the central difference of x**3 at 1 is 3 + eps**2 = 3.01.
    assert gradcheck(cube, [1.0]) is True
    with pytest.raises(GradcheckError):
        gradcheck(cube, [1.0], eps=0.1)
    assert gradcheck(cube, [1.0], eps=0.1, rtol=1e-2) is True
    assert gradcheck(cube, [1.0], eps=0.1, atol=0.02, rtol=0.0) is True
    with pytest.raises(GradcheckError):
        gradcheck(cube, [1.0], eps=0.1, atol=0.009, rtol=0.0)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        gradcheck(lambda x: x * x, [1.0], 1e-6)


def test_a_non_numeric_input_raises_type_error_naming_it():
    with pytest.raises(TypeError, match="str"):
        gradcheck(lambda x: x * x, ["1.0"])


# ---------------------------------------------------------------- numerical_jacobian
def test_numerical_jacobian_has_a_row_per_output_and_a_column_per_input():
    def polar(p):  # (r, t) -> (r cos t, r sin t, r)
        r, t = p
        return [r * math.cos(t), r * math.sin(t), r]

    r, t = 2.0, 0.3
    expected = [[math.cos(t), -r * math.sin(t)], [math.sin(t), r * math.cos(t)], [1.0, 0.0]]
    numeric = numerical_jacobian(polar, [r, t])
    assert len(numeric) == 3 and all(len(row) == 2 for row in numeric)
    for row, e_row in zip(numeric, expected):
        assert row == pytest.approx(e_row, rel=1e-8, abs=1e-9)


def test_numerical_jacobian_differences_any_function_of_numbers_with_step_eps():
    # (x + eps)³ - (x - eps)³ over 2 eps is 3x² + eps²: the step is eps, as documented.
    assert numerical_jacobian(lambda p: [p[0] ** 3], [1.0], eps=0.1) == [
        [pytest.approx(3.01, rel=1e-12)]
    ]


def test_numerical_gradient_is_the_one_row_jacobian_of_f():
    f = CORRECT[0][1]
    row = numerical_gradient(f, [1.5, -0.5])
    (expected,) = numerical_jacobian(lambda p: [f(*(Value(x) for x in p)).data], [1.5, -0.5])
    assert row == expected
    assert numerical_gradient(lambda: Value(1.0), []) == []


def test_compare_is_the_one_verdict_of_both_checks():
    from autograd.gradcheck import compare

    entries = [(0, "a", 1.0, 1.0000001), (1, "b", 2.0, 3.0), (2, "c", math.nan, 0.0)]
    assert compare("gradcheck", entries[:1], eps=1e-6, atol=1e-5, rtol=1e-3)
    with pytest.raises(GradcheckError) as caught:
        compare("mycheck", entries, eps=1e-6, atol=1e-5, rtol=1e-3, heading=lambda s: f"<{s}>")
    assert [row[-1] for row in caught.value.rows] == [True, False, False]
    message = str(caught.value)
    assert message.startswith("mycheck failed (eps=1e-06, atol=1e-05, rtol=0.001):")
    assert "  <b>: analytic  2   numeric  3   MISMATCH" in message
