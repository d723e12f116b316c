"""Run chainrule's benchmarks: print a table of medians, the ratios between engines and
the targets they are held to, and optionally write it all as JSON. `make bench` runs the
full set; `--smoke` is a tiny version that the test suite runs so the benchmarks keep
working. Benchmarks measure; they never assert a speed.

Every workload runs in a fresh Python process of its own (`--rounds` of them, one after
another, each timing it `--repeat` times after a warm-up run), so that no engine pays in
its garbage collector for another engine's objects. A figure is the median over the
rounds of each round's median (one op's cost: the best timing); a ratio is the median
of the ratios within each round, between workloads run back to back, so that the load
of a shared machine changes it as little as possible.

    python benchmarks/run.py [--repeat 5] [--rounds 3] [--json out/bench.json] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------ the workers
# Each worker runs in its own process and imports only what its engine needs: the
# peers' workers never import chainrule.
def _chainrule_value():
    from autograd import Value

    return Value


def _minimal_value():
    import minimal

    return minimal.Value


def _micrograd_value():
    try:
        from micrograd.engine import Value
    except ImportError:
        return None
    return Value


def _worker(name: str, s: dict):
    """One workload's samples (a list), or None when its engine is not installed."""
    import handwritten

    X, y, smoke = s["X"], s["y"], s["smoke"]

    def samples(fn, *, warm=True, most=None):
        if warm and not smoke:
            fn()
        return [fn() for _ in range(min(s["repeat"], most or s["repeat"]))]

    if name in ("gpt_chainrule", "gpt_minimal"):
        Value = _chainrule_value() if name == "gpt_chainrule" else _minimal_value()
        names = handwritten.NAMES[:1] if smoke else handwritten.NAMES
        return samples(lambda: handwritten.gpt_step(Value, names), most=3)
    if name.startswith("ops_"):
        Value = {"chainrule": _chainrule_value, "minimal": _minimal_value}.get(
            name[4:], _micrograd_value
        )()
        if Value is None:
            return None
        if smoke:
            return [handwritten.op_costs(Value, number=1_000, repeat=2)]
        return samples(lambda: handwritten.op_costs(Value), warm=False)
    if name == "demo_value":
        Value = _chainrule_value()
        return samples(lambda: handwritten.demo_step(Value, X, y))
    if name == "demo_micrograd":
        if handwritten.micrograd_step(X[:2], y[:2]) is None:
            return None
        return samples(lambda: handwritten.micrograd_step(X, y), warm=False, most=3)
    if name == "demo_torch":
        if handwritten.torch_step(X[:2], y[:2]) is None:
            return None
        return samples(lambda: handwritten.torch_step(X, y), warm=False, most=3)

    import workloads  # chainrule's own workloads from here on

    n = len(X)
    if name == "demo_nn":
        return samples(lambda: workloads.chainrule_step(n))
    if name == "demo_floats":
        return samples(lambda: workloads.float_step(n))
    if name == "tape":
        if workloads.tape_step(2) is None:
            return None
        return samples(lambda: workloads.tape_step(n, steps=3 if smoke else 10))
    if name == "wide":
        return samples(lambda: workloads.wide(2_000 if smoke else 100_000), warm=False)
    if name == "deep":
        depths = (1_000, 10_000) if smoke else (10_000, 1_000_000)
        # the million-node chain takes seconds to build: at most 3 runs of it
        return [
            {str(d): workloads.deep_chain(d) for d in depths}
            for _ in range(s["repeat"] if smoke else min(s["repeat"], 3))
        ]
    if name == "render":
        try:
            return samples(lambda: workloads.render_graph(10 if smoke else 200), warm=False)
        except RuntimeError as err:  # no dot executable: report it, measure the rest
            return [{"error": str(err)}]
    raise ValueError(f"unknown worker {name!r}")


WORKERS = (  # compared workloads run back to back
    "demo_nn",
    "demo_floats",
    "tape",
    "demo_value",
    "demo_micrograd",
    "demo_torch",
    "gpt_chainrule",
    "gpt_minimal",
    "ops_chainrule",
    "ops_minimal",
    "ops_micrograd",
    "wide",
    "deep",
    "render",
)


