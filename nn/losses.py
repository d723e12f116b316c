"""Loss functions: a list of predictions and their targets in, one Value out.

Each loss is a mean over samples, built from a few nodes per sample and one n-ary
``sum_of`` (or ``dot``) node, so its graph stays small and draws clearly. A new loss
goes here: validate the arguments, then write the formula with Value ops.

Stability: ``bce_with_logits`` and ``cross_entropy`` never exponentiate a large
positive number, so logits of ±1000 give exact, finite losses and gradients.
"""

from __future__ import annotations

import numbers

from autograd import Value, dot, sum_of
from nn.checks import number, values

__all__ = [
    "mse_loss",
    "hinge_loss",
    "bce_with_logits",
    "cross_entropy",
    "l2",
    "triplet_margin_loss",
]

# PyTorch's pairwise_distance adds this to every difference before taking the norm,
# ||x - y + eps||, so that the norm's gradient is defined even when x == y.
PAIRWISE_EPS = 1e-6


def _pairs(preds, targets, who: str) -> tuple[list, list]:
    preds, targets = _as_list(preds, who, "predictions"), _as_list(targets, who, "targets")
    if len(preds) != len(targets):
        raise ValueError(f"{who}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{who}: no samples (the mean of nothing is undefined)")
    return preds, targets


