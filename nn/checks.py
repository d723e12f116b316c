"""Argument checks shared by every ``nn`` module, so each kind of mistake is reported
in one wording wherever it happens: ``{name} must be {what it must be}, got {value!r}``.

Each check returns the argument converted (an ``int``, a ``float``, a tuple of Values)
or raises ValueError. ``bool`` is never taken for a number: ``True`` is almost always a
mistake for a size or a rate.
"""

from __future__ import annotations

import math
import numbers
import operator

from autograd import Value

__all__ = ["integer", "number", "one_of", "values"]


def integer(x, name: str, *, low: int = 1, high: int | None = None) -> int:
    """``x`` as an int, if it is one (not a bool) with ``low <= x <= high``."""
    if (
        isinstance(x, numbers.Integral)
        and not isinstance(x, bool)
        and x >= low
        and (high is None or x <= high)
    ):
        return int(x)
    if high is not None:
        what = f"an int from {low} to {high}"
    else:
        what = "a positive int" if low == 1 else f"an int >= {low}"
    raise ValueError(f"{name} must be {what}, got {x!r}")


def number(x, name: str, *, at_least=None, above=None, below=None, at_most=None) -> float:
    """``x`` as a float, if it is a finite real number (not a bool) within the bounds
    given: ``x >= at_least``, ``x > above``, ``x < below``, ``x <= at_most``."""
    bounds = [
        (at_least, ">=", operator.ge),
        (above, ">", operator.gt),
        (below, "<", operator.lt),
        (at_most, "<=", operator.le),
    ]
    value = None
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            value = float(x)
        except (OverflowError, ValueError):  # an int too large for a float
            value = None
    if value is not None and math.isfinite(value):
        if all(bound is None or holds(value, bound) for bound, _, holds in bounds):
            return value
    limits = " and ".join(f"{sign} {bound}" for bound, sign, _ in bounds if bound is not None)
    what = f"a finite number {limits}" if limits else "a finite number"
    raise ValueError(f"{name} must be {what}, got {x!r}")


def one_of(x, name: str, options: tuple, *, hint: str = ""):
    """``x`` if it is one of ``options`` (names such as activations or losses)."""
    if isinstance(x, str) and x in options:
        return x
    choices = ", ".join(map(repr, options))
    raise ValueError(f"unknown {name} {x!r}: choose one of {choices}{hint}")


def values(x, count: int, who: str) -> tuple[Value, ...]:
    """A flat input of ``count`` numbers or Values as a tuple of Values. Numbers are
    lifted here once, so that every neuron reading the input shares the same node.
    One number or Value is an input of length 1."""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]
    elif isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{who} expects a list of {count} numbers, not {type(x).__name__}")
    xs = tuple(v if isinstance(v, Value) else _lift(v, who) for v in x)
    if len(xs) != count:
        raise ValueError(f"{who} expects {count} inputs, got {len(xs)}")
    return xs


def _lift(v, who: str) -> Value:
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{who}: inputs must be numbers or Values, not {type(v).__name__}")
    return Value(v)
