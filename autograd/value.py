"""``Value``: one scalar and the node that records how it was computed.

A Value holds its ``data``, the ``grad`` that backward leaves in it, the ``op`` that
made it ("" for a leaf), its ``inputs`` in operand order (``a*a`` has inputs
``(a, a)``) and, beside them, the ``local`` derivatives ∂self/∂input as plain floats.
There is no closure per node: a node points only at its inputs, never back, so the
graph has no reference cycles and is freed by reference counting alone, without the
cyclic garbage collector.

Every operator and method applies an ``Op`` from ``ops.py``. They are compiled from
the op's ``forward_text`` and ``local_text`` when this module is imported (see
``_operator``): each op's arithmetic is inlined, so ``a * b`` runs one Python function
and makes one object, with every check still in place.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import linecache
import numbers
import textwrap

from autograd import ops
from autograd.graph import MANY, SLOTS, Node, backward, local_targets, topological_order

# ``no_grad`` sets this context variable to a fresh ``_Pause`` for the length of its
# block; None means "recording". Reading a context variable costs about as much as
# the rest of an op, so ops read it only while some ``_Pause`` is alive: ``_pauses``
# holds the id of every live one, and is empty when no context anywhere (no thread,
# no task, no copied context) can have recording off. A pause lives as long as the
# block that made it, or any context copied inside it (a task started there).
_paused = contextvars.ContextVar("chainrule_paused", default=None)
_pauses: dict = {}


class _Pause:
    __slots__ = ()

    def __init__(self):
        _pauses[id(self)] = None

    def __del__(self):
        _pauses.pop(id(self), None)


def _recording() -> bool:
    """True unless this thread or task is inside ``no_grad``."""
    return not _pauses or _paused.get() is None


@contextlib.contextmanager
def no_grad():
    """Inside this block ops record nothing: every result is a leaf.

    Use it for evaluation and for optimiser updates. Per thread and per async task
    (a context variable), so one thread's ``no_grad`` never affects another's.
    """
    token = _paused.set(_Pause())
    try:
        yield
    finally:
        _paused.reset(token)


def _as_float(data) -> float:
    if type(data) is float:
        return data
    if type(data) is int or isinstance(data, numbers.Real) and not isinstance(data, Value):
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"Value data {data!r:.40} is too large for a float") from None
    raise TypeError(f"Value data must be a real number, not {type(data).__name__}")


# ---------------------------------------------------------------- compiled operators
# One template per arity. ``{forward}`` is the op's forward text from ops.py, and
# ``{node}`` makes the node with its local text (``_NODE``), both pasted in as they
# are: they name the operands' data ``a`` and ``b`` (or ``x``) and the result ``out``,
# as the variables below do. The result is checked before a node is made, which is
# then filled in slot by slot (see graph.Node for the layout); if a local rule raises
# (pow's slope can overflow), the half-made node goes with the frame: an op that
# raises leaves nothing behind.
_BINARY = """\
def {method}(self, other):
    if type(other) is not Value:
        if type(other) is float:  # a number becomes a constant (see constant())
            c = _new(Value)
            c.data = other
            c.grad = 0.0
            c.label = c.op = ""
            c._mark = c._in0 = None
            c._in1 = _CONSTANT
            other = c
        else:  # other numbers alike; for anything else, Python raises its
            other = _operand(other)  # usual TypeError naming both types
            if other is None:
                return NotImplemented
    a = {first}.data
    b = {second}.data
    out = {forward}
    if out - out:  # inf or NaN
        not_finite({name!r}, out, a, b)
{node}
    return v
"""

_UNARY = """\
def {method}(self):
    x = self.data
    out = {forward}
    if out - out:  # inf or NaN
        not_finite({name!r}, out, x)
{node}
    return v
"""

# How every piece of compiled code makes its node ``v`` once the result ``out`` is known
# and checked (see graph.Node for the slots): ``{local}`` is the op's local text,
# ``{links}`` one line storing the inputs, ``{recording}`` the test of no_grad.
_NODE = """\
v = _new(Value)
if {recording}:  # recording (see no_grad)
    {locals_} = {local}
    v.op = {name!r}
    {links}
else:  # under no_grad the result is a leaf
    v.op = ""
    v._in0 = v._in1 = None
