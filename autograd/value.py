"""``Value``: one scalar and the node that records how it was computed.

A Value holds its ``data``, the ``grad`` that backward leaves in it, the ``op`` that
made it ("" for a leaf), its ``inputs`` in operand order (``a*a`` has inputs
``(a, a)``) and, beside them, the ``local`` derivatives ∂self/∂input as plain floats.
There is no closure per node: a node points only at its inputs, never back, so the
graph has no reference cycles and is freed by reference counting alone, without the
cyclic garbage collector.

Every operator and method is a one-liner over an ``Op`` from ``ops.py``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers

from autograd import ops
from autograd.graph import Node, backward, topological_order

_recording = contextvars.ContextVar("chainrule_recording", default=True)


@contextlib.contextmanager
def no_grad():
    """Inside this block ops record nothing: every result is a leaf.

    Use it for evaluation and for optimiser updates. Per thread and per async task
    (a context variable), so one thread's ``no_grad`` never affects another's.
    """
    token = _recording.set(False)
    try:
        yield
    finally:
        _recording.reset(token)


def _as_float(data) -> float:
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real) and not isinstance(data, Value):
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"Value data {data!r:.40} is too large for a float") from None
    raise TypeError(f"Value data must be a real number, not {type(data).__name__}")


class Value(Node):
    """A scalar that remembers the op and the inputs it was computed from.

    ``Value(data, label="")``: ``data`` is any real number (stored as a float). Ops on
    Values (``+ - * / **``, ``abs``, the methods below) return new Values that record
    the op, their ``inputs`` and the ``local`` derivative ∂self/∂input of each; then
    ``backward()`` fills every ``grad`` with ∂self/∂node. ``==`` and ``hash`` are
    identity: a Value is a graph node, and two nodes with equal data are two nodes.
    """

    __slots__ = {
        "data": "The number this Value holds (a float; settable).",
        "label": "A name for drawings and step tables ('' if none; settable).",
        "op": "The op that made this Value ('+', 'tanh', ...), '' for a leaf.",
    }

    def __init__(self, data, label: str = ""):
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, not {type(label).__name__}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.inputs = ()
        self.local = ()
        self._mark = None

    def __add__(self, other):
        """self + other"""
        return _binary(ops.ADD, self, other)

    def __radd__(self, other):
        """other + self"""
        return _binary(ops.ADD, other, self)

    def __sub__(self, other):
        """self - other"""
        return _binary(ops.SUB, self, other)

    def __rsub__(self, other):
        """other - self"""
        return _binary(ops.SUB, other, self)

    def __mul__(self, other):
        """self * other"""
        return _binary(ops.MUL, self, other)

    def __rmul__(self, other):
        """other * self"""
        return _binary(ops.MUL, other, self)

    def __truediv__(self, other):
        """self / other (ZeroDivisionError when other is 0)"""
        return _binary(ops.DIV, self, other)

    def __rtruediv__(self, other):
        """other / self (ZeroDivisionError when self is 0)"""
        return _binary(ops.DIV, other, self)

    def __pow__(self, other):
        """self ** other, where other is a number or a Value"""
        return _binary(ops.POW, self, other)

    def __rpow__(self, other):
        """other ** self (2 ** v)"""
        return _binary(ops.POW, other, self)

    def __neg__(self):
        """-self"""
        return apply(ops.NEG, (self,))

    def __pos__(self):
        """+self is self: no node"""
        return self

    def __abs__(self):
        """|self|; its derivative at 0 is 0 (PyTorch's convention)"""
        return apply(ops.ABS, (self,))

    def exp(self):
        """e ** self"""
        return apply(ops.EXP, (self,))

    def log(self):
        """The natural logarithm (ValueError unless self > 0)."""
        return apply(ops.LOG, (self,))

    def sqrt(self):
        """The square root (ValueError if self < 0; its slope at 0 is +inf)."""
        return apply(ops.SQRT, (self,))

    def tanh(self):
        """The hyperbolic tangent, stable for any input."""
        return apply(ops.TANH, (self,))

    def sigmoid(self):
        """1 / (1 + exp(-self)), computed without overflow."""
        return apply(ops.SIGMOID, (self,))

    def softplus(self):
        """log(1 + exp(self)), a smooth relu, computed without overflow."""
        return apply(ops.SOFTPLUS, (self,))

    def relu(self):
        """max(0, self); its derivative at 0 is 0 (PyTorch's convention)."""
        return apply(ops.RELU, (self,))

    def sin(self):
        """The sine (of a finite number)."""
        return apply(ops.SIN, (self,))

    def cos(self):
        """The cosine (of a finite number)."""
        return apply(ops.COS, (self,))

    def backward(self) -> None:
        """Fill ``grad`` with ∂self/∂node for every node this Value depends on.

        Non-leaf grads are reset and then hold this call's derivative; leaves
        accumulate across calls (``grad += ∂self/∂leaf``), as in PyTorch: zero them
        between passes (``Module.zero_grad()``, or ``v.grad = 0.0``).
        """
        backward(self)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    def __reduce__(self):
        # copy.deepcopy and pickle of a graph a million nodes deep: hand them a flat
        # list of node records instead of letting them recurse through ``inputs``.
        return (_rebuild, (_flatten(self),))

    def __float__(self) -> float:
        """The data, as a float."""
        return self.data

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"


class _Constant(Value):
    """A plain number that took part in an op (the 2 in ``x * 2``): a leaf like any
    other, marked so that drawings can tell constants from inputs and parameters."""

    __slots__ = ()


def is_constant(value: Value) -> bool:
    """True for a leaf that chainrule made from a plain number in an expression."""
    return isinstance(value, _Constant)


_new = object.__new__


def _flatten(root: Value) -> list[tuple]:
    """The graph under ``root`` as records, inputs before users, inputs by index."""
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    return [
        (
            isinstance(n, _Constant),
            n.data,
            n.grad,
            n.label,
            n.op,
            tuple(index[i] for i in n.inputs),
            n.local,
        )
        for n in order
    ]


def _rebuild(records: list[tuple]) -> Value:
    """The inverse of ``_flatten``: returns the root, the last record."""
    nodes: list[Value] = []
    for constant, data, grad, label, op, inputs, local in records:
        v = _new(_Constant if constant else Value)
        v.data, v.grad, v.label, v.op, v._mark = data, grad, label, op, None
        v.inputs = tuple(nodes[i] for i in inputs)
        v.local = local
        nodes.append(v)
    return nodes[-1]


def constant(x) -> Value:
    """A constant made from the number ``x``: a leaf that drawings show as a constant."""
    c = _new(_Constant)
    Value.__init__(c, x)
    return c


def _lift(x) -> Value:
    """A Value for an operand: Values as they are, real numbers as constants."""
    if isinstance(x, Value):
        return x
    return constant(x)


def _binary(op: ops.Op, a, b):
    # Return NotImplemented for operands that are not numbers, so Python raises its
    # usual TypeError naming both types ("unsupported operand type(s) for *: ...").
    if not isinstance(a, Value):
        if not isinstance(a, numbers.Real):
            return NotImplemented
        a = constant(a)
    if not isinstance(b, Value):
        if not isinstance(b, numbers.Real):
            return NotImplemented
        b = constant(b)
    return apply(op, (a, b))


def apply(op: ops.Op, inputs: tuple) -> Value:
    """Run ``op`` on the inputs (a tuple of Values) and record the result as a node.

    The forward value and the local derivatives are computed before any node exists,
    so an op that raises leaves nothing half-built behind.
    """
    args = [v.data for v in inputs]
    out = op.forward(*args)
    if not math.isfinite(out) and all(map(math.isfinite, args)):
        shown = ", ".join(map(repr, args))
        raise OverflowError(f"{op.name}: result overflows a float (operands {shown})")
    # The node is built here, slot by slot, without calling __init__: this is the
    # hottest path of the engine, and the data is already a checked float.
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v.label = ""
    v._mark = None
    if _recording.get():
        v.op, v.inputs, v.local = op.name, inputs, op.local(out, *args)
    else:  # under no_grad the result is a leaf
        v.op, v.inputs, v.local = "", (), ()
    return v


def _lift_all(items) -> tuple:
    """A tuple of Values for operands: numbers become constants. The common case,
    operands that are all Values already, is checked at C speed via their types."""
    if type(items) is not tuple:
        items = tuple(items)
    if set(map(type, items)) <= _VALUE_TYPES:
        return items
    return tuple(map(_lift, items))


_VALUE_TYPES = {Value, _Constant}


def sum_of(values) -> Value:
    """The sum of many Values (or numbers) as one n-ary node: faster and easier to
    read than a chain of ``+``. An empty sum is the constant 0."""
    inputs = _lift_all(values)
    if not inputs:
        return constant(0.0)
    return apply(ops.SUM, inputs)


def dot(weights, inputs, bias=None) -> Value:
    """Σ w_i·x_i (+ bias) as one node with inputs w_1..w_n, x_1..x_n (then the bias).

    This is a neuron's weighted sum in a single node; numbers become constants.
    Local derivatives: ∂/∂w_i = x_i, ∂/∂x_i = w_i, ∂/∂bias = 1.
    """
    ws, xs = tuple(weights), tuple(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    operands = ws + xs if bias is None else (*ws, *xs, bias)
    if not operands:
        return constant(0.0)
    return apply(ops.DOT, _lift_all(operands))
