"""The renderer: what the drawing shows (parsed from real SVG), escaping, the size
guard, saving, and how the renderer executable is found."""

import importlib
import os
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import RendererNotFoundError, Value, backprop_steps, draw
from autograd.draw import Drawing, find_renderer

# The module, not the function: `autograd.draw` the attribute is the draw() function.
draw_module = importlib.import_module("autograd.draw")

SVG = "{http://www.w3.org/2000/svg}"
PURE = Path(sys.executable).parent / "graphviz-pure"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

needs_pure = pytest.mark.skipif(not PURE.exists(), reason="graphviz-pure is not installed beside the interpreter")


# ------------------------------------------------------------------ helpers
def small_graph():
    """L = (a*b + c) * f, labelled, after backward: the classic first example."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L, dict(a=a, b=b, c=c, d=d, e=e, f=f, L=L)


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


@pytest.fixture
def pure_only(monkeypatch):
    """Render with graphviz-pure from beside the interpreter: no PATH, no env var."""
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(draw_module, "_interpreter_dirs", lambda: [PURE.parent])


@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(draw_module, "_interpreter_dirs", lambda: [])


# ------------------------------------------------------------------ what is drawn
@needs_pure
def test_every_value_box_shows_its_name_data_and_grad(pure_only):
    L, v = small_graph()
    boxes = value_boxes(parse_svg(draw(L)))
    assert boxes["a"] == ["a", "data 2.0000", "grad 6.0000"]
    assert boxes["b"] == ["b", "data -3.0000", "grad -4.0000"]
    assert boxes["L"] == ["L", "data -8.0000", "grad 1.0000"]
    assert len(boxes) == 7


@needs_pure
def test_every_op_is_a_small_node_with_its_name(pure_only):
    L, _ = small_graph()
    ops = sorted(texts(g)[0] for g in groups(parse_svg(draw(L)), "op"))
    assert ops == ["*", "*", "+"]


@needs_pure
def test_edges_into_ops_are_labelled_with_local_derivatives(pure_only):
    L, _ = small_graph()
    svg = parse_svg(draw(L))
    labels = sorted(t for g in groups(svg, "edge") for t in texts(g))
    # a*b: d/da = b = -3, d/db = a = 2; e+c: 1, 1; d*f: d/dd = f = -2, d/df = d = 4
    assert labels == sorted(["-3.0000", "2.0000", "1.0000", "1.0000", "-2.0000", "4.0000"])


@needs_pure
def test_show_local_false_leaves_edges_unlabelled(pure_only):
    L, _ = small_graph()
    svg = parse_svg(draw(L, show_local=False))
    assert [t for g in groups(svg, "edge") for t in texts(g)] == []