v.data = out
v.grad = 0.0
v.label = ""
v._mark = None"""

_RECORDING = "not _pauses or _paused.get() is None"


def _node_source(
    indent: int, *, name: str, count: int, local: str, links: str, recording: str = _RECORDING
) -> str:
    """``_NODE`` for an op ``name`` of ``count`` inputs, indented ``indent`` spaces."""
    locals_ = local_targets("v", count)
    text = _NODE.format(recording=recording, locals_=locals_, local=local, name=name, links=links)
    return textwrap.indent(text, " " * indent)


# The globals of the compiled operators: the names the texts use (math, the checked
# helpers of ops.py) and this module's own; ``Value`` is added once it exists.
_COMPILED: dict = dict(ops.TEXT_GLOBALS)


def _compile(source: str, filename: str, name: str):
    """The function ``name`` defined by ``source``, run with ``_COMPILED`` as its
    globals. The source is kept where tracebacks and inspect.getsource look for it."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), _COMPILED, namespace)
    return namespace[name]


def _operator(method: str, op: ops.Op, doc: str, *, reflected: bool = False):
    """``Value.<method>``, applying ``op``, compiled from its texts. ``reflected``: the
    other operand comes first (``other - self`` for ``__rsub__``)."""
    first, second = ("other", "self") if reflected else ("self", "other")
    if op.arity == 2:
        template, links = _BINARY, f"v._in0, v._in1 = {first}, {second}"
    else:
        template, links = _UNARY, "v._in0, v._in1 = self, None"
    node = _node_source(4, name=op.name, count=op.arity, local=op.local_text, links=links)
    source = template.format(
        method=method,
        name=op.name,
        first=first,
        second=second,
        forward=op.forward_text,
        node=node,
    )
    filename = f"<chainrule: Value.{method}, compiled from ops.{op.name!r}>"
    function = _compile(source, filename, method)
    function.__doc__ = doc
    function.__qualname__ = f"Value.{method}"
    function.__module__ = __name__
    return function


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
        **SLOTS,
    }

    def __init__(self, data, label: str = ""):
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, not {type(label).__name__}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._in0 = self._in1 = self._mark = None

    # Each line: the method, the op it applies, its docstring.
    __add__ = _operator("__add__", ops.ADD, "self + other")
    __radd__ = _operator("__radd__", ops.ADD, "other + self", reflected=True)
    __sub__ = _operator("__sub__", ops.SUB, "self - other")
    __rsub__ = _operator("__rsub__", ops.SUB, "other - self", reflected=True)
    __mul__ = _operator("__mul__", ops.MUL, "self * other")
    __rmul__ = _operator("__rmul__", ops.MUL, "other * self", reflected=True)
    __truediv__ = _operator(
        "__truediv__", ops.DIV, "self / other (ZeroDivisionError when other is 0)"
    )
    __rtruediv__ = _operator(
        "__rtruediv__", ops.DIV, "other / self (ZeroDivisionError when self is 0)", reflected=True
    )
    __pow__ = _operator("__pow__", ops.POW, "self ** other, where other is a number or a Value")
    __rpow__ = _operator("__rpow__", ops.POW, "other ** self (2 ** v)", reflected=True)
    __neg__ = _operator("__neg__", ops.NEG, "-self")
    __abs__ = _operator(
        "__abs__", ops.ABS, "|self|; its derivative at 0 is 0 (PyTorch's convention)"
    )
    exp = _operator("exp", ops.EXP, "e ** self")
    log = _operator("log", ops.LOG, "The natural logarithm (ValueError unless self > 0).")
    sqrt = _operator(
        "sqrt", ops.SQRT, "The square root (ValueError if self < 0; its slope at 0 is +inf)."
    )
    tanh = _operator("tanh", ops.TANH, "The hyperbolic tangent, stable for any input.")
    sigmoid = _operator("sigmoid", ops.SIGMOID, "1 / (1 + exp(-self)), computed without overflow.")
    softplus = _operator(
        "softplus", ops.SOFTPLUS, "log(1 + exp(self)), a smooth relu, computed without overflow."
    )
    relu = _operator(
        "relu", ops.RELU, "max(0, self); its derivative at 0 is 0 (PyTorch's convention)."
    )
    sin = _operator("sin", ops.SIN, "The sine (of a finite number).")
    cos = _operator("cos", ops.COS, "The cosine (of a finite number).")

    def __pos__(self):
        """+self is self: no node"""
        return self

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


_new = object.__new__

# A constant is a leaf whose second-input slot (unused by a leaf) holds this marker.
_CONSTANT = type("Constant", (), {"__repr__": lambda self: "CONSTANT", "__slots__": ()})()


