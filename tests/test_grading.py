"""The hand-calculation checker (autograd.grading): grading answers against one
recorded pass, explaining the wrong ones, changing no grad."""

import math

import pytest
from examples import classic

from autograd import Value
from autograd.grading import GradientCheck, check_gradients


def grads(values) -> dict:
    return {name: v.grad for name, v in values.items()}


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
    result = check_gradients(y, {"n₂": 1 - math.tanh(6.0) ** 2})  # n₂ = x*3
    assert result.all_correct and result.answers[0].name == "n₂"
    typed = check_gradients(y, {"n2": 1 - math.tanh(6.0) ** 2})  # as a keyboard types it
    assert typed.all_correct and typed.answers[0].name == "n₂"


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


def test_no_answers_say_so_and_are_not_all_correct():
    L, _ = classic()
    result = check_gradients(L, {})
    assert not result.all_correct and len(result) == 0
    assert "no answer was given" in str(result) and "0 of 0" not in str(result)
