"""Execute notebooks in place, so that what is committed is what the code prints today.

    python notebooks/execute.py notebooks/*.ipynb      (make notebooks)

Each notebook runs top to bottom in a fresh kernel started in the notebooks folder;
the first cell that raises stops everything with the error. Per notebook it prints
the seconds taken and the saved size. Execution timestamps are not saved, so a
re-run that prints the same things changes nothing in git.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT = 600  # seconds per cell


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps would change on every run
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip())
        return 2
    total = 0.0
    for name in paths:
        path = Path(name)
        seconds = execute(path)
        total += seconds
        print(f"{path.name:<45} {seconds:6.1f} s  {path.stat().st_size / 1024:7.0f} KB")
    print(f"{'total':<45} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
