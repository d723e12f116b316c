"""Layers: ``Neuron``, ``Layer``, ``MLP``; ``Conv2d``, ``MaxPool2d``, ``Flatten``; the
activations ``ReLU``, ``Tanh``, ``Sigmoid``; ``Dropout``; ``Embedding``; ``RMSNorm``; and
``softmax``.

Inputs are numbers or Values, in nested lists: a vector is a list, an image is
``[channel][row][column]``. Every layer but ``Neuron``/``Layer``/``MLP`` follows the
PyTorch layer of the same name (equations, parameter layout, initialisation), so that
``to_torch`` can mirror it exactly; each docstring states the equation, the shapes, the
parameters and how they start.

Each weighted sum is one ``dot`` node (bias folded in): a neuron's w·x + b, and each
output pixel of a convolution, whose inputs are the kernel weights and the pixels under
the kernel. A convolution's weights are shared by every position, so after ``backward``
a kernel weight's ``grad`` is the sum of what it received at every position it touched.
Max pooling and embedding lookups make no node: they select Values, so the gradient
goes exactly to what was selected.

Default initialisation of ``Neuron``, ``Layer`` and ``MLP``: weights uniform in
[-sqrt(6/nin), sqrt(6/nin)] (Kaiming He's, for relu networks: "Delving deep into
rectifiers", 2015, PyTorch's ``kaiming_uniform_``) and biases uniform in
[-1/sqrt(nin), 1/sqrt(nin)] (PyTorch's ``nn.Linear`` biases). Weights of variance
2/nin keep the size of relu activations about level from layer to layer. Random
biases matter for low-dimensional inputs: with zero biases every first-layer unit's
kink is a line through the origin, and on micrograd's two-moons demo (MLP(2, [16, 16,
1]), hinge + L2, 100 SGD steps, data and weights seeded alike) zero biases reach 100%
training accuracy on 15 of seeds 0-19, these biases on 19. (micrograd draws every
weight from [-1, 1] whatever the fan-in.) Same seed, same weights, bit for bit.
"""

from __future__ import annotations

import math
import numbers

from autograd import Value, dot, dots, sum_of
from nn.checks import integer, number, values
from nn.module import Module, activate, check_activation, generator, uniform

# fmt: off
__all__ = [
    "Neuron", "Layer", "MLP", "Conv2d", "MaxPool2d", "Flatten", "ReLU", "Tanh", "Sigmoid",
    "Dropout", "Embedding", "RMSNorm", "softmax",
]
# fmt: on


# ===================================================================== nested lists
def _is_nested(x) -> bool:
    return isinstance(x, (list, tuple))


def _as_value(v) -> Value:
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real):
        return Value(v)
    raise TypeError(f"inputs must be numbers or Values, not {type(v).__name__}")


def _map(fn, x):
    """``fn`` applied to every number or Value in nested lists ``x``, in row-major
    order, keeping the nesting; ``fn(x)`` for a lone number or Value."""
    if not _is_nested(x):
        return fn(x)
    result: list = []
    stack = [(iter(x), result)]  # explicit stack: any depth, no recursion
    while stack:
        items, out = stack[-1]
        for item in items:
            if _is_nested(item):
                inner: list = []
                out.append(inner)
                stack.append((iter(item), inner))
                break
            out.append(fn(item))
        else:
            stack.pop()
    return result


def flatten(x) -> list:
    """The numbers and Values in nested lists ``x``, in row-major order (what
    ``Flatten`` returns; ``export`` reads parameters with it)."""
    flat: list = []
    _map(flat.append, x)
    return flat


def _image(x, who: str, channels: int | None = None) -> list[list[list[Value]]]:
    """``x`` as [channel][row][column] of Values, checked to be rectangular (and to
    have ``channels`` channels when given); numbers are lifted once here."""
    if not (_is_nested(x) and x and _is_nested(x[0]) and x[0] and _is_nested(x[0][0])):
        raise ValueError(f"{who} expects an image as nested lists [channel][row][column]")
    if channels is not None and len(x) != channels:
        raise ValueError(f"{who} expects {channels} channel(s), got {len(x)}")
    rows, columns = len(x[0]), len(x[0][0])
    for c, channel in enumerate(x):
        if not _is_nested(channel) or len(channel) != rows:
            raise ValueError(f"{who}: channel {c} is not {rows} rows, as channel 0 is")
        for r, row in enumerate(channel):
            if not _is_nested(row) or len(row) != columns or not columns:
                raise ValueError(
                    f"{who}: row {r} of channel {c} is not {columns} numbers, as row 0 is"
                    if columns
                    else f"{who}: an image needs at least one column"
                )
    return [[[_as_value(v) for v in row] for row in channel] for channel in x]


