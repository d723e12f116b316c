"""Modules: things with parameters. ``Neuron``, ``Layer``, ``MLP`` and a recurrent cell.

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

Default initialisation (``Neuron``, ``Layer``, ``MLP``): weights drawn uniformly
from [-sqrt(6/nin), sqrt(6/nin)], biases 0. This is Kaiming He's initialisation for
relu networks ("Delving deep into rectifiers", 2015; PyTorch's ``kaiming_uniform_``):
weights of variance 2/nin keep the variance of relu activations about the same from
layer to layer, so a deep stack starts neither exploding nor vanishing, and zero
biases make the starting point easy to reason about. (micrograd draws every weight
from [-1, 1] whatever the fan-in; ``RNNCell`` follows PyTorch's ``nn.RNN``, below.)
Same seed -> same weights, bit for bit.

Parameters are labelled for drawings: a neuron's "w0", "w1", ..., "b";
``label_parameters()`` relabels them all with their dotted names.

References: A. Karpathy's micrograd (the protocol: ``parameters``/``zero_grad``);
PyTorch's ``nn.Module`` (dotted names, ``state_dict``, ``freeze`` as ``requires_grad``);
J. Elman, "Finding structure in time" (1990), for the recurrent cell.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
from collections.abc import Mapping

from autograd import Value, dot
from nn.checks import integer, one_of

__all__ = ["Module", "Neuron", "Layer", "MLP", "RNNCell", "RNN", "unroll", "ACTIVATIONS"]

# The activations a layer can apply, by name. "linear" applies nothing.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def _activation(name):
    return one_of(name, "activation", ACTIVATIONS)


def _activate(z: Value, name: str) -> Value:
    if name == "relu":
        return z.relu()
    if name == "tanh":
        return z.tanh()
    if name == "sigmoid":
        return z.sigmoid()
    return z  # linear


def _rng(seed) -> random.Random:
    """A random generator from a seed (an int, None for a fresh one, or a generator
    already made, which is how an MLP hands one stream to all its layers)."""
    if isinstance(seed, random.Random):
        return seed
    return random.Random(seed)


def _uniform(rng: random.Random, bound: float, count: int, label: str) -> list[Value]:
    """``count`` weights uniform in [-bound, bound], labelled label0, label1, ..."""
    return [Value(rng.uniform(-bound, bound), label=f"{label}{i}") for i in range(count)]


def _inputs(x, nin: int, who: str) -> tuple[Value, ...]:
    """The inputs as Values, numbers lifted once here rather than once per neuron."""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]  # one scalar input
    xs = tuple(v if isinstance(v, Value) else Value(v) for v in x)
    if len(xs) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(xs)}")
    return xs


# ===================================================================== Module
class Module:
    """Base class: parameter discovery, gradients, freezing and persistence."""

    # ------------------------------------------------------------ discovery
    def _walk(self, named: bool = True):
        """Yield (name, value, owner) for every parameter, in a stable order.

        Depth first through attributes in assignment order and lists in index order,
        with an explicit stack. Each object is visited once, so a shared weight is one
        parameter (under its first name) and cycles between modules are harmless.
        ``owner`` is the module holding the Value directly: freezing is decided there.
        ``named=False`` skips building the names (``parameters()`` runs every step).
        """
        seen = set()  # ids of the Values, Modules and lists visited
        stack = [("", self, self)]  # pushed in reverse, so popped in order
        while stack:
            prefix, obj, owner = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, Value):
                yield prefix, obj, owner
                continue
            if isinstance(obj, Module):
                owner = obj
            for key, child in reversed(_children(obj)):
                if isinstance(child, (Value, Module, list, tuple)):  # else: a setting
                    name = (f"{prefix}.{key}" if prefix else str(key)) if named else ""
                    stack.append((name, child, owner))

    def named_parameters(self, *, trainable_only: bool = False) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, in ``parameters()`` order."""
        return [(n, v) for n, v, owner in self._walk() if not (trainable_only and owner.frozen)]

    def parameters(self, *, trainable_only: bool = False) -> list[Value]:
        """Every parameter, in a stable order (for a layer: each neuron's weights
        then its bias, neurons in order). ``trainable_only=True`` leaves out the
        parameters of frozen modules."""
        if not trainable_only:
            return [v for _, v, _ in self._walk(named=False)]
        return [v for _, v, owner in self._walk(named=False) if not owner.frozen]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (frozen ones too)."""
        for p in self.parameters():
            p.grad = 0.0

    def label_parameters(self) -> Module:
        """Set every parameter's label to its dotted name, so that a drawing or a
        table of chain-rule steps names each one unambiguously. Returns the module."""
        for name, p in self.named_parameters():
            p.label = name
        return self

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
        self._set_frozen(True)
        return self

    def unfreeze(self) -> Module:
        """Undo ``freeze()`` for this module and every module inside it."""
        self._set_frozen(False)
        return self

    def _set_frozen(self, flag: bool) -> None:
        for module in self.modules():
            module._frozen = flag

    def modules(self) -> list[Module]:
        """This module and every module inside it, each once, outermost first."""
        found, seen, stack = [], set(), [self]
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, Module):
                found.append(obj)
            kids = reversed(_children(obj))
            stack.extend(c for _, c in kids if isinstance(c, (Module, list, tuple)))
        return found

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float]:
        """{dotted name: value} for every parameter, in ``parameters()`` order."""
        return {name: v.data for name, v in self.named_parameters()}

    def load_state_dict(self, state) -> None:
        """Set every parameter from ``state`` (as ``state_dict`` returns it).

        All of ``state`` is checked before anything changes: it must be a dict with
        exactly this module's parameter names, each a finite real number (not a
        bool or a string). Otherwise ValueError, and the module is unchanged.
        """
        named = self.named_parameters()
        values = _checked_state(state, [name for name, _ in named])
        for (_, p), x in zip(named, values):
            p.data = x

    def save(self, path) -> None:
        """Write ``state_dict()`` to ``path`` as JSON. Floats are written with
        ``repr``, which reads back to the same float bit for bit. The file is
        written beside its destination and then moved into place, so a failed save
        never leaves a half-written file under ``path``."""
        state = self.state_dict()
        bad = [name for name, x in state.items() if not math.isfinite(x)]
        if bad:
            raise ValueError(f"cannot save non-finite parameters: {', '.join(bad[:5])}")
        text = json.dumps(state, indent=1)
        path = os.fspath(path)
        tmp = f"{path}.tmp{os.getpid()}"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def load(self, path) -> None:
        """Set the parameters from a file written by ``save``. An unreadable file,
        malformed JSON or a state that does not fit this module raises ValueError
        and changes nothing."""
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read parameters from {os.fspath(path)!r}: {e}") from e
        try:
            state = json.loads(text, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
            raise ValueError(f"{os.fspath(path)!r} is not a parameter file (bad JSON: {e})") from e
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
        n = len(self.parameters())
        children = _direct_submodules(self)
        if not children:
            return f"{name}({n} parameters)"
        lines = [f"{name}(  # {n} parameters"]
        lines += [f"  {key}: " + repr(m).replace("\n", "\n  ") for key, m in children]
        return "\n".join(lines + [")"])


def _children(obj) -> list[tuple]:
    """(key, child) pairs of a Module (its public attributes, in assignment order)
    or of a list or tuple (its items, keyed by index)."""
    if isinstance(obj, Module):
        return [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]
    return list(enumerate(obj))


def _direct_submodules(module: Module) -> list[tuple[str, Module]]:
    """(name, module) for modules held directly or in lists by ``module``."""
    found, seen = [], set()
    stack = [(k, v) for k, v in reversed(_children(module)) if isinstance(v, (Module, list, tuple))]
    while stack:
        name, obj = stack.pop()
        if id(obj) in seen or obj is module:
            continue
        seen.add(id(obj))
        if isinstance(obj, Module):
            found.append((name, obj))
        else:
            kids = reversed(_children(obj))
            stack.extend(
                (f"{name}.{i}", v) for i, v in kids if isinstance(v, (Module, list, tuple))
            )
    return found


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"duplicate key {dup!r}")
    return dict(pairs)


def _checked_state(state, names: list[str]) -> list[float]:
    """The values of ``state`` in ``names`` order, or ValueError saying what is wrong."""
    if not isinstance(state, Mapping):
        raise ValueError(
            f"a state must be a dict of parameter name -> number, not {type(state).__name__}"
        )
    missing = [n for n in names if n not in state]
    wanted = set(names)
    extra = [k for k in state if k not in wanted]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} parameter(s): {', '.join(map(repr, missing[:5]))}")
    if extra:
        problems.append(f"unexpected {len(extra)} entr(y/ies): {', '.join(map(repr, extra[:5]))}")
    if problems:
        raise ValueError("state does not fit the module: " + "; ".join(problems))
    values = []
    for name in names:
        x = state[name]
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise ValueError(
                f"parameter {name!r} must be a real number, not {type(x).__name__}: {x!r}"
            )
        try:
            x = float(x)
        except (OverflowError, ValueError) as e:
            raise ValueError(f"parameter {name!r}: {e}") from None
        if not math.isfinite(x):
            raise ValueError(f"parameter {name!r} must be finite, got {x!r}")
        values.append(x)
    return values


# ===================================================================== layers
class Neuron(Module):
    """act(w · x + b): ``nin`` weights ``w`` and a bias ``b``.

    The weighted sum is one n-ary node, ``dot(w, x, b)``: a single node with the
    bias folded in, not a chain of ``*`` and ``+``. That keeps graphs small,
    backward fast, and drawings readable.
    """

    def __init__(self, nin: int, activation: str = "relu", seed=None):
        nin = integer(nin, "Neuron nin")
        self.activation = _activation(activation)
        self.w = _uniform(_rng(seed), math.sqrt(6.0 / nin), nin, "w")
        self.b = Value(0.0, label="b")

    def __call__(self, x) -> Value:
        return self._forward(_inputs(x, len(self.w), "Neuron"))

    def _forward(self, inputs: tuple[Value, ...]) -> Value:
        # ``inputs`` are Values already: a Layer prepares them once for all its neurons.
        return _activate(dot(self.w, inputs, self.b), self.activation)

    def _describe(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout``
    Values (a list even when ``nout`` is 1)."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed=None):
        nin, nout = integer(nin, "Layer nin"), integer(nout, "Layer nout")
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]
        self.activation = _activation(activation)

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    def __call__(self, x) -> list[Value]:
        inputs = _inputs(x, self.nin, "Layer")
        return [n._forward(inputs) for n in self.neurons]

    def _describe(self) -> str:
        return f"{self.nin}, {len(self.neurons)}, activation={self.activation!r}"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of
    ``nouts``. Hidden layers use ``activation``; the last layer is linear (its
    outputs are scores or logits, for a loss to read). Returns a list of Values."""

    def __init__(self, nin: int, nouts, activation: str = "relu", seed=None):
        nin = integer(nin, "MLP nin")
        nouts = [integer(n, "MLP layer size") for n in nouts]
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts")
        _activation(activation)
        rng = _rng(seed)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear", seed=rng)
            for i in range(len(nouts))
        ]
        self.activation = activation

    def __call__(self, x) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def _describe(self) -> str:
        nin = self.layers[0].nin
        nouts = [len(layer.neurons) for layer in self.layers]
        return f"{nin}, {nouts}, activation={self.activation!r}"


