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
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for workload in ("1 demo step", "2 demo step", "3 wide graph", "4 deep chain", "5 render"):
        assert workload in result.stdout
    data = json.loads(out.read_text())
    assert set(data) >= {"machine", "demo_step", "wide", "deep", "render"}
    assert data["demo_step"]["chainrule_s"] > 0
    assert data["demo_step"]["chainrule_over_floats"] > 0
    assert data["wide"]["bytes_per_node"] > 0
