"""nn.export: every layer against PyTorch through ``to_torch`` (outputs, input gradients
and parameter gradients equal to 1e-12 on random inputs), and the way back.

Skipped without torch, mandatory under CHAINRULE_REQUIRE_TORCH=1 (see conftest.py).
Each PyTorch layout below is written out by hand, as PyTorch documents it: it is the
specification ``to_torch`` must meet, not a copy of its code.
"""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot
from nn import (
    MLP,
    RNN,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    GRUCell,
    Layer,
    LSTMCell,
    MaxPool2d,
    Module,
    Neuron,
    ReLU,
    RMSNorm,
    RNNCell,
    Sequential,
    Sigmoid,
    Tanh,
    load_from_torch,
    to_torch,
    unroll,
)
from nn.layers import flatten
from nn.module import ACTIVATIONS

pytestmark = pytest.mark.torch

TOLERANCE = 1e-12
seeds = st.integers(0, 2**32 - 1)


def close(ours, theirs) -> bool:
    return len(ours) == len(theirs) and all(
        math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE) for a, b in zip(ours, theirs)
    )


def randoms(rng: random.Random, *shape):
    """Nested lists of floats in [-2, 2]."""
    if not shape:
        return rng.uniform(-2.0, 2.0)
    return [randoms(rng, *shape[1:]) for _ in range(shape[0])]


def _as_values(arg):
    if isinstance(arg, tuple):
        return tuple(_as_values(part) for part in arg)
    if isinstance(arg, list):
        return [_as_values(item) for item in arg]
    return arg if isinstance(arg, int) else Value(arg)


def _as_tensors(torch, arg):
    if isinstance(arg, tuple):
        return tuple(_as_tensors(torch, part) for part in arg)
    if isinstance(arg, int):
        return torch.tensor(arg)
    return torch.tensor(arg, dtype=torch.float64, requires_grad=True)


def _tensors(out) -> list:
    return list(out) if isinstance(out, tuple) else [out]


def assert_same_as_torch(torch, module, *args, layout: dict, seed: int = 0, unmapped=()):
    """``module(*args)`` and ``to_torch(module)(*tensors)`` agree in their outputs, and
    after backward of the same random weighting of the outputs, in the gradient of
    every input and of every parameter (``layout``: PyTorch name -> chainrule Values;
    only the names in ``unmapped`` may be left out). Returns the PyTorch module."""
    ours_in = [_as_values(a) for a in args]
    outputs = flatten(module(*ours_in))
    weights = [random.Random(seed + i).uniform(-1, 1) for i in range(len(outputs))]
    dot(weights, outputs).backward()

    target = to_torch(module)
    theirs_in = [_as_tensors(torch, a) for a in args]
    theirs_out = torch.cat([t.reshape(-1) for t in _tensors(target(*theirs_in))])
    (theirs_out * torch.tensor(weights, dtype=torch.float64)).sum().backward()

    assert close([v.data for v in outputs], theirs_out.tolist()), "outputs"
    ours_leaves = [v for v in flatten(ours_in) if isinstance(v, Value)]
    theirs_leaves = [t for t in flatten(list(theirs_in)) if t.requires_grad]
    theirs_grads = [g for t in theirs_leaves for g in t.grad.reshape(-1).tolist()]
    assert close([v.grad for v in ours_leaves], theirs_grads), "input gradients"
    names = {name for name, _ in target.named_parameters()}
    assert names == set(layout) | set(unmapped), "parameter names"
    for name, values in layout.items():
        parameter = target.get_parameter(name)
        assert parameter.dtype == torch.float64
        assert close([v.data for v in flatten(values)], parameter.reshape(-1).tolist()), name
        theirs = parameter.grad.reshape(-1).tolist()
        assert close([v.grad for v in flatten(values)], theirs), f"gradient of {name}"
    return target


def linear_layout(layer: Layer, prefix: str = "") -> dict:
    return {
        f"{prefix}weight": [n.w for n in layer.neurons],
        f"{prefix}bias": [n.b for n in layer.neurons],
    }


def cell_layout(cell) -> dict:
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return {name: getattr(cell, name) for name in names}


# ---------------------------------------------------------------- Layer and MLP
@settings(max_examples=40)
@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from(ACTIVATIONS), seeds)
def test_layer_matches_torch(torch, nin, nout, activation, seed):
    layer = Layer(nin, nout, activation=activation, seed=seed)
    prefix = "" if activation == "linear" else "0."  # Linear, then the activation
    x = randoms(random.Random(seed), nin)
    assert_same_as_torch(torch, layer, x, layout=linear_layout(layer, prefix), seed=seed)


