"""nn.train: the training loop. (Pictures: test_plot.py; the demo: test_demo.py.)"""

import math

import pytest

from autograd import sum_of
from nn import (
    MLP,
    SGD,
    Adam,
    Dropout,
    History,
    Layer,
    LinearLR,
    Module,
    Neuron,
    Sequential,
    evaluate,
    fit,
    make_digits,
    make_moons,
    predict,
    train_val_split,
    triplet_margin_loss,
)  # fmt: skip


@pytest.fixture
def moons():
    return make_moons(n=40, noise=0.1, seed=0)


class CountingSGD(SGD):
    steps = 0

    def step(self):
        self.steps += 1
        super().step()


# ---------------------------------------------------------------- fit
def test_fit_trains_a_classifier_and_records_one_entry_per_epoch(moons):
    X, y = moons
    model = MLP(2, [8, 1], seed=0)
    before = evaluate(model, X, y, loss="hinge")
    history = fit(
        model, X, y, loss="hinge", optimizer=SGD(model, lr=0.2), epochs=30, progress=False
    )
    assert isinstance(history, History) and history.epochs == 30
    assert len(history.accuracy) == len(history.lr) == 30
    assert history.val_loss == [] and history.stopped is None
    after = evaluate(model, X, y, loss="hinge")
    assert after.loss < before.loss / 2 and after.accuracy >= 0.85
    assert history.lr == [0.2] * 30


