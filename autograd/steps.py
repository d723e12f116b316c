"""The backward pass written down: one ``Step`` per application of the chain rule.

``backprop_steps(root)`` runs backward through ``graph.chain_rule`` and records every
step; ``replay(root)`` records the same steps but leaves every grad as it was. The
result, ``Steps``, is a list of ``Step`` that also remembers the graph as it was when
it was recorded (its nodes in order, their names and data), so that every view (the
tables here, the drawings, the stepper, the quiz) reads the one recorded pass and
none runs backward its own way.

The notation, the same in every view::

    x.grad += ∂n/∂x × n.grad

``n.grad`` is the gradient of the root with respect to n (what backward leaves in
``n.grad``); ``∂n/∂x`` is the local derivative of the op that made n with respect to
its input x, a number that op alone decides. A step multiplies the two and adds the
product (the contribution) to ``x.grad``.

Forward mode, written the same way the other way round (``tangent_table``): each
node's tangent, its derivative along a chosen direction, from its inputs' tangents::

    n.tangent = Σ ∂n/∂x × x.tangent

Names: a node is called by its label, or, when it has none, ``n`` and its position in
the topological order written in subscript digits (``n₂``): a name no label typed on
the command line can take (NFKC turns ``n₂`` into ``n2``), and one that is checked
against the graph's labels so that two different nodes never share it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from autograd import ops
from autograd.calculus import tangents
from autograd.graph import chain_rule, kept_grads, topological_order
from autograd.text import number, one_line
from autograd.value import Value, is_constant

__all__ = [
    "Step",
    "Steps",
    "backprop_steps",
    "replay",
    "node_names",
    "forward_table",
    "steps_table",
    "steps_html",
    "tangent_table",
]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def automatic_name(position: int) -> str:
    """The name of an unlabelled node at ``position`` in the order: ``n₂``."""
    return "n" + str(position).translate(_SUBSCRIPTS)


def node_names(order: Sequence[Value]) -> dict[Value, str]:
    """A printable name per node: its label, else ``n`` and its position in subscript
    digits (``n₂``), with primes added in the rare case that a label already says so."""
    labels = {node.label for node in order if node.label}
    names = {}
    for i, node in enumerate(order):
        name = node.label
        if not name:
            name = automatic_name(i)
            while name in labels:
                name += "′"
        names[node] = name
    return names


@dataclass(frozen=True)
class Step:
    """One application of the chain rule: ``input.grad += local × upstream``."""

    node: Value  # the op's output
    input: Value  # the operand receiving gradient
    local: float  # ∂node/∂input
    upstream: float  # ∂root/∂node
    contribution: float  # local × upstream
    grad: float  # ∂root/∂input of this pass so far, after this step
    names: tuple[str, str, str] = field(default=("L", "n", "x"), repr=False, compare=False)
    # (root, node, input): the names printed by str(step)
    operand: int = field(default=0, repr=False, compare=False)
    # which of node.inputs this is: a*a has two steps, operands 0 and 1

    @property
    def formula(self) -> str:
        """The chain rule of this step in names: ``x.grad += ∂n/∂x × n.grad``."""
        _, node, input = (one_line(name) for name in self.names)
        return f"{input}.grad += ∂{node}/∂{input} × {node}.grad"

    def __str__(self) -> str:
        input = one_line(self.names[2])
        numbers = f"{number(self.local)} × {number(self.upstream)} = {number(self.contribution)}"
        return f"{self.formula} = {numbers}  ({input}.grad = {number(self.grad)})"


class Steps(list):
    """A list of ``Step`` (what ``backprop_steps`` returns) that prints as a table.

    ``table()`` (also ``str()`` and the repr) is the whole pass as text, one
    chain-rule line per step with its numbers and the running grad of the receiving
    node; in a notebook it shows as an HTML table. The running grad is this pass's:
    a leaf that had a grad before (backward was called earlier) shows what this pass
    gives it, and adds its old grad only when the pass ends, as backward does.

    A recorded pass also keeps the graph as it was: ``order`` (every node, inputs
    first, root last), ``names`` (node -> name) and ``data`` (each node's data, in
    ``order``), so that a drawing made later shows the numbers of this pass.
    """

    __slots__ = ("order", "names", "data")

    def __init__(self, steps=(), *, order=(), names=None, data=()):
        super().__init__(steps)
        self.order = tuple(order)
        self.names = {} if names is None else names
        self.data = tuple(data)

    @property
    def root(self) -> Value | None:
        """The root of the recorded pass (None for steps picked out of one)."""
        return self.order[-1] if self.order else None

    def grads(self, count: int | None = None) -> dict[Value, float]:
        """Every node's grad of this pass after the first ``count`` steps (all: None)."""
        grads = dict.fromkeys(self.order, 0.0)
        if self.order:
            grads[self.order[-1]] = 1.0
        for step in self[:count]:
            grads[step.input] = step.grad
        return grads

    def table(self) -> str:
        return steps_table(self)

    def __str__(self) -> str:
        return self.table()

    # The table is also the repr: what a console or a saved notebook shows as plain
    # text, instead of a wall of Step(...) records. Each Step keeps its own repr.
    __repr__ = __str__

    def _repr_html_(self) -> str:
        return steps_html(self)


def _record(order: list, *, leaves_from_zero: bool) -> Steps:
    names = node_names(order)
    root = names[order[-1]]
    steps = Steps(order=order, names=names, data=[node.data for node in order])

    def on_step(node, operand, input, local, upstream, contribution):
        names_ = (root, names[node], names[input])
        steps.append(Step(node, input, local, upstream, contribution, input.grad, names_, operand))

    chain_rule(order, leaves_from_zero=leaves_from_zero, on_step=on_step)
    return steps


