"""``Module``: things with parameters; ``Sequential``; what every layer is built from.

A ``Module`` finds its parameters by itself: it looks through its attributes, in the
order they were assigned, for Values, Modules, and lists or tuples of them (nested as
deep as you like). A user-defined module therefore needs no registration and no
``super().__init__()``::

    class Affine(Module):
        def __init__(self):
            self.w = Value(2.0)
            self.b = Value(0.5)

        def __call__(self, x):
            return self.w * x + self.b

Each parameter gets a dotted name from the attributes and list positions that lead to
it ("layers.0.neurons.3.w.1"); that name is its key in ``state_dict`` and in saved
files. Attributes whose names start with ``_`` are private and are not searched.
A Value reachable twice (a shared weight) is one parameter, under its first name.

Modes, as in PyTorch: a module is made in training mode (``.training`` is True);
``eval()`` switches it and every module inside it to evaluation mode, ``train()``
back. Only ``Dropout`` behaves differently in the two. ``fit``, ``evaluate``,
``predict`` and the plots switch modes themselves (``in_mode``).

The building blocks at the end (``generator``, ``uniform``, ``activate``) are shared by
``layers`` and ``recurrent``, which sit above this module.

References: A. Karpathy's micrograd (the protocol: ``parameters``/``zero_grad``);
PyTorch's ``nn.Module`` (dotted names, ``state_dict``, ``train``/``eval``, ``freeze`` as
``requires_grad``).
"""

from __future__ import annotations

import contextlib
import itertools
import numbers
import os
import random

from autograd import Value
from nn.checks import one_of
from nn.state import checked_values, read_state, write_state

__all__ = ["Module", "Sequential", "in_mode", "ACTIVATIONS"]

# The activations a layer can apply, by name. "linear" applies nothing.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


