"""The renderer: what the drawing shows (parsed from real SVG), escaping, the size
guard, saving, and how the renderer executable is found."""

import importlib
import os
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from examples import PURE, SVG, classic, needs_pure

from autograd import RendererNotFoundError, Value, backprop_steps, draw
from autograd.draw import Drawing, find_renderer

# The module, not the function: `autograd.draw` the attribute is the draw() function.
draw_module = importlib.import_module("autograd.draw")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


@needs_pure
def test_unlabelled_values_are_named_as_in_the_step_table(pure_only):
    x = Value(3.0, label="x")
    y = (x * 2.0).tanh()
    names = {step.names[2] for step in backprop_steps(y)} | {backprop_steps(y)[0].names[0]}
    boxes = value_boxes(parse_svg(draw(y)))
    assert names <= set(boxes) | {"x"}
    assert set(boxes) == {"x", "n1", "n2", "n3"}  # n1 is the constant 2


@needs_pure
def test_a_value_used_twice_gets_two_edges_each_with_its_local_derivative(pure_only):
    a = Value(3.0, label="a")
    y = a * a
    y.backward()
    svg = parse_svg(draw(y))
    labels = [t for g in groups(svg, "edge") for t in texts(g)]
    assert sorted(labels) == ["3.0000", "3.0000"]
    assert len(groups(svg, "edge")) == 3  # a->op twice, op->y once


# ------------------------------------------------------------------ colour, kinds, grads
def box_fill(group: ET.Element) -> str:
    """The fill of a value box: the first filled shape in its group."""
    for shape in group:
        if shape.tag in (f"{SVG}polygon", f"{SVG}path") and shape.get("fill") not in (None, "none"):
            return shape.get("fill")
    for inner in group.iter(f"{SVG}g"):
        if inner is not group:
            return box_fill(inner)
    raise AssertionError("no filled shape")


def boxes_by_name(svg) -> dict[str, ET.Element]:
    return {texts(g)[0]: g for g in groups(svg, "value")}


@needs_pure
def test_boxes_are_filled_by_grad_magnitude_largest_strongest(pure_only):
    L, _ = small_graph()  # |grads|: a 6, b 4, f 4, c 2, d 2, e 2, L 1
    boxes = boxes_by_name(parse_svg(draw(L)))
    strongest = box_fill(boxes["a"])
    assert strongest == "#f4a259"
    assert box_fill(boxes["L"]) not in (strongest, "#ffffff")
    # a fill gets lighter as |grad| gets smaller: compare the green channel
    green = {name: int(box_fill(g)[3:5], 16) for name, g in boxes.items()}
    assert green["a"] < green["b"] < green["c"] < green["L"]


@needs_pure
def test_color_by_grad_false_leaves_every_box_white(pure_only):
    L, _ = small_graph()
    boxes = boxes_by_name(parse_svg(draw(L, color_by_grad=False)))
    assert {box_fill(g) for g in boxes.values()} == {"white"}


def test_numbers_show_four_decimals_or_an_exponent_and_no_negative_zero():
    fmt = draw_module._fmt
    assert [fmt(x) for x in (2.0, -3.14159, 0.0, -0.0, 1e-5, 2.5e8)] == [
        "2.0000",
        "-3.1416",
        "0.0000",
        "0.0000",
        "1.0000e-05",
        "2.5000e+08",
    ]
    assert [fmt(x) for x in (float("inf"), float("-inf"), float("nan"))] == ["inf", "-inf", "nan"]


def test_zero_grads_everywhere_draw_white_boxes():
    x = Value(1.0, label="x")
    y = x * 3.0  # no backward: every grad is 0
    assert 'BGCOLOR="#ffffff"' in draw(y).source
    assert "#f4a259" not in draw(y).source


@needs_pure
def test_parameters_inputs_constants_and_results_are_told_apart(pure_only):
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    y = (w * x + 1.0).relu()
    y.label = "y"
    svg = parse_svg(draw(y, params=[w]))
    kinds = {
        texts(g)[0]: set((g.get("class") or "").split()) - {"node", "value"}
        for g in groups(svg, "value")
    }
    assert kinds == {
        "w": {"param"},
        "x": {"input"},
        "n2": {"result"},
        "n3": {"const"},
        "n4": {"result"},
        "y": {"result"},
    }
    caption = texts(svg)[0]
    assert "thick blue border: parameter" in caption
    assert "rounded green border: input" in caption
    assert "dashed grey border: constant" in caption


def test_without_params_every_non_constant_leaf_is_an_input():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    source = draw(w * x).source
    assert source.count('class="value input"') == 2
    assert "param" not in source


