"""Grading a student (autograd.grading): the hand-calculation checker, the step quiz
with its catalogue of diagnosed mistakes, and the bug lab. All of them read one
recorded pass and change no grad."""

import math
from fractions import Fraction

import pytest
from examples import classic
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.grading import (
    BUGS,
    MISTAKES,
    NO_DIAGNOSIS,
    AnswerError,
    GradientCheck,
    Quiz,
    bug_lab,
    check_gradients,
    read_answer,
)


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


# ------------------------------------------------------------------ reading an answer
@pytest.mark.parametrize(
    "typed, value",
    [
        ("-1.5", -1.5),
        ("  2 ", 2.0),
        ("+3", 3.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e-3", 0.001),
        ("2E2", 200.0),
        ("1/2", 0.5),
        ("-3/4", -0.75),
        (" 1 / 4 ", 0.25),
        ("1.5/3", 0.5),
        ("0.333", 0.333),
        ("\u22121.5", -1.5),  # the typographic minus sign
        ("\uff11\uff12", 12.0),  # full-width digits
        ("inf", math.inf),
        ("-Infinity", -math.inf),
        ("1e400", math.inf),  # too large for a float: infinite, not an error
        ("1" * 60, float("1" * 60)),
    ],
)
def test_every_way_of_writing_a_number_is_read(typed, value):
    assert read_answer(typed) == value


def test_minus_zero_reads_as_zero():
    assert read_answer("-0") == 0.0 and read_answer("-0/5") == 0.0


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "other"),
        ("nan", "nan"),
        ("-NaN", "nan"),
        ("1/0", "zero"),
        ("0/0", "zero"),
        ("0,5", "comma"),
        ("1/2/3", "other"),
        ("2*3", "other"),
        ("1_000", "other"),
        ("--1", "other"),
        ("1e400/1e400", "other"),
        ("x = 3", "other"),
        ("\x00", "other"),
        ("9" * 61, "long"),
    ],
)
def test_an_answer_that_is_not_a_number_says_why(typed, reason):
    with pytest.raises(AnswerError) as error:
        read_answer(typed)
    assert error.value.reason == reason


def test_a_number_given_as_a_number_is_taken_as_it_is():
    assert read_answer(Fraction(1, 4)) == 0.25
    assert read_answer(-3) == -3.0
    assert read_answer(10**400) == math.inf  # too large for a float
    with pytest.raises(AnswerError):
        read_answer(math.nan)
    with pytest.raises(TypeError):
        read_answer(True)


# ------------------------------------------------------------------ the quiz
def used_twice():
    """y = tanh(x) feeds two ops: L = y*c + y, so y.grad = c + 1 = 3 is a sum."""
    x, c = Value(0.5, label="x"), Value(2.0, label="c")
    y = x.tanh()
    y.label = "y"
    p = y * c
    p.label = "p"
    L = p + y
    L.label = "L"
    return L, dict(x=x, c=c, y=y, p=p, L=L)


def question_for(quiz, number, part="contribution"):
    return next(q for q in quiz.questions if q.number == number and q.part == part)


def test_the_quiz_asks_each_steps_contribution_in_backwards_order():
    L, _ = classic()
    quiz = Quiz(L)
    steps = quiz.steps
    assert [q.step for q in quiz.questions] == list(steps)
    assert [q.expected for q in quiz.questions] == [s.contribution for s in steps]
    first = quiz.question
    assert first.heading == "step 1 of 6: d.grad += ∂L/∂d × L.grad"
    assert first.prompt == "∂L/∂d × L.grad = "


def test_ask_local_asks_each_local_derivative_before_the_contribution():
    L, _ = classic()
    quiz = Quiz(L, ask_local=True)
    assert [q.part for q in quiz.questions[:4]] == ["local", "contribution"] * 2
    assert quiz.question.prompt == "∂L/∂d = " and quiz.question.expected == -2.0
    assert str(quiz.answer("-2")) == "right: ∂L/∂d = -2.0000"


def test_a_right_answer_is_right_and_shows_the_steps_line():
    L, _ = classic()
    quiz = Quiz(L)
    feedback = quiz.answer("-2")
    assert feedback.correct and feedback.mistake is None
    assert str(feedback) == f"right: {quiz.steps[0]}"


def test_answers_rounded_to_three_decimals_are_right():
    x = Value(0.5, label="x")
    y = x.tanh()  # local 0.786448...
    assert Quiz(y).answer("0.786").correct
    assert Quiz(y).answer("0.7865").correct
    assert not Quiz(y).answer("0.784").correct
    assert Quiz(y, tol=0.01).answer("0.78").correct


