"""Optimisers and learning-rate schedules. Updates change ``p.data`` only: no graph.

Every optimiser takes ``params`` first: either a list of Values, updated as given,
or a Module, whose trainable parameters are read afresh at every step, so that
``freeze()`` and ``unfreeze()`` take effect at once on an optimiser that already
exists. (A list made with ``model.parameters()`` is fixed: it includes frozen
parameters. Pass the model itself, or ``model.parameters(trainable_only=True)``.)

The update rules are PyTorch's, so its documentation describes them exactly:
``weight_decay`` adds ``weight_decay * p`` to the gradient before the rule, and
per-parameter state (momentum, moments, step counts) lives in ``self.state``.
"""

from __future__ import annotations

import math

from autograd import Value
from nn.checks import integer, number
from nn.module import Module

# fmt: off
__all__ = [
    "Optimizer", "SGD", "Adam", "RMSprop", "LambdaLR", "StepLR", "LinearLR", "clip_grad_norm",
]
# fmt: on


def _parameters(params, who: str) -> list[Value]:
    """A Module's parameters, or a list of Values checked and with duplicates dropped
    (a Value listed twice is one parameter)."""
    if isinstance(params, Module):
        return params.parameters()
    if isinstance(params, Value):
        raise TypeError(f"{who}: params must be a list of Values or a Module, not one Value")
    seen, unique = set(), []
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params must be Values, not {type(p).__name__}")
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def clip_grad_norm(params, max_norm: float) -> float:
    """Scale the gradients of ``params`` (a list of Values, or a Module's parameters)
    down so that their overall norm is at most ``max_norm``, and return the norm they
    had. The remedy for exploding gradients (backprop through time especially).

    As PyTorch's ``clip_grad_norm_``: the norm is sqrt(sum of grad²) over all the
    parameters together, and every gradient is multiplied by
    min(1, max_norm / (norm + 1e-6)), so the direction of the step is kept. Call it
    between ``backward()`` and ``optimizer.step()``; ``fit(max_grad_norm=...)`` does.
    """
    params = _parameters(params, "clip_grad_norm")
    max_norm = number(max_norm, "max_norm", at_least=0.0)
    norm = math.sqrt(math.fsum(p.grad * p.grad for p in params))
    scale = max_norm / (norm + 1e-6)
    if scale < 1.0:
        for p in params:
            p.grad *= scale
    return norm


