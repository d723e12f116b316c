"""``chainrule train``: micrograd's demo, trained with chainrule's ``nn``.

The configuration is micrograd's (demo.ipynb): an MLP(2, [16, 16, 1]) with relu
hidden layers on 100 two-moons points with noise 0.1, hinge loss plus 1e-4 times
the sum of squared weights, full-batch SGD whose learning rate falls linearly as
1.0 - 0.9 * k / steps, 100 steps. It reaches 100% training accuracy.

``autograd.cli`` owns the command line; this module gives it exactly two functions:
``add_arguments(parser)`` and ``run(args) -> int`` (the exit status).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from autograd.cli import _positive_int  # the same option check as the rest of the command

__all__ = ["add_arguments", "run"]

DEFAULT_SEED = 1337  # micrograd's demo seeds its weights with random.seed(1337)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``chainrule train``."""
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=100,
        metavar="N",
        help="full-batch SGD steps (default: 100)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"seed for the data and the initial weights (default: {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--out",
        default="out",
        metavar="DIR",
        help="folder for loss.png and boundary.png (default: out)",
    )
    parser.add_argument("--no-plots", action="store_true", help="do not write the PNG files")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar; print only the result"
    )


def _error(message: str) -> int:
    print(f"chainrule train: error: {message}", file=sys.stderr)
    return 2


def _write_plots(model, history, X, y, out: str) -> list[str]:
    """Write the loss curve and the decision boundary as PNGs; return their paths.
    Figures are made without pyplot, so no display or GUI backend is involved."""
    from matplotlib.figure import Figure

    from nn.plot import plot_decision_boundary, plot_losses

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


def run(args) -> int:
    """Train the demo network as ``args`` say; print the accuracy; write the plots."""
    from nn import MLP, SGD, LinearLR, evaluate, fit, make_moons

    epochs = getattr(args, "epochs", 100)
    seed = getattr(args, "seed", DEFAULT_SEED)
    quiet = getattr(args, "quiet", False)
    plots = not getattr(args, "no_plots", False)
    out = getattr(args, "out", "out")

    X, y = make_moons(n=100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model, lr=1.0)
    schedule = LinearLR(optimizer, epochs, end_factor=0.1)  # lr_k = 1.0 - 0.9 * k / epochs
    if not quiet:
        print(f"training {model!r} on {len(X)} two-moons points:")
        print(f"hinge loss + 1e-4 * L2, full-batch SGD, lr 1.0 -> 0.1 over {epochs} steps")
    start = time.perf_counter()
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, scheduler=schedule,
                  epochs=epochs, l2=1e-4, progress=not quiet)  # fmt: skip
    seconds = time.perf_counter() - start
    result = evaluate(model, X, y, loss="hinge")
    correct = round(result.accuracy * len(X))
    print(
        f"training accuracy {result.accuracy:.0%} ({correct}/{len(X)} points), "
        f"loss {result.loss:.4f}; {seconds / epochs * 1e3:.1f} ms per step"
    )
    if plots:
        try:
            paths = _write_plots(model, history, X, y, out)
        except ImportError:
            print(
                "plots skipped: matplotlib is not installed (pip install 'chainrule[plot]')",
                file=sys.stderr,
            )
            return 0
        except OSError as e:
            return _error(f"cannot write the plots into {out!r}: {e.strerror or e}")
        if not quiet:
            print("wrote " + " and ".join(paths))
    return 0
