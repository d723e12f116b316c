"""Stepping through backprop: the step table, the stepper (headless and its widget)
and the hand-calculation checker."""

import sys
import xml.etree.ElementTree as ET

import pytest
from examples import SVG, classic, needs_pure

from autograd import Value
from autograd.stepper import Stepper


def grads(values) -> dict:
    return {name: v.grad for name, v in values.items()}


@pytest.fixture
def no_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError


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
    assert s.caption(0) == (
        "start: L.grad = ∂L/∂L = 1, every other grad starts at 0 (6 steps to go)"
    )
    assert s.step(5).input is v["a"]
    assert s.caption(5) == "step 5 of 6: " + str(s.steps[4])
    assert "a.grad += ∂e/∂a × e.grad = -3.0000 × -2.0000 = 6.0000" in s.caption(5)
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
    assert "start: L.grad = ∂L/∂L = 1" in caption.value
    following.click()
    assert s.position == 1 and slider.value == 1 and not previous.disabled
    assert "step 1 of 6: d.grad += ∂L/∂d × L.grad" in caption.value
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


def test_the_widget_shows_the_renderer_message_when_there_is_none(no_renderer):
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
    assert "b.grad += ∂e/∂b × e.grad" in out


def test_the_stepper_shows_the_graph_as_it_was_when_made():
    L, v = classic()
    s = Stepper(L)
    before = s.drawing(6).source
    v["a"].data = 50.0  # a training step after the stepper was made
    L.backward()
    assert s.drawing(6).source == before
    assert "data 2.0000" in before and "data 50" not in before


def test_the_stepper_records_the_pass_with_one_walk(monkeypatch):
    import autograd.steps as steps_module

    calls = []
    original = steps_module.topological_order
    monkeypatch.setattr(steps_module, "topological_order", lambda r: calls.append(r) or original(r))
    L, _ = classic()
    Stepper(L)
    assert len(calls) == 1