@settings(max_examples=30)
@given(st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.sampled_from(ACTIVATIONS), seeds)  # fmt: skip
def test_mlp_matches_torch_as_one_flat_sequential(torch, nin, nouts, activation, seed):
    mlp = MLP(nin, nouts, activation=activation, seed=seed)
    layout, index = {}, 0
    for layer in mlp.layers:
        layout.update(linear_layout(layer, f"{index}."))
        index += 1 if layer.activation == "linear" else 2  # an activation module follows
    x = randoms(random.Random(seed), nin)
    assert_same_as_torch(torch, mlp, x, layout=layout, seed=seed)


# ---------------------------------------------------------------- images
@st.composite
def convolutions(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # Sizes from the smallest that gives one output pixel to three more.
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), max(1, k - 2 * p) + 3)) for k, p in zip(kernel, padding)
    )
    channels = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    return channels, kernel, stride, padding, size


@settings(max_examples=60)
@given(convolutions(), seeds)
def test_conv2d_matches_torch(torch, settings_, seed):
    (cin, cout), kernel, stride, padding, (height, width) = settings_
    conv = Conv2d(cin, cout, kernel, stride=stride, padding=padding, seed=seed)
    x = randoms(random.Random(seed), cin, height, width)
    layout = {"weight": conv.weight, "bias": conv.bias}
    assert_same_as_torch(torch, conv, x, layout=layout, seed=seed)


@settings(max_examples=40)
@given(st.integers(1, 3), st.integers(1, 3), st.one_of(st.none(), st.integers(1, 3)),
       st.integers(0, 3), st.integers(0, 3), st.integers(1, 2), seeds)  # fmt: skip
def test_maxpool2d_matches_torch(torch, kh, kw, stride, extra_h, extra_w, channels, seed):
    pool = MaxPool2d((kh, kw), stride)
    x = randoms(random.Random(seed), channels, kh + extra_h, kw + extra_w)
    assert_same_as_torch(torch, pool, x, layout={}, seed=seed)


def test_maxpool2d_breaks_ties_as_torch_does(torch):
    x = [[[1.0, 1.0, 0.5], [1.0, 1.0, 1.0]]]  # several equal maxima per window
    assert_same_as_torch(torch, MaxPool2d(2, 1), x, layout={})


@settings(max_examples=30)
@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from([Flatten, ReLU, Tanh, Sigmoid]),
    seeds,
)
def test_shape_and_activation_modules_match_torch(torch, shape, kind, seed):
    x = randoms(random.Random(seed), *shape)
    assert_same_as_torch(torch, kind(), x, layout={}, seed=seed)