# ===================================================================== Module
class Module:
    """Base class: parameter discovery, modes, freezing, state and persistence."""

    # ------------------------------------------------------------ the one tree walk
    def _walk(self, named: bool = True):
        """Yield ``(name, item, holder)`` for this module, every module inside it and
        every parameter, each once, depth first in attribute order (lists in index
        order), outermost first. ``holder`` is the module holding ``item`` directly
        (None for this module itself): a parameter is frozen when its holder is, and
        a module's direct submodules are the ones it holds.

        An explicit stack, no recursion. Each object is visited once, so a shared
        weight is one parameter, under its first name, and cycles are harmless.
        ``named=False`` skips building names (``parameters()`` runs every step).
        """
        seen = set()  # ids of the Values, Modules and lists visited
        stack = [("", self, None)]  # children are pushed in reverse, so popped in order
        while stack:
            name, item, holder = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, Value):
                yield name, item, holder
                continue
            if isinstance(item, Module):
                yield name, item, holder
                holder = item
            for key, child in reversed(_children(item)):
                if isinstance(child, (Value, Module, list, tuple)):  # else: a setting
                    path = (f"{name}.{key}" if name else str(key)) if named else ""
                    stack.append((path, child, holder))

    def named_parameters(self, *, trainable_only: bool = False) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, in ``parameters()`` order."""
        return [
            (name, item)
            for name, item, holder in self._walk()
            if isinstance(item, Value) and not (trainable_only and holder.frozen)
        ]

    def parameters(self, *, trainable_only: bool = False) -> list[Value]:
        """Every parameter, in a stable order (for a layer: each neuron's weights
        then its bias, neurons in order). ``trainable_only=True`` leaves out the
        parameters of frozen modules."""
        return [
            item
            for _, item, holder in self._walk(named=False)
            if isinstance(item, Value) and not (trainable_only and holder.frozen)
        ]

    def modules(self) -> list[Module]:
        """This module and every module inside it, each once, outermost first."""
        return [item for _, item, _ in self._walk(named=False) if isinstance(item, Module)]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (frozen ones too)."""
        for p in self.parameters():
            p.grad = 0.0

    def label_parameters(self) -> Module:
        """Label every parameter by where it sits, so that drawings and step tables
        tell them apart: the short path to the module that holds it, then the name
        that module gave it. In an MLP, ``l1.n3.w0`` is weight 0 of neuron 3 of layer
        1 (``layers.1.neurons.3.w.0`` in ``named_parameters``). nn's containers
        (Layer, MLP, Sequential, RNN) do this when they are made; call it again on a
        model of your own that holds modules. Returns the module."""
        paths = {}  # id(module) -> its short path
        for name, item, holder in self._walk():
            if isinstance(item, Module):
                paths[id(item)] = short_path(name)
            elif holder is not None:
                own = item.label.rsplit(".", 1)[-1] or name.rsplit(".", 1)[-1]
                prefix = paths[id(holder)]
                item.label = f"{prefix}.{own}" if prefix else own
        return self

    # ------------------------------------------------------------ modes
    @property
    def training(self) -> bool:
        """True in training mode (how every module is made), False after ``eval()``."""
        return getattr(self, "_training", True)

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=False``: evaluation mode) on this module and every
        module inside it. Returns the module."""
        if not isinstance(mode, bool):
            raise ValueError(f"mode must be True or False, got {mode!r}")
        for module in self.modules():
            module._training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode for this module and every module inside it: dropout off.
        Returns the module."""
        return self.train(False)

    # ------------------------------------------------------------ freezing
    @property
    def frozen(self) -> bool:
        """True after ``freeze()``: optimisers given this module leave its own
        parameters alone."""
        return getattr(self, "_frozen", False)

    def freeze(self) -> Module:
        """Freeze this module and every module inside it, for retraining only some
        layers. Optimisers built from a module (``SGD(model, ...)``) or from
        ``model.parameters(trainable_only=True)`` skip frozen parameters; the
        gradients still flow through them. Returns the module."""
        for module in self.modules():
            module._frozen = True
        return self

    def unfreeze(self) -> Module:
        """Undo ``freeze()`` for this module and every module inside it."""
        for module in self.modules():
            module._frozen = False
        return self

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float]:
        """{dotted name: value} for every parameter, in ``parameters()`` order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state) -> None:
        """Set every parameter from ``state`` (as ``state_dict`` returns it).

        All of ``state`` is checked before anything changes: it must be a dict with
        exactly this module's parameter names, each a finite real number (not a
        bool or a string). Otherwise ValueError, and the module is unchanged.
        """
        named = self.named_parameters()
        values = checked_values(state, [name for name, _ in named])
        for (_, p), x in zip(named, values):
            p.data = x

    def save(self, path) -> None:
        """Write ``state_dict()`` to ``path`` as JSON, floats kept exactly; a failed
        save leaves no half-written file."""
        write_state(self.state_dict(), path)

    def load(self, path) -> None:
        """Set the parameters from a file written by ``save``. An unreadable file,
        malformed JSON or a state that does not fit this module raises ValueError
        and changes nothing."""
        state = read_state(path)
        try:
            self.load_state_dict(state)
        except ValueError as e:
            raise ValueError(f"{os.fspath(path)!r}: {e}") from None

    # ------------------------------------------------------------ display
    def _describe(self) -> str:
        """What to show between the parentheses of the repr; subclasses override."""
        return ""

    def __repr__(self) -> str:
        name, describe = type(self).__name__, self._describe()
        if self.frozen:
            describe += ", frozen=True" if describe else "frozen=True"
        if describe:
            return f"{name}({describe})"
        walk = list(self._walk())
        n = sum(isinstance(item, Value) for _, item, _ in walk)
        children = [(key, m) for key, m, holder in walk if isinstance(m, Module) and holder is self]
        if not children:
            return f"{name}({n} parameters)" if n else f"{name}()"
        lines = [f"{name}(  # {n} parameters"]
        lines += [f"  {key}: " + repr(m).replace("\n", "\n  ") for key, m in children]
        return "\n".join(lines + [")"])


def _children(item) -> list[tuple]:
    """(key, child) pairs of a Module (its public attributes, in assignment order)
    or of a list or tuple (its items, keyed by index)."""
    if isinstance(item, Module):
        return [(k, v) for k, v in vars(item).items() if not k.startswith("_")]
    return list(enumerate(item))


@contextlib.contextmanager
def in_mode(model, *, training: bool):
    """Within the block, ``model`` and every module inside it are in training mode
    (``training=True``) or evaluation mode; afterwards each is back in the mode it
    was in. A model that is not a Module (a plain function) passes through."""
    if not isinstance(model, Module):
        yield model
        return
    before = [(m, m.training) for m in model.modules()]
    model.train(training)
    try:
        yield model
    finally:
        for m, flag in before:
            m._training = flag


# ===================================================================== Sequential
class Sequential(Module):
    """Modules applied in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are kept in ``.layers``, so parameters are named "layers.0...",
    "layers.1...". An empty Sequential returns its input.
    """

    def __init__(self, *modules):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes modules; argument {i} is {type(m).__name__}")
        self.layers = list(modules)
        self.label_parameters()

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


# ===================================================================== building blocks
def short_path(name: str) -> str:
    """A dotted name made short for a label: a list attribute and its index become
    the attribute's first letter and the index (``layers.1.neurons.3`` -> ``l1.n3``;
    nested lists join their indices with ``_``); other attributes stay whole."""
    parts, out = name.split(".") if name else [], []
    for i, part in enumerate(parts):
        if part.isdigit() and out:  # an index: it joins the letter (or index) before it
            out[-1] += ("_" if out[-1][-1].isdigit() else "") + part
        elif i + 1 < len(parts) and parts[i + 1].isdigit():
            out.append(part[0])
        else:
            out.append(part)
    return ".".join(out)


def check_activation(name) -> str:
    """``name`` if it names an activation in ``ACTIVATIONS``, else ValueError."""
    return one_of(name, "activation", ACTIVATIONS)


def activate(z: Value, name: str) -> Value:
    """The activation ``name`` applied to ``z``: one node, or none for "linear"."""
    if name == "relu":
        return z.relu()
    if name == "tanh":
        return z.tanh()
    if name == "sigmoid":
        return z.sigmoid()
    return z


def generator(seed) -> random.Random:
    """A random generator from a seed: an int, None for a fresh one, or a generator
    already made, which is how a model hands one stream to all its layers."""
    if isinstance(seed, random.Random):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError(f"seed must be an int or None, got {seed!r}")
    return random.Random(seed if seed is None else int(seed))


def uniform(rng: random.Random, bound: float, shape: tuple[int, ...], label: str) -> list:
    """Parameters of ``shape`` (nested lists, one level per dimension), each drawn
    uniformly from [-bound, bound] in row-major order and labelled ``label`` followed
    by its indices ("w0"; "wx2_0" for row 2, column 0), for drawings."""
    flat = [
        Value(rng.uniform(-bound, bound), label=label + "_".join(map(str, index)))
        for index in itertools.product(*map(range, shape))
    ]
    for size in reversed(shape[1:]):  # group the innermost dimension first
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return flat
