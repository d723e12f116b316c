"""Follow backpropagation one chain-rule step at a time: in a notebook, on a web page,
or as a quiz.

``Stepper(root)`` records one backward pass of ``root`` (``steps.replay``: no grad
changes) and then only reads that record: its state is a position from 0 (the start)
to the number of steps, and for any position it gives the grads as they stand
(``grads()``), the chain-rule line (``caption()``) and the graph with that step
highlighted (``drawing()``), all as they were when the Stepper was made: training
the model afterwards does not change its pictures.

Three ways to show it:

* ``widget()``: previous/next buttons and a slider in a notebook (ipywidgets,
  optional);
* ``quiz_widget()``: the quiz of ``grading.Quiz`` in a notebook: the graph as it
  stands, the next step to work out, an answer box, the diagnosis of a wrong answer;
* ``save_html(path)``: ONE self-contained HTML file (every picture inline as SVG,
  its script and style inline, no request, not even a link) to put on a course page
  or open on a slide: Previous/Next buttons, the arrow keys, a slider, the graph with
  the step highlighted and kept in view, the chain-rule line, the step table, and a
  quiz mode that checks answers in the page itself, with the same diagnoses as
  ``grading.Quiz``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from autograd import grading
from autograd.drawing import draw_steps
from autograd.render import RendererNotFoundError, RenderError, fit_svg
from autograd.steps import Step, forward_table, replay, steps_html
from autograd.text import message_html, number, one_line
from autograd.value import Value

__all__ = ["Stepper"]

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

    The stepper is state only: a ``position`` from 0 (the start: the root's grad is
    1, every other grad 0) to ``len(steps)`` (after the last step), moved by
    ``next()``, ``previous()`` and ``go(position)``. For any position it gives the
    grads as they stand (``grads()``), the chain-rule line (``caption()``) and the
    graph with that step highlighted (``drawing()``). ``widget()`` wraps it in
    ipywidgets (previous/next buttons and a slider); a ``Stepper`` that ends a
    notebook cell shows that widget. ``quiz_widget()`` asks the pass as a quiz, and
    ``save_html(path)`` writes it as one self-contained web page.

    Creating a Stepper records the pass once and leaves every grad as it found it;
    everything it shows is the graph as it was then. Keyword options (``params``,
    ``rankdir``, ``show_local``, ``color_by_grad``, ``max_nodes``, ``legend``,
    ``dpi``) are passed to the drawing.

        s = Stepper(L)
        s.next()
        print(s.caption())            # step 1 of 6: d.grad += ∂L/∂d × L.grad = ...
        s.drawing().save("step1.svg")
    """

    def __init__(self, root: Value, **draw_options):
        if "highlight" in draw_options or "grads" in draw_options:
            raise TypeError("Stepper sets highlight= and grads= itself")
        if not isinstance(root, Value):
            raise TypeError(f"Stepper needs a Value, not {type(root).__name__}")
        self.root = root
        self.steps = replay(root)
        self.draw_options = draw_options
        draw_steps(self.steps, 0, **draw_options)  # a bad option fails now, not later
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
        return self.steps.grads(self._at(position))

    def caption(self, position: int | None = None) -> str:
        """The line shown under the graph: the chain-rule step with its numbers."""
        k = self._at(position)
        n = len(self.steps)
        if k == 0:
            name = one_line(self.steps.names[self.root])
            if not n:
                return f"no steps: {name} is a leaf, there is nothing to backpropagate"
            start = f"{name}.grad = ∂{name}/∂{name} = 1"
            return f"start: {start}, every other grad starts at 0 ({n} steps to go)"
        return f"step {k} of {n}: {self.steps[k - 1]}"

    def drawing(self, position: int | None = None):
        """The graph at ``position``: that step highlighted, grads as they stand."""
        return draw_steps(self.steps, self._at(position), **self.draw_options)

    def _picture_html(self, position: int | None = None) -> str:
        """The drawing as inline SVG that fits its box, or the renderer's error."""
        try:
            svg = self.drawing(position).pipe(format="svg", encoding="utf-8")
        except (RendererNotFoundError, RenderError) as error:
            return message_html("chainrule could not render this graph.", str(error))
        return fit_svg(svg)

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

    # -------------------------------------------------- the quiz in a notebook
    def quiz_widget(self, *, ask_local: bool = False, tol: float = 1e-3):
        """An ipywidgets box that asks the backward pass as a quiz (``grading.Quiz``).

        It shows the graph as it stands before the step asked (its local derivatives
        hidden: working them out is the exercise), the step (``x.grad += ∂n/∂x ×
        n.grad``), an answer box and a Check button (or Enter). Each answer is graded
        and, when wrong, diagnosed; then the step is applied and the next one asked.
        ``ask_local=True`` asks each local derivative first. An empty box is not
        graded (type anything to skip a step). The stepper's position follows the
        quiz. Raises ImportError saying how to install ipywidgets.
        """
        w = _ipywidgets()
        quiz = grading.Quiz(self.steps, ask_local=ask_local, tol=tol)
        self.go(0)
        picture = w.HTML()
        heading = w.HTML()
        answer = w.Text(placeholder="a number, like -1.5 or 1/4", continuous_update=False)
        check = w.Button(description="Check", tooltip="grade this answer")
        feedback = w.HTML()
        score = w.HTML()
        options = {**self.draw_options, "show_local": False}

        def show():
            try:
                svg = draw_steps(self.steps, self.position, **options).pipe(
                    format="svg", encoding="utf-8"
                )
                picture.value = fit_svg(svg)
            except (RendererNotFoundError, RenderError) as error:
                picture.value = message_html("chainrule could not render this graph.", str(error))
            question = quiz.question
            if question is None:
                heading.value = "<b>every step answered</b>"
                answer.disabled = check.disabled = True
                answer.description = ""
            else:
                heading.value = f"<b>{html.escape(question.heading)}</b>"
                answer.description = question.prompt.strip()
            score.value = html.escape(quiz.score_line())

        def grade(*_):
            if quiz.done or not answer.value.strip():
                return  # an empty box is no answer yet (clearing it lands here too)
            given = quiz.answer(answer.value)
            if given.question.part == "contribution":
                self.go(given.question.number)  # the step is applied: show it
            colour = "#1b5e20" if given.correct else "#b71c1c"
            feedback.value = (
                f'<pre style="white-space:pre-wrap;margin:0;color:{colour}">'
                f"{html.escape(str(given))}</pre>"
            )
            answer.value = ""  # empty: grade() ignores this change
            show()

        check.on_click(grade)
        answer.observe(grade, names="value")  # Enter sends the value (continuous_update=False)
        answer.style.description_width = "initial"
        show()
        return w.VBox([picture, heading, w.HBox([answer, check]), feedback, score])

    # -------------------------------------------------- the page
    def html(self, *, title: str | None = None) -> str:
        """The stepper as one self-contained HTML page (see ``save_html``)."""
        return _page(self, title)

    def save_html(self, path, *, title: str | None = None) -> Path:
        """Write the stepper as ONE self-contained HTML file and return its path.

        The page needs neither Python nor a network: every state of the graph is
        inline SVG, the script and style are inline, and it refers to no other file
        or host. It has Previous and Next buttons, the ArrowLeft/ArrowRight keys and a
        slider; the graph with the current step's edge highlighted and scrolled into
        view; the step's chain-rule line as text; the table of every step; and a quiz
        mode that asks each step's contribution and checks it in the page, with the
        diagnoses of ``grading.Quiz``. ``title`` heads the page (default: what is
        backpropagated). Rendering needs a dot renderer, as ``drawing()`` does
        (``RendererNotFoundError`` otherwise); missing folders are created.
        """
        path = Path(path)
        text = self.html(title=title)  # render first: a failure writes nothing
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def _ipython_display_(self):
        # IPython is there whenever this is called: a notebook is displaying the stepper.
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
        # The live widget, and beside it the current picture and line as plain data:
        # what a saved notebook shows where no kernel runs the widget (a code host).
        data, metadata = box._repr_mimebundle_(), {}
        picture = self.drawing()._repr_mimebundle_()
        if isinstance(picture, tuple):  # rendered (else the renderer's message: no picture)
            picture, metadata = picture
            data.update({k: v for k, v in picture.items() if k.startswith("image/")})
        data["text/plain"] = self.caption()
        display(data, metadata=metadata, raw=True)

    def __repr__(self) -> str:
        return f"<Stepper at {self.position} of {len(self.steps)} steps>"


