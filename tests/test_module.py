"""nn.module: parameter discovery, modes, freezing, Sequential and the building blocks
layers share. (Saving and loading: test_state.py; the layers: test_layers.py.)"""

import random

import pytest

from autograd import Value, backprop_steps, draw
from nn import MLP, SGD, Layer, Module, Neuron, Sequential
from nn.module import generator, in_mode, short_path, uniform


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


def test_a_models_parameters_get_short_labels_that_tell_them_apart():
    mlp = MLP(2, [2, 1], seed=0)
    assert [p.label for p in mlp.parameters()] == [
        "l0.n0.w0", "l0.n0.w1", "l0.n0.b", "l0.n1.w0", "l0.n1.w1", "l0.n1.b",
        "l1.n0.w0", "l1.n0.w1", "l1.n0.b",
    ]  # fmt: skip
    assert [p.label for p in Layer(1, 2, seed=0).parameters()] == ["n0.w0", "n0.b", "n1.w0", "n1.b"]
    wrapped = Sequential(MLP(1, [1], seed=0), MLP(1, [1], seed=1))
    labels = [p.label for p in wrapped.parameters()]
    assert labels == ["l0.l0.n0.w0", "l0.l0.n0.b", "l1.l0.n0.w0", "l1.l0.n0.b"]
    assert [p.label for p in wrapped.label_parameters().parameters()] == labels  # idempotent


def test_drawings_and_step_tables_name_every_parameter_of_a_model_apart():
    mlp = MLP(2, [2, 1], seed=0)
    out = mlp([1.0, 2.0])[0]
    names = {step.names[2] for step in backprop_steps(out) if step.input in mlp.parameters()}
    assert len(names) == len(mlp.parameters())
    source = draw(out, params=mlp).source
    assert all(f">{p.label}<" in source for p in mlp.parameters())


def test_short_paths_keep_attributes_and_join_list_indices():
    assert short_path("layers.1.neurons.3") == "l1.n3"
    assert short_path("blocks.1.0") == "b1_0" and short_path("cell") == "cell"
    assert short_path("") == "" and short_path("encoder.layers.0") == "encoder.l0"


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
    assert e.parameters() == [] and e.state_dict() == {} and not e.frozen and e.training
    assert repr(e) == "Empty()"


def test_repr_lists_the_submodules_of_a_module_without_a_description():
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


# ---------------------------------------------------------------- modes
def _tree():
    return Sequential(Layer(2, 3, seed=0), Layer(3, 3), Sequential(Layer(3, 2), Layer(2, 1)))


def test_every_module_is_made_in_training_mode():
    assert all(m.training for m in _tree().modules())


def test_eval_and_train_switch_the_module_and_every_module_inside_it():
    model = _tree()
    assert model.eval() is model
    assert [m.training for m in model.modules()] == [False] * len(model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.layers[2].eval()  # a part alone
    assert (
        model.training and not model.layers[2].training and not model.layers[2].layers[1].training
    )


def test_train_takes_only_a_bool():
    with pytest.raises(ValueError, match="mode must be True or False, got 'no'"):
        _tree().train("no")


def test_in_mode_switches_for_the_block_then_restores_each_module():
    model = _tree()
    model.layers[1].eval()  # mixed modes before
    before = [m.training for m in model.modules()]
    with in_mode(model, training=False):
        assert not any(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == before
    with pytest.raises(RuntimeError), in_mode(model, training=True):
        raise RuntimeError("restored even when the block fails")
    assert [m.training for m in model.modules()] == before


def test_in_mode_lets_a_plain_function_through():
    def f(x):
        return x

    with in_mode(f, training=False) as model:
        assert model is f


# ---------------------------------------------------------------- Sequential
def test_sequential_applies_its_modules_in_order():
    first, second = Layer(2, 3, activation="tanh", seed=0), Layer(3, 1, seed=1)
    model = Sequential(first, second)
    x = [0.5, -1.0]
    assert [v.data for v in model(x)] == [v.data for v in second(first(x))]


def test_sequential_names_parameters_by_position():
    model = Sequential(Sequential(), Layer(1, 1, seed=0))
    assert [n for n, _ in model.named_parameters()] == [
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.b",
    ]


def test_an_empty_sequential_returns_its_input():
    x = [1.0, 2.0]
    assert Sequential()(x) is x


def test_sequential_takes_only_modules():
    with pytest.raises(TypeError, match="Sequential takes modules; argument 1 is function"):
        Sequential(Layer(1, 1), lambda x: x)


def test_sequential_repr_lists_its_layers():
    text = repr(Sequential(Layer(2, 1, seed=0), Sequential()))
    assert text.splitlines() == [
        "Sequential(  # 3 parameters",
        "  layers.0: Layer(2, 1, activation='relu')",
        "  layers.1: Sequential()",
        ")",
    ]


# ---------------------------------------------------------------- building blocks
def test_generator_is_seeded_and_passes_a_generator_through():
    assert generator(3).random() == random.Random(3).random()
    rng = random.Random(0)
    assert generator(rng) is rng
    for bad in ("seed", 1.5, True):
        with pytest.raises(ValueError, match="seed must be an int or None"):
            generator(bad)


def test_uniform_draws_every_shape_in_row_major_order_within_the_bound():
    grid = uniform(random.Random(0), 0.5, (2, 3), "w")
    flat = uniform(random.Random(0), 0.5, (6,), "w")
    assert [[v.data for v in row] for row in grid] == [
        [v.data for v in flat[:3]],
        [v.data for v in flat[3:]],
    ]
    assert all(abs(v.data) <= 0.5 for v in flat)
    assert [v.label for v in grid[1]] == ["w1_0", "w1_1", "w1_2"]
    assert uniform(random.Random(0), 1.0, (2, 1, 2, 2), "k")[1][0][1][0].label == "k1_0_1_0"


def test_a_parameter_is_frozen_when_the_module_holding_it_is():
    model = Sequential(Layer(1, 1, seed=0), Layer(1, 1, seed=1))
    model.layers[0].neurons[0].freeze()
    assert model.parameters(trainable_only=True) == model.layers[1].parameters()
