"""The notebooks as committed: what a reader sees on a code host or in an untrusted
JupyterLab, where nothing runs. (`make test` also executes every notebook.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def outputs(path: Path):
    """(cell index, output) for every saved output of every code cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            yield i, output


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_saved_notebook_was_executed_top_to_bottom(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    counts = [c["execution_count"] for c in notebook["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_saved_drawing_carries_a_png(path):
    # Untrusted JupyterLab and code hosts do not show SVG: the PNG is what they show.
    data = [(i, out.get("data", {})) for i, out in outputs(path)]
    without = [i for i, d in data if "image/svg+xml" in d and "image/png" not in d]
    assert without == [], f"cells {without} show SVG without a PNG"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_saved_notebook_shows_an_error_or_stderr(path):
    bad = [
        (i, out.get("name") or out["output_type"])
        for i, out in outputs(path)
        if out["output_type"] == "error" or out.get("name") == "stderr"
    ]
    assert bad == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_is_under_one_megabyte(path):
    assert path.stat().st_size < 1_000_000
