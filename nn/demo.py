"""``chainrule train``: micrograd's demo, trained with chainrule's ``nn``.

The configuration is micrograd's (demo.ipynb): an MLP(2, [16, 16, 1]) with relu
hidden layers on 100 two-moons points with noise 0.1, hinge loss plus 1e-4 times
the sum of squared weights, full-batch SGD whose learning rate falls linearly as
1.0 - 0.9 * k / steps, 100 steps. It reaches 100% training accuracy.

``train_demo`` is a plain function; the command line (``autograd.cli``) owns the
options and checks them before calling it.
"""

from __future__ import annotations

import os
import sys
import time

from nn.data import make_moons
from nn.layers import MLP
from nn.optim import SGD, LinearLR
from nn.plot import plot_decision_boundary, plot_losses
from nn.train import Evaluation, evaluate, fit

__all__ = ["train_demo", "DEFAULT_SEED"]

DEFAULT_SEED = 1337  # micrograd's demo seeds its weights with random.seed(1337)


def train_demo(
    *, epochs: int = 100, seed: int = DEFAULT_SEED, out: str | None = "out", progress=True
) -> Evaluation:
    """Train the demo network and print its accuracy; write ``loss.png`` and
    ``boundary.png`` into the folder ``out`` (None: no plots). ``progress=False``
    prints only the result line. Returns the final loss and accuracy."""
    X, y = make_moons(n=100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model, lr=1.0)
    schedule = LinearLR(optimizer, epochs, end_factor=0.1)  # lr_k = 1.0 - 0.9 * k / epochs
    if progress:
        print(f"training {model!r} on {len(X)} two-moons points:")
        print(f"hinge loss + 1e-4 * L2, full-batch SGD, lr 1.0 -> 0.1 over {epochs} steps")
    start = time.perf_counter()
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, scheduler=schedule,
                  epochs=epochs, l2=1e-4, progress=progress)  # fmt: skip
    seconds = time.perf_counter() - start
    result = evaluate(model, X, y, loss="hinge")
    correct = round(result.accuracy * len(X))
    print(
        f"training accuracy {result.accuracy:.0%} ({correct}/{len(X)} points), "
        f"loss {result.loss:.4f}; {seconds / epochs * 1e3:.1f} ms per step"
    )
    if out is not None:
        try:
            paths = _write_plots(model, history, X, y, out)
        except ImportError:
            print("plots skipped: matplotlib is not installed (pip install 'chainrule[plot]')",
                  file=sys.stderr)  # fmt: skip
        else:
            if progress:
                print("wrote " + " and ".join(paths))
    return result


def _write_plots(model, history, X, y, out: str) -> list[str]:
    """Write the loss curve and the decision boundary as PNGs; return their paths.
    Figures are made without pyplot, so no display or GUI backend is involved."""
    from matplotlib.figure import Figure  # optional: only plotting needs matplotlib

    os.makedirs(out, exist_ok=True)
    paths = []
    fig = Figure(figsize=(6, 4), layout="constrained")
    plot_losses(history, ax=fig.subplots(), title="Training loss (hinge, without the L2 term)")
    paths.append(os.path.join(out, "loss.png"))
    fig.savefig(paths[-1], dpi=120)
    fig = Figure(figsize=(5, 5), layout="constrained")
    plot_decision_boundary(model, X, y, ax=fig.subplots(), title="Decision boundary after training")
    paths.append(os.path.join(out, "boundary.png"))
    fig.savefig(paths[-1], dpi=120)
    return paths
