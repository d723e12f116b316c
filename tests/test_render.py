"""Rendering (autograd.render): finding the dot executable, running it, saving and
piping drawings, the notebook display (fitted SVG plus a PNG) and the PNG resolution."""

import base64
import os
import stat
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from examples import PURE, SVG, groups, needs_pure, small_graph, texts

from autograd import RendererNotFoundError, Value, draw
from autograd.render import RenderError, find_renderer

render_module = sys.modules["autograd.render"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ output
@needs_pure
def test_save_picks_the_format_from_the_suffix_and_makes_folders(pure_only, tmp_path):
    L, _ = small_graph()
    g = draw(L)
    svg = g.save(tmp_path / "a" / "graph.svg")
    png = g.save(str(tmp_path / "b" / "graph.PNG"))
    dot = g.save(tmp_path / "graph.dot")
    gv = g.save(tmp_path / "graph.gv")
    assert svg == tmp_path / "a" / "graph.svg" and isinstance(png, Path)
    assert "data -8.0000" in [
        t for g_ in groups(ET.parse(svg).getroot(), "value") for t in texts(g_)
    ]
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert dot.read_text(encoding="utf-8") == g.source == gv.read_text(encoding="utf-8")


def test_save_refuses_an_unknown_suffix_and_writes_nothing(tmp_path):
    g = draw(Value(1.0))
    for name in ("graph.pdf", "graph", "graph.svg.txt"):
        with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot, \.gv"):
            g.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@needs_pure
def test_pipe_returns_svg_or_png_bytes(pure_only):
    g = draw(Value(1.0, label="x") * 2)
    assert g.pipe(format="png").startswith(PNG_SIGNATURE)
    assert g.pipe().lstrip().startswith(b"<?xml")  # svg by default
    assert isinstance(g.pipe(format="svg", encoding="utf-8"), str)


@needs_pure
def test_render_writes_the_source_and_the_rendered_file(pure_only, tmp_path):
    g = draw(Value(1.0, label="x") * 2)
    out = g.render(directory=tmp_path)
    assert Path(out) == tmp_path / "chainrule.gv.svg"
    assert (tmp_path / "chainrule.gv").read_text(encoding="utf-8") == g.source
    assert ET.parse(out).getroot().tag == f"{SVG}svg"
    png = g.render(outfile=tmp_path / "x" / "out.png")
    assert Path(png).read_bytes().startswith(PNG_SIGNATURE)


@needs_pure
def test_a_notebook_shows_a_fitted_svg_and_a_png_for_untrusted_viewers(pure_only):
    data, metadata = draw(Value(1.0, label="x") * 2)._repr_mimebundle_()
    assert set(data) == {"image/svg+xml", "image/png", "text/plain"}
    svg = data["image/svg+xml"]
    assert svg.startswith('<svg style="max-width:100%;height:auto" width="')  # shrinks to fit
    assert "data 1.0000" in svg
    png = base64.b64decode(data["image/png"])
    assert png.startswith(PNG_SIGNATURE)
    width, height = metadata["image/png"]["width"], metadata["image/png"]["height"]
    pixels = struct.unpack(">II", png[16:24])  # the IHDR chunk: width, height
    assert abs(pixels[0] - width) <= 2 and abs(pixels[1] - height) <= 2  # one per CSS pixel
    assert data["text/plain"].startswith("<Drawing of 3 Values")


# ------------------------------------------------------------------ finding the renderer
def fake_renderer(folder: Path, name: str, log: Path) -> Path:
    """A dot-compatible script: logs its arguments, then runs graphviz-pure."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{PURE}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


posix_scripts = pytest.mark.skipif(
    os.name == "nt" or not PURE.exists(), reason="needs sh and graphviz-pure"
)


@needs_pure
def test_graphviz_pure_is_found_beside_the_interpreter_when_path_is_empty(pure_only):
    assert find_renderer() == PURE
    assert draw(Value(1.0) * 2).pipe(format="png").startswith(PNG_SIGNATURE)


def test_the_interpreter_folder_is_searched():
    assert Path(sys.executable).parent in render_module._interpreter_dirs()


@posix_scripts
def test_dot_on_path_is_used_before_graphviz_pure(monkeypatch, tmp_path):
    log = tmp_path / "dot.log"
    dot = fake_renderer(tmp_path / "bin", "dot", log)
    fake_renderer(tmp_path / "bin", "graphviz-pure", tmp_path / "pure.log")
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_renderer() == dot
    assert draw(Value(1.0, label="x") * 2).pipe(format="svg").lstrip().startswith(b"<?xml")
    assert "-Tsvg" in log.read_text()
    assert not (tmp_path / "pure.log").exists()


@posix_scripts
def test_graphviz_pure_on_path_is_used_when_there_is_no_dot(monkeypatch, tmp_path):
    log = tmp_path / "pure.log"
    pure = fake_renderer(tmp_path / "bin", "graphviz-pure", log)
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_renderer() == pure
    draw(Value(1.0) * 2).save(tmp_path / "g.png")
    assert "-Tpng" in log.read_text()


@posix_scripts
def test_chainrule_dot_comes_before_dot_on_path(monkeypatch, tmp_path):
    fake_renderer(tmp_path / "bin", "dot", tmp_path / "dot.log")
    mine = fake_renderer(tmp_path / "elsewhere", "my-dot", tmp_path / "mine.log")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CHAINRULE_DOT", str(mine))
    assert find_renderer() == mine
    draw(Value(1.0) * 2).save(tmp_path / "g.svg")
    assert "-Tsvg" in (tmp_path / "mine.log").read_text()
    assert not (tmp_path / "dot.log").exists()


@posix_scripts
def test_chainrule_dot_may_name_a_command_on_path(monkeypatch, tmp_path):
    mine = fake_renderer(tmp_path / "bin", "my-dot", tmp_path / "mine.log")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CHAINRULE_DOT", "my-dot")
    assert find_renderer() == mine


def test_chainrule_dot_pointing_nowhere_is_an_error_not_a_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINRULE_DOT", str(tmp_path / "missing-dot"))
    with pytest.raises(RendererNotFoundError, match="CHAINRULE_DOT"):
        find_renderer()


def test_no_renderer_anywhere_raises_an_error_naming_the_fixes(no_renderer):
    with pytest.raises(RendererNotFoundError) as error:
        draw(Value(1.0) * 2).pipe()
    message = str(error.value)
    assert isinstance(error.value, RuntimeError)
    assert "pip install graphviz-pure" in message
    assert "install Graphviz" in message
    assert "CHAINRULE_DOT" in message


def test_without_a_renderer_svg_and_png_fail_but_dot_source_saves(no_renderer, tmp_path):
    g = draw(Value(1.0) * 2)
    with pytest.raises(RendererNotFoundError):
        g.save(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    assert g.save(tmp_path / "g.dot").read_text(encoding="utf-8") == g.source


def test_without_a_renderer_a_notebook_shows_the_message_not_a_traceback(no_renderer):
    bundle = draw(Value(1.0) * 2)._repr_mimebundle_(include=None, exclude=None)
    assert set(bundle) == {"text/plain", "text/html"}
    assert "pip install graphviz-pure" in bundle["text/plain"]
    assert "could not render" in bundle["text/html"]
    assert "<pre" in bundle["text/html"]


@needs_pure
def test_the_renderer_is_looked_up_when_rendering_not_when_drawing(no_renderer, monkeypatch):
    g = draw(Value(1.0) * 2)  # drawn with no renderer anywhere
    monkeypatch.setenv("CHAINRULE_DOT", str(PURE))  # then one appears
    assert g.pipe(format="png").startswith(PNG_SIGNATURE)


@posix_scripts
def test_a_failing_renderer_raises_with_what_it_printed(monkeypatch, tmp_path):
    broken = tmp_path / "broken-dot"
    broken.write_text('#!/bin/sh\necho "syntax error in line 1" >&2\nexit 3\n')
    broken.chmod(0o755)
    monkeypatch.setenv("CHAINRULE_DOT", str(broken))
    g = draw(Value(1.0) * 2)
    with pytest.raises(RenderError, match="(?s)exit status 3.*syntax error in line 1"):
        g.pipe()
    assert "syntax error in line 1" in g._repr_mimebundle_()["text/plain"]


def test_a_drawing_has_a_stable_repr_for_saved_notebooks():
    L, _ = small_graph()
    text = repr(draw(L))
    assert text == repr(draw(L)) and "0x" not in text and "7 Values" in text


@needs_pure
def test_pngs_are_rendered_at_the_dpi_asked_for(pure_only, tmp_path):
    def size(png: bytes) -> tuple[int, int]:
        return struct.unpack(">II", png[16:24])

    g = draw(Value(1.0, label="x") * 2)
    default = size(g.pipe(format="png"))  # 144 dpi: twice Graphviz's 72
    sharp = size(g.save(tmp_path / "g.png", dpi=288).read_bytes())
    assert abs(sharp[0] - 2 * default[0]) <= 2 and abs(sharp[1] - 2 * default[1]) <= 2
    low = size(draw(Value(1.0, label="x") * 2, dpi=72).pipe(format="png"))
    assert abs(default[0] - 2 * low[0]) <= 2
