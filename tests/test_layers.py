"""nn.layers: Neuron, Layer and MLP; Conv2d, MaxPool2d, Flatten; the activation modules;
Dropout; Embedding; RMSNorm; softmax. Their equations by hand here; against PyTorch in
test_export.py."""

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot, topological_order
from nn import (
    MLP,
    SGD,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    LinearLR,
    MaxPool2d,
    Neuron,
    ReLU,
    RMSNorm,
    Sequential,
    Sigmoid,
    Tanh,
    evaluate,
    fit,
    make_moons,
    softmax,
)
from nn.module import ACTIVATIONS


def image(channels, rows, columns, seed=0):
    rng = random.Random(seed)
    return [
        [[rng.uniform(-1, 1) for _ in range(columns)] for _ in range(rows)] for _ in range(channels)
    ]


def shape(x):
    dims = []
    while isinstance(x, list):
        dims.append(len(x))
        x = x[0]
    return tuple(dims)


def data(x):
    """Nested lists of Values -> nested lists of floats."""
    if isinstance(x, list):
        return [data(item) for item in x]
    return x.data


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


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_a_layer_makes_the_nodes_its_neurons_make_one_by_one(activation):
    layer = Layer(5, 4, activation=activation, seed=3)
    layer.neurons[1].activation = "tanh"  # each neuron's own activation is the one used
    x = [Value(v) for v in (0.5, -1.0, 2.0, 0.0, -0.25)]
    together, one_by_one = layer(x), [n(x) for n in layer.neurons]

    def node(v):
        return repr(v.data), v.op, repr(v.local)

    for a, b in zip(together, one_by_one):
        assert node(a) == node(b)
        sum_a, sum_b = (a, b) if a.op == "dot" else (a.inputs[0], b.inputs[0])
        assert node(sum_a) == node(sum_b) and sum_a.op == "dot"
        assert sum_a.inputs == sum_b.inputs  # the very same weights, inputs and bias


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


def test_default_initialisation_is_he_uniform_weights_and_linear_style_biases():
    mlp = MLP(16, [64, 4], seed=0)
    for layer in mlp.layers:
        bound = math.sqrt(6.0 / layer.nin)
        weights = [w.data for n in layer.neurons for w in n.w]
        assert all(-bound <= w <= bound for w in weights)
        assert max(map(abs, weights)) > 0.9 * bound  # uses the whole range
        biases = [n.b.data for n in layer.neurons]
        assert all(abs(b) <= 1 / math.sqrt(layer.nin) for b in biases)
        assert len(set(biases)) == len(biases)  # drawn, not all zero


@pytest.mark.parametrize("seed", [5])
def test_the_demo_reaches_100_percent_on_seeds_where_zero_biases_did_not(seed):
    # micrograd's demo; with zero biases these seeds stopped at 95% and 99%. The
    # measurement over seeds 0-19 is in the module docstring of nn.layers.
    X, y = make_moons(n=100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model, lr=1.0)
    fit(model, X, y, loss="hinge", optimizer=optimizer, l2=1e-4, epochs=100,
        scheduler=LinearLR(optimizer, 100, end_factor=0.1), progress=False)  # fmt: skip
    assert evaluate(model, X, y, loss="hinge").accuracy == 1.0


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


# ---------------------------------------------------------------- Conv2d
@pytest.mark.parametrize(
    "size, kernel, stride, padding, expected",
    [
        ((5, 5), 3, 1, 0, (3, 3)),
        ((5, 5), 3, 2, 1, (3, 3)),
        ((6, 4), 3, 2, 0, (2, 1)),
        ((4, 4), (3, 1), (1, 2), (0, 1), (2, 3)),
        ((3, 3), 3, 1, 2, (5, 5)),
    ],
)
def test_conv2d_output_size_is_pytorchs(size, kernel, stride, padding, expected):
    conv = Conv2d(2, 3, kernel, stride=stride, padding=padding, seed=0)
    out = conv(image(2, *size))
    assert shape(out) == (3, *expected)


def test_conv2d_computes_the_cross_correlation_by_hand():
    conv = Conv2d(1, 1, 2, seed=0)
    conv.weight[0][0] = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    conv.bias[0].data = 0.5
    x = [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]
    assert data(conv(x)) == [[[1 + 4 + 12 + 20 + 0.5, 2 + 6 + 15 + 24 + 0.5]]]