def test_params_accepts_a_module_with_a_parameters_method():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")

    class Model:
        def parameters(self):
            return [w]

    assert draw(w * x, params=Model()).source.count('class="value param"') == 1


def test_params_must_be_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match="Values"):
        draw(x * 2, params=[1.0])
    with pytest.raises(TypeError, match="collection"):
        draw(x * 2, params=3)


def test_the_legend_can_be_left_out():
    y = Value(1.0) * 2.0
    assert "label=<" in draw(y).source.splitlines()[-2]
    assert "border" not in draw(y, legend=False).source


@needs_pure
def test_grads_mapping_replaces_the_grads_shown(pure_only):
    L, v = small_graph()
    boxes = value_boxes(parse_svg(draw(L, grads={v["a"]: 123.5})))
    assert boxes["a"][2] == "grad 123.5000"
    assert boxes["b"][2] == "grad -4.0000"  # not in the mapping: its own grad


# ------------------------------------------------------------------ highlight
@needs_pure
def test_highlight_marks_the_steps_edge_op_and_both_values(pure_only):
    L, v = small_graph()
    steps = backprop_steps(L)
    step = next(s for s in steps if s.input is v["b"])  # dL/db += de/db * dL/de
    svg = parse_svg(draw(L, highlight=step))
    red = "#d62728"
    marked = groups(svg, "highlight")
    assert len(marked) == 2  # b -> op, op -> e
    into_op = [g for g in marked if texts(g)]
    assert [texts(g) for g in into_op] == [["2.0000"]]  # the local derivative de/db = a
    assert all(shape.get("stroke") == red for g in marked for shape in g.iter(f"{SVG}path"))
    assert into_op[0].find(f".//{SVG}text").get("fill") == red
    boxes = boxes_by_name(svg)
    for name in ("b", "e"):
        assert any(
            s.get("stroke") == red
            for s in boxes[name].iter()
            if s.tag in (f"{SVG}polygon", f"{SVG}path")
        )
    for name in ("a", "L"):
        assert not any(s.get("stroke") == red for s in boxes[name].iter())
    ops = [
        g for g in groups(svg, "op") if any(s.get("stroke") == red for s in g.iter(f"{SVG}ellipse"))
    ]
    assert [texts(g) for g in ops] == [["*"]]
    assert "red: the current step" in texts(svg)[0]


def test_highlight_needs_a_step_of_this_graph():
    L, _ = small_graph()
    other = Value(1.0) * Value(2.0)
    with pytest.raises(ValueError, match="does not belong"):
        draw(L, highlight=backprop_steps(other)[0])
    with pytest.raises(TypeError, match="Step"):
        draw(L, highlight="b")


def test_highlight_of_a_squared_value_marks_one_of_its_two_edges():
    a = Value(3.0, label="a")
    y = a * a
    source = draw(y, highlight=backprop_steps(y)[1]).source
    assert source.count("class=highlight") == 2


# ------------------------------------------------------------------ escaping
NASTY_LABELS = [
    ('say "hi" it\'s', 'say "hi" it\'s'),
    ("<b>not bold</b> & &amp; &#92; &lt;", "<b>not bold</b> & &amp; &#92; &lt;"),
    ("{record|fields} | <port>", "{record|fields} | <port>"),
    ("back\\slash \\N \\G \\L \\\\ \\n end\\", "back\\slash \\N \\G \\L \\\\ \\n end\\"),
    ("]]> --> <!-- <![CDATA[", "]]> --> <!-- <![CDATA["),
    ("∂L/∂w — ü 日本 🙂 x²", "∂L/∂w — ü 日本 🙂 x²"),
    ("tab\tbell\x07nul\x00 cr\r", "tab\\tbell\\x07nul\\x00 cr\\r"),
    ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
]


@needs_pure
@pytest.mark.parametrize("label, shown", NASTY_LABELS)
def test_labels_are_shown_exactly_as_typed(pure_only, label, shown):
    x = Value(1.5, label=label)
    y = x * 2.0
    y.label = label
    y.backward()
    boxes = [texts(g) for g in groups(parse_svg(draw(y)), "value")]
    labelled = [b for b in boxes if b[0] == shown]
    assert len(labelled) == 2, boxes
    assert labelled[0][1:] == ["data 1.5000", "grad 2.0000"]


@needs_pure
def test_a_newline_in_a_label_is_a_line_break(pure_only):
    x = Value(1.0, label="first line\nsecond line")
    box = texts(groups(parse_svg(draw(x)), "value")[0])
    assert box == ["first line", "second line", "data 1.0000", "grad 0.0000"]