# ===================================================================== recurrent
class RNNCell(Module):
    """An Elman recurrent cell: h_t = act(W_x x_t + W_h h_{t-1} + b).

    Hidden unit i owns ``wx[i]`` (``nin`` weights), ``wh[i]`` (``nhidden`` weights)
    and ``b[i]``, and computes its pre-activation as one dot node. ``cell(x, h)``
    returns the next hidden state, a list of ``nhidden`` Values; ``h=None`` starts
    from zeros. Weights start uniform in [-1/sqrt(nhidden), 1/sqrt(nhidden)] (as
    PyTorch's ``nn.RNN``), biases at 0.
    """

    def __init__(self, nin: int, nhidden: int, activation: str = "tanh", seed=None):
        nin, nhidden = integer(nin, "RNNCell nin"), integer(nhidden, "RNNCell nhidden")
        rng = _rng(seed)
        self.activation = _activation(activation)
        bound = 1.0 / math.sqrt(nhidden)
        self.wx = [_uniform(rng, bound, nin, f"wx{i}_") for i in range(nhidden)]
        self.wh = [_uniform(rng, bound, nhidden, f"wh{i}_") for i in range(nhidden)]
        self.b = [Value(0.0, label=f"b{i}") for i in range(nhidden)]

    @property
    def nin(self) -> int:
        return len(self.wx[0])

    @property
    def nhidden(self) -> int:
        return len(self.b)

    def __call__(self, x, h=None) -> list[Value]:
        xs = _inputs(x, self.nin, "RNNCell")
        hs = (
            tuple(Value(0.0) for _ in self.b)
            if h is None
            else _inputs(h, self.nhidden, "RNNCell state")
        )
        inputs = xs + hs
        return [
            _activate(dot(wx + wh, inputs, b), self.activation)
            for wx, wh, b in zip(self.wx, self.wh, self.b)
        ]

    def _describe(self) -> str:
        return f"{self.nin}, {self.nhidden}, activation={self.activation!r}"


