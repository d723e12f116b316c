"""nn.recurrent: RNNCell, LSTMCell, GRUCell, unroll and RNN; their equations by hand,
backprop through time. Against PyTorch: test_export.py."""

import math
import random

import pytest

from autograd import Value, gradcheck, no_grad
from nn import RNN, Adam, GRUCell, LSTMCell, RNNCell, bce_with_logits, mse_loss, unroll
from nn.layers import flatten


def test_cell_computes_the_elman_recurrence():
    cell = RNNCell(2, 3, activation="tanh", seed=0)
    for i, b in enumerate(cell.b):
        b.data = 0.1 * i
    x, h = [0.5, -1.0], [0.2, 0.0, -0.3]
    out = cell(x, h)
    for i in range(3):
        pre = sum(w.data * xi for w, xi in zip(cell.wx[i], x))
        pre += sum(w.data * hj for w, hj in zip(cell.wh[i], h)) + cell.b[i].data
        assert out[i].data == pytest.approx(math.tanh(pre), abs=1e-15)


def test_cell_starts_from_zeros_and_supports_relu():
    cell = RNNCell(1, 2, activation="relu", seed=1)
    assert [v.data for v in cell([0.0])] == [0.0, 0.0]
    assert all(v.op == "relu" for v in cell([1.0]))
    with pytest.raises(ValueError, match="unknown activation"):
        RNNCell(1, 2, activation="softsign")


def test_each_hidden_unit_is_one_dot_node():
    cell = RNNCell(2, 3, seed=0)
    (pre,) = cell([1.0, 2.0])[0].inputs
    assert pre.op == "dot" and len(pre.inputs) == 2 * (2 + 3) + 1  # wx, wh, x, h, then b


def test_parameters_are_named_and_ordered():
    names = [n for n, _ in RNN(1, 2, 1, seed=0).named_parameters()]
    assert names == [
        "cell.wx.0.0", "cell.wx.1.0",
        "cell.wh.0.0", "cell.wh.0.1", "cell.wh.1.0", "cell.wh.1.1",
        "cell.b.0", "cell.b.1",
        "wy.0.0", "wy.0.1", "by.0",
    ]  # fmt: skip


def test_initialisation_is_seeded_and_bounded_by_one_over_sqrt_hidden():
    a, b = RNNCell(3, 4, seed=3), RNNCell(3, 4, seed=3)
    assert a.state_dict() == b.state_dict()
    weights = [w.data for row in a.wx + a.wh for w in row]
    assert all(abs(w) <= 1 / math.sqrt(4) for w in weights)
    assert all(v.data == 0.0 for v in a.b)


def test_unroll_returns_one_hidden_state_per_step_each_feeding_the_next():
    cell = RNNCell(1, 2, seed=0)
    states = unroll(cell, [[0.5], [-0.5], [1.0]])
    assert len(states) == 3 and all(len(h) == 2 for h in states)
    again = cell([-0.5], states[0])
    assert [v.data for v in again] == [v.data for v in states[1]]


def test_rnn_returns_outputs_and_hidden_states_per_step_and_takes_scalar_steps():
    rnn = RNN(1, 3, 2, seed=0)
    outputs, hiddens = rnn([0.1, 0.2, 0.3, 0.4])
    assert len(outputs) == len(hiddens) == 4
    assert all(len(y) == 2 for y in outputs) and all(len(h) == 3 for h in hiddens)
    with pytest.raises(ValueError, match="expects 1 inputs, got 2"):
        rnn([[0.1, 0.2]])


def _loss(rnn, seq, target):
    outputs, _ = rnn(seq)
    return mse_loss([y[0] for y in outputs], target)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backprop_through_time_matches_central_differences_for_every_parameter(activation):
    rnn = RNN(2, 3, 1, activation=activation, seed=4)
    for i, b in enumerate(rnn.cell.b):
        b.data = 0.1 * (i + 1)  # keep relu units away from their kink
    seq = [[0.5, -0.3], [0.8, 0.1], [-0.4, 0.9], [0.2, 0.2]]
    target = [0.1, -0.2, 0.3, 0.0]
    rnn.zero_grad()
    _loss(rnn, seq, target).backward()
    eps = 1e-6
    for name, p in rnn.named_parameters():
        old = p.data
        with no_grad():
            p.data = old + eps
            up = _loss(rnn, seq, target).data
            p.data = old - eps
            down = _loss(rnn, seq, target).data
        p.data = old
        numeric = (up - down) / (2 * eps)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8), name


def test_gradients_with_respect_to_every_input_pass_gradcheck():
    rnn = RNN(1, 3, 1, seed=2)

    def loss(*xs):
        outputs, _ = rnn(list(xs))
        return outputs[-1][0] * outputs[-1][0]

    assert gradcheck(loss, [0.3, -0.7, 0.5, 0.9, -0.1])