# ------------------------------------------------------------------ the page
def _state_svg(stepper: Stepper, position: int) -> str:
    """The graph at ``position`` as inline SVG, its ids made unique on the page."""
    svg = fit_svg(stepper.drawing(position).pipe(format="svg", encoding="utf-8"))
    return re.sub(r'\bid="', f'id="s{position}-', svg)


def _page_data(stepper: Stepper) -> dict:
    """What the page's script needs: each position's line, and the quiz of each step
    (the right answer and the catalogue's wrong ones, with their diagnoses), as
    ``grading.Quiz`` asks it. Floats travel as text (``repr``): JSON has no inf."""
    quiz = grading.Quiz(stepper.steps)
    return {
        "count": len(stepper.steps),
        "captions": [stepper.caption(k) for k in range(len(stepper.steps) + 1)],
        "tolerance": quiz.tol,
        "rounding": grading.ROUNDING,
        "pattern": grading.NUMBER_PATTERN,
        "maxLength": grading.MAX_ANSWER,
        "shown": grading.SHOWN,
        "unreadable": grading.UNREADABLE,
        "noDiagnosis": grading.NO_DIAGNOSIS,
        "questions": [
            {
                "heading": q.heading,
                "prompt": q.prompt,
                "expected": repr(q.expected),
                "expectedText": number(q.expected),
                "rightLine": q.right_line,
                "mistakes": [
                    {"kind": m.kind, "word": m.word, "value": repr(m.value), "message": m.message}
                    for m in q.mistakes
                ],
            }
            for q in quiz.questions
        ],
    }


