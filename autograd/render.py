"""Rendering DOT: finding a dot executable, running it, and the ``Drawing`` object.

``Drawing`` is a ``graphviz.Digraph`` that renders with whatever ``find_renderer``
finds, looked up each time a drawing is rendered (never at import): the
``CHAINRULE_DOT`` environment variable, then ``dot`` on PATH, then the
``graphviz-pure`` executable from the graphviz-pure wheel (on PATH, or in the running
interpreter's scripts folder, because notebook kernels often run without their
virtual environment on PATH). If none is found, rendering raises
``RendererNotFoundError`` naming the fixes; in a notebook the cell shows that message.

In a notebook a drawing shows as SVG that shrinks to fit the output area (never
wider than it, never larger than drawn), and carries a PNG too: a saved notebook
then shows every picture on a code host and in an untrusted JupyterLab, which do
not show SVG. Saved PNGs are rendered at ``dpi`` dots per inch (144 unless set: twice
Graphviz's 72, sharp on a slide); ``save("g.png", dpi=300)`` for print.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import graphviz

from autograd.text import message_html

__all__ = ["Drawing", "RendererNotFoundError", "RenderError", "find_renderer", "DOT_ENV"]

DOT_ENV = "CHAINRULE_DOT"
PNG_DPI = 144  # PNGs at twice Graphviz's 72 dpi unless asked otherwise
_POINT = 96 / 72  # CSS pixels per point: how big a browser shows Graphviz's SVG


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

    def __init__(self, *args, dpi: float | None = None, **kwargs):
        kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)
        self.dpi = PNG_DPI if dpi is None else check_dpi(dpi)

    values = 0  # how many Values the drawing shows (set by draw)

    def __repr__(self) -> str:
        # Stable text (no memory address): it is the plain-text fallback that a
        # saved notebook keeps beside the SVG.
        return (
            f"<Drawing of {self.values} Values: .source is the DOT text, .save(path) writes a file>"
        )

    def _command_args(self, format, renderer, formatter, neato_no_op, engine, dpi) -> list:
        format = format or self.format
        spec = ":".join(part for part in (format, renderer, formatter) if part)
        args = [f"-K{engine or self.engine}", f"-T{spec}"]
        if neato_no_op:
            args.append(f"-n{int(neato_no_op)}")
        if format != "svg":  # an SVG scales by itself; a bitmap needs its resolution
            args.append(f"-Gdpi={self.dpi if dpi is None else check_dpi(dpi):g}")
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
        dpi=None,
    ):
        """The rendered graph as bytes (as ``str`` when ``encoding`` is given).

        ``format`` defaults to ``"svg"``; a bitmap format (``"png"``) is rendered at
        ``dpi`` (default: the drawing's). The renderer's warnings (about font
        metrics, for a generated graph) are dropped unless ``quiet=False``.
        Raises ``RendererNotFoundError`` when no renderer is found and
        ``RenderError`` when it fails.
        """
        args = self._command_args(format, renderer, formatter, neato_no_op, engine, dpi)
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

    def save(self, path=None, directory=None, *, skip_existing=False, dpi=None) -> Path:
        """Write the drawing to ``path``; the suffix picks the format: ``.svg``,
        ``.png`` (at ``dpi`` dots per inch, default the drawing's, 144), or
        ``.dot``/``.gv`` (the DOT source, which needs no renderer).

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
        if fmt == "dot":
            data = self.source.encode(self.encoding)
        else:
            data = self.pipe(format=fmt, dpi=dpi)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        # A notebook cell must show why there is no picture, never a traceback.
        try:
            svg = self.pipe(format="svg", encoding="utf-8")
            # One PNG pixel per CSS pixel: what a viewer that cannot show SVG shows, at
            # the SVG's size, in a third of the bytes of a sharper one (notebooks stay small).
            png = self.pipe(format="png", dpi=96)
        except (RendererNotFoundError, RenderError) as error:
            return _message_bundle(str(error))
        width, height = svg_size(svg)
        data = {
            "image/svg+xml": fit_svg(svg),
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": repr(self),
        }
        return data, {"image/png": {"width": round(width), "height": round(height)}}


def check_dpi(dpi) -> float:
    """``dpi`` if it is a resolution Graphviz can render at, else ValueError."""
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 2400:
        raise ValueError(f"dpi must be a number from 10 to 2400, not {dpi!r}")
    return float(dpi)


def _message_bundle(message: str) -> dict[str, str]:
    note = message_html("chainrule could not render this graph.", message)
    return {"text/plain": message, "text/html": note}


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fit_svg(svg: str) -> str:
    """The SVG without its XML prolog, made to shrink to the width of whatever holds
    it (a notebook cell, a widget, a page), keeping its shape; never drawn larger."""
    svg = svg[svg.find("<svg") :]
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def svg_size(svg: str) -> tuple[float, float]:
    """The (width, height) in CSS pixels at which a browser shows Graphviz's SVG."""
    found = _SVG_SIZE.search(svg)
    if found is None:
        raise ValueError("not an SVG drawn by Graphviz: no size in points")
    return float(found.group(1)) * _POINT, float(found.group(2)) * _POINT
