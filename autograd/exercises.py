"""Generated backprop exercises: an expression, values that keep its numbers readable,
and the answer key with every step.

``exercise(seed, size=3, ops=DEFAULT_OPS)`` makes one: an expression with ``size`` ops
drawn from ``ops``, over a few variables (sometimes one used twice, so that ``+=``
matters), written as the command line types it. Its values are drawn from
``VALUES`` (small integers and halves) and kept only when every number of the
forward and backward pass is readable: no domain error and no overflow, nothing
larger than ``LIMIT``, no non-zero number smaller than 0.01, no saturated tanh or
sigmoid, every variable's gradient non-zero, and, while only ``+ - * / **`` and
negation are involved, at most 3 decimals. The same seed always gives the same
exercise, so a teacher can hand each student their own seed.

``Exercise.command()`` is the exercise as a ``chainrule steps`` command (what
``chainrule exercise`` prints) and ``Exercise.answers()`` its answer key.
``worksheet(exercises)`` and ``answer_key(exercises)`` write K of them for printing or
an LMS, in Markdown or LaTeX; the key gives every chain-rule step.

The graph is built with the same primitives as the command line's parser
(``value.apply`` on ops from ``ops.py``, numbers as ``value.constant``), so
``chainrule steps`` on the printed command shows exactly this exercise's steps.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from autograd import ops
from autograd.steps import Steps, replay
from autograd.text import number
from autograd.value import Value, apply, constant, is_constant

__all__ = [
    "Exercise",
    "exercise",
    "exercises",
    "worksheet",
    "answer_key",
    "OPS",
    "DEFAULT_OPS",
    "VALUES",
    "MAX_SIZE",
]

# The ops an exercise may use, by their names in ops.py ("neg" is unary minus).
OPS = (
    "+", "-", "*", "/", "**", "neg",
    "exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "relu", "abs", "sin", "cos",
)  # fmt: skip
DEFAULT_OPS = ("+", "-", "*", "/", "**", "tanh", "exp", "sigmoid", "relu")
VALUES = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)  # what a variable may be
CONSTANTS = (2.0, 3.0)  # the numbers an expression may contain (and the exponents)
NAMES = ("x", "y", "z", "w", "b", "a", "c", "d")
MAX_SIZE = 12  # ops in one exercise: more is no longer an exercise by hand
MAX_VARIABLES = 5
LIMIT = 50.0  # no number of the pass larger than this
SMALLEST = 0.01  # no non-zero number of the pass smaller than this
_TRIES = 4000  # values and shapes tried before giving up
_EXACT = {"+", "-", "*", "/", "**", "neg"}  # ops that keep numbers with few decimals
_BINARY = {"+", "-", "*", "/"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}  # calls and leaves: 5
_KINKS = {"relu", "abs"}  # no derivative at 0: an exercise never sits there


@dataclass(frozen=True)
class Exercise:
    """One generated exercise: ``expression`` at ``values`` (name -> number, in the
    order the names first appear). ``seed`` makes it again with the same ``size``
    and ``ops``."""

    seed: int
    expression: str
    values: dict
    size: int
    ops: tuple
    program: tuple = field(repr=False, compare=False, default=())  # how it is built

    def build(self) -> tuple[Value, dict[str, Value]]:
        """The expression as a new graph: (its root, labelled L, and the leaves by name)."""
        return _build(self.program, self.values)

    def steps(self) -> Steps:
        """The chain-rule steps of its backward pass (no grad is changed)."""
        return replay(self.build()[0])

    def answers(self) -> dict[str, float]:
        """∂L/∂name for every variable: the answer key."""
        root, leaves = self.build()
        grads = replay(root).grads()
        return {name: grads[leaf] for name, leaf in leaves.items()}

    def arguments(self) -> list[str]:
        """The values as the command line takes them: ``["x=2", "y=-0.5"]``."""
        return [f"{name}={_written(v)}" for name, v in self.values.items()]

    def command(self, name: str = "steps") -> str:
        """The exercise as a ``chainrule`` command: ``chainrule steps "x*y" x=2 y=-0.5``."""
        return " ".join([f'chainrule {name} "{self.expression}"', *self.arguments()])

    def statement(self) -> str:
        """What to do, in two lines: which gradients, of what, at which values."""
        wanted = [f"∂L/∂{name}" for name in self.values]
        listed = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " and " + wanted[-1]
        at = ", ".join(f"{name} = {_written(v)}" for name, v in self.values.items())
        return f"find {listed} by backpropagation, for\n  L = {self.expression}\n  at {at}"


def _written(x: float) -> str:
    """A value as typed: ``2``, ``-0.5``."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# ------------------------------------------------------------------ making one
