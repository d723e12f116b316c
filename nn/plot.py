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
    # Epochs are whole numbers: a short run must not get ticks at 2.5, 7.5, ... (the
    # default locator of a linear axis is a MaxNLocator, which takes this setting)
    locator = ax.xaxis.get_major_locator()
    if hasattr(locator, "set_params"):
        locator.set_params(integer=True)
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


def _class_colors(classes: list) -> dict:
    """A colour per class: blue and red for two, matplotlib's tab10 beyond."""
    cmap = _pyplot().get_cmap("coolwarm" if len(classes) <= 2 else "tab10")
    if len(classes) <= 2:
        return {c: cmap(0.0 if i == 0 else 1.0) for i, c in enumerate(classes)}
    return {c: cmap(i % 10) for i, c in enumerate(classes)}


def _shade(ax, gx, gy, field, color) -> None:
    """Shade where ``field`` > 0 and draw the line where it is 0. Both come from one
    interpolated field, so the shading ends exactly at the line, wherever the line
    falls between grid points."""
    top = max(max(row) for row in field)
    if top > 0.0:
        ax.contourf(gx, gy, field, levels=[0.0, top + 1.0], colors=[color], alpha=0.3)
        ax.contour(gx, gy, field, levels=[0.0], colors="black", linewidths=1.0)


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
    """Shade the plane by the class ``model`` predicts for a 2-D input, draw the
    boundary, and scatter the points ``X`` coloured by their labels ``y``, with a
    legend naming each class.

    One output: the higher class where the score is positive (the boundary is the
    line where the score is 0). Several outputs: the argmax; class k's region is where
    its score beats every other, and the boundaries are where two scores tie. The
    model is evaluated on a ``resolution`` x ``resolution`` grid spanning the data
    plus ``margin``, in evaluation mode and under ``no_grad`` (no graph is built).
    The shading is interpolated between grid points exactly as the boundary line is,
    so it never steps past the line.
    """
    X, y = [list(p) for p in X], list(y)
    if not X or any(len(p) != 2 for p in X):
        raise ValueError("plot_decision_boundary needs 2-D points: X is a list of [x0, x1]")
    if len(X) != len(y):
        raise ValueError(f"plot_decision_boundary: {len(X)} points but {len(y)} labels")
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
        classes = sorted({negative, positive})
        colors = _class_colors(classes)
        scores = [[s[0] for s in row] for row in rows]
        _shade(ax, gx, gy, scores, colors[positive])
        _shade(ax, gx, gy, [[-v for v in row] for row in scores], colors[negative])
    else:
        classes = sorted(set(classes) | set(range(outputs)))
        colors = _class_colors(classes)
        for k in range(outputs):
            # class k's margin over the best other class: positive where k wins
            margins = [[s[k] - max(s[:k] + s[k + 1 :]) for s in row] for row in rows]
            _shade(ax, gx, gy, margins, colors[k])
    for c in classes:
        points = [p for p, label in zip(X, y) if label == c]
        if points:
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                color=colors[c],
                s=18,
                edgecolors="black",
                linewidths=0.5,
                label=f"class {c}",
            )
    ax.legend(loc="best", fontsize="small")
    ax.set_xlim(lo0, hi0)
    ax.set_ylim(lo1, hi1)
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_title(title)
    return ax
