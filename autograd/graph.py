"""The one graph walk and the one chain-rule loop.

``topological_order`` is the only traversal of a graph in chainrule: ``backward``,
``backprop_steps``, the renderer and ``nn`` all read its list. It uses an explicit
stack, never recursion, so a chain of a million nodes is as easy as three.

``_run_backward`` is the only place the chain rule is applied. ``backward`` runs it
silently; ``backprop_steps`` runs it with a recorder that writes down each step.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from autograd.value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, once each, inputs before the nodes using them,
    ``root`` last. Deterministic: it follows operand order only."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, not {type(root).__name__}")
    # Each walk marks the nodes it meets with two fresh tokens of its own, in a slot
    # on the node, instead of keeping a dict of visited nodes: a dict of a million
    # nodes is read at random and made the walk twice as slow per node at that size.
    # Walks take turns (a lock), so threads walking graphs that share nodes (one
    # model's parameters) cannot disturb each other's marks.
    with _walk_lock:
        open_, done = object(), object()
        order: list[Value] = []
        stack = [root]
        while stack:
            node = stack[-1]
            mark = node._mark
            if mark is done:  # a duplicate entry of a node already placed
                stack.pop()
            elif mark is open_ or not node.inputs:  # its inputs are all placed
                stack.pop()
                node._mark = done
                order.append(node)
            else:  # first visit: place its inputs first, in operand order
                node._mark = open_
                inputs = node.inputs
                if len(inputs) == 1:  # the common unary case, without building a list
                    stack.append(inputs[0])
                else:  # skip inputs already placed (a layer's weights, shared by samples)
                    stack.extend([input for input in reversed(inputs) if input._mark is not done])
    return order


_walk_lock = threading.Lock()


def _run_backward(root: Value, order: list[Value], on_step=None) -> None:
    # Leaves accumulate across calls: keep their old grads aside, compute this call's
    # gradient from zero, then add it back in one addition per leaf, so that calling
    # backward twice gives exactly twice the gradient.
    leaves = [node for node in order if not node.inputs]
    before = [leaf.grad for leaf in leaves]
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        upstream = node.grad  # ∂root/∂node: complete, every consumer came earlier
        if not upstream and on_step is None:
            continue  # a zero gradient sends back only zeros (dead relus): skip it
        for input, local in zip(node.inputs, node.local):
            contribution = local * upstream
            if contribution != contribution and (not local or not upstream):
                # 0 × ∞ (sqrt's slope at 0 meeting a zero): a zero factor wins, as
                # in subgradient calculus; sqrt(x*x) at 0 gets 0, never NaN.
                contribution = 0.0
            input.grad += contribution  # += : an input used twice gets both
            if on_step is not None:
                on_step(node, input, local, upstream, contribution)
    for leaf, old in zip(leaves, before):
        leaf.grad = old + leaf.grad


def backward(root: Value) -> None:
    """Set every node's ``grad`` to ∂root/∂node (leaves: add it). See ``Value.backward``."""
    _run_backward(root, topological_order(root))


@dataclass(frozen=True)
class Step:
    """One application of the chain rule: ``input.grad += local × upstream``."""

    node: Value  # the op's output
    input: Value  # the operand receiving gradient
    local: float  # ∂node/∂input
    upstream: float  # ∂root/∂node
    contribution: float  # local × upstream
    grad: float  # ∂root/∂input so far, after this step
    names: tuple[str, str, str] = field(default=("L", "n", "x"), repr=False, compare=False)
    # (root, node, input): the names printed by str(step)
    operand: int = field(default=0, repr=False, compare=False)
    # which of node.inputs this is: a*a has two steps, operands 0 and 1

    @property
    def formula(self) -> str:
        """The chain rule of this step in names: ``dL/dx += dn/dx * dL/dn``."""
        root, node, input = self.names
        return f"d{root}/d{input} += d{node}/d{input} * d{root}/d{node}"

    def __str__(self) -> str:
        root, _, input = self.names
        return (
            f"{self.formula} = {self.local:.4f} * {self.upstream:.4f} = {self.contribution:.4f}"
            f"  (d{root}/d{input} = {self.grad:.4f})"
        )


def node_names(order: list[Value]) -> dict[Value, str]:
    """A printable name per node: its label, else ``n<position in order>``."""
    return {node: node.label or f"n{i}" for i, node in enumerate(order)}


class Steps(list):
    """A list of ``Step`` (what ``backprop_steps`` returns) that prints as a table.

    ``table()`` (also ``str()``) is the whole pass as text, one chain-rule line per
    step with its numbers and the running grad of the receiving node; in a notebook
    it shows as an HTML table. The presentation lives in ``autograd.stepper``.
    """

    __slots__ = ()

    def table(self) -> str:
        from autograd.stepper import steps_table

        return steps_table(self)

    def __str__(self) -> str:
        return self.table()

    # The table is also the repr: what a console or a saved notebook shows as plain
    # text, instead of a wall of Step(...) records. Each Step keeps its own repr.
    __repr__ = __str__

    def _repr_html_(self) -> str:
        from autograd.stepper import steps_html

        return steps_html(self)


def backprop_steps(root: Value) -> Steps:
    """Run backward on ``root`` as explicit chain-rule steps and return them.

    The grads end exactly as ``root.backward()`` leaves them; the steps come in the
    order backward applies them, one per (node, input) edge, so ``a*a`` gives two.
    The result is a list of ``Step``; ``print(steps)`` or ``steps.table()`` shows the
    whole pass as a table.
    """
    order = topological_order(root)
    names = node_names(order)
    earlier = {node: node.grad for node in order if not node.inputs}  # leaves accumulate
    steps = Steps()

    def record(node, input, local, upstream, contribution):
        # A node's edges arrive one after another, in operand order.
        operand = steps[-1].operand + 1 if steps and steps[-1].node is node else 0
        steps.append(
            Step(
                node,
                input,
                local,
                upstream,
                contribution,
                earlier.get(input, 0.0) + input.grad,
                (names[root], names[node], names[input]),
                operand,
            )
        )

    _run_backward(root, order, record)
    return steps
