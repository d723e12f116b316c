"""The shape of the code (../shared/DESIGN.md, "Layout"): every module imports only the
modules below it in its package, there are no import cycles, autograd never imports
nn (except the command line), nn uses autograd's public API only, no module imports
another's private names, imports sit at the top of a file except optional packages,
and the engine's core imports without graphviz.

Imports are read from the source with ``ast``, every one of them, those inside
functions too: an import inside a function hides a cycle from Python, not from here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd

ROOT = Path(__file__).resolve().parents[1]

# Each package's modules from the top down: a module may import only those after it.
LAYERS = {
    "autograd": [
        "__main__", "__init__", "cli", "expr", "stepper", "grading", "exercises", "drawing",
        "render", "steps", "text", "calculus", "tape", "gradcheck", "value", "graph", "ops",
    ],
    # state is below module (DESIGN.md lists it above): Module's own state_dict, save
    # and load are two-liners over state's functions, which need no Module. checks is
    # the one set of argument checks every nn module shares.
    "nn": [
        "__init__", "demo", "plot", "train", "optim", "losses", "data", "export", "layers",
        "recurrent", "module", "state", "checks",
    ],
}  # fmt: skip
# Optional packages, imported inside the functions that need them (and nn.demo, which
# only the train command loads, so that a student's own nn.py cannot break the others).
LAZY = {
    "autograd.cli": {"nn.demo"},
    "autograd.stepper": {"ipywidgets", "IPython.display"},
    "nn.demo": {"matplotlib.figure"},
    "nn.export": {"torch"},
    "nn.train": {"IPython.display", "tqdm.auto", "tqdm.notebook"},
    "nn.plot": {"matplotlib.pyplot"},
}
PACKAGE_ORDER = ["nn", "autograd"]  # nn is built on autograd, never the other way
APPLICATION = "autograd.cli"  # the one module on top of both packages


def modules() -> list[str]:
    found = []
    for package in LAYERS:
        found += [f"{package}.{path.stem}" for path in sorted((ROOT / package).glob("*.py"))]
    return found


def _resolve(package: str, name: str) -> str:
    """``from package import name``: the submodule if there is one, else the package."""
    top = package.split(".")[0]
    if top in LAYERS and (ROOT / top / f"{name}.py").exists() and package == top:
        return f"{top}.{name}"
    return package if "." in package else f"{package}.__init__"


def imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in ``module``,
    keeping only chainrule's own modules."""
    package, name = module.split(".")
    tree = ast.parse((ROOT / package / f"{name}.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name if "." in alias.name else f"{alias.name}.__init__"
                found.append((target, [], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found.append((_resolve(node.module, alias.name), [alias.name], node.lineno))
    return [(t, n, line) for t, n, line in found if t.split(".")[0] in LAYERS]


def _rank(module: str) -> tuple[int, int]:
    package, name = module.split(".")
    return PACKAGE_ORDER.index(package), LAYERS[package].index(name)


def test_every_module_is_placed_in_the_layers():
    unplaced = [m for m in modules() if m.split(".")[1] not in LAYERS[m.split(".")[0]]]
    assert unplaced == [], "add these to LAYERS (and DESIGN.md's layout) where they belong"


@pytest.mark.parametrize("module", modules())
def test_imports_point_down_only(module):
    up = []
    for target, _, line in imports(module):
        if target == module:
            continue
        if module == APPLICATION and target.startswith("nn."):
            continue  # the command line sits on top of both packages
        if _rank(target) <= _rank(module):
            up.append(f"line {line}: {module} imports {target}")
    assert up == []


@pytest.mark.parametrize("module", modules())
def test_no_private_name_is_imported_from_another_module(module):
    private = [
        f"line {line}: {name} from {target}"
        for target, names, line in imports(module)
        for name in names
        if name.startswith("_") and target != module
    ]
    assert private == []


def test_there_is_no_import_cycle():
    graph = {m: {t for t, _, _ in imports(m) if t in modules() and t != m} for m in modules()}
    # Depth-first search with an explicit stack, colouring nodes white/grey/black.
    colour = dict.fromkeys(graph, "white")
    for start in graph:
        if colour[start] != "white":
            continue
        stack = [(start, iter(sorted(graph[start])))]
        colour[start] = "grey"
        path = [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = "black"
                stack.pop()
                path.pop()
            elif colour[child] == "grey":
                cycle = path[path.index(child) :] + [child]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            elif colour[child] == "white":
                colour[child] = "grey"
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)


@pytest.mark.parametrize("module", modules())
def test_imports_are_at_the_top_except_optional_packages(module):
    package, name = module.split(".")
    tree = ast.parse((ROOT / package / f"{name}.py").read_text(encoding="utf-8"))
    top = set(tree.body)
    inside = {
        node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in top
    }
    assert inside <= LAZY.get(module, set()), f"{module} imports {inside} inside a function"


@pytest.mark.parametrize("module", [m for m in modules() if m.startswith("nn.")])
def test_nn_uses_autograd_through_its_public_api_only(module):
    package, name = module.split(".")
    tree = ast.parse((ROOT / package / f"{name}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
            names = [alias.name for alias in node.names]
            assert node.module == "autograd", f"{module} reaches into {node.module}"
            assert set(names) <= set(autograd.__all__), f"{module}: {names}"


def test_the_graph_module_imports_nothing_from_chainrule():
    assert imports("autograd.graph") == []


def test_the_engine_imports_without_graphviz():
    # A fresh interpreter in which `import graphviz` fails, as on a machine without it.
    script = textwrap.dedent(
        """
        import sys
        sys.modules["graphviz"] = None
        import autograd.ops, autograd.graph, autograd.value
        x = autograd.value.Value(2.0)
        y = (x * x).tanh()
        y.backward()
        print(round(x.grad, 6))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.005364"  # d tanh(x*x)/dx at 2: 4 (1 - tanh(4)²)


def test_the_guard_sees_an_upward_import(tmp_path, monkeypatch):
    # The test can fail: a module of the core that imported a view would be caught.
    fake = ROOT / "autograd" / "value.py"
    source = fake.read_text(encoding="utf-8")
    monkeypatch.setattr(
        Path,
        "read_text",
        lambda self, encoding=None: (
            source + "\nfrom autograd.drawing import draw\n" if self == fake else _read(self)
        ),
    )
    assert ("autograd.drawing", ["draw"], source.count("\n") + 2) in imports("autograd.value")


def _read(path: Path) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_every_module_has_its_own_test_file():
    missing = [
        m
        for m in modules()
        if m.split(".")[1] not in ("__init__", "__main__")
        and not (ROOT / "tests" / f"test_{m.split('.')[1]}.py").exists()
    ]
    assert missing == []


def test_the_names_that_need_graphviz_load_on_first_use_as_the_right_objects():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import autograd, sys; assert 'graphviz' not in sys.modules;"
            "import autograd.drawing, autograd.stepper;"
            "from autograd import draw, Stepper, RendererNotFoundError;"
            "assert draw is autograd.drawing.draw and callable(draw);"
            "assert Stepper is autograd.stepper.Stepper;"
            "assert issubclass(RendererNotFoundError, RuntimeError);"
            "assert set(autograd.__all__) <= set(dir(autograd))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