# ------------------------------------------------------------------ options and the size guard
def test_draw_returns_a_graphviz_digraph_with_dot_source():
    import graphviz

    L, _ = small_graph()
    g = draw(L, rankdir="TB")
    assert isinstance(g, graphviz.Digraph) and isinstance(g, Drawing)
    assert g.source.startswith("digraph chainrule {")
    assert "rankdir=TB" in g.source


def test_rankdir_must_be_a_graphviz_direction():
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="sideways")


def test_more_values_than_max_nodes_raise_and_say_what_to_do():
    x = Value(1.0, label="x")
    y = x
    for _ in range(10):
        y = y * 1.5  # 2 Values per op: the result and a constant
    assert len(draw(y, max_nodes=21).body) > 0
    with pytest.raises(ValueError) as error:
        draw(y, max_nodes=20)
    message = str(error.value)
    assert "21 Values" in message and "max_nodes=20" in message
    assert "intermediate Value" in message and "max_nodes=21" in message


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, None])
def test_max_nodes_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="max_nodes"):
        draw(Value(1.0), max_nodes=bad)


def test_drawing_a_graph_deeper_than_the_recursion_limit_does_not_recurse():
    y = Value(0.1, label="x")
    for _ in range(sys.getrecursionlimit() + 500):
        y = y.sin()
    source = draw(y, max_nodes=10**5).source
    assert source.count("class=op") == sys.getrecursionlimit() + 500


def test_draw_needs_a_value():
    with pytest.raises(TypeError, match="Value"):
        draw(3.0)


# ------------------------------------------------------------------ output
@needs_pure
def test_save_picks_the_format_from_the_suffix_and_makes_folders(pure_only, tmp_path):
    L, _ = small_graph()
    g = draw(L)
    svg = g.save(tmp_path / "a" / "graph.svg")
    png = g.save(str(tmp_path / "b" / "graph.PNG"))
    dot = g.save(tmp_path / "graph.dot")
    gv = g.save(tmp_path / "graph.gv")
    assert svg == tmp_path / "a" / "graph.svg" and isinstance(png, Path)
    assert "data -8.0000" in [
        t for g_ in groups(ET.parse(svg).getroot(), "value") for t in texts(g_)
    ]
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert dot.read_text(encoding="utf-8") == g.source == gv.read_text(encoding="utf-8")


def test_save_refuses_an_unknown_suffix_and_writes_nothing(tmp_path):
    g = draw(Value(1.0))
    for name in ("graph.pdf", "graph", "graph.svg.txt"):
        with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot, \.gv"):
            g.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@needs_pure
def test_pipe_returns_svg_or_png_bytes(pure_only):
    g = draw(Value(1.0, label="x") * 2)
    assert g.pipe(format="png").startswith(PNG_SIGNATURE)
    assert g.pipe().lstrip().startswith(b"<?xml")  # svg by default
    assert isinstance(g.pipe(format="svg", encoding="utf-8"), str)


@needs_pure
def test_render_writes_the_source_and_the_rendered_file(pure_only, tmp_path):
    g = draw(Value(1.0, label="x") * 2)
    out = g.render(directory=tmp_path)
    assert Path(out) == tmp_path / "chainrule.gv.svg"
    assert (tmp_path / "chainrule.gv").read_text(encoding="utf-8") == g.source
    assert ET.parse(out).getroot().tag == f"{SVG}svg"
    png = g.render(outfile=tmp_path / "x" / "out.png")
    assert Path(png).read_bytes().startswith(PNG_SIGNATURE)


@needs_pure
def test_a_notebook_shows_the_rendered_svg(pure_only):
    bundle = draw(Value(1.0, label="x") * 2)._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "data 1.0000" in bundle["image/svg+xml"]


