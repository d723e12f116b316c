"""nn.layers: Neuron, Layer and MLP."""

import math

import pytest

from autograd import Value
from nn import MLP, Layer, Neuron
from nn.module import ACTIVATIONS


# ---------------------------------------------------------------- Neuron, Layer, MLP
def test_neuron_returns_one_value_and_computes_act_of_w_dot_x_plus_b():
    n = Neuron(2, activation="tanh", seed=1)
    n.b.data = 0.25
    out = n([1.5, -2.0])
    expected = math.tanh(n.w[0].data * 1.5 - n.w[1].data * 2.0 + 0.25)
    assert isinstance(out, Value) and out.data == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_gives_the_documented_function(activation):
    n = Neuron(1, activation=activation, seed=0)
    n.w[0].data, n.b.data = 1.0, 0.0
    f = {
        "relu": lambda z: max(z, 0.0),
        "tanh": math.tanh,
        "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
        "linear": lambda z: z,
    }[activation]
    for z in (-1.5, 0.7):
        assert n([z]).data == pytest.approx(f(z))


def test_unknown_activation_is_a_value_error():
    for make in (
        lambda: Neuron(2, "softmax"),
        lambda: Layer(2, 2, activation="gelu"),
        lambda: MLP(2, [1], activation="Relu"),
    ):
        with pytest.raises(ValueError, match="unknown activation"):
            make()


def test_default_activation_is_relu():
    assert (
        Neuron(2).activation == "relu"
        and Layer(2, 3).activation == "relu"
        and MLP(2, [3, 1]).activation == "relu"
    )


def test_neuron_weighted_sum_is_one_dot_node_with_the_bias_folded_in():
    n = Neuron(3, seed=0)
    out = n([1.0, 2.0, 3.0])
    assert out.op == "relu"
    (total,) = out.inputs
    assert total.op == "dot" and len(total.inputs) == 2 * 3 + 1  # w, x, then b
    assert list(total.inputs[:3]) == n.w and total.inputs[-1] is n.b
    assert [x.data for x in total.inputs[3:6]] == [1.0, 2.0, 3.0]
    assert total.local[-1] == 1.0  # d(w·x + b)/db


def test_linear_neuron_output_is_the_dot_node_itself():
    assert Neuron(2, activation="linear", seed=0)([1.0, 2.0]).op == "dot"


def test_layer_returns_a_list_even_for_one_neuron():
    out = Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_layer_lifts_its_inputs_once_for_all_neurons():
    outs = Layer(2, 4, activation="linear", seed=0)([1.0, 2.0])
    inputs = [o.inputs[2:4] for o in outs]  # (x0, x1) of each neuron's dot (w0, w1, x0, x1, b)
    assert all(all(a is b for a, b in zip(inputs[0], other)) for other in inputs[1:])


def test_layer_and_neuron_check_the_number_of_inputs():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Layer(2, 3)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expects 2 inputs"):
        Neuron(2)([1.0])


def test_inputs_may_be_values_and_receive_gradients():
    x = [Value(1.0), Value(-1.0)]
    out = MLP(2, [3, 1], seed=2)(x)[0]
    out.backward()
    grads = [v.grad for v in x]
    assert grads != [0.0, 0.0]


def test_mlp_hidden_layers_use_the_activation_and_the_last_is_linear():
    mlp = MLP(2, [4, 4, 3], activation="tanh", seed=0)
    assert [layer.activation for layer in mlp.layers] == ["tanh", "tanh", "linear"]
    out = mlp([0.3, -0.4])
    assert isinstance(out, list) and len(out) == 3 and all(o.op == "dot" for o in out)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = MLP(2, [8, 1], seed=7), MLP(2, [8, 1], seed=7), MLP(2, [8, 1], seed=8)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != c.state_dict()
    assert Neuron(3, seed=5).state_dict() == Neuron(3, seed=5).state_dict()


def test_default_initialisation_is_kaiming_uniform_with_zero_bias():
    mlp = MLP(16, [64, 4], seed=0)
    for layer in mlp.layers:
        bound = math.sqrt(6.0 / layer.nin)
        weights = [w.data for n in layer.neurons for w in n.w]
        assert all(-bound <= w <= bound for w in weights)
        assert max(map(abs, weights)) > 0.9 * bound  # uses the whole range
        assert all(n.b.data == 0.0 for n in layer.neurons)


def test_sizes_must_be_positive_ints():
    for make in (
        lambda: Neuron(0),
        lambda: Layer(2, 0),
        lambda: MLP(2, []),
        lambda: MLP(2, [2.5]),
        lambda: Neuron(True),
    ):
        with pytest.raises(ValueError, match="must be a positive int|at least one layer"):
            make()


def test_repr_is_readable():
    assert repr(Neuron(2, seed=0)) == "Neuron(2, activation='relu')"
    assert repr(Layer(2, 16, activation="tanh")) == "Layer(2, 16, activation='tanh')"
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"


def test_mlp_repr_shows_which_layers_are_frozen():
    mlp = MLP(2, [4, 4, 1], seed=0)
    mlp.layers[0].freeze()
    mlp.layers[1].freeze()
    assert repr(mlp) == "MLP(2, [4, 4, 1], activation='relu', frozen_layers=[0, 1])"
    mlp.freeze()
    assert repr(mlp) == "MLP(2, [4, 4, 1], activation='relu', frozen=True)"
