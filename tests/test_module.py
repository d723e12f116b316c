"""nn.module: parameter discovery, Neuron/Layer/MLP, freezing, state and persistence."""

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, SGD, Layer, Module, Neuron
from nn.module import ACTIVATIONS


# ---------------------------------------------------------------- the worked exercise
def test_worked_exercise_one_linear_neuron_one_sgd_step():
    # weights 0.5 and -0.2, inputs 1.0 and 0.8, target 0.6, loss 0.5*(t-y)^2, lr 0.1
    neuron = Neuron(2, activation="linear")
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.5, -0.2, 0.0
    y = neuron([1.0, 0.8])
    assert y.data == pytest.approx(0.34)
    error = 0.6 - y
    assert error.data == pytest.approx(0.26)
    loss = 0.5 * error**2
    loss.backward()
    SGD(neuron.w, lr=0.1).step()  # the bias stays 0: it is not among the parameters updated
    assert neuron.w[0].data == pytest.approx(0.526)
    assert neuron.w[1].data == pytest.approx(-0.1792)
    assert neuron.b.data == 0.0


# ---------------------------------------------------------------- discovery
class Affine(Module):
    def __init__(self):
        self.w = Value(2.0)
        self.b = Value(0.5)

    def __call__(self, x):
        return self.w * x + self.b


class Nested(Module):
    def __init__(self):
        self.scale = Value(1.0)
        self.blocks = [Affine(), (Affine(), [Value(3.0)])]
        self.note = "not a parameter"
        self.count = 3
        self._cache = Value(9.0)  # private: not searched


def test_module_finds_values_modules_and_nested_lists_without_registration():
    m = Nested()
    names = [name for name, _ in m.named_parameters()]
    assert names == [
        "scale",
        "blocks.0.w",
        "blocks.0.b",
        "blocks.1.0.w",
        "blocks.1.0.b",
        "blocks.1.1.0",
    ]
    assert [p.data for p in m.parameters()] == [1.0, 2.0, 0.5, 2.0, 0.5, 3.0]


def test_private_attributes_are_not_parameters():
    assert all(p.data != 9.0 for p in Nested().parameters())


def test_a_shared_value_is_one_parameter_under_its_first_name():
    m = Affine()
    m.alias = m.w
    m.again = [m.b, m.w]
    assert m.named_parameters() == [("w", m.w), ("b", m.b)]


def test_modules_referring_to_each_other_are_visited_once():
    a, b = Affine(), Affine()
    a.other, b.other = b, a  # a cycle between modules
    assert len(a.parameters()) == 4


def test_a_list_containing_itself_is_walked_once():
    m = Affine()
    m.loop = [m.w]
    m.loop.append(m.loop)
    assert m.parameters() == [m.w, m.b] and m.modules() == [m]
    assert repr(m) == "Affine(2 parameters)"


def test_modules_lists_every_module_once_outermost_first():
    mlp = MLP(2, [3, 1], seed=0)
    assert mlp.modules()[:3] == [mlp, mlp.layers[0], mlp.layers[0].neurons[0]]
    assert len(mlp.modules()) == 1 + 2 + 3 + 1


