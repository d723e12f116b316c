"""Follow backpropagation one chain-rule step at a time, and check hand calculations.

* ``steps_table(steps)`` / ``steps_html(steps)``: the whole pass as a text table and
  as an HTML table (what ``backprop_steps(root).table()`` and a notebook show).
* ``Stepper(root)``: replays the pass step by step; its state (position, grads so
  far, the line and the graph for each step) is plain Python, and ``widget()`` puts
  previous/next buttons and a slider on it in a notebook (ipywidgets, optional).
* ``check_gradients(root, {"a": -6.0, ...})``: grades gradients worked out by hand
  and, for each wrong one, shows the chain-rule steps that give the right value.

None of these changes any grad: each replays the pass and puts the grads back.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd.draw import RendererNotFoundError, RenderError, _fmt, _message_bundle, _visible, draw
from autograd.graph import Step, Steps, backprop_steps, node_names, topological_order
from autograd.value import Value

__all__ = [
    "steps_table",
    "steps_html",
    "Stepper",
    "check_gradients",
    "GradientCheck",
    "GradientAnswer",
]

_HEADERS = ("#", "chain rule", "local", "upstream", "contribution", "running grad")


def _name(name: str) -> str:
    """A name fit for one line of text: newlines and control characters escaped."""
    return _visible(name).replace("\n", "\\n")


def _formula(step: Step) -> str:
    # The formula's fixed text has no control characters: escaping it whole is
    # escaping each name.
    return _name(step.formula)


def _row(i: int, step: Step) -> tuple[str, ...]:
    return (
        str(i),
        _formula(step),
        _fmt(step.local),
        _fmt(step.upstream),
        _fmt(step.contribution),
        _fmt(step.grad),
    )


def steps_table(steps: Sequence[Step]) -> str:
    """The steps as a text table, one row per chain-rule step, numbered from 1.

    Each row reads ``dL/dx += dn/dx * dL/dn`` (x receives gradient from the op
    result n), then the local derivative dn/dx, the upstream gradient dL/dn, their
    product (the contribution) and the running grad of x after the step.
    """
    if not steps:
        return "(no chain-rule steps: the root is a leaf)"
    rows = [_HEADERS] + [_row(i, s) for i, s in enumerate(steps, 1)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(_HEADERS))]
    lines = []
    for r in rows:
        cells = [r[0].rjust(widths[0]), r[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(r[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_CELL = "padding:2px 10px;border-bottom:1px solid #e4e4e4"
_NUM = _CELL + ";text-align:right;font-family:monospace;white-space:nowrap"


def steps_html(steps: Sequence[Step]) -> str:
    """The steps as an HTML table for notebooks; every name is escaped."""
    if not steps:
        return "<p><i>(no chain-rule steps: the root is a leaf)</i></p>"
    head = "".join(
        f'<th style="{_CELL};text-align:{"left" if h == "chain rule" else "right"}">{h}</th>'
        for h in _HEADERS
    )
    body = []
    for i, step in enumerate(steps, 1):
        number, formula, *numbers = _row(i, step)
        cells = [f'<td style="{_NUM};color:#888">{number}</td>']
        cells.append(
            f'<td style="{_CELL};white-space:nowrap"><code>{html.escape(formula)}</code></td>'
        )
        cells += [f'<td style="{_NUM}">{n}</td>' for n in numbers]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="chainrule-steps" style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# ------------------------------------------------------------------ replaying a pass
def _replay(root: Value) -> tuple[list[Value], Steps, dict[Value, float]]:
    """The steps of one backward pass of ``root`` and the grads it computes, with
    every grad left as it was found.

    Leaves start from 0 here, so each step's running grad is this pass's alone, even
    when backward has been called before (leaves accumulate across calls).
    """
    order = topological_order(root)
    saved = [v.grad for v in order]
    try:
        for v in order:
            if not v.inputs:
                v.grad = 0.0
        steps = backprop_steps(root)
        grads = {v: v.grad for v in order}
    finally:
        for v, g in zip(order, saved):
            v.grad = g
    return order, steps, grads


# ------------------------------------------------------------------ the stepper
_INSTALL = (
    "The interactive stepper needs ipywidgets: pip install 'chainrule[notebook]' "
    "(or pip install ipywidgets), then restart the kernel. Without it, "
    "print(backprop_steps(root)) shows every step as a table, and "
    "Stepper(root).drawing(k) draws step k."
)


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(_INSTALL) from error
    return ipywidgets


class Stepper:
    """Replay the backward pass of ``root`` one chain-rule step at a time.

    The stepper is state only: a ``position`` from 0 (the start: dL/dL = 1, every
    other grad 0) to ``len(steps)`` (after the last step), moved by ``next()``,
    ``previous()`` and ``go(position)``. For any position it gives the grads as
    they stand (``grads()``), the chain-rule line (``caption()``) and the graph with
    that step highlighted (``drawing()``). ``widget()`` wraps it in ipywidgets
    (previous/next buttons and a slider); a ``Stepper`` that ends a notebook cell
    shows that widget.

    Creating a Stepper runs the pass once to record its steps but leaves every grad
    as it found it. Keyword options (``params``, ``rankdir``, ``show_local``,
    ``color_by_grad``, ``max_nodes``, ``legend``) are passed to ``draw``.

        s = Stepper(L)
        s.next()
        print(s.caption())            # step 1 of 6: dL/dd += ...
        s.drawing().save("step1.svg")
    """

    def __init__(self, root: Value, **draw_options):
        if "highlight" in draw_options or "grads" in draw_options:
            raise TypeError("Stepper sets highlight= and grads= itself")
        draw(root, **draw_options)  # fail now, not at the first picture, on a bad option
        self.root = root
        self.draw_options = draw_options
        order, self.steps, _ = _replay(root)
        # Grads at the start of the pass: the root's is 1, every other is 0.
        self._start = {v: 0.0 for v in order}
        self._start[root] = 1.0
        self.position = 0

    # -------------------------------------------------- moving
    def __len__(self) -> int:
        """The number of steps (positions run from 0 to this)."""
        return len(self.steps)

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position == len(self.steps)

    def _checked(self, position) -> int:
        if isinstance(position, bool) or not isinstance(position, int):
            raise TypeError(f"position must be an int, not {type(position).__name__}")
        if not 0 <= position <= len(self.steps):
            raise ValueError(f"position must be between 0 and {len(self.steps)}, not {position}")
        return position

    def go(self, position: int) -> int:
        """Move to ``position`` (0 = start, k = after step k); returns it."""
        self.position = self._checked(position)
        return self.position

    def next(self) -> bool:
        """Apply one more step; False (and no move) when already at the end."""
        if self.at_end:
            return False
        self.position += 1
        return True

    def previous(self) -> bool:
        """Go back one step; False (and no move) when already at the start."""
        if self.at_start:
            return False
        self.position -= 1
        return True

    # -------------------------------------------------- what is shown
    def _at(self, position) -> int:
        return self.position if position is None else self._checked(position)

    def step(self, position: int | None = None) -> Step | None:
        """The step applied last at ``position`` (default: the current one); None at 0."""
        k = self._at(position)
        return self.steps[k - 1] if k else None

    def grads(self, position: int | None = None) -> dict[Value, float]:
        """Every node's grad of this pass as it stands after the first ``position`` steps."""
        grads = dict(self._start)
        for step in self.steps[: self._at(position)]:
            grads[step.input] = step.grad
        return grads

    def caption(self, position: int | None = None) -> str:
        """The line shown under the graph: the chain-rule step with its numbers."""
        k = self._at(position)
        n = len(self.steps)
        if k == 0:
            name = self.steps[0].names[0] if self.steps else (self.root.label or "root")
            if not n:
                return f"no steps: {_name(name)} is a leaf, there is nothing to backpropagate"
            start = f"d{_name(name)}/d{_name(name)} = 1"
            return f"start: {start}, every other grad starts at 0 ({n} steps to go)"
        return f"step {k} of {n}: {self.steps[k - 1]}"

    def drawing(self, position: int | None = None):
        """The graph at ``position``: that step highlighted, grads as they stand."""
        k = self._at(position)
        return draw(self.root, highlight=self.step(k), grads=self.grads(k), **self.draw_options)

    def _picture_html(self, position: int | None = None) -> str:
        """The drawing as inline SVG, or the renderer's error message as HTML."""
        try:
            svg = self.drawing(position).pipe(format="svg", encoding="utf-8")
        except (RendererNotFoundError, RenderError) as error:
            return _message_bundle(str(error))["text/html"]
        return svg[svg.find("<svg") :]  # drop the XML prolog: this goes inside HTML

    # -------------------------------------------------- the widget
    def widget(self):
        """An ipywidgets box: previous/next buttons, a slider, the graph, the line.

        Raises ImportError saying how to install ipywidgets when it is missing.
        """
        w = _ipywidgets()
        n = len(self.steps)
        previous = w.Button(description="◀ previous", tooltip="undo the last step")
        following = w.Button(description="next ▶", tooltip="apply the next step")
        slider = w.IntSlider(
            value=self.position,
            min=0,
            max=n,
            description="step",
            disabled=n == 0,
            continuous_update=False,
        )
        picture = w.HTML()
        caption = w.HTML()

        def show(*_):
            picture.value = self._picture_html()
            caption.value = f'<pre style="margin:0">{html.escape(self.caption())}</pre>'
            previous.disabled = self.at_start
            following.disabled = self.at_end

        def on_slider(change):
            self.go(change["new"])
            show()

        def move(by):
            def click(_button):
                slider.value = max(0, min(n, self.position + by))  # on_slider does the rest

            return click

        slider.observe(on_slider, names="value")
        previous.on_click(move(-1))
        following.on_click(move(+1))
        show()
        return w.VBox([w.HBox([previous, slider, following]), picture, caption])

    def _ipython_display_(self):
        from IPython.display import display

        try:
            box = self.widget()
        except ImportError as error:
            display(
                {"text/plain": str(error), "text/html": f"<p>{html.escape(str(error))}</p>"},
                raw=True,
            )
            display(self.steps)
            return
        display(box)

    def __repr__(self) -> str:
        return f"<Stepper at {self.position} of {len(self.steps)} steps>"


