"""Shared test set-up: hypothesis profiles and the optional PyTorch oracle."""

import os
import sys

import pytest
from examples import PURE
from hypothesis import HealthCheck, settings

import autograd.render  # noqa: F401  (loaded, for the fixtures below)

# Machines are small and noisy: no per-example deadlines. CI derandomizes so that a
# run is reproducible from its log.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

TORCH_REQUIRED = os.environ.get("CHAINRULE_REQUIRE_TORCH") == "1"


@pytest.fixture(scope="session")
def torch():
    """PyTorch in float64, or a skip saying why (a failure where it is required)."""
    try:
        import torch as _torch
    except ImportError:
        if TORCH_REQUIRED:
            pytest.fail("CHAINRULE_REQUIRE_TORCH=1 but PyTorch is not installed")
        pytest.skip("PyTorch not installed: parity tests skipped (.ci/run installs torch==2.13.0)")
    _torch.set_default_dtype(_torch.float64)
    return _torch


@pytest.fixture
def pure_only(monkeypatch):
    """Render with graphviz-pure from beside the interpreter: no PATH, no env var."""
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(sys.modules["autograd.render"], "_interpreter_dirs", lambda: [PURE.parent])


@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(sys.modules["autograd.render"], "_interpreter_dirs", lambda: [])


@pytest.fixture
def renderer(monkeypatch):
    if not PURE.exists():
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("CHAINRULE_DOT", str(PURE))


@pytest.fixture
def agg():
    """matplotlib's pyplot on the Agg backend (no display), or a skip without it."""
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")
