"""Layers: ``Neuron``, ``Layer`` and ``MLP``.

Inputs are numbers or Values, in lists. Each weighted sum is one ``dot`` node with the
bias folded in: a neuron's w·x + b.

Default initialisation of ``Neuron``, ``Layer`` and ``MLP``: weights uniform in
[-sqrt(6/nin), sqrt(6/nin)], biases 0. This is Kaiming He's initialisation for relu
networks ("Delving deep into rectifiers", 2015; PyTorch's ``kaiming_uniform_``):
weights of variance 2/nin keep the variance of relu activations about the same from
layer to layer, so a deep stack starts neither exploding nor vanishing. (micrograd
draws every weight from [-1, 1] whatever the fan-in.) Same seed, same weights, bit for
bit.
"""

from __future__ import annotations

import math

from autograd import Value, dot
from nn.checks import integer, values
from nn.module import Module, activate, check_activation, generator, uniform

__all__ = ["Neuron", "Layer", "MLP"]


# ===================================================================== MLP
class Neuron(Module):
    """act(w · x + b): ``nin`` weights ``w`` and a bias ``b``; returns one Value.

    The weighted sum is one n-ary node, ``dot(w, x, b)``: a single node with the
    bias folded in, not a chain of ``*`` and ``+``. That keeps graphs small,
    backward fast, and drawings readable. Initialisation: see the module docstring.
    """

    def __init__(self, nin: int, activation: str = "relu", seed=None):
        nin = integer(nin, "Neuron nin")
        self.activation = check_activation(activation)
        rng = generator(seed)
        self.w = uniform(rng, math.sqrt(6.0 / nin), (nin,), "w")
        self.b = Value(0.0, label="b")

    def __call__(self, x) -> Value:
        return self._forward(values(x, len(self.w), "Neuron"))

    def _forward(self, inputs: tuple[Value, ...]) -> Value:
        # ``inputs`` are Values already: a Layer prepares them once for all its neurons.
        return activate(dot(self.w, inputs, self.b), self.activation)

    def _describe(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout``
    Values (a list even when ``nout`` is 1). PyTorch's equivalent is ``nn.Linear``
    followed by the activation: row i of its weight is ``neurons[i].w``."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed=None):
        nin, nout = integer(nin, "Layer nin"), integer(nout, "Layer nout")
        rng = generator(seed)
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]
        self.activation = check_activation(activation)

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def __call__(self, x) -> list[Value]:
        inputs = values(x, self.nin, "Layer")
        return [n._forward(inputs) for n in self.neurons]

    def _describe(self) -> str:
        return f"{self.nin}, {self.nout}, activation={self.activation!r}"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of
    ``nouts``. Hidden layers use ``activation``; the last layer is linear (its
    outputs are scores or logits, for a loss to read). Returns a list of Values."""

    def __init__(self, nin: int, nouts, activation: str = "relu", seed=None):
        nin = integer(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise ValueError(f"MLP nouts must be a list of layer sizes, got {nouts!r}")
        nouts = [integer(n, "MLP layer size") for n in nouts]
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts")
        self.activation = check_activation(activation)
        rng = generator(seed)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear", seed=rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def _describe(self) -> str:
        nouts = [layer.nout for layer in self.layers]
        text = f"{self.layers[0].nin}, {nouts}, activation={self.activation!r}"
        frozen = [i for i, layer in enumerate(self.layers) if layer.frozen]
        if frozen and not self.frozen:  # a frozen MLP says frozen=True instead
            text += f", frozen_layers={frozen}"
        return text
