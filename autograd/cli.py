"""The ``chainrule`` command: draw an expression's graph, print its backprop steps (or
write them as a web page), quiz you on them, make exercises, train the demo network.
``python -m autograd`` runs the same thing.

    chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432
    chainrule steps "tanh(x*w + b)" x=2 w=-3 b=6.88 --html page.html
    chainrule draw  "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    chainrule quiz  "x*y + x" x=2 y=-3
    chainrule exercise --seed 7 --answers
    chainrule train --help

This module owns every command-line option; the work is done by the library
(``expr``, ``steps``, ``draw``, ``stepper``, ``grading``, ``exercises``, ``nn.demo``).
Expressions go through ``autograd.expr`` (a whitelist over Python's parser, never
``eval``). Exit status: 0 on success (a quiz too, whatever its score); 2 for bad input
of any kind (usage, the expression, a variable, a math error, an output path, no
renderer), always with one line on stderr saying what and where; 1 when the renderer
itself fails; 130 when interrupted (a quiz prints its score first). The output Value
is named ``L`` (``L'`` if the expression has a variable called L).
"""

from __future__ import annotations

import argparse
import keyword
import math
import os
import sys
import unicodedata
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from autograd import exercises
from autograd.drawing import TooManyNodesError, draw
from autograd.expr import FUNCTIONS, ExprError, evaluate
from autograd.grading import Quiz
from autograd.render import DOT_ENV, RendererNotFoundError, RenderError, check_dpi
from autograd.stepper import Stepper
from autograd.steps import backprop_steps, forward_table
from autograd.text import number, one_line
from autograd.value import Value

__all__ = ["main"]

PROG = "chainrule"
_FORMATS = (".svg", ".png", ".dot", ".gv")
_RANKDIRS = ("LR", "TB", "RL", "BT")
MAX_EPOCHS = 1_000_000

_EXPRESSION_HELP = f"""\
expressions:
  numbers, names, + - * / ** (power), unary - and +, parentheses, and calls to
  {", ".join(FUNCTIONS)}
  (one argument each; sum and dot take any number: dot(w1, w2, x1, x2, b) is
  w1*x1 + w2*x2 + b as one node).
  Give every name a value as name=value (a finite number); a pair whose name is
  not in EXPR only warns. The output is called L (L' if a variable is called L).
  An expression that starts with '-' must come after '--':
    chainrule steps -- "-x*y" x=1 y=2
"""

_STEPS_EPILOG = f"""\
examples:
  chainrule steps "x*y + x" x=2 y=-3
  chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432

Prints the forward pass (every Value, named as in the drawing: its label, or n₂
for the unlabelled Value at position 2), the backward pass as one chain-rule step
per row, written  x.grad += ∂n/∂x × n.grad  (x.grad is ∂L/∂x; ∂n/∂x is the local
derivative of the op that made n), and the gradient of the output L with respect
to every variable, in the order the variables first appear.

{_EXPRESSION_HELP}"""

_DRAW_EPILOG = f"""\
examples:
  chainrule draw "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
  chainrule draw "x*y + x" x=2 y=-3 -o graph.png --rankdir TB --dpi 300
  chainrule draw "sigmoid(x*w + b)" x=1 w=0.5 b=-1 --params w,b -o neuron.dot

The graph is drawn after backward, so every box shows data and grad. The format
comes from the file's suffix: .svg, .png, or .dot/.gv (DOT text, which needs no
renderer). Rendering SVG and PNG needs a dot executable: CHAINRULE_DOT, dot on PATH,
or the bundled graphviz-pure.

{_EXPRESSION_HELP}"""

_QUIZ_EPILOG = f"""\
examples:
  chainrule quiz "x*y + x" x=2 y=-3
  printf '%s\\n' 1 1 -3 2 | chainrule quiz "x*y + x" x=2 y=-3

Prints the forward pass, then asks for the backward pass one chain-rule step at a
time:  x.grad += ∂n/∂x × n.grad. For each step, type its contribution (the local
derivative ∂n/∂x times the upstream gradient n.grad) and press Enter: a number like
-1.5, 0.25 or 1/4; an empty line skips the step. Each answer is right within
--tol × max(1, |answer|); a wrong one gets the right value and a diagnosis of the
likely mistake (sign, mixed up, missing, running total, at the input, wrong node,
rounding). Answers are read one per line, so a file of answers can be piped in; the
quiz ends with a line  score: K/N  (also at the end of the input) and exit status 0.

{_EXPRESSION_HELP}"""