# ------------------------------------------------------------------ finding the renderer
def fake_renderer(folder: Path, name: str, log: Path) -> Path:
    """A dot-compatible script: logs its arguments, then runs graphviz-pure."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{PURE}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


posix_scripts = pytest.mark.skipif(
    os.name == "nt" or not PURE.exists(), reason="needs sh and graphviz-pure"
)


@needs_pure
def test_graphviz_pure_is_found_beside_the_interpreter_when_path_is_empty(pure_only):
    assert find_renderer() == PURE
    assert draw(Value(1.0) * 2).pipe(format="png").startswith(PNG_SIGNATURE)


def test_the_interpreter_folder_is_searched():
    assert Path(sys.executable).parent in draw_module._interpreter_dirs()


@posix_scripts
def test_dot_on_path_is_used_before_graphviz_pure(monkeypatch, tmp_path):
    log = tmp_path / "dot.log"
    dot = fake_renderer(tmp_path / "bin", "dot", log)
    fake_renderer(tmp_path / "bin", "graphviz-pure", tmp_path / "pure.log")
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_renderer() == dot
    assert draw(Value(1.0, label="x") * 2).pipe(format="svg").lstrip().startswith(b"<?xml")
    assert "-Tsvg" in log.read_text()
    assert not (tmp_path / "pure.log").exists()


@posix_scripts
def test_graphviz_pure_on_path_is_used_when_there_is_no_dot(monkeypatch, tmp_path):
    log = tmp_path / "pure.log"
    pure = fake_renderer(tmp_path / "bin", "graphviz-pure", log)
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_renderer() == pure
    draw(Value(1.0) * 2).save(tmp_path / "g.png")
    assert "-Tpng" in log.read_text()


@posix_scripts
def test_chainrule_dot_comes_before_dot_on_path(monkeypatch, tmp_path):
    fake_renderer(tmp_path / "bin", "dot", tmp_path / "dot.log")
    mine = fake_renderer(tmp_path / "elsewhere", "my-dot", tmp_path / "mine.log")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CHAINRULE_DOT", str(mine))
    assert find_renderer() == mine
    draw(Value(1.0) * 2).save(tmp_path / "g.svg")
    assert "-Tsvg" in (tmp_path / "mine.log").read_text()
    assert not (tmp_path / "dot.log").exists()


@posix_scripts
def test_chainrule_dot_may_name_a_command_on_path(monkeypatch, tmp_path):
    mine = fake_renderer(tmp_path / "bin", "my-dot", tmp_path / "mine.log")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CHAINRULE_DOT", "my-dot")
    assert find_renderer() == mine


def test_chainrule_dot_pointing_nowhere_is_an_error_not_a_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINRULE_DOT", str(tmp_path / "missing-dot"))
    with pytest.raises(RendererNotFoundError, match="CHAINRULE_DOT"):
        find_renderer()


def test_no_renderer_anywhere_raises_an_error_naming_the_fixes(no_renderer):
    with pytest.raises(RendererNotFoundError) as error:
        draw(Value(1.0) * 2).pipe()
    message = str(error.value)
    assert isinstance(error.value, RuntimeError)
    assert "pip install graphviz-pure" in message
    assert "install Graphviz" in message
    assert "CHAINRULE_DOT" in message


def test_without_a_renderer_svg_and_png_fail_but_dot_source_saves(no_renderer, tmp_path):
    g = draw(Value(1.0) * 2)
    with pytest.raises(RendererNotFoundError):
        g.save(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    assert g.save(tmp_path / "g.dot").read_text(encoding="utf-8") == g.source


def test_without_a_renderer_a_notebook_shows_the_message_not_a_traceback(no_renderer):
    bundle = draw(Value(1.0) * 2)._repr_mimebundle_(include=None, exclude=None)
    assert set(bundle) == {"text/plain", "text/html"}
    assert "pip install graphviz-pure" in bundle["text/plain"]
    assert "could not render" in bundle["text/html"]
    assert "<pre" in bundle["text/html"]


@needs_pure
def test_the_renderer_is_looked_up_when_rendering_not_when_drawing(no_renderer, monkeypatch):
    g = draw(Value(1.0) * 2)  # drawn with no renderer anywhere
    monkeypatch.setenv("CHAINRULE_DOT", str(PURE))  # then one appears
    assert g.pipe(format="png").startswith(PNG_SIGNATURE)


@posix_scripts
def test_a_failing_renderer_raises_with_what_it_printed(monkeypatch, tmp_path):
    broken = tmp_path / "broken-dot"
    broken.write_text('#!/bin/sh\necho "syntax error in line 1" >&2\nexit 3\n')
    broken.chmod(0o755)
    monkeypatch.setenv("CHAINRULE_DOT", str(broken))
    g = draw(Value(1.0) * 2)
    with pytest.raises(draw_module.RenderError, match="(?s)exit status 3.*syntax error in line 1"):
        g.pipe()
    assert "syntax error in line 1" in g._repr_mimebundle_()["text/plain"]


def test_a_drawing_has_a_stable_repr_for_saved_notebooks():
    L, _ = small_graph()
    text = repr(draw(L))
    assert text == repr(draw(L)) and "0x" not in text and "7 Values" in text


def test_each_step_of_a_times_a_highlights_its_own_edge():
    a = Value(3.0, label="a")
    L = a * a
    first, second = backprop_steps(L)
    assert (first.operand, second.operand) == (0, 1)
    for step, marked in ((first, 0), (second, 1)):
        edges = [
            line for line in draw(L, highlight=step).source.splitlines() if "v0 -> op1" in line
        ]
        assert len(edges) == 2
        assert ["highlight" in line for line in edges] == [i == marked for i in range(2)]
