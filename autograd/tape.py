"""``Tape``: a graph recorded once and replayed as straight-line code.

A training loop builds the same graph at every step: only the numbers change. A
``Tape`` walks the graph under a root once and writes its forward and its backward
pass out as Python source, one line per node and one per edge, with no loops and no
objects made: a Wengert list, the code that reverse-mode differentiation really runs.
That source is compiled once; replaying it recomputes every node's data and local
derivatives in place from the leaves' current data (``forward``) and fills every grad
exactly as ``root.backward()`` does (``backward``). This is what tracing compilers
(``torch.jit.trace``, ``jax.jit``) do, and ``source()`` shows the code::

    tape = Tape(loss)                 # record once
    for step in range(100):
        tape.forward()                # the loss from the parameters' current data
        model.zero_grad()
        tape.backward()               # the same grads as loss.backward()
        optimizer.step()              # change the leaves' data, and replay

What a tape cannot see: it records the ops that ran, not the Python that chose them.
A branch on ``.data`` (``if x.data > 0``, a ``max`` taken of ``.data``), a loop whose
length depends on a value, a number computed from ``.data`` and used as a constant
(softmax's shift by the largest logit), anything computed under ``no_grad`` (a leaf)
all stay as they were when the tape was made. Where the graph itself would change
with the data, record a new tape (or build the graph again).

Errors are the ops' own: a replay that meets a domain error or an overflow recomputes
the graph node by node, in the tape's order, with each op's checked functions, and
raises the error of the first op that fails, as the op raises it when a graph is
built, with a note naming the node. Nothing is changed then: a replay writes back only
after every node has succeeded.
"""

from __future__ import annotations

import builtins
import keyword
import math
import unicodedata

from autograd import ops
from autograd.graph import chain_rule, local_targets, topological_order
from autograd.value import Value

__all__ = ["Tape"]


class Tape:
    """The graph under ``root``, recorded once, replayed by compiled straight-line code.

    ``forward()`` recomputes every node's ``data`` and ``local`` from the leaves'
    current data, in topological order, and returns the root's data;
    ``backward()`` fills every ``grad`` with exactly ``root.backward()``'s semantics
    (non-leaf grads replaced, leaf grads accumulated); ``source()`` is the Python
    code both run. See the module docstring for what a tape cannot see.
    """

    def __init__(self, root: Value):
        if not isinstance(root, Value):
            raise TypeError(f"Tape needs a Value, not {type(root).__name__}")
        self.root = root
        self._order = tuple(topological_order(root))
        self._source = _Writer(self._order).source()
        namespace = {**ops.TEXT_GLOBALS, "math": math}
        exec(compile(self._source, "<chainrule tape>", "exec"), namespace)
        self._forward, self._backward = namespace["forward"], namespace["backward"]

    def forward(self) -> float:
        """Recompute every node's data and local derivatives from the leaves' data, in
        place, and return the root's data. Raises the ops' own errors (see above)."""
        try:
            finished = self._forward(self._order)
        except (ArithmeticError, ValueError):
            finished = False
        if not finished:  # an error, or a value that is not finite: go node by node
            _checked_forward(self._order)
        return self.root.data

    def backward(self) -> None:
        """Exactly ``root.backward()`` over the recorded graph: every non-leaf grad is
        this pass's ∂root/∂node, every leaf adds its ∂root/∂leaf."""
        if not self._backward(self._order):
            # A gradient that is not finite: the chain-rule loop's careful steps
            # (0 × ∞ = 0) decide what each edge adds.
            chain_rule(list(self._order))

    def source(self) -> str:
        """The Python code of the forward and the backward pass (a Wengert list)."""
        return self._source

    def __len__(self) -> int:
        return len(self._order)

    def __repr__(self) -> str:
        return f"<Tape of {len(self._order)} nodes, root {self.root!r}>"


def _checked_forward(order: tuple) -> None:
    """The forward pass node by node with each op's own functions and checks, as the
    graph was built: raises what the first failing op raises (with a note naming the
    node); otherwise writes every node's data and local derivatives back."""
    values: dict = {}
    results = []
    for node in order:
        if not node.op:
            values[node] = node.data
            continue
        op = ops.BY_NAME[node.op]
        args = [values[input] for input in node.inputs]
        try:
            out = op.forward(*args)
            if out - out:  # inf or NaN
                ops.not_finite(op.name, out, *args)
            local = op.local(out, *args)
        except (ArithmeticError, ValueError) as error:
            if hasattr(error, "add_note"):  # Python 3.11 and later
                error.add_note(f"(replaying a Tape, at {_describe(node, order)})")
            raise
        values[node] = out
        results.append((node, out, local))
    for node, out, local in results:
        node.data = out
        node.local = local


def _describe(node, order) -> str:
    position = {n: i for i, n in enumerate(order)}

    def name(n):
        return n.label or f"n{position[n]}"

    return f"{name(node)} = {ops.BY_NAME[node.op].written([name(i) for i in node.inputs])}"


# Names the generated code must not take for a node: keywords, builtins, its own.
_RESERVED = set(keyword.kwlist) | set(dir(builtins)) | set(ops.TEXT_GLOBALS) | {"nodes", "local"}