_EXERCISE_EPILOG = f"""\
examples:
  chainrule exercise --seed 7
  chainrule exercise --seed 7 --answers
  chainrule exercise --size 5 --ops "+,*,tanh"
  chainrule exercise --seed 100 --count 20 --worksheet sheet.md --key key.md

Prints an expression and values to backpropagate by hand, and the same exercise as a
'chainrule steps' command (and a 'chainrule quiz' one). The same --seed always gives
the same exercise; without one, a seed is drawn and printed. --answers adds the
answer key, one  name = number  line per variable (∂L/∂name).
With --worksheet or --key, writes --count exercises (seeds N, N+1, ...) as a
worksheet and its answer key with every step instead: Markdown for .md, LaTeX for
.tex. The ops: {" ".join(exercises.OPS)}
(neg is unary minus).
"""

_MAIN_EPILOG = """\
examples:
  chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432
  chainrule steps "tanh(x*w + b)" x=2 w=-3 b=6.88 --html page.html
  chainrule draw "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
  chainrule quiz "x*y + x" x=2 y=-3
  chainrule exercise --answers
  chainrule train --help

Run 'chainrule COMMAND --help' for a command's options. Exit status: 0 success,
2 bad input (one line on stderr says what and where), 1 the renderer failed.
"""

_NO_RENDERER = (
    "no Graphviz renderer found to draw {fmt}: pip install graphviz-pure, or install "
    "Graphviz so that dot is on PATH, or set CHAINRULE_DOT to a dot executable; "
    "or write DOT text, which needs no renderer: -o {stem}.dot"
)


class _InputError(Exception):
    """Bad input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits on an error; chainrule reports one line.
    def error(self, message):
        prefix = "unrecognized arguments: "
        if message.startswith(prefix + "-"):
            token = message[len(prefix) :].split(" ")[0]
            # "-x*y" looks like an option to argparse: say how to pass it
            message += f"; if {token} is the expression, put '--' before it"
        raise _InputError(f"{message} (see '{self.prog} --help')")


def main(argv=None) -> int:
    """Run the ``chainrule`` command with ``argv`` (default: ``sys.argv[1:]``);
    return the exit status."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    _tolerant_output()
    try:
        _check_utf8(argv)
        args = _build_parser().parse_args(argv)
        return args.run(args)
    except SystemExit as e:  # --help and --version exit through argparse
        return e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except (_InputError, ExprError) as e:
        return _fail(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _fail(message: str, status: int = 2) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def _tolerant_output() -> None:
    # The tables print ∂ and ×: a terminal that cannot show them gets escapes, not a
    # UnicodeEncodeError halfway through a table.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _check_utf8(argv: list[str]) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates ("surrogateescape").
    for i, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as e:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise _InputError(
                f"argument {i} is not valid UTF-8 text: {shown} (byte "
                f"{shown[e.start : e.start + 4]} at character {e.start + 1}); type it in UTF-8"
            ) from None


def _version() -> str:
    try:
        return version("chainrule")
    except PackageNotFoundError:
        return "unknown (not installed)"


# ---------------------------------------------------------------- option types
def _whole_number(low: int, high: int):
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = None
        if n is None or not low <= n <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high:,}, got {text!r}"
            )
        return n

    return parse


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def _ops(text: str) -> tuple:
    chosen = tuple(op.strip() for op in text.split(",") if op.strip())
    unknown = [op for op in chosen if op not in exercises.OPS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown op {unknown[0]!r}" if unknown else "no op given"
        ) from None
    return chosen


def _dpi(text: str) -> float:
    try:
        return check_dpi(float(text))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{e}, got {text!r}") from None


