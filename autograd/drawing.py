"""Draw a computation graph as DOT: data, gradients and local derivatives.

``draw(root)`` returns a ``Drawing`` (``render.py``): a ``graphviz.Digraph`` that shows
itself inline in a notebook, has ``.source`` (the DOT text), ``.pipe(format=...)``
(rendered bytes) and ``.save(path)`` (SVG, PNG or DOT by the file's suffix).
``draw_steps(steps, k)`` draws a recorded pass (``backprop_steps``, ``replay``) as it
stood after k steps, with step k highlighted: the stepper's pictures.

What the picture shows:

* one box per Value: its name, ``data`` and ``grad``. The name is the Value's label,
  or ``n₂`` (``n`` and its position) in italics for an unlabelled one: the names the
  step tables print, so a table and a picture can be read side by side;
* one small circle per op (``*``, ``tanh``, ...) between its inputs and its result;
* on each input -> op edge, the local derivative ∂result/∂input (``show_local``);
* the box filled by |grad|, from white (0) to orange (the largest |grad| drawn), with
  a key under the graph that gives that largest value (``color_by_grad``);
* what kind of Value each leaf is: a parameter (thick blue border: the Values passed
  as ``params=``), an input (rounded green border: any other leaf you made) or a
  constant (dashed grey: a plain number that took part in an op, like the 2 in
  ``2*x``). The key says so;
* ``highlight=step`` (a ``Step``) paints that step's edge and the op, its result and
  the input receiving gradient in red.

Labels are user text and are escaped: quotes, ``< > & { } |``, backslashes, newlines
(drawn as line breaks) and any Unicode show exactly as typed; other control
characters show as Python escapes (``\\t``, ``\\x07``).

The graph is walked only through ``topological_order``: no recursion anywhere.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

from autograd.calculus import nudges
from autograd.graph import topological_order
from autograd.render import Drawing, check_dpi
from autograd.steps import Step, Steps, node_names
from autograd.text import number, visible
from autograd.value import Value, is_constant

__all__ = ["draw", "draw_steps", "TooManyNodesError"]

_FONT = "Helvetica"  # one name: Graphviz maps it to a sans-serif font everywhere
_RANKDIRS = ("LR", "RL", "TB", "BT")

# Colours (kept few, and distinguishable by line style too, not by hue alone).
_HIGHLIGHT = "#c62828"  # red: the current step
_PARAM = "#1f5fa8"  # blue, thick border
_INPUT = "#2e7d32"  # green, rounded border
_CONST = "#757575"  # grey, dashed border
_PLAIN = "#333333"  # an op's result
_GRAD_FULL = (0xF4, 0xA2, 0x59)  # fill for the largest |grad|; white for zero


def _html_text(text: str) -> str:
    """User text made safe inside a Graphviz HTML-like label, shown as typed.

    XML-escape it; newlines become ``<BR/>``; and each backslash is doubled, because
    Graphviz reads ``\\\\`` as one backslash and expands ``\\N``, ``\\G``, ... in label
    text (after entities are decoded, so an entity would not protect it).
    """
    lines = visible(text).split("\n")
    return '<BR ALIGN="CENTER"/>'.join(
        html.escape(line, quote=True).replace("\\", "\\\\") for line in lines
    )


def _kind(value: Value, params: set) -> str:
    if value.inputs:
        return "result"
    if is_constant(value):
        return "const"
    if value in params:
        return "param"
    return "input"


def _fill(magnitude: float, largest: float) -> str:
    if math.isnan(magnitude):
        return "#dddddd"
    t = 1.0 if math.isinf(magnitude) else (magnitude / largest if largest > 0 else 0.0)
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(255 + (c - 255) * t) for c in _GRAD_FULL)
    return f"#{r:02x}{g:02x}{b:02x}"


_BORDERS = {  # kind -> (border width, style, colour)
    "param": ("3", "", _PARAM),
    "input": ("1", ' STYLE="rounded"', _INPUT),
    "const": ("1", ' STYLE="dashed"', _CONST),
    "result": ("1", "", _PLAIN),
}


def _value_label(
    name: str,
    labelled: bool,
    data: float,
    grad: float,
    *,
    kind: str,
    fill: str,
    strong: bool,
    nudge: float | None = None,
) -> str:
    border, style, colour = _BORDERS[kind]
    if strong:
        border, colour = "3", _HIGHLIGHT
    shown = _html_text(name)
    if not labelled:
        shown = f"<I>{shown}</I>"
    if kind == "param":
        shown = f"<B>{shown}</B>"
    font = f'<FONT COLOR="{_CONST}">' if kind == "const" else "<FONT>"
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"'
        f' COLOR="{colour}" BGCOLOR="{fill}"{style}>'
        f'<TR><TD ROWSPAN="{2 if nudge is None else 3}">{font}{shown}</FONT></TD>'
        f'<TD ALIGN="LEFT">{font}data {number(data)}</FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT">{font}grad {number(grad)}</FONT></TD></TR>'
        + (
            ""
            if nudge is None
            else f'<TR><TD ALIGN="LEFT">{font}nudge {number(nudge)}</FONT></TD></TR>'
        )
        + "</TABLE>>"
    )


def _params_set(params) -> set:
    if params is None:
        return set()
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()  # an nn.Module
    if not isinstance(params, Iterable):
        raise TypeError(f"params must be a collection of Values, not {type(params).__name__}")
    found = set()
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"params must contain Values only, not {type(p).__name__}")
        found.add(p)
    return found


def _options(*, rankdir, max_nodes, show_local, color_by_grad, params, legend, dpi) -> dict:
    """The drawing options, checked, as ``_drawing`` takes them."""
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, not {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, not {max_nodes!r}")
    if dpi is not None:
        check_dpi(dpi)
    return dict(
        rankdir=rankdir, max_nodes=max_nodes, show_local=show_local,
        color_by_grad=color_by_grad, params=_params_set(params), legend=legend, dpi=dpi,
        nudges=None, h=None,
    )  # fmt: skip


class TooManyNodesError(ValueError):
    """A graph with more Values than ``max_nodes``: ``count`` of them, ``limit`` allowed."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            f"this graph has {count} Values, more than max_nodes={limit}, too many to read "
            "in one picture. Draw part of it (an intermediate Value draws the subgraph "
            f"that computes it), or allow max_nodes={count} or more."
        )