def _run_worker(name: str, settings: dict):
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", name],
        input=json.dumps(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark worker {name} failed:\n{result.stderr}")
    return json.loads(result.stdout)


# ------------------------------------------------------------------ the figures
def _median(samples):
    """The median of a list of numbers, or key by key of a list of dicts."""
    if samples is None:
        return None
    if isinstance(samples[0], dict):
        if "error" in samples[0]:
            return samples[0]
        return {key: _median([s[key] for s in samples]) for key in samples[0]}
    return statistics.median(samples)


def measure(*, repeat: int, rounds: int, smoke: bool, workers=WORKERS) -> dict:
    sys.path.insert(0, str(HERE))
    from workloads import _moons

    X, y = _moons(10 if smoke else 100)
    settings = {"repeat": repeat, "smoke": smoke, "X": X, "y": y}
    per_round: dict = {name: [] for name in workers}  # each round's figure per workload
    for _ in range(rounds):  # rounds interleave the engines, spreading the noise
        for name in workers:
            samples = _run_worker(name, settings)
            if samples is None or per_round[name] is None:
                per_round[name] = None
            else:  # one op's cost: the best timing; anything else: the median
                per_round[name].append(
                    _best(samples) if name.startswith("ops_") else _median(samples)
                )
    return _figures(per_round, repeat=repeat, rounds=rounds, smoke=smoke, samples=len(X))


def _best(samples):
    return {key: min(s[key] for s in samples) for key in samples[0]}


class _Rounds:
    """Each workload's figure per round: a figure is the median over the rounds (for
    one op, the best); a ratio is the median of the ratios within each round, whose
    two workloads ran back to back, so that the machine's load changes it least."""

    def __init__(self, per_round: dict):
        self.per_round = per_round

    def values(self, name, key=None):
        rounds = self.per_round.get(name)
        if rounds is None:
            return None
        return [r if key is None else r[key] for r in rounds]

    def figure(self, name, key=None):
        values = self.values(name, key)
        if values is None:
            return None
        return min(values) if name.startswith("ops_") else statistics.median(values)

    def ratio(self, a, b, key=None):
        top, bottom = self.values(a, key), self.values(b, key)
        if top is None or bottom is None:
            return None
        return statistics.median(x / y for x, y in zip(top, bottom))


def _figures(per_round: dict, *, repeat, rounds, smoke, samples) -> dict:
    r = _Rounds(per_round)
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "system": f"{platform.system()} {platform.machine()}",
            "processor": _processor(),
            "cpus": os.cpu_count(),
        },
        "settings": {"repeat": repeat, "rounds": rounds, "smoke": smoke, "samples": samples},
    }
    results["demo_step"] = {
        "chainrule_s": r.figure("demo_nn"),  # through nn
        "floats_s": r.figure("demo_floats"),
        "chainrule_over_floats": r.ratio("demo_nn", "demo_floats"),
        "micrograd_s": r.figure("demo_micrograd"),
        "micrograd_over_chainrule": r.ratio("demo_micrograd", "demo_nn"),
        "torch_s": r.figure("demo_torch"),
        "torch_over_chainrule": r.ratio("demo_torch", "demo_nn"),
        "value_s": r.figure("demo_value"),  # micrograd-style on Value, no nn
        "micrograd_over_value": r.ratio("demo_micrograd", "demo_value"),
        "tape_s": r.figure("tape"),
        "tape_over_floats": r.ratio("tape", "demo_floats"),
    }
    results["gpt_step"] = {
        "chainrule_s": r.figure("gpt_chainrule"),
        "minimal_s": r.figure("gpt_minimal"),
        "minimal_over_chainrule": r.ratio("gpt_minimal", "gpt_chainrule"),
    }
    results["op_cost"] = {}
    for op in ("a+b", "a*b", "a.relu()", "a*2.0"):
        costs = {e: r.figure(f"ops_{e}", op) for e in ("chainrule", "minimal", "micrograd")}
        results["op_cost"][op] = {f"{e}_s": c for e, c in costs.items()}
        results["op_cost"][op]["chainrule_over_minimal"] = r.ratio(
            "ops_chainrule", "ops_minimal", op
        )
    wide = per_round.get("wide")
    results["wide"] = None if wide is None else {key: r.figure("wide", key) for key in wide[0]}
    deep = per_round.get("deep")
    if deep is not None:
        depths = sorted(deep[0], key=int)
        results["deep"] = {
            "backward_ns_per_node": {d: r.figure("deep", d) for d in depths},
            "deepest_over_shallowest": statistics.median(
                x[depths[-1]] / x[depths[0]] for x in deep
            ),
        }
    render = per_round.get("render")
    if render is not None and "error" in render[0]:
        results["render"] = render[0]
    else:
        results["render"] = (
            None if render is None else {k: r.figure("render", k) for k in render[0]}
        )
    return results


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ------------------------------------------------------------------ the table
def _ms(seconds) -> str:
    return "not installed" if seconds is None else f"{seconds * 1e3:.2f} ms"