def test_conv2d_padding_positions_are_left_out_of_the_dot():
    conv = Conv2d(1, 1, 3, padding=1, seed=0)
    out = conv(image(1, 3, 3))
    corner, centre = out[0][0][0], out[0][1][1]
    assert corner.op == centre.op == "dot"
    assert len(corner.inputs) == 2 * 4 + 1  # 4 taps inside the image, then the bias
    assert len(centre.inputs) == 2 * 9 + 1
    assert not any(
        v.data == 0.0 and not v.inputs and v not in conv.parameters() for v in corner.inputs
    )


@settings(max_examples=60, deadline=None)
@given(
    cin=st.integers(1, 2),
    cout=st.integers(1, 3),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    height=st.integers(3, 6),
    width=st.integers(3, 6),
)
def test_conv2d_pixel_is_the_dot_of_the_equation_over_the_taps_inside(
    cin, cout, kernel, stride, padding, height, width
):
    # The docstring's equation written as plainly as possible, as the reference: each
    # out[o][i][j] is the dot of the weights and pixels at the taps inside, then the bias.
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    conv = Conv2d(cin, cout, kernel, stride=stride, padding=padding, seed=1)
    x = [[[Value(v) for v in row] for row in channel] for channel in image(cin, height, width)]
    out = conv(x)
    for o in range(cout):
        for i, row in enumerate(out[o]):
            for j, pixel in enumerate(row):
                taps = [
                    (c, r, s)
                    for c in range(cin)
                    for r in range(kh)
                    for s in range(kw)
                    if 0 <= i * sh + r - ph < height and 0 <= j * sw + s - pw < width
                ]
                weights = [conv.weight[o][c][r][s] for c, r, s in taps]
                pixels = [x[c][i * sh + r - ph][j * sw + s - pw] for c, r, s in taps]
                assert pixel.op == "dot"
                assert pixel.inputs == (*weights, *pixels, conv.bias[o])
                assert pixel.data == dot(weights, pixels, conv.bias[o]).data


def test_conv2d_each_output_pixel_is_one_dot_node_over_all_channels():
    conv = Conv2d(2, 1, 2, seed=0)
    pixel = conv(image(2, 2, 2))[0][0][0]
    assert pixel.op == "dot" and len(pixel.inputs) == 2 * (2 * 2 * 2) + 1
    assert topological_order(pixel)[-1] is pixel


def test_a_shared_kernel_weight_collects_gradient_from_every_position():
    conv = Conv2d(1, 1, 2, seed=0)
    x = image(1, 4, 5, seed=3)
    out = conv(x)
    total = sum(v for row in out[0] for v in row)
    total.backward()
    # d(sum of outputs)/d w[r][s] = the sum of the pixels that weight touched
    for r in range(2):
        for s in range(2):
            touched = [x[0][i + r][j + s] for i in range(3) for j in range(4)]
            assert conv.weight[0][0][r][s].grad == pytest.approx(sum(touched), abs=1e-12)
    assert conv.bias[0].grad == 12.0  # one per output position


def test_conv2d_parameters_mirror_pytorchs_layout_and_initialisation():
    conv = Conv2d(3, 4, (2, 3), seed=1)
    assert shape(conv.weight) == (4, 3, 2, 3) and len(conv.bias) == 4
    bound = 1 / math.sqrt(3 * 2 * 3)
    assert all(abs(p.data) <= bound for p in conv.parameters())
    names = [n for n, _ in conv.named_parameters()]
    assert names[0] == "weight.0.0.0.0" and names[-1] == "bias.3" and len(names) == 4 * 18 + 4


def test_conv2d_repr_shows_its_settings():
    assert repr(Conv2d(1, 8, 3, seed=0)) == "Conv2d(1, 8, kernel_size=3)"
    assert repr(Conv2d(1, 8, (3, 2), stride=2, padding=1)) == (
        "Conv2d(1, 8, kernel_size=(3, 2), stride=2, padding=1)"
    )


@pytest.mark.parametrize(
    "x, message",
    [
        (image(1, 3, 3), "expects 2 channel"),
        (
            [[[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0, 4.0]]],
            "row 1 of channel 0 is not 2 numbers, as row 0 is",
        ),
        ([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0]]], "channel 1 is not 2 rows, as channel 0 is"),
        ([1.0, 2.0], r"\[channel\]\[row\]\[column\]"),
        ([[1.0, 2.0], [3.0, 4.0]], r"\[channel\]\[row\]\[column\]"),
        ([[[], []], [[], []]], "at least one column"),
        (image(2, 1, 1), "smaller than the kernel's"),
    ],
)
def test_conv2d_rejects_what_is_not_an_image_it_can_read(x, message):
    with pytest.raises(ValueError, match=message):
        Conv2d(2, 1, 2, seed=0)(x)


