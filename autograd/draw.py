"""Draw a computation graph with Graphviz: data, gradients and local derivatives.

``draw(root)`` returns a ``Drawing``, a ``graphviz.Digraph`` that shows itself inline
in a notebook, has ``.source`` (the DOT text), ``.pipe(format=...)`` (rendered bytes)
and ``.save(path)`` (SVG, PNG or DOT by the file's suffix).

What the picture shows:

* one box per Value: its name, ``data`` and ``grad`` (4 decimals). The name is the
  Value's label, or ``n<i>`` in italics for an unlabelled one: the same names that
  ``backprop_steps`` prints, so the table and the picture can be read side by side;
* one small circle per op (``*``, ``tanh``, ...) between its inputs and its result;
* on each input -> op edge, the local derivative ∂result/∂input (``show_local``);
* the box filled by |grad| relative to the largest |grad| drawn (``color_by_grad``);
* what kind of Value each leaf is: a parameter (thick blue border: the Values passed
  as ``params=``), an input (rounded green border: any other leaf you made) or a
  constant (dashed grey: a plain number that took part in an op, like the 2 in
  ``2*x``). A caption under the graph says so;
* ``highlight=step`` (a ``Step`` from ``backprop_steps``) paints that step's edge and
  the op, its result and the input receiving gradient in red.

Labels are user text and are escaped: quotes, ``< > & { } |``, backslashes, newlines
(drawn as line breaks) and any Unicode show exactly as typed; other control
characters show as Python escapes (``\\t``, ``\\x07``).

Rendering needs a ``dot``-compatible executable, looked up each time a drawing is
rendered (never at import): the ``CHAINRULE_DOT`` environment variable, then ``dot``
on PATH, then the ``graphviz-pure`` executable from the graphviz-pure wheel (on PATH,
or in the running interpreter's scripts folder, because notebook kernels often run
without their virtual environment on PATH). If none is found, rendering raises
``RendererNotFoundError`` naming the fixes; in a notebook the cell shows that message.

The graph is walked only through ``topological_order``: no recursion anywhere.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import graphviz

from autograd.graph import Step, node_names, topological_order
from autograd.value import Value, is_constant

__all__ = ["draw", "Drawing", "RendererNotFoundError", "RenderError", "find_renderer"]

DOT_ENV = "CHAINRULE_DOT"

_FONT = "Helvetica"  # one name: Graphviz maps it to a sans-serif font everywhere
_RANKDIRS = ("LR", "RL", "TB", "BT")

# Colours (kept few, and distinguishable by line style too, not by hue alone).
_HIGHLIGHT = "#d62728"  # red: the current step
_PARAM = "#1f5fa8"  # blue, thick border
_INPUT = "#2e8b3e"  # green, rounded border
_CONST = "#8c8c8c"  # grey, dashed border
_PLAIN = "#333333"  # an op's result
_GRAD_FULL = (0xF4, 0xA2, 0x59)  # fill for the largest |grad|; white for zero


# ------------------------------------------------------------------ errors
class RendererNotFoundError(RuntimeError):
    """No Graphviz-compatible executable was found to render a drawing."""


class RenderError(RuntimeError):
    """The renderer ran but failed; the message carries what it printed."""


_FIXES = (
    "To render graphs, do one of:\n"
    "  * pip install graphviz-pure   (a dot executable as a wheel, no system install)\n"
    "  * install Graphviz so that `dot` is on PATH (https://graphviz.org/download/)\n"
    f"  * set {DOT_ENV} to the path of a dot-compatible executable\n"
    "The DOT text is available without a renderer: drawing.source, or save('graph.dot')."
)


# ------------------------------------------------------------------ renderer discovery
def _interpreter_dirs() -> list[Path]:
    """Folders beside the running interpreter where pip puts console scripts.

    A notebook kernel often runs a virtual environment's Python without that
    environment's ``bin`` (``Scripts`` on Windows) on PATH, so graphviz-pure's
    executable is looked for here too. (Tests replace this function.)
    """
    dirs = [Path(sys.executable).parent]
    for scheme in (None, f"{os.name}_user"):
        try:
            path = (
                sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
            )
        except KeyError:  # no such scheme on this platform
            continue
        if path:
            dirs.append(Path(path))
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_renderer() -> Path:
    """The executable that renders DOT, found in this order:

    1. the ``CHAINRULE_DOT`` environment variable (a path to a dot-compatible
       executable, or a command name on PATH; when it is set but names nothing
       runnable, that is an error, not a fallback);
    2. ``dot`` on PATH (a system Graphviz);
    3. ``graphviz-pure`` on PATH, then in the running interpreter's scripts folder.

    Raises ``RendererNotFoundError`` naming the fixes when there is none.
    """
    configured = os.environ.get(DOT_ENV)
    if configured:
        path = Path(configured).expanduser()
        if _is_executable(path):
            return path
        found = shutil.which(configured)  # a command name such as "dot" is fine too
        if found:
            return Path(found)
        raise RendererNotFoundError(
            f"{DOT_ENV} is set to {configured!r}, which is not an executable file.\n"
            f"Point {DOT_ENV} at a dot-compatible executable, or unset it to use "
            "`dot` on PATH or graphviz-pure."
        )
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name)
        if found:
            return Path(found)
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in _interpreter_dirs():
        candidate = folder / exe
        if _is_executable(candidate):
            return candidate
    raise RendererNotFoundError(
        "No Graphviz renderer found: `dot` and `graphviz-pure` are not on PATH, "
        f"graphviz-pure is not beside the Python interpreter, and {DOT_ENV} is not set.\n" + _FIXES
    )


def _run_renderer(args: list[str], source: bytes, *, quiet: bool = False) -> bytes:
    exe = find_renderer()
    cmd = [os.fspath(exe), *args]
    try:
        proc = subprocess.run(cmd, input=source, capture_output=True, check=False)
    except OSError as error:
        raise RenderError(f"could not run the renderer {exe}: {error}") from error
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"the renderer {exe} failed (exit status {proc.returncode}):\n{stderr}")
    if proc.stderr and not quiet:
        # Warnings (e.g. font metrics); graphviz's own pipe passes them on the same way.
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


# ------------------------------------------------------------------ the drawing
_SAVE_FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with the executable ``find_renderer`` finds.

    The graphviz package runs ``dot`` by name; this subclass overrides ``pipe`` and
    ``render`` (and through ``pipe``, the notebook display) to run whatever
    ``find_renderer`` finds instead, on the DOT source, with ``-T<format>``.
    Everything else (``.source``, ``.node``, ``.edge``, ``.attr``, ...) is graphviz's.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)

    values = 0  # how many Values the drawing shows (set by draw)

    def __repr__(self) -> str:
        # Stable text (no memory address): it is the plain-text fallback that a
        # saved notebook keeps beside the SVG.
        return (
            f"<Drawing of {self.values} Values: .source is the DOT text, .save(path) writes a file>"
        )

    def _command_args(self, format, renderer, formatter, neato_no_op, engine) -> list[str]:
        spec = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        args = [f"-K{engine or self.engine}", f"-T{spec}"]
        if neato_no_op:
            args.append(f"-n{int(neato_no_op)}")
        return args

    def pipe(
        self,
        format=None,
        renderer=None,
        formatter=None,
        neato_no_op=None,
        quiet=True,
        *,
        engine=None,
        encoding=None,
    ):
        """The rendered graph as bytes (as ``str`` when ``encoding`` is given).

        ``format`` defaults to ``"svg"``. The renderer's warnings (about font
        metrics, for a generated graph) are dropped unless ``quiet=False``.
        Raises ``RendererNotFoundError`` when no renderer is found and
        ``RenderError`` when it fails.
        """
        args = self._command_args(format, renderer, formatter, neato_no_op, engine)
        out = _run_renderer(args, self.source.encode(self.encoding), quiet=quiet)
        return out.decode(encoding) if encoding is not None else out

    def render(
        self,
        filename=None,
        directory=None,
        view=False,
        cleanup=False,
        format=None,
        renderer=None,
        formatter=None,
        neato_no_op=None,
        quiet=True,
        quiet_view=False,
        *,
        outfile=None,
        engine=None,
        raise_if_result_exists=False,
        overwrite_source=False,
    ) -> str:
        """Save the DOT source and render it to a file, as ``graphviz``'s ``render``:
        the output is ``outfile`` if given (its suffix gives the format), else the
        source path plus ``.<format>``. Returns the output path. Prefer ``save(path)``.
        """
        if outfile is not None:
            outfile = Path(outfile)
            if format is None:
                format = _SAVE_FORMATS.get(outfile.suffix.lower()) or outfile.suffix[1:].lower()
                if not format:
                    raise ValueError(f"cannot tell the format of {outfile}: give format=")
            if directory is None:
                outfile = Path(self.directory, outfile)
            if filename is None:
                filename = outfile.with_suffix(".gv").name
        if filename is not None:
            self.filename = os.fspath(filename)
        if directory is not None:
            self.directory = os.fspath(directory)
        source_path = Path(self.filepath)
        format = format or self.format
        if outfile is None:
            suffix = ".".join(p for p in (formatter, renderer, format) if p)
            outfile = source_path.with_name(f"{source_path.name}.{suffix}")
        if raise_if_result_exists and outfile.exists():
            raise FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        if outfile.resolve() == source_path.resolve() and not overwrite_source:
            raise ValueError(
                f"outfile {outfile} would overwrite the DOT source (pass overwrite_source=True)"
            )
        source_path.parent.mkdir(parents=True, exist_ok=True)
        source_path.write_text(self.source, encoding=self.encoding)
        data = self.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine)
        outfile.parent.mkdir(parents=True, exist_ok=True)
        outfile.write_bytes(data)
        if cleanup:
            source_path.unlink()
        if view or quiet_view:
            self._view(outfile, format=format, quiet=quiet_view)
        return os.fspath(outfile)

    def save(self, path=None, directory=None, *, skip_existing=False) -> Path:
        """Write the drawing to ``path``; the suffix picks the format: ``.svg``,
        ``.png``, or ``.dot``/``.gv`` (the DOT source, which needs no renderer).

        Creates missing parent folders and returns the ``Path`` written. An unknown
        suffix raises ValueError. (With no ``path``, it saves the DOT source to
        ``self.filepath``, as ``graphviz``'s ``save`` does.)
        """
        if path is None:
            return Path(super().save(directory=directory, skip_existing=skip_existing))
        path = Path(directory, path) if directory is not None else Path(path)
        fmt = _SAVE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(_SAVE_FORMATS)
            raise ValueError(
                f"cannot save a drawing as {path.name!r}: use a file name ending in {known}"
            )
        if skip_existing and path.exists():
            return path
        data = self.source.encode(self.encoding) if fmt == "dot" else self.pipe(format=fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        # A notebook cell must show why there is no picture, never a traceback.
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (RendererNotFoundError, RenderError) as error:
            return _message_bundle(str(error))


def _message_bundle(message: str) -> dict[str, str]:
    note = (
        '<div style="border:1px solid #d62728;border-radius:4px;padding:6px 10px;'
        'font-family:sans-serif;font-size:13px;max-width:48em">'
        "<b>chainrule could not render this graph.</b>"
        f'<pre style="white-space:pre-wrap;margin:6px 0 0 0">{html.escape(message)}</pre></div>'
    )
    return {"text/plain": message, "text/html": note}


# ------------------------------------------------------------------ text
def _fmt(x: float) -> str:
    """A number as drawings and tables show it: 4 decimals, exponent when tiny or huge."""
    if math.isnan(x) or math.isinf(x):
        return repr(x)
    if x == 0.0:
        return "0.0000"  # -0.0 too: a sign on zero only puzzles a reader
    if 1e-3 <= abs(x) < 1e7:
        return f"{x:.4f}"
    return f"{x:.4e}"


def _visible(text: str) -> str:
    """``text`` with control characters (except newlines) spelled as Python escapes."""
    text = text.replace("\r\n", "\n")
    out = []
    for ch in text:
        if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"):
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def _html_text(text: str) -> str:
    """User text made safe inside a Graphviz HTML-like label, shown as typed.

    XML-escape it; newlines become ``<BR/>``; and each backslash is doubled, because
    Graphviz reads ``\\\\`` as one backslash and expands ``\\N``, ``\\G``, ... in label
    text (after entities are decoded, so an entity would not protect it).
    """
    lines = _visible(text).split("\n")
    return '<BR ALIGN="CENTER"/>'.join(
        html.escape(line, quote=True).replace("\\", "\\\\") for line in lines
    )


# ------------------------------------------------------------------ building the graph
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


def _value_label(
    name: str, labelled: bool, data: float, grad: float, *, kind: str, fill: str, strong: bool
) -> str:
    border, style, colour = {
        "param": ("3", "", _PARAM),
        "input": ("1", ' STYLE="rounded"', _INPUT),
        "const": ("1", ' STYLE="dashed"', _CONST),
        "result": ("1", "", _PLAIN),
    }[kind]
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
        f' COLOR="{colour}" BGCOLOR="{fill}"{style}><TR>'
        f"<TD>{font}{shown}</FONT></TD>"
        f"<TD>{font}data {_fmt(data)}</FONT></TD>"
        f"<TD>{font}grad {_fmt(grad)}</FONT></TD>"
        "</TR></TABLE>>"
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


def _highlighted_edge(step: Step) -> int:
    """The operand position of ``step``'s edge (``a*a`` has two edges from ``a``)."""
    inputs = step.node.inputs
    if step.operand < len(inputs) and inputs[step.operand] is step.input:
        return step.operand
    raise ValueError("highlight: the step's input is not an input of the step's node")


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
      the mapping show their own); the stepper uses this to show grads mid-pass.
    * ``legend``: a caption under the graph explaining borders and fill.

    Draws only; run ``root.backward()`` first to see gradients. Rendering happens
    when the drawing is displayed, piped or saved (see ``find_renderer``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value, not {type(root).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, not {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, not {max_nodes!r}")
    if highlight is not None and not isinstance(highlight, Step):
        raise TypeError(
            f"highlight must be a Step from backprop_steps, not {type(highlight).__name__}"
        )

    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} Values, more than max_nodes={max_nodes}, too many "
            "to read in one picture. Draw part of it: pass an intermediate Value, e.g. "
            "draw(one_neuron_output), to see the subgraph that computes it; or, to draw "
            f"everything anyway, pass max_nodes={len(order)} or more."
        )
    index = {v: i for i, v in enumerate(order)}
    if highlight is not None and (highlight.node not in index or highlight.input not in index):
        raise ValueError("highlight: the step does not belong to this graph")

    param_set = _params_set(params)
    names = node_names(order)
    shown = [v.grad if grads is None else grads.get(v, v.grad) for v in order]
    finite = [abs(g) for g in shown if math.isfinite(g)]
    largest = max(finite, default=0.0)

    strong_values: set = set()
    strong_edge = None
    if highlight is not None:
        strong_values = {highlight.node, highlight.input}
        strong_edge = (highlight.node, _highlighted_edge(highlight))

    g = Drawing(
        name="chainrule",
        graph_attr={
            "rankdir": rankdir,
            "fontname": _FONT,
            "fontsize": "10",
            "labelloc": "b",
            "nodesep": "0.25",
        },
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": "10", "arrowsize": "0.7"},
    )
    g.values = len(order)
    kinds_present = set()
    for i, v in enumerate(order):  # values, in topological order
        kind = _kind(v, param_set)
        kinds_present.add(kind)
        fill = _fill(abs(shown[i]), largest) if color_by_grad else "white"
        label = _value_label(
            names[v],
            bool(v.label),
            v.data,
            shown[i],
            kind=kind,
            fill=fill,
            strong=v in strong_values,
        )
        g.node(f"v{i}", label=label, shape="plain", **{"class": f"value {kind}"})

    for i, v in enumerate(order):  # ops and edges
        if not v.inputs:
            continue
        op_id = f"op{i}"
        strong = strong_edge is not None and strong_edge[0] is v
        colour = _HIGHLIGHT if strong else _PLAIN
        g.node(
            op_id,
            label=f"<{_html_text(v.op)}>",
            shape="circle",
            style="filled",
            fillcolor="#fde0e0" if strong else "#eeeeee",
            color=colour,
            penwidth="2.5" if strong else "1",
            width="0.3",
            margin="0.02",
            **{"class": "op"},
        )
        for position, (x, local) in enumerate(zip(v.inputs, v.local)):
            attrs = {}
            if show_local:
                attrs["label"] = f"<{_html_text(_fmt(float(local)))}>"
            if strong and strong_edge[1] == position:
                attrs.update(color=_HIGHLIGHT, fontcolor=_HIGHLIGHT, penwidth="3")
                attrs["class"] = "highlight"
            g.edge(f"v{index[x]}", op_id, **attrs)
        out_attrs = {"color": _HIGHLIGHT, "penwidth": "3", "class": "highlight"} if strong else {}
        g.edge(op_id, f"v{i}", **out_attrs)

    if legend:
        g.attr(
            label=_legend(
                kinds_present,
                show_local=show_local,
                color_by_grad=color_by_grad,
                highlight=highlight,
            )
        )
    return g


def _legend(kinds: set, *, show_local: bool, color_by_grad: bool, highlight) -> str:
    parts = []
    if "param" in kinds:
        parts.append("thick blue border: parameter")
    if "input" in kinds:
        parts.append("rounded green border: input")
    if "const" in kinds:
        parts.append("dashed grey border: constant")
    if show_local:
        parts.append("edge label: local derivative")
    if color_by_grad:
        parts.append("fill: |grad|")
    if highlight is not None:
        parts.append("red: the current step")
    return f"<{_html_text('   ·   '.join(parts))}>"
