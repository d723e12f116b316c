"""Small seeded datasets in pure Python, and two helpers to prepare them.

Every generator takes ``(n=100, noise=0.1, seed=None)`` and returns ``(X, y)``: ``n``
points in total, ``X`` a list of feature lists and ``y`` a list of int labels. Points
come shuffled (one ``random.Random(seed)`` drives everything, so the same seed gives
the same data on every machine). ``noise`` is the standard deviation of Gaussian
noise added to the coordinates, except for the digits, where it is the probability
that a pixel flips.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

from nn.checks import integer, number

__all__ = [
    "make_moons",
    "make_circles",
    "make_spiral",
    "make_xor",
    "make_digits",
    "render_digit",
    "DIGIT_GLYPHS",
    "train_val_split",
    "standardize",
    "Stats",
]


def _check(n, noise) -> tuple[int, float]:
    return integer(n, "n"), number(noise, "noise", at_least=0.0)


def _shuffled(rng: random.Random, X: list, y: list) -> tuple[list, list]:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def _jitter(rng: random.Random, x0: float, x1: float, noise: float) -> list[float]:
    return [x0 + rng.gauss(0.0, noise), x1 + rng.gauss(0.0, noise)] if noise else [x0, x1]


def make_moons(n: int = 100, noise: float = 0.1, seed=None) -> tuple[list, list]:
    """Two interleaving half circles (scikit-learn's layout): label 0 is the upper
    moon (cos t, sin t), label 1 the lower one (1 - cos t, 0.5 - sin t), t in [0, π]."""
    n, noise = _check(n, noise)
    rng = random.Random(seed)
    n0 = n // 2
    X, y = [], []
    for label, count in ((0, n0), (1, n - n0)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            if label == 0:
                X.append(_jitter(rng, math.cos(t), math.sin(t), noise))
            else:
                X.append(_jitter(rng, 1.0 - math.cos(t), 0.5 - math.sin(t), noise))
            y.append(label)
    return _shuffled(rng, X, y)


def make_circles(
    n: int = 100, noise: float = 0.1, seed=None, *, factor: float = 0.5
) -> tuple[list, list]:
    """Two concentric circles: label 0 on the unit circle, label 1 on a circle of
    radius ``factor`` inside it. Not linearly separable: it needs a hidden layer."""
    n, noise = _check(n, noise)
    factor = number(factor, "factor", above=0.0, below=1.0)
    rng = random.Random(seed)
    n0 = n // 2
    X, y = [], []
    for label, count, radius in ((0, n0, 1.0), (1, n - n0, factor)):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            X.append(_jitter(rng, radius * math.cos(t), radius * math.sin(t), noise))
            y.append(label)
    return _shuffled(rng, X, y)


def make_spiral(
    n: int = 100, noise: float = 0.1, seed=None, *, classes: int = 2
) -> tuple[list, list]:
    """``classes`` interleaved spiral arms (CS231n's layout), labels 0..classes-1.
    Arm k sweeps the angle from 4k to 4(k+1) radians while the radius grows from 0
    to 1; ``noise`` jitters the angle (scaled by 2, since an angle moves points
    less than a coordinate does)."""
    n, noise = _check(n, noise)
    classes = integer(classes, "classes", low=2)
    rng = random.Random(seed)
    X, y = [], []
    for label in range(classes):
        count = n // classes + (1 if label < n % classes else 0)
        for i in range(count):
            r = i / (count - 1) if count > 1 else 1.0
            t = 4.0 * label + 4.0 * r + (rng.gauss(0.0, 2.0 * noise) if noise else 0.0)
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(label)
    return _shuffled(rng, X, y)


def make_xor(n: int = 100, noise: float = 0.1, seed=None) -> tuple[list, list]:
    """Points uniform in the square [-1, 1]², labelled 1 when exactly one coordinate
    is positive (the XOR of the two signs), then jittered by ``noise``: near the axes
    the noise carries some points across, so classes overlap a little."""
    n, noise = _check(n, noise)
    rng = random.Random(seed)
    X, y = [], []
    for _ in range(n):
        x0, x1 = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        y.append(int((x0 > 0.0) != (x1 > 0.0)))
        X.append(_jitter(rng, x0, x1, noise))
    return X, y


# ===================================================================== digits
# 5 x 7 glyphs of the digits, one string per row, "#" on. Drawn by hand for this file.
DIGIT_GLYPHS = {
    0: (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    1: ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    2: (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    3: ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    4: ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    5: ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    6: ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    7: ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    8: (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    9: (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
}
DIGIT_WIDTH, DIGIT_HEIGHT = 5, 7


def make_digits(
    n: int = 100, noise: float = 0.1, seed=None, *, classes: int = 10
) -> tuple[list, list]:
    """A tiny optical-character-recognition set: noisy 5 x 7 bitmaps of digits.

    Returns ``n`` samples, labels cycling through 0..classes-1 (so classes are
    balanced) and then shuffled. ``X[i]`` is the bitmap flattened row by row into
    35 floats, 1.0 for ink and 0.0 for paper; each pixel flips with probability
    ``noise``. ``render_digit(X[i])`` shows one as text.
    """
    n, noise = _check(n, noise)
    noise = number(noise, "noise (a flip probability for digits)", at_least=0.0, at_most=1.0)
    classes = integer(classes, "classes", low=2, high=10)
    rng = random.Random(seed)
    clean = {
        d: [1.0 if ch == "#" else 0.0 for row in rows for ch in row]
        for d, rows in DIGIT_GLYPHS.items()
    }
    X, y = [], []
    for i in range(n):
        label = i % classes
        X.append([1.0 - px if rng.random() < noise else px for px in clean[label]])
        y.append(label)
    return _shuffled(rng, X, y)


def render_digit(x) -> str:
    """A 35-pixel bitmap as 7 lines of text: "#" where the pixel is above 0.5."""
    x = list(x)
    if len(x) != DIGIT_WIDTH * DIGIT_HEIGHT:
        raise ValueError(f"a digit bitmap has {DIGIT_WIDTH * DIGIT_HEIGHT} pixels, got {len(x)}")
    rows = [x[r * DIGIT_WIDTH : (r + 1) * DIGIT_WIDTH] for r in range(DIGIT_HEIGHT)]
    return "\n".join("".join("#" if float(px) > 0.5 else "." for px in row) for row in rows)


# ===================================================================== helpers
def train_val_split(X, y, *, val_fraction: float = 0.2, seed=None) -> tuple[list, list, list, list]:
    """Shuffle and split into ``(X_train, y_train, X_val, y_val)``; the validation
    part holds ``round(val_fraction * n)`` samples (at least 1, leaving at least 1
    to train on)."""
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"train_val_split: {len(X)} samples but {len(y)} labels")
    if len(X) < 2:
        raise ValueError("train_val_split needs at least 2 samples")
    val_fraction = number(val_fraction, "val_fraction", above=0.0, below=1.0)
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    k = min(max(1, round(val_fraction * len(X))), len(X) - 1)
    train, val = order[k:], order[:k]
    return [X[i] for i in train], [y[i] for i in train], [X[i] for i in val], [y[i] for i in val]


class Stats(NamedTuple):
    """Per-feature mean and standard deviation, from ``standardize``."""

    mean: list
    std: list


def standardize(X, stats: Stats | None = None) -> tuple[list, Stats]:
    """Scale every feature to mean 0 and standard deviation 1.

    Returns ``(X_scaled, stats)``. Compute the stats on the training set and pass
    them when scaling validation or test data, so every split is scaled the same
    way: ``Xt, stats = standardize(Xt); Xv, _ = standardize(Xv, stats)``. A feature
    that never varies is only centred.
    """
    X = [list(map(float, row)) for row in X]
    if stats is None:
        if not X:
            raise ValueError("standardize: no samples")
        d, n = len(X[0]), len(X)
        mean = [sum(row[j] for row in X) / n for j in range(d)]
        std = [math.sqrt(sum((row[j] - mean[j]) ** 2 for row in X) / n) for j in range(d)]
        stats = Stats(mean, [s if s > 0.0 else 1.0 for s in std])
    for i, row in enumerate(X):
        if len(row) != len(stats.mean):
            raise ValueError(
                f"standardize: sample {i} has {len(row)} features, expected {len(stats.mean)}"
            )
    return [[(v - m) / s for v, m, s in zip(row, stats.mean, stats.std)] for row in X], stats
