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

__all__ = [
    "Node", "MANY", "SLOTS", "local_targets", "topological_order", "chain_rule", "backward",
    "kept_grads",
]  # fmt: skip

# ``_in1`` of a node with more than two inputs: its ``_in0`` and ``_local0`` are tuples.
MANY = type("Many", (), {"__repr__": lambda self: "MANY", "__slots__": ()})()


# The slots every node class declares, all in that one class: a node whose slots are
# spread over two classes costs Python one more pass over its type's layout whenever it
# is freed or scanned by the collector.
SLOTS = {
    "grad": "∂root/∂node after the last backward pass (see Value.backward).",
    "_in0": "The first input, a tuple of them all (more than two), or None (a leaf).",
    "_in1": "The second input, None (one input) or MANY (see _in0).",
    "_local0": "∂node/∂(first input), or a tuple of them all (more than two inputs).",
    "_local1": "∂node/∂(second input), for a node of two inputs.",
    "_mark": "Scratch space for topological_order; no meaning outside a walk.",
}


class Node:
    """A graph node: its ``inputs``, the ``local`` derivative for each, and its ``grad``.

    A node is a single object: its inputs and their local derivatives live in four
    slots of its own rather than in tuples, because every tuple is one more object
    for Python's cyclic garbage collector to count and scan (a graph has no cycles,
    so that work is wasted), and one more allocation to build::

        a leaf               _in0 = None
        one input            _in0 = the input,   _in1 = None,  _local0 = ∂node/∂input
        two inputs           _in0, _in1 = the inputs,  _local0, _local1 = their locals
        more inputs          _in0 = a tuple of them,   _in1 = MANY,  _local0 = a tuple

    ``inputs`` and ``local`` read them back as tuples. A node class declares the
    slots of ``SLOTS`` among its own, fills them, ``grad``, and ``_mark`` = None when
    it makes a node; ``_mark`` is the walk's scratch space, read and written nowhere
    but in this module.
    """

    __slots__ = ()  # declared by the node class itself: see SLOTS

    @property
    def inputs(self) -> tuple:
        """The operands this node was computed from, in order (a leaf has none)."""
        first = self._in0
        if first is None:
            return ()
        second = self._in1
        if second is None:
            return (first,)
        if second is MANY:
            return first
        return (first, second)

    @property
    def local(self) -> tuple:
        """∂node/∂input for each input, in the same order (floats)."""
        if self._in0 is None:
            return ()
        second = self._in1
        if second is None:
            return (self._local0,)
        if second is MANY:
            return self._local0
        return (self._local0, self._local1)

    @local.setter
    def local(self, local) -> None:
        # A tape stores the local derivatives it recomputes (one per input).
        local = tuple(local)
        count = len(self.inputs)
        if len(local) != count:
            raise ValueError(
                f"a node of {count} inputs has {count} local derivatives, not {len(local)}"
            )
        if count == 1:
            (self._local0,) = local
        elif count == 2:
            self._local0, self._local1 = local
        elif count:
            self._local0 = local


def local_targets(node: str, count: int) -> str:
    """Where a node of ``count`` inputs keeps its local derivatives, written as the
    target of an assignment of the tuple of them, for code that is generated (the
    compiled operators, the tape): ``node`` is how that code names the node."""
    if count == 1:
        return f"({node}._local0,)"
    if count == 2:
        return f"{node}._local0, {node}._local1"
    return f"{node}._local0"


