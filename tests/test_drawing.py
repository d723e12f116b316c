"""The renderer: what the drawing shows (parsed from real SVG), escaping, the size
guard, saving, and how the renderer executable is found."""

import sys
import xml.etree.ElementTree as ET

import pytest
from examples import SVG, classic, groups, needs_pure, parse_svg, small_graph, texts, value_boxes

from autograd import Value, backprop_steps, draw
from autograd.drawing import draw_steps
from autograd.render import Drawing
from autograd.steps import Steps, replay

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    assert set(boxes) == {"x", "n₁", "n₂", "n₃"}  # n₁ is the constant 2


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


def test_zero_grads_everywhere_draw_white_boxes():
    x = Value(1.0, label="x")
    y = x * 3.0  # no backward: every grad is 0
    boxes = [line for line in draw(y).source.splitlines() if "data " in line]
    assert len(boxes) == 3 and all('BGCOLOR="#ffffff"' in line for line in boxes)


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
        "n₂": {"result"},
        "n₃": {"const"},
        "n₄": {"result"},
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
    step = next(s for s in steps if s.input is v["b"])  # b.grad += ∂e/∂b × e.grad
    svg = parse_svg(draw(L, highlight=step))
    red = "#c62828"
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


# ------------------------------------------------------------------ the key and draw_steps
def test_the_key_names_the_largest_grad_the_fill_goes_up_to():
    L, _ = small_graph()  # the largest |grad| is dL/da = 6
    source = draw(L).source
    key = source[source.index("fill |grad|") :]
    assert "fill |grad|:  0" in key and "6.0000" in key
    assert key.count("BGCOLOR") == 5  # five swatches from white to the fullest fill
    assert "fill |grad|" not in draw(L, color_by_grad=False).source


def test_draw_steps_shows_a_recorded_pass_as_it_stood_after_k_steps():
    L, v = classic()
    steps = replay(L)
    v["a"].data = 100.0  # changed after recording: the picture keeps the old number
    start, third, end = (draw_steps(steps, k).source for k in (0, 3, len(steps)))
    assert "data 2.0000" in start and "data 100" not in start
    assert start.count("grad 0.0000") == 6 and "grad 1.0000" in start  # only L so far
    assert third.count("class=highlight") == 2  # step 3: its edge into the op and out
    assert "grad 6.0000" in end and "grad -4.0000" in end
    assert draw_steps(steps).source == end


def test_draw_steps_refuses_positions_outside_the_pass_and_picked_steps():
    L, _ = classic()
    steps = replay(L)
    for bad in (-1, 7, 2.0, True):
        with pytest.raises(ValueError, match="position must be an int from 0 to 6"):
            draw_steps(steps, bad)
    with pytest.raises(TypeError, match="Steps of a whole pass"):
        draw_steps(Steps(steps[:2]), 1)


def test_dpi_must_be_a_resolution():
    L, _ = small_graph()
    for bad in (0, 5, 1e6, "300", True):
        with pytest.raises(ValueError, match="dpi must be a number from 10 to 2400"):
            draw(L, dpi=bad)