def _script_json(data) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(stepper: Stepper, title: str | None) -> str:
    steps = stepper.steps
    count = len(steps)
    root = one_line(steps.names[stepper.root])
    title = f"Backpropagation of {root}, one chain-rule step at a time" if title is None else title
    states = "\n".join(
        f'<div class="state" data-position="{k}" role="img" '
        f'aria-label="the graph after step {k} of {count}"{"" if k == 0 else " hidden"}>'
        f"{_state_svg(stepper, k)}</div>"
        for k in range(count + 1)
    )
    return _PAGE.format(
        title=html.escape(title),
        count=count,
        next_disabled="" if count else " disabled",
        caption=html.escape(stepper.caption(0)),
        forward=html.escape(forward_table(steps.order, steps.names)),
        states=states,
        table=steps_html(steps),
        style=_STYLE,
        data=_script_json(_page_data(stepper)),
        script=_SCRIPT,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="intro">Each step of the backward pass adds one contribution, the local
derivative times the upstream gradient, to the gradient of one input:
<code>x.grad += ∂n/∂x × n.grad</code>. Step with Previous and Next, the arrow keys or
the slider. In quiz mode you work out each step's contribution yourself.</p>
<noscript><p>This page needs JavaScript to step through the pass; the table below
lists every step.</p></noscript>
<div class="controls">
<button type="button" id="previous" disabled><span aria-hidden="true">◀ </span>Previous</button>
<input type="range" id="slider" min="0" max="{count}" value="0" step="1"
 aria-label="Step" aria-valuetext="start">
<button type="button" id="next"{next_disabled}>Next<span aria-hidden="true"> ▶</span></button>
<span id="position" class="position">0 of {count}</span>
<button type="button" id="quiz-mode" aria-pressed="false">Quiz mode</button>
<button type="button" id="zoom" aria-pressed="false">Actual size</button>
</div>
<p id="line" class="line" aria-live="polite">{caption}</p>
<section id="quiz" class="quiz" aria-label="Quiz" hidden>
<p id="question" class="question"></p>
<form id="quiz-form" autocomplete="off">
<label for="answer" id="prompt"></label>
<input type="text" id="answer" inputmode="decimal" spellcheck="false"
 placeholder="a number, like -1.5 or 1/4">
<button type="submit" id="check">Check</button>
</form>
<pre id="feedback" class="feedback" aria-live="polite"></pre>
<p id="score" class="score">score: 0/0</p>
</section>
<div id="graph" class="graph" tabindex="0" role="region" aria-label="The computation graph">
{states}
</div>
<h2>Forward pass</h2>
<pre class="forward">{forward}</pre>
<h2>Every step</h2>
<div id="table" class="table">{table}</div>
</main>
<script type="application/json" id="chainrule-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
:root { color: #1a1a1a; background: #ffffff; font-family: system-ui, sans-serif; }
body { margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.35rem; margin: 0.5rem 0; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
.intro { max-width: 48rem; line-height: 1.45; }
code, pre, .line, .question { font-family: ui-monospace, Menlo, Consolas, monospace; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
button { font: inherit; color: #163d70; background: #ffffff; border: 2px solid #163d70;
  border-radius: 6px; padding: 0.3rem 0.8rem; cursor: pointer; }
button:hover:not(:disabled) { background: #e6eef8; }
button[aria-pressed="true"] { color: #ffffff; background: #163d70; }
button[aria-pressed="true"]:hover:not(:disabled) { background: #0f2c52; }
button:disabled { color: #595959; border-color: #8a8a8a; cursor: default; }
input[type=range] { width: min(16rem, 50vw); accent-color: #163d70; }
:focus-visible { outline: 3px solid #b35900; outline-offset: 2px; }
.position { min-width: 6rem; }
.line { background: #f4f4f4; border-left: 4px solid #c62828; padding: 0.5rem 0.75rem;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.graph { border: 1px solid #8a8a8a; border-radius: 6px; max-height: 70vh; overflow: auto;
  padding: 0.25rem; }
.graph svg { display: block; }
.graph.actual svg { max-width: none !important; }
body.quizzing .graph g.edge text { visibility: hidden; }
.quiz { border: 2px solid #163d70; border-radius: 6px; padding: 0.5rem 0.75rem;
  margin: 0.5rem 0; }
.question { font-weight: bold; margin: 0.25rem 0 0.5rem; }
#answer { font: inherit; padding: 0.3rem; border: 2px solid #595959; border-radius: 4px;
  width: 16rem; }
.feedback { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.5rem 0;
  padding: 0; }
.feedback.right { color: #1b5e20; background: #e8f5e9; padding: 0.5rem; }
.feedback.wrong { color: #8e1111; background: #fdecea; padding: 0.5rem; }
.table { overflow-x: auto; }
.table tr.current td { background: #fff1b8; }
.table tr.done td { color: #1a1a1a; }
body.quizzing .table tr.ahead { display: none; }
"""

# The page's behaviour. It grades an answer exactly as grading.Quiz does, from the
# data Python wrote into the page: the same number pattern, tolerance and messages,
# and for each step the right value and the catalogue's wrong ones.
_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chainrule-data").textContent);
  const $ = (id) => document.getElementById(id);
  const states = Array.from(document.querySelectorAll("#graph .state"));
  const rows = Array.from(document.querySelectorAll("#table tbody tr"));
  const previous = $("previous"), next = $("next"), slider = $("slider");
  const graph = $("graph"), line = $("line"), position = $("position");
  const quizButton = $("quiz-mode"), zoom = $("zoom"), quiz = $("quiz");
  const answer = $("answer"), feedback = $("feedback"), score = $("score");
  const number = new RegExp("^(?:" + data.pattern + ")$");
  let at = 0, right = 0, asked = 0;

  function float(text) {
    if (text === "inf") return Infinity;
    if (text === "-inf") return -Infinity;
    return Number(text);
  }

  function close(yours, target, tol) {
    if (!Number.isFinite(target)) return yours === target;
    return Math.abs(yours - target) <= tol * Math.max(1, Math.abs(target));
  }

  function shown(text) {
    const t = text.trim();
    return t.length <= data.shown ? t : t.slice(0, data.shown - 3) + "...";
  }

  // read_answer: a number, or {reason} saying why there is none
  function read(text) {
    const t = text.normalize("NFKC").replace(/\u2212/g, "-").trim();
    if (!t) return { reason: "empty" };
    if (t.length > data.maxLength) return { reason: "long" };
    if (/^[+-]?(?:inf|infinity)$/i.test(t)) return { value: t[0] === "-" ? -Infinity : Infinity };
    if (/^[+-]?nan$/i.test(t)) return { reason: "nan" };
    const slash = t.indexOf("/");
    if (slash >= 0) {
      const top = t.slice(0, slash).trim(), bottom = t.slice(slash + 1).trim();
      if (!number.test(top) || !number.test(bottom)) return { reason: "other" };
      if (Number(bottom) === 0) return { reason: "zero" };
      const value = Number(top) / Number(bottom);
      return Number.isNaN(value) ? { reason: "other" } : { value: value };
    }
    if (number.test(t)) return { value: Number(t) };
    if (t.includes(",") && number.test(t.replace(/,/g, "."))) return { reason: "comma" };
    return { reason: "other" };
  }

  // Question.grade and str(Feedback)
  function grade(q, text) {
    const got = read(text);
    if (got.reason) {
      const problem = data.unreadable[got.reason].replace("{text}", "'" + shown(text) + "'");
      return { right: false, text: "wrong: " + problem + "\n" + q.rightLine };
    }
    const expected = float(q.expected);
    if (close(got.value, expected, data.tolerance)) {
      return { right: true, text: "right: " + q.rightLine };
    }
    const head = "wrong: " + q.prompt + q.expectedText + ", not " + shown(text);
    for (const m of q.mistakes) {
      const tol = data.tolerance * (m.kind === "rounding" ? data.rounding : 1);
      if (close(got.value, float(m.value), tol)) {
        return { right: false, text: head + "\n" + m.message, kind: m.kind };
      }
    }
    return { right: false, text: head + "\n" + data.noDiagnosis + "\n" + q.rightLine };
  }

  function quizzing() { return quizButton.getAttribute("aria-pressed") === "true"; }

  function keepInView() {
    const state = states[at];
    const edge = state.querySelector("g.edge.highlight");
    if (!edge) return;
    const box = graph.getBoundingClientRect(), r = edge.getBoundingClientRect();
    const margin = 24;
    if (r.top < box.top + margin) graph.scrollTop -= box.top + margin - r.top;
    else if (r.bottom > box.bottom - margin) graph.scrollTop += r.bottom - box.bottom + margin;
    if (r.left < box.left + margin) graph.scrollLeft -= box.left + margin - r.left;
    else if (r.right > box.right - margin) graph.scrollLeft += r.right - box.right + margin;
  }

  function showQuestion() {
    if (at >= data.count) {
      $("question").textContent = data.count ? "Every step is done." : "There is no step.";
      $("prompt").textContent = "";
      answer.disabled = $("check").disabled = true;
      return;
    }
    const q = data.questions[at];
    $("question").textContent = q.heading;
    $("prompt").textContent = q.prompt;
    answer.disabled = $("check").disabled = false;
  }

  function show(k) {
    at = Math.max(0, Math.min(data.count, k));
    states.forEach((s, i) => { s.hidden = i !== at; });
    rows.forEach((row, i) => {
      row.classList.toggle("current", i === at - 1);
      row.classList.toggle("ahead", i >= at);
      if (i === at - 1) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
    });
    line.textContent = data.captions[at];
    slider.value = String(at);
    slider.setAttribute("aria-valuetext", at ? "step " + at + " of " + data.count : "start");
    position.textContent = at + " of " + data.count;
    previous.disabled = at === 0;
    next.disabled = at === data.count;
    if (quizzing()) showQuestion();
    keepInView();
  }

  previous.addEventListener("click", () => show(at - 1));
  next.addEventListener("click", () => show(at + 1));
  slider.addEventListener("input", () => show(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowLeft") { show(at - 1); event.preventDefault(); }
    else if (event.key === "ArrowRight") { show(at + 1); event.preventDefault(); }
  });
  quizButton.addEventListener("click", () => {
    const on = !quizzing();
    quizButton.setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("quizzing", on);
    quiz.hidden = !on;
    show(at);
    if (on && !answer.disabled) answer.focus();
  });
  zoom.addEventListener("click", () => {
    const on = zoom.getAttribute("aria-pressed") !== "true";
    zoom.setAttribute("aria-pressed", String(on));
    graph.classList.toggle("actual", on);
    keepInView();
  });
  $("quiz-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (at >= data.count) return;
    const result = grade(data.questions[at], answer.value);
    asked += 1;
    if (result.right) right += 1;
    feedback.textContent = result.text;
    feedback.className = "feedback " + (result.right ? "right" : "wrong");
    score.textContent = "score: " + right + "/" + asked;
    answer.value = "";
    show(at + 1);
    if (!answer.disabled) answer.focus();
  });
  window.chainrule = { grade: (k, text) => grade(data.questions[k], text), show: show };
  show(0);
})();
"""