def test_a_small_cnn_matches_torch(torch):
    model = Sequential(
        Conv2d(1, 2, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(),
        Layer(8, 3, activation="tanh", seed=1), Layer(3, 1, activation="linear", seed=2),
    )  # fmt: skip
    layout = {
        "0.weight": model.layers[0].weight,
        "0.bias": model.layers[0].bias,
        **linear_layout(model.layers[4], "4."),  # 4: Linear, 5: Tanh
        **linear_layout(model.layers[5], "6."),
    }
    x = randoms(random.Random(0), 1, 4, 4)
    assert_same_as_torch(torch, model, x, layout=layout)


# ---------------------------------------------------------------- regularisation, sequences
def test_dropout_in_eval_mode_matches_torch_exactly(torch):
    model = Sequential(Layer(3, 4, seed=0), Dropout(0.4, seed=1), Layer(4, 2, seed=2)).eval()
    layout = {**linear_layout(model.layers[0], "0."), **linear_layout(model.layers[2], "3.")}
    assert_same_as_torch(torch, model, [0.3, -0.2, 0.9], layout=layout)


def test_dropout_keeps_its_p_and_mode_in_torch(torch):
    model = Sequential(Dropout(0.25), Sequential(Dropout(0.5)))
    model.layers[1].eval()
    target = to_torch(model)
    assert [type(m).__name__ for m in target] == ["Dropout", "Dropout"]
    assert [(m.p, m.training) for m in target] == [(0.25, True), (0.5, False)]


@settings(max_examples=30)
@given(st.integers(1, 5), st.integers(1, 4), st.data(), seeds)
def test_embedding_matches_torch(torch, count, dim, data, seed):
    emb = Embedding(count, dim, seed=seed)
    index = data.draw(st.integers(0, count - 1))
    assert_same_as_torch(torch, emb, index, layout={"weight": emb.weight}, seed=seed)


@settings(max_examples=30)
@given(st.integers(1, 5), st.floats(1e-8, 1e-2), seeds)
def test_rmsnorm_matches_torch(torch, dim, eps, seed):
    norm = RMSNorm(dim, eps=eps)
    rng = random.Random(seed)
    for g in norm.weight:
        g.data = rng.uniform(0.5, 1.5)
    x = randoms(rng, dim)
    assert_same_as_torch(torch, norm, x, layout={"weight": norm.weight}, seed=seed)


# ---------------------------------------------------------------- recurrent cells
@settings(max_examples=40)
@given(st.integers(1, 3), st.integers(1, 3), st.booleans(), seeds)
def test_lstm_cell_matches_torch(torch, nin, nhidden, with_state, seed):
    cell = LSTMCell(nin, nhidden, seed=seed)
    rng = random.Random(seed)
    args = [randoms(rng, nin)]
    if with_state:
        args.append((randoms(rng, nhidden), randoms(rng, nhidden)))
    assert_same_as_torch(torch, cell, *args, layout=cell_layout(cell), seed=seed)


@settings(max_examples=40)
@given(st.integers(1, 3), st.integers(1, 3), st.booleans(), seeds)
def test_gru_cell_matches_torch(torch, nin, nhidden, with_state, seed):
    cell = GRUCell(nin, nhidden, seed=seed)
    rng = random.Random(seed)
    args = [randoms(rng, nin)] + ([randoms(rng, nhidden)] if with_state else [])
    assert_same_as_torch(torch, cell, *args, layout=cell_layout(cell), seed=seed)


@settings(max_examples=30)
@given(st.integers(1, 3), st.integers(1, 3), st.sampled_from(["tanh", "relu"]), seeds)
def test_rnn_cell_matches_torch_with_its_bias_in_bias_ih(torch, nin, nhidden, activation, seed):
    cell = RNNCell(nin, nhidden, activation=activation, seed=seed)
    rng = random.Random(seed)
    for b in cell.b:
        b.data = rng.uniform(-0.5, 0.5)
    args = [randoms(rng, nin), randoms(rng, nhidden)]
    layout = {"weight_ih": cell.wx, "weight_hh": cell.wh, "bias_ih": cell.b}
    target = assert_same_as_torch(
        torch, cell, *args, layout=layout, seed=seed, unmapped=("bias_hh",)
    )
    assert target.bias_hh.tolist() == [0.0] * nhidden  # PyTorch's second bias starts at 0
    assert close(target.bias_hh.grad.tolist(), [b.grad for b in cell.b])


def test_unrolled_lstm_matches_torch_step_by_step(torch):
    cell = LSTMCell(2, 3, seed=5)
    xs = randoms(random.Random(5), 4, 2)
    states = unroll(cell, xs)
    states[-1][0][0].backward()
    target = to_torch(cell)
    state = None
    for x in xs:
        state = target(torch.tensor(x, dtype=torch.float64), state)
    state[0][0].backward()
    assert close([v.data for v in states[-1][0]], state[0].tolist())
    assert close([v.data for v in states[-1][1]], state[1].tolist())
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        ours = [v.grad for v in flatten(getattr(cell, name))]
        assert close(ours, target.get_parameter(name).grad.reshape(-1).tolist()), name


# ---------------------------------------------------------------- what to_torch refuses
@pytest.mark.parametrize(
    "module", [Neuron(2, seed=0), RNN(1, 2, 1, seed=0), Module()], ids=["Neuron", "RNN", "Module"]
)
def test_to_torch_names_what_it_supports_for_anything_else(torch, module):
    with pytest.raises(TypeError, match="to_torch does not know .*; it knows Layer, MLP"):
        to_torch(module)
    with pytest.raises(TypeError, match="takes a chainrule module"):
        to_torch(lambda x: x)


def test_a_block_used_twice_becomes_two_equal_torch_layers(torch):
    block = Sequential(Layer(2, 2, activation="tanh", seed=0))
    model = Sequential(block, block)
    target = to_torch(model)
    assert torch.equal(target[0].weight, target[2].weight)
    x = [0.3, -0.6]
    assert close([v.data for v in model(x)], target(torch.tensor(x)).tolist())


def test_a_sequential_inside_itself_is_refused(torch):
    model = Sequential(ReLU())
    model.layers.append(model)
    with pytest.raises(ValueError, match="a Sequential contains itself"):
        to_torch(model)


def test_an_rnn_cell_without_a_pytorch_activation_is_refused(torch):
    with pytest.raises(ValueError, match="no 'sigmoid' activation"):
        to_torch(RNNCell(1, 2, activation="sigmoid", seed=0))


def test_without_torch_the_error_says_pip_install_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    for call in (lambda: to_torch(Layer(1, 1)), lambda: load_from_torch(Layer(1, 1), {})):
        with pytest.raises(ImportError, match="pip install torch"):
            call()


# ---------------------------------------------------------------- the way back
def _train_a_step(torch, target):
    """What a student does in PyTorch: one SGD step on some loss."""
    optimizer = torch.optim.SGD(target.parameters(), lr=0.1)
    x = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(1, 3, 4)
    target(x).pow(2).sum().backward()
    optimizer.step()


def test_weights_trained_in_torch_come_back(torch):
    model = Sequential(
        Conv2d(1, 2, 2, seed=0), ReLU(), Flatten(), Layer(12, 1, activation="linear", seed=1)
    )
    target = to_torch(model)
    before = model.state_dict()
    _train_a_step(torch, target)
    assert load_from_torch(model, target) is model
    assert model.state_dict() != before
    again = to_torch(model)  # and there again: exactly the numbers trained in PyTorch
    for (name, trained), (_, loaded) in zip(target.named_parameters(), again.named_parameters()):
        assert torch.equal(trained, loaded), name
    x = randoms(random.Random(1), 1, 3, 4)
    assert close([v.data for v in model(x)], target(torch.tensor(x)).tolist())


def test_a_state_dict_loads_as_well_as_a_module(torch):
    cell = GRUCell(2, 2, seed=0)
    state = {k: v * 2 for k, v in to_torch(cell).state_dict().items()}
    before = [p.data for p in cell.parameters()]
    load_from_torch(cell, state)
    assert close([p.data for p in cell.parameters()], [2 * x for x in before])


def test_an_rnn_cell_takes_the_sum_of_pytorchs_two_biases(torch):
    cell = RNNCell(1, 2, seed=0)
    theirs = torch.nn.RNNCell(1, 2, dtype=torch.float64)
    load_from_torch(cell, theirs)
    assert close([b.data for b in cell.b], (theirs.bias_ih + theirs.bias_hh).tolist())
    x = torch.tensor([0.7], dtype=torch.float64)
    assert close([v.data for v in cell([0.7])], theirs(x).tolist())


def _rejected(torch, model, source, message):
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        load_from_torch(model, source)
    assert model.state_dict() == before


def test_a_module_of_another_shape_is_rejected_and_changes_nothing(torch):
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU())
    _rejected(torch, Layer(2, 3, seed=0), theirs, "does not match this model")


