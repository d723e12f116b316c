"""Stepping through backprop: the step table, the stepper (headless and its widget)
and the hand-calculation checker."""

import math
import sys
import xml.etree.ElementTree as ET

import pytest
from examples import PURE, SVG, classic, needs_pure

from autograd import Step, Steps, Value, backprop_steps, draw
from autograd.stepper import GradientCheck, Stepper, check_gradients


def grads(values) -> dict:
    return {name: v.grad for name, v in values.items()}


@pytest.fixture
def renderer(monkeypatch):
    if not PURE.exists():
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("CHAINRULE_DOT", str(PURE))


@pytest.fixture
def no_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError


# ------------------------------------------------------------------ Steps: the table
def test_backprop_steps_returns_steps_a_list_of_step():
    L, _ = classic()
    steps = backprop_steps(L)
    assert type(steps) is Steps and isinstance(steps, list)
    assert len(steps) == 6 and all(isinstance(s, Step) for s in steps)


def test_backprop_steps_still_has_exactly_the_effect_of_backward():
    L1, v1 = classic()
    L2, v2 = classic()
    backprop_steps(L1)
    L2.backward()
    assert grads(v1) == grads(v2)


def test_the_table_has_a_header_and_one_row_per_step():
    L, _ = classic()
    lines = backprop_steps(L).table().splitlines()
    assert lines[0].split() == [
        "#",
        "chain",
        "rule",
        "local",
        "upstream",
        "contribution",
        "running",
        "grad",
    ]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 6
    assert lines[2].split() == [
        "1",
        "dL/dd",
        "+=",
        "dL/dd",
        "*",
        "dL/dL",
        "-2.0000",
        "1.0000",
        "-2.0000",
        "-2.0000",
    ]
    assert lines[7].split() == [
        "6",
        "dL/db",
        "+=",
        "de/db",
        "*",
        "dL/de",
        "2.0000",
        "-2.0000",
        "-4.0000",
        "-4.0000",
    ]


def test_the_table_shows_the_running_grad_of_a_node_that_receives_twice():
    a = Value(3.0, label="a")
    b = Value(4.0, label="b")
    y = a * b + a  # a gets 1 (from +) and then b = 4 (from *)
    y.label = "y"
    rows = [line.split() for line in backprop_steps(y).table().splitlines()[2:]]
    into_a = [row for row in rows if row[1] == "dy/da"]
    assert [row[-1] for row in into_a] == ["1.0000", "5.0000"]


def test_str_of_steps_is_the_table():
    L, _ = classic()
    steps = backprop_steps(L)
    assert str(steps) == steps.table()


def test_a_leaf_root_has_no_steps_and_the_table_says_so():
    assert "no chain-rule steps" in backprop_steps(Value(1.0)).table()


def test_the_table_keeps_one_line_per_step_whatever_the_labels():
    x = Value(2.0, label="two\nlines")
    y = x * x
    table = backprop_steps(y).table()
    assert len(table.splitlines()) == 2 + 2
    assert "dn1/dtwo\\nlines += dn1/dtwo\\nlines * dn1/dn1" in table


def test_the_html_table_is_escaped_with_one_row_per_step():
    x = Value(2.0, label="<script>alert(1)</script>")
    y = x * 3.0
    page = backprop_steps(y)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<tr>") == 1 + 2
    root = ET.fromstring(page)  # well-formed
    assert root.tag == "table"


# ------------------------------------------------------------------ the stepper, headless
def test_the_stepper_moves_between_start_and_end_and_stops_there():
    L, _ = classic()
    s = Stepper(L)
    assert len(s) == 6 and s.position == 0 and s.at_start
    assert s.previous() is False and s.position == 0
    for k in range(1, 7):
        assert s.next() is True and s.position == k
    assert s.at_end and s.next() is False and s.position == 6
    assert s.previous() is True and s.position == 5
    assert s.go(2) == 2 and s.position == 2


