"""nn.data: the seeded datasets and the split / standardise helpers."""

import math

import pytest

from nn import (
    make_circles,
    make_digits,
    make_moons,
    make_spiral,
    make_xor,
    standardize,
    train_val_split,
)
from nn.data import DIGIT_GLYPHS, render_digit

TWO_D = [make_moons, make_circles, make_spiral, make_xor]


@pytest.mark.parametrize("make", TWO_D)
@pytest.mark.parametrize("n", [1, 7, 100])
def test_shape_n_points_of_two_floats_and_int_labels(make, n):
    X, y = make(n=n, noise=0.1, seed=0)
    assert len(X) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 and all(type(v) is float for v in p) for p in X)
    assert all(type(label) is int and label in (0, 1) for label in y)


@pytest.mark.parametrize("make", TWO_D + [make_digits])
def test_same_seed_same_data_other_seed_other_data(make):
    assert make(n=50, seed=3) == make(n=50, seed=3)
    assert make(n=50, seed=3) != make(n=50, seed=4)


@pytest.mark.parametrize("make", TWO_D + [make_digits])
def test_defaults_are_100_points(make):
    assert len(make(seed=0)[0]) == 100


@pytest.mark.parametrize("make", [make_moons, make_circles, make_spiral])
def test_classes_are_balanced(make):
    _, y = make(n=101, seed=0)
    assert sorted((y.count(0), y.count(1))) == [50, 51]


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = make_moons(n=40, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = make_circles(n=40, noise=0.0, seed=0, factor=0.3)
    for p, label in zip(X, y):
        assert math.hypot(*p) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_labels_are_the_xor_of_the_signs_without_noise():
    X, y = make_xor(n=200, noise=0.0, seed=0)
    assert all(label == int((a > 0) != (b > 0)) for (a, b), label in zip(X, y))
    assert all(-1 <= v <= 1 for p in X for v in p)


def test_spiral_has_as_many_classes_as_asked():
    X, y = make_spiral(n=90, noise=0.1, seed=0, classes=3)
    assert sorted(set(y)) == [0, 1, 2] and y.count(2) == 30
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in X)


def test_noise_moves_points():
    clean, _ = make_moons(n=20, noise=0.0, seed=1)
    noisy, _ = make_moons(n=20, noise=0.3, seed=1)
    assert clean != noisy


@pytest.mark.parametrize(
    "bad", [{"n": 0}, {"n": -5}, {"n": 2.5}, {"n": True}, {"noise": -0.1}, {"noise": math.nan}]
)
def test_bad_arguments_are_value_errors(bad):
    for make in TWO_D + [make_digits]:
        with pytest.raises(ValueError):
            make(**bad)


# ---------------------------------------------------------------- digits
def test_digits_are_35_pixel_bitmaps_with_balanced_labels_0_to_9():
    X, y = make_digits(n=200, noise=0.05, seed=0)
    assert all(len(x) == 35 and set(x) <= {0.0, 1.0} for x in X)
    assert sorted(set(y)) == list(range(10)) and all(y.count(d) == 20 for d in range(10))


def test_digits_without_noise_are_the_glyphs():
    X, y = make_digits(n=10, noise=0.0, seed=0)
    for x, label in zip(X, y):
        assert render_digit(x).splitlines() == list(DIGIT_GLYPHS[label])


def test_glyphs_are_5_by_7_and_all_different():
    assert all(
        len(rows) == 7 and all(len(r) == 5 and set(r) <= {"#", "."} for r in rows)
        for rows in DIGIT_GLYPHS.values()
    )
    assert len({rows for rows in DIGIT_GLYPHS.values()}) == 10


def test_digit_noise_flips_about_that_fraction_of_pixels():
    X, y = make_digits(n=400, noise=0.1, seed=0)
    clean = {
        d: [1.0 if ch == "#" else 0.0 for row in rows for ch in row]
        for d, rows in DIGIT_GLYPHS.items()
    }
    flips = sum(a != b for x, label in zip(X, y) for a, b in zip(x, clean[label]))
    assert flips / (400 * 35) == pytest.approx(0.1, abs=0.01)


def test_digits_can_use_fewer_classes():
    _, y = make_digits(n=30, seed=0, classes=3)
    assert sorted(set(y)) == [0, 1, 2]
    with pytest.raises(ValueError):
        make_digits(noise=1.5)


# ---------------------------------------------------------------- helpers
def test_train_val_split_partitions_the_data_reproducibly():
    X, y = make_moons(n=50, seed=0)
    Xt, yt, Xv, yv = train_val_split(X, y, val_fraction=0.2, seed=1)
    assert (len(Xt), len(Xv)) == (40, 10)
    assert sorted(map(tuple, Xt + Xv)) == sorted(map(tuple, X))
    pairs = {tuple(p): label for p, label in zip(X, y)}
    assert all(pairs[tuple(p)] == label for p, label in zip(Xt + Xv, yt + yv))
    assert train_val_split(X, y, seed=1) == train_val_split(X, y, seed=1)


def test_train_val_split_checks_its_arguments():
    with pytest.raises(ValueError, match="samples but"):
        train_val_split([[0.0]], [0, 1])
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split([[0.0], [1.0]], [0, 1], val_fraction=1.0)
    assert len(train_val_split([[0.0], [1.0]], [0, 1], val_fraction=0.01)[2]) == 1


def test_standardize_gives_mean_zero_std_one_and_reuses_stats():
    X = [[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]]
    Xs, stats = standardize(X)
    for j in range(2):
        col = [row[j] for row in Xs]
        assert sum(col) / 3 == pytest.approx(0.0)
    assert [row[0] for row in Xs] == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)])
    assert [row[1] for row in Xs] == [0.0, 0.0, 0.0]  # constant feature: only centred
    Xv, same = standardize([[3.0, 12.0]], stats)
    assert same == stats and Xv == [[0.0, 2.0]]
    with pytest.raises(ValueError, match="features"):
        standardize([[1.0]], stats)