# ---------------------------------------------------------------- the parser
def _build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="See backpropagation: draw an expression's computation graph,\n"
        "print its chain-rule steps (or a web page of them), quiz yourself on them,\n"
        "make exercises, train a small network.",
        epilog=_MAIN_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", parser_class=_Parser
    )
    commands.required = True

    steps = commands.add_parser(
        "steps",
        help="print the forward pass, every chain-rule step and the gradients",
        description="Evaluate EXPR, run backprop one chain-rule step at a time and print\n"
        "every step, then the gradient of the output with respect to each variable.",
        epilog=_STEPS_EPILOG,
        formatter_class=formatter,
    )
    _add_expression_arguments(steps)
    steps.add_argument(
        "--html", metavar="PATH",
        help="write the steps as one self-contained web page (PATH.html) to step through "
        "in a browser, with a quiz mode, instead of printing them",
    )  # fmt: skip
    steps.set_defaults(run=_run_steps)

    quiz = commands.add_parser(
        "quiz",
        help="work out the backward pass yourself, one step at a time, and be corrected",
        description="Evaluate EXPR and ask for its backward pass one chain-rule step at a\n"
        "time; each answer is graded and a wrong one diagnosed.",
        epilog=_QUIZ_EPILOG,
        formatter_class=formatter,
    )
    _add_expression_arguments(quiz)
    quiz.add_argument(
        "--local", action="store_true",
        help="ask each step's local derivative ∂n/∂x before its contribution",
    )  # fmt: skip
    quiz.add_argument(
        "--tol", type=_tolerance, default=1e-3, metavar="T",
        help="an answer is right within T × max(1, |answer|) (default 0.001: 3 decimals)",
    )  # fmt: skip
    quiz.set_defaults(run=_run_quiz)

    exercise = commands.add_parser(
        "exercise",
        help="print a generated backprop exercise (or a worksheet of them)",
        description="Print a generated backprop exercise: an expression and values whose\n"
        "forward and backward numbers stay readable.",
        epilog=_EXERCISE_EPILOG,
        formatter_class=formatter,
    )
    exercise.add_argument(
        "--seed", type=_whole_number(0, 2**63 - 1), metavar="N",
        help="the exercise's number: the same seed gives the same exercise (default: drawn)",
    )  # fmt: skip
    exercise.add_argument(
        "--answers", action="store_true",
        help="add the answer key: name = ∂L/∂name for every variable",
    )  # fmt: skip
    exercise.add_argument(
        "--size", type=_whole_number(1, exercises.MAX_SIZE), default=3, metavar="N",
        help=f"the number of ops in the expression (default 3, at most {exercises.MAX_SIZE})",
    )  # fmt: skip
    exercise.add_argument(
        "--ops", type=_ops, default=exercises.DEFAULT_OPS, metavar="LIST",
        help=f"comma-separated ops to draw from (default {','.join(exercises.DEFAULT_OPS)})",
    )  # fmt: skip
    exercise.add_argument(
        "--worksheet", metavar="FILE",
        help="write --count exercises as a worksheet: FILE.md (Markdown) or FILE.tex (LaTeX)",
    )  # fmt: skip
    exercise.add_argument(
        "--key", metavar="FILE",
        help="write the answer key of those exercises, with every step: FILE.md or FILE.tex",
    )  # fmt: skip
    exercise.add_argument(
        "--count", type=_whole_number(1, 1000), metavar="K",
        help="how many exercises the worksheet has (default 10)",
    )  # fmt: skip
    exercise.set_defaults(run=_run_exercise)

    drawing = commands.add_parser(
        "draw",
        help="draw the computation graph with data, grads and local derivatives",
        description="Evaluate EXPR, run backward and draw its computation graph to a file.",
        epilog=_DRAW_EPILOG,
        formatter_class=formatter,
    )
    _add_expression_arguments(drawing)
    drawing.add_argument(
        "-o", "--output", required=True, metavar="FILE",
        help="where to write the drawing: FILE.svg, FILE.png or FILE.dot (folders are created)",
    )  # fmt: skip
    drawing.add_argument(
        "--rankdir", choices=_RANKDIRS, default="LR",
        help="layout direction: LR left to right (the default), TB top to bottom, RL, BT",
    )  # fmt: skip
    drawing.add_argument(
        "--params", metavar="NAMES", default="",
        help="comma-separated variables to mark as parameters (thick blue border), e.g. w,b",
    )  # fmt: skip
    drawing.add_argument(
        "--dpi", type=_dpi, metavar="N",
        help="resolution of a PNG in dots per inch (default 144; 300 for print)",
    )  # fmt: skip
    drawing.add_argument(
        "--no-local", action="store_true", help="do not label edges with local derivatives"
    )
    drawing.add_argument("--no-color", action="store_true", help="do not fill boxes by |grad|")
    drawing.add_argument(
        "--no-legend", action="store_true", help="leave out the key under the graph"
    )
    drawing.add_argument(
        "--max-nodes", type=_whole_number(1, 100_000), metavar="N",
        help="refuse graphs with more than N Values (default 500)",
    )  # fmt: skip
    drawing.set_defaults(run=_run_draw)

    train = commands.add_parser(
        "train",
        help="train micrograd's two-moons MLP with a progress bar",
        description="Train the demo network (an MLP on the two-moons data set) with a\n"
        "progress bar, report its accuracy and write its plots.",
        formatter_class=formatter,
    )
    train.add_argument(
        "--epochs", type=_whole_number(1, MAX_EPOCHS), default=100, metavar="N",
        help="full-batch SGD steps (default: 100)",
    )  # fmt: skip
    train.add_argument(
        "--seed", type=_whole_number(0, 2**32 - 1), default=1337, metavar="S",
        help="seed for the data and the initial weights (default: 1337, micrograd's)",
    )  # fmt: skip
    train.add_argument(
        "--out", default="out", metavar="DIR",
        help="folder for loss.png and boundary.png (default: out; created if missing)",
    )  # fmt: skip
    train.add_argument("--no-plots", action="store_true", help="do not write the PNG files")
    train.add_argument(
        "--quiet", action="store_true", help="no progress bar; print only the result"
    )
    train.set_defaults(run=_run_train)
    return parser