def _operand(x) -> Value | None:
    """An operator's other operand as a Value: Values as they are, real numbers as
    constants; None for anything else."""
    if isinstance(x, Value):
        return x
    if type(x) is int or isinstance(x, numbers.Real):  # (sum() starts from the int 0)
        return constant(x)
    return None


def constant(x) -> Value:
    """A constant made from the number ``x``: a leaf that drawings show as a constant."""
    return _constant(x if type(x) is float else _as_float(x))


def _constant(x: float) -> Value:
    c = _new(Value)
    c.data = x
    c.grad = 0.0
    c.label = c.op = ""
    c._mark = c._in0 = None
    c._in1 = _CONSTANT
    return c


_COMPILED.update(
    Value=Value,
    _new=_new,
    _pauses=_pauses,
    _paused=_paused,
    _CONSTANT=_CONSTANT,
    _operand=_operand,
    MANY=MANY,
    not_finite=ops.not_finite,
)


def is_constant(value: Value) -> bool:
    """True for a leaf that chainrule made from a plain number in an expression."""
    return value._in0 is None and value._in1 is _CONSTANT


def _link(v: Value, inputs: tuple, local: tuple) -> None:
    """Store a node's inputs and local derivatives in its slots (see graph.Node)."""
    if len(inputs) == 1:
        v._in0, v._in1, v._local0 = inputs[0], None, local[0]
    elif len(inputs) == 2:
        v._in0, v._in1 = inputs
        v._local0, v._local1 = local
    else:
        v._in0, v._in1, v._local0 = inputs, MANY, tuple(local)


