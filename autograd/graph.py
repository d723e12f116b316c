"""The one graph walk and the one chain-rule loop, on bare graph nodes.

A ``Node`` is what these need of a node, and nothing more: ``inputs`` (the operands,
in order: ``a*a`` has ``(a, a)``), ``local`` (∂node/∂input for each, beside them) and
``grad``. ``Value`` is a Node with data and ops; this module imports nothing from
chainrule and knows nothing of Values, text or pictures.

``topological_order`` is the only traversal of a graph in chainrule: backward, the
step tables, the drawings, the tape and forward mode all read its list. It uses an
explicit stack, never recursion, so a chain of a million nodes is as easy as three.

``chain_rule`` is the only place the chain rule is applied. ``backward`` runs it
plainly; the step tables run it with ``on_step`` to write each step down; the
functional ``grad`` runs it with ``local_of`` to build the derivative as a graph.
"""

from __future__ import annotations

import contextlib
import threading

__all__ = ["Node", "topological_order", "chain_rule", "backward", "kept_grads"]


class Node:
    """A graph node: its ``inputs``, the ``local`` derivative for each, and its ``grad``.

    A subclass sets all four slots when it makes a node, ``_mark`` to None: that slot
    is the walk's scratch space, read and written nowhere but in this module.
    """

    __slots__ = {
        "inputs": "The operands this node was computed from, in order (a leaf has none).",
        "local": "∂node/∂input for each input, in the same order (floats).",
        "grad": "∂root/∂node after the last backward pass (see Value.backward).",
        "_mark": "Scratch space for topological_order; no meaning outside a walk.",
    }


def topological_order(root: Node) -> list:
    """Every node ``root`` depends on, once each, inputs before the nodes using them,
    ``root`` last. Deterministic: it follows operand order only."""
    if not isinstance(root, Node):
        raise TypeError(f"topological_order needs a Value, not {type(root).__name__}")
    # Each walk marks the nodes it meets with two fresh tokens of its own, in a slot
    # on the node, instead of keeping a set of visited nodes: a set of a million
    # nodes is read at random and made the walk 1.7 times slower per node at that
    # size. Walks take turns (a lock), so threads walking graphs that share nodes
    # (one model's parameters) cannot disturb each other's marks.
    with _walk_lock:
        open_, done = object(), object()
        order: list = []
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

# The root's grad is this very object: its contributions are the local derivatives
# themselves (exact for floats), and a derivative built from Values has no "g * 1".
_ONE = 1.0


def chain_rule(order: list, *, leaves_from_zero=False, local_of=None, on_step=None) -> None:
    """Apply the chain rule backwards over ``order`` (a topological order, root last).

    Afterwards every node's ``grad`` is ∂root/∂node for this pass, except that leaves
    (nodes without inputs) add it to the grad they had, as PyTorch's leaves do, unless
    ``leaves_from_zero``. This pass's gradient is computed from zero and added to the
    old one in a single addition per leaf, so two passes give exactly twice one.

    ``local_of(node)``: the local derivatives to use instead of ``node.local`` (the
    functional ``grad`` passes them as Values, to build the derivative as a graph).
    Then every grad starts as None, "no gradient yet", so that no "0 + g" node is
    made, ends as a Value or None (no path to the root), and leaves start from zero.
    ``on_step(node, operand, input, local, upstream, contribution)`` is called after
    each step ``input.grad += local × upstream``, where ``input`` is
    ``node.inputs[operand]``; at that moment ``input.grad`` is this pass's running
    gradient (without what a leaf had before). With ``on_step`` every edge is a step;
    without it, nodes whose gradient is zero are skipped (dead relus): they would only
    send back zeros.
    """
    root = order[-1]
    start = 0.0 if local_of is None else None
    leaves = [] if leaves_from_zero or start is None else [n for n in order if not n.inputs]
    before = [leaf.grad for leaf in leaves]
    for node in order:
        node.grad = start
    root.grad = _ONE
    for node in reversed(order):
        upstream = node.grad  # ∂root/∂node: complete, every consumer came earlier
        if not upstream and on_step is None:
            continue
        locals_ = node.local if local_of is None else local_of(node)
        for operand, (input, local) in enumerate(zip(node.inputs, locals_)):
            contribution = local if upstream is _ONE else local * upstream
            if contribution != contribution and (not local or not upstream):
                # 0 × ∞ (sqrt's slope at 0 meeting a zero): a zero factor wins, as
                # in subgradient calculus; sqrt(x*x) at 0 gets 0, never NaN.
                contribution = 0.0
            grad = input.grad
            input.grad = contribution if grad is None else grad + contribution  # += : all paths
            if on_step is not None:
                on_step(node, operand, input, local, upstream, contribution)
    for leaf, old in zip(leaves, before):
        leaf.grad = old + leaf.grad


def backward(root: Node) -> None:
    """Set every node's ``grad`` to ∂root/∂node (leaves: add it). See ``Value.backward``."""
    chain_rule(topological_order(root))


@contextlib.contextmanager
def kept_grads(order: list):
    """Inside this block grads may change; when it ends, every node of ``order`` has
    its grad back as it was. For a pass that must change nothing: a replay, a check."""
    saved = [node.grad for node in order]
    try:
        yield
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
