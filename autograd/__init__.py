"""chainrule's engine: scalar reverse-mode automatic differentiation.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)

The modules, each importing only those below it: ``cli`` (the command), ``expr``
(expressions typed on the command line), ``stepper``, ``grading`` (the checker),
``drawing`` (the graph as DOT), ``render`` (running dot; ``Drawing``), ``steps`` (the
recorded pass and its tables), ``text`` (how numbers and names are written),
``calculus`` (derivatives of derivatives, forward mode), ``tape`` (record once,
replay as compiled code), ``gradcheck``, ``value``
(``Value``), ``graph`` (the walk and the chain-rule loop), ``ops`` (every op).
"""

import importlib

from autograd.calculus import grad, gradgradcheck, hessian, jacobian, jvp
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.grading import check_gradients
from autograd.graph import topological_order
from autograd.steps import Step, Steps, backprop_steps
from autograd.tape import Tape
from autograd.value import Value, dot, dots, no_grad, sum_of

__all__ = [
    "Value",
    "no_grad",
    "sum_of",
    "dot",
    "dots",
    "topological_order",
    "backprop_steps",
    "Step",
    "Steps",
    "draw",
    "RendererNotFoundError",
    "Stepper",
    "check_gradients",
    "gradcheck",
    "GradcheckError",
    "grad",
    "jacobian",
    "hessian",
    "jvp",
    "gradgradcheck",
    "Tape",
]

# The pictures need the graphviz package; the engine does not. These names load their
# modules when first used, so `import autograd` (and autograd.value, graph, ops) works
# on a machine without graphviz.
_NEED_GRAPHVIZ = {
    "draw": "autograd.drawing",
    "RendererNotFoundError": "autograd.render",
    "Stepper": "autograd.stepper",
}


def __getattr__(name: str):
    if name not in _NEED_GRAPHVIZ:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    value = getattr(importlib.import_module(_NEED_GRAPHVIZ[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
