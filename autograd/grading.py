"""Grading a student's backprop against chainrule's: the hand-calculation checker.

``check_gradients(root, {"a": -6.0, ...})`` grades gradients worked out by hand and,
for each wrong one, shows the chain-rule steps that give the right value. It reads
the recorded pass (``steps.replay``): it changes no grad and runs no backward of its
own.
"""

from __future__ import annotations

import html
import math
import numbers
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from autograd.steps import Steps, replay
from autograd.text import number, one_line, visible
from autograd.value import Value

__all__ = ["check_gradients", "GradientCheck", "GradientAnswer"]


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