def _check_size(count: int, max_nodes: int) -> None:
    if count > max_nodes:
        raise TooManyNodesError(count, max_nodes)


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    highlight: Step | None = None,
    max_nodes: int = 500,
    show_local: bool = True,
    color_by_grad: bool = True,
    params=None,
    grads: Mapping[Value, float] | None = None,
    legend: bool = True,
    dpi: float | None = None,
    nudge: float | None = None,
) -> Drawing:
    """Draw the graph that computes ``root``: every Value with its name, data and grad.

    Parameters (all keyword-only):

    * ``rankdir``: "LR" (left to right, the default), "TB", "RL" or "BT".
    * ``highlight``: a ``Step`` (from ``backprop_steps(root)``) to mark in red: the
      edge it sends gradient along, the op, its result and the receiving input.
      (``a*a`` draws two edges from ``a``; each of its two steps marks its own.)
    * ``max_nodes``: the largest number of Values drawn (default 500); a bigger graph
      raises ValueError saying how to draw part of it instead.
    * ``show_local``: label each input -> op edge with ∂result/∂input.
    * ``color_by_grad``: fill each box by its |grad|, relative to the largest drawn.
    * ``params``: the Values that are parameters (a list, a set, or a module with
      ``parameters()``); they get a thick blue border. Other leaves are inputs
      (rounded green border) or, when chainrule made them from a plain number,
      constants (dashed grey). Values in ``params`` but not in the graph are ignored.
    * ``grads``: show these grads instead of each Value's ``grad`` (Values missing from
      the mapping show their own).
    * ``legend``: a key under the graph explaining borders, edge labels and fill.
    * ``dpi``: the resolution of PNG renders (default 144; 300 for print).
    * ``nudge``: a small step h, to check every grad by hand: each box also shows
      (L(n + h) - L(n - h)) / 2h, the root recomputed with that Value nudged up and
      down (``calculus.nudges``), which should match its grad after backward.

    Draws only; run ``root.backward()`` first to see gradients. Rendering happens
    when the drawing is displayed, piped or saved (see ``render.find_renderer``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value, not {type(root).__name__}")
    options = _options(
        rankdir=rankdir, max_nodes=max_nodes, show_local=show_local,
        color_by_grad=color_by_grad, params=params, legend=legend, dpi=dpi,
    )  # fmt: skip
    if highlight is not None and not isinstance(highlight, Step):
        raise TypeError(
            f"highlight must be a Step from backprop_steps, not {type(highlight).__name__}"
        )
    order = topological_order(root)
    _check_size(len(order), max_nodes)
    if highlight is not None:
        inputs = highlight.node.inputs
        if highlight.operand >= len(inputs) or inputs[highlight.operand] is not highlight.input:
            raise ValueError("highlight: the step's input is not an input of the step's node")
        if highlight.node not in set(order):
            raise ValueError("highlight: the step does not belong to this graph")
    shown = [v.grad for v in order] if grads is None else [grads.get(v, v.grad) for v in order]
    if nudge is not None:
        found = nudges(root, h=nudge)
        options.update(nudges=[found[v] for v in order], h=float(nudge))
    return _drawing(
        order,
        node_names(order),
        [v.data for v in order],
        shown,
        lambda node, operand: node.local[operand],
        highlight,
        options,
    )


def draw_steps(
    steps: Steps,
    position: int | None = None,
    *,
    rankdir: str = "LR",
    max_nodes: int = 500,
    show_local: bool = True,
    color_by_grad: bool = True,
    params=None,
    legend: bool = True,
    dpi: float | None = None,
) -> Drawing:
    """Draw a recorded pass as it stood after ``position`` steps (default: all).

    The graph shows the data and local derivatives it had when the pass was recorded
    (later changes to the Values do not show), each Value's grad after ``position``
    steps, and step ``position`` highlighted (none at 0). Options as for ``draw``.
    """
    if not isinstance(steps, Steps) or not steps.order:
        raise TypeError("draw_steps needs the Steps of a whole pass (backprop_steps or replay)")
    count = len(steps) if position is None else position
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= len(steps):
        raise ValueError(f"position must be an int from 0 to {len(steps)}, not {position!r}")
    options = _options(
        rankdir=rankdir, max_nodes=max_nodes, show_local=show_local,
        color_by_grad=color_by_grad, params=params, legend=legend, dpi=dpi,
    )  # fmt: skip
    _check_size(len(steps.order), max_nodes)
    local = {(step.node, step.operand): step.local for step in steps}
    grads = steps.grads(count)
    return _drawing(
        steps.order,
        steps.names,
        steps.data,
        [grads[v] for v in steps.order],
        lambda node, operand: local[node, operand],
        steps[count - 1] if count else None,
        options,
    )


def _drawing(order, names, data, grads, local_of, highlight, options: dict) -> Drawing:
    """The DOT picture of ``order`` with these names, data, grads and local derivatives."""
    param_set = options["params"]
    index = {v: i for i, v in enumerate(order)}
    finite = [abs(g) for g in grads if math.isfinite(g)]
    largest = max(finite, default=0.0)
    strong_values = set() if highlight is None else {highlight.node, highlight.input}

    g = Drawing(
        name="chainrule",
        graph_attr={
            "rankdir": options["rankdir"],
            "fontname": _FONT,
            "fontsize": "10",
            "labelloc": "b",
            "nodesep": "0.25",
        },
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": "10", "arrowsize": "0.7"},
        dpi=options["dpi"],
    )
    g.values = len(order)
    kinds_present = set()
    for i, v in enumerate(order):  # values, in topological order
        kind = _kind(v, param_set)
        kinds_present.add(kind)
        fill = _fill(abs(grads[i]), largest) if options["color_by_grad"] else "white"
        label = _value_label(
            names[v], bool(v.label), data[i], grads[i], kind=kind, fill=fill,
            strong=v in strong_values,
            nudge=None if options["nudges"] is None else options["nudges"][i],
        )  # fmt: skip
        g.node(f"v{i}", label=label, shape="plain", **{"class": f"value {kind}"})

    for i, v in enumerate(order):  # ops and edges
        if not v.inputs:
            continue
        op_id = f"op{i}"
        strong = highlight is not None and highlight.node is v
        g.node(
            op_id,
            label=f"<{_html_text(v.op)}>",
            shape="circle",
            style="filled",
            fillcolor="#fde0e0" if strong else "#eeeeee",
            color=_HIGHLIGHT if strong else _PLAIN,
            penwidth="2.5" if strong else "1",
            width="0.3",
            margin="0.02",
            **{"class": "op"},
        )
        for operand, x in enumerate(v.inputs):
            attrs = {}
            if options["show_local"]:
                attrs["label"] = f"<{_html_text(number(float(local_of(v, operand))))}>"
            if strong and highlight.operand == operand:
                attrs.update(color=_HIGHLIGHT, fontcolor=_HIGHLIGHT, penwidth="3")
                attrs["class"] = "highlight"
            g.edge(f"v{index[x]}", op_id, **attrs)
        out_attrs = {"color": _HIGHLIGHT, "penwidth": "3", "class": "highlight"} if strong else {}
        g.edge(op_id, f"v{i}", **out_attrs)

    key = _legend(kinds_present, largest, highlight is not None, options)
    if options["legend"] and key:
        g.attr(label=key)
    return g


def _legend(kinds: set, largest: float, highlighted: bool, options: dict) -> str:
    """The key under the graph: borders, edge labels, the red step, and the fill."""
    parts = []
    if "param" in kinds:
        parts.append("thick blue border: parameter")
    if "input" in kinds:
        parts.append("rounded green border: input")
    if "const" in kinds:
        parts.append("dashed grey border: constant")
    if options["show_local"]:
        parts.append("edge label: local derivative")
    if highlighted:
        parts.append("red: the current step")
    if options["nudges"] is not None:
        parts.append(f"nudge: (L(n + h) − L(n − h)) / 2h with h = {options['h']:g}")
    cells = [f"<TD>{_html_text('   ·   '.join(parts))}</TD>"] if parts else []
    if options["color_by_grad"]:
        # Five swatches from white to the fill of the largest |grad|, which is named:
        # the fill is relative, so without the number the colours say nothing.
        cells.append(f"<TD>{'   ·   ' if parts else ''}fill |grad|:  0 </TD>")
        swatch = '<TD BGCOLOR="{}" BORDER="1" WIDTH="12" HEIGHT="10" FIXEDSIZE="TRUE"></TD>'
        cells += [swatch.format(_fill(t, 1.0)) for t in (0.0, 0.25, 0.5, 0.75, 1.0)]
        cells.append(f"<TD> {_html_text(number(largest))}</TD>")
    if not cells:
        return ""
    body = "".join(cells)
    return f'<<TABLE BORDER="0" CELLSPACING="1" CELLPADDING="1"><TR>{body}</TR></TABLE>>'
