"""Pictures of training: loss and accuracy curves, and a 2-D decision boundary.

matplotlib is an optional extra (``pip install 'chainrule[plot]'``); it is imported
only when a function here draws, and its absence gives an ImportError that says how
to install it. Every function draws on ``ax`` when given one (so several curves can
share a plot) or on a new figure, and returns the Axes, titled and labelled.
"""

from __future__ import annotations

from autograd import no_grad
from nn.module import in_mode

__all__ = ["plot_losses", "plot_accuracy", "plot_decision_boundary"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "plotting needs matplotlib, an optional extra: pip install 'chainrule[plot]'"
        ) from e
    return plt


def _axes(ax):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=(6, 4))
    return ax


def _curves(ax, history, train: list, val: list, ylabel: str, label: str | None, title: str):
    prefix = f"{label} " if label else ""
    epochs = range(1, len(train) + 1)
    (line,) = ax.plot(epochs, train, label=f"{prefix}train")
    if val:
        ax.plot(
            range(1, len(val) + 1),
            val,
            linestyle="--",
            color=line.get_color(),
            label=f"{prefix}validation",
        )
    if history.best_epoch is not None and val:
        ax.axvline(history.best_epoch, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_losses(
    history, *, ax=None, label: str | None = None, title: str = "Loss per epoch", log: bool = False
):
    """Training (solid) and validation (dashed) loss from a ``History``; the dotted
    line marks the best validation epoch. ``label`` prefixes the legend entries, for
    comparing runs on one ``ax``; ``log=True`` uses a log scale."""
    ax = _curves(_axes(ax), history, history.loss, history.val_loss, "loss", label, title)
    if log:
        ax.set_yscale("log")
    return ax


def plot_accuracy(history, *, ax=None, label: str | None = None, title: str = "Accuracy per epoch"):
    """Training and validation accuracy from a ``History``."""
    train = [a for a in history.accuracy if a is not None]
    val = [a for a in history.val_accuracy if a is not None]
    if not train:
        raise ValueError("this History has no accuracy (its loss was not a classification loss)")
    return _curves(_axes(ax), history, train, val, "accuracy", label, title)


def _grid_scores(model, xs: list[float], ys: list[float]) -> tuple[list, int]:
    """The model's outputs at every grid point, in evaluation mode and under no_grad:
    a list of rows of outputs (each a list of floats), and the number of outputs."""
    rows = []
    with in_mode(model, training=False), no_grad():
        for y in ys:
            row = []
            for x in xs:
                out = model([x, y])
                out = [out] if not isinstance(out, (list, tuple)) else out
                row.append([float(v) for v in out])
            rows.append(row)
    return rows, len(rows[0][0])


def plot_decision_boundary(
    model,
    X,
    y,
    *,
    ax=None,
    resolution: int = 60,
    margin: float = 0.5,
    title: str = "Decision boundary",
):
    """Shade the plane by the class ``model`` predicts for a 2-D input and scatter
    the points ``X`` coloured by their labels ``y``.

    One output: class 1 where the score is positive (the boundary is the line where
    the score is 0). Several outputs: the argmax. The model is evaluated on a
    ``resolution`` x ``resolution`` grid spanning the data plus ``margin``, in
    evaluation mode and under ``no_grad`` (no graph is built).
    """
    X, y = [list(p) for p in X], list(y)
    if not X or any(len(p) != 2 for p in X):
        raise ValueError("plot_decision_boundary needs 2-D points: X is a list of [x0, x1]")
    ax = _axes(ax)
    x0s, x1s = [p[0] for p in X], [p[1] for p in X]
    lo0, hi0 = min(x0s) - margin, max(x0s) + margin
    lo1, hi1 = min(x1s) - margin, max(x1s) + margin
    n = max(int(resolution), 2)
    gx = [lo0 + (hi0 - lo0) * i / (n - 1) for i in range(n)]
    gy = [lo1 + (hi1 - lo1) * j / (n - 1) for j in range(n)]
    rows, outputs = _grid_scores(model, gx, gy)
    classes = sorted(set(y))
    if outputs == 1:
        positive = max(classes) if classes else 1
        negative = min(c for c in classes if c != positive) if len(classes) > 1 else 0
        zone = [[positive if s[0] > 0.0 else negative for s in row] for row in rows]
        scores = [[s[0] for s in row] for row in rows]
        ax.contour(gx, gy, scores, levels=[0.0], colors="black", linewidths=1.0)
    else:
        zone = [[max(range(outputs), key=s.__getitem__) for s in row] for row in rows]
        classes = sorted(set(classes) | set(range(outputs)))
    cmap = "coolwarm" if len(classes) <= 2 else "tab10"
    vmin, vmax = min(classes), max(classes)
    levels = [c - 0.5 for c in classes] + [classes[-1] + 0.5]
    ax.contourf(gx, gy, zone, levels=levels, cmap=cmap, vmin=vmin, vmax=vmax, alpha=0.35)
    ax.scatter(
        x0s, x1s, c=y, cmap=cmap, vmin=vmin, vmax=vmax, s=18, edgecolors="black", linewidths=0.5
    )
    ax.set_xlim(lo0, hi0)
    ax.set_ylim(lo1, hi1)
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_title(title)
    return ax
