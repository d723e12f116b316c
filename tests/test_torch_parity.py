"""PyTorch as an independent oracle: the same random expression graphs, in float64,
give the same values and gradients; the conventions at kinks are PyTorch's.

Skipped without torch, mandatory under CHAINRULE_REQUIRE_TORCH=1 (see conftest.py).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from strategies import CHAINRULE, TorchBackend, programs

from autograd import Value, topological_order

pytestmark = pytest.mark.torch

RTOL = 1e-12
# The absolute part is relative too: to the largest number in the graph. Two correct
# float64 programs may round differently by an ulp (torch's exp is not libm's) and
# a later cancellation (a - b with a ≈ b) turns that into an error near 0 that is
# tiny next to the numbers that cancelled, but not next to the result.
ATOL_PER_SCALE = 1e-12


def _close(ours: float, theirs: float, scale: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=ATOL_PER_SCALE * scale)


@settings(max_examples=300)
@given(programs(max_instructions=20))
def test_random_graphs_match_torch_values_and_gradients(torch, program):
    leaves = [Value(x) for x in program.leaves]
    ours: list[Value] = []
    root = program.run(CHAINRULE, leaves, results=ours)
    root.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in program.leaves]
    theirs = []
    troot = program.run(TorchBackend(torch), tensors, results=theirs)
    for t in [*theirs, troot]:
        if not t.is_leaf:
            t.retain_grad()  # compare every intermediate's gradient, not only leaves'
    troot.backward()

    order = topological_order(root)
    value_scale = max(1.0, *(abs(n.data) for n in order))
    grad_scale = max(1.0, *(abs(n.grad) for n in order))
    for i, (v, t) in enumerate(zip([*ours, root], [*theirs, troot])):
        assert t.dtype == torch.float64
        assert _close(v.data, t.item(), value_scale), ("value", i, v.data, t.item())
        assert _close(v.grad, t.grad.item(), grad_scale), ("grad", i, v.grad, t.grad.item())


# ---------------------------------------------------------------- kinks, one op at a time
def _ours(f, *xs):
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


def _theirs(torch, f, *xs):
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*inputs)
    out.backward()
    return out.item(), [t.grad.item() for t in inputs]


KINKS = [
    ("relu at 0", lambda a: a.relu(), lambda T, a: T.relu(a), (0.0,)),
    ("abs at 0", lambda a: abs(a), lambda T, a: T.abs(a), (0.0,)),
    ("abs at -0", lambda a: abs(a), lambda T, a: T.abs(a), (-0.0,)),
    ("sqrt at 0", lambda a: a.sqrt(), lambda T, a: T.sqrt(a), (0.0,)),
    ("x ** 0.5 at 0", lambda a: a**0.5, lambda T, a: a**0.5, (0.0,)),
    ("x ** 0 at 0", lambda a: a**0, lambda T, a: a**0.0, (0.0,)),
    ("x ** 0 at -2", lambda a: a**0, lambda T, a: a**0.0, (-2.0,)),
    ("x ** 1 at 0", lambda a: a**1, lambda T, a: a**1.0, (0.0,)),
    ("x ** y at 0, 0", lambda a, b: a**b, lambda T, a, b: a**b, (0.0, 0.0)),
    ("x ** y at 0, 0.5", lambda a, b: a**b, lambda T, a, b: a**b, (0.0, 0.5)),
    ("x ** y at 0, 1", lambda a, b: a**b, lambda T, a, b: a**b, (0.0, 1.0)),
    ("x ** y at 0, 2", lambda a, b: a**b, lambda T, a, b: a**b, (0.0, 2.0)),
    ("x ** y at 2, 0", lambda a, b: a**b, lambda T, a, b: a**b, (2.0, 0.0)),
    ("2 ** y at 0", lambda b: 2.0**b, lambda T, b: 2.0**b, (0.0,)),
    ("0 ** y at 1", lambda b: 0.0**b, lambda T, b: 0.0**b, (1.0,)),
    ("tanh at 1e4", lambda a: a.tanh(), lambda T, a: T.tanh(a), (1e4,)),
    ("tanh at -1e4", lambda a: a.tanh(), lambda T, a: T.tanh(a), (-1e4,)),
    ("sigmoid at 1e4", lambda a: a.sigmoid(), lambda T, a: T.sigmoid(a), (1e4,)),
    ("sigmoid at -1e4", lambda a: a.sigmoid(), lambda T, a: T.sigmoid(a), (-1e4,)),
]


@pytest.mark.parametrize(
    ("ours", "theirs", "point"), [pytest.param(*row[1:], id=row[0]) for row in KINKS]
)
def test_kink_conventions_are_pytorchs(torch, ours, theirs, point):
    value, grads = _ours(ours, *point)
    t_value, t_grads = _theirs(torch, lambda *xs: theirs(torch, *xs), *point)
    assert value == t_value
    assert grads == t_grads  # conventions: exactly the same numbers, inf included


def test_negative_base_exponent_slope_is_zero_where_torch_gives_nan(torch):
    # Documented in ops.py: (-2)**y has no real derivative in y; chainrule never
    # makes NaN from finite inputs, so it says 0. The base's slope agrees.
    value, (dx, dy) = _ours(lambda a, b: a**b, -2.0, 3.0)
    t_value, (t_dx, t_dy) = _theirs(torch, lambda a, b: a**b, -2.0, 3.0)
    assert (value, dx) == (t_value, t_dx) == (-8.0, 12.0)
    assert dy == 0.0 and math.isnan(t_dy)