def topological_order(root: Node) -> list:
    """Every node ``root`` depends on, once each, inputs before the nodes using them,
    ``root`` last. Deterministic: it follows operand order only (a depth-first walk
    that places a node after all its inputs, the first input's first)."""
    if not isinstance(root, Node):
        raise TypeError(f"topological_order needs a Value, not {type(root).__name__}")
    # Each walk marks the nodes it meets with two fresh tokens of its own, in a slot
    # on the node, instead of keeping a set of visited nodes: a set is read at random
    # and made the walk about twice as slow per node. Walks take turns (a lock, taken
    # once per walk), so threads walking graphs that share nodes (one model's
    # parameters) cannot disturb each other's marks.
    with _walk_lock:
        open_, done = object(), object()
        order: list = []
        place = order.append
        stack = [root]
        push, pop = stack.append, stack.pop
        while stack:
            node = pop()
            mark = node._mark
            if mark is done:  # a second path to a node already placed
                continue
            first = node._in0
            if mark is open_ or first is None:  # its inputs are all placed (or it has none)
                node._mark = done
                place(node)
                continue
            # First visit: place its inputs first, in operand order; the node comes
            # back off the stack after them. Inputs already placed (a layer's weights,
            # shared by every sample) are not pushed at all.
            second = node._in1
            if second is None:
                if first._mark is done:
                    node._mark = done
                    place(node)
                    continue
                node._mark = open_
                push(node)
                push(first)
            elif second is MANY:
                node._mark = open_
                push(node)
                for input in reversed(first):  # (a loop: cheaper here than a listcomp's call)
                    if input._mark is not done:
                        push(input)
            else:
                first_placed, second_placed = first._mark is done, second._mark is done
                if first_placed and second_placed:
                    node._mark = done
                    place(node)
                    continue
                node._mark = open_
                push(node)
                if not second_placed:
                    push(second)
                if not first_placed:
                    push(first)
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

    Where an infinite local derivative meets a zero (sqrt's slope at 0 times a zero
    gradient, or a zero slope times an infinite gradient), the zero wins: the step
    adds 0, never NaN, as in subgradient calculus (sqrt(x*x) at 0 gets 0).
    """
    if local_of is None and on_step is None:
        _backward_on_floats(order, leaves_from_zero)
        return
    start = 0.0 if local_of is None else None
    olds = _reset(order, start, keep_leaf_grads=not leaves_from_zero and start is not None)
    for node in reversed(order):
        upstream = node.grad  # ∂root/∂node: complete, every consumer came earlier
        if node._in0 is None:  # a leaf: no inputs to send to
            if olds is not None:
                node.grad = olds.pop() + upstream
            continue
        if not upstream and on_step is None:
            continue
        locals_ = node.local if local_of is None else local_of(node)
        for operand, (input, local) in enumerate(zip(node.inputs, locals_)):
            contribution = _contribution(local, upstream)
            grad = input.grad
            input.grad = contribution if grad is None else grad + contribution  # += : all paths
            if on_step is not None:
                on_step(node, operand, input, local, upstream, contribution)


def _reset(order: list, start, *, keep_leaf_grads: bool) -> list | None:
    """Start a pass: every grad set to ``start``, the root's to 1. With
    ``keep_leaf_grads``, returns the leaves' grads from before, for the loop to
    ``pop()`` (it meets the leaves in reverse order) and add back to each leaf when it
    reaches it: there the leaf's gradient is complete, every node using it came
    earlier. Otherwise None: leaves start from zero and keep this pass's gradient."""
    olds = []
    keep = olds.append
    for node in order:
        if node._in0 is None:
            keep(node.grad)
        node.grad = start
    order[-1].grad = _ONE
    return olds if keep_leaf_grads else None


def _contribution(local, upstream):
    """local × upstream, the root's locals as they are, and 0 × ∞ = 0 (see chain_rule).

    The test reads the numbers through ``float``, so it holds as well when the factors
    are nodes (``local_of`` building a derivative as a graph) as when they are floats."""
    contribution = local if upstream is _ONE else local * upstream
    product = float(contribution)
    if product != product and (not float(local) or not float(upstream)):
        contribution = 0.0
    return contribution


def _backward_on_floats(order: list, leaves_from_zero: bool) -> None:
    """``chain_rule`` for a plain backward pass on floats, which is most of backward's
    time: the same steps in the same order, written out per kind of node so that each
    edge costs one multiply and one add. With a finite upstream gradient, local ×
    upstream is never NaN unless the local derivative is, so the 0 × ∞ rule is needed
    only where a gradient is not finite. Leaves get their old grads back as in the
    general loop (see ``_reset``)."""
    olds = _reset(order, 0.0, keep_leaf_grads=not leaves_from_zero)
    old = float if olds is None else olds.pop  # (float() is 0.0: a leaf from zero)
    for node in reversed(order):
        upstream = node.grad  # ∂root/∂node: complete, every consumer came earlier
        first = node._in0
        if first is None:  # a leaf: this pass's gradient added to the one it had
            node.grad = old() + upstream
            continue
        if not upstream:  # no gradient to send back (a dead relu)
            continue
        if upstream - upstream:  # ±inf or NaN: the careful step of the general loop
            for input, local in zip(node.inputs, node.local):
                input.grad += _contribution(local, upstream)
            continue
        second = node._in1
        if second is None:
            first.grad += node._local0 * upstream
        elif second is MANY:
            for input, local in zip(first, node._local0):
                input.grad += local * upstream
        else:
            first.grad += node._local0 * upstream
            second.grad += node._local1 * upstream


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
