"""Follow backpropagation one chain-rule step at a time.

``Stepper(root)`` records one backward pass of ``root`` (``steps.replay``: no grad
changes) and then only reads that record: its state is a position from 0 (the start)
to the number of steps, and for any position it gives the grads as they stand
(``grads()``), the chain-rule line (``caption()``) and the graph with that step
highlighted (``drawing()``), all as they were when the Stepper was made: training
the model afterwards does not change its pictures. ``widget()`` puts previous/next
buttons and a slider on it in a notebook (ipywidgets, optional).
"""

from __future__ import annotations

import html

from autograd.drawing import draw_steps
from autograd.render import RendererNotFoundError, RenderError, fit_svg
from autograd.steps import Step, replay
from autograd.text import message_html, one_line
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
    notebook cell shows that widget.

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