# ---------------------------------------------------------------- MaxPool2d
def test_maxpool_outputs_are_the_largest_input_of_each_window_itself():
    x = [Value(v) for v in (1.0, 5.0, 2.0, 0.0, 3.0, 4.0, 7.0, 6.0)]
    pool = MaxPool2d(2)
    out = pool([[x[0:4], x[4:8]]])
    assert shape(out) == (1, 1, 2)
    assert out[0][0][0] is x[1] and out[0][0][1] is x[6]  # no new node


def test_maxpool_sends_the_whole_gradient_to_the_max_only():
    x = image(1, 4, 4, seed=2)
    values_in = [[[Value(v) for v in row] for row in channel] for channel in x]
    out = MaxPool2d(2)(values_in)
    total = sum(v for row in out[0] for v in row)
    total.backward()
    grads = [v.grad for row in values_in[0] for v in row]
    assert sorted(grads) == [0.0] * 12 + [1.0] * 4


def test_maxpool_picks_the_first_of_equal_values_as_pytorch_does():
    x = [[[Value(1.0) for _ in range(2)] for _ in range(2)]]
    assert MaxPool2d(2)(x)[0][0][0] is x[0][0][0]


def test_maxpool_overlapping_windows_add_gradient_to_a_shared_max():
    x = [[[Value(0.0), Value(9.0), Value(0.0)]]]
    out = MaxPool2d((1, 2), stride=1)(x)
    (out[0][0][0] + out[0][0][1]).backward()
    assert x[0][0][1].grad == 2.0


@pytest.mark.parametrize(
    "kernel, stride, size, expected",
    [
        (2, None, (4, 5), (2, 2)),
        (3, 1, (4, 5), (2, 3)),
        (2, 3, (7, 7), (2, 2)),
        ((1, 2), None, (3, 4), (3, 2)),
    ],
)
def test_maxpool_output_size_is_pytorchs_and_stride_defaults_to_the_kernel(
    kernel, stride, size, expected
):
    assert shape(MaxPool2d(kernel, stride)(image(2, *size))) == (2, *expected)