def exercise(seed: int | None = None, *, size: int = 3, ops: tuple = DEFAULT_OPS) -> Exercise:
    """A backprop exercise with ``size`` ops drawn from ``ops`` (names from ``OPS``).

    The same ``seed`` (any int) gives the same exercise; without one a seed is drawn
    and kept in ``.seed``. Raises ValueError for an unknown op, a size outside 1 to
    ``MAX_SIZE``, or a set of ops with which no readable exercise is found.
    """
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be a whole number from 1 to {MAX_SIZE}, not {size!r}")
    chosen = _check_ops(ops)
    rng = random.Random(seed)
    for attempt in range(_TRIES):
        if attempt % 40 == 0:  # a new shape now and then: some shapes have no good values
            program, text = _named(_shape(rng, size, chosen))
            names = [args[0] for kind, *args in program if kind == "var"]
        values = {
            name: rng.choice(VALUES) for name in dict.fromkeys(sorted(names, key=NAMES.index))
        }
        if _readable(program, values):
            return Exercise(seed, text, values, size, chosen, tuple(program))
    raise ValueError(
        f"no readable exercise of size {size} with ops {', '.join(chosen)} after "
        f"{_TRIES} tries; add ops such as + - * or make it smaller"
    )


def exercises(
    count: int, *, seed: int = 0, size: int = 3, ops: tuple = DEFAULT_OPS
) -> list[Exercise]:
    """``count`` exercises with the seeds ``seed``, ``seed + 1``, ...: each can be made
    again on its own with ``exercise(its seed)`` or ``chainrule exercise --seed N``."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise ValueError(f"count must be a whole number from 1 to 1000, not {count!r}")
    return [exercise(seed + i, size=size, ops=ops) for i in range(count)]


def _check_ops(chosen) -> tuple:
    if isinstance(chosen, str):
        chosen = (chosen,)
    chosen = tuple(dict.fromkeys(chosen))
    unknown = [op for op in chosen if op not in OPS]
    if unknown or not chosen:
        raise ValueError(
            f"unknown op {unknown[0]!r}; exercises use {' '.join(OPS)}"
            if unknown
            else f"ops must name at least one of {' '.join(OPS)}"
        )
    return chosen


# A program is a list of instructions, each using only earlier ones (so it is built,
# written and checked bottom-up, without recursion): ("var", group) is a variable
# (leaves of one group are the same variable), ("const", k) a number, and
# (op, i, j...) an op on the results of instructions i, j.
def _shape(rng: random.Random, size: int, chosen: tuple) -> list[tuple]:
    kinds = [rng.choice(chosen) for _ in range(size)]
    binary = [k for k in chosen if k in _BINARY]
    if binary:  # at least one op with two variables: a gradient to find for each
        kinds[rng.randrange(size)] = rng.choice(binary)
    # a binary op may take a number as one operand (2*x, x/3); ** always does
    with_number = [k == "**" or (k in _BINARY and rng.random() < 0.2) for k in kinds]
    variables = 1 + sum(k in _BINARY and not n for k, n in zip(kinds, with_number))
    program: list[tuple] = []
    groups = 0
    for _ in range(variables):
        if groups and (groups >= MAX_VARIABLES or rng.random() < 0.25):
            program.append(("var", rng.randrange(groups)))  # a variable used again
        else:
            program.append(("var", groups))
            groups += 1
    pool = list(range(len(program)))  # results not used yet
    for kind, number_operand in zip(kinds, with_number):
        a = pool.pop(rng.randrange(len(pool)))
        if kind == "**":
            program.append(("const", rng.choice(CONSTANTS)))
            operands = (a, len(program) - 1)
        elif kind in _BINARY:
            if number_operand:
                program.append(("const", rng.choice(CONSTANTS)))
                b = len(program) - 1
            else:
                b = pool.pop(rng.randrange(len(pool)))
            operands = (a, b) if rng.random() < 0.5 else (b, a)
        else:
            operands = (a,)
        program.append((kind, *operands))
        pool.append(len(program) - 1)
    return program


def _placeholder(group: int) -> str:
    return chr(0xE000 + group)  # a private-use character: never in an expression


def _named(program: list[tuple]) -> tuple[list[tuple], str]:
    """The program with its variables named x, y, z, ... in the order they first
    appear in the written expression, and that expression."""
    text = _write(program)
    names: dict[int, str] = {}
    for ch in text:
        group = ord(ch) - 0xE000
        if 0 <= group < len(NAMES):
            names.setdefault(group, NAMES[len(names)])
    for group, name in names.items():
        text = text.replace(_placeholder(group), name)
    named = [("var", names[args[0]]) if kind == "var" else (kind, *args) for kind, *args in program]
    return named, text


def _write(program: list[tuple]) -> str:
    """The program as an expression, with the fewest brackets that keep exactly its
    shape (the parser must build the very same graph); variables as placeholders."""
    texts: list[str] = []
    levels: list[int] = []
    for kind, *args in program:
        if kind == "var":
            texts.append(_placeholder(args[0]))
            levels.append(5)
            continue
        if kind == "const":
            texts.append(_written(args[0]))
            levels.append(5)
            continue
        parts = []
        for position, i in enumerate(args):
            need = _PRECEDENCE.get(kind, 0)
            if (kind in _BINARY and position == 1) or kind in ("**", "neg"):
                need += 1  # left-associative: a - (b - c); -(x*y); (x + y)**2
            if program[i][0] == "neg" and kind != "neg":
                need = 4  # x*(-y) and (-x)**2, never x*-y
            parts.append(f"({texts[i]})" if levels[i] < need else texts[i])
        if kind in _BINARY:
            texts.append((f" {kind} " if kind in ("+", "-") else kind).join(parts))
        elif kind == "**":
            texts.append("**".join(parts))
        elif kind == "neg":
            texts.append("-" + parts[0])
        else:
            texts.append(f"{kind}({texts[args[0]]})")
        levels.append(_PRECEDENCE.get(kind, 5))
    return texts[-1]


# ------------------------------------------------------------------ building and checking
def _build(program, values: dict) -> tuple[Value, dict[str, Value]]:
    """The program as Values, made as the command line's parser makes them."""
    leaves: dict[str, Value] = {}
    results: list[Value] = []
    for kind, *args in program:
        if kind == "var":
            name = args[0]
            if name not in leaves:
                leaves[name] = Value(values[name], label=name)
            results.append(leaves[name])
        elif kind == "const":
            results.append(constant(args[0]))
        else:
            results.append(apply(ops.BY_NAME[kind], tuple(results[i] for i in args)))
    root = results[-1]
    root.label = "L"
    return root, {name: leaves[name] for name in values}