# ------------------------------------------------------------------ hand-calculation checker
@dataclass(frozen=True)
class GradientAnswer:
    """One gradient you worked out, graded against chainrule's."""

    name: str  # the Value's name: its label (or n<i> as drawings show it)
    value: Value  # the node
    yours: float  # what you wrote
    expected: float  # ∂root/∂value from one backward pass
    correct: bool
    steps: Steps  # the chain-rule steps that add up ``expected``, in order
    path: tuple[str, ...]  # one route from the root down to this value, by name

    def explain(self) -> str:
        """How the expected value is built, step by step."""
        root = self.path[0]
        if not self.steps:
            return f"d{root}/d{root} = 1 by definition: the pass starts there."
        count = (
            "1 chain-rule step" if len(self.steps) == 1 else f"{len(self.steps)} chain-rule steps"
        )
        lines = [
            f"path from {root}: {' -> '.join(self.path)}",
            f"d{root}/d{self.name} is the sum of {count}:",
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
        return all(a.correct for a in self.answers)

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
        right = len(self.answers) - len(self.wrong)
        score = f"{right} of {len(self.answers)} right"
        return f"gradients of {_name(self.root_name)}: {score} (tolerance {self.tol:g})"

    def __str__(self) -> str:
        width = max((len(_name(a.name)) for a in self.answers), default=0)
        lines = [self._title()]
        for a in self.answers:
            verdict = "right" if a.correct else "WRONG"
            numbers = f"yours {_fmt(a.yours):>10}  expected {_fmt(a.expected):>10}"
            lines.append(f"  {_name(a.name).ljust(width)}  {verdict}  {numbers}")
            if not a.correct:
                lines += ["      " + line for line in _visible(a.explain()).split("\n")]
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
                f'<tr><td style="{cell}"><code>{html.escape(_name(a.name))}</code></td>'
                f'<td style="{cell};white-space:nowrap">{mark}</td>'
                f'<td style="{num}">{_fmt(a.yours)}</td><td style="{num}">{_fmt(a.expected)}</td>'
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
    label (``{"a": -6.0, "b": 4.0}``), by the ``n<i>`` name drawings and step tables
    give an unlabelled one, or pass the Value itself as the key. An answer is right
    when ``|yours - expected| <= tol * max(1, |expected|)``: an absolute tolerance
    for small gradients, a relative one for large (the default 1e-3 accepts answers
    rounded to 3 decimals).

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
    order, steps, expected = _replay(root)
    names = node_names(order)
    by_name: dict[str, list[Value]] = {}
    for v in order:
        by_name.setdefault(names[v], []).append(v)

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