def unroll(cell: RNNCell, xs, h0=None) -> list[list[Value]]:
    """Run ``cell`` over the sequence ``xs`` (one input per time step) from ``h0``
    (zeros if None) and return the hidden states h_1..h_T, one list per step.

    The states are graph nodes: after ``backward`` their ``grad`` is ∂loss/∂h_t,
    which is how to watch a gradient travel back through time.
    """
    h, states = h0, []
    for x in xs:
        h = cell(x, h)
        states.append(h)
    return states


class RNN(Module):
    """An Elman RNN with a linear readout: y_t = W_y h_t + c.

    ``rnn(xs, h0=None)`` unrolls over the sequence ``xs`` (one input per step: a list
    of ``nin`` numbers or Values, or one number when ``nin`` is 1) for backprop
    through time and returns ``(outputs, hiddens)``: per time step, the ``nout``
    outputs and the ``nhidden`` hidden Values.
    """

    def __init__(self, nin: int, nhidden: int, nout: int, activation: str = "tanh", seed=None):
        rng = _rng(seed)
        self.cell = RNNCell(nin, nhidden, activation, seed=rng)
        self.readout = Layer(nhidden, nout, "linear", seed=rng)

    def __call__(self, xs, h0=None) -> tuple[list[list[Value]], list[list[Value]]]:
        hiddens = unroll(self.cell, xs, h0)
        return [self.readout(h) for h in hiddens], hiddens

    def _describe(self) -> str:
        c = self.cell
        return f"{c.nin}, {c.nhidden}, {len(self.readout.neurons)}, activation={c.activation!r}"