def _flatten(root: Value) -> list[tuple]:
    """The graph under ``root`` as records, inputs before users, inputs by index."""
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    return [
        (
            is_constant(n),
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
    for is_a_constant, data, grad, label, op, inputs, local in records:
        v = constant(data) if is_a_constant else Value(data)
        v.grad, v.label, v.op = grad, label, op
        if inputs:
            _link(v, tuple(nodes[i] for i in inputs), local)
        nodes.append(v)
    return nodes[-1]


def apply(op: ops.Op, inputs: tuple) -> Value:
    """Run ``op`` on the inputs (a tuple of Values) and record the result as a node.

    The general way to make a node, for any op and any number of inputs. Up to
    ``_COMPILE_UP_TO`` inputs it runs code compiled from the op's texts for that
    number of inputs (once, then kept): a neuron's ``dot`` is its products written
    out. The result is checked before a node is made, so an op that raises leaves
    nothing behind.
    """
    count = len(inputs)
    if 0 < count <= _COMPILE_UP_TO:
        compiled = _APPLIERS.get((op.name, count))
        if compiled is None or compiled[0] is not op:
            compiled = _APPLIERS[op.name, count] = (op, _compiled_apply(op, count))
        return compiled[1](inputs)
    args = [v.data for v in inputs]
    out = op.forward(*args)
    if out - out:  # inf or NaN
        ops.not_finite(op.name, out, *args)
    recording = _recording()
    local = op.local(out, *args) if recording else ()
    v = _new(Value)
    v.data, v.grad, v.label, v._mark = out, 0.0, "", None
    if recording:
        v.op = op.name
        _link(v, inputs, local)
    else:  # under no_grad the result is a leaf
        v.op, v._in0, v._in1 = "", None, None
    return v


_COMPILE_UP_TO = 256  # more inputs than this: the op's functions, called with *args
_APPLIERS: dict = {}  # (op name, number of inputs) -> (op, its compiled apply)

_APPLY = """\
def apply(inputs):
    {values} = inputs
{reads}
    out = {forward}
    if out - out:  # inf or NaN
        not_finite({name!r}, out, {data})
{node}
    return v
"""


def _compiled_apply(op: ops.Op, count: int):
    """``apply`` for ``op`` on ``count`` inputs, compiled from the op's texts."""
    values = [f"v{i}" for i in range(count)]
    data = [f"x{i}" for i in range(count)]
    if count == 1:
        links = "v._in0, v._in1 = v0, None"
    elif count == 2:
        links = "v._in0, v._in1 = v0, v1"
    else:
        links = "v._in0, v._in1 = inputs, MANY"
    local = op.local_source("out", data)
    source = _APPLY.format(
        values=", ".join(values) + ",",
        data=", ".join(data),
        reads="\n".join(f"    {x} = {v}.data" for x, v in zip(data, values)),
        forward=op.forward_source(data),
        name=op.name,
        node=_node_source(4, name=op.name, count=count, local=local, links=links),
    )
    return _compile(source, f"<chainrule: apply {op.name!r} to {count} inputs>", "apply")


def _lift_all(items) -> tuple:
    """A tuple of Values for operands: numbers become constants. The common case,
    operands that are all Values already, is checked at C speed via their types."""
    if type(items) is not tuple:
        items = tuple(items)
    if _VALUE_TYPES.issuperset(map(type, items)):
        return items
    return tuple(x if isinstance(x, Value) else constant(x) for x in items)


_VALUE_TYPES = {Value}


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
    ws = weights if type(weights) in _SEQUENCES else tuple(weights)
    xs = inputs if type(inputs) in _SEQUENCES else tuple(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    if not operands:
        return constant(0.0)
    return apply(ops.DOT, _lift_all(operands))


_SEQUENCES = {list, tuple}


def dots(weights, inputs, biases=None) -> list[Value]:
    """One ``dot`` node per row of ``weights``, all reading the same ``inputs``: a
    layer's weighted sums, ``[dot(w, inputs, b) for w, b in zip(weights, biases)]``.

    The same nodes, bit for bit, as that loop, but the inputs are checked and read
    once for all the rows (code compiled per number of inputs, as ``apply``'s is): 16
    neurons on 16 inputs cost about a third less. Numbers among the inputs become
    constants once, shared by every row; a row or bias holding numbers is made by
    ``dot`` itself. ``biases`` None: no bias in any row.
    """
    rows = weights if type(weights) in _SEQUENCES else list(weights)
    if biases is None:
        bs = itertools.repeat(None, len(rows))
    else:
        bs = biases if type(biases) in _SEQUENCES else list(biases)
        if len(bs) != len(rows):
            raise ValueError(f"dots: {len(rows)} rows of weights but {len(bs)} biases")
    xs = _lift_all(inputs)
    count, with_bias = len(xs), biases is not None
    if not 2 < 2 * count + with_bias <= _COMPILE_UP_TO:  # nodes of one or two inputs, or many
        return [dot(row, xs, b) for row, b in zip(rows, bs)]
    compiled = _DOTS.get((count, with_bias))
    if compiled is None:
        compiled = _DOTS[count, with_bias] = _compiled_dots(count, with_bias)
    return compiled(rows, xs, bs)


_DOTS: dict = {}  # (number of inputs, with biases) -> compiled dots

_DOTS_TEMPLATE = """\
def dots(rows, xs, biases):
    {xs}, = xs
{x_reads}
    recording = {recording}
    nodes = []
    for row, b in zip(rows, biases):
        if (
            type(row) not in _SEQUENCES
            or len(row) != {count}
            or not _VALUE_TYPES.issuperset(map(type, row)){bias_check}
        ):  # numbers to make constants of, or a mistake for dot to name
            nodes.append(dot(row, xs, b))
            continue
        {ws}, = row
{w_reads}
        out = {forward}
        if out - out:  # inf or NaN
            not_finite("dot", out, {data})
{node}
        nodes.append(v)
    return nodes
"""


def _compiled_dots(count: int, with_bias: bool):
    """``dots`` for rows of ``count`` weights, compiled from the text of ``ops.DOT``:
    the inputs' data is read once, before the loop over the rows."""
    xs, ws = [f"x{i}" for i in range(count)], [f"w{i}" for i in range(count)]
    x_data, w_data = [f"{x}_data" for x in xs], [f"{w}_data" for w in ws]
    data = w_data + x_data + ["b_data"] * with_bias  # dot's operand order
    w_reads = [*zip(w_data, ws), *[("b_data", "b")] * with_bias]
    node = _node_source(
        8,
        name="dot",
        count=2 * count + with_bias,
        local=ops.DOT.local_source("out", data),
        links=f"v._in0, v._in1 = (*row, *xs{', b' if with_bias else ''}), MANY",
        recording="recording",
    )
    source = _DOTS_TEMPLATE.format(
        xs=", ".join(xs),
        x_reads="\n".join(f"    {d} = {x}.data" for d, x in zip(x_data, xs)),
        count=count,
        bias_check="\n            or type(b) is not Value" if with_bias else "",
        ws=", ".join(ws),
        w_reads="\n".join(f"        {d} = {w}.data" for d, w in w_reads),
        forward=ops.DOT.forward_source(data),
        data=", ".join(data),
        recording=_RECORDING,
        node=node,
    )
    filename = f"<chainrule: dots of {count} inputs{' with biases' if with_bias else ''}>"
    return _compile(source, filename, "dots")


_COMPILED.update(_SEQUENCES=_SEQUENCES, _VALUE_TYPES=_VALUE_TYPES, dot=dot)
