"""Recurrent cells and backprop through time: ``RNNCell``, ``LSTMCell``, ``GRUCell``,
``unroll`` and ``RNN`` (a cell with a linear readout).

A cell maps one input and the previous state to the next state. ``unroll`` applies it
along a sequence; the graph it builds is the network unrolled in time, so ``backward``
on a loss at the end is backprop through time, and each state's ``grad`` shows the
gradient arriving at that step.

``LSTMCell`` and ``GRUCell`` follow PyTorch's ``nn.LSTMCell`` and ``nn.GRUCell``
exactly: the same equations, gate order, parameters (``weight_ih``, ``weight_hh``,
``bias_ih``, ``bias_hh``, one row per gate unit) and initialisation, so ``to_torch``
maps one onto the other. Every gate unit's pre-activation is two ``dot`` nodes, one
for the input and one for the previous state, exactly PyTorch's two terms.

References: J. Elman, "Finding structure in time" (1990); S. Hochreiter and
J. Schmidhuber, "Long short-term memory" (1997); K. Cho et al., "Learning phrase
representations using RNN encoder-decoder for statistical machine translation" (2014).
"""

from __future__ import annotations

import math

from autograd import Value, dot, dots
from nn.checks import integer, values
from nn.module import Module, activate, check_activation, generator, uniform

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "unroll", "RNN"]


def _zeros(n: int) -> tuple[Value, ...]:
    """The zero state a cell starts from when given none."""
    return tuple(Value(0.0) for _ in range(n))


class _GatedCell(Module):
    """What LSTMCell and GRUCell share: ``gates`` blocks of ``nhidden`` rows each in
    ``weight_ih`` (gates * nhidden x nin), ``weight_hh`` (gates * nhidden x nhidden),
    ``bias_ih`` and ``bias_hh``, all uniform in [-1/sqrt(nhidden), 1/sqrt(nhidden)]."""

    gates = 0  # set by each subclass

    def __init__(self, nin: int, nhidden: int, seed=None):
        who = type(self).__name__
        nin, nhidden = integer(nin, f"{who} nin"), integer(nhidden, f"{who} nhidden")
        rng = generator(seed)
        rows, bound = self.gates * nhidden, 1.0 / math.sqrt(nhidden)
        # PyTorch's parameters, drawn in its order of registration.
        self.weight_ih = uniform(rng, bound, (rows, nin), "w_ih")
        self.weight_hh = uniform(rng, bound, (rows, nhidden), "w_hh")
        self.bias_ih = uniform(rng, bound, (rows,), "b_ih")
        self.bias_hh = uniform(rng, bound, (rows,), "b_hh")

    @property
    def nin(self) -> int:
        return len(self.weight_ih[0])

    @property
    def nhidden(self) -> int:
        return len(self.weight_hh[0])

    def _terms(self, xs, hs, gate: int) -> tuple[list[Value], list[Value]]:
        """For every unit of gate ``gate``: W_i x + b_i and W_h h + b_h, each one dot."""
        rows = slice(gate * self.nhidden, (gate + 1) * self.nhidden)
        return (
            dots(self.weight_ih[rows], xs, self.bias_ih[rows]),
            dots(self.weight_hh[rows], hs, self.bias_hh[rows]),
        )

    def _gate(self, xs, hs, gate: int, squash: str) -> list[Value]:
        """sigma or tanh of (W_i x + b_i + W_h h + b_h), for every unit of a gate."""
        from_input, from_state = self._terms(xs, hs, gate)
        return [activate(a + b, squash) for a, b in zip(from_input, from_state)]

    def _describe(self) -> str:
        return f"{self.nin}, {self.nhidden}"


