"""nn's layering: each module imports only the modules below it, never a private name
of another module, and from autograd only its public API; imports sit at the top of a
file, except the optional packages imported where they are needed (torch, matplotlib).

demo.py, the application on top (it belongs with the ``chainrule`` command), is held
only to the first rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograd

NN = Path(__file__).resolve().parents[1] / "nn"

# Top to bottom: a module may import only modules after it in this list.
LAYERS = [
    "demo", "plot", "train", "optim", "losses", "data", "export",
    "layers", "recurrent", "module", "state", "checks",
]  # fmt: skip

# Optional dependencies, imported inside the functions that need them.
LAZY = {"export": {"torch"}, "plot": {"matplotlib.pyplot"}}


def _imports(tree: ast.Module):
    """(module imported, names, at top level?) for every import in the file."""
    top = set(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node in top
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module, [a.name for a in node.names], node in top


def _nn_target(module: str, names: list[str]) -> list[str]:
    """The nn modules an import refers to: ``nn.x``, or ``from nn import x``."""
    if module.startswith("nn."):
        return [module.split(".")[1]]
    if module == "nn":
        return [n for n in names if n in LAYERS]
    return []


def test_every_nn_module_is_placed_in_the_layers():
    found = {p.stem for p in NN.glob("*.py")} - {"__init__"}
    assert found == set(LAYERS)


@pytest.mark.parametrize("name", LAYERS)
def test_imports_point_down_and_name_no_private_of_another_module(name):
    tree = ast.parse((NN / f"{name}.py").read_text())
    below = set(LAYERS[LAYERS.index(name) + 1 :])
    for module, names, _ in _imports(tree):
        for target in _nn_target(module, names):
            assert target in below, f"nn.{name} imports nn.{target}, which is not below it"
        if name != "demo" and (module.startswith("nn") or module.startswith("autograd")):
            private = [n for n in names if n.startswith("_")]
            assert not private, f"nn.{name} imports private {private} from {module}"


@pytest.mark.parametrize("name", [n for n in LAYERS if n != "demo"])
def test_autograd_is_used_through_its_public_api_only(name):
    tree = ast.parse((NN / f"{name}.py").read_text())
    for module, names, _ in _imports(tree):
        if module.startswith("autograd"):
            assert module == "autograd", f"nn.{name} reaches into {module}"
            assert set(names) <= set(autograd.__all__), f"nn.{name}: {names}"


@pytest.mark.parametrize("name", [n for n in LAYERS if n != "demo"])
def test_imports_are_at_the_top_except_optional_packages(name):
    tree = ast.parse((NN / f"{name}.py").read_text())
    inside = {module for module, _, at_top in _imports(tree) if not at_top}
    assert inside <= LAZY.get(name, set()), f"nn.{name} imports {inside} inside a function"