def test_history_loss_is_the_epoch_mean_of_the_data_loss(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    expected = evaluate(model, X, y, loss="bce").loss
    history = fit(model, X, y, loss="bce", optimizer=SGD(model, lr=0.1), epochs=1, progress=False)
    assert history.loss[0] == pytest.approx(expected)  # full batch: the loss before the step


def test_mini_batches_step_once_per_batch(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    optimizer = CountingSGD(model, lr=0.1)
    fit(model, X, y, optimizer=optimizer, epochs=3, batch_size=16, progress=False)
    assert optimizer.steps == 3 * 3  # 40 samples: batches of 16, 16, 8


def test_full_batch_is_the_default(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    optimizer = CountingSGD(model, lr=0.1)
    fit(model, X, y, optimizer=optimizer, epochs=3, progress=False)
    assert optimizer.steps == 3


def test_fit_is_reproducible_with_a_seed(moons):
    X, y = moons
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=0)
        fit(
            model,
            X,
            y,
            optimizer=SGD(model, lr=0.1),
            epochs=3,
            batch_size=8,
            seed=5,
            progress=False,
        )
        runs.append(model.state_dict())
    assert runs[0] == runs[1]


def test_l2_adds_the_penalty_to_the_objective_not_to_the_reported_loss():
    # a zero data loss: only the penalty moves the weights, w <- w - lr * 2 * l2 * w
    model = Neuron(2, seed=0)
    model.b.data = 0.5
    start = model.state_dict()

    def zero(outputs, targets):
        return sum_of([o * 0.0 for o in outputs])

    history = fit(
        model,
        [[1.0, 1.0]],
        [0.0],
        loss=zero,
        optimizer=SGD(model, lr=0.1),
        l2=0.5,
        epochs=1,
        progress=False,
    )
    assert history.loss == [0.0]
    assert model.state_dict() == pytest.approx({k: 0.9 * v for k, v in start.items()})


def test_validation_split_fills_the_validation_history(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model, X, y, optimizer=SGD(model, lr=0.1), epochs=4, val_split=0.25, seed=0, progress=False
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    best = min(range(4), key=history.val_loss.__getitem__)
    assert history.best_epoch == best + 1  # epochs count from 1


def test_early_stopping_stops_and_restores_the_best_weights(moons):
    X, y = moons
    flipped = [1 - t for t in y]  # validation disagrees with training: it gets worse
    model = MLP(2, [8, 1], seed=0)
    history = fit(model, X, y, loss="bce", optimizer=Adam(model, lr=0.05), epochs=200,
                  val=(X, flipped), early_stopping=3, progress=False)  # fmt: skip
    assert history.epochs < 200 and history.stopped.startswith("early stopping")
    assert history.epochs == history.best_epoch + 3
    restored = evaluate(model, X, flipped, loss="bce").loss
    assert restored == pytest.approx(history.val_loss[history.best_epoch - 1])


def test_callback_sees_every_epoch_and_can_stop_training(moons):
    X, y = moons
    seen = []

    def callback(epoch, history):
        seen.append((epoch, history.epochs))
        return epoch == 3 or None

    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model, X, y, optimizer=SGD(model, lr=0.1), epochs=10, callback=callback, progress=False
    )
    assert seen == [(1, 1), (2, 2), (3, 3)]  # epochs count from 1
    assert history.epochs == 3 and history.stopped == "callback"


def test_scheduler_is_stepped_once_per_epoch(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    optimizer = SGD(model, lr=1.0)
    scheduler = LinearLR(optimizer, 4, end_factor=0.2)
    history = fit(model, X, y, optimizer=optimizer, scheduler=scheduler, epochs=4, progress=False)
    assert history.lr == pytest.approx([1.0, 0.8, 0.6, 0.4])


def test_frozen_layers_stay_put_with_the_default_optimiser(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    model.layers[0].freeze()
    first = model.layers[0].state_dict()
    last = model.layers[1].state_dict()
    fit(model, X, y, epochs=3, progress=False)  # default: Adam(model, lr=0.01)
    assert model.layers[0].state_dict() == first and model.layers[1].state_dict() != last


def test_cross_entropy_on_digits_reaches_high_held_out_accuracy():
    X, y = make_digits(n=200, noise=0.05, seed=0)
    model = MLP(35, [16, 10], seed=0)
    history = fit(model, X, y, loss="cross_entropy", optimizer=Adam(model, lr=0.02), epochs=15,
                  batch_size=20, val_split=0.25, seed=0, progress=False)  # fmt: skip
    assert history.val_accuracy[-1] >= 0.9
    assert predict(model, X[:5]) == [
        max(range(10), key=lambda k: o[k].data) for o in map(model, X[:5])
    ]


def test_mse_regression_has_no_accuracy():
    X = [[x / 10] for x in range(-10, 11)]
    y = [2.0 * x[0] - 1.0 for x in X]
    model = MLP(1, [1], seed=0)
    history = fit(model, X, y, loss="mse", optimizer=SGD(model, lr=0.3), epochs=60, progress=False)
    assert history.accuracy == [None] * 60
    assert history.loss[-1] < 1e-3
    assert "accuracy" not in repr(history)


def test_hinge_accepts_minus_one_plus_one_labels(moons):
    X, y = moons
    signs = [2 * t - 1 for t in y]
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, signs, optimizer=SGD(model, lr=0.1), epochs=2, progress=False)
    assert history.accuracy[0] is not None


def test_predict_and_evaluate_build_no_graph(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    result = evaluate(model, X, y, loss="hinge")
    assert 0.0 <= result.accuracy <= 1.0 and result.loss > 0
    assert set(predict(model, X)) <= {0, 1}
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(
    "options, message",
    [
        ({"loss": "softmax"}, "unknown loss"),
        ({"early_stopping": 2}, "needs validation data"),
        ({"val_split": 0.2, "val": ([[0.0, 0.0]], [0])}, "not both"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"l2": -1.0}, "l2"),
    ],
)
def test_bad_options_are_value_errors(moons, options, message):
    X, y = moons
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [2, 1], seed=0), X, y, progress=False, **options)


def test_mismatched_data_is_a_value_error():
    with pytest.raises(ValueError, match="2 samples but 1 labels"):
        fit(MLP(2, [1]), [[0.0, 0.0], [1.0, 1.0]], [0], progress=False)
    with pytest.raises(ValueError, match="one output per sample"):
        fit(MLP(2, [2]), [[0.0, 0.0]], [0], loss="hinge", progress=False)


def test_progress_bar_shows_the_running_loss_and_can_be_disabled(moons, capsys):
    X, y = moons
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "train" in err and "loss=" in err and "2/2" in err
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_the_package_docstring_example_is_true():
    import doctest

    import nn

    assert doctest.testmod(nn, verbose=False).failed == 0


def test_fit_pauses_the_collector_only_inside_each_step():
    import gc

    from nn import MLP, fit, make_moons
    from nn.train import _collector_paused

    X, y = make_moons(n=8, seed=0)
    seen = []
    model = MLP(2, [4, 1], seed=0)
    original = model.__call__
    model.__class__ = type(
        "Probe", (MLP,), {"__call__": lambda self, x: seen.append(gc.isenabled()) or original(x)}
    )
    assert gc.isenabled()
    fit(model, X, y, epochs=2, progress=False)
    assert seen and not any(seen)  # paused while the step's graph is built
    assert gc.isenabled()  # and resumed after
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()  # a collector the caller turned off stays off
    finally:
        gc.enable()


# ---------------------------------------------------------------- modes
class ModeProbe(Module):
    """A linear model that records the mode it is called in."""

    def __init__(self):
        self.layer = Layer(2, 1, activation="linear", seed=0)
        self.seen = []

    def __call__(self, x):
        self.seen.append(self.training)
        return self.layer(x)


def test_fit_trains_in_training_mode_and_validates_in_evaluation_mode(moons):
    X, y = moons
    model = ModeProbe()
    fit(model, X, y, optimizer=SGD(model, lr=0.1), epochs=1, val=(X[:5], y[:5]), progress=False)
    assert model.seen == [True] * len(X) + [False] * 5


def test_fit_evaluate_and_predict_leave_every_module_in_the_mode_they_found(moons):
    X, y = moons
    model = Sequential(Layer(2, 4, seed=0), Dropout(0.5, seed=0), Layer(4, 1, activation="linear"))
    model.layers[1].eval()
    modes = [m.training for m in model.modules()]
    fit(model, X, y, epochs=1, val_split=0.25, progress=False)
    evaluate(model, X, y, loss="hinge")
    predict(model, X)
    assert [m.training for m in model.modules()] == modes


def test_a_model_with_dropout_trains_and_evaluates_deterministically(moons):
    X, y = moons
    model = Sequential(
        Layer(2, 16, seed=0), Dropout(0.2, seed=1), Layer(16, 1, activation="linear", seed=2)
    )
    fit(model, X, y, optimizer=Adam(model, lr=0.05), epochs=20, progress=False)
    first, second = evaluate(model, X, y, loss="hinge"), evaluate(model, X, y, loss="hinge")
    assert first == second and first.accuracy >= 0.8


def test_max_grad_norm_clips_every_step(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    fit(model, X, y, optimizer=SGD(model, lr=1.0), max_grad_norm=1e-3, epochs=1, progress=False)
    step = math.sqrt(sum((p.data - b) ** 2 for p, b in zip(model.parameters(), before)))
    assert step == pytest.approx(1e-3, rel=1e-3)  # lr 1 times a gradient of norm 1e-3


def test_an_optimizer_given_by_name_is_a_clear_error(moons):
    X, y = moons
    with pytest.raises(
        TypeError, match=r"optimizer must be an optimiser object such as Adam\(model"
    ):
        fit(MLP(2, [2, 1], seed=0), X, y, optimizer="adam", progress=False)


def test_evaluate_needs_to_be_told_the_loss(moons):
    X, y = moons
    with pytest.raises(TypeError, match="loss"):
        evaluate(MLP(2, [2, 1], seed=0), X, y)


def test_the_bars_last_numbers_are_the_trained_models_as_evaluate_gives_them(moons, capsys):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, y, optimizer=SGD(model, lr=0.5), epochs=3, val_split=0.25, seed=0)
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction=0.25, seed=0)
    trained, held_out = (
        evaluate(model, X_train, y_train, loss="hinge"),
        evaluate(model, X_val, y_val, loss="hinge"),
    )
    assert f"loss={trained.loss:.4f}, acc={trained.accuracy:.3f}" in last
    assert f"val_loss={held_out.loss:.4f}, val_acc={held_out.accuracy:.3f}" in last
    assert f"{history.loss[-1]:.4f}" != f"{trained.loss:.4f}"  # not the epoch's running mean