def test_hidden_state_grads_show_the_gradient_at_every_time_step():
    rnn = RNN(1, 2, 1, seed=0)
    outputs, hiddens = rnn([0.5, -0.5, 0.25])
    outputs[-1][0].backward()
    # the last state feeds the output directly: dy/dh_T = the readout weights
    assert [h.grad for h in hiddens[-1]] == pytest.approx([w.data for w in rnn.wy[0]])
    assert all(any(h.grad != 0.0 for h in state) for state in hiddens)


def _sum_sign_data(n, length, rng):
    seqs = [[rng.uniform(-1.0, 1.0) for _ in range(length)] for _ in range(n)]
    return seqs, [int(sum(s) > 0.0) for s in seqs]


def test_rnn_learns_the_sign_of_a_running_sum():
    # The answer depends on every step of the sequence: the state must carry it.
    rng = random.Random(0)
    train, labels = _sum_sign_data(40, 5, rng)
    rnn = RNN(1, 4, 1, activation="tanh", seed=0)
    optimizer = Adam(rnn, lr=0.05)
    for _ in range(60):
        logits = [rnn(s)[0][-1][0] for s in train]
        loss = bce_with_logits(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.data < 0.1
    test, truth = _sum_sign_data(100, 5, rng)
    with no_grad():
        correct = sum((rnn(s)[0][-1][0].data > 0.0) == (t == 1) for s, t in zip(test, truth))
    assert correct >= 85


def test_rnn_readout_is_one_dot_node_per_output_and_starts_as_pytorchs_linear():
    rnn = RNN(2, 4, 3, seed=0)
    outputs, hiddens = rnn([[0.5, -0.5]])
    assert all(y.op == "dot" and len(y.inputs) == 2 * 4 + 1 for y in outputs[0])
    assert all(abs(p.data) <= 0.5 for p in [*rnn.by, *(w for row in rnn.wy for w in row)])


# ---------------------------------------------------------------- LSTMCell
def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def lstm_by_hand(cell, x, h, c):
    """PyTorch's LSTMCell equations on floats, gates in the order i, f, g, o."""
    n = cell.nhidden

    def pre(row):
        wx = sum(w.data * xi for w, xi in zip(cell.weight_ih[row], x)) + cell.bias_ih[row].data
        return (
            wx + sum(w.data * hi for w, hi in zip(cell.weight_hh[row], h)) + cell.bias_hh[row].data
        )

    i = [sigmoid(pre(k)) for k in range(n)]
    f = [sigmoid(pre(n + k)) for k in range(n)]
    g = [math.tanh(pre(2 * n + k)) for k in range(n)]
    o = [sigmoid(pre(3 * n + k)) for k in range(n)]
    c_next = [f[k] * c[k] + i[k] * g[k] for k in range(n)]
    return [o[k] * math.tanh(c_next[k]) for k in range(n)], c_next


def test_lstm_cell_computes_pytorchs_equations():
    cell = LSTMCell(2, 3, seed=0)
    x, h, c = [0.5, -1.0], [0.1, -0.2, 0.3], [1.0, 0.0, -0.5]
    h_next, c_next = cell(x, (h, c))
    expected_h, expected_c = lstm_by_hand(cell, x, h, c)
    assert [v.data for v in h_next] == pytest.approx(expected_h, rel=1e-14)
    assert [v.data for v in c_next] == pytest.approx(expected_c, rel=1e-14)


def test_lstm_cell_starts_from_zeros():
    cell = LSTMCell(2, 2, seed=1)
    h, c = cell([0.3, 0.7])
    assert [v.data for v in h] == pytest.approx(lstm_by_hand(cell, [0.3, 0.7], [0, 0], [0, 0])[0])
    assert len(c) == 2


def test_lstm_cell_state_is_one_dot_node_per_unit():
    h, c = LSTMCell(1, 2, seed=0)([0.5])
    assert all(v.op == "dot" and len(v.inputs) == 4 for v in c)  # (f, i) . (c, g)


def test_lstm_cell_parameters_mirror_pytorchs():
    cell = LSTMCell(3, 2, seed=0)
    assert (len(cell.weight_ih), len(cell.weight_ih[0])) == (8, 3)
    assert (len(cell.weight_hh), len(cell.weight_hh[0])) == (8, 2)
    assert len(cell.bias_ih) == len(cell.bias_hh) == 8
    names = [n for n, _ in cell.named_parameters()]
    assert names[0] == "weight_ih.0.0" and names[-1] == "bias_hh.7"
    bound = 1 / math.sqrt(2)
    assert all(abs(p.data) <= bound for p in cell.parameters())
    assert all(p.data != 0.0 for p in cell.bias_ih + cell.bias_hh)  # biases are drawn too


def test_lstm_cell_checks_its_state():
    cell = LSTMCell(1, 2, seed=0)
    with pytest.raises(ValueError, match=r"a pair \(h, c\)"):
        cell([0.5], [0.0, 0.0])
    with pytest.raises(ValueError, match="LSTMCell state c expects 2 inputs, got 1"):
        cell([0.5], ([0.0, 0.0], [0.0]))


# ---------------------------------------------------------------- GRUCell
def gru_by_hand(cell, x, h):
    """PyTorch's GRUCell equations on floats: gates r, z, n; r multiplies W_hn h + b_hn."""
    n = cell.nhidden

    def part(weights, biases, row, inputs):
        return sum(w.data * v for w, v in zip(weights[row], inputs)) + biases[row].data

    def both(row):
        return part(cell.weight_ih, cell.bias_ih, row, x) + part(
            cell.weight_hh, cell.bias_hh, row, h
        )

    r = [sigmoid(both(k)) for k in range(n)]
    z = [sigmoid(both(n + k)) for k in range(n)]
    new = [
        math.tanh(part(cell.weight_ih, cell.bias_ih, 2 * n + k, x)
                  + r[k] * part(cell.weight_hh, cell.bias_hh, 2 * n + k, h))
        for k in range(n)
    ]  # fmt: skip
    return [(1 - z[k]) * new[k] + z[k] * h[k] for k in range(n)]


def test_gru_cell_computes_pytorchs_equations():
    cell = GRUCell(2, 3, seed=0)
    x, h = [0.5, -1.0], [0.1, -0.2, 0.3]
    assert [v.data for v in cell(x, h)] == pytest.approx(gru_by_hand(cell, x, h), rel=1e-14)
    assert [v.data for v in cell(x)] == pytest.approx(gru_by_hand(cell, x, [0, 0, 0]), rel=1e-14)


def test_gru_cell_parameters_mirror_pytorchs():
    cell = GRUCell(2, 4, seed=0)
    assert (len(cell.weight_ih), len(cell.weight_hh[0]), len(cell.bias_hh)) == (12, 4, 12)
    assert all(abs(p.data) <= 0.5 for p in cell.parameters())


@pytest.mark.parametrize("make", [lambda: LSTMCell(2, 3, seed=0), lambda: GRUCell(2, 3, seed=0)])
def test_gated_cells_pass_gradcheck_through_time(make):
    cell = make()

    def loss(*xs):
        states = unroll(cell, [list(xs[0:2]), list(xs[2:4]), list(xs[4:6])])
        h = states[-1][0] if isinstance(cell, LSTMCell) else states[-1]
        return sum(v * v for v in h)

    assert gradcheck(loss, [0.3, -0.7, 0.5, 0.9, -0.1, 0.4])


def test_unroll_returns_the_pair_for_an_lstm_and_h_for_a_gru():
    xs = [[0.1, 0.2], [0.3, 0.4]]
    lstm_states = unroll(LSTMCell(2, 3, seed=0), xs)
    gru_states = unroll(GRUCell(2, 3, seed=0), xs)
    assert all(isinstance(s, tuple) and len(s) == 2 and len(s[0]) == 3 for s in lstm_states)
    assert all(isinstance(s, list) and len(s) == 3 for s in gru_states)


def test_an_lstm_keeps_a_gradient_alive_through_many_steps():
    # The forget gate biased open: the cell state's additive path carries the gradient
    # from step 30 back to step 1 where a tanh RNN with the same scale loses it.
    cell = LSTMCell(1, 1, seed=0)
    for k, v in enumerate(cell.bias_ih):
        v.data = 5.0 if k == 1 else 0.0  # forget gate ~ 1
    first = Value(1.0)
    states = unroll(cell, [[first]] + [[0.0]] * 29)
    states[-1][1][0].backward()
    assert abs(first.grad) > 1e-3


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: LSTMCell(0, 2), "LSTMCell nin must be a positive int, got 0"),
        (lambda: GRUCell(2, 0), "GRUCell nhidden must be a positive int, got 0"),
        (lambda: RNNCell(2, 2, activation="gelu"), "unknown activation 'gelu'"),
        (lambda: RNN(1, 2, 0), "RNN nout must be a positive int, got 0"),
    ],
)
def test_bad_arguments_are_value_errors_that_say_what_is_wrong(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: RNNCell(2, 3, seed=seed),
        lambda seed: LSTMCell(2, 3, seed=seed),
        lambda seed: GRUCell(2, 3, seed=seed),
        lambda seed: RNN(2, 3, 1, seed=seed),
    ],
    ids=["RNNCell", "LSTMCell", "GRUCell", "RNN"],
)
def test_every_recurrent_module_round_trips_through_save_and_load(make, tmp_path):
    saved, fresh = make(1), make(2)
    for p, x in zip(
        saved.parameters(), random.Random(0).sample(range(1000), len(saved.parameters()))
    ):
        p.data = x / 1000  # RNNCell's biases start at 0: give every parameter its own value
    saved.save(tmp_path / "cell.json")
    fresh.load(tmp_path / "cell.json")
    assert fresh.state_dict() == saved.state_dict()
    sequence = [[0.5, -0.5], [0.25, 1.0]]
    assert _outputs(fresh, sequence) == _outputs(saved, sequence)


def _outputs(model, sequence) -> list[float]:
    """Every number a recurrent module computes over ``sequence``, in order."""
    result = model(sequence) if isinstance(model, RNN) else unroll(model, sequence)
    return [v.data for v in flatten(result)]