def _as_list(xs, who: str, what: str) -> list:
    if isinstance(xs, (Value, numbers.Real, str)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{who}: {what} must be a list, not {type(xs).__name__}")
    return list(xs)


def _mean(terms: list) -> Value:
    if len(terms) == 1:  # one sample: the loss is its term (a smaller graph to draw)
        return terms[0]
    return sum_of(terms) * (1.0 / len(terms))


def _score(x, who: str):
    # A model may return one Value or a list holding one Value per sample.
    if isinstance(x, (list, tuple)) and len(x) == 1:
        x = x[0]
    if not isinstance(x, (Value, numbers.Real)) or isinstance(x, bool):
        raise TypeError(
            f"{who}: each prediction must be a Value or a number, not {type(x).__name__}"
        )
    return x if isinstance(x, Value) else Value(x)


def _flat(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def mse_loss(preds, targets) -> Value:
    """Mean squared error: mean over all elements of (pred - target)².

    ``preds[i]`` and ``targets[i]`` may each be one number/Value or lists of the same
    length (a model's multi-output prediction); the mean is over every element, as in
    PyTorch. The squares are summed by one ``dot(d, d)`` node.
    """
    preds, targets = _pairs(preds, targets, "mse_loss")
    diffs = []
    for i, (p, t) in enumerate(zip(preds, targets)):
        ps, ts = _flat(p), _flat(t)
        if len(ps) != len(ts):
            raise ValueError(
                f"mse_loss: sample {i} has {len(ps)} predictions but {len(ts)} targets"
            )
        diffs += [pi - ti for pi, ti in zip(ps, ts)]
    diffs = [d if isinstance(d, Value) else Value(d) for d in diffs]
    squares = dot(diffs, diffs)
    return squares if len(diffs) == 1 else squares * (1.0 / len(diffs))


def _labels(labels, allowed: tuple, who: str) -> list[int]:
    out = []
    for i, y in enumerate(labels):
        if isinstance(y, bool) or not isinstance(y, numbers.Real) or y not in allowed:
            shown = " or ".join(map(str, allowed))
            raise ValueError(f"{who}: label {i} is {y!r}; labels must be {shown}")
        out.append(int(y))
    return out


def hinge_loss(scores, labels) -> Value:
    """Mean hinge loss, mean of relu(1 - y·s), for labels y in {-1, +1}.

    Zero once a sample is on the right side with a margin of at least 1: only
    the samples still inside the margin push the weights.
    """
    scores, labels = _pairs(scores, labels, "hinge_loss")
    ys = _labels(labels, (-1, 1), "hinge_loss")
    scores = [_score(s, "hinge_loss") for s in scores]
    # 1 - y·s without a multiplication node: y is ±1.
    return _mean([((1.0 - s) if y == 1 else (1.0 + s)).relu() for s, y in zip(scores, ys)])


def bce_with_logits(logits, labels) -> Value:
    """Binary cross-entropy on logits z, labels y in {0, 1}: the mean of
    -y·log σ(z) - (1-y)·log(1-σ(z)) = softplus(z) - y·z.

    Written as softplus(z) for y = 0 and softplus(-z) for y = 1, which is the same
    thing: one ``softplus`` node per sample, stable for any logit (z = ±1000 gives 0
    or 1000, never inf or NaN). The gradient with respect to z is σ(z) - y.
    """
    logits, labels = _pairs(logits, labels, "bce_with_logits")
    ys = _labels(labels, (0, 1), "bce_with_logits")
    zs = [_score(z, "bce_with_logits") for z in logits]
    return _mean([(-z if y == 1 else z).softplus() for z, y in zip(zs, ys)])


def cross_entropy(logits, target) -> Value:
    """Softmax cross-entropy for one sample: -log softmax(logits)[target]
    = logsumexp(logits) - logits[target], with ``target`` an int class index.

    The log-sum-exp subtracts the largest logit m (a plain number) first,
    m + log Σ exp(z_i - m), so no exp overflows; the gradient is softmax(z) - onehot.
    For a batch, average the per-sample losses (``sum_of(...) / n``).
    """
    zs = _as_list(logits, "cross_entropy", "logits")
    if not zs:
        raise ValueError("cross_entropy: no logits")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(
            f"cross_entropy: target must be an int class index, not {type(target).__name__}"
        )
    if not 0 <= target < len(zs):
        raise ValueError(
            f"cross_entropy: target {target} is not a class index for {len(zs)} logits"
        )
    zs = [z if isinstance(z, Value) else Value(z) for z in zs]
    m = max(z.data for z in zs)
    lse = sum_of([(z - m).exp() for z in zs]).log() + m
    return lse - zs[int(target)]


def l2(params) -> Value:
    """The sum of p·p over ``params``, as one ``dot(params, params)`` node (each
    parameter appears on both sides, so its gradient is 2p). Multiply by a small
    strength: ``loss + 1e-4 * l2(model.parameters())``."""
    ps = list(params)
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"l2: parameters must be Values, not {type(p).__name__}")
    return dot(ps, ps)


def triplet_margin_loss(anchor, positive, negative, *, margin: float = 1.0) -> Value:
    """The triplet loss for one triplet of embeddings (FaceNet's; Schroff et al., 2015):
    relu(d(anchor, positive) - d(anchor, negative) + margin).

    It is zero once the negative is at least ``margin`` further from the anchor than
    the positive; until then it pulls the positive in and pushes the negative out.
    ``d`` is the Euclidean distance as PyTorch computes it, ||x - y + eps|| with
    eps = 1e-6 added to every difference, so this equals
    ``torch.nn.functional.triplet_margin_loss`` (p=2) on the same three vectors.
    For a batch, average the per-triplet losses.
    """
    a = _as_list(anchor, "triplet_margin_loss", "anchor")
    p = _as_list(positive, "triplet_margin_loss", "positive")
    n = _as_list(negative, "triplet_margin_loss", "negative")
    if not a or len(p) != len(a) or len(n) != len(a):
        raise ValueError(
            "triplet_margin_loss: anchor, positive and negative must be non-empty lists "
            f"of one length, got lengths {len(a)}, {len(p)}, {len(n)}"
        )
    margin = number(margin, "triplet_margin_loss margin", at_least=0.0)
    a, p, n = (values(v, len(v), "triplet_margin_loss") for v in (a, p, n))
    return (_distance(a, p) - _distance(a, n) + margin).relu()


def _distance(xs, ys) -> Value:
    """||x - y + eps||_2, PyTorch's pairwise_distance: one dot node for the sum of
    squares, then its square root."""
    diffs = [x - y + PAIRWISE_EPS for x, y in zip(xs, ys)]
    return dot(diffs, diffs).sqrt()
