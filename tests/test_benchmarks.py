"""The benchmarks keep working: a tiny smoke run of every workload (it measures,
it asserts nothing about speed)."""

import json
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


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
    data = json.loads(out.read_text())
    assert set(data) >= {"machine", "demo_step", "wide", "deep", "render"}
    assert data["demo_step"]["chainrule_s"] > 0
    assert data["demo_step"]["chainrule_over_floats"] > 0
    assert data["wide"]["bytes_per_node"] > 0


def test_the_hand_written_float_step_makes_exactly_chainrules_update():
    # The float step is the limit workload 1 is divided by: it must do the same work.
    sys.path.insert(0, str(RUNNER.parent))
    import workloads

    X, y = workloads._moons(30)
    model = workloads._model()
    layers = workloads.float_layers(model)
    workloads.chainrule_train(model, X, y, steps=3)
    workloads.float_train(layers, X, y, steps=3)
    for (W, b), (W2, b2) in zip(workloads.float_layers(model), layers):
        for row, row2 in zip(W + [b], W2 + [b2]):
            for p, q in zip(row, row2):
                assert abs(p - q) <= 1e-12 * max(1.0, abs(p))
