"""chainrule's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.backward()
>>> a.grad, b.grad
(-2.0, 2.0)
"""

from autograd.draw import RendererNotFoundError, draw
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.graph import Step, Steps, backprop_steps, topological_order
from autograd.stepper import Stepper, check_gradients
from autograd.value import Value, dot, no_grad, sum_of

__all__ = [
    "Value",
    "no_grad",
    "sum_of",
    "dot",
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
]