def _pair(x, name: str, *, low: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), as PyTorch takes sizes."""
    if _is_nested(x) and len(x) == 2:
        return integer(x[0], name, low=low), integer(x[1], name, low=low)
    n = integer(x, name, low=low)
    return n, n


def _output_size(size: int, kernel: int, stride: int, padding: int, who: str, side: str) -> int:
    """PyTorch's output size, floor((size + 2*padding - kernel) / stride) + 1."""
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        padded = f"{size} + 2 x {padding} padding" if padding else str(size)
        raise ValueError(
            f"{who}: the input's {side} ({padded}) is smaller than the kernel's ({kernel})"
        )
    return out


def _show_pair(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else str(pair)


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
        bound = 1.0 / math.sqrt(nin)
        self.b = Value(rng.uniform(-bound, bound), label="b")

    def __call__(self, x) -> Value:
        inputs = values(x, len(self.w), "Neuron")
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
        self.label_parameters()  # n0.w1, n0.b, n1.w0, ...

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def __call__(self, x) -> list[Value]:
        inputs = values(x, self.nin, "Layer")
        neurons = self.neurons
        # The same nodes as calling each neuron, made with the inputs read once.
        sums = dots([n.w for n in neurons], inputs, [n.b for n in neurons])
        return [activate(z, n.activation) for z, n in zip(sums, neurons)]

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
        self.label_parameters()  # l0.n0.w1, ...

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


# ===================================================================== images
class Conv2d(Module):
    """2-D convolution, as PyTorch's ``nn.Conv2d`` (a cross-correlation: the kernel
    is not flipped)::

        out[o][i][j] = bias[o] + sum over c, r, s of
                       weight[o][c][r][s] * x[c][i*stride + r - padding][j*stride + s - padding]

    Shapes: ``x`` is [in_channels][H][W]; the output is [out_channels][H'][W'] with
    H' = floor((H + 2*padding - kernel_size) / stride) + 1, and W' likewise.
    ``kernel_size``, ``stride`` and ``padding`` are ints or (height, width) pairs.

    Each output pixel is one ``dot`` node whose inputs are the kernel weights and the
    pixels under them. Padding adds zeros around the image; the positions that fall on
    them are left out of the dot rather than multiplied by zero constants, which
    changes no value and no gradient.

    Parameters: ``weight`` [out_channels][in_channels][kh][kw] and ``bias``
    [out_channels], all uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)] with fan_in =
    in_channels * kh * kw, as in PyTorch.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, *, stride=1, padding=0, seed=None
    ):
        self.in_channels = integer(in_channels, "Conv2d in_channels")
        self.out_channels = integer(out_channels, "Conv2d out_channels")
        self.kernel_size = _pair(kernel_size, "Conv2d kernel_size", low=1)
        self.stride = _pair(stride, "Conv2d stride", low=1)
        self.padding = _pair(padding, "Conv2d padding", low=0)
        kh, kw = self.kernel_size
        rng = generator(seed)
        bound = 1.0 / math.sqrt(self.in_channels * kh * kw)
        self.weight = uniform(rng, bound, (self.out_channels, self.in_channels, kh, kw), "w")
        self.bias = uniform(rng, bound, (self.out_channels,), "b")

    def __call__(self, x) -> list[list[list[Value]]]:
        image = _image(x, "Conv2d", self.in_channels)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        height, width = len(image[0]), len(image[0][0])
        out_h = _output_size(height, kh, sh, ph, "Conv2d", "height")
        out_w = _output_size(width, kw, sw, pw, "Conv2d", "width")
        # Per output position, the kernel rows and columns that land inside the image
        # (all of them but at the padded border), the pixels under them and, for every
        # output channel, the kernel's weights there: those are the same rows wherever
        # the same part of the kernel is inside, so they are gathered once per part.
        # Every output channel reads the same window: one dots call per position makes
        # its pixel in all the channels.
        channels = range(self.in_channels)
        weights_at: dict = {}
        at_position = []
        for i in range(out_h):
            top = i * sh - ph
            kernel_rows = range(max(0, -top), min(kh, height - top))
            for j in range(out_w):
                left = j * sw - pw
                kernel_columns = range(max(0, -left), min(kw, width - left))
                pixels = [
                    image[c][top + r][left + s]
                    for c in channels
                    for r in kernel_rows
                    for s in kernel_columns
                ]
                rows = weights_at.get(inside := (kernel_rows, kernel_columns))
                if rows is None:
                    rows = weights_at[inside] = [
                        [k[c][r][s] for c in channels for r in kernel_rows for s in kernel_columns]
                        for k in self.weight
                    ]
                at_position.append(dots(rows, pixels, self.bias))
        return [
            [[at_position[i * out_w + j][o] for j in range(out_w)] for i in range(out_h)]
            for o in range(self.out_channels)
        ]

    def _describe(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={_show_pair(self.kernel_size)}"
        )
        if self.stride != (1, 1):
            text += f", stride={_show_pair(self.stride)}"
        if self.padding != (0, 0):
            text += f", padding={_show_pair(self.padding)}"
        return text


class MaxPool2d(Module):
    """2-D max pooling, as PyTorch's ``nn.MaxPool2d`` (without padding)::

        out[c][i][j] = max over r, s of x[c][i*stride + r][j*stride + s]

    Shapes: [C][H][W] -> [C][H'][W'], H' = floor((H - kernel_size) / stride) + 1 and
    W' likewise; ``stride`` defaults to ``kernel_size`` (windows side by side).
    ``kernel_size`` and ``stride`` are ints or (height, width) pairs.

    No new node: each output *is* the largest input of its window (the first in
    row-major order on a tie, as PyTorch picks), so in backward the whole gradient
    goes to that one input and none to the others. No parameters.
    """

    def __init__(self, kernel_size, stride=None):
        self.kernel_size = _pair(kernel_size, "MaxPool2d kernel_size", low=1)
        self.stride = (
            self.kernel_size if stride is None else _pair(stride, "MaxPool2d stride", low=1)
        )

    def __call__(self, x) -> list[list[list[Value]]]:
        image = _image(x, "MaxPool2d")
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        height, width = len(image[0]), len(image[0][0])
        out_h = _output_size(height, kh, sh, 0, "MaxPool2d", "height")
        out_w = _output_size(width, kw, sw, 0, "MaxPool2d", "width")
        return [
            [
                [
                    max(
                        (plane[i * sh + r][j * sw + s] for r in range(kh) for s in range(kw)),
                        key=_data,
                    )
                    for j in range(out_w)
                ]
                for i in range(out_h)
            ]
            for plane in image
        ]

    def _describe(self) -> str:
        text = f"kernel_size={_show_pair(self.kernel_size)}"
        if self.stride != self.kernel_size:
            text += f", stride={_show_pair(self.stride)}"
        return text


def _data(v: Value) -> float:
    return v.data


class Flatten(Module):
    """Nested lists (an image [C][H][W], say) -> one flat list, in row-major order,
    as PyTorch's ``torch.flatten`` on the whole unbatched tensor. Makes no node."""

    def __call__(self, x) -> list:
        return flatten(x)


# ===================================================================== activations
class _Elementwise(Module):
    """An activation applied to every number or Value in nested lists (or to one)."""

    function = ""  # an activation name, set by each subclass

    def __call__(self, x):
        return _map(lambda v: activate(_as_value(v), self.function), x)


class ReLU(_Elementwise):
    """max(0, x) elementwise on nested lists (PyTorch's ``nn.ReLU``); relu'(0) = 0."""

    function = "relu"


class Tanh(_Elementwise):
    """tanh(x) elementwise on nested lists (PyTorch's ``nn.Tanh``)."""

    function = "tanh"


class Sigmoid(_Elementwise):
    """1 / (1 + exp(-x)) elementwise on nested lists (PyTorch's ``nn.Sigmoid``)."""

    function = "sigmoid"


# ===================================================================== regularisation
class Dropout(Module):
    """Dropout (Srivastava et al., 2014), as PyTorch's ``nn.Dropout``.

    In training mode (``.training``, how every module starts) each number in the
    nested lists ``x`` is zeroed with probability ``p`` and the others are scaled by
    1/(1-p), so the expected output equals the input; after ``eval()`` it returns
    ``x`` unchanged. A zeroed element is a new constant 0, not connected to its
    input, so that input gets no gradient through it (as in PyTorch). Masks are
    drawn in row-major order from a generator seeded by ``seed``: the same seed gives
    the same sequence of masks. No parameters.
    """

    def __init__(self, p: float = 0.5, seed=None):
        self.p = number(p, "Dropout p", at_least=0.0, at_most=1.0)
        self._rng = generator(seed)

    def __call__(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return _map(lambda v: Value(0.0), x)
        p, scale, draw = self.p, 1.0 / (1.0 - self.p), self._rng.random
        return _map(lambda v: Value(0.0) if draw() < p else _as_value(v) * scale, x)

    def _describe(self) -> str:
        return f"p={self.p!r}"


# ===================================================================== sequences
class Embedding(Module):
    """A lookup table, as PyTorch's ``nn.Embedding``: ``emb(index)`` returns row
    ``index`` of ``weight``, a list of ``dim`` Values, for an int index from 0 to
    ``num_embeddings - 1``.

    The row returned holds the parameters themselves (in a new list): a lookup
    selects, it makes no node, so gradients from every use of a token add up in its
    row. Parameters: ``weight``, ``num_embeddings`` rows of ``dim``, drawn from the
    standard normal distribution N(0, 1), as in PyTorch.
    """

    def __init__(self, num_embeddings: int, dim: int, seed=None):
        num_embeddings = integer(num_embeddings, "Embedding num_embeddings")
        dim = integer(dim, "Embedding dim")
        rng = generator(seed)
        self.weight = [
            [Value(rng.gauss(0.0, 1.0), label=f"e{i}_{j}") for j in range(dim)]
            for i in range(num_embeddings)
        ]

    def __call__(self, index) -> list[Value]:
        i = integer(index, "Embedding index", low=0, high=len(self.weight) - 1)
        return list(self.weight[i])

    def _describe(self) -> str:
        return f"{len(self.weight)}, {len(self.weight[0])}"


class RMSNorm(Module):
    """Root-mean-square normalisation (Zhang and Sennrich, 2019), as PyTorch's
    ``nn.RMSNorm(dim, eps)``::

        y_i = x_i / sqrt(mean(x²) + eps) * weight_i

    Shapes: ``x`` holds ``dim`` numbers or Values; the output is a list of ``dim``
    Values. It rescales a vector to unit root-mean-square, which keeps activations
    level through deep stacks (the normalisation of Llama-style transformers).
    Parameters: ``weight`` (``dim``), starting at 1.
    """

    def __init__(self, dim: int, *, eps: float = 1e-5):
        dim = integer(dim, "RMSNorm dim")
        self.eps = number(eps, "RMSNorm eps", above=0.0)
        self.weight = [Value(1.0, label=f"g{i}") for i in range(dim)]

    def __call__(self, x) -> list[Value]:
        xs = values(x, len(self.weight), "RMSNorm")
        mean_square = dot(xs, xs) * (1.0 / len(xs))
        inverse_rms = (mean_square + self.eps) ** -0.5
        return [x_i * inverse_rms * g for x_i, g in zip(xs, self.weight)]

    def _describe(self) -> str:
        return f"{len(self.weight)}, eps={self.eps!r}"


def softmax(logits) -> list[Value]:
    """exp(z_i) / sum_j exp(z_j) for a list of logits, as Values summing to 1.

    Stable for any logits: the largest one, m, a plain number, is subtracted first,
    exp(z_i - m) / sum_j exp(z_j - m), which is the same function with nothing that
    can overflow. A few nodes per logit and one ``sum_of``: attention weights, or a
    model's class probabilities.
    """
    if not _is_nested(logits) or not logits:
        raise ValueError("softmax needs a non-empty list of logits")
    zs = values(logits, len(logits), "softmax")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = sum_of(exps)
    return [e / total for e in exps]