@pytest.mark.parametrize(
    "bad, error", [(-1, ValueError), (7, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_the_stepper_refuses_positions_outside_the_pass(bad, error):
    L, _ = classic()
    s = Stepper(L)
    with pytest.raises(error, match="position"):
        s.go(bad)
    assert s.position == 0


def test_each_position_shows_its_step_and_chain_rule_line():
    L, v = classic()
    s = Stepper(L)
    assert s.step(0) is None
    assert s.caption(0) == "start: dL/dL = 1, every other grad starts at 0 (6 steps to go)"
    assert s.step(5).input is v["a"]
    assert s.caption(5) == "step 5 of 6: " + str(s.steps[4])
    assert "dL/da += de/da * dL/de = -3.0000 * -2.0000 = 6.0000" in s.caption(5)
    s.go(5)
    assert s.caption() == s.caption(5) and s.step() is s.steps[4]


def test_grads_are_shown_as_they_stand_after_each_step():
    L, v = classic()
    s = Stepper(L)
    start = s.grads(0)
    assert start[v["L"]] == 1.0 and all(start[x] == 0.0 for name, x in v.items() if name != "L")
    after_two = s.grads(2)
    assert after_two[v["d"]] == -2.0 and after_two[v["f"]] == 4.0 and after_two[v["e"]] == 0.0
    L.backward()
    assert {x: s.grads(6)[x] for x in v.values()} == {x: x.grad for x in v.values()}


def test_the_stepper_changes_no_grad_and_ignores_earlier_backward_calls():
    L, v = classic()
    L.backward()
    before = grads(v)
    s = Stepper(L)
    assert grads(v) == before
    # the leaves hold 6 after one backward; the replayed pass still ends at 6, not 12
    assert s.grads(6)[v["a"]] == 6.0
    assert s.steps[4].grad == 6.0


def test_the_stepper_of_a_leaf_has_only_a_start():
    s = Stepper(Value(3.0, label="x"))
    assert len(s) == 0 and s.at_start and s.at_end
    assert s.next() is False
    assert "nothing to backpropagate" in s.caption()


def test_each_positions_drawing_highlights_its_step_and_shows_its_grads():
    L, v = classic()
    s = Stepper(L, params=[v["a"]])
    assert "class=highlight" not in s.drawing(0).source
    third = s.drawing(3).source  # dL/de += dd/de * dL/dd
    assert third.count("class=highlight") == 2
    assert "grad -2.0000" in third and "grad 6.0000" not in third  # a has not been reached
    assert s.drawing(6).source.count("grad 6.0000") == 1
    assert 'class="value param"' in third  # draw options pass through


def test_bad_draw_options_fail_when_the_stepper_is_made():
    L, _ = classic()
    with pytest.raises(ValueError, match="rankdir"):
        Stepper(L, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        Stepper(L, max_nodes=3)


def test_the_stepper_sets_highlight_and_grads_itself():
    L, _ = classic()
    with pytest.raises(TypeError, match="highlight"):
        Stepper(L, highlight=None)


# ------------------------------------------------------------------ the widget
def widget_parts(box):
    (previous, slider, following), picture, caption = box.children[0].children, *box.children[1:]
    return previous, slider, following, picture, caption


def test_the_widget_buttons_and_slider_move_the_stepper(renderer):
    L, _ = classic()
    s = Stepper(L)
    previous, slider, following, picture, caption = widget_parts(s.widget())
    assert (slider.min, slider.max, slider.value) == (0, 6, 0)
    assert previous.disabled and not following.disabled
    assert "start: dL/dL = 1" in caption.value
    following.click()
    assert s.position == 1 and slider.value == 1 and not previous.disabled
    assert "step 1 of 6: dL/dd += dL/dd * dL/dL" in caption.value
    slider.value = 6
    assert s.position == 6 and following.disabled
    following.click()
    assert s.position == 6
    previous.click()
    assert s.position == 5 and "step 5 of 6" in caption.value


@needs_pure
def test_the_widget_shows_the_rendered_graph_of_the_current_step(renderer):
    L, _ = classic()
    s = Stepper(L)
    _, slider, _, picture, _ = widget_parts(s.widget())
    slider.value = 3
    svg = ET.fromstring(picture.value)
    assert svg.tag == f"{SVG}svg"
    highlighted = [g for g in svg.iter(f"{SVG}g") if "highlight" in (g.get("class") or "")]
    assert len(highlighted) == 2


def test_the_widget_shows_the_renderer_message_when_there_is_none(monkeypatch):
    import importlib

    draw_module = importlib.import_module("autograd.draw")
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(draw_module, "_interpreter_dirs", lambda: [])
    L, _ = classic()
    _, _, _, picture, _ = widget_parts(Stepper(L).widget())
    assert "pip install graphviz-pure" in picture.value


def test_without_ipywidgets_the_widget_says_how_to_install_it(no_ipywidgets):
    L, _ = classic()
    s = Stepper(L)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebook\]'"):
        s.widget()
    s.next()  # the headless stepper works without it
    assert s.caption().startswith("step 1 of 6")


def test_without_ipywidgets_displaying_a_stepper_shows_the_message_and_the_table(
    no_ipywidgets, capsys
):
    L, _ = classic()
    Stepper(L)._ipython_display_()
    out = capsys.readouterr().out
    assert "chainrule[notebook]" in out
    assert "dL/db += de/db * dL/de" in out


# ------------------------------------------------------------------ the checker
def test_right_answers_are_right():
    L, _ = classic()
    result = check_gradients(L, {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "L": 1.0})
    assert isinstance(result, GradientCheck)
    assert result.all_correct and result.wrong == []
    assert [a.name for a in result] == ["a", "b", "c", "f", "L"]


def test_a_wrong_answer_gets_the_expected_value_and_the_steps_that_make_it():
    L, v = classic()
    result = check_gradients(L, {"a": 6.0, "b": 4.0})
    assert not result.all_correct
    b = result["b"]
    assert (b.yours, b.expected, b.correct) == (4.0, -4.0, False)
    assert [s.input for s in b.steps] == [v["b"]] and b.steps[0].node is v["e"]
    assert b.path == ("L", "d", "e", "b")
    text = str(result)
    assert text.splitlines()[0] == "gradients of L: 1 of 2 right (tolerance 0.001)"
    assert "b  WRONG" in text and "a  right" in text
    assert "path from L: L -> d -> e -> b" in text
    assert str(b.steps[0]) in text
    assert "dL/da +=" not in text  # right answers are not explained


def test_a_value_used_twice_is_explained_by_both_of_its_steps():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    answer = check_gradients(y, {"a": 3.0})["a"]
    assert answer.expected == 6.0 and not answer.correct
    assert len(answer.steps) == 2
    assert "the sum of 2 chain-rule steps" in answer.explain()


def test_tolerance_accepts_rounding_and_scales_with_large_gradients():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    exact = 1 - math.tanh(0.5) ** 2  # 0.786448...
    assert check_gradients(y, {"x": 0.7864}).all_correct
    assert not check_gradients(y, {"x": 0.79}).all_correct
    assert check_gradients(y, {"x": 0.79}, tol=0.01).all_correct
    assert not check_gradients(y, {"x": 0.7864}, tol=0).all_correct
    assert check_gradients(y, {"x": exact}, tol=0).all_correct
    big = Value(1000.0, label="big")
    z = big * big
    assert check_gradients(z, {"big": 2000.9}).all_correct  # within 0.1% of 2000


def test_values_can_be_named_by_the_value_or_by_their_n_name():
    L, v = classic()
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh()
    assert check_gradients(L, {v["e"]: -2.0}).all_correct
    result = check_gradients(y, {"n2": 1 - math.tanh(6.0) ** 2})  # n2 = x*3
    assert result.all_correct and result.answers[0].name == "n2"


def test_an_unknown_label_is_an_error_listing_the_labels():
    L, _ = classic()
    with pytest.raises(ValueError, match=r"no value named 'z'.*'a', 'b', 'e', 'c', 'd', 'f', 'L'"):
        check_gradients(L, {"z": 1.0})


def test_an_ambiguous_label_is_an_error():
    x1, x2 = Value(1.0, label="x"), Value(2.0, label="x")
    y = x1 * x2
    with pytest.raises(ValueError, match="2 different values are named 'x'"):
        check_gradients(y, {"x": 2.0})
    assert check_gradients(y, {x1: 2.0, x2: 1.0}).all_correct  # the Values themselves work


def test_bad_answers_and_keys_are_errors():
    L, v = classic()
    with pytest.raises(TypeError, match="number"):
        check_gradients(L, {"a": "6"})
    with pytest.raises(TypeError, match="label"):
        check_gradients(L, {3: 6.0})
    with pytest.raises(ValueError, match="not part of the graph"):
        check_gradients(L, {Value(1.0): 0.0})
    with pytest.raises(TypeError, match="mapping"):
        check_gradients(L, [("a", 6.0)])
    with pytest.raises(ValueError, match="tol"):
        check_gradients(L, {"a": 6.0}, tol=-1)


def test_checking_changes_no_grad_and_expects_one_pass():
    L, v = classic()
    L.backward()
    L.backward()  # leaves now hold twice the gradient
    before = grads(v)
    result = check_gradients(L, {"a": 6.0})
    assert result.all_correct
    assert grads(v) == before


def test_the_root_answer_is_one_by_definition():
    L, _ = classic()
    answer = check_gradients(L, {"L": 2.0})["L"]
    assert answer.expected == 1.0 and "by definition" in answer.explain()


def test_the_html_report_is_escaped_and_marks_each_answer():
    x = Value(2.0, label="<b>x</b>")
    y = x * 3.0
    page = check_gradients(y, {"<b>x</b>": 1.0})._repr_html_()
    assert "<b>x</b>" not in page.replace("<b>gradients", "")
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "wrong" in page and "3.0000" in page


# ------------------------------------------------------------------ the README's example
README_CHECK = """\
gradients of y: 1 of 2 right (tolerance 0.001)
  w  right  yours     1.0000  expected     1.0000
  b  WRONG  yours     1.0000  expected     0.5000
      path from y: y -> n -> b
      dy/db is the sum of 1 chain-rule step:
        dy/db += dn/db * dy/dn = 1.0000 * 0.5000 = 0.5000  (dy/db = 0.5000)"""

README_TABLE = """\
#  chain rule                  local  upstream  contribution  running grad
-  ------------------------  -------  --------  ------------  ------------
1  dy/dn += dy/dn * dy/dy     0.5000    1.0000        0.5000        0.5000
2  dy/dn2 += dn/dn2 * dy/dn   1.0000    0.5000        0.5000        0.5000
3  dy/db += dn/db * dy/dn     1.0000    0.5000        0.5000        0.5000
4  dy/dx += dn2/dx * dy/dn2  -3.0000    0.5000       -1.5000       -1.5000
5  dy/dw += dn2/dw * dy/dn2   2.0000    0.5000        1.0000        1.0000"""


def test_the_readme_example_prints_what_the_readme_shows(renderer, tmp_path):
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    y = n.tanh()
    y.label = "y"
    assert str(check_gradients(y, {"w": 1.0, "b": 1.0})) == README_CHECK
    assert str(backprop_steps(y)) == README_TABLE
    svg = draw(y, params=[w, b]).save(tmp_path / "out" / "neuron.svg")
    assert ET.parse(svg).getroot().tag == f"{SVG}svg"


def test_the_steps_repr_is_their_table():
    L, _ = classic()
    steps = backprop_steps(L)
    assert repr(steps) == steps.table() == str(steps)
    assert "Step(" in repr(steps[0])  # a single step keeps its record repr
