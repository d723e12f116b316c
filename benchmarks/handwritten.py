"""Code written the way people write it themselves, on any engine's ``Value``.

Nothing here imports chainrule: each function takes the ``Value`` class to run on, so
the very same code runs on chainrule, on micrograd and on the minimal engine
(``minimal.py``), each in a process of its own.

* ``demo_step``: micrograd's demo (MLP(2, [16, 16, 1]) on 100 moons, hinge loss +
  1e-4 L2, one SGD step) written as micrograd's ``nn.py`` writes it: a neuron is
  ``sum((wi*xi for wi, xi in zip(w, x)), b)``.
* ``gpt_step``: one training step of a GPT the size of Karpathy's microgpt (embedding
  16, 4 heads, 1 layer, block 16, a 27-letter vocabulary, Adam), written the same way:
  linear layers, attention, RMSNorm and softmax as loops of scalar ops.
* ``op_costs``: seconds per op for ``a + b``, ``a * b``, ``a.relu()`` and ``a * 2.0``.

And the peers' own code for the demo: ``micrograd_step`` (micrograd's ``nn``) and
``torch_step`` (PyTorch scalar tensors), each measured where it is installed.
"""

from __future__ import annotations

import random
import time
import timeit

# ------------------------------------------------------------------ the demo
HIDDEN = (16, 16)
ALPHA = 1e-4


def demo_model(Value, seed: int = 1):
    """Layers as (weights, biases), micrograd's initialisation: uniform(-1, 1), bias 0."""
    rng = random.Random(seed)
    sizes = [2, *HIDDEN, 1]
    return [
        (
            [[Value(rng.uniform(-1, 1)) for _ in range(a)] for _ in range(b)],
            [Value(0.0) for _ in range(b)],
        )
        for a, b in zip(sizes, sizes[1:])
    ]


def demo_parameters(layers) -> list:
    return [p for W, bs in layers for w, b in zip(W, bs) for p in (*w, b)]


def demo_train(layers, X, y, steps: int = 1) -> None:
    """micrograd's demo loop: forward, hinge loss + L2, zero_grad, backward, SGD."""
    params = demo_parameters(layers)
    last = len(layers) - 1
    for k in range(steps):
        scores = []
        for x in X:
            for i, (W, bs) in enumerate(layers):
                x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in zip(W, bs)]
                if i != last:
                    x = [v.relu() for v in x]
            scores.append(x[0])
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        loss = data_loss + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad


def demo_step(Value, X, y, steps: int = 1) -> float:
    """Seconds per step of the micrograd-style demo on ``Value``."""
    layers = demo_model(Value)
    start = time.perf_counter()
    demo_train(layers, X, y, steps)
    return (time.perf_counter() - start) / steps


# ------------------------------------------------------------------ the GPT
N_EMBD, N_HEAD, N_LAYER, BLOCK = 16, 4, 1, 16
HEAD_DIM = N_EMBD // N_HEAD
LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOS = len(LETTERS)  # the token that starts and ends every name
VOCAB = len(LETTERS) + 1
NAMES = ("emma", "olivia", "isabella", "sophia", "charlotte", "amelia", "harper", "evelyn")


def gpt_parameters(Value, seed: int = 42) -> dict:
    rng = random.Random(seed)

    def matrix(rows, cols):
        return [[Value(rng.gauss(0, 0.08)) for _ in range(cols)] for _ in range(rows)]

    weights = {"wte": matrix(VOCAB, N_EMBD), "wpe": matrix(BLOCK, N_EMBD)}
    for layer in range(N_LAYER):
        for name in ("wq", "wk", "wv", "wo"):
            weights[f"{layer}.{name}"] = matrix(N_EMBD, N_EMBD)
        weights[f"{layer}.fc1"] = matrix(4 * N_EMBD, N_EMBD)
        weights[f"{layer}.fc2"] = matrix(N_EMBD, 4 * N_EMBD)
    weights["head"] = matrix(VOCAB, N_EMBD)
    return weights


def _linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def _softmax(logits):
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _rmsnorm(x):
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def _gpt(weights, token, position, keys, values):
    x = [t + p for t, p in zip(weights["wte"][token], weights["wpe"][position])]
    x = _rmsnorm(x)
    for layer in range(N_LAYER):
        residual = x
        x = _rmsnorm(x)
        q = _linear(x, weights[f"{layer}.wq"])
        keys[layer].append(_linear(x, weights[f"{layer}.wk"]))
        values[layer].append(_linear(x, weights[f"{layer}.wv"]))
        heads = []
        for h in range(N_HEAD):
            s = slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)
            qh = q[s]
            kh = [k[s] for k in keys[layer]]
            vh = [v[s] for v in values[layer]]
            scores = [sum(qh[j] * k[j] for j in range(HEAD_DIM)) / HEAD_DIM**0.5 for k in kh]
            attention = _softmax(scores)
            heads += [sum(attention[t] * vh[t][j] for t in range(len(vh))) for j in range(HEAD_DIM)]
        x = [a + b for a, b in zip(_linear(heads, weights[f"{layer}.wo"]), residual)]
        residual = x
        x = _linear(_rmsnorm(x), weights[f"{layer}.fc1"])
        x = [xi.relu() for xi in x]
        x = [a + b for a, b in zip(_linear(x, weights[f"{layer}.fc2"]), residual)]
    return _linear(x, weights["head"])