def test_every_answer_moves_on_and_the_score_counts_the_right_ones():
    L, _ = classic()
    quiz = Quiz(L)
    for answer in ["-2", "4", "junk", "", "6"]:
        quiz.answer(answer)
    assert (quiz.asked, quiz.score, quiz.done) == (5, 3, False)
    assert quiz.score_line() == "score: 3/5"
    assert quiz.question.heading.startswith("step 6 of 6")
    quiz.answer("-4")
    assert quiz.done and quiz.question is None and quiz.score_line() == "score: 4/6"
    with pytest.raises(ValueError, match="over"):
        quiz.answer("1")


@given(st.text(max_size=80))
def test_nothing_a_student_types_raises_or_loses_the_score(typed):
    L, _ = classic()
    quiz = Quiz(L)
    quiz.answer("-2")
    feedback = quiz.answer(typed)
    assert quiz.asked == 2 and quiz.score == 1 + feedback.correct
    text = str(feedback)
    assert text.startswith(("right: ", "wrong: "))
    assert str(quiz.steps[1]) in text  # the right line, whatever was typed


def test_an_answer_that_is_not_a_number_is_wrong_and_says_why():
    L, _ = classic()
    quiz = Quiz(L)
    assert str(quiz.answer("1/0")) == (f"wrong: '1/0' divides by zero\n{quiz.steps[0]}")
    assert str(quiz.answer("")).startswith("wrong: no answer\n")
    assert quiz.score == 0 and quiz.asked == 2


def test_huge_and_infinite_answers_are_just_wrong():
    L, _ = classic()
    quiz = Quiz(L)
    for typed in ["1e400", "-inf", "9" * 60]:
        feedback = quiz.answer(typed)
        assert not feedback.correct and feedback.yours is not None
    assert quiz.score == 0


def test_the_quiz_changes_no_grad_and_can_read_a_recorded_pass():
    L, v = classic()
    L.backward()
    before = grads(v)
    quiz = Quiz(L)
    while not quiz.done:
        quiz.answer(str(quiz.question.expected))
    assert quiz.score == 6 and grads(v) == before
    again = Quiz(quiz.steps)
    assert again.steps is quiz.steps and len(again.questions) == 6


def test_bad_quiz_arguments_are_errors():
    with pytest.raises(TypeError, match="Value"):
        Quiz(3.0)
    with pytest.raises(ValueError, match="tol"):
        Quiz(Value(1.0), tol=-1)


def test_a_leaf_has_no_question():
    quiz = Quiz(Value(3.0, label="x"))
    assert quiz.questions == () and quiz.done and quiz.score_line() == "score: 0/0"


# ------------------------------------------------------------------ the diagnoses
def diagnosis(quiz, number, typed, part="contribution"):
    feedback = question_for(quiz, number, part).grade(typed)
    assert not feedback.correct
    return feedback


def test_a_flipped_sign_is_a_sign_error():
    L, _ = classic()
    feedback = diagnosis(Quiz(L), 1, "2")  # d.grad += ∂L/∂d × L.grad = -2
    assert feedback.mistake.kind == "sign"
    assert "∂L/∂d = -2.0000 is negative" in feedback.message


def test_the_local_derivative_alone_is_local_and_upstream_mixed_up():
    L, _ = classic()
    feedback = diagnosis(Quiz(L), 5, "-3")  # a.grad += ∂e/∂a × e.grad = -3 × -2
    assert feedback.mistake.kind == "local-alone"
    assert "multiplies it by the upstream gradient e.grad = -2.0000" in feedback.message


def test_the_upstream_alone_is_local_and_upstream_mixed_up():
    L, _ = classic()
    feedback = diagnosis(Quiz(L), 6, "-2")  # b.grad += ∂e/∂b × e.grad = 2 × -2
    assert feedback.mistake.kind == "upstream-alone"


def test_a_products_own_operand_instead_of_the_other_is_diagnosed():
    L, _ = classic()
    feedback = diagnosis(Quiz(L), 5, "-4")  # a's own value 2 × -2, instead of b = -3
    assert feedback.mistake.kind == "own-operand"
    assert "what a is multiplied by, b = -3.0000" in feedback.message


