"""The benchmark workloads. Each returns the seconds (or bytes) one run takes; the
runner repeats them and reports medians and ratios measured in the same process.

1. micrograd's demo step through chainrule's ``nn``: MLP(2, [16, 16, 1]) on 100
   moons, hinge loss + 1e-4 * L2, one SGD step (forward, backward, update).
2. The same step written by hand on Python floats, with no graph: the pure-Python
   limit the engine is measured against.
3. A wide graph: 100,000 products summed pairwise (build and backward ns per node,
   bytes per node with tracemalloc).
4. Deep chains of 10,000 and 1,000,000 nodes: backward ns per node.
5. Rendering a graph of about 1,000 nodes to SVG.
10. Workload 1 replayed from a ``Tape``: the graph recorded once, then forward,
   backward and the same SGD update on the recorded nodes every step.

The peers (micrograd, PyTorch, the minimal engine) and the code written by hand on any
engine's ``Value`` (workloads 6 to 9) are in ``handwritten.py``: this module imports
chainrule, and a peer is measured in a process of its own, without it.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from operator import add as _fadd
from operator import mul as _fmul

from autograd import Value, draw, sum_of
from nn import MLP, SGD, hinge_loss, l2, make_moons

HIDDEN = (16, 16)
ALPHA = 1e-4  # L2 strength, as in micrograd's demo


def _moons(n: int):
    X, y = make_moons(n=n, noise=0.1, seed=1)
    return X, [2 * label - 1 for label in y]  # hinge loss wants -1/+1


# ------------------------------------------------------------------ workload 1
def _model():
    return MLP(2, [*HIDDEN, 1], seed=1)


def chainrule_train(model, X, y, steps: int) -> None:
    """micrograd's demo loop through chainrule's nn: forward, loss, backward, SGD."""
    optimizer = SGD(model.parameters(), lr=1.0)
    for k in range(steps):
        scores = [model(x)[0] for x in X]
        loss = hinge_loss(scores, y) + ALPHA * l2(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / 100
        optimizer.step()


def chainrule_step(n: int = 100, steps: int = 1) -> float:
    """Seconds per training step of micrograd's demo, through chainrule's nn."""
    X, y = _moons(n)
    model = _model()
    start = time.perf_counter()
    chainrule_train(model, X, y, steps)
    return (time.perf_counter() - start) / steps


# ------------------------------------------------------------------ workload 2
def float_layers(model) -> list:
    """A model's weights as plain floats: per layer, (rows of weights, biases)."""
    return [
        ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
        for layer in model.layers
    ]


def float_train(layers, X, y, steps: int) -> None:
    """The same loop by hand on floats: forward, hand-derived backward, SGD update.
    Written tightly (C-level map/sum where it fits), so the ratio to it is honest;
    a test checks it makes exactly chainrule's update."""
    n = len(X)
    last = len(layers) - 1
    for k in range(steps):
        transposed = [[list(col) for col in zip(*W)] for W, _ in layers]
        gWs = [[[0.0] * len(row) for row in W] for W, _ in layers]
        gbs = [[0.0] * len(b) for _, b in layers]
        for x, target in zip(X, y):
            acts, pres = [x], []  # every layer's input and pre-activation
            for i, (W, b) in enumerate(layers):
                pre = [sum(map(_fmul, row, acts[-1]), bi) for row, bi in zip(W, b)]
                pres.append(pre)
                acts.append(pre if i == last else [p if p > 0.0 else 0.0 for p in pre])
            if target * acts[-1][0] >= 1.0:
                continue  # hinge is flat here: no gradient
            up = [-target / n]  # d(mean hinge)/d score
            for i in range(last, -1, -1):
                if i != last:
                    up = [u if p > 0.0 else 0.0 for u, p in zip(up, pres[i])]
                gbs[i] = list(map(_fadd, gbs[i], up))
                inp, gW = acts[i], gWs[i]
                for j, u in enumerate(up):
                    if u:
                        gW[j] = [g + u * xm for g, xm in zip(gW[j], inp)]
                if i:
                    up = [sum(map(_fmul, col, up)) for col in transposed[i]]
        lr = 1.0 - 0.9 * k / 100
        decay = 2 * ALPHA  # d(alpha * p*p)/dp
        for (W, b), gW, gb in zip(layers, gWs, gbs):
            for j, (row, grow) in enumerate(zip(W, gW)):
                W[j] = [p - lr * (g + decay * p) for p, g in zip(row, grow)]
            b[:] = [p - lr * (g + decay * p) for p, g in zip(b, gb)]