class Adam:
    """microgpt's optimiser: Adam with betas (0.85, 0.99) and a linearly falling rate."""

    def __init__(self, params, lr=0.01, betas=(0.85, 0.99), eps=1e-8, steps=1000):
        self.params, self.lr, self.betas, self.eps, self.steps = params, lr, betas, eps, steps
        self.m, self.v = [0.0] * len(params), [0.0] * len(params)
        self.t = 0

    def step(self):
        b1, b2 = self.betas
        lr = self.lr * (1 - self.t / self.steps)
        self.t += 1
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            m[i] = b1 * m[i] + (1 - b1) * p.grad
            v[i] = b2 * v[i] + (1 - b2) * p.grad**2
            m_hat = m[i] / (1 - b1**self.t)
            v_hat = v[i] / (1 - b2**self.t)
            p.data -= lr * m_hat / (v_hat**0.5 + self.eps)
            p.grad = 0.0


def gpt_train(weights, optimizer, names) -> float:
    """One step per name: forward over its letters, mean cross-entropy, backward, Adam.
    Returns the last loss."""
    for name in names:
        tokens = [BOS] + [LETTERS.index(c) for c in name] + [BOS]
        n = min(BLOCK, len(tokens) - 1)
        keys, values = [[] for _ in range(N_LAYER)], [[] for _ in range(N_LAYER)]
        losses = []
        for position in range(n):
            probs = _softmax(_gpt(weights, tokens[position], position, keys, values))
            losses.append(-probs[tokens[position + 1]].log())
        loss = (1 / n) * sum(losses)
        loss.backward()
        optimizer.step()
    return loss.data


def gpt_step(Value, names=NAMES) -> float:
    """Seconds per GPT training step (one name each), averaged over ``names``."""
    weights = gpt_parameters(Value)
    params = [p for matrix in weights.values() for row in matrix for p in row]
    optimizer = Adam(params)
    start = time.perf_counter()
    gpt_train(weights, optimizer, names)
    return (time.perf_counter() - start) / len(names)


# ------------------------------------------------------------------ one op
OPS = {"a+b": "a + b", "a*b": "a * b", "a.relu()": "a.relu()", "a*2.0": "a * 2.0"}


def op_costs(Value, number: int = 20_000, repeat: int = 15) -> dict:
    """Seconds per op (the result dropped at once): the best of ``repeat`` short
    timings of each, the ops taking turns, so that a busy moment of the machine
    spoils one timing rather than one op's figure."""
    a, b = Value(0.5), Value(-1.25)
    timers = {name: timeit.Timer(s, globals={"a": a, "b": b}) for name, s in OPS.items()}
    costs = dict.fromkeys(OPS, float("inf"))
    for _ in range(repeat):
        for name, timer in timers.items():
            costs[name] = min(costs[name], timer.timeit(number) / number)
    return costs


def check_gpt_loss(Value) -> float:
    """The loss of the first step from the fixed start (the same on every engine, up
    to rounding)."""
    weights = gpt_parameters(Value)
    params = [p for matrix in weights.values() for row in matrix for p in row]
    return gpt_train(weights, Adam(params), NAMES[:1])


# ------------------------------------------------------------------ the peers' own code
def micrograd_step(X, y, steps: int = 1) -> float | None:
    """micrograd's own demo step (its engine and its nn); None where it is not installed."""
    try:
        from micrograd.nn import MLP
    except ImportError:
        return None
    random.seed(1)
    model = MLP(2, [*HIDDEN, 1])
    start = time.perf_counter()
    for k in range(steps):
        scores = [model(x) for x in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
    return (time.perf_counter() - start) / steps


def torch_step(X, y, steps: int = 1) -> float | None:
    """The demo step on PyTorch scalar tensors (every weight a 0-d tensor); None
    without torch."""
    try:
        import torch
    except ImportError:
        return None
    rng = random.Random(1)
    sizes = [2, *HIDDEN, 1]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        W = [
            [
                torch.tensor(rng.uniform(-1, 1), dtype=torch.float64, requires_grad=True)
                for _ in range(a)
            ]
            for _ in range(b)
        ]
        bias = [torch.tensor(0.0, dtype=torch.float64, requires_grad=True) for _ in range(b)]
        layers.append((W, bias))
    params = [p for W, b in layers for row in W for p in row] + [p for _, b in layers for p in b]
    n = len(X)
    start = time.perf_counter()
    for k in range(steps):
        losses = []
        for x, target in zip(X, y):
            act = [torch.tensor(v, dtype=torch.float64) for v in x]
            for i, (W, b) in enumerate(layers):
                pre = [sum(wi * xi for wi, xi in zip(row, act)) + bi for row, bi in zip(W, b)]
                act = pre if i == len(layers) - 1 else [p.relu() for p in pre]
            losses.append((1 - target * act[0]).relu())
        loss = sum(losses) / n + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    return (time.perf_counter() - start) / steps
