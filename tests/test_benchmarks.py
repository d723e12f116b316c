"""The benchmarks keep working: a tiny smoke run of every workload (it measures,
it asserts nothing about speed), and the workloads that are compared do the same work."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
sys.path.insert(0, str(RUNNER.parent))

import handwritten  # noqa: E402
import minimal  # noqa: E402
import workloads  # noqa: E402

from autograd import Value  # noqa: E402


def test_smoke_run_prints_every_workload_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(RUNNER), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for workload in ("1 demo step", "2 demo step", "3 wide graph", "4 deep chain", "5 render"):
        assert workload in result.stdout
    for workload in ("6 demo step, micrograd", "7 demo step", "8 GPT step", "9 one op a*2.0"):
        assert workload in result.stdout
    assert "10 demo step replayed from a Tape" in result.stdout
    data = json.loads(out.read_text())
    assert set(data) >= {"machine", "demo_step", "gpt_step", "op_cost", "wide", "deep", "render"}
    assert data["demo_step"]["chainrule_s"] > 0
    assert data["demo_step"]["chainrule_over_floats"] > 0
    assert data["demo_step"]["value_s"] > 0
    assert data["gpt_step"]["minimal_over_chainrule"] > 0
    assert data["op_cost"]["a+b"]["chainrule_over_minimal"] > 0
    assert data["wide"]["bytes_per_node"] > 0


def test_a_worker_runs_in_a_process_of_its_own_without_chainrule():
    # A peer measured beside chainrule would pay in its collector for chainrule's
    # objects: the peers' workers never import it.
    check = (
        "import json, sys; sys.argv = ['run.py', '--worker', 'ops_minimal'];"
        f"sys.path.insert(0, {str(RUNNER.parent)!r}); import run;"
        "sys.stdin = __import__('io').StringIO(json.dumps("
        "{'repeat': 1, 'smoke': True, 'X': [[0.0, 1.0]], 'y': [1]}));"
        "run.main(sys.argv[1:]); print(sorted(m for m in sys.modules if m in ('autograd', 'nn')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_hand_written_float_step_makes_exactly_chainrules_update():
    # The float step is the limit workload 1 is divided by: it must do the same work.
    X, y = workloads._moons(30)
    model = workloads._model()
    layers = workloads.float_layers(model)
    workloads.chainrule_train(model, X, y, steps=3)
    workloads.float_train(layers, X, y, steps=3)
    for (W, b), (W2, b2) in zip(workloads.float_layers(model), layers):
        for row, row2 in zip(W + [b], W2 + [b2]):
            for p, q in zip(row, row2):
                assert abs(p - q) <= 1e-12 * max(1.0, abs(p))


def _demo_weights(layers):
    return [p.data for p in handwritten.demo_parameters(layers)]


def test_the_micrograd_style_demo_makes_the_same_update_on_every_engine():
    X, y = workloads._moons(20)
    after = []
    for V in (Value, minimal.Value):
        layers = handwritten.demo_model(V)
        handwritten.demo_train(layers, X, y, steps=2)
        after.append(_demo_weights(layers))
    assert all(math.isclose(p, q, rel_tol=1e-12, abs_tol=1e-12) for p, q in zip(*after))


def test_the_micrograd_style_demo_is_micrograds_own_demo():
    micrograd = pytest.importorskip("micrograd.engine")
    X, y = workloads._moons(20)
    layers = handwritten.demo_model(micrograd.Value)
    before = _demo_weights(layers)
    handwritten.demo_train(layers, X, y, steps=1)
    layers2 = handwritten.demo_model(Value)
    handwritten.demo_train(layers2, X, y, steps=1)
    assert before != _demo_weights(layers)
    assert all(
        math.isclose(p, q, rel_tol=1e-12, abs_tol=1e-12)
        for p, q in zip(_demo_weights(layers), _demo_weights(layers2))
    )


def test_the_gpt_step_computes_the_same_loss_on_chainrule_and_the_minimal_engine():
    # From the same start, a loss near log(27): the model is untrained. The minimal
    # engine divides by multiplying with a power, so only the last bits may differ.
    losses = [handwritten.check_gpt_loss(V) for V in (Value, minimal.Value)]
    assert math.isclose(losses[0], losses[1], rel_tol=1e-12)
    assert abs(losses[0] - math.log(handwritten.VOCAB)) < 0.2


def test_the_minimal_engine_differentiates_correctly():
    # It is the peer of the GPT step: its gradients must be right for the race to count.
    a, b = minimal.Value(2.0), minimal.Value(-3.0)
    out = -(a * b) + a.exp() / b - a**2 + (b * b).log() + a.relu() - 1.0
    out.backward()
    x, y = 2.0, -3.0
    assert math.isclose(a.grad, -y + math.exp(x) / y - 2 * x + 1, rel_tol=1e-12)
    assert math.isclose(b.grad, -x - math.exp(x) / y**2 + 2 / y, rel_tol=1e-12)
