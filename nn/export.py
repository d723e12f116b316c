"""The bridge to PyTorch: ``to_torch(module)`` and the way back, ``load_from_torch``.

Students outgrow a scalar engine, and the next one they use is PyTorch. ``to_torch``
turns a chainrule model into the equivalent float64 ``torch.nn.Module``: same
parameter values, same outputs and same gradients for the same input given as an
unbatched tensor (``torch.tensor(x, dtype=torch.float64)``; an ``Embedding`` takes
``torch.tensor(index)``). Batch it, put it on a GPU and train it there; then
``load_from_torch`` brings the trained weights back into the chainrule model, to draw
and step through.

How each layer maps. ``Sequential`` and ``MLP`` become one flat ``nn.Sequential`` of
the layers inside them (so the parameters of an MLP's second layer are "2.weight" and
"2.bias" when an activation module sits at 1); any other layer becomes the PyTorch
layer itself, or an ``nn.Sequential`` of two when it also applies an activation:

=================  ==========================================================
chainrule          PyTorch
=================  ==========================================================
``Layer``          ``nn.Linear`` (row i of its weight is ``neurons[i].w``),
                   followed by ``nn.ReLU``/``nn.Tanh``/``nn.Sigmoid`` unless linear
``Conv2d``         ``nn.Conv2d``
``MaxPool2d``      ``nn.MaxPool2d``
``Flatten``        ``nn.Flatten(0)``: everything, as the input is unbatched
``ReLU`` ...       ``nn.ReLU``, ``nn.Tanh``, ``nn.Sigmoid``
``Dropout``        ``nn.Dropout``, in the same mode (its masks are PyTorch's own)
``Embedding``      ``nn.Embedding``
``RMSNorm``        ``nn.RMSNorm``
``LSTMCell``       ``nn.LSTMCell``; ``GRUCell``: ``nn.GRUCell``
``RNNCell``        ``nn.RNNCell`` ("tanh" or "relu"); its ``b`` goes to ``bias_ih``
                   and ``bias_hh`` starts at 0; on the way back b = bias_ih + bias_hh
=================  ==========================================================

torch is imported only inside these functions: chainrule does not depend on it, and
without it they raise an ImportError that says ``pip install torch``.
"""

from __future__ import annotations

from collections.abc import Mapping

from nn.layers import (
    MLP,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    MaxPool2d,
    ReLU,
    RMSNorm,
    Sigmoid,
    Tanh,
    flatten,
)
from nn.module import Module, Sequential
from nn.recurrent import GRUCell, LSTMCell, RNNCell

__all__ = ["to_torch", "load_from_torch"]

_SUPPORTED = (
    "Layer, MLP, Sequential, Conv2d, MaxPool2d, Flatten, ReLU, Tanh, Sigmoid, Dropout, "
    "Embedding, RMSNorm, LSTMCell, GRUCell, RNNCell"
)


def _import_torch():
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "the bridge to PyTorch needs PyTorch, which chainrule does not install: "
            "pip install torch"
        ) from e
    return torch


# ===================================================================== the mapping
def _layers(module: Module) -> list[Module]:
    """The layers inside ``module``, in order: Sequentials and MLPs opened up (with an
    explicit stack), anything else as it is. A layer used twice is listed twice (and
    becomes two PyTorch layers that start equal); a container inside itself is an
    error, as it would never end."""
    found, stack, open_containers = [], [(module, False)], set()
    while stack:
        item, closing = stack.pop()
        if closing:
            open_containers.remove(id(item))
        elif isinstance(item, (Sequential, MLP)):
            if id(item) in open_containers:
                raise ValueError(f"to_torch: a {type(item).__name__} contains itself")
            open_containers.add(id(item))
            stack.append((item, True))
            stack.extend((layer, False) for layer in reversed(item.layers))
        else:
            found.append(item)
    return found


def _counterparts(torch, layer: Module) -> list[tuple]:
    """The PyTorch modules computing what ``layer`` computes, each with its slots: a
    list of ``(torch parameter names, chainrule Values in PyTorch's layout)``. The
    first name of a slot holds the values; further names (RNNCell's second bias)
    start at 0 and are added in on the way back."""
    nn, f64 = torch.nn, {"dtype": torch.float64}
    activations = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
    if isinstance(layer, Layer):
        linear = nn.Linear(layer.nin, layer.nout, **f64)
        slots = [
            (("weight",), [n.w for n in layer.neurons]),
            (("bias",), [n.b for n in layer.neurons]),
        ]
        pieces = [(linear, slots)]
        if layer.activation != "linear":
            pieces.append((activations[layer.activation](), []))
        return pieces
    if isinstance(layer, Conv2d):
        conv = nn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            stride=layer.stride,
            padding=layer.padding,
            **f64,
        )
        return [(conv, [(("weight",), layer.weight), (("bias",), layer.bias)])]
    if isinstance(layer, MaxPool2d):
        return [(nn.MaxPool2d(layer.kernel_size, stride=layer.stride), [])]
    if isinstance(layer, Flatten):
        return [(nn.Flatten(0), [])]
    if isinstance(layer, (ReLU, Tanh, Sigmoid)):
        return [(activations[layer.function](), [])]
    if isinstance(layer, Dropout):
        return [(nn.Dropout(layer.p), [])]
    if isinstance(layer, Embedding):
        table = nn.Embedding(len(layer.weight), len(layer.weight[0]), **f64)
        return [(table, [(("weight",), layer.weight)])]
    if isinstance(layer, RMSNorm):
        return [
            (nn.RMSNorm(len(layer.weight), eps=layer.eps, **f64), [(("weight",), layer.weight)])
        ]
    if isinstance(layer, (LSTMCell, GRUCell)):
        cell = (nn.LSTMCell if isinstance(layer, LSTMCell) else nn.GRUCell)(
            layer.nin, layer.nhidden, **f64
        )
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return [(cell, [((name,), getattr(layer, name)) for name in names])]
    if isinstance(layer, RNNCell):
        if layer.activation not in ("tanh", "relu"):
            raise ValueError(
                f"PyTorch's RNNCell has no {layer.activation!r} activation (only tanh, relu)"
            )
        cell = nn.RNNCell(layer.nin, layer.nhidden, nonlinearity=layer.activation, **f64)
        slots = [(("weight_ih",), layer.wx), (("weight_hh",), layer.wh)]
        return [(cell, slots + [(("bias_ih", "bias_hh"), layer.b)])]
    raise TypeError(f"to_torch does not know {type(layer).__name__}; it knows {_SUPPORTED}")