class LSTMCell(_GatedCell):
    """A long short-term memory cell (PyTorch's ``nn.LSTMCell``).

    ``cell(x, state=None) -> (h, c)``::

        i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     input gate
        f  = sigmoid(W_if x + b_if + W_hf h + b_hf)     forget gate
        g  = tanh(W_ig x + b_ig + W_hg h + b_hg)        cell candidate
        o  = sigmoid(W_io x + b_io + W_ho h + b_ho)     output gate
        c' = f * c + i * g                              (one dot node per unit)
        h' = o * tanh(c')

    Shapes: ``x`` holds ``nin`` numbers or Values; ``state`` is a pair ``(h, c)`` of
    ``nhidden`` each, or None for zeros; ``h'`` and ``c'`` are lists of ``nhidden``
    Values. The cell state ``c`` is the memory: its path through time is additive
    (``f * c``), which is what lets gradients survive many steps.

    Parameters, as PyTorch lays them out, gates stacked in the order
    (input, forget, cell, output), ``nhidden`` rows each:
    ``weight_ih`` (4*nhidden rows of ``nin``), ``weight_hh`` (4*nhidden rows of
    ``nhidden``), ``bias_ih`` and ``bias_hh`` (4*nhidden each). All start uniform in
    [-1/sqrt(nhidden), 1/sqrt(nhidden)], as in PyTorch; same seed, same values.
    """

    gates = 4

    def __call__(self, x, state=None) -> tuple[list[Value], list[Value]]:
        xs = values(x, self.nin, "LSTMCell")
        if state is None:
            hs = cs = _zeros(self.nhidden)
        else:
            pair = isinstance(state, (tuple, list)) and len(state) == 2
            if not pair or not all(isinstance(part, (tuple, list)) for part in state):
                raise ValueError("LSTMCell state must be a pair (h, c) of lists, or None for zeros")
            hs = values(state[0], self.nhidden, "LSTMCell state h")
            cs = values(state[1], self.nhidden, "LSTMCell state c")
        i = self._gate(xs, hs, 0, "sigmoid")
        f = self._gate(xs, hs, 1, "sigmoid")
        g = self._gate(xs, hs, 2, "tanh")
        o = self._gate(xs, hs, 3, "sigmoid")
        c_next = [dot((f_k, i_k), (c_k, g_k)) for f_k, i_k, c_k, g_k in zip(f, i, cs, g)]
        h_next = [o_k * c_k.tanh() for o_k, c_k in zip(o, c_next)]
        return h_next, c_next


class GRUCell(_GatedCell):
    """A gated recurrent unit (PyTorch's ``nn.GRUCell``).

    ``cell(x, h=None) -> h'``::

        r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     reset gate
        z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)     update gate
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))  candidate
        h' = (1 - z) * n + z * h                        (one dot node per unit)

    The reset gate multiplies W_hn h + b_hn, bias included, as in PyTorch (the
    original paper applies it to h before the product).

    Shapes: ``x`` holds ``nin`` numbers or Values; ``h`` holds ``nhidden``, or None
    for zeros; ``h'`` is a list of ``nhidden`` Values.

    Parameters, as PyTorch lays them out, gates stacked in the order (reset, update,
    candidate), ``nhidden`` rows each: ``weight_ih`` (3*nhidden rows of ``nin``),
    ``weight_hh`` (3*nhidden rows of ``nhidden``), ``bias_ih`` and ``bias_hh``
    (3*nhidden each). All start uniform in [-1/sqrt(nhidden), 1/sqrt(nhidden)], as
    in PyTorch; same seed, same values.
    """

    gates = 3

    def __call__(self, x, h=None) -> list[Value]:
        xs = values(x, self.nin, "GRUCell")
        hs = _zeros(self.nhidden) if h is None else values(h, self.nhidden, "GRUCell state")
        r = self._gate(xs, hs, 0, "sigmoid")
        z = self._gate(xs, hs, 1, "sigmoid")
        from_input, from_state = self._terms(xs, hs, 2)
        n = [(a + r_k * b).tanh() for a, r_k, b in zip(from_input, r, from_state)]
        return [dot((1.0 - z_k, z_k), (n_k, h_k)) for z_k, n_k, h_k in zip(z, n, hs)]


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
        sums = dots([wx + wh for wx, wh in zip(self.wx, self.wh)], inputs, self.b)
        return [activate(z, self.activation) for z in sums]

    def _describe(self) -> str:
        return f"{self.nin}, {self.nhidden}, activation={self.activation!r}"


def unroll(cell, xs, state=None) -> list:
    """Run ``cell`` over the sequence ``xs`` (one input per time step) from ``state``
    (zeros if None) and return the state after every step: a list of ``nhidden``
    Values per step for ``RNNCell`` and ``GRUCell``, a pair ``(h, c)`` for ``LSTMCell``.

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
        self.label_parameters()  # cell.wx0_0, ..., wy0_0, by0

    def __call__(self, xs, h0=None) -> tuple[list[list[Value]], list[list[Value]]]:
        hiddens = unroll(self.cell, xs, h0)
        outputs = [dots(self.wy, h, self.by) for h in hiddens]
        return outputs, hiddens

    def _describe(self) -> str:
        c = self.cell
        return f"{c.nin}, {c.nhidden}, {len(self.by)}, activation={c.activation!r}"