def _add_expression_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expression", metavar="EXPR", help='the expression, quoted: "tanh(x*w + b)"'
    )
    parser.add_argument(
        "variables", nargs="*", default=[], metavar="name=value",
        help="a value for every variable in EXPR",
    )  # fmt: skip


# ---------------------------------------------------------------- variables
def _parse_variables(pairs: list[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` -> ``{"x": 2.0, "w": -3.0}``; anything malformed, a name
    given twice or a value that is not a finite number raises ``_InputError``."""
    variables: dict[str, float] = {}
    given: dict[str, str] = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python's parser does
        if not equals:
            raise _InputError(f"expected name=value, got {pair!r} (no spaces around '=')")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise _InputError(f"{name!r} is not a variable name, in {pair!r}")
        if name in FUNCTIONS:
            raise _InputError(f"{name!r} is a function, not a variable, in {pair!r}")
        if name in given:
            raise _InputError(f"{name} is given twice: {given[name]!r} and {pair!r}")
        try:
            value = float(text)
        except ValueError:
            raise _InputError(f"the value of {name} is not a number, in {pair!r}") from None
        if not math.isfinite(value):
            shown = pair if len(pair) <= 40 else pair[:37] + "..."
            raise _InputError(f"the value of {name} must be a finite number, in {shown!r}")
        variables[name] = value
        given[name] = pair
    return variables


def _evaluate(args) -> tuple[Value, dict[str, Value], str]:
    """The expression as a graph, its leaves, and the output's name (also its label)."""
    expression = args.expression
    name, equals, rest = expression.partition("=")
    if equals and name.strip().isidentifier() and not rest.startswith("="):
        # "x=2" is never an expression: most likely the arguments are in the wrong order
        raise _InputError(
            f"the expression comes first, then name=value pairs; got {expression!r} first"
        )
    variables = _parse_variables(args.variables)
    root, leaves = evaluate(expression, variables)
    unused = [name for name in variables if name not in leaves]
    if unused:
        print(f"{PROG}: warning: not used in the expression: {', '.join(unused)}", file=sys.stderr)
    output = "L"
    while output in leaves:
        output += "'"
    if root.inputs or not root.label:  # a variable keeps its own name
        root.label = output
    return root, leaves, root.label


# ---------------------------------------------------------------- steps
def _run_steps(args) -> int:
    if args.html is not None:
        return _write_page(args)
    root, leaves, output = _evaluate(args)
    steps = backprop_steps(root)  # runs backward, one recorded chain-rule step at a time
    print("forward pass:")
    print(forward_table(steps.order, steps.names))
    print()
    print("backward pass:")
    print(steps.table())
    print()
    print(f"{output} = {number(root.data)}")
    for name, leaf in leaves.items():
        print(f"∂{output}/∂{name} = {number(leaf.grad)}")
    return 0


def _write_page(args) -> int:
    path = Path(args.html)
    if path.suffix.lower() not in (".html", ".htm"):
        raise _InputError(f"--html {args.html!r}: the page's file name must end in .html")
    root, _, output = _evaluate(args)
    values = " ".join(args.variables)
    title = f"{output} = {args.expression}" + (f" at {values}" if values else "")
    try:
        written = Stepper(root).save_html(path, title=title)
    except RendererNotFoundError as e:
        if os.environ.get(DOT_ENV):
            return _fail(str(e))
        return _fail(_NO_RENDERER.format(fmt="the page's SVG pictures", stem=path.stem))
    except RenderError as e:
        return _fail(str(e), status=1)
    except TooManyNodesError as e:
        return _fail(f"this graph has {e.count} Values, more than {e.limit}: too many for a page")
    except OSError as e:
        return _fail(f"cannot write {args.html!r}: {e.strerror or e}")
    print(f"wrote {written}")
    return 0


# ---------------------------------------------------------------- quiz
_QUIZ_START = """\
backward pass, one chain-rule step at a time: type each step's contribution,
∂n/∂x × n.grad, as a number (like -1.5 or 1/4), one per line; an empty line
skips a step. {name}.grad = ∂{name}/∂{name} = 1 to start."""

_QUIZ_START_LOCAL = """\
backward pass, one chain-rule step at a time: type each step's local derivative
∂n/∂x, then its contribution ∂n/∂x × n.grad, as numbers (like -1.5 or 1/4), one
per line; an empty line skips one. {name}.grad = ∂{name}/∂{name} = 1 to start."""


def _run_quiz(args) -> int:
    root, _, output = _evaluate(args)
    quiz = Quiz(root, ask_local=args.local, tol=args.tol)
    print("forward pass:")
    print(forward_table(quiz.steps.order, quiz.steps.names))
    print()
    name = one_line(output)
    if not quiz.questions:
        print(f"no chain-rule steps: {name} is a variable, there is nothing to backpropagate")
        print(quiz.score_line())
        return 0
    print((_QUIZ_START_LOCAL if args.local else _QUIZ_START).format(name=name))
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8: not a number
    echo = not sys.stdin.isatty()  # a transcript of piped answers shows each answer
    try:
        while not quiz.done:
            question = quiz.question
            if question.part == "local" or not quiz.ask_local:  # a new step
                print()
                print(question.heading)
            print(question.prompt, end="", flush=True)
            line = _read_line(sys.stdin)
            if not line:  # end of input: the score so far
                left = len(quiz.questions) - quiz.asked
                print()
                print(f"end of input: {left} of {len(quiz.questions)} questions not answered")
                break
            answer = line.rstrip("\r\n")
            if echo:
                print(one_line(answer))
            print(quiz.answer(answer))
    except KeyboardInterrupt:
        print()
        print("interrupted")
        print(quiz.score_line())
        return 130
    print()
    print(quiz.score_line())
    return 0


_LONGEST_LINE = 10_000  # characters read of one answer; the rest of the line is dropped


def _read_line(stream) -> str:
    """One line of ``stream`` ('' at the end), at most ``_LONGEST_LINE`` characters of
    it: a megabyte without a newline is one (long, wrong) answer, not a memory hog."""
    line = stream.readline(_LONGEST_LINE)
    if len(line) == _LONGEST_LINE and not line.endswith("\n"):
        while True:
            rest = stream.readline(_LONGEST_LINE)
            if not rest or rest.endswith("\n"):
                break
        line += "\n"
    return line


# ---------------------------------------------------------------- exercise
_FORMATS_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".tex": "latex"}


def _run_exercise(args) -> int:
    files = [(option, path) for option, path in (("--worksheet", args.worksheet),
             ("--key", args.key)) if path is not None]  # fmt: skip
    if args.count is not None and not files:
        raise _InputError("--count needs --worksheet or --key: it is the worksheet's length")
    try:
        if files:
            return _write_worksheet(args, files)
        ex = exercises.exercise(args.seed, size=args.size, ops=args.ops)
    except ValueError as e:
        raise _InputError(str(e)) from None
    print(f"exercise {ex.seed}: {ex.statement()}")
    print("work it out by hand; check each step with the quiz, or see every step:")
    print(ex.command("quiz"))
    print(ex.command("steps"))
    if args.answers:
        print()
        print("answers (∂L/∂name):")
        for name, grad in ex.answers().items():
            print(f"{name} = {number(grad)}")
    return 0


def _write_worksheet(args, files) -> int:
    for option, path in files:
        if Path(path).suffix.lower() not in _FORMATS_BY_SUFFIX:
            raise _InputError(f"{option} {path!r}: use a file name ending in .md or .tex")
    seed = 0 if args.seed is None else args.seed
    made = exercises.exercises(args.count or 10, seed=seed, size=args.size, ops=args.ops)
    for option, path in files:
        write = exercises.worksheet if option == "--worksheet" else exercises.answer_key
        text = write(made, format=_FORMATS_BY_SUFFIX[Path(path).suffix.lower()])
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
        except OSError as e:
            return _fail(f"cannot write {path!r}: {e.strerror or e}")
        print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------- draw
def _run_draw(args) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in _FORMATS:
        raise _InputError(
            f"cannot tell the format of {args.output!r} from its suffix: use .svg, .png or .dot"
        )
    root, leaves, _ = _evaluate(args)
    params = []
    for name in filter(None, (n.strip() for n in args.params.split(","))):
        if name not in leaves:
            raise _InputError(f"--params: {name!r} is not a variable of the expression")
        params.append(leaves[name])
    root.backward()
    options = dict(
        rankdir=args.rankdir,
        show_local=not args.no_local,
        color_by_grad=not args.no_color,
        legend=not args.no_legend,
        params=params,
        dpi=args.dpi,
    )
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    try:
        written = draw(root, **options).save(path)
    except RendererNotFoundError as e:
        if os.environ.get(DOT_ENV):  # the message says what is wrong with the variable
            return _fail(str(e))
        return _fail(_NO_RENDERER.format(fmt=path.suffix[1:].upper(), stem=path.stem))
    except RenderError as e:
        return _fail(str(e), status=1)
    except TooManyNodesError as e:
        return _fail(
            f"this graph has {e.count} Values, more than --max-nodes {e.limit}: too many to "
            f"read in one picture; draw it anyway with --max-nodes {e.count}"
        )
    except OSError as e:
        return _fail(f"cannot write {args.output!r}: {e.strerror or e}")
    print(f"wrote {written}")
    return 0


# ---------------------------------------------------------------- train
def _plot_folder(out: str) -> str:
    """The folder for the plots, made now: a bad --out fails before any training."""
    if not out.strip():
        raise _InputError("--out needs a folder name (or use --no-plots)")
    try:
        os.makedirs(out, exist_ok=True)
    except FileExistsError:
        raise _InputError(f"--out {out!r} is not a folder") from None
    except OSError as e:
        raise _InputError(f"--out {out!r}: cannot make the folder: {e.strerror or e}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise _InputError(f"--out {out!r}: the folder is not writable")
    return out


def _run_train(args) -> int:
    try:
        # Imported here, not at the top: only this command needs nn, and a student's
        # own nn.py in the current folder (python -m autograd) must not break the others.
        from nn.demo import train_demo
    except ImportError as e:
        raise _InputError(f"train is not available: cannot import nn.demo ({e})") from None
    out = None if args.no_plots else _plot_folder(args.out)
    try:
        train_demo(epochs=args.epochs, seed=args.seed, out=out, progress=not args.quiet)
    except OSError as e:
        return _fail(f"cannot write the plots into {args.out!r}: {e.strerror or e}")
    return 0
