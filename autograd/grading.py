"""Grading a student's backprop against chainrule's: the checker, the quiz, the bug lab.

Everything here reads the recorded pass (``steps.replay``): it changes no grad and runs
no backward of its own.

* ``check_gradients(root, {"a": -6.0, ...})`` grades gradients worked out by hand and,
  for each wrong one, shows the chain-rule steps that give the right value.
* ``Quiz(root)`` asks for the backward pass one step at a time: each step's
  contribution ``∂n/∂x × n.grad`` (and, with ``ask_local=True``, its local derivative
  ``∂n/∂x`` first). ``quiz.answer("-1.5")`` grades what the student typed (a number,
  ``1/2``, ``-0``, ``1e-3``; anything else is read as a wrong answer, never an error)
  and, when it is wrong, diagnoses it from a catalogue of known mistakes (``MISTAKES``),
  each a precise wrong variant of that step: a diagnosis names the mistake in words,
  contains its word ("sign", "mixed up", ...) and ends with the right chain-rule line.
  The command line (``chainrule quiz``), the notebook widget
  (``Stepper.quiz_widget``) and the page (``Stepper.save_html``) all ask this quiz.
* ``bug_lab(f, inputs, "sign")`` re-adds the recorded steps with one of the
  catalogue's mistakes switched on everywhere it applies, and sets the gradients that
  come out against central differences (``gradcheck.numerical_gradient``): which go
  wrong, and which steps made them wrong.
"""

from __future__ import annotations

import html
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd.gradcheck import numerical_gradient
from autograd.steps import Step, Steps, replay
from autograd.text import number, one_line, visible
from autograd.value import Value

__all__ = [
    "check_gradients",
    "GradientCheck",
    "GradientAnswer",
    "Quiz",
    "Question",
    "Feedback",
    "Mistake",
    "MISTAKES",
    "read_answer",
    "AnswerError",
    "bug_lab",
    "BugLab",
    "BUGS",
]


@dataclass(frozen=True)
class GradientAnswer:
    """One gradient you worked out, graded against chainrule's."""

    name: str  # the Value's name: its label (or n₂ as drawings show it)
    value: Value  # the node
    yours: float  # what you wrote
    expected: float  # ∂root/∂value from one backward pass
    correct: bool
    steps: Steps  # the chain-rule steps that add up ``expected``, in order
    path: tuple[str, ...]  # one route from the root down to this value, by name

    def explain(self) -> str:
        """How the expected value is built, step by step."""
        root = one_line(self.path[0])
        if not self.steps:
            return f"{root}.grad = ∂{root}/∂{root} = 1 by definition: the pass starts there."
        count = (
            "1 chain-rule step" if len(self.steps) == 1 else f"{len(self.steps)} chain-rule steps"
        )
        name = one_line(self.name)
        lines = [
            f"path from {root}: {' -> '.join(map(one_line, self.path))}",
            f"{name}.grad = ∂{root}/∂{name} is the sum of {count}:",
        ]
        lines += [f"  {step}" for step in self.steps]
        return "\n".join(lines)


