"""Derivatives of derivatives, and forward mode, on the same scalar graph.

Reverse mode, once more. ``backward`` leaves ∂root/∂node in every ``grad`` as a
float: a number has no graph, so ``x.grad.backward()`` cannot work. ``grad`` runs the
same chain-rule loop (``graph.chain_rule``) but, with ``create_graph=True``, evaluates
each op's local-derivative rule on Values instead of floats. Every rule in ``ops.py``
is written for both (``d tanh = 1 - out*out`` is arithmetic on ``out``, whatever it
is), so the products and sums of the chain rule are recorded as ops like any others:
the derivative is a graph of its own, which can be drawn, stepped through and
differentiated again. ``hessian`` is that twice; ``jacobian`` is one gradient per
output.

Forward mode pushes a direction through the graph the other way: every node gets a
tangent, d node / dt along the direction, from its inputs' tangents,

    n.tangent = Σ ∂n/∂x × x.tangent        (over n's inputs x, in topological order)

the dual numbers of the textbooks. One forward pass gives the derivative of every
node along ONE direction; one backward pass gives the derivative of ONE root with
respect to every node. So for n inputs and one output, the gradient costs n forward
passes or one backward pass, and for one input and m outputs it is the other way
round: ``jacobian_cost`` counts the chain-rule steps (one multiply-add per edge) each
way, and ``jacobian(f, point, mode="forward")`` computes the Jacobian column by column
to compare.

``gradgradcheck`` is ``gradcheck`` one order up, like PyTorch's: it checks the
second-order graph against central differences of the first-order gradient.

Nothing here changes a ``grad``: ``grad`` runs the loop inside ``kept_grads`` and
forward mode never touches one. Presentation (the forward-mode table) lives in
``steps.py``.

References: Griewank and Walther, "Evaluating Derivatives" (2008), chapters 3 and 4;
Baydin et al., "Automatic Differentiation in Machine Learning: a Survey" (2018);
PyTorch's ``torch.autograd.grad(..., create_graph=True)`` and ``gradgradcheck``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from autograd import ops
from autograd.gradcheck import compare, numerical_jacobian
from autograd.graph import chain_rule, kept_grads, topological_order
from autograd.value import Value

__all__ = [
    "grad",
    "jacobian",
    "hessian",
    "jvp",
    "tangents",
    "jacobian_cost",
    "JacobianCost",
    "gradgradcheck",
    "nudges",
]


# ------------------------------------------------------------------ reverse mode
def grad(output: Value, inputs, *, create_graph: bool = False) -> list[Value]:
    """∂output/∂x for each Value x in ``inputs``, in order, without changing any ``grad``.

    Without ``create_graph`` the results are new leaves holding the numbers (the same
    numbers ``backward`` would add to the grads). With it, each op's local derivative
    is evaluated on Values, so each result is a Value computed from ``output``'s graph:
    differentiate it again for a second derivative,

        d2y_dx2 = grad(grad(y, [x], create_graph=True)[0], [x])[0]

    draw it, step through it with ``backprop_steps``, or call its ``backward()``. A
    result may be a node that already exists (∂(x*y)/∂x is y itself) or a new leaf
    when the derivative is a constant (∂(x + y)/∂x is 1). An input that ``output``
    does not depend on gets 0; an input listed twice gets its gradient twice.
    Kinks follow first order's conventions (relu'(0) = abs'(0) = 0), and their
    second derivatives are 0. Under ``no_grad`` nothing is recorded, so the results
    are leaves either way.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, not {type(output).__name__}")
    inputs = _values(inputs)
    order = topological_order(output)
    in_graph = set(order)
    with kept_grads(order):  # every grad is back as it was when the block ends
        if create_graph:
            chain_rule(order, leaves_from_zero=True, local_of=_local_values)
        else:
            chain_rule(order, leaves_from_zero=True)
        found = [x.grad if x in in_graph else None for x in inputs]
    return [g if isinstance(g, Value) else Value(0.0 if g is None else g) for g in found]


def _values(inputs) -> list[Value]:
    if isinstance(inputs, Value):
        raise TypeError("grad: inputs must be a list of Values; for one input, write [x]")
    try:
        inputs = list(inputs)
    except TypeError:
        raise TypeError(
            f"grad: inputs must be a list of Values, not {type(inputs).__name__}"
        ) from None
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, not {type(x).__name__}")
    return inputs