def backprop_steps(root: Value) -> Steps:
    """Run backward on ``root`` as explicit chain-rule steps and return them.

    The grads end exactly as ``root.backward()`` leaves them; the steps come in the
    order backward applies them, one per (node, input) edge, so ``a*a`` gives two.
    Each step's running grad is this pass's (see ``Steps``). ``print(steps)`` or
    ``steps.table()`` shows the whole pass as a table.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop_steps needs a Value, not {type(root).__name__}")
    return _record(topological_order(root), leaves_from_zero=False)


def replay(root: Value) -> Steps:
    """The steps of one backward pass of ``root``, as if every grad started at 0,
    with every grad left as it was found (for the stepper, the checker, the quiz)."""
    if not isinstance(root, Value):
        raise TypeError(f"replay needs a Value, not {type(root).__name__}")
    order = topological_order(root)
    with kept_grads(order):
        return _record(order, leaves_from_zero=True)


# ------------------------------------------------------------------ tables
def forward_table(order: Sequence[Value], names: dict[Value, str] | None = None) -> str:
    """The forward pass, one line per node in the order it is computed:
    ``n₂ = -6.0000  x1 * w1`` (leaves say ``input`` or ``constant``)."""
    names = node_names(order) if names is None else names
    rows = []
    for node in order:
        if not node.inputs:
            how = "constant" if is_constant(node) else "input"
        else:
            operands = [one_line(names[x]) for x in node.inputs]
            how = ops.BY_NAME[node.op].written(operands)
        rows.append((one_line(names[node]), number(node.data), how))
    name_width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    return "\n".join(
        f"  {name.ljust(name_width)} = {value.rjust(value_width)}  {how}"
        for name, value, how in rows
    )


_HEADERS = ("#", "chain rule", "local", "upstream", "contribution", "running grad")


def _row(i: int, step: Step) -> tuple[str, ...]:
    numbers = (step.local, step.upstream, step.contribution, step.grad)
    return (str(i), step.formula, *map(number, numbers))


def steps_table(steps: Sequence[Step]) -> str:
    """The steps as a text table, one row per chain-rule step, numbered from 1.

    Each row reads ``x.grad += ∂n/∂x × n.grad`` (x receives gradient from the op
    result n), then the local derivative ∂n/∂x, the upstream gradient n.grad, their
    product (the contribution) and the running grad of x after the step.
    """
    if not steps:
        return "(no chain-rule steps: the root is a leaf)"
    rows = [_HEADERS] + [_row(i, s) for i, s in enumerate(steps, 1)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(_HEADERS))]
    lines = []
    for r in rows:
        cells = [r[0].rjust(widths[0]), r[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(r[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_CELL = "padding:2px 10px;border-bottom:1px solid #e4e4e4"
_NUM = _CELL + ";text-align:right;font-family:monospace;white-space:nowrap"
_TEXT = _CELL + ";text-align:left;white-space:nowrap"  # notebooks right-align cells by default


def steps_html(steps: Sequence[Step]) -> str:
    """The steps as an HTML table for notebooks and pages; every name is escaped."""
    if not steps:
        return "<p><i>(no chain-rule steps: the root is a leaf)</i></p>"
    head = "".join(f'<th style="{_TEXT if h == "chain rule" else _NUM}">{h}</th>' for h in _HEADERS)
    body = []
    for i, step in enumerate(steps, 1):
        index, formula, *numbers = _row(i, step)
        cells = [f'<td style="{_NUM};color:#666">{index}</td>']
        cells.append(f'<td style="{_TEXT}"><code>{html.escape(formula)}</code></td>')
        cells += [f'<td style="{_NUM}">{n}</td>' for n in numbers]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="chainrule-steps" style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# ------------------------------------------------------------------ forward mode
_TANGENT_HEADERS = ("node", "value", "tangent", "n.tangent = Σ ∂n/∂x × x.tangent")


def tangent_table(root: Value, seed: Mapping[Value, float]) -> str:
    """Forward mode written down: every node's value and tangent, in the order computed.

    ``seed`` gives the tangent of some leaves, the direction (``{x: 1.0}`` for
    ∂/∂x); other leaves have tangent 0. Each computed node's row shows its tangent
    rule in names and in numbers, the mirror of a backward step::

        n.tangent = ∂n/∂x × x.tangent + ∂n/∂w × w.tangent = -3.0000 × 1.0000 + ...

    The root's tangent is the derivative of the root along the seed direction: one
    pass like this per input gives a gradient, where one backward pass gives all of
    it (``calculus.jacobian_cost`` counts both). No grad is read or changed.
    """
    if not isinstance(root, Value):
        raise TypeError(f"tangent_table needs a Value, not {type(root).__name__}")
    order = topological_order(root)
    values = tangents(order, seed)
    tangent_of = dict(zip(order, values))
    names = node_names(order)
    rows = [_TANGENT_HEADERS]
    for node, t in zip(order, values):
        name = one_line(names[node])
        if not node.inputs:
            rule = "constant" if is_constant(node) else "seed" if node in seed else "input"
        else:
            inputs = [one_line(names[x]) for x in node.inputs]
            terms = " + ".join(f"∂{name}/∂{x} × {x}.tangent" for x in inputs)
            products = " + ".join(
                f"{number(local)} × {number(tangent_of[x])}"
                for x, local in zip(node.inputs, node.local)
            )
            rule = f"{terms} = {products}"
        rows.append((name, number(node.data), number(t), rule))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    lines = []
    for name, value, tangent, rule in rows:
        cells = [name.ljust(widths[0]), value.rjust(widths[1]), tangent.rjust(widths[2]), rule]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join(["-" * w for w in widths] + ["-" * len(_TANGENT_HEADERS[3])]))
    return "\n".join(lines)
