"""Generated exercises (autograd.exercises): reproducible from a seed, readable numbers,
the same graph as the command that reproduces them, worksheets and answer keys."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd.exercises import (
    DEFAULT_OPS,
    LIMIT,
    MAX_SIZE,
    OPS,
    SMALLEST,
    VALUES,
    Exercise,
    answer_key,
    exercise,
    exercises,
    worksheet,
)
from autograd.expr import evaluate
from autograd.steps import replay
from autograd.value import is_constant


def same_pass(ex: Exercise):
    """The exercise's steps, and the steps of its expression as the command line reads it."""
    root, _ = evaluate(ex.expression, ex.values)
    root.label = "L"  # as the command line names the output
    return [str(s) for s in ex.steps()], [str(s) for s in replay(root)]


def test_the_same_seed_gives_the_same_exercise():
    assert exercise(7) == exercise(7)
    assert exercise(7, size=5) == exercise(7, size=5)
    assert len({exercise(seed).expression for seed in range(20)}) > 10


def test_without_a_seed_one_is_drawn_and_kept():
    ex = exercise()
    assert exercise(ex.seed) == ex


@pytest.mark.parametrize("seed", range(30))
def test_the_expression_typed_on_the_command_line_makes_the_same_pass(seed):
    mine, typed = same_pass(exercise(seed, size=4, ops=OPS))
    assert mine == typed


@given(
    seed=st.integers(0, 10**9),
    size=st.integers(1, 6),
    ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=6),
)
def test_every_number_of_an_exercise_is_readable(seed, size, ops):
    try:
        ex = exercise(seed, size=size, ops=tuple(ops))
    except ValueError as error:  # a few op sets cannot make one: said, never a bad exercise
        assert "no readable exercise" in str(error)
        return
    steps = ex.steps()
    numbers = list(steps.data) + [x for s in steps for x in (s.local, s.contribution, s.grad)]
    assert all(abs(x) <= LIMIT and (x == 0 or abs(x) >= SMALLEST) for x in numbers)
    assert all(abs(g) >= SMALLEST for g in ex.answers().values())
    assert set(ex.values.values()) <= set(VALUES)
    assert mine_equals_typed(ex)


def mine_equals_typed(ex):
    mine, typed = same_pass(ex)
    return mine == typed


def test_an_exercise_has_the_size_and_only_the_ops_asked_for():
    for seed in range(10):
        ex = exercise(seed, size=5, ops=("+", "*", "tanh"))
        ops_used = [node.op for node in ex.steps().order if node.inputs]
        assert len(ops_used) == 5 and set(ops_used) <= {"+", "*", "tanh"}


def test_with_only_exact_ops_every_number_has_at_most_three_decimals():
    bases = []
    for seed in range(20):
        steps = exercise(seed, size=4, ops=("+", "-", "*", "/", "**")).steps()
        variables = [s for s in steps if not is_constant(s.input)]  # 2 in x**2 aside
        for x in [*steps.data, *(x for s in variables for x in (s.local, s.contribution))]:
            assert abs(x * 1000 - round(x * 1000)) < 1e-6
        bases += [s.node.inputs[0].data for s in steps if s.node.op == "**"]
    assert any(b > 0 and b != 1 for b in bases)  # powers of positive bases are made too


def test_the_answers_are_the_gradients_of_backward():
    ex = exercise(11, size=4)
    root, leaves = ex.build()
    root.backward()
    assert ex.answers() == {name: leaf.grad for name, leaf in leaves.items()}
    assert list(ex.answers()) == list(ex.values)


def test_the_command_and_the_statement_say_the_exercise():
    ex = exercise(3)
    assert ex.command() == f'chainrule steps "{ex.expression}" ' + " ".join(ex.arguments())
    assert ex.command("quiz").startswith("chainrule quiz ")
    assert all(re.fullmatch(r"[a-z]=-?\d+(\.5)?", a) for a in ex.arguments())
    lines = ex.statement().splitlines()
    assert lines[0].startswith("find ∂L/∂x") and lines[1] == f"  L = {ex.expression}"


def test_bad_requests_are_errors_that_say_what_is_wrong():
    with pytest.raises(ValueError, match="unknown op 'foo'"):
        exercise(1, ops=("+", "foo"))
    with pytest.raises(ValueError, match=f"from 1 to {MAX_SIZE}"):
        exercise(1, size=MAX_SIZE + 1)
    with pytest.raises(ValueError, match="no readable exercise"):
        exercise(1, size=MAX_SIZE, ops=("log",))
    with pytest.raises(TypeError, match="seed"):
        exercise("7")


def test_a_set_of_exercises_has_consecutive_seeds_each_reproducible():
    made = exercises(3, seed=100)
    assert [ex.seed for ex in made] == [100, 101, 102]
    assert made[2] == exercise(102)
    assert exercises(2)[0].ops == DEFAULT_OPS
    with pytest.raises(ValueError, match="count"):
        exercises(0)


# ------------------------------------------------------------------ worksheets
def test_a_markdown_worksheet_asks_every_exercise_and_gives_no_answer():
    made = exercises(3, seed=20)
    sheet = worksheet(made)
    assert sheet.startswith("# Backpropagation exercises\n")
    for i, ex in enumerate(made, 1):
        assert f"## {i}. Exercise {ex.seed}" in sheet and f"`{ex.expression}`" in sheet
    assert "grad +=" not in sheet and "Answers" not in sheet
    assert sheet.count("= ________") == sum(len(ex.values) for ex in made)


def test_the_markdown_answer_key_gives_every_step_and_every_gradient():
    made = exercises(2, seed=30)
    key = answer_key(made)
    for ex in made:
        for step in ex.steps():
            assert f"`{step.formula}`" in key
        for name, grad in ex.answers().items():
            assert f"∂L/∂{name} = {grad:.4f}" in key
    table_rows = [line for line in key.splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in table_rows)


def test_the_latex_worksheet_and_key_are_plain_ascii_documents():
    made = exercises(3, seed=40, size=4)
    for text in (worksheet(made, format="latex"), answer_key(made, format="latex")):
        assert text.isascii()
        assert text.startswith("\\documentclass{article}\n\\begin{document}")
        assert text.rstrip().endswith("\\end{document}")
        assert text.count("{") == text.count("}")
    key = answer_key(made, format="latex")
    assert key.count("\\begin{tabular}") == key.count("\\end{tabular}") == 2 * len(made)
    assert "\\partial L/\\partial x" in key


def test_latex_escapes_its_special_characters():
    sheet = worksheet(exercises(1), format="latex", title="50% of #1 & co_op")
    assert "50\\% of \\#1 \\& co\\_op" in sheet


def test_worksheets_refuse_what_they_cannot_write():
    with pytest.raises(ValueError, match="format"):
        worksheet(exercises(1), format="html")
    with pytest.raises(TypeError, match="Exercise"):
        answer_key(["x*y"])


def test_running_totals_are_readable_too():
    # 3*x*(x*x)*3 at x = -1.5 keeps every local and contribution under the limit, but
    # x.grad's running total reaches 60.75: the generator must pick another value.
    ex = exercise(365, size=4, ops=("*",))
    assert all(abs(step.grad) <= LIMIT for step in ex.steps())