def test_a_notebook_saves_the_bars_final_state(tmp_path):
    # A real kernel runs fit with its bar; the saved output must read 100%, not 0%.
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "from nn import MLP, fit, make_moons\n"
            "X, y = make_moons(n=10, seed=0)\n"
            "history = fit(MLP(2, [3, 1], seed=0), X, y, epochs=3)"
        )
    )
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    (output,) = notebook.cells[0].outputs
    text = output["data"]["text/plain"]
    assert "100%" in text and "3/3" in text and "loss=" in text
    assert "application/vnd.jupyter.widget-view+json" in output["data"]  # live: a widget


def test_fit_with_a_loss_of_your_own_over_outputs_that_are_not_scores():
    # An embedding network trained on triplets: each output is three embeddings.
    net = Layer(2, 2, activation="linear", seed=0)
    X = [[[0.0, 1.0], [0.1, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]]

    def model(triplet):
        return [net(x) for x in triplet]

    def loss(outputs, _targets):
        return sum_of([triplet_margin_loss(*out) for out in outputs]) * 0.5

    history = fit(model, X, [0, 1], loss=loss, optimizer=SGD(net, lr=0.1), epochs=3,
                  progress=False)  # fmt: skip
    assert history.accuracy == [None, None, None] and history.loss[-1] < history.loss[0]