def _readable(program, values: dict) -> bool:
    """Whether every number of the forward and backward pass reads well by hand."""
    try:
        root, leaves = _build(program, values)
    except (ArithmeticError, ValueError):
        return False
    steps = replay(root)
    exact = set()  # nodes computed from the values with + - * / ** and negation only
    for node in steps.order:
        if not node.inputs or (node.op in _EXACT and all(x in exact for x in node.inputs)):
            exact.add(node)
        if node.op in _KINKS and node.inputs[0].data == 0.0:
            return False
    numbers = [(node.data, node in exact) for node in steps.order]
    all_exact = len(exact) == len(steps.order)
    # Every step's local, contribution and running total: each is written down by hand.
    for step in steps:  # a number's own gradient (2 in x**2: x**2 log x) may be irrational
        exactly = all_exact and not is_constant(step.input)
        numbers += [(step.local, exactly), (step.contribution, exactly), (step.grad, exactly)]
    for x, exactly in numbers:
        if not abs(x) <= LIMIT or (x and abs(x) < SMALLEST):
            return False
        if exactly and abs(x * 1000 - round(x * 1000)) > 1e-6:
            return False  # more than 3 decimals
    grads = steps.grads()
    return all(abs(grads[leaf]) >= SMALLEST for leaf in leaves.values())