def test_the_running_total_instead_of_the_contribution_is_diagnosed():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    feedback = diagnosis(Quiz(y), 2, "6")  # a.grad after step 2 is 3 + 3
    assert feedback.mistake.kind == "running-total"
    assert "(3.0000 + 3.0000)" in feedback.message


def test_an_upstream_missing_an_earlier_contribution_is_diagnosed():
    L, v = used_twice()
    quiz = Quiz(L)
    tanh_step = next(q for q in quiz.questions if q.step.node is v["y"])
    assert tanh_step.step.upstream == 3.0  # c + 1
    local = tanh_step.step.local
    for forgot in (1.0, 2.0):  # y.grad from one of its two uses only
        feedback = tanh_step.grade(str(local * forgot))
        assert feedback.mistake.kind == "missing-contribution"
        assert "y is used 2 times" in feedback.message and "(+=)" in feedback.message


@pytest.mark.parametrize(
    "op, wrong_local",
    [
        ("exp", lambda x: x),  # exp(x)' taken as x: self.data instead of out.data
        ("tanh", lambda x: 1 - x * x),
        ("sigmoid", lambda x: x * (1 - x)),
    ],
)
def test_a_derivative_taken_at_the_input_instead_of_the_output_is_diagnosed(op, wrong_local):
    x = Value(0.5, label="x")
    y = getattr(x, op)()
    y.label = "y"
    L = y * 3.0
    L.label = "L"
    quiz = Quiz(L)
    question = next(q for q in quiz.questions if q.step.node is y)
    feedback = question.grade(repr(wrong_local(0.5) * question.step.upstream))
    assert feedback.mistake.kind == "at-input"
    assert f"{op}'s derivative is written with its output" in feedback.message


def test_the_upstream_of_the_wrong_node_is_diagnosed():
    x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    n = x * w
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    L = t * 3.0
    L.label = "L"
    quiz = Quiz(L)
    question = next(q for q in quiz.questions if q.step.input is x)
    feedback = question.grade(str(-0.5 * 3.0))  # w × t.grad instead of w × n.grad
    assert feedback.mistake.kind == "wrong-node"
    assert "t.grad = 3.0000" in feedback.message


def test_an_answer_rounded_too_far_is_called_rounding():
    x = Value(0.5, label="x")
    feedback = Quiz(x.tanh()).answer("0.79")  # 0.7864
    assert not feedback.correct and feedback.mistake.kind == "rounding"


def test_an_unknown_mistake_gets_the_right_line_without_a_diagnosis():
    L, _ = classic()
    quiz = Quiz(L)
    feedback = quiz.answer("17")
    assert feedback.mistake is None
    assert str(feedback) == (
        f"wrong: ∂L/∂d × L.grad = -2.0000, not 17\n{NO_DIAGNOSIS}\n{quiz.steps[0]}"
    )


def test_the_local_question_has_its_own_mistakes():
    L, _ = classic()
    quiz = Quiz(L, ask_local=True)
    whole = diagnosis(quiz, 5, "6", part="local")  # the contribution, not ∂e/∂a = -3
    assert whole.mistake.kind == "whole-contribution"
    own = diagnosis(quiz, 5, "2", part="local")
    assert own.mistake.kind == "own-operand"
    assert diagnosis(quiz, 5, "3", part="local").mistake.kind == "sign"
    assert str(question_for(quiz, 5, "local").step) not in whole.message  # no giveaway


def test_a_variant_that_gives_the_right_answer_is_no_mistake():
    L, _ = classic()
    question = question_for(Quiz(L), 3)  # e.grad += 1 × -2: upstream alone is right
    kinds = [m.kind for m in question.mistakes]
    assert "upstream-alone" not in kinds and "sign" in kinds
    x = Value(-1.0, label="x")
    dead = Quiz(x.relu())  # contribution 0: no sign to flip
    assert "sign" not in [m.kind for m in dead.question.mistakes]


def messy():
    a, b, c = Value(0.3, label="a"), Value(-1.7, label="b"), Value(2.2, label="c")
    h = (a * b + c).tanh()
    g = (h * h + a.exp() / c - b.sigmoid()) * (a - b) + h
    return g


def test_every_diagnosis_has_its_word_and_ends_with_the_right_line():
    for ask_local in (False, True):
        quiz = Quiz(messy(), ask_local=ask_local)
        kinds = set()
        for q in quiz.questions:
            for m in q.mistakes:
                kinds.add(m.kind)
                assert m.word == MISTAKES[m.kind][0] and m.word in m.message
                assert m.message.endswith("\n" + q.right_line)
                if m.kind != "rounding":  # its own value is diagnosed (or a variant before it)
                    found = q.grade(repr(m.value)).mistake
                    assert q.mistakes.index(found) <= q.mistakes.index(m)
        assert kinds <= set(MISTAKES)
    assert {"sign", "running-total", "missing-contribution", "at-input"} <= kinds