def test_a_module_with_other_settings_is_rejected_and_changes_nothing(torch):
    # The same weights would fit, but a stride of 2 computes something else.
    theirs = torch.nn.Conv2d(1, 1, 2, stride=2, dtype=torch.float64)
    _rejected(torch, Conv2d(1, 1, 2, seed=0), theirs, r"stride=\(2, 2\)")


def test_a_state_dict_with_wrong_names_or_shapes_is_rejected_and_changes_nothing(torch):
    model = Layer(2, 3, activation="linear", seed=0)
    good = to_torch(model).state_dict()
    _rejected(torch, model, {"weight": good["weight"]}, "missing 'bias'")
    _rejected(torch, model, {**good, "extra": good["bias"]}, "unexpected 'extra'")
    _rejected(
        torch, model, {**good, "bias": torch.zeros(4)}, r"'bias' has shape \(4,\), expected \(3,\)"
    )


def test_non_finite_weights_are_rejected_and_change_nothing(torch):
    model = Layer(2, 3, activation="linear", seed=0)
    state = to_torch(model).state_dict()
    state["bias"][2] = math.nan
    _rejected(torch, model, state, "'bias' has a non-finite value")


def test_the_source_must_be_a_module_or_a_state_dict(torch):
    with pytest.raises(TypeError, match="not list"):
        load_from_torch(Layer(1, 1), [1.0])
