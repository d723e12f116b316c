"""Example graphs and renderer markers shared by the drawing and stepping tests."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value, dot, sum_of, topological_order

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


def messy_graph():
    """A small graph with shared nodes, n-ary nodes, constants and inexact numbers."""
    a, b, c = Value(0.3, label="a"), Value(-1.7, label="b"), Value(2.2, label="c")
    h = (a * b + c).tanh()
    g = sum_of([h, a.exp() / c, h * h, 3.0]) * (b.sigmoid() + dot([a, b], [c, h]))
    return [a, b, c], g.log() if g.data > 0 else (g * g).log()


def all_grads(root: Value) -> list[str]:
    # repr tells 0.0 from -0.0 and shows every bit: the comparisons below are exact.
    return [repr(node.grad) for node in topological_order(root)]


# ------------------------------------------------------------------ reading rendered SVG
# ------------------------------------------------------------------ helpers
def small_graph():
    """The classic example after backward."""
    L, nodes = classic()
    L.backward()
    return L, nodes


def parse_svg(drawing) -> ET.Element:
    return ET.fromstring(drawing.pipe(format="svg"))


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    """The <g> elements whose class list contains ``cls``."""
    return [g for g in svg.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def value_boxes(svg) -> dict[str, list[str]]:
    """Each value node's texts, keyed by the first text (its name)."""
    return {texts(g)[0]: texts(g) for g in groups(svg, "value")}
