"""The ``chainrule`` command: draw an expression's graph, print its backprop steps,
train the demo network. ``python -m autograd`` runs the same thing.

    chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432
    chainrule draw  "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    chainrule train --help

Expressions go through ``autograd.expr`` (a whitelist over Python's parser, never
``eval``). Exit status: 0 on success; 2 for bad input of any kind (usage, the
expression, a variable, a math error, an output path, no renderer), always with one
line on stderr saying what and where; 1 when the renderer itself fails. The output
Value is named ``L`` (``L'`` if the expression has a variable called L).
"""

from __future__ import annotations

import argparse
import keyword
import math
import sys
import unicodedata
from pathlib import Path

from autograd.draw import RendererNotFoundError, RenderError, draw
from autograd.draw import _fmt as _number  # numbers read the same as in the table and drawing
from autograd.expr import FUNCTIONS, ExprError, evaluate
from autograd.graph import backprop_steps, node_names, topological_order
from autograd.value import Value, is_constant

__all__ = ["main"]

PROG = "chainrule"
_FORMATS = (".svg", ".png", ".dot", ".gv")
_RANKDIRS = ("LR", "TB", "RL", "BT")

_EXPRESSION_HELP = f"""\
expressions:
  numbers, names, + - * / ** (power), unary - and +, parentheses, and calls with
  one argument to {", ".join(FUNCTIONS)}.
  Give every name a value as name=value (a finite number); a pair whose name is
  not in EXPR only warns. The output is called L (L' if a variable is called L).
  An expression that starts with '-' must come after '--':
    chainrule steps -- "-x*y" x=1 y=2
"""

_STEPS_EPILOG = f"""\
examples:
  chainrule steps "x*y + x" x=2 y=-3
  chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432

Prints the forward pass (every Value, named as in the drawing: its label, or n<i>),
the backward pass as one chain-rule step per row, and the gradient of the output
L with respect to every variable, in the order the variables first appear.

{_EXPRESSION_HELP}"""

_DRAW_EPILOG = f"""\
examples:
  chainrule draw "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
  chainrule draw "x*y + x" x=2 y=-3 -o graph.png --rankdir TB
  chainrule draw "sigmoid(x*w + b)" x=1 w=0.5 b=-1 --params w,b -o neuron.dot

The graph is drawn after backward, so every box shows data and grad. The format
comes from the file's suffix: .svg, .png, or .dot/.gv (DOT text, which needs no
renderer). Rendering SVG and PNG needs a dot executable: CHAINRULE_DOT, dot on PATH,
or the bundled graphviz-pure.

{_EXPRESSION_HELP}"""

_MAIN_EPILOG = """\
examples:
  chainrule steps "tanh(x1*w1 + x2*w2 + b)" x1=2 w1=-3 x2=0 w2=1 b=6.8813735870195432
  chainrule draw "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
  chainrule train --help

Run 'chainrule COMMAND --help' for a command's options. Exit status: 0 success,
2 bad input (one line on stderr says what and where), 1 the renderer failed.
"""


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
    try:
        parser = _build_parser(train_options=_command_of(argv) == "train")
        args = parser.parse_args(argv)
        return args.run(args)
    except SystemExit as e:  # --help and --version exit through argparse
        return e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except (_InputError, ExprError) as e:
        return _fail(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _fail(message: str, status: int = 2) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return status


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _command_of(argv: list[str]) -> str | None:
    # The first argument that is not an option names the command (the program's own
    # options, --help and --version, take no values).
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainrule")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _build_parser(*, train_options: bool) -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="See backpropagation: draw an expression's computation graph,\n"
        "print its chain-rule steps, train a small network.",
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
    steps.set_defaults(run=_run_steps)

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
        "--no-local", action="store_true", help="do not label edges with local derivatives"
    )
    drawing.add_argument("--no-color", action="store_true", help="do not fill boxes by |grad|")
    drawing.add_argument(
        "--no-legend", action="store_true", help="leave out the caption under the graph"
    )
    drawing.add_argument(
        "--max-nodes", type=_positive_int, metavar="N",
        help="refuse graphs with more than N Values (default: draw's, 500)",
    )  # fmt: skip
    drawing.set_defaults(run=_run_draw)

    train = commands.add_parser(
        "train",
        help="train micrograd's two-moons MLP with a progress bar",
        description="Train the demo network (an MLP on the two-moons data set) with a\n"
        "progress bar, report its accuracy and write its plots.",
        formatter_class=formatter,
    )
    train.set_defaults(run=_run_train)
    if train_options:
        add_arguments, _ = _train_demo()
        add_arguments(train)
    return parser


def _add_expression_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expression", metavar="EXPR", help='the expression, quoted: "tanh(x*w + b)"'
    )
    parser.add_argument(
        "variables",
        nargs="*",
        default=[],
        metavar="name=value",
        help="a value for every variable in EXPR",
    )


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return n


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
            raise _InputError(f"the value of {name} must be finite, in {pair!r}")
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
_INFIX = {"+", "-", "*", "/", "**"}


def _forward_pass(root: Value) -> list[str]:
    """One line per Value in the order it is computed: ``n2 = -6.0000  x1 * w1``."""
    order = topological_order(root)
    names = node_names(order)
    rows = []
    for node in order:
        operands = [names[v] for v in node.inputs]
        if not node.inputs:
            how = "constant" if is_constant(node) else "input"
        elif node.op in _INFIX and len(operands) == 2:
            how = f"{operands[0]} {node.op} {operands[1]}"
        elif node.op == "neg":
            how = f"-{operands[0]}"
        else:
            how = f"{node.op}({', '.join(operands)})"
        rows.append((names[node], _number(node.data), how))
    name_width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    return [
        f"  {name.ljust(name_width)} = {value.rjust(value_width)}  {how}"
        for name, value, how in rows
    ]


def _run_steps(args) -> int:
    root, leaves, output = _evaluate(args)
    steps = backprop_steps(root)  # runs backward, one recorded chain-rule step at a time
    print("forward pass:")
    print("\n".join(_forward_pass(root)))
    print()
    print("backward pass:")
    print(steps.table())
    print()
    print(f"{output} = {_number(root.data)}")
    for name, leaf in leaves.items():
        print(f"d{output}/d{name} = {_number(leaf.grad)}")
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
    )
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    try:
        drawing = draw(root, **options)
        written = drawing.save(path)
    except RendererNotFoundError as e:
        return _fail(f"cannot render {path.suffix[1:].upper()}: {e}")
    except RenderError as e:
        return _fail(str(e), status=1)
    except ValueError as e:  # too many nodes
        return _fail(f"{e} (on the command line: --max-nodes N)")
    except OSError as e:
        return _fail(f"cannot write {args.output!r}: {e.strerror or e}")
    print(f"wrote {written}")
    return 0


# ---------------------------------------------------------------- train
def _train_demo():
    """``nn.demo``'s ``add_arguments`` and ``run``, imported only for ``train``: the
    other commands should not pay for loading the training code and its plots."""
    try:
        from nn.demo import add_arguments, run
    except ImportError as e:
        raise _InputError(f"train is not available: cannot import nn.demo ({e})") from None
    return add_arguments, run


def _run_train(args) -> int:
    _, run = _train_demo()
    return run(args)