def float_step(n: int = 100, steps: int = 1) -> float:
    """Seconds per step of the hand-written loop, from the same weights as workload 1."""
    X, y = _moons(n)
    layers = float_layers(_model())
    start = time.perf_counter()
    float_train(layers, X, y, steps)
    return (time.perf_counter() - start) / steps


# ------------------------------------------------------------------ workload 3
def _pairwise_sum(values: list) -> Value:
    while len(values) > 1:
        paired = [a + b for a, b in zip(values[::2], values[1::2])]
        if len(values) % 2:
            paired.append(values[-1])
        values = paired
    return values[0]


def _wide_graph(n: int, *, collector: bool = True):
    rng = random.Random(3)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    ws = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    paused = not collector and gc.isenabled()
    if paused:
        gc.disable()
    try:
        start = time.perf_counter()
        root = _pairwise_sum([x * w for x, w in zip(xs, ws)])
        return root, time.perf_counter() - start
    finally:
        if paused:
            gc.enable()


def wide(n: int = 100_000) -> dict:
    """Build n products x_i*w_i summed pairwise: ns per op node to build, ns per node
    to backward, and the bytes the whole graph holds per node (leaves included),
    measured with tracemalloc on a second build so tracing does not slow the timing."""
    _, build_paused = _wide_graph(n, collector=False)  # what the cyclic collector costs
    root, build = _wide_graph(n)
    start = time.perf_counter()
    root.backward()
    back = time.perf_counter() - start
    del root
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root, _ = _wide_graph(n)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    ops = n + (n - 1)  # n products and n-1 additions
    nodes = ops + 2 * n
    return {
        "nodes": nodes,
        "build_ns_per_op_node": build / ops * 1e9,
        "build_ns_per_op_node_collector_paused": build_paused / ops * 1e9,
        "backward_ns_per_node": back / nodes * 1e9,
        "bytes_per_node": held / nodes,
    }


# ------------------------------------------------------------------ workload 4
def deep_chain(depth: int) -> float:
    """Backward ns per node on a chain x -> tanh -> tanh -> ... of ``depth`` nodes."""
    v = Value(0.5)
    for _ in range(depth - 1):
        v = v.tanh()
    start = time.perf_counter()
    v.backward()
    return (time.perf_counter() - start) / depth * 1e9


# ------------------------------------------------------------------ workload 5
def render_graph(terms: int = 200) -> dict:
    """Render sum_i tanh(x_i * w_i) (5 Values per term, about 1,000 in all) to SVG."""
    rng = random.Random(5)
    terms_ = [
        (Value(rng.uniform(-1, 1), label=f"x{i}") * Value(rng.uniform(-1, 1), label=f"w{i}")).tanh()
        for i in range(terms)
    ]
    root = sum_of(terms_)
    root.backward()
    graph = draw(root, max_nodes=10 * terms)
    start = time.perf_counter()
    svg = graph.pipe(format="svg")
    return {"values": 4 * terms + 1, "seconds": time.perf_counter() - start, "svg_bytes": len(svg)}


# ------------------------------------------------------------------ workload 10
def tape_step(n: int = 100, steps: int = 1, warmup: int = 10) -> float | None:
    """Seconds per step of workload 1 replayed from a Tape: the graph of the loss is
    recorded once; each step recomputes it from the current weights, runs backward and
    makes the same SGD update. Timed after ``warmup`` replays, as in a training loop of
    some length: Python specialises a function's code only after it has run a few
    times, and a tape's code is straight-line (no loop to warm it up within a call).
    None where chainrule has no Tape."""
    try:
        from autograd import Tape
    except ImportError:
        return None
    X, y = _moons(n)
    model = _model()
    tape, optimizer = _recorded_demo(Tape, model, X, y)
    tape_train(tape, optimizer, warmup)
    start = time.perf_counter()
    tape_train(tape, optimizer, steps)
    return (time.perf_counter() - start) / steps


def _recorded_demo(Tape, model, X, y):
    scores = [model(x)[0] for x in X]
    loss = hinge_loss(scores, y) + ALPHA * l2(model.parameters())
    return Tape(loss), SGD(model.parameters(), lr=1.0)


def tape_train(tape, optimizer, steps: int) -> None:
    """Workload 1's loop on a recorded graph: forward, zero_grad, backward, SGD."""
    for k in range(steps):
        tape.forward()
        optimizer.zero_grad()
        tape.backward()
        optimizer.lr = 1.0 - 0.9 * k / 100
        optimizer.step()