# ------------------------------------------------------------------ worksheets
def worksheet(
    exercises: list[Exercise], *, format: str = "markdown", title: str = "Backpropagation exercises"
) -> str:
    """The exercises as a worksheet to print or upload: Markdown (``format=
    "markdown"``) or a LaTeX document (``"latex"``, ASCII only). Each exercise says
    which gradients to find, of what, at which values, and names its seed."""
    write = _writer(format, exercises)
    instructions = (
        "Find the gradient of L with respect to every variable by backpropagation: "
        "apply the chain rule one step at a time, from L back to the variables. "
        f"Exercise N is also the command {write.code('chainrule exercise --seed N')}, "
        f"and {write.code('chainrule quiz')} checks each of your steps."
    )
    parts = [write.title(title), instructions]
    for i, ex in enumerate(exercises, 1):
        parts.append(write.heading(f"{i}. Exercise {ex.seed}"))
        parts.append(write.problem(ex))
        blanks = [write.math(f"∂L/∂{name}") + " = " + write.blank() for name in ex.values]
        parts.append(write.spaced(blanks))
    return write.document(parts)


def answer_key(
    exercises: list[Exercise], *, format: str = "markdown", title: str = "Backpropagation exercises"
) -> str:
    """The answer key of ``worksheet(exercises)``: for each exercise the forward pass,
    every chain-rule step of the backward pass (local derivative, upstream gradient,
    contribution, running grad) and the gradients, in Markdown or LaTeX."""
    write = _writer(format, exercises)
    parts = [write.title(f"{title}: answer key")]
    for i, ex in enumerate(exercises, 1):
        steps = ex.steps()
        parts.append(write.heading(f"{i}. Exercise {ex.seed}"))
        parts.append(write.problem(ex))
        parts.append("Forward pass:")
        rows = [
            (write.math(steps.names[v]), write.number(d), how)
            for v, d, how in _forward(steps, write)
        ]
        parts.append(write.table(("value", "data", "computed as"), "lrl", rows))
        parts.append("Backward pass, one chain-rule step per row:")
        rows = [
            (
                str(k),
                write.formula(step),
                *map(write.number, (step.local, step.upstream, step.contribution, step.grad)),
            )
            for k, step in enumerate(steps, 1)
        ]
        head = ("#", "chain rule", "local", "upstream", "contribution", "running grad")
        parts.append(write.table(head, "rlrrrr", rows))
        answers = [
            write.math(f"∂L/∂{name}") + " = " + write.number(grad)
            for name, grad in ex.answers().items()
        ]
        parts.append("Answers: " + ", ".join(answers) + ".")
    return write.document(parts)


def _forward(steps: Steps, write) -> list[tuple]:
    """(node, data, how it is computed) for every node, in the order computed."""
    rows = []
    for node, data in zip(steps.order, steps.data):
        if not node.inputs:
            how = "constant" if is_constant(node) else "input"
        else:
            operands = [write.math(steps.names[x]) for x in node.inputs]
            how = ops.BY_NAME[node.op].written(operands)
        rows.append((node, data, how))
    return rows


