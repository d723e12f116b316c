"""The ``chainrule`` command (autograd.cli): steps (and its page), draw, quiz,
exercise, train, help, exit codes."""

import io
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd.cli import main

NEURON = ["tanh(x1*w1 + x2*w2 + b)", "x1=2", "w1=-3", "x2=0", "w2=1", "b=6.8813735870195432"]
BIN = Path(sys.executable).parent  # the venv's scripts folder: chainrule lives beside python


def run(capsys, *argv):
    """main(argv) in this process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def gradient_lines(out: str) -> dict[str, float]:
    """The closing ``∂L/∂name = value`` lines as a dict."""
    return {m[1]: float(m[2]) for m in re.finditer(r"^∂L/∂(\w+) = (\S+)$", out, re.MULTILINE)}


def assert_one_line_error(status, out, err):
    assert status == 2
    assert out == ""
    assert err.startswith("chainrule: error: ")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "Traceback" not in err


# ---------------------------------------------------------------- steps
def test_steps_prints_micrograd_neuron_gradients(capsys):
    status, out, err = run(capsys, "steps", *NEURON)
    assert status == 0 and err == ""
    assert "\nL = 0.7071\n" in out
    assert gradient_lines(out) == pytest.approx(
        {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}, abs=1e-4
    )


def test_steps_ends_with_one_line_per_input_in_order_of_first_use(capsys):
    status, out, _ = run(capsys, "steps", "z*x + y*x", "x=1", "y=2", "z=3")
    assert status == 0
    last = out.strip().splitlines()[-3:]
    assert last == ["∂L/∂z = 1.0000", "∂L/∂x = 5.0000", "∂L/∂y = 1.0000"]


def test_steps_prints_the_forward_pass_and_the_step_table(capsys):
    _, out, _ = run(capsys, "steps", *NEURON)
    assert "forward pass:" in out and "backward pass:" in out
    assert re.search(r"^  n₂ = -6\.0000  x1 \* w1$", out, re.MULTILINE)
    assert re.search(r"^  L  =  0\.7071  tanh\(n₈\)$", out, re.MULTILINE)
    assert "x1.grad += ∂n₂/∂x1 × n₂.grad" in out  # a row of the chain-rule table


def test_steps_of_a_variable_used_twice_adds_both_contributions(capsys):
    _, out, _ = run(capsys, "steps", "x*x", "x=3")
    assert gradient_lines(out) == {"x": 6.0}
    assert out.count("x.grad += ") == 2


def test_steps_names_the_output_so_it_never_clashes_with_a_variable(capsys):
    _, out, _ = run(capsys, "steps", "L*2", "L=3")
    assert "\nL' = 6.0000\n" in out
    assert "∂L'/∂L = 2.0000" in out


def test_steps_of_a_single_name(capsys):
    status, out, _ = run(capsys, "steps", "x", "x=3")
    assert status == 0
    assert out.strip().splitlines()[-2:] == ["x = 3.0000", "∂x/∂x = 1.0000"]


def test_expression_starting_with_minus_goes_after_double_dash(capsys):
    status, out, _ = run(capsys, "steps", "--", "-x*y", "x=2", "y=3")
    assert status == 0
    assert gradient_lines(out) == {"x": -3.0, "y": -2.0}


def test_unused_variable_is_a_warning_not_an_error(capsys):
    status, out, err = run(capsys, "steps", "x*2", "x=1", "unused=5")
    assert status == 0
    assert err == "chainrule: warning: not used in the expression: unused\n"
    assert gradient_lines(out) == {"x": 2.0}


# ---------------------------------------------------------------- draw
def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def test_draw_writes_a_real_svg(capsys, tmp_path):
    target = tmp_path / "out" / "neuron.svg"  # missing folders are created
    status, out, err = run(capsys, "draw", *NEURON, "-o", str(target))
    assert status == 0
    assert out == f"wrote {target}\n"
    text = svg_text(target)
    for shown in ("x1", "w1", "tanh", "data 0.7071", "grad -1.5000", "grad 1.0000"):
        assert shown in text


def test_draw_writes_a_png(capsys, tmp_path):
    target = tmp_path / "neuron.png"
    status, _, _ = run(capsys, "draw", *NEURON, "-o", str(target))
    assert status == 0
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("suffix", [".dot", ".gv"])
def test_draw_writes_dot_text(capsys, tmp_path, suffix):
    target = tmp_path / f"neuron{suffix}"
    status, _, _ = run(capsys, "draw", *NEURON, "-o", str(target), "--rankdir", "TB")
    assert status == 0
    source = target.read_text()
    assert source.startswith("digraph")
    assert "rankdir=TB" in source and "x1" in source


def test_draw_options_reach_the_renderer(capsys, tmp_path):
    plain, bare = tmp_path / "plain.dot", tmp_path / "bare.dot"
    run(capsys, "draw", *NEURON, "-o", str(plain))
    options = ["--no-local", "--no-color", "--no-legend", "--params", "w1,w2,b"]
    run(capsys, "draw", *NEURON, "-o", str(bare), *options)
    assert plain.read_text() != bare.read_text()
    assert "-3.0000" in plain.read_text()  # the local derivative d(x1*w1)/dx1 on an edge


def test_draw_without_a_renderer_exits_2_with_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DOT", str(tmp_path / "no-such-dot"))
    status, out, err = run(capsys, "draw", "x*2", "x=1", "-o", str(tmp_path / "g.svg"))
    assert_one_line_error(status, out, err)
    assert "CHAINRULE_DOT is set to" in err and "not an executable" in err
    assert not (tmp_path / "g.svg").exists()


def test_draw_without_any_renderer_gives_advice_for_the_command_line(capsys, no_renderer):
    status, out, err = run(capsys, "draw", "x*2", "x=1", "-o", "g.svg")
    assert_one_line_error(status, out, err)
    assert "pip install graphviz-pure" in err and "-o g.dot" in err
    assert "drawing.source" not in err and "save(" not in err


def test_draw_dot_needs_no_renderer(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DOT", str(tmp_path / "no-such-dot"))
    status, _, _ = run(capsys, "draw", "x*2", "x=1", "-o", str(tmp_path / "g.dot"))
    assert status == 0


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for a broken renderer")
def test_draw_with_a_failing_renderer_exits_1_with_one_line(capsys, tmp_path, monkeypatch):
    broken = tmp_path / "broken-dot"
    broken.write_text("#!/bin/sh\necho 'first line' >&2\necho 'second line' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CHAINRULE_DOT", str(broken))
    status, out, err = run(capsys, "draw", "x*2", "x=1", "-o", str(tmp_path / "g.png"))
    assert status == 1
    assert err.count("\n") == 1 and "first line second line" in err


def test_draw_too_many_nodes_says_how_to_draw_anyway(capsys, tmp_path):
    target = str(tmp_path / "g.dot")
    status, out, err = run(capsys, "draw", "x*2 + x", "x=1", "-o", target, "--max-nodes", "2")
    assert_one_line_error(status, out, err)
    assert "has 4 Values, more than --max-nodes 2" in err and "--max-nodes 4" in err
    assert "max_nodes=" not in err and "draw(" not in err  # advice for the command line


# ---------------------------------------------------------------- steps --html
def test_steps_html_writes_the_page_instead_of_printing_the_steps(capsys, tmp_path, renderer):
    path = tmp_path / "pages" / "neuron.html"
    status, out, err = run(capsys, "steps", *NEURON, "--html", str(path))
    assert (status, out, err) == (0, f"wrote {path}\n", "")
    page = path.read_text(encoding="utf-8")
    assert "<title>L = tanh(x1*w1 + x2*w2 + b) at x1=2 w1=-3" in page
    assert page.count('<div class="state"') == 10  # the start and 9 steps


def test_steps_html_without_a_renderer_exits_2_with_one_line(capsys, tmp_path, no_renderer):
    status, out, err = run(capsys, "steps", "x*y", "x=1", "y=2", "--html", str(tmp_path / "p.html"))
    assert_one_line_error(status, out, err)
    assert "pip install graphviz-pure" in err and not (tmp_path / "p.html").exists()


# ---------------------------------------------------------------- quiz
CLASSIC = ["(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2"]  # steps: -2, 4, -2, -2, 6, -4


def quiz(capsys, monkeypatch, answers, *argv):
    """Run chainrule quiz with ``answers`` piped in: (status, stdout, stderr)."""
    stdin = answers if not isinstance(answers, str) else io.StringIO(answers)
    monkeypatch.setattr(sys, "stdin", stdin)
    return run(capsys, "quiz", *argv)


def test_quiz_grades_piped_answers_and_ends_with_the_score(capsys, monkeypatch):
    status, out, err = quiz(capsys, monkeypatch, "-2\n4\n-2\n-2\n6\n-4\n", *CLASSIC)
    assert status == 0 and err == ""
    assert out.count("\nright: ") == 6 and "wrong" not in out
    assert out.rstrip().splitlines()[-1] == "score: 6/6"
    assert "step 1 of 6: n₄.grad += ∂L/∂n₄ × L.grad\n∂L/∂n₄ × L.grad = -2\n" in out


def test_quiz_says_what_was_expected_and_diagnoses_the_mistake(capsys, monkeypatch):
    _, out, _ = quiz(capsys, monkeypatch, "2\n", *CLASSIC)
    assert "wrong: ∂L/∂n₄ × L.grad = -2.0000, not 2\nsign: " in out
    assert "n₄.grad += ∂L/∂n₄ × L.grad = -2.0000 × 1.0000 = -2.0000" in out


def test_quiz_ends_with_the_score_so_far_at_the_end_of_the_input(capsys, monkeypatch):
    status, out, _ = quiz(capsys, monkeypatch, "-2\n5", *CLASSIC)  # no newline at the end
    assert status == 0
    assert "∂L/∂f × L.grad = 5\nwrong: ∂L/∂f × L.grad = 4.0000, not 5\n" in out
    assert out.rstrip().endswith(
        "\n\nstep 3 of 6: n₂.grad += ∂n₄/∂n₂ × n₄.grad\n∂n₄/∂n₂ × n₄.grad = \n"
        "end of input: 4 of 6 questions not answered\n\nscore: 1/2"
    )


def test_quiz_with_no_input_at_all_scores_nothing(capsys, monkeypatch):
    status, out, _ = quiz(capsys, monkeypatch, "", *CLASSIC)
    assert status == 0
    assert out.rstrip().endswith("end of input: 6 of 6 questions not answered\n\nscore: 0/0")


def test_quiz_survives_any_line_and_keeps_the_score(capsys, monkeypatch):
    piped = b"-2\n\xff\xfe not utf-8\n" + b"7" * 100_000 + b"\n1/0\n6\nnan\n"
    junk = io.TextIOWrapper(io.BytesIO(piped), encoding="utf-8")
    status, out, _ = quiz(capsys, monkeypatch, junk, *CLASSIC)
    assert status == 0
    assert out.count("\nright: ") == 2 and out.count("\nwrong: ") == 4
    assert "is not a number: type one number" in out  # the bytes that are not UTF-8
    assert "longer than 60 characters" in out and "'1/0' divides by zero" in out
    assert "nan is not a number any step can have" in out
    assert out.rstrip().splitlines()[-1] == "score: 2/6"


def test_quiz_asks_the_local_derivative_first_with_local(capsys, monkeypatch):
    _, out, _ = quiz(capsys, monkeypatch, "-2\n-2\n", *CLASSIC, "--local")
    assert "∂L/∂n₄ = -2\nright: ∂L/∂n₄ = -2.0000\n∂L/∂n₄ × L.grad = -2\nright: " in out
    assert out.count("step 1 of 6") == 1
    assert out.rstrip().endswith("score: 2/2")


def test_quiz_tolerance_is_an_option(capsys, monkeypatch):
    _, out, _ = quiz(capsys, monkeypatch, "-2.05\n", *CLASSIC, "--tol", "0.1")
    assert out.rstrip().endswith("score: 1/1")


def test_quiz_of_a_single_variable_has_nothing_to_ask(capsys, monkeypatch):
    status, out, _ = quiz(capsys, monkeypatch, "1\n", "x", "x=3")
    assert status == 0 and "nothing to backpropagate" in out
    assert out.rstrip().endswith("score: 0/0")


class Interrupted(io.StringIO):
    """Standard input that answers once, then the user presses Ctrl-C."""

    def readline(self, *args):
        if self.tell() == 0:
            self.read()
            return "-2\n"
        raise KeyboardInterrupt


def test_quiz_interrupted_prints_the_score_and_exits_130(capsys, monkeypatch):
    status, out, _ = quiz(capsys, monkeypatch, Interrupted("x"), *CLASSIC)
    assert status == 130
    assert out.rstrip().splitlines()[-2:] == ["interrupted", "score: 1/1"]


def test_the_piped_example_in_the_quiz_help_answers_every_step_right(capsys, monkeypatch):
    _, help_text, _ = run(capsys, "quiz", "--help")
    example = re.search(r"printf '%s\\n' (.*?) \| chainrule (quiz .*)", help_text)
    answers = "".join(a + "\n" for a in example.group(1).split())
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    _, out, _ = run(capsys, *shlex.split(example.group(2)))
    assert out.rstrip().endswith(f"score: {len(answers.split())}/{len(answers.split())}")


def test_quiz_reads_a_real_pipe():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "quiz", *CLASSIC],
        input="-2\n-4\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "∂L/∂f × L.grad = -4\nwrong: ∂L/∂f × L.grad = 4.0000, not -4\nsign: " in done.stdout
    assert done.stdout.rstrip().endswith("score: 1/2")


# ---------------------------------------------------------------- exercise
def test_exercise_prints_the_same_exercise_for_the_same_seed(capsys):
    first = run(capsys, "exercise", "--seed", "7")
    assert first[0] == 0 and first[2] == ""
    assert run(capsys, "exercise", "--seed", "7") == first
    assert first[1].startswith("exercise 7: find ∂L/∂")


def test_exercise_prints_a_steps_command_that_gives_its_answers(capsys):
    _, out, _ = run(capsys, "exercise", "--seed", "12", "--answers", "--size", "4")
    commands = [line for line in out.splitlines() if line.startswith("chainrule steps ")]
    assert len(commands) == 1
    answers = dict(re.findall(r"^(\w+) = (\S+)$", out, re.MULTILINE))
    status, steps_out, _ = run(capsys, *shlex.split(commands[0])[1:])
    assert status == 0
    assert {k: f"{v:.4f}" for k, v in gradient_lines(steps_out).items()} == answers


def test_exercise_without_a_seed_prints_the_seed_that_repeats_it(capsys):
    _, out, _ = run(capsys, "exercise")
    seed = re.match(r"exercise (\d+): ", out).group(1)
    assert run(capsys, "exercise", "--seed", seed)[1] == out


def test_exercise_answers_are_left_out_unless_asked_for(capsys):
    _, out, _ = run(capsys, "exercise", "--seed", "5")
    assert "answers" not in out and not re.search(r"^\w+ = \S+$", out, re.MULTILINE)


def test_exercise_uses_the_size_and_ops_given(capsys):
    _, out, _ = run(capsys, "exercise", "--seed", "3", "--size", "2", "--ops", "*,tanh")
    expression = re.search(r'^chainrule steps "(.*)"', out, re.MULTILINE).group(1)
    assert set(re.findall(r"[a-z]+(?=\()|[*+/-]", expression)) <= {"*", "tanh"}


def test_exercise_writes_a_worksheet_and_its_key(capsys, tmp_path):
    sheet, key = tmp_path / "sheet.md", tmp_path / "out" / "key.tex"
    status, out, err = run(
        capsys, "exercise", "--seed", "100", "--count", "3", "--worksheet", str(sheet),
        "--key", str(key),
    )  # fmt: skip
    assert (status, err) == (0, "") and out == f"wrote {sheet}\nwrote {key}\n"
    assert sheet.read_text(encoding="utf-8").count("## ") == 3
    assert "Exercise 102" in sheet.read_text(encoding="utf-8")
    assert key.read_text(encoding="ascii").startswith("\\documentclass")


# ---------------------------------------------------------------- bad input
BAD_INPUT = [
    # (argv, words in the one-line error)
    ([], "COMMAND"),
    (["frob"], "invalid choice"),
    (["steps"], "EXPR"),
    (["steps", "x*y", "x=1"], "no value for y at column 3"),
    (["steps", "x*y", "x=1", "x=2", "y=1"], "x is given twice"),
    (["steps", "x", "x"], "expected name=value"),
    (["steps", "x", "x=abc"], "not a number"),
    (["steps", "x", "x=inf"], "finite"),
    (["steps", "x", "x=nan"], "finite"),
    (["steps", "x", "2x=1"], "not a variable name"),
    (["steps", "x", "exp=1"], "is a function"),
    (["steps", "x=1", "x*2"], "the expression comes first"),
    (["steps", "-x*y", "x=1", "y=2"], "'--'"),
    (["steps", "foo(x)", "x=1"], "unknown function 'foo' at column 1"),
    (["steps", "x.y", "x=1"], "at column 1"),
    (["steps", "__import__('os').system('true')"], "at column 1"),
    (["steps", "log(x - 2)", "x=1"], "log: operand must be positive"),
    (["steps", "1/(x-1)", "x=1"], "division by zero"),
    (["steps", "exp(x)", "x=1000"], "overflows"),
    (["steps", "9**9**9"], "overflows"),
    (["steps", "x ** 1e9", "x=1"], "exponent"),
    (["steps", "(" * 10000 + "x" + ")" * 10000, "x=1"], "too long"),
    (["steps", "(" * 150 + "x" + ")" * 150, "x=1"], "nested"),
    (["draw", "x", "x=1"], "-o/--output"),
    (["draw", "x", "x=1", "-o", "graph.pdf"], "suffix"),
    (["draw", "x", "x=1", "-o", "g.svg", "--rankdir", "XY"], "invalid choice"),
    (["draw", "x", "x=1", "-o", "g.svg", "--params", "y"], "--params"),
    (["draw", "x", "x=1", "-o", "g.svg", "--max-nodes", "0"], "whole number from 1"),
    (["draw", "x", "x=1", "-o", "g.png", "--dpi", "5"], "dpi must be a number from 10"),
    (["train", "--epochs", "100000000000000000000"], "from 1 to 1,000,000"),
    (["train", "--epochs", "0"], "from 1 to 1,000,000"),
    (["train", "--out", ""], "--out needs a folder"),
    (["train", "--out", "/dev/null"], "is not a folder"),
    (["steps", "x", "x=" + "1" * 5000], "must be a finite number"),
    (["steps", "1" * 4400 + " * x", "x=1"], "too many digits to read (the limit is 4300)"),
    (["steps", "caf\udce9 + 1"], "not valid UTF-8"),
    (["steps", "x", "x=1", "--html", "page.svg"], "must end in .html"),
    (["quiz", "x*y", "x=1"], "no value for y"),
    (["quiz", "x", "x=1", "--tol", "-1"], "from 0 to 1"),
    (["quiz", "x", "x=1", "--tol", "nan"], "from 0 to 1"),
    (["exercise", "--size", "0"], "whole number from 1 to 12"),
    (["exercise", "--seed", "-3"], "whole number from 0"),
    (["exercise", "--ops", "+,foo"], "unknown op 'foo'"),
    (["exercise", "--ops", ","], "no op given"),
    (["exercise", "--count", "3"], "--count needs --worksheet or --key"),
    (["exercise", "--worksheet", "sheet.pdf"], "ending in .md or .tex"),
    (["exercise", "--size", "12", "--ops", "log", "--seed", "1"], "no readable exercise"),
]


@pytest.mark.parametrize("argv, words", BAD_INPUT, ids=[" ".join(a)[:40] for a, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_saying_what_and_where(
    capsys, argv, words, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # nothing may be written, but if it were, it is here
    status, out, err = run(capsys, *argv)
    assert_one_line_error(status, out, err)
    assert words in err
    assert list(tmp_path.iterdir()) == []


# The error lines the README shows, exactly.
README_ERRORS = [
    (
        ["steps", "log(x - 2)", "x=1"],
        "log: operand must be positive, got -1.0, in log(x - 2) at column 1",
    ),
    (
        ["steps", "x*w + foo(b)", "x=1", "w=2", "b=3"],
        "unknown function 'foo' at column 7;"
        " known: abs, cos, dot, exp, log, relu, sigmoid, sin, softplus, sqrt, sum, tanh",
    ),
    (
        ["steps", "x*w + b", "x=1", "w=2"],
        "no value for b at column 7; give each variable a value as name=value",
    ),
    (["steps", "2**x", "x=5000"], "**: 2.0 ** 5000.0 overflows, in 2**x at column 2"),
    (["steps", "x*w", "x=1", "w=oops"], "the value of w is not a number, in 'w=oops'"),
]


@pytest.mark.parametrize("argv, message", README_ERRORS, ids=[a[1] for a, _ in README_ERRORS])
def test_readme_error_examples(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert (status, out, err) == (2, "", f"chainrule: error: {message}\n")


def test_an_unwritable_output_exits_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, out, err = run(capsys, "draw", "x", "x=1", "-o", str(blocker / "g.dot"))
    assert_one_line_error(status, out, err)
    assert "cannot write" in err


# ---------------------------------------------------------------- help and version
@pytest.mark.parametrize(
    "argv",
    [["--help"], ["steps", "--help"], ["draw", "-h"], ["quiz", "--help"], ["exercise", "-h"]],
)
def test_help_shows_examples(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 0 and err == ""
    assert "examples:" in out and "chainrule " in out


def test_version(capsys):
    from importlib.metadata import version

    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out == f"chainrule {version('chainrule')}\n"


def test_train_without_nn_demo_fails_clearly(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nn.demo", None)  # import raises ImportError
    status, out, err = run(capsys, "train")
    assert_one_line_error(status, out, err)
    assert "nn.demo" in err


def test_other_commands_do_not_import_the_training_demo(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nn.demo", None)
    assert run(capsys, "steps", "x", "x=1")[0] == 0


def test_train_runs_the_real_demo(capsys):
    pytest.importorskip("nn.demo")
    status, out, _ = run(capsys, "train", "--epochs", "2", "--quiet", "--no-plots")
    assert status == 0
    assert "accuracy" in out


def test_train_option_errors_are_one_line(capsys):
    pytest.importorskip("nn.demo")
    status, out, err = run(capsys, "train", "--no-such-option")
    assert_one_line_error(status, out, err)


# ---------------------------------------------------------------- real processes
def test_python_dash_m_autograd_runs_steps():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "steps", *NEURON],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert gradient_lines(done.stdout) == pytest.approx(
        {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}, abs=1e-4
    )


def test_installed_console_script_draws_svg(tmp_path):
    script = BIN / ("chainrule.exe" if os.name == "nt" else "chainrule")
    if not script.exists():
        pytest.skip(f"no chainrule console script beside {sys.executable}")
    target = tmp_path / "neuron.svg"
    done = subprocess.run(
        [str(script), "draw", *NEURON, "-o", str(target)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {target}\n"
    assert "grad -1.5000" in svg_text(target)


@pytest.mark.parametrize(
    "expression",
    # (one command-line argument may hold at most 128 KiB on Linux)
    ["(" * 10000 + "x" + ")" * 10000, "-" * 100000 + "x", "x" + "+x" * 60000, "-" * 4999 + "x"],
    ids=["parentheses", "minus signs", "additions", "minus signs under the length limit"],
)
def test_console_script_rejects_pathological_input_with_one_line(expression):
    # The timeout is a guard against a hang, not a performance assertion.
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "steps", expression, "x=1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("chainrule: error: ") and done.stderr.count("\n") == 1
