"""Finite-difference gradient checking, with PyTorch's names (``eps``, ``atol``, ``rtol``).

The analytic gradient comes from ``backward``; the numeric one from central
differences, (f(x + eps) - f(x - eps)) / 2eps, whose error shrinks like eps².
``numerical_jacobian`` does the differencing for any function of plain numbers;
the second-order check, ``gradgradcheck``, lives in ``calculus.py`` (above this
module) because it needs the functional ``grad``.
"""

from __future__ import annotations

import math
import numbers

from autograd.value import Value, no_grad


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; ``rows`` holds one entry per input:
    ``(index, label, analytic, numeric, ok)``."""

    def __init__(self, message: str, rows: list[tuple]):
        super().__init__(message)
        self.rows = rows


def _start(x, i: int) -> tuple[float, str]:
    if isinstance(x, Value):
        return x.data, x.label or f"input {i}"
    if isinstance(x, numbers.Real):
        return float(x), f"input {i}"
    raise TypeError(f"gradcheck input {i} must be a number or a Value, not {type(x).__name__}")


def _evaluate(f, xs: list[float]) -> float:
    with no_grad():
        out = f(*(Value(x) for x in xs))
    return float(out)


def numerical_jacobian(fn, xs, *, eps: float = 1e-6) -> list[list[float]]:
    """∂fn_k/∂x_j by central differences: row k, column j, one pair of evaluations per x_j.

    ``fn`` maps a list of floats to a list of floats. It is any function of plain
    numbers, so it may build and differentiate graphs of its own: the second-order
    check (``calculus.gradgradcheck``) differentiates an analytic gradient this way.
    """
    xs = [float(x) for x in xs]
    columns = []
    for j, x in enumerate(xs):
        up, down = list(xs), list(xs)
        up[j], down[j] = x + eps, x - eps
        f_up, f_down = list(fn(up)), list(fn(down))
        columns.append([(a - b) / (2.0 * eps) for a, b in zip(f_up, f_down)])
    return [list(row) for row in zip(*columns)]


def numerical_gradient(f, inputs, *, eps: float = 1e-6) -> list[float]:
    """∂f/∂x_i by central differences, one pair of evaluations per input."""
    xs = [_start(x, i)[0] for i, x in enumerate(inputs)]
    if not xs:
        return []
    (row,) = numerical_jacobian(lambda point: [_evaluate(f, point)], xs, eps=eps)
    return row


def gradcheck(f, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check ``f``'s backward against central differences at ``inputs``.

    ``f`` takes one Value per input and returns a Value. Returns True when, for every
    input, |analytic - numeric| <= atol + rtol * |numeric|; otherwise raises
    ``GradcheckError`` listing each input's analytic and numeric gradient.
    Values given as inputs are read, never changed.
    """
    starts = [_start(x, i) for i, x in enumerate(inputs)]
    leaves = [Value(x) for x, _ in starts]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, not {type(out).__name__}")
    out.backward()
    numeric = numerical_gradient(f, [x for x, _ in starts], eps=eps)
    entries = [
        (i, label, leaf.grad, num)
        for i, ((_, label), leaf, num) in enumerate(zip(starts, leaves, numeric))
    ]
    return compare("gradcheck", entries, eps=eps, atol=atol, rtol=rtol)


def compare(who: str, entries, *, eps: float, atol: float, rtol: float, heading=None) -> bool:
    """True when every analytic value is finite and within atol + rtol × |numeric| of
    its numeric one; otherwise raises ``GradcheckError``, one line per entry.

    ``entries``: ``(key, label, analytic, numeric)``; ``heading(label)`` is how each
    line names its entry (the label right-aligned unless given). ``who`` names the
    check in the message (``gradcheck``, ``gradgradcheck``)."""
    rows = [
        (key, label, a, n, math.isfinite(a) and abs(a - n) <= atol + rtol * abs(n))
        for key, label, a, n in entries
    ]
    if all(ok for *_, ok in rows):
        return True
    heading = heading or (lambda label: f"{label:>12}")
    lines = [f"{who} failed (eps={eps}, atol={atol}, rtol={rtol}):"]
    lines += [
        f"  {heading(label)}: analytic {a: .10g}   numeric {n: .10g}   {'ok' if ok else 'MISMATCH'}"
        for _, label, a, n, ok in rows
    ]
    raise GradcheckError("\n".join(lines), rows)