def _ns(seconds) -> str:
    return "not installed" if seconds is None else f"{seconds * 1e9:.0f} ns"


def _x(ratio) -> str:
    return "" if ratio is None else f"{ratio:.2f}x"


def table(r: dict) -> str:
    m, st = r["machine"], r["settings"]
    rows = [
        f"chainrule benchmarks: Python {m['python']}, {m['system']}, {m['processor']}, "
        f"{m['cpus']} cores; medians of {st['rounds']} processes x {st['repeat']} runs"
        + (", SMOKE sizes" if st["smoke"] else ""),
        "",
        f"{'workload':<52}{'figure':>14}{'ratio':>10}   target",
    ]

    def row(name, figure="", ratio=None, target=""):
        rows.append(f"{name:<52}{figure:>14}{_x(ratio):>10}   {target}".rstrip())

    d = r["demo_step"]
    row("1 demo step through nn", _ms(d["chainrule_s"]))
    row("2 demo step, hand-written floats (the limit)", _ms(d["floats_s"]))
    row("  nn / floats", ratio=d["chainrule_over_floats"], target="at most 4x")
    row("6 demo step, micrograd 0.1.0's own", _ms(d["micrograd_s"]))
    row("  micrograd / nn", ratio=d["micrograd_over_chainrule"], target="at least 40x")
    row("6 demo step, PyTorch scalar tensors", _ms(d["torch_s"]))
    row("  torch / nn", ratio=d["torch_over_chainrule"])
    row("7 demo step micrograd-style on Value (no nn)", _ms(d["value_s"]))
    row("  micrograd / Value", ratio=d["micrograd_over_value"], target="at least 8x")
    row("10 demo step replayed from a Tape", _ms(d["tape_s"]))
    row("  Tape / floats", ratio=d["tape_over_floats"], target="at most 1.5x")
    g = r["gpt_step"]
    row("8 GPT step (microgpt-sized), chainrule Value", _ms(g["chainrule_s"]))
    row("8 GPT step, minimal local-gradient engine", _ms(g["minimal_s"]))
    row("  minimal / chainrule", ratio=g["minimal_over_chainrule"], target="at least 2x")
    for op, c in r["op_cost"].items():
        row(f"9 one op {op}, chainrule", _ns(c["chainrule_s"]))
        row("  minimal engine", _ns(c["minimal_s"]), c["chainrule_over_minimal"], "at most 1x")
        row("  micrograd", _ns(c["micrograd_s"]))
    w = r["wide"]
    row("3 wide graph: build, ns per op node", f"{w['build_ns_per_op_node']:.0f}")
    row("  the same, cyclic collector paused", f"{w['build_ns_per_op_node_collector_paused']:.0f}")
    row("3 wide graph: backward, ns per node", f"{w['backward_ns_per_node']:.0f}")
    row("3 wide graph: bytes per node", f"{w['bytes_per_node']:.0f}", target="at most 128")
    for depth, ns in r["deep"]["backward_ns_per_node"].items():
        row(f"4 deep chain {int(depth):,}: backward ns per node", f"{ns:.0f}")
    row("  deepest / shallowest", ratio=r["deep"]["deepest_over_shallowest"], target="about 1x")
    if "error" in r["render"]:
        row("5 render to SVG", "no renderer")
    else:
        row(f"5 render {int(r['render']['values']):,} Values to SVG", _ms(r["render"]["seconds"]))
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per process")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per workload")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, one run: checks the benchmarks work"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one workload
    args = parser.parse_args(argv)
    if args.worker:
        sys.path.insert(0, str(HERE))
        print(json.dumps(_worker(args.worker, json.loads(sys.stdin.read()))))
        return 0
    if args.repeat < 1 or args.rounds < 1:
        parser.error("--repeat and --rounds must be at least 1")
    results = measure(
        repeat=1 if args.smoke else args.repeat,
        rounds=1 if args.smoke else args.rounds,
        smoke=args.smoke,
    )
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