class Optimizer:
    """Base class: holds the parameters and ``lr``; subclasses write ``_update``."""

    def __init__(self, params, lr: float, weight_decay: float = 0.0):
        if isinstance(params, Module):
            self._module, self._fixed = params, None
        else:
            self._module, self._fixed = None, _parameters(params, type(self).__name__)
        self.lr = lr
        self.weight_decay = number(weight_decay, "weight_decay", at_least=0.0)
        self.state: dict[Value, dict] = {}  # per-parameter state, by identity

    @property
    def lr(self) -> float:
        """The learning rate; set it at any time (schedules do)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = number(value, "lr", at_least=0.0)

    @property
    def params(self) -> list[Value]:
        """The parameters the next ``step`` updates."""
        if self._module is not None:
            return self._module.parameters(trainable_only=True)
        return list(self._fixed)

    def zero_grad(self) -> None:
        """Set the grad of every parameter (frozen ones too) to 0."""
        ps = self._module.parameters() if self._module is not None else self._fixed
        for p in ps:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad`` (plus ``weight_decay * p``)."""
        wd = self.weight_decay
        for p in self.params:
            g = p.grad + wd * p.data if wd else p.grad
            self._update(p, g)

    def _update(self, p: Value, g: float) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * g.

    With momentum μ (PyTorch's form): v = μ·v + g (v = g at the first step), then
    p -= lr * v, or with ``nesterov=True`` p -= lr * (g + μ·v).
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr, weight_decay)
        self.momentum = number(momentum, "momentum", at_least=0.0)
        if nesterov and not self.momentum:
            raise ValueError("nesterov=True needs a momentum above 0")
        self.nesterov = bool(nesterov)

    def _update(self, p: Value, g: float) -> None:
        mu = self.momentum
        if mu:
            state = self.state.get(p)
            if state is None:
                v = g
                self.state[p] = {"velocity": v}
            else:
                v = state["velocity"] = mu * state["velocity"] + g
            g = g + mu * v if self.nesterov else v
        p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): moving averages of g and g², bias-corrected.

    m = β1·m + (1-β1)·g,  v = β2·v + (1-β2)·g²,  t counts this parameter's steps;
    p -= lr * (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr, weight_decay)
        b1, b2 = betas
        self.betas = (
            number(b1, "betas[0]", at_least=0.0, below=1.0),
            number(b2, "betas[1]", at_least=0.0, below=1.0),
        )
        self.eps = number(eps, "eps", at_least=0.0)

    def _update(self, p: Value, g: float) -> None:
        b1, b2 = self.betas
        s = self.state.get(p)
        if s is None:
            s = self.state[p] = {"step": 0, "m": 0.0, "v": 0.0}
        s["step"] += 1
        t = s["step"]
        s["m"] = b1 * s["m"] + (1.0 - b1) * g
        s["v"] = b2 * s["v"] + (1.0 - b2) * g * g
        m_hat = s["m"] / (1.0 - b1**t)
        v_hat = s["v"] / (1.0 - b2**t)
        p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e): divide by a moving root-mean-square of g.

    v = α·v + (1-α)·g²,  p -= lr * g / (sqrt(v) + eps).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr, weight_decay)
        self.alpha = number(alpha, "alpha", at_least=0.0, below=1.0)
        self.eps = number(eps, "eps", at_least=0.0)

    def _update(self, p: Value, g: float) -> None:
        s = self.state.get(p)
        if s is None:
            s = self.state[p] = {"square_avg": 0.0}
        s["square_avg"] = self.alpha * s["square_avg"] + (1.0 - self.alpha) * g * g
        p.data -= self.lr * g / (math.sqrt(s["square_avg"]) + self.eps)


# ===================================================================== schedules
class LambdaLR:
    """Set ``optimizer.lr = base_lr * factor(k)`` where k counts ``step()`` calls.

    ``base_lr`` is the optimiser's lr when the schedule is made; the lr for step 0
    is set at once. Call ``scheduler.step()`` after each ``optimizer.step()`` (or
    each epoch: ``fit`` steps it once per epoch).
    """

    def __init__(self, optimizer: Optimizer, factor):
        self.optimizer = optimizer
        self.factor = factor
        self.base_lr = optimizer.lr
        self.last_step = 0
        optimizer.lr = self.base_lr * factor(0)

    def step(self) -> None:
        self.last_step += 1
        self.optimizer.lr = self.base_lr * self.factor(self.last_step)

    def __repr__(self) -> str:
        name, lr = type(self).__name__, self.optimizer.lr
        return f"{name}(base_lr={self.base_lr!r}, step={self.last_step}, lr={lr!r})"


class StepLR(LambdaLR):
    """Multiply the lr by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        step_size = integer(step_size, "step_size")
        gamma = number(gamma, "gamma", at_least=0.0)
        super().__init__(optimizer, lambda k: gamma ** (k // step_size))


class LinearLR(LambdaLR):
    """Move the lr linearly from ``start_factor * base_lr`` to ``end_factor * base_lr``
    over ``total_iters`` steps, then hold it. micrograd's demo schedule,
    lr = 1.0 - 0.9 * k / 100, is ``LinearLR(SGD(..., lr=1.0), 100, end_factor=0.1)``."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int,
        *,
        start_factor: float = 1.0,
        end_factor: float = 0.1,
    ):
        total_iters = integer(total_iters, "total_iters")
        a = number(start_factor, "start_factor", at_least=0.0)
        b = number(end_factor, "end_factor", at_least=0.0)
        super().__init__(optimizer, lambda k: a + (b - a) * min(k, total_iters) / total_iters)