class GradientCheck:
    """The result of ``check_gradients``: one ``GradientAnswer`` per entry, in the
    order given, plus ``all_correct``. Prints as a report; shows as HTML in a notebook.
    """

    def __init__(self, root_name: str, answers: list[GradientAnswer], tol: float):
        self.root_name = root_name
        self.answers = answers
        self.tol = tol

    @property
    def all_correct(self) -> bool:
        """True when there are answers and every one is right."""
        return bool(self.answers) and all(a.correct for a in self.answers)

    @property
    def wrong(self) -> list[GradientAnswer]:
        return [a for a in self.answers if not a.correct]

    def __getitem__(self, name: str) -> GradientAnswer:
        for a in self.answers:
            if a.name == name:
                return a
        raise KeyError(name)

    def __iter__(self):
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)

    def _title(self) -> str:
        if not self.answers:
            return (
                f"gradients of {one_line(self.root_name)}: no answer was given; "
                "pass your gradients by name, like {'x': -1.5}"
            )
        right = len(self.answers) - len(self.wrong)
        score = f"{right} of {len(self.answers)} right"
        return f"gradients of {one_line(self.root_name)}: {score} (tolerance {self.tol:g})"

    def __str__(self) -> str:
        width = max((len(one_line(a.name)) for a in self.answers), default=0)
        lines = [self._title()]
        for a in self.answers:
            verdict = "right" if a.correct else "WRONG"
            numbers = f"yours {number(a.yours):>10}  expected {number(a.expected):>10}"
            lines.append(f"  {one_line(a.name).ljust(width)}  {verdict}  {numbers}")
            if not a.correct:
                lines += ["      " + line for line in visible(a.explain()).split("\n")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<GradientCheck: {len(self.answers) - len(self.wrong)} of {len(self.answers)} right>"
        )

    def _repr_html_(self) -> str:
        cell = "padding:2px 10px;border-bottom:1px solid #e4e4e4;vertical-align:top"
        num = cell + ";text-align:right;font-family:monospace;white-space:nowrap"
        rows = []
        for a in self.answers:
            mark = (
                '<span style="color:#2e8b3e">&#10004; right</span>'
                if a.correct
                else '<span style="color:#d62728">&#10008; wrong</span>'
            )
            detail = (
                ""
                if a.correct
                else f'<pre style="margin:2px 0;font-size:12px">{html.escape(a.explain())}</pre>'
            )
            rows.append(
                f'<tr><td style="{cell}"><code>{html.escape(one_line(a.name))}</code></td>'
                f'<td style="{cell};white-space:nowrap">{mark}</td>'
                f'<td style="{num}">{number(a.yours)}</td>'
                f'<td style="{num}">{number(a.expected)}</td>'
                f'<td style="{cell}">{detail}</td></tr>'
            )
        head = "".join(
            f'<th style="{cell};text-align:left">{h}</th>'
            for h in ("value", "", "yours", "expected", "")
        )
        return (
            f"<p><b>{html.escape(self._title())}</b></p>"
            '<table class="chainrule-check" style="border-collapse:collapse;font-size:13px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _describe(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def check_gradients(root: Value, answers: Mapping, *, tol: float = 1e-3) -> GradientCheck:
    """Grade gradients worked out by hand against one backward pass of ``root``.

    ``answers`` maps each Value to the ∂root/∂value you computed. Name a Value by its
    label (``{"a": -6.0, "b": 4.0}``), by the ``n₂`` name drawings and step tables
    give an unlabelled one (``"n2"`` works too), or pass the Value itself as the key.
    An answer is right when ``|yours - expected| <= tol * max(1, |expected|)``: an
    absolute tolerance for small gradients, a relative one for large (the default
    1e-3 accepts answers rounded to 3 decimals).

    Returns a ``GradientCheck``: ``.all_correct``, ``.answers`` (each with ``yours``,
    ``expected``, ``correct`` and, to see where the expected value comes from, the
    chain-rule ``steps`` that add it up and a ``path`` from the root), and a readable
    ``str()``/notebook view that explains every wrong answer.

    The expected values are this pass's gradients: as if every leaf's grad were 0
    before ``backward``. No grad is changed. Unknown or ambiguous names raise
    ValueError listing the names that exist. (``gradcheck`` checks chainrule against
    finite differences; this checks you against chainrule.)
    """
    if not isinstance(root, Value):
        raise TypeError(f"check_gradients needs a Value as root, not {type(root).__name__}")
    if not isinstance(answers, Mapping):
        raise TypeError(
            f"answers must be a mapping like {{'a': -6.0}}, not {type(answers).__name__}"
        )
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a number >= 0, not {tol!r}")
    steps = replay(root)
    order, names, expected = steps.order, steps.names, steps.grads()
    by_name: dict[str, list[Value]] = {}
    for v in order:
        by_name.setdefault(names[v], []).append(v)
    for v in order:  # n2 finds n₂, as it would on the command line (NFKC)
        alias = unicodedata.normalize("NFKC", names[v])
        if alias not in by_name:
            by_name[alias] = [v]

    parent: dict[Value, Value] = {}  # the first consumer met walking down from the root
    for v in reversed(order):
        for x in v.inputs:
            parent.setdefault(x, v)

    graded = []
    for key, yours in answers.items():
        if isinstance(key, Value):
            if key not in expected:
                raise ValueError("a Value given as a key is not part of the graph of root")
            node = key
        elif isinstance(key, str):
            found = by_name.get(key, [])
            if not found:
                labels = [n for n in by_name if n]
                raise ValueError(
                    f"no value named {key!r} in this graph; its names are {_describe(labels)}"
                )
            if len(found) > 1:
                raise ValueError(
                    f"{len(found)} different values are named {key!r} in this graph, so the "
                    "answer is ambiguous: give them distinct labels, or use the Value itself as "
                    "the key"
                )
            node = found[0]
        else:
            raise TypeError(f"answers are keyed by label (str) or Value, not {type(key).__name__}")
        if isinstance(yours, bool) or not isinstance(yours, numbers.Real):
            raise TypeError(f"the answer for {key!r} must be a number, not {type(yours).__name__}")
        yours = float(yours)
        want = expected[node]
        if math.isfinite(want):
            correct = abs(yours - want) <= tol * max(1.0, abs(want))
        else:
            correct = yours == want or (math.isnan(yours) and math.isnan(want))
        path = [node]
        while path[-1] in parent:
            path.append(parent[path[-1]])
        graded.append(
            GradientAnswer(
                name=names[node],
                value=node,
                yours=yours,
                expected=want,
                correct=correct,
                steps=Steps(s for s in steps if s.input is node),
                path=tuple(names[v] for v in reversed(path)),
            )
        )
    return GradientCheck(names[root], graded, tol)


# ================================================================== the quiz
# ------------------------------------------------------------------ reading an answer
# What a student may type: a decimal number (-1.5, .5, 5., 1e-3), a fraction of two of
# them (1/2, -3/4, 1.5/3), or inf. The page checks answers in the browser with this
# very pattern (passed to it as data), so both read every answer alike.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = re.compile(NUMBER_PATTERN)
_INFINITY = re.compile(r"[+-]?(?:inf|infinity)", re.IGNORECASE)  # the page: the same
_NAN = re.compile(r"[+-]?nan", re.IGNORECASE)
MAX_ANSWER = 60  # characters: anything longer is not an answer to a step
SHOWN = 30  # characters of a typed answer repeated back

# Why a typed answer is not a number -> what the student is told ({text}: what they typed).
UNREADABLE = {
    "empty": "no answer",
    "long": f"an answer longer than {MAX_ANSWER} characters is not a number",
    "nan": "nan is not a number any step can have",
    "zero": "{text} divides by zero",
    "comma": "{text} is not a number: write decimals with a point, as in 0.5",
    "other": "{text} is not a number: type one number, like -1.5, 0.25 or 1/4",
}


class AnswerError(ValueError):
    """A typed answer that is not a number; ``reason`` is a key of ``UNREADABLE``."""

    def __init__(self, reason: str, text: str):
        self.reason = reason
        self.text = text
        super().__init__(UNREADABLE[reason].format(text=f"'{_shown(text)}'"))


def _shown(text: str) -> str:
    """A typed answer as it is repeated back: stripped, on one line, cut short."""
    text = one_line(text.strip())
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def read_answer(answer) -> float:
    """The number in a typed answer, or ``AnswerError`` saying why there is none.

    Reads a decimal number (``-1.5``, ``.5``, ``1e-3``, ``-0``), a fraction of two of
    them (``1/2``, ``-3/4``), or ``inf``; spaces around it, a typographic minus (−)
    and full-width digits are fine. A number too large for a float reads as ±inf.
    A real number (int, float, Fraction) is taken as it is.
    """
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        try:
            value = float(answer)
        except OverflowError:
            value = math.inf if answer > 0 else -math.inf
        if math.isnan(value):
            raise AnswerError("nan", "nan")
        return value
    if not isinstance(answer, str):
        raise TypeError(f"an answer is typed text or a number, not {type(answer).__name__}")
    text = unicodedata.normalize("NFKC", answer).replace("\u2212", "-").strip()
    if not text:
        raise AnswerError("empty", answer)
    if len(text) > MAX_ANSWER:
        raise AnswerError("long", answer)
    if _INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        raise AnswerError("nan", answer)
    top, slash, bottom = (part.strip() for part in text.partition("/"))
    if slash:
        if not (_NUMBER.fullmatch(top) and _NUMBER.fullmatch(bottom)):
            raise AnswerError("other", answer)
        if float(bottom) == 0.0:
            raise AnswerError("zero", answer)
        value = float(top) / float(bottom)  # a float too large for either part is inf
        if math.isnan(value):  # inf/inf
            raise AnswerError("other", answer)
        return value
    if _NUMBER.fullmatch(text):
        return float(text)
    if "," in text and _NUMBER.fullmatch(text.replace(",", ".")):
        raise AnswerError("comma", answer)
    raise AnswerError("other", answer)


def _close(yours: float, target: float, tol: float) -> bool:
    """The checker's rule: within ``tol`` × max(1, |target|); infinities only equal."""
    if math.isfinite(target):
        return abs(yours - target) <= tol * max(1.0, abs(target))
    return yours == target


# ------------------------------------------------------------------ the catalogue
# Every mistake the quiz recognises: kind -> (the word that names it, what it is). The
# word appears in every diagnosis of that kind, so a student (or a script grading a
# transcript) can find it.
MISTAKES = {
    "sign": ("sign", "the right size with the wrong sign"),
    "running-total": (
        "running total",
        "the input's grad after the step (every contribution so far) given instead of "
        "this step's contribution",
    ),
    "missing-contribution": (
        "missing",
        "a node used more than once: its upstream gradient taken from one use only, "
        "the earlier contribution forgotten (= instead of +=)",
    ),
    "at-input": (
        "at the input",
        "exp, tanh or sigmoid differentiated with the input in place of the output",
    ),
    "local-alone": ("mixed up", "the local derivative alone, the upstream forgotten"),
    "upstream-alone": ("mixed up", "the upstream gradient alone, the local derivative forgotten"),
    "own-operand": (
        "mixed up",
        "for a product, the input's own value taken as its local derivative instead of "
        "the other operand's",
    ),
    "whole-contribution": (
        "mixed up",
        "asked for the local derivative, the whole contribution (local × upstream) given",
    ),
    "wrong-node": ("wrong node", "the upstream gradient taken from another node"),
    "rounding": ("rounding", "close to the answer, but rounded too far"),
}
ROUNDING = 10  # an answer within ROUNDING × tol of the right one is called rounded


@dataclass(frozen=True)
class Mistake:
    """One known mistake on one question: the wrong answer it gives and what to say.

    ``message`` names the mistake in words (it contains ``word``) and ends with the
    right line: the step's chain-rule line, or for a local derivative its value.
    """

    kind: str  # a key of MISTAKES
    word: str  # the word naming it: "sign", "mixed up", ...
    value: float  # the answer this mistake gives
    message: str


_AT_INPUT = {  # op -> (its derivative written with the output n, the same with the input x)
    "exp": ("{n}", "{x}"),
    "tanh": ("1 - {n}²", "1 - {x}²"),
    "sigmoid": ("{n}(1 - {n})", "{x}(1 - {x})"),
}


def _at_input(op: str, x: float) -> float:
    """exp, tanh or sigmoid's local derivative with the input ``x`` where the output
    belongs: the bug of ``self.grad += self.data * out.grad`` in exp."""
    if op == "exp":
        return x
    if op == "tanh":
        return 1.0 - x * x
    return x * (1.0 - x)


def _partner(node: Value, operand: int) -> int | None:
    """For a product (``*`` or ``dot``), the operand that ``operand`` is multiplied by."""
    if node.op == "*":
        return 1 - operand
    if node.op == "dot":
        pairs = len(node.inputs) // 2
        if operand < 2 * pairs:
            return operand + pairs if operand < pairs else operand - pairs
    return None


class _Candidates:
    """Collects the wrong variants of one answer: each kept once, and only when it
    really is wrong (a variant equal to the answer is no mistake on this step)."""

    def __init__(self, expected: float, tol: float, right_line: str):
        self.expected, self.tol, self.right_line = expected, tol, right_line
        self.found: list[Mistake] = []

    def add(self, kind: str, value: float, message: str) -> None:
        if math.isnan(value) or _close(value, self.expected, self.tol):
            return
        if any(m.value == value for m in self.found):
            return
        word = MISTAKES[kind][0]
        self.found.append(Mistake(kind, word, value, f"{message}\n{self.right_line}"))

    def done(self) -> tuple[Mistake, ...]:
        word = MISTAKES["rounding"][0]
        rounding = Mistake(
            "rounding",
            word,
            self.expected,
            f"{word}: close, but not close enough: the answer is {number(self.expected)}; "
            f"keep at least 3 decimals.\n{self.right_line}",
        )
        return (*self.found, rounding)


class _Context:
    """What the diagnoses of one step need to know about the pass around it."""

    def __init__(self, steps: Steps):
        self.root = steps.root
        self.names = steps.names
        self.data = dict(zip(steps.order, steps.data))
        self.received: dict[Value, list[float]] = {}  # every contribution a node gets
        for step in steps:
            self.received.setdefault(step.input, []).append(step.contribution)
        self.consumers: dict[Value, list[Value]] = {}  # the nodes each node is an input of
        for node in steps.order:
            for x in dict.fromkeys(node.inputs):
                self.consumers.setdefault(x, []).append(node)


def _contribution_mistakes(step: Step, ctx: _Context, before, so_far, tol) -> tuple:
    """The catalogue's wrong contributions for ``step``, most telling first.

    ``before``: every node's grad before the step; ``so_far``: the contributions its
    input received before it."""
    _, n, x = (one_line(name) for name in step.names)
    local, upstream, c = step.local, step.upstream, step.contribution
    found = _Candidates(c, tol, str(step))

    factors = ((f"∂{n}/∂{x}", local), (f"{n}.grad", upstream))
    negative = [f"{name} = {number(v)} is negative" for name, v in factors if v < 0]
    hint = (
        "Here " + " and ".join(negative) + "."
        if negative
        else "Both factors are positive here, so the contribution is too."
    )
    found.add("sign", -c, f"sign: the right size with the wrong sign. {hint}")

    earlier = so_far.get(step.input, [])
    if earlier:
        total = " + ".join(number(v) for v in [*earlier, c])
        found.add(
            "running-total",
            step.grad,
            f"running total: {number(step.grad)} is {x}.grad after this step, all its "
            f"contributions so far ({total});\nthe question asks for this step's "
            f"contribution alone, ∂{n}/∂{x} × {n}.grad.",
        )

    into = ctx.received.get(step.node, [])
    if len(into) > 1:
        parts = " + ".join(number(v) for v in into)
        for part in into:
            found.add(
                "missing-contribution",
                local * part,
                f"missing contribution: {n} is used {len(into)} times, so {n}.grad is the "
                f"sum of all it receives:\n{parts} = {number(upstream)}. You used "
                f"{number(part)} alone, as if {n}.grad were overwritten (=), not added to "
                "(+=).",
            )

    op = step.node.op
    if op in _AT_INPUT:
        out_rule, in_rule = (r.format(n=n, x=x) for r in _AT_INPUT[op])
        wrong_local = _at_input(op, ctx.data[step.input])
        found.add(
            "at-input",
            wrong_local * upstream,
            f"derivative taken at the input: {op}'s derivative is written with its output "
            f"{n} = {number(ctx.data[step.node])}:\n∂{n}/∂{x} = {out_rule} = {number(local)}. "
            f"You used the input {x} = {number(ctx.data[step.input])} in its place: "
            f"{in_rule} = {number(wrong_local)}.",
        )

    found.add(
        "local-alone",
        local,
        f"local and upstream mixed up: {number(local)} is the local derivative ∂{n}/∂{x} "
        f"alone;\nthe step multiplies it by the upstream gradient {n}.grad = {number(upstream)}.",
    )
    found.add(
        "upstream-alone",
        upstream,
        f"local and upstream mixed up: {number(upstream)} is the upstream gradient {n}.grad "
        f"alone;\nthe step multiplies it by the local derivative ∂{n}/∂{x} = {number(local)}.",
    )
    partner = _partner(step.node, step.operand)
    if partner is not None:
        own = ctx.data[step.input]
        other = step.node.inputs[partner]
        found.add(
            "own-operand",
            own * upstream,
            f"operands mixed up: in a product, ∂{n}/∂{x} is what {x} is multiplied by, "
            f"{one_line(ctx.names[other])} = {number(ctx.data[other])};\nyou used "
            f"{x}'s own value, {number(own)}.",
        )

    wrong_nodes = [*ctx.consumers.get(step.node, []), ctx.root, step.input]
    for other in dict.fromkeys(wrong_nodes):
        if other is step.node or not before.get(other):
            continue
        grad = before[other]
        found.add(
            "wrong-node",
            local * grad,
            f"upstream from the wrong node: you multiplied ∂{n}/∂{x} by "
            f"{one_line(ctx.names[other])}.grad = {number(grad)};\nthe upstream of "
            f"this step is the gradient of {n}, the node {x} feeds into: "
            f"{n}.grad = {number(upstream)}.",
        )
    return found.done()


def _local_mistakes(step: Step, ctx: _Context, tol) -> tuple:
    """The catalogue's wrong local derivatives for ``step``."""
    _, n, x = (one_line(name) for name in step.names)
    local = step.local
    found = _Candidates(local, tol, f"∂{n}/∂{x} = {number(local)}")
    found.add("sign", -local, "sign: the right size with the wrong sign.")
    op = step.node.op
    if op in _AT_INPUT:
        out_rule, in_rule = (r.format(n=n, x=x) for r in _AT_INPUT[op])
        wrong = _at_input(op, ctx.data[step.input])
        found.add(
            "at-input",
            wrong,
            f"derivative taken at the input: {op}'s derivative is written with its output "
            f"{n} = {number(ctx.data[step.node])}: ∂{n}/∂{x} = {out_rule}.\nYou used the "
            f"input {x} = {number(ctx.data[step.input])} in its place: {in_rule} = "
            f"{number(wrong)}.",
        )
    partner = _partner(step.node, step.operand)
    if partner is not None:
        other = step.node.inputs[partner]
        found.add(
            "own-operand",
            ctx.data[step.input],
            f"operands mixed up: in a product, ∂{n}/∂{x} is what {x} is multiplied by, "
            f"{one_line(ctx.names[other])} = {number(ctx.data[other])}, not {x}'s "
            "own value.",
        )
    found.add(
        "whole-contribution",
        step.contribution,
        f"local and upstream mixed up: {number(step.contribution)} is the whole "
        f"contribution ∂{n}/∂{x} × {n}.grad;\nthe question asks for the local derivative "
        f"∂{n}/∂{x} alone.",
    )
    found.add(
        "upstream-alone",
        step.upstream,
        f"local and upstream mixed up: {number(step.upstream)} is the upstream gradient "
        f"{n}.grad, not the local derivative ∂{n}/∂{x}.",
    )
    return found.done()


# ------------------------------------------------------------------ questions and answers
@dataclass(frozen=True)
class Question:
    """One question of the quiz: a step's local derivative or its contribution."""

    step: Step
    number: int  # the step's number, from 1
    count: int  # the steps in the pass
    part: str  # "local" (∂n/∂x) or "contribution" (∂n/∂x × n.grad)
    expected: float
    mistakes: tuple[Mistake, ...]  # the catalogue's wrong answers, most telling first
    tol: float

    @property
    def heading(self) -> str:
        """``step 2 of 6: e.grad += ∂d/∂e × d.grad``: which step is asked."""
        return f"step {self.number} of {self.count}: {self.step.formula}"

    @property
    def prompt(self) -> str:
        """What the answer is the value of: ``∂d/∂e × d.grad = `` or ``∂d/∂e = ``."""
        _, n, x = (one_line(name) for name in self.step.names)
        if self.part == "local":
            return f"∂{n}/∂{x} = "
        return f"∂{n}/∂{x} × {n}.grad = "

    @property
    def right_line(self) -> str:
        """The answer as shown after it is given: the step's chain-rule line (its
        local derivative alone, for the local question)."""
        if self.part == "local":
            return f"{self.prompt}{number(self.expected)}"
        return str(self.step)

    def grade(self, answer) -> Feedback:
        """Grade a typed answer (or a number): right, or wrong with a diagnosis."""
        try:
            yours = read_answer(answer)
        except AnswerError as error:
            return Feedback(self, str(answer), None, False, None, error.reason, str(error))
        if _close(yours, self.expected, self.tol):
            return Feedback(self, str(answer), yours, True, None)
        for mistake in self.mistakes:
            tol = self.tol * (ROUNDING if mistake.kind == "rounding" else 1)
            if _close(yours, mistake.value, tol):
                return Feedback(self, str(answer), yours, False, mistake)
        return Feedback(self, str(answer), yours, False, None)


NO_DIAGNOSIS = "not one of the usual mistakes: work the step through again."


@dataclass(frozen=True)
class Feedback:
    """What the quiz says to one answer. ``str()`` is the whole reply: ``right: ...``,
    or ``wrong: ...`` with the right value, the diagnosis and the right line."""

    question: Question
    typed: str  # the answer as given
    yours: float | None  # the number read from it (None: it was not a number)
    correct: bool
    mistake: Mistake | None = None  # the diagnosis of a wrong number, when recognised
    problem: str = ""  # why the answer is not a number (a key of UNREADABLE)
    problem_text: str = ""

    @property
    def message(self) -> str:
        """The diagnosis with the right line (empty for a right answer)."""
        if self.correct:
            return ""
        if self.mistake is not None:
            return self.mistake.message
        if self.yours is None:
            return self.question.right_line
        return f"{NO_DIAGNOSIS}\n{self.question.right_line}"

    def __str__(self) -> str:
        q = self.question
        if self.correct:
            return f"right: {q.right_line}"
        if self.yours is None:
            head = f"wrong: {self.problem_text}"
        else:
            head = f"wrong: {q.prompt}{number(q.expected)}, not {_shown(self.typed)}"
        return f"{head}\n{self.message}"


class Quiz:
    """The backward pass of ``root`` as questions, one step at a time.

    ``Quiz(root)`` records one pass (``steps.replay``: no grad changes) and asks, for
    every step in backward's order, for that step's contribution ∂n/∂x × n.grad;
    with ``ask_local=True`` it first asks for the local derivative ∂n/∂x. ``root``
    may also be the ``Steps`` of a recorded pass (a Stepper's ``.steps``).

        quiz = Quiz(L)
        print(quiz.question.heading)        # step 1 of 6: d.grad += ∂L/∂d × L.grad
        print(quiz.answer("-2"))            # right: d.grad += ... = -2.0000 ...
        print(quiz.score_line())            # score: 1/1

    ``answer(text)`` grades what was typed and moves on to the next question, right
    or wrong, so that every answer is one question (a transcript piped in reads one
    answer per line). An answer that is not a number (empty, ``abc``, ``nan``, ``1/0``)
    is wrong and says why; nothing a student types raises. An answer is right within
    ``tol`` × max(1, |answer|) (the default 1e-3 accepts 3 decimals). A wrong one is
    diagnosed from ``MISTAKES`` (see ``Question.mistakes``).
    """

    def __init__(self, root, *, ask_local: bool = False, tol: float = 1e-3):
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
            raise ValueError(f"tol must be a number >= 0, not {tol!r}")
        if isinstance(root, Steps) and root.order:
            steps = root
        elif isinstance(root, Value):
            steps = replay(root)
        else:
            raise TypeError(f"Quiz needs a Value or recorded Steps, not {type(root).__name__}")
        self.steps = steps
        self.ask_local = bool(ask_local)
        self.tol = float(tol)
        self.questions = tuple(_questions(steps, ask_local=self.ask_local, tol=self.tol))
        self.feedback: list[Feedback] = []

    @property
    def question(self) -> Question | None:
        """The question to answer now (None when every one is answered)."""
        return self.questions[len(self.feedback)] if not self.done else None

    @property
    def done(self) -> bool:
        return len(self.feedback) == len(self.questions)

    @property
    def asked(self) -> int:
        """How many questions have been answered."""
        return len(self.feedback)

    @property
    def score(self) -> int:
        """How many answers were right."""
        return sum(f.correct for f in self.feedback)

    def answer(self, answer) -> Feedback:
        """Grade ``answer`` (typed text or a number) for the current question, move
        on to the next one, and return the feedback. ValueError once every question
        is answered."""
        question = self.question
        if question is None:
            raise ValueError("the quiz is over: every question has been answered")
        feedback = question.grade(answer)
        self.feedback.append(feedback)
        return feedback

    def score_line(self) -> str:
        """``score: K/N``: K right answers of the N given."""
        return f"score: {self.score}/{self.asked}"

    def __repr__(self) -> str:
        return (
            f"<Quiz: {self.asked} of {len(self.questions)} questions answered, {self.score} right>"
        )


def _questions(steps: Steps, *, ask_local: bool, tol: float) -> list[Question]:
    """Every question of a pass, with its catalogue, in one walk along the steps."""
    ctx = _Context(steps)
    before = steps.grads(0)  # every grad as it stands before the current step
    so_far: dict[Value, list[float]] = {}
    questions = []
    for k, step in enumerate(steps, 1):
        if ask_local:
            mistakes = _local_mistakes(step, ctx, tol)
            questions.append(Question(step, k, len(steps), "local", step.local, mistakes, tol))
        mistakes = _contribution_mistakes(step, ctx, before, so_far, tol)
        questions.append(
            Question(step, k, len(steps), "contribution", step.contribution, mistakes, tol)
        )
        before[step.input] = step.grad
        so_far.setdefault(step.input, []).append(step.contribution)
    return questions


# ================================================================== the bug lab
# The mistakes that can be switched on for a whole pass: kind -> what that does.
BUGS = {
    "sign": "the minus of a - b and of -a forgotten: +1 passed back instead of -1",
    "missing-contribution": "= instead of +=: each step overwrites what earlier steps added",
    "at-input": "exp, tanh and sigmoid differentiated at the input, not from the output",
    "local-alone": "each step passes back its local derivative alone, the upstream forgotten",
    "upstream-alone": "each step passes back the upstream gradient alone, the local forgotten",
    "own-operand": "a product passes each operand its own value instead of the other's",
}


def _with_bug(bug: str, step: Step, upstream: float, data: dict) -> tuple[float, float, float]:
    """``step`` computed with ``bug`` on: (local, upstream, contribution) as used."""
    node, local = step.node, step.local
    if bug == "sign" and (node.op == "neg" or (node.op == "-" and step.operand == 1)):
        local = -local
    elif bug == "at-input" and node.op in _AT_INPUT:
        local = _at_input(node.op, data[step.input])
    elif bug == "own-operand" and _partner(node, step.operand) is not None:
        local = data[step.input]
    elif bug == "local-alone":
        upstream = 1.0
    elif bug == "upstream-alone":
        local = 1.0
    contribution = local * upstream
    if contribution != contribution and (not local or not upstream):
        contribution = 0.0  # 0 × inf: the zero wins, as in graph.chain_rule
    return local, upstream, contribution


@dataclass(frozen=True)
class BuggyGradient:
    """One input's gradient three ways: numeric, right (backward), with the bug."""

    name: str
    numeric: float  # central differences (gradcheck.numerical_gradient)
    right: float  # the recorded pass: what backward gives
    buggy: float  # the same steps added up with the bug on
    wrong: bool  # the buggy one disagrees with the numeric one (gradcheck's tolerance)
    causes: tuple[int, ...]  # the steps the bug changed whose change reaches this input


class BugLab:
    """What one bug does to a backward pass (see ``bug_lab``); prints as a report."""

    def __init__(self, bug: str, steps: Steps, gradients: list, lines: dict[int, str]):
        self.bug = bug
        self.steps = steps
        self.gradients = gradients
        self.lines = lines  # step number -> that step as the bug computes it

    @property
    def changed(self) -> list[int]:
        """The numbers of the steps the bug changes (counting from 1)."""
        return sorted(self.lines)

    @property
    def wrong(self) -> list[BuggyGradient]:
        return [g for g in self.gradients if g.wrong]

    def __getitem__(self, name: str) -> BuggyGradient:
        for g in self.gradients:
            if g.name == name:
                return g
        raise KeyError(name)

    def __str__(self) -> str:
        count = len(self.steps)
        lines = [f"bug: {self.bug} ({BUGS[self.bug]})"]
        if self.lines:
            lines.append(f"it changes {len(self.lines)} of the {count} steps:")
            lines += [f"  step {k}: {self.lines[k]}" for k in self.changed]
        else:
            lines.append(f"it changes none of the {count} steps of this graph")
        lines.append("gradients against central differences:")
        width = max((len(one_line(g.name)) for g in self.gradients), default=0)
        for g in self.gradients:
            steps = ", ".join(map(str, g.causes))
            plural = "s" if len(g.causes) > 1 else ""
            if g.wrong:
                verdict = f"WRONG, from step{plural} {steps}" if g.causes else "WRONG"
            elif g.causes:
                verdict = f"right: the changes of step{plural} {steps} cancel out"
            else:
                verdict = "right"
            lines.append(
                f"  {one_line(g.name).ljust(width)}  numeric {number(g.numeric):>9}"
                f"  with the bug {number(g.buggy):>9}  {verdict}"
            )
        lines.append(f"{len(self.wrong)} of {len(self.gradients)} gradients wrong")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BugLab {self.bug!r}: {len(self.wrong)} of {len(self.gradients)} gradients wrong>"


def bug_lab(
    f, inputs, bug: str, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> BugLab:
    """Switch one of the catalogue's mistakes on for a whole backward pass and see
    which gradients it breaks, against central differences.

    ``f`` and ``inputs`` are as for ``gradcheck``: ``f`` takes one Value per input and
    returns a Value; ``inputs`` are numbers or Values (a Value's label names it in the
    report). ``bug`` is a key of ``BUGS``: "sign" (the minus of ``a - b`` and ``-a``
    forgotten), "missing-contribution" (``=`` instead of ``+=``), "at-input" (exp,
    tanh, sigmoid differentiated at the input), "local-alone", "upstream-alone" or
    "own-operand".

    The buggy pass is the recorded one (``steps.replay``) added up again with the bug
    applied to each step it concerns, every later step taking its upstream gradient
    from the buggy sums: no second backward loop. Each input's buggy gradient is set
    against ``gradcheck.numerical_gradient`` with gradcheck's tolerance (``atol`` +
    ``rtol`` × |numeric|), and a wrong one is traced to the steps the bug changed
    that reach it. Returns a ``BugLab`` (``.gradients``, ``.wrong``, ``.changed``,
    ``.lines``); ``print`` it for the report. No grad of the given Values changes.
    """
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; the bugs are {_describe(list(BUGS))}")
    if not callable(f):
        raise TypeError(f"bug_lab: f must be a function of Values, not {type(f).__name__}")
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError("bug_lab: inputs must be a sequence of numbers or Values")
    leaves = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            leaves.append(Value(x.data, label=x.label))
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            leaves.append(Value(x))
        else:
            raise TypeError(
                f"bug_lab input {i} must be a number or a Value, not {type(x).__name__}"
            )
    root = f(*leaves)
    if not isinstance(root, Value):
        raise TypeError(f"bug_lab: f must return a Value, not {type(root).__name__}")
    steps = replay(root)
    numeric = numerical_gradient(f, [leaf.data for leaf in leaves], eps=eps)

    data = dict(zip(steps.order, steps.data))
    grads = steps.grads(0)
    causes: dict[Value, set[int]] = {}
    received: set[Value] = set()
    lines = {}
    for k, step in enumerate(steps, 1):
        local, upstream, contribution = _with_bug(bug, step, grads[step.node], data)
        numbers_ = f"{number(local)} × {number(upstream)} = {number(contribution)}"
        old = grads[step.input]
        if bug == "missing-contribution":
            changed = step.input in received  # what earlier steps added is overwritten
            grads[step.input] = contribution
            line = (
                f"{step.formula.replace(' += ', ' = ')} = {numbers_}  (overwrites "
                f"{number(old)}: with += it would be {number(old + contribution)})"
            )
        else:
            changed = _with_bug(bug, step, step.upstream, data)[2] != step.contribution
            grads[step.input] = old + contribution
            line = f"{step.formula} = {numbers_}  (right: {number(step.contribution)})"
        received.add(step.input)
        reach = causes.setdefault(step.input, set())
        reach |= causes.get(step.node, set())
        if changed:
            reach.add(k)
            lines[k] = line

    right = steps.grads()
    gradients = []
    for i, (leaf, num) in enumerate(zip(leaves, numeric)):
        in_graph = leaf in right
        buggy = grads[leaf] if in_graph else 0.0
        ok = math.isfinite(buggy) and abs(buggy - num) <= atol + rtol * abs(num)
        gradients.append(
            BuggyGradient(
                name=steps.names[leaf] if in_graph else leaf.label or f"input {i}",
                numeric=num,
                right=right[leaf] if in_graph else 0.0,
                buggy=buggy,
                wrong=not ok,
                causes=tuple(sorted(causes.get(leaf, ()))),
            )
        )
    return BugLab(bug, steps, gradients, lines)