def test_mlp_parameter_names_are_dotted_paths():
    mlp = MLP(2, [4, 4, 1], seed=0)
    names = [name for name, _ in mlp.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert "layers.1.neurons.3.w.1" in names
    assert names[-1] == "layers.2.neurons.0.b"


def test_parameter_order_is_weights_then_bias_neurons_then_layers():
    mlp = MLP(3, [2, 1], seed=0)
    expected = [p for layer in mlp.layers for n in layer.neurons for p in n.w + [n.b]]
    assert mlp.parameters() == expected
    assert len(expected) == (3 + 1) * 2 + (2 + 1) * 1


def test_parameters_are_labelled_for_drawings():
    n = Neuron(2, seed=0)
    assert [p.label for p in n.parameters()] == ["w0", "w1", "b"]
    mlp = MLP(2, [2, 1], seed=0).label_parameters()
    assert [p.label for p in mlp.parameters()] == [name for name, _ in mlp.named_parameters()]


def test_zero_grad_resets_every_parameter():
    mlp = MLP(2, [3, 1], seed=0)
    mlp([1.0, -2.0])[0].backward()
    assert any(p.grad for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_a_module_without_init_call_or_parameters_works():
    class Empty(Module):
        pass

    e = Empty()
    assert e.parameters() == [] and e.state_dict() == {} and not e.frozen
    assert repr(e) == "Empty(0 parameters)"


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
        with pytest.raises(ValueError):
            make()


def test_repr_is_readable():
    assert repr(Neuron(2, seed=0)) == "Neuron(2, activation='relu')"
    assert repr(Layer(2, 16, activation="tanh")) == "Layer(2, 16, activation='tanh')"
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"
    nested = repr(Nested())
    assert nested.splitlines()[0] == "Nested(  # 6 parameters"
    assert "  blocks.0: Affine(2 parameters)" in nested.splitlines()


# ---------------------------------------------------------------- freezing
def test_freeze_excludes_parameters_from_trainable_ones():
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[0].freeze()
    assert mlp.layers[0].frozen and not mlp.frozen
    trainable = mlp.parameters(trainable_only=True)
    assert trainable == mlp.layers[1].parameters()
    assert len(mlp.parameters()) == 13  # parameters() still lists everything
    assert [n for n, _ in mlp.named_parameters(trainable_only=True)][0] == "layers.1.neurons.0.w.0"
    assert "frozen=True" in repr(mlp.layers[0])


def test_optimiser_built_from_a_module_skips_frozen_layers_even_if_frozen_later():
    mlp = MLP(2, [3, 1], seed=0)
    optimizer = SGD(mlp, lr=0.1)
    mlp.layers[0].freeze()  # after the optimiser exists
    before = mlp.state_dict()
    mlp.zero_grad()
    mlp([1.0, 2.0])[0].backward()
    optimizer.step()
    after = mlp.state_dict()
    changed = {k for k in before if before[k] != after[k]}
    assert changed and all(k.startswith("layers.1.") for k in changed)


def test_freeze_whole_model_then_unfreeze_one_layer():
    mlp = MLP(2, [3, 3, 1], seed=0)
    mlp.freeze()
    assert mlp.parameters(trainable_only=True) == []
    mlp.layers[2].unfreeze()
    assert mlp.parameters(trainable_only=True) == mlp.layers[2].parameters()
    mlp.unfreeze()
    assert mlp.parameters(trainable_only=True) == mlp.parameters()


def test_a_new_layer_in_a_frozen_model_is_trainable():
    mlp = MLP(2, [3, 1], seed=0).freeze()
    mlp.layers[-1] = Layer(3, 4, activation="linear", seed=1)  # new classes: transfer
    assert mlp.parameters(trainable_only=True) == mlp.layers[-1].parameters()


# ---------------------------------------------------------------- state_dict
def test_state_dict_maps_names_to_floats_in_parameter_order():
    mlp = MLP(2, [2, 1], seed=0)
    state = mlp.state_dict()
    assert list(state) == [n for n, _ in mlp.named_parameters()]
    assert all(type(v) is float for v in state.values())


def test_load_state_dict_round_trips_into_another_model():
    a, b = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b([0.3, 0.9])[0].data == a([0.3, 0.9])[0].data


def test_load_state_dict_accepts_ints():
    n = Neuron(1, seed=0)
    n.load_state_dict({"w.0": 2, "b": -1})
    assert n.state_dict() == {"w.0": 2.0, "b": -1.0}


def _bad_states(good):
    first = next(iter(good))
    missing = dict(good)
    del missing[first]
    yield "missing key", missing, "missing"
    yield "extra key", {**good, "layers.9.w": 1.0}, "unexpected"
    wrong = {"string": "0.5", "None": None, "NaN": math.nan, "inf": math.inf, "-inf": -math.inf}
    wrong.update({"bool": True, "list": [0.5], "dict": {"x": 1}})
    for label, bad in wrong.items():
        yield label, {**good, first: bad}, first
    yield "huge int", {**good, first: 10**400}, first
    yield "non-dict", list(good.values()), "dict"
    yield "None state", None, "dict"


def test_every_malformed_state_is_rejected_and_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    good = model.state_dict()
    for label, bad, message in _bad_states(MLP(2, [3, 1], seed=1).state_dict()):
        with pytest.raises(ValueError, match=message):
            model.load_state_dict(bad)
        assert model.state_dict() == good, label


def test_load_state_dict_checks_everything_before_changing_anything():
    model = Neuron(3, seed=0)
    good = model.state_dict()
    bad = {name: 1.0 for name in good}
    bad["b"] = math.nan  # the last entry is bad: the earlier ones must not be applied
    with pytest.raises(ValueError):
        model.load_state_dict(bad)
    assert model.state_dict() == good


# ---------------------------------------------------------------- save / load
def test_save_load_round_trips_floats_exactly(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    tricky = [0.1 + 0.2, 1e-300, 5e-324, -0.0, 1 / 3, 123456789.123456789, 2.0**-1074 * 3, math.pi]
    for p, x in zip(model.parameters(), tricky):
        p.data = x
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(2, [3, 1], seed=1)
    other.load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    assert math.copysign(1.0, other.parameters()[3].data) == -1.0  # -0.0 kept


def test_saved_file_is_readable_json_of_the_state_dict(tmp_path):
    model = Neuron(2, seed=0)
    model.save(str(tmp_path / "n.json"))
    text = (tmp_path / "n.json").read_text()
    assert json.loads(text) == model.state_dict()
    assert list(json.loads(text)) == ["w.0", "w.1", "b"]


def test_save_refuses_non_finite_parameters_and_leaves_no_file(tmp_path):
    model = Neuron(1, seed=0)
    model.b.data = math.nan
    with pytest.raises(ValueError, match="non-finite"):
        model.save(tmp_path / "n.json")
    assert list(tmp_path.iterdir()) == []


def _malformed_files(tmp_path, good: dict):
    text = json.dumps(good)
    cases = {
        "truncated": text[: len(text) // 2],
        "not json": "hello",
        "empty": "",
        "non-dict json": json.dumps(list(good.values())),
        "json null": "null",
        "json string": '"w.0"',
        "missing key": json.dumps(dict(list(good.items())[1:])),
        "extra key": json.dumps({**good, "extra": 1.0}),
        "string value": text.replace(repr(good["b"]), '"0.5"'),
        "NaN literal": text.replace(repr(good["b"]), "NaN"),
        "Infinity literal": text.replace(repr(good["b"]), "-Infinity"),
        "overflowing number": text.replace(repr(good["b"]), "1e999"),
        "huge integer": text.replace(repr(good["b"]), "9" * 400),
        "bool value": text.replace(repr(good["b"]), "true"),
        "duplicate key": text[:-1] + ', "b": 1.0}',
        "deeply nested": "[" * 100000 + "]" * 100000,
    }
    for name, content in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(content)
        yield name, path
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    yield "binary", binary
    yield "missing file", tmp_path / "does-not-exist.json"
    yield "directory", tmp_path


def test_every_malformed_file_is_rejected_and_changes_nothing(tmp_path):
    model = Neuron(2, seed=0)
    model.b.data = 0.125
    good = model.state_dict()
    for name, path in _malformed_files(tmp_path, good):
        with pytest.raises(ValueError):
            model.load(path)
        assert model.state_dict() == good, name


def test_load_error_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"w.0": 1.0}')
    with pytest.raises(ValueError, match=r"m\.json.*missing"):
        Neuron(1, seed=0).load(path)


def test_many_seeded_models_round_trip_through_files(tmp_path):
    rng = random.Random(0)
    for i in range(5):
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
        model = MLP(rng.randint(1, 3), sizes, seed=i)
        for p in model.parameters():
            p.data = rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-300, 0)
        model.save(tmp_path / "m.json")
        fresh = MLP(len(model.layers[0].neurons[0].w), sizes, seed=99)
        fresh.load(tmp_path / "m.json")
        assert fresh.state_dict() == model.state_dict()


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=4, max_size=4))
def test_any_finite_floats_survive_save_and_load_bit_for_bit(tmp_path_factory, xs):
    model = Neuron(3, seed=0)
    for p, x in zip(model.parameters(), xs):
        p.data = x
    path = tmp_path_factory.mktemp("m") / "m.json"
    model.save(path)
    fresh = Neuron(3, seed=1)
    fresh.load(path)
    assert [p.data for p in fresh.parameters()] == xs
    assert [str(p.data) for p in fresh.parameters()] == [str(x) for x in xs]
