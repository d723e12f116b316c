"""Example graphs and renderer markers shared by the drawing and stepping tests."""

import sys
from pathlib import Path

import pytest

from autograd import Value

SVG = "{http://www.w3.org/2000/svg}"
PURE = Path(sys.executable).parent / "graphviz-pure"
needs_pure = pytest.mark.skipif(
    not PURE.exists(), reason="graphviz-pure is not installed beside the interpreter"
)


def classic():
    """L = (a*b + c) * f, labelled, before backward: the classic first example.
    Six steps; dL/da = 6, dL/db = -4, dL/dc = -2, dL/df = 4."""
    a, b, c, f = (
        Value(2.0, label="a"),
        Value(-3.0, label="b"),
        Value(10.0, label="c"),
        Value(-2.0, label="f"),
    )
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, dict(a=a, b=b, c=c, d=d, e=e, f=f, L=L)
