"""Run chainrule's benchmarks: print a table of medians and same-run ratios, and
optionally write it as JSON.  `make bench` runs the full set; `--smoke` is a tiny
version that CI runs so the benchmarks keep working. Benchmarks measure; they never
assert a speed.

    python benchmarks/run.py [--repeat 5] [--json out/bench.json] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402


def _median(fn, repeat: int):
    return statistics.median(fn() for _ in range(repeat))


def _median_dict(fn, repeat: int) -> dict:
    runs = [fn() for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure(*, repeat: int, smoke: bool) -> dict:
    n = 10 if smoke else 100
    wide_n = 2_000 if smoke else 100_000
    depths = (1_000, 10_000) if smoke else (10_000, 1_000_000)
    terms = 10 if smoke else 200
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "system": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
        },
        "settings": {"repeat": repeat, "smoke": smoke, "samples": n},
    }
    step = _median(lambda: workloads.chainrule_step(n), repeat)
    floats = _median(lambda: workloads.float_step(n), repeat)
    results["demo_step"] = {
        "chainrule_s": step,
        "floats_s": floats,
        "chainrule_over_floats": step / floats,
    }
    for name, fn in (("torch", workloads.torch_step), ("micrograd", workloads.micrograd_step)):
        if fn(n) is None:  # not installed: say so rather than invent a figure
            results["demo_step"][f"{name}_s"] = None
            continue
        seconds = _median(lambda fn=fn: fn(n), max(1, min(repeat, 3)))
        results["demo_step"][f"{name}_s"] = seconds
        results["demo_step"][f"{name}_over_chainrule"] = seconds / step
    results["wide"] = _median_dict(lambda: workloads.wide(wide_n), repeat)
    # the million-node chain takes seconds to build: a median of at most 3 runs
    chains = {
        depth: _median(
            lambda depth=depth: workloads.deep_chain(depth),
            repeat if depth <= 10_000 else min(repeat, 3),
        )
        for depth in depths
    }
    results["deep"] = {
        "backward_ns_per_node": {str(d): ns for d, ns in chains.items()},
        "deepest_over_shallowest": chains[depths[-1]] / chains[depths[0]],
    }
    try:
        results["render"] = _median_dict(lambda: workloads.render_graph(terms), repeat)
    except RuntimeError as err:  # no dot executable: report it, measure the rest
        results["render"] = {"error": str(err)}
    return results


def table(r: dict) -> str:
    d = r["demo_step"]
    m = r["machine"]
    rows = [
        f"chainrule benchmarks (Python {m['python']}, {m['system']}, {m['cpus']} cores; "
        f"medians of {r['settings']['repeat']}{', SMOKE sizes' if r['settings']['smoke'] else ''})",
        "",
        f"{'workload':<44}{'figure':>16}",
        f"{'1 demo step, chainrule nn':<44}{d['chainrule_s'] * 1e3:>13.1f} ms",
        f"{'2 demo step, hand-written floats':<44}{d['floats_s'] * 1e3:>13.2f} ms",
        f"{'  chainrule / floats':<44}{d['chainrule_over_floats']:>15.1f}x",
    ]
    for name in ("micrograd", "torch"):
        if d.get(f"{name}_s") is None:
            rows.append(f"{'6 demo step, ' + name:<44}{'not installed':>16}")
        else:
            rows.append(f"{'6 demo step, ' + name:<44}{d[name + '_s'] * 1e3:>13.1f} ms")
            rows.append(f"{'  ' + name + ' / chainrule':<44}{d[name + '_over_chainrule']:>15.1f}x")
    w = r["wide"]
    rows += [
        f"{'3 wide graph: build, ns per op node':<44}{w['build_ns_per_op_node']:>16.0f}",
        f"{'  the same, cyclic collector paused':<44}"
        f"{w['build_ns_per_op_node_collector_paused']:>16.0f}",
        f"{'3 wide graph: backward, ns per node':<44}{w['backward_ns_per_node']:>16.0f}",
        f"{'3 wide graph: bytes per node':<44}{w['bytes_per_node']:>16.0f}",
    ]
    for depth, ns in r["deep"]["backward_ns_per_node"].items():
        rows.append(f"{'4 deep chain ' + f'{int(depth):,}' + ': backward ns/node':<44}{ns:>16.0f}")
    rows.append(f"{'  deepest / shallowest':<44}{r['deep']['deepest_over_shallowest']:>15.2f}x")
    if "error" in r["render"]:
        rows.append(f"{'5 render to SVG':<44}{'no renderer':>16}")
    else:
        label = f"5 render {int(r['render']['values']):,} Values to SVG"
        rows.append(f"{label:<44}{r['render']['seconds'] * 1e3:>13.0f} ms")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per workload (median reported)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, one run: checks the benchmarks work"
    )
    args = parser.parse_args(argv)
    results = measure(repeat=1 if args.smoke else args.repeat, smoke=args.smoke)
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