# ---------------------------------------------------------------- Flatten and activations
def test_flatten_lists_everything_in_row_major_order_without_new_nodes():
    v = Value(3.0)
    x = [[[1.0, 2.0], [v, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]
    flat = Flatten()(x)
    assert flat[:2] == [1.0, 2.0] and flat[2] is v and len(flat) == 8


@pytest.mark.parametrize("module, f", [(ReLU(), lambda z: max(z, 0.0)), (Tanh(), math.tanh),
                                       (Sigmoid(), lambda z: 1 / (1 + math.exp(-z)))])  # fmt: skip
def test_activation_modules_apply_elementwise_keeping_the_nesting(module, f):
    x = [[0.5, -1.0], [[2.0], []], -0.25]
    out = module(x)
    assert shape(out[0]) == (2,) and out[1][1] == [] and isinstance(out[2], Value)
    assert out[0][1].data == pytest.approx(f(-1.0)) and out[1][0][0].data == pytest.approx(f(2.0))
    assert module(Value(0.3)).data == pytest.approx(f(0.3))


def test_activation_modules_reject_what_is_not_a_number():
    with pytest.raises(TypeError, match="numbers or Values, not str"):
        ReLU()([1.0, "2"])


# ---------------------------------------------------------------- Dropout
def test_dropout_is_the_identity_in_eval_mode_and_with_p_zero():
    x = [[1.0, 2.0], [3.0]]
    assert Dropout(0.5).eval()(x) is x
    assert Dropout(0.0)(x) is x


def test_dropout_zeroes_about_p_and_scales_the_rest_by_one_over_one_minus_p():
    n, p = 10_000, 0.3
    out = Dropout(p, seed=0)([1.0] * n)
    zeros = sum(v.data == 0.0 for v in out)
    assert abs(zeros - p * n) < 4 * math.sqrt(n * p * (1 - p))  # within 4 standard deviations
    assert {round(v.data, 12) for v in out} == {0.0, round(1 / 0.7, 12)}
    assert statistics.fmean(v.data for v in out) == pytest.approx(1.0, abs=0.03)  # unbiased


def test_dropout_with_p_one_drops_everything():
    assert [v.data for v in Dropout(1.0)([1.0, -2.0])] == [0.0, 0.0]


def test_dropout_masks_are_seeded_and_new_at_every_call():
    first, again = Dropout(0.5, seed=4), Dropout(0.5, seed=4)
    x = [1.0] * 64
    masks = [[v.data for v in first(x)] for _ in range(2)]
    assert masks[0] != masks[1]  # a fresh mask per call
    assert [[v.data for v in again(x)] for _ in range(2)] == masks  # the same sequence


def test_a_dropped_element_gets_no_gradient_and_a_kept_one_the_scale():
    x = [Value(1.0) for _ in range(200)]
    out = Dropout(0.5, seed=1)(x)
    sum(out).backward()
    for xi, oi in zip(x, out):
        assert xi.grad == (0.0 if oi.data == 0.0 else 2.0)


def test_dropout_keeps_the_nesting():
    assert shape(Dropout(0.5, seed=0)(image(2, 3, 4))) == (2, 3, 4)


# ---------------------------------------------------------------- Embedding
def test_embedding_returns_the_rows_parameters_in_a_new_list():
    emb = Embedding(5, 3, seed=0)
    row = emb(2)
    assert row == emb.weight[2] and row is not emb.weight[2]
    assert all(a is b for a, b in zip(row, emb.weight[2]))


def test_embedding_gradients_from_every_use_of_a_token_add_up():
    emb = Embedding(4, 2, seed=0)
    loss = sum(emb(1)) + 3 * emb(1)[0] + emb(0)[1]
    loss.backward()
    assert [v.grad for v in emb.weight[1]] == [4.0, 1.0]
    assert [v.grad for v in emb.weight[0]] == [0.0, 1.0]
    assert [v.grad for v in emb.weight[3]] == [0.0, 0.0]


def test_embedding_starts_standard_normal_as_pytorch():
    weights = [v.data for v in Embedding(500, 8, seed=0).parameters()]
    assert statistics.fmean(weights) == pytest.approx(0.0, abs=0.05)
    assert statistics.pstdev(weights) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("index", [-1, 5, 1.0, True, "1"])
def test_embedding_rejects_an_index_out_of_the_table(index):
    with pytest.raises(ValueError, match=r"Embedding index must be an int from 0 to 4"):
        Embedding(5, 3, seed=0)(index)


# ---------------------------------------------------------------- RMSNorm
def test_rmsnorm_divides_by_the_root_mean_square_and_scales_by_its_weight():
    norm = RMSNorm(3, eps=1e-5)
    norm.weight[2].data = 2.0
    x = [1.0, -2.0, 3.0]
    rms = math.sqrt((1 + 4 + 9) / 3 + 1e-5)
    assert [v.data for v in norm(x)] == pytest.approx([1 / rms, -2 / rms, 2 * 3 / rms], rel=1e-14)


def test_rmsnorm_weight_starts_at_one_and_output_has_unit_root_mean_square():
    norm = RMSNorm(4, eps=1e-12)
    assert [p.data for p in norm.parameters()] == [1.0] * 4
    out = norm([3.0, -1.0, 0.5, 10.0])
    assert math.sqrt(sum(v.data**2 for v in out) / 4) == pytest.approx(1.0)


# ---------------------------------------------------------------- softmax
def test_softmax_is_positive_sums_to_one_and_keeps_the_order():
    probs = softmax([1.0, 3.0, -2.0])
    assert sum(p.data for p in probs) == pytest.approx(1.0)
    assert probs[1].data > probs[0].data > probs[2].data > 0.0
    assert probs[0].data == pytest.approx(math.exp(1) / (math.exp(1) + math.exp(3) + math.exp(-2)))


def test_softmax_is_stable_for_huge_logits():
    probs = softmax([1000.0, 1000.0, -1000.0])
    assert [p.data for p in probs] == pytest.approx([0.5, 0.5, 0.0])


def test_softmax_gradient_is_p_times_onehot_minus_p():
    z = [Value(0.2), Value(-0.5), Value(1.0)]
    probs = softmax(z)
    probs[0].backward()
    p = [q.data for q in probs]
    assert [v.grad for v in z] == pytest.approx([p[0] * (1 - p[0]), -p[0] * p[1], -p[0] * p[2]])


@pytest.mark.torch
def test_softmax_equals_torchs(torch):
    logits = [0.3, -1.2, 2.5, 0.0]
    z = [Value(v) for v in logits]
    probs = softmax(z)
    (probs[0] * 2.0 - probs[2]).backward()
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    t_probs = torch.softmax(t, dim=0)
    (t_probs[0] * 2.0 - t_probs[2]).backward()
    assert [p.data for p in probs] == pytest.approx(t_probs.tolist(), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-15)


def test_softmax_needs_a_non_empty_list():
    for bad in ([], 1.0):
        with pytest.raises(ValueError, match="non-empty list"):
            softmax(bad)


# ---------------------------------------------------------------- every layer
LAYERS = {
    "Neuron": (lambda seed: Neuron(3, seed=seed), [0.1, 0.2, 0.3]),
    "Layer": (lambda seed: Layer(3, 2, seed=seed), [0.1, 0.2, 0.3]),
    "MLP": (lambda seed: MLP(3, [4, 2], seed=seed), [0.1, 0.2, 0.3]),
    "Conv2d": (lambda seed: Conv2d(2, 3, 2, stride=2, padding=1, seed=seed), image(2, 3, 3)),
    "Embedding": (lambda seed: Embedding(4, 3, seed=seed), 2),
    "RMSNorm": (lambda seed: _rmsnorm(seed), [0.5, -1.0]),
    "Sequential": (
        lambda seed: Sequential(
            Conv2d(1, 2, 2, seed=seed),
            ReLU(),
            MaxPool2d(2),
            Flatten(),
            Dropout(0.5),
            Layer(8, 1, activation="linear", seed=seed),
        ),
        image(1, 5, 5),
    ),  # fmt: skip
}


def _rmsnorm(seed):
    norm = RMSNorm(2)
    for p, v in zip(norm.parameters(), random.Random(seed).sample(range(10), 2)):
        p.data = v / 10
    return norm


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_round_trips_through_save_and_load(name, tmp_path):
    make, x = LAYERS[name]
    saved, fresh = make(1), make(2)
    assert saved.state_dict() != fresh.state_dict()
    saved.save(tmp_path / "layer.json")
    fresh.load(tmp_path / "layer.json")
    assert fresh.state_dict() == saved.state_dict()
    saved.eval(), fresh.eval()
    assert data(Flatten()(fresh(x))) == data(Flatten()(saved(x)))


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_is_seeded(name):
    make, _ = LAYERS[name]
    assert make(3).state_dict() == make(3).state_dict()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Conv2d(0, 1, 3), "Conv2d in_channels must be a positive int, got 0"),
        (lambda: Conv2d(1, 1.5, 3), "Conv2d out_channels must be a positive int, got 1.5"),
        (lambda: Conv2d(1, 1, 0), "Conv2d kernel_size must be a positive int, got 0"),
        (lambda: Conv2d(1, 1, (2, "3")), "Conv2d kernel_size must be a positive int, got '3'"),
        (lambda: Conv2d(1, 1, 3, stride=0), "Conv2d stride must be a positive int, got 0"),
        (lambda: Conv2d(1, 1, 3, padding=-1), "Conv2d padding must be an int >= 0, got -1"),
        (lambda: Conv2d(1, 1, 3, seed="x"), "seed must be an int or None, got 'x'"),
        (lambda: MaxPool2d(0), "MaxPool2d kernel_size must be a positive int, got 0"),
        (lambda: MaxPool2d(2, stride=True), "MaxPool2d stride must be a positive int, got True"),
        (lambda: Dropout(1.5), "Dropout p must be a finite number >= 0.0 and <= 1.0, got 1.5"),
        (lambda: Dropout(-0.1), "Dropout p must be a finite number >= 0.0"),
        (lambda: Embedding(0, 3), "Embedding num_embeddings must be a positive int, got 0"),
        (lambda: Embedding(3, 2.0), "Embedding dim must be a positive int, got 2.0"),
        (lambda: RMSNorm(0), "RMSNorm dim must be a positive int, got 0"),
        (lambda: RMSNorm(2, eps=0.0), "RMSNorm eps must be a finite number > 0.0, got 0.0"),
        (lambda: Neuron(2, "gelu"), "unknown activation 'gelu'"),
        (lambda: MLP(2, 3), "MLP nouts must be a list of layer sizes, got 3"),
    ],
)
def test_bad_arguments_are_value_errors_that_say_what_is_wrong(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(message)


def test_layers_read_inputs_of_the_wrong_size_with_a_clear_error():
    with pytest.raises(ValueError, match="RMSNorm expects 3 inputs, got 2"):
        RMSNorm(3)([1.0, 2.0])
    with pytest.raises(ValueError, match=r"MaxPool2d: the input's height \(1\) is smaller than"):
        MaxPool2d(2)(image(1, 1, 3))
    with pytest.raises(ValueError, match=r"Conv2d: the input's width \(1 \+ 2 x 1 padding\)"):
        Conv2d(1, 1, (1, 4), padding=1)(image(1, 3, 1))
