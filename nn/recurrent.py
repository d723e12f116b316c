"""Recurrent cells and backprop through time: ``RNNCell``, ``unroll`` and ``RNN`` (a
cell with a linear readout).

A cell maps one input and the previous state to the next state. ``unroll`` applies it
along a sequence; the graph it builds is the network unrolled in time, so ``backward``
on a loss at the end is backprop through time, and each state's ``grad`` shows the
gradient arriving at that step.

References: J. Elman, "Finding structure in time" (1990).
"""

from __future__ import annotations

import math

from autograd import Value, dot
from nn.checks import integer, values
from nn.module import Module, activate, check_activation, generator, uniform

__all__ = ["RNNCell", "unroll", "RNN"]


def _zeros(n: int) -> tuple[Value, ...]:
    """The zero state a cell starts from when given none."""
    return tuple(Value(0.0) for _ in range(n))


class RNNCell(Module):
    """An Elman recurrent cell: h' = act(W_x x + W_h h + b).

    ``cell(x, h=None) -> h'``: ``x`` holds ``nin`` numbers or Values (or is one number
    when ``nin`` is 1), ``h`` holds ``nhidden`` or is None for zeros, and ``h'`` is a
    list of ``nhidden`` Values. ``activation`` is "tanh" (the default), "relu",
    "sigmoid" or "linear".

    Parameters: hidden unit i owns ``wx[i]`` (``nin`` weights), ``wh[i]`` (``nhidden``
    weights) and ``b[i]``, and computes its pre-activation as one dot node. Weights
    start uniform in [-1/sqrt(nhidden), 1/sqrt(nhidden)] (as PyTorch's ``nn.RNNCell``),
    biases at 0. PyTorch's cell has two biases, ``bias_ih + bias_hh``; this one has
    their sum, ``b``.
    """

    def __init__(self, nin: int, nhidden: int, activation: str = "tanh", seed=None):
        nin, nhidden = integer(nin, "RNNCell nin"), integer(nhidden, "RNNCell nhidden")
        self.activation = check_activation(activation)
        rng = generator(seed)
        bound = 1.0 / math.sqrt(nhidden)
        self.wx = uniform(rng, bound, (nhidden, nin), "wx")
        self.wh = uniform(rng, bound, (nhidden, nhidden), "wh")
        self.b = [Value(0.0, label=f"b{i}") for i in range(nhidden)]

    @property
    def nin(self) -> int:
        return len(self.wx[0])

    @property
    def nhidden(self) -> int:
        return len(self.b)

    def __call__(self, x, h=None) -> list[Value]:
        xs = values(x, self.nin, "RNNCell")
        hs = _zeros(self.nhidden) if h is None else values(h, self.nhidden, "RNNCell state")
        inputs = xs + hs
        return [
            activate(dot(wx + wh, inputs, b), self.activation)
            for wx, wh, b in zip(self.wx, self.wh, self.b)
        ]

    def _describe(self) -> str:
        return f"{self.nin}, {self.nhidden}, activation={self.activation!r}"


def unroll(cell, xs, state=None) -> list:
    """Run ``cell`` over the sequence ``xs`` (one input per time step) from ``state``
    (zeros if None) and return the state after every step, a list of ``nhidden``
    Values per step.

    The states are graph nodes: after ``backward`` their ``grad`` is ∂loss/∂state,
    which is how to watch a gradient travel back through time.
    """
    states = []
    for x in xs:
        state = cell(x, state)
        states.append(state)
    return states


class RNN(Module):
    """An Elman RNN with a linear readout: h_t = act(W_x x_t + W_h h_{t-1} + b), then
    y_t = W_y h_t + b_y.

    ``rnn(xs, h0=None)`` unrolls over the sequence ``xs`` (one input per step: a list
    of ``nin`` numbers or Values, or one number when ``nin`` is 1) for backprop
    through time and returns ``(outputs, hiddens)``: per time step, the ``nout``
    outputs and the ``nhidden`` hidden Values.

    Parameters: ``cell`` (an ``RNNCell``), then the readout's ``wy`` (``nout`` rows of
    ``nhidden``) and ``by`` (``nout``), which start uniform in
    [-1/sqrt(nhidden), 1/sqrt(nhidden)] as PyTorch's ``nn.Linear``. Each output is one
    dot node.
    """

    def __init__(self, nin: int, nhidden: int, nout: int, activation: str = "tanh", seed=None):
        rng = generator(seed)
        self.cell = RNNCell(nin, nhidden, activation, seed=rng)
        nout = integer(nout, "RNN nout")
        bound = 1.0 / math.sqrt(self.cell.nhidden)
        self.wy = uniform(rng, bound, (nout, self.cell.nhidden), "wy")
        self.by = uniform(rng, bound, (nout,), "by")

    def __call__(self, xs, h0=None) -> tuple[list[list[Value]], list[list[Value]]]:
        hiddens = unroll(self.cell, xs, h0)
        outputs = [[dot(w, h, b) for w, b in zip(self.wy, self.by)] for h in hiddens]
        return outputs, hiddens

    def _describe(self) -> str:
        c = self.cell
        return f"{c.nin}, {c.nhidden}, {len(self.by)}, activation={c.activation!r}"