def _writer(format: str, exercises) -> _Markdown | _Latex:
    if not isinstance(exercises, (list, tuple)) or not all(
        isinstance(ex, Exercise) for ex in exercises
    ):
        raise TypeError("exercises must be a list of Exercise (from exercises() or exercise())")
    if format == "markdown":
        return _Markdown()
    if format == "latex":
        return _Latex()
    raise ValueError(f"format must be 'markdown' or 'latex', not {format!r}")


class _Markdown:
    """How a worksheet is written in Markdown."""

    def document(self, parts: list[str]) -> str:
        return "\n\n".join(parts) + "\n"

    def title(self, text: str) -> str:
        return f"# {text}"

    def heading(self, text: str) -> str:
        return f"## {text}"

    def math(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return f"`{text}`"

    def number(self, x: float) -> str:
        return number(x)

    def blank(self) -> str:
        return "________"

    def spaced(self, items: list[str]) -> str:
        return "    ".join(items)

    def problem(self, ex: Exercise) -> str:
        at = ", ".join(f"{name} = {_written(v)}" for name, v in ex.values.items())
        return f"L = `{ex.expression}` at {at}"

    def formula(self, step) -> str:
        return f"`{step.formula}`"

    def table(self, head, align: str, rows) -> str:
        rule = ["---:" if a == "r" else "---" for a in align]
        lines = [head, rule, *rows]
        return "\n".join(
            "| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines
        )


_SUBSCRIPT_DIGITS = {chr(0x2080 + i): str(i) for i in range(10)}


class _Latex:
    """How a worksheet is written as a LaTeX document (plain ASCII, no extra packages)."""

    def document(self, parts: list[str]) -> str:
        body = "\n\n".join(parts)
        return f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"

    def title(self, text: str) -> str:
        return f"\\section*{{{_latex_text(text)}}}"

    def heading(self, text: str) -> str:
        return f"\\subsection*{{{_latex_text(text)}}}"

    def math(self, text: str) -> str:
        return f"${_latex_math(text)}$"

    def code(self, text: str) -> str:
        return "\\texttt{" + _latex_text(text).replace("-", "-{}") + "}"

    def number(self, x: float) -> str:
        return f"${number(x)}$"

    def blank(self) -> str:
        return "\\rule{6em}{0.4pt}"

    def spaced(self, items: list[str]) -> str:
        return "\\qquad ".join(items)

    def problem(self, ex: Exercise) -> str:
        at = ", ".join(f"${name} = {_written(v)}$" for name, v in ex.values.items())
        return f"$L = $ \\texttt{{{_latex_text(ex.expression)}}} at {at}"

    def formula(self, step) -> str:
        _, n, x = (_latex_math(name) for name in step.names)
        grad = "\\mathrm{grad}"
        return f"${x}.{grad} \\mathrel{{+}}= \\partial {n}/\\partial {x} \\times {n}.{grad}$"

    def table(self, head, align: str, rows) -> str:
        lines = [" & ".join(_latex_text(h) for h in head) + " \\\\ \\hline"]
        lines += [" & ".join(row) + " \\\\" for row in rows]
        return "\\begin{tabular}{" + align + "}\n" + "\n".join(lines) + "\n\\end{tabular}"


_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&",
    "#": "\\#", "^": "\\^{}", "_": "\\_", "%": "\\%", "~": "\\~{}",
}  # fmt: skip


def _latex_text(text: str) -> str:
    """Plain text for LaTeX: its special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex_math(text: str) -> str:
    """A name or a derivative in LaTeX maths: ∂ -> \\partial, n₂ -> n_{2}."""
    out = text.replace("∂", "\\partial ").replace("×", "\\times ")
    digits = "".join(_SUBSCRIPT_DIGITS.get(ch, "") for ch in out)
    base = "".join(ch for ch in out if ch not in _SUBSCRIPT_DIGITS)
    return f"{base}_{{{digits}}}" if digits else base
