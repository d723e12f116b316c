"""nn.plot: loss and accuracy curves, and the decision boundary."""

import sys

import pytest

from nn import MLP, SGD, History, fit, make_moons, make_spiral
from nn.plot import plot_accuracy, plot_decision_boundary, plot_losses


@pytest.fixture
def moons():
    return make_moons(n=40, noise=0.1, seed=0)


def test_plot_losses_and_accuracy_are_titled_and_labelled(agg, moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model, X, y, optimizer=SGD(model, lr=0.1), epochs=3, val_split=0.25, progress=False
    )
    ax = plot_losses(history, label="sgd")
    assert ax.get_title() and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd train", "sgd validation"]
    assert list(ax.lines[0].get_ydata()) == history.loss
    ax = plot_accuracy(history, ax=agg.figure().add_subplot())
    assert ax.get_ylabel() == "accuracy"


@pytest.mark.parametrize("classes", [2, 3])
def test_plot_decision_boundary_for_binary_and_multiclass(agg, classes):
    X, y = make_spiral(n=30, seed=0, classes=classes)
    model = MLP(2, [4, 1 if classes == 2 else classes], seed=0)
    ax = plot_decision_boundary(model, X, y, resolution=12)
    assert ax.get_title() == "Decision boundary" and ax.get_xlabel() == "x0"
    assert all(p.grad == 0.0 for p in model.parameters())  # evaluated under no_grad
    with pytest.raises(ValueError, match="2-D"):
        plot_decision_boundary(model, [[0.0, 1.0, 2.0]], [0])


def test_the_epoch_axis_of_a_short_run_has_whole_numbers_only(agg):
    ax = plot_losses(History(loss=[0.9, 0.7, 0.6, 0.55, 0.5]))
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(t == int(t) for t in ticks)


def test_plotting_without_matplotlib_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"chainrule\[plot\]"):
        plot_losses(History(loss=[1.0]))


def test_the_best_epoch_line_sits_at_best_epoch_counted_from_one(agg, moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model, X, y, optimizer=SGD(model, lr=0.1), epochs=4, val_split=0.25, progress=False
    )
    ax = plot_losses(history)
    marker = ax.lines[-1]
    assert list(marker.get_xdata()) == [history.best_epoch] * 2


def test_the_decision_boundary_has_a_legend_naming_each_class(agg):
    X, y = make_spiral(n=30, seed=0, classes=3)
    ax = plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, resolution=10)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def _vertices(contour_set):
    return [tuple(v) for path in contour_set.get_paths() for v in path.vertices]


@pytest.mark.parametrize("outputs", [1, 3])
def test_the_shading_ends_exactly_at_the_boundary_line(agg, outputs):
    from matplotlib.contour import ContourSet

    X, y = make_moons(n=40, seed=1) if outputs == 1 else make_spiral(n=30, seed=1, classes=3)
    model = MLP(2, [8, outputs], seed=1)
    loss = "hinge" if outputs == 1 else "cross_entropy"
    fit(model, X, y, loss=loss, optimizer=SGD(model, lr=0.2), epochs=10, progress=False)
    ax = plot_decision_boundary(model, X, y, resolution=15)
    sets = [c for c in ax.collections if isinstance(c, ContourSet)]
    lines = {v for c in sets if not c.filled for v in _vertices(c)}
    (x_lo, x_hi), (y_lo, y_hi) = ax.get_xlim(), ax.get_ylim()

    def on_frame(v):
        return min(abs(v[0] - x_lo), abs(v[0] - x_hi), abs(v[1] - y_lo), abs(v[1] - y_hi)) < 1e-9

    edges = [v for c in sets if c.filled for v in _vertices(c) if not on_frame(v)]
    assert edges  # the plane is split: some shading ends inside the frame
    assert all(min(abs(v[0] - w[0]) + abs(v[1] - w[1]) for w in lines) < 1e-9 for v in edges)