class _Writer:
    """Writes the source of a recorded graph: ``forward(nodes)`` and ``backward(nodes)``,
    where ``nodes`` is the topological order. Every node has a variable for its data,
    named after its label where the label can be a Python name (else ``n`` and its
    position, as the step tables do), and one for its grad, ``<name>_grad``."""

    def __init__(self, order: tuple):
        self.order = order
        self.index = {node: i for i, node in enumerate(order)}
        self.taken = set(_RESERVED)
        self.name = {}
        for i, node in enumerate(order):
            name = unicodedata.normalize("NFKC", node.label)  # as Python reads a name
            if not name.isidentifier() or name in self.taken:
                name = f"n{i}"
            while name in self.taken or f"{name}_grad" in self.taken:
                name += "_"
            self.taken |= {name, f"{name}_grad"}
            self.name[node] = name

    def fresh(self, wanted: str) -> str:
        name = wanted
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def source(self) -> str:
        return "\n".join(self.forward() + [""] + self.backward()) + "\n"

    # ---------------------------------------------------------------- forward
    def forward(self) -> list[str]:
        lines = [
            "def forward(nodes):",
            "    # each node's data, then its local derivatives ∂node/∂input, inputs first",
        ]
        stores = []  # written back into the nodes once every value is known
        for i, node in enumerate(self.order):
            name = self.name[node]
            if not node.op:
                lines.append(f"    {name} = nodes[{i}].data")
                continue
            op = ops.BY_NAME[node.op]
            operands = [self.name[input] for input in node.inputs]
            lines.append(f"    {name} = {op.forward_source(operands)}")
            stores.append(f"    nodes[{i}].data = {name}")
            parts = op.local_parts(name, operands)
            if parts is None:  # a rule that is one call (pow's): unpack its tuple
                local = self.fresh(f"d{name}")
                lines.append(f"    {local} = {op.local_source(name, operands)}")
                stores.append(f"    {local_targets(f'nodes[{i}]', len(operands))} = {local}")
            elif all(map(_is_number, parts)):  # constant local derivatives (+, -, sum)
                pass
            elif len(operands) > 2:  # stored as one tuple (see graph.Node)
                stores.append(f"    nodes[{i}]._local0 = ({', '.join(parts)},)")
            else:
                variables = [self.fresh(f"d{name}_d{operand}") for operand in operands]
                lines.append(f"    {', '.join(variables)} = {', '.join(parts)}")
                slots = [f"nodes[{i}]._local{k}" for k in range(len(operands))]
                stores.append(f"    {', '.join(slots)} = {', '.join(variables)}")
        data = ", ".join(self.name[node] for node in self.order)
        lines += [
            "    if not math.isfinite(sum(("
            + data
            + ("," if len(self.order) == 1 else "")
            + "))):",
            "        return None  # an overflow to report, or non-finite leaves: node by node",
            "    # every value back into its node",
            *stores,
            "    return True",
        ]
        return lines

    # ---------------------------------------------------------------- backward
    def backward(self) -> list[str]:
        order = self.order
        grads = [f"{self.name[node]}_grad" for node in order]
        lines = [
            "def backward(nodes):",
            "    # from the root back, every edge: input.grad += ∂node/∂input × node.grad",
            f"    {grads[-1]} = 1.0",
        ]
        if len(order) > 1:
            lines.append(f"    {' = '.join(reversed(grads[:-1]))} = 0.0")
        for i in range(len(order) - 1, -1, -1):
            node = order[i]
            if not node.op:
                continue
            upstream = grads[i]
            lines.append(f"    if {upstream}:  # {self.written(node)}")
            op = ops.BY_NAME[node.op]
            inputs = node.inputs
            parts = op.local_parts("out", [f"x{k}" for k in range(len(inputs))])
            many = len(inputs) > 2
            if many and not all(map(_is_number, parts or ["x"])):
                lines.append(f"        local = nodes[{i}]._local0")
            for k, input in enumerate(inputs):
                target = f"{self.name[input]}_grad"
                if parts is not None and _is_number(parts[k]):
                    local = parts[k]  # a constant of the op (1.0 for +): no need to read it
                elif many:
                    local = f"local[{k}]"
                else:
                    local = f"nodes[{i}]._local{k}"
                if local == "1.0":
                    lines.append(f"        {target} += {upstream}")
                elif local == "-1.0":
                    lines.append(f"        {target} -= {upstream}")
                else:
                    lines.append(f"        {target} += {local} * {upstream}")
        all_grads = ", ".join(grads) + ("," if len(grads) == 1 else "")
        lines += [
            f"    if not math.isfinite(sum(({all_grads}))):",
            "        return False  # 0 × ∞ may have made a NaN: the chain-rule loop decides",
            "    # this pass's grads into the nodes: the leaves add theirs",
        ]
        for i, node in enumerate(order):
            operator = "+=" if not node.op else "="
            lines.append(f"    nodes[{i}].grad {operator} {grads[i]}")
        lines.append("    return True")
        return lines

    def written(self, node) -> str:
        operands = [self.name[input] for input in node.inputs]
        return f"{self.name[node]} = {ops.BY_NAME[node.op].written(operands)}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