def _mirror(torch, module: Module):
    """(the PyTorch module, its slots with dotted names, the chainrule layer of each
    PyTorch layer). The PyTorch module's parameters are not set yet."""
    if not isinstance(module, Module):
        raise TypeError(f"to_torch takes a chainrule module, not {type(module).__name__}")
    pieces = [(piece, layer) for layer in _layers(module) for piece in _counterparts(torch, layer)]
    if len(pieces) == 1 and not isinstance(module, (Sequential, MLP)):
        (target, slots), layer = pieces[0]
        return target, slots, [(target, layer)]
    target = torch.nn.Sequential(*(t for (t, _), _ in pieces))
    slots = [
        (tuple(f"{i}.{name}" for name in names), values)
        for i, ((_, piece_slots), _) in enumerate(pieces)
        for names, values in piece_slots
    ]
    return target, slots, [(t, layer) for (t, _), layer in pieces]


def _shape(values) -> tuple[int, ...]:
    """The shape of rectangular nested lists (a lone Value has shape ())."""
    shape = []
    while isinstance(values, list):
        shape.append(len(values))
        values = values[0]
    return tuple(shape)


# ===================================================================== there
def to_torch(module):
    """An equivalent float64 ``torch.nn.Module``: the same parameter values, and for
    the same input (an unbatched float64 tensor) the same outputs and gradients.

    Works for ``Layer``, ``MLP``, ``Sequential`` and the layers in ``nn.layers`` and
    ``nn.recurrent`` except ``Neuron`` and ``RNN`` (the module docstring lists how
    each maps). Each PyTorch layer starts in the mode (train or eval) of the chainrule
    layer it mirrors. Other modules raise TypeError naming what is supported.
    """
    torch = _import_torch()
    target, slots, layers = _mirror(torch, module)
    parameters = dict(target.named_parameters())
    with torch.no_grad():
        for names, values in slots:
            data = [v.data for v in flatten(values)]
            parameters[names[0]].copy_(
                torch.tensor(data, dtype=torch.float64).reshape(_shape(values))
            )
            for name in names[1:]:
                parameters[name].zero_()
    for torch_layer, layer in layers:
        torch_layer.train(layer.training)
    return target


# ===================================================================== and back
def load_from_torch(module, source):
    """Set the parameters of the chainrule ``module`` from a PyTorch module (or its
    ``state_dict()``) laid out as ``to_torch(module)`` lays it out. Returns ``module``.

    Everything is checked before anything changes: a PyTorch module must have the
    same layers with the same settings (kernel sizes, strides, ...), a state dict the
    same parameter names with the same shapes, and every value must be finite;
    otherwise ValueError saying what differs, and ``module`` is unchanged. Values are
    converted to float64 (Python floats).
    """
    torch = _import_torch()
    reference, slots, _ = _mirror(torch, module)
    if isinstance(source, torch.nn.Module):
        if str(source) != str(reference):
            raise ValueError(
                "the PyTorch module does not match this model; to_torch lays it out as\n"
                f"{reference}\nbut it is\n{source}"
            )
        state = source.state_dict()
    elif isinstance(source, Mapping):
        state = source
    else:
        raise TypeError(
            f"load_from_torch takes a torch.nn.Module or a state_dict, not {type(source).__name__}"
        )
    expected = {name: tuple(p.shape) for name, p in reference.named_parameters()}
    problems = []
    missing = [name for name in expected if name not in state]
    extra = [name for name in state if name not in expected]
    if missing:
        problems.append(f"missing {', '.join(map(repr, missing))}")
    if extra:
        problems.append(f"unexpected {', '.join(map(repr, extra))}")
    for name, shape in expected.items():
        if name in state and tuple(getattr(state[name], "shape", ())) != shape:
            got = tuple(getattr(state[name], "shape", ()))
            problems.append(f"{name!r} has shape {got}, expected {shape}")
    if problems:
        raise ValueError("the PyTorch parameters do not fit this model: " + "; ".join(problems))
    updates = []
    for names, values in slots:
        total = sum(
            torch.as_tensor(state[name]).detach().to("cpu", torch.float64) for name in names
        )
        if not bool(torch.isfinite(total).all()):
            raise ValueError(f"PyTorch parameter {names[0]!r} has a non-finite value")
        updates += zip(flatten(values), total.reshape(-1).tolist())
    for value, x in updates:
        value.data = x
    return module