# ------------------------------------------------------------------ the bug lab
def labelled(*pairs):
    return [Value(v, label=name) for name, v in pairs]


def test_the_sign_bug_breaks_only_the_gradients_behind_a_subtraction():
    lab = bug_lab(
        lambda x, y, z: (x - y) * z, labelled(("x", 2.0), ("y", 0.5), ("z", -1.0)), "sign"
    )
    assert [g.name for g in lab.wrong] == ["y"]
    y = lab["y"]
    assert y.numeric == pytest.approx(1.0) and y.right == pytest.approx(1.0)
    assert y.buggy == pytest.approx(-1.0)
    assert y.causes == tuple(lab.changed) and len(lab.changed) == 1
    assert not lab["x"].wrong and not lab["z"].wrong


def test_overwriting_instead_of_adding_breaks_a_variable_used_twice():
    lab = bug_lab(lambda x, w: x * w + x, labelled(("x", 2.0), ("w", 3.0)), "missing-contribution")
    assert lab["x"].wrong and lab["x"].numeric == pytest.approx(4.0)
    assert lab["x"].buggy in (1.0, 3.0)  # one of its two contributions
    assert not lab["w"].wrong
    assert "overwrites" in str(lab)


def test_the_at_input_bug_breaks_everything_below_a_tanh():
    lab = bug_lab(lambda x, y: (x * y).tanh() + y, labelled(("x", 0.5), ("y", 1.0)), "at-input")
    assert lab["x"].wrong and lab["y"].wrong
    assert [lab.steps[k - 1].node.op for k in lab.changed] == ["tanh"]
    assert lab["x"].causes == lab["y"].causes == tuple(lab.changed)


def test_changes_that_cancel_out_are_reported_as_right():
    lab = bug_lab(lambda x: x * x - (-x), labelled(("x", 3.0)), "sign")
    assert lab.wrong == [] and len(lab["x"].causes) == 2
    assert "cancel out" in str(lab)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_every_bug_is_compared_with_central_differences_and_changes_no_grad(bug):
    inputs = labelled(("a", 0.3), ("b", -1.7))
    lab = bug_lab(lambda a, b: (a * b - a.exp()).tanh() * (a - b), inputs, bug)
    for g in lab.gradients:
        assert g.right == pytest.approx(g.numeric, abs=1e-5)  # the lab's own reference
        assert g.wrong == (abs(g.buggy - g.numeric) > 1e-5 + 1e-3 * abs(g.numeric))
    assert all(v.grad == 0.0 for v in inputs)
    assert str(lab).startswith(f"bug: {bug} ({BUGS[bug]})")


def test_the_report_lists_the_changed_steps_and_each_wrong_gradient():
    lab = bug_lab(lambda x, y: x * y, labelled(("x", 2.0), ("y", 3.0)), "own-operand")
    text = str(lab)
    assert "it changes 2 of the 2 steps:" in text
    assert "x.grad += ∂n₂/∂x × n₂.grad = 2.0000 × 1.0000 = 2.0000  (right: 3.0000)" in text
    assert text.splitlines()[-1] == "2 of 2 gradients wrong"


def test_the_bug_lab_reads_the_recorded_pass_without_a_backward_of_its_own(monkeypatch):
    import autograd.steps as steps_module

    calls = []
    original = steps_module.chain_rule
    monkeypatch.setattr(
        steps_module, "chain_rule", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    bug_lab(lambda x, y: (x - y) * x, [1.0, 2.0], "sign")
    assert len(calls) == 1  # the one recorded pass; the buggy one adds up its steps


def test_bad_bug_lab_arguments_are_errors():
    with pytest.raises(ValueError, match="unknown bug 'rounding'"):
        bug_lab(lambda x: x, [1.0], "rounding")
    with pytest.raises(TypeError, match="input 0"):
        bug_lab(lambda x: x, ["1"], "sign")
    with pytest.raises(TypeError, match="return a Value"):
        bug_lab(lambda x: 3.0, [1.0], "sign")
    with pytest.raises(TypeError, match="sequence"):
        bug_lab(lambda x: x, 1.0, "sign")