def _local_values(node: Value) -> tuple:
    """``node``'s local derivatives as Values (floats where a rule says a constant), so
    that the chain rule's products build the derivative as a graph."""
    if not node.inputs:  # a leaf: nothing to pass on
        return ()
    return ops.BY_NAME[node.op].local(node, *node.inputs)


# ------------------------------------------------------------------ nudging by hand
def nudges(root: Value, *, h: float = 1e-4) -> dict[Value, float]:
    """For every node n of ``root``'s graph, (L(n + h) - L(n - h)) / 2h: what a student
    gets by nudging n's value by hand, the way the micrograd lecture checks gradients.

    L(n ± h) is the root recomputed with n moved by ±h and every node downstream of n
    recomputed through its op's forward rule, in topological order: the graph is
    re-evaluated, not differentiated, and no ``data`` or ``grad`` changes. Beside
    ``n.grad`` (after ``root.backward()``) each number checks one gradient. A nudge
    that leaves an op's domain (log just above 0) gives NaN for that node.
    """
    if not isinstance(root, Value):
        raise TypeError(f"nudges needs a Value, not {type(root).__name__}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not 0 < h < math.inf:
        raise ValueError(f"nudges: h must be a positive number, not {h!r}")
    order = topological_order(root)
    found = {}
    for i, node in enumerate(order):
        try:
            up, down = (_root_with(order, i, node.data + step) for step in (h, -h))
            found[node] = (up - down) / (2 * h)
        except (ArithmeticError, ValueError):
            found[node] = math.nan
    return found


def _root_with(order: list[Value], i: int, value: float) -> float:
    """The root's value with ``order[i]`` set to ``value``, its users recomputed."""
    moved = {order[i]: value}
    for node in order[i + 1 :]:
        if any(x in moved for x in node.inputs):
            operands = [moved.get(x, x.data) for x in node.inputs]
            moved[node] = ops.BY_NAME[node.op].forward(*operands)
    root = order[-1]
    return moved.get(root, root.data)


# ------------------------------------------------------------------ Jacobian and Hessian
def jacobian(f, point, *, mode: str = "reverse") -> list[list[float]]:
    """The matrix ∂y_k/∂x_j of ``f`` at ``point``: row k for output k, column j for input j.

    ``f`` takes ``len(point)`` Values positionally and returns a list of Values (a
    plain number in it is a constant output: a row of zeros). ``mode="reverse"``
    (the default) runs one backward pass per output, a row at a time;
    ``mode="forward"`` one forward-mode pass per input, a column at a time. Both give
    the same matrix (up to rounding); ``jacobian_cost`` says what each costs.
    """
    xs = _point(point, "jacobian")
    leaves = [Value(x) for x in xs]
    outputs = _outputs(f(*leaves))
    if mode == "reverse":
        return [
            [g.data for g in grad(y, leaves)] if isinstance(y, Value) else [0.0] * len(xs)
            for y in outputs
        ]
    if mode == "forward":
        order = _union_order([y for y in outputs if isinstance(y, Value)])
        columns = []
        for leaf in leaves:
            tangent_of = dict(zip(order, tangents(order, {leaf: 1.0})))
            columns.append([tangent_of[y] if isinstance(y, Value) else 0.0 for y in outputs])
        return [list(row) for row in zip(*columns)] if columns else [[] for _ in outputs]
    raise ValueError(f"jacobian: mode must be 'reverse' or 'forward', not {mode!r}")


def hessian(f, point) -> list[list[float]]:
    """The matrix of second derivatives ∂²y/∂x_i∂x_j of ``f`` at ``point``.

    ``f`` takes ``len(point)`` Values positionally and returns one Value. Reverse over
    reverse: one ``grad`` with ``create_graph=True``, then one ``grad`` of each of its
    results (row i is the gradient of ∂y/∂x_i). The matrix is symmetric up to
    rounding: the two mixed partials are computed along different paths.
    """
    xs = _point(point, "hessian")
    leaves = [Value(x) for x in xs]
    y = _scalar_output(f(*leaves), "hessian")
    if not isinstance(y, Value):
        return [[0.0] * len(xs) for _ in xs]
    first = grad(y, leaves, create_graph=True)
    return [[g.data for g in grad(d, leaves)] for d in first]


def _point(point, caller: str, what: str = "point") -> list[float]:
    if isinstance(point, (Value, numbers.Real)):
        raise TypeError(f"{caller}: {what} must be a list of numbers; for one, write [x]")
    try:
        coordinates = list(point)
    except TypeError:
        raise TypeError(
            f"{caller}: {what} must be a list of numbers, not {type(point).__name__}"
        ) from None
    xs = []
    for i, x in enumerate(coordinates):
        if isinstance(x, Value):
            x = x.data
        elif not isinstance(x, numbers.Real):
            raise TypeError(
                f"{caller}: {what}[{i}] must be a number or a Value, not {type(x).__name__}"
            )
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(f"{caller}: {what}[{i}] must be finite, got {x!r}")
        xs.append(x)
    return xs


def _outputs(result) -> list:
    if isinstance(result, (Value, numbers.Real)):
        raise TypeError(
            "jacobian: f must return a list of Values (one per output); for one output, "
            "return [y] (or use grad or hessian)"
        )
    try:
        outputs = list(result)
    except TypeError:
        raise TypeError(
            f"jacobian: f must return a list of Values, not {type(result).__name__}"
        ) from None
    for k, y in enumerate(outputs):
        if not isinstance(y, (Value, numbers.Real)):
            raise TypeError(f"jacobian: output {k} is a {type(y).__name__}, not a Value")
    return outputs


def _scalar_output(y, caller: str):
    if not isinstance(y, (Value, numbers.Real)):
        raise TypeError(f"{caller}: f must return one Value, not {type(y).__name__}")
    return y


def _union_order(outputs: list[Value]) -> list[Value]:
    """Every node any output depends on, once, inputs first: each output's own order,
    without the nodes an earlier output already placed (still a topological order)."""
    order, placed = [], set()
    for y in outputs:
        for node in topological_order(y):
            if node not in placed:
                placed.add(node)
                order.append(node)
    return order


# ------------------------------------------------------------------ forward mode
def tangents(order: list[Value], seed: Mapping[Value, float]) -> list[float]:
    """Forward mode over a recorded graph: the tangent of every node of ``order``.

    ``order`` is a topological order (``topological_order(root)``); ``seed`` gives
    the tangent of some leaves, the direction to differentiate along (other leaves,
    constants included, have tangent 0; a seeded Value that is not in ``order`` has no
    effect). Every other node's tangent is computed from its inputs', in order:

        n.tangent = Σ ∂n/∂x × x.tangent

    with the local derivatives the graph recorded. No grad is read or changed. Where
    an infinite local derivative meets a zero tangent the zero wins, as in the chain
    rule of ``backward``: a tangent is never NaN.
    """
    for node, t in seed.items():
        if not isinstance(node, Value):
            raise TypeError(f"tangents: seed keys must be Values, not {type(node).__name__}")
        if node.inputs:
            raise ValueError(
                f"tangents: only leaves can be seeded; {node!r} is computed by {node.op!r}, "
                "so its tangent follows from its inputs'"
            )
        if not isinstance(t, numbers.Real) or not math.isfinite(t):
            raise ValueError(f"tangents: the seed of {node!r} must be a finite number, not {t!r}")
    tangent_of: dict[Value, float] = {}
    for node in order:
        if not node.inputs:
            tangent_of[node] = float(seed.get(node, 0.0))
            continue
        total = 0.0
        for input, local in zip(node.inputs, node.local):
            term = local * tangent_of[input]
            if term != term:  # 0 × ∞: the zero wins
                term = 0.0
            total += term
        tangent_of[node] = total
    return [tangent_of[node] for node in order]


def jvp(f, point, tangent) -> tuple[float, float]:
    """``f(point)`` and its directional derivative along ``tangent``, by forward mode.

    ``f`` takes ``len(point)`` Values positionally and returns one Value. The graph
    is recorded once, then tangents are pushed forward through it in topological
    order (``tangents``), never by a backward pass, and no grad changes. The result
    equals the gradient dotted with ``tangent`` (up to rounding).
    """
    xs = _point(point, "jvp")
    ts = _point(tangent, "jvp", "tangent")
    if len(ts) != len(xs):
        raise ValueError(f"jvp: the point has {len(xs)} coordinates but the tangent {len(ts)}")
    leaves = [Value(x) for x in xs]
    y = _scalar_output(f(*leaves), "jvp")
    if not isinstance(y, Value):
        return float(y), 0.0
    order = topological_order(y)
    return y.data, tangents(order, dict(zip(leaves, ts)))[-1]


class JacobianCost(NamedTuple):
    """What the whole Jacobian of ``f`` at a point costs each way, in chain-rule steps
    (one multiply-add per edge of the graph: a step of the step table)."""

    inputs: int  # n
    outputs: int  # m
    forward_passes: int  # forward mode: one pass per input (one column each)...
    forward_steps: int  # ...each through every edge of the graph of all outputs
    reverse_passes: int  # reverse mode: one backward pass per output (one row each)...
    reverse_steps: int  # ...each through the edges its output depends on


def jacobian_cost(f, point) -> JacobianCost:
    """Count the chain-rule steps of the Jacobian of ``f`` at ``point`` in forward mode
    (``inputs`` passes) and in reverse mode (``outputs`` passes).

    ``f`` is called as by ``jacobian`` (it may also return one Value: one output).
    Both modes first record the graph once, with the same forward evaluation, which is
    not counted. A step is one ``+= local × tangent`` (forward) or one ``+= local ×
    upstream`` (reverse): one per edge per pass, as in ``tangents`` and in the step
    table of ``backprop_steps``.
    """
    xs = _point(point, "jacobian_cost")
    result = f(*(Value(x) for x in xs))
    outputs = [result] if isinstance(result, Value) else _outputs(result)
    graphs = [y for y in outputs if isinstance(y, Value)]
    n, m = len(xs), len(outputs)
    reverse = sum(_edges(topological_order(y)) for y in graphs)
    return JacobianCost(n, m, n, n * _edges(_union_order(graphs)), m, reverse)


def _edges(order: list[Value]) -> int:
    return sum(len(node.inputs) for node in order)


# ------------------------------------------------------------------ checking
def gradgradcheck(f, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check ``f``'s second derivatives (``create_graph``) against central differences.

    ``f`` takes one Value per input and returns a Value. The analytic side is
    ``hessian(f, inputs)``: the local-derivative rules evaluated on Values, then
    differentiated. The numeric side is central differences of the first-order
    gradient, (∇f(x + eps e_j) - ∇f(x - eps e_j)) / 2eps, as PyTorch's
    ``gradgradcheck`` does: so run ``gradcheck`` first, which checks that gradient.
    Returns True when |analytic - numeric| <= atol + rtol * |numeric| for every pair
    (i, j); otherwise raises ``GradcheckError`` listing each pair. Values given as
    inputs are read, never changed.
    """
    if isinstance(inputs, Iterable):
        inputs = list(inputs)  # read twice below: for the numbers and for the names
    xs = _point(inputs, "gradgradcheck", "inputs")
    names = [
        x.label if isinstance(x, Value) and x.label else f"input {i}" for i, x in enumerate(inputs)
    ]

    def gradient(point: list[float]) -> list[float]:
        leaves = [Value(x) for x in point]
        y = f(*leaves)
        if not isinstance(y, Value):
            raise TypeError(f"gradgradcheck: f must return a Value, not {type(y).__name__}")
        return [g.data for g in grad(y, leaves)]

    gradient(xs)  # f's errors first, before any differencing
    analytic = hessian(f, xs)
    numeric = numerical_jacobian(gradient, xs, eps=eps)
    entries = [
        ((i, j), f"{names[i]}, {names[j]}", a, n)
        for i, (a_row, n_row) in enumerate(zip(analytic, numeric))
        for j, (a, n) in enumerate(zip(a_row, n_row))
    ]
    return compare(
        "gradgradcheck",
        entries,
        eps=eps,
        atol=atol,
        rtol=rtol,
        heading=lambda pair: f"∂²/∂({pair})",
    )
