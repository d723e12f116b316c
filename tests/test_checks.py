"""nn.checks: one wording per kind of bad argument, and the values converted."""

import math
from fractions import Fraction

import pytest

from autograd import Value
from nn.checks import integer, number, one_of, values


# ---------------------------------------------------------------- integer
def test_integer_returns_an_int_within_its_bounds():
    assert integer(3, "n") == 3 and type(integer(True + 2, "n")) is int
    assert integer(0, "padding", low=0) == 0
    assert integer(10, "classes", low=2, high=10) == 10


@pytest.mark.parametrize(
    "value, bounds, message",
    [
        (0, {}, "n must be a positive int, got 0"),
        (2.0, {}, "n must be a positive int, got 2.0"),
        (True, {}, "n must be a positive int, got True"),
        ("3", {}, "n must be a positive int, got '3'"),
        (-1, {"low": 0}, "n must be an int >= 0, got -1"),
        (11, {"low": 2, "high": 10}, "n must be an int from 2 to 10, got 11"),
    ],
)
def test_integer_rejects_with_one_wording(value, bounds, message):
    with pytest.raises(ValueError) as info:
        integer(value, "n", **bounds)
    assert str(info.value) == message


# ---------------------------------------------------------------- number
def test_number_returns_a_float_within_its_bounds():
    assert number(Fraction(1, 4), "p", at_least=0.0, at_most=1.0) == 0.25
    assert type(number(3, "lr")) is float
    assert number(0.0, "l2", at_least=0.0) == 0.0


@pytest.mark.parametrize(
    "value, bounds, message",
    [
        (math.nan, {}, "x must be a finite number, got nan"),
        (math.inf, {}, "x must be a finite number, got inf"),
        (10**400, {}, "x must be a finite number, got 1000"),
        (True, {}, "x must be a finite number, got True"),
        (None, {}, "x must be a finite number, got None"),
        (-0.5, {"at_least": 0.0}, "x must be a finite number >= 0.0, got -0.5"),
        (1.0, {"above": 0.0, "below": 1.0}, "x must be a finite number > 0.0 and < 1.0, got 1.0"),
        (1.5, {"at_least": 0.0, "at_most": 1.0}, "x must be a finite number >= 0.0 and <= 1.0"),
    ],
)
def test_number_rejects_with_one_wording(value, bounds, message):
    with pytest.raises(ValueError) as info:
        number(value, "x", **bounds)
    assert str(info.value).startswith(message)


# ---------------------------------------------------------------- one_of
def test_one_of_names_the_choices():
    assert one_of("tanh", "activation", ("relu", "tanh")) == "tanh"
    with pytest.raises(ValueError) as info:
        one_of("gelu", "activation", ("relu", "tanh"), hint="!")
    assert str(info.value) == "unknown activation 'gelu': choose one of 'relu', 'tanh'!"
    with pytest.raises(ValueError, match="unknown activation"):
        one_of(["relu"], "activation", ("relu",))  # unhashable, still a clear error


# ---------------------------------------------------------------- values
def test_values_lifts_numbers_once_and_keeps_values():
    v = Value(2.0)
    xs = values([1, v, 0.5], 3, "Layer")
    assert isinstance(xs, tuple) and xs[1] is v
    assert [x.data for x in xs] == [1.0, 2.0, 0.5]
    assert [x.data for x in values(4.0, 1, "Neuron")] == [4.0]  # one number: length 1


def test_values_reports_a_wrong_length_or_type():
    with pytest.raises(ValueError, match="Layer expects 2 inputs, got 3"):
        values([1, 2, 3], 2, "Layer")
    with pytest.raises(TypeError, match="Layer: inputs must be numbers or Values, not str"):
        values([1, "2"], 2, "Layer")
    with pytest.raises(TypeError, match="Layer expects a list of 2 numbers, not str"):
        values("12", 2, "Layer")
