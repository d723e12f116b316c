"""The training loop: ``fit`` a model to ``(X, y)`` and get back a ``History``.

One epoch = one pass over the (shuffled) training set in mini-batches; per batch:
forward every sample, one loss Value for the batch, ``zero_grad``, ``backward``,
(optionally clip the gradient), ``optimizer.step()``. Per epoch the History records the
mean training loss and accuracy (measured during the pass, as PyTorch's running loss
is) and, when there is validation data, the validation loss and accuracy (measured
after the pass, under ``no_grad``). A tqdm progress bar shows them as it goes. Epochs
are counted from 1 everywhere: the bar, ``History.best_epoch``, the callback.

Modes: ``fit`` trains with the model in training mode and measures in evaluation mode
(dropout off); ``evaluate``, ``predict`` and the plots use evaluation mode. Each leaves
every module in the mode it found it in.
"""

from __future__ import annotations

import contextlib
import gc
import math
import numbers
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from autograd import Value, no_grad, sum_of
from nn import losses
from nn.checks import integer, number, one_of
from nn.data import train_val_split
from nn.module import Module, in_mode
from nn.optim import Adam, Optimizer, clip_grad_norm

__all__ = ["fit", "History", "evaluate", "Evaluation", "predict", "LOSSES"]

# The losses ``fit`` knows by name; any callable ``loss(outputs, targets) -> Value``
# works too.
LOSSES = ("hinge", "bce", "cross_entropy", "mse")


@dataclass
class History:
    """What happened during ``fit``, one entry per epoch.

    ``loss``/``accuracy``: training data loss (without the ``l2`` penalty, so it
    compares with ``val_loss``) and accuracy, averaged over the epoch's batches.
    ``val_loss``/``val_accuracy``: on the validation set after the epoch (empty
    without validation data). ``lr``: the learning rate used in the epoch.
    Accuracies are None where they do not apply (``loss="mse"``). Epochs count from
    1: ``best_epoch`` k is the k-th entry, ``val_loss[k - 1]``.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    best_epoch: int | None = None  # the epoch (from 1) with the lowest val_loss
    stopped: str | None = None  # why training ended before ``epochs``, if it did

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        parts = [f"epochs={self.epochs}", f"loss={self.loss[-1]:.4f}"]
        if self.accuracy and self.accuracy[-1] is not None:
            parts.append(f"accuracy={self.accuracy[-1]:.3f}")
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4f}")
        if self.val_accuracy and self.val_accuracy[-1] is not None:
            parts.append(f"val_accuracy={self.val_accuracy[-1]:.3f}")
        if self.best_epoch is not None:
            parts.append(f"best_epoch={self.best_epoch}")
        if self.stopped:
            parts.append(f"stopped={self.stopped!r}")
        return f"History({', '.join(parts)})"


# ===================================================================== losses by name
def _one_output(out, name: str) -> Value:
    if isinstance(out, Value):
        return out
    if isinstance(out, (list, tuple)) and len(out) == 1:
        return out[0]
    n = len(out) if isinstance(out, (list, tuple)) else type(out).__name__
    raise ValueError(f"loss {name!r} needs one output per sample; the model gives {n}")


def _hinge(outputs, targets):
    # The datasets label classes 0/1; the hinge wants -1/+1: map 0 to -1.
    signs = [-1 if t == 0 and not isinstance(t, bool) else t for t in targets]
    return losses.hinge_loss([_one_output(o, "hinge") for o in outputs], signs)


def _bce(outputs, targets):
    return losses.bce_with_logits([_one_output(o, "bce") for o in outputs], targets)


def _cross_entropy(outputs, targets):
    if len(outputs) != len(targets):
        raise ValueError(f"cross_entropy: {len(outputs)} outputs but {len(targets)} targets")
    return sum_of([losses.cross_entropy(o, t) for o, t in zip(outputs, targets)]) * (
        1.0 / len(outputs)
    )


def _mse(outputs, targets):
    return losses.mse_loss(outputs, targets)


_NAMED = {"hinge": _hinge, "bce": _bce, "cross_entropy": _cross_entropy, "mse": _mse}


def _loss_function(loss) -> Callable:
    if callable(loss):
        return loss
    return _NAMED[one_of(loss, "loss", LOSSES, hint=" or pass a function")]


# ===================================================================== accuracy
def _label(out) -> int:
    """The class a model output predicts: argmax of several outputs; for one output,
    1 when the score is positive and 0 otherwise (the score is a logit or margin)."""
    scores = [out] if isinstance(out, (Value, numbers.Real)) else list(out)
    data = [float(s) for s in scores]
    if len(data) == 1:
        return 1 if data[0] > 0.0 else 0
    return max(range(len(data)), key=data.__getitem__)


def _is_label(t) -> bool:
    return isinstance(t, numbers.Integral) and not isinstance(t, bool)


def _is_scores(out) -> bool:
    """One score, or a flat list of scores (one per class): what accuracy can read."""
    if isinstance(out, (Value, numbers.Real)):
        return True
    return isinstance(out, (list, tuple)) and bool(out) and all(map(_is_score, out))


def _is_score(x) -> bool:
    return isinstance(x, (Value, numbers.Real))


def _accuracy(outputs, targets, loss) -> float | None:
    """The fraction of samples classified right, or None where that means nothing: a
    regression loss, targets that are not class labels, or outputs that are not
    scores (an embedding network's triplets, say, under a loss of your own)."""
    if loss == "mse" or not targets or not all(map(_is_label, targets)):
        return None
    if not all(map(_is_scores, outputs)):
        return None
    correct = 0
    for out, t in zip(outputs, targets):
        pred = _label(out)
        # One output: labels may be 0/1 or -1/+1, so compare the sides of 0.
        binary = isinstance(out, Value) or len(out) == 1
        correct += (pred == 1) == (t > 0) if binary else pred == t
    return correct / len(targets)


class Evaluation(NamedTuple):
    loss: float
    accuracy: float | None


def evaluate(model, X, y, *, loss) -> Evaluation:
    """The model's mean loss and accuracy on ``(X, y)``, in evaluation mode and under
    ``no_grad``. ``loss`` is required, named as for ``fit`` ("hinge", "bce",
    "cross_entropy", "mse") or a function: there is no loss that suits every model."""
    X, y = list(X), list(y)
    _check_data(X, y, "evaluate")
    fn = _loss_function(loss)
    with in_mode(model, training=False), no_grad():
        outputs = [model(x) for x in X]
        value = fn(outputs, y)
    return Evaluation(float(value), _accuracy(outputs, y, loss))


def predict(model, X) -> list[int]:
    """The class each sample is predicted to be (argmax of the outputs, or for one
    output 1 if the score is positive, else 0), in evaluation mode, under ``no_grad``."""
    with in_mode(model, training=False), no_grad():
        return [_label(model(x)) for x in X]


# ===================================================================== fit
def _check_data(X, y, who: str) -> None:
    if len(X) != len(y):
        raise ValueError(f"{who}: {len(X)} samples but {len(y)} labels")
    if not X:
        raise ValueError(f"{who}: no samples")


def _validation(X, y, val, val_split, seed):
    """(X_train, y_train, X_val, y_val); the validation part is None without one."""
    if val is not None and val_split is not None:
        raise ValueError("give val or val_split, not both")
    if val_split is not None:
        return train_val_split(X, y, val_fraction=val_split, seed=seed)
    if val is None:
        return X, y, None, None
    X_val, y_val = (list(part) for part in val)
    _check_data(X_val, y_val, "fit (validation data)")
    return X, y, X_val, y_val


@contextlib.contextmanager
def _progress_bar(epochs: int, enabled: bool):
    """A tqdm bar over the epochs: a widget in a notebook, text elsewhere.

    A widget saved in a notebook keeps, as its text, the state it was displayed in
    (0%): where no kernel runs (a code host, an untrusted JupyterLab) that is all a
    reader sees. So in a notebook the bar is displayed under a display id and shown
    once more when it closes, and the saved text is its final line.
    """
    # Imported here, not with nn: tqdm.auto loads IPython and ipywidgets where they are
    # installed (23,000 objects), which made `import nn` take half as long again, for
    # a bar that only fit draws.
    from tqdm.auto import tqdm  # a widget in notebooks, text elsewhere
    from tqdm.notebook import tqdm as notebook_tqdm

    in_notebook = enabled and issubclass(tqdm, notebook_tqdm)
    options = {"display": False} if in_notebook else {}
    bar = tqdm(total=epochs, desc="train", unit="epoch", disable=not enabled, **options)
    shown = None
    if in_notebook:
        from IPython.display import display  # there whenever a notebook bar is

        shown = display(bar.container, display_id=True)
    try:
        yield bar
    finally:
        bar.close()
        if shown is not None:
            shown.update(bar.container)


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for one training step.

    A step builds tens of thousands of nodes that live until the step ends. They form
    no reference cycles (a graph is freed by reference counting alone), yet the
    collector would scan them again and again, with every other live object in the
    process: in a notebook or a test run that doubles the time of a step. Pausing it
    for the step loses nothing: it resumes after, and collects any cycles made
    meanwhile then.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _epoch(model, X, y, batches, loss, loss_fn, optimizer, penalty, max_grad_norm, bar):
    """One pass over the batches, one optimiser step each. Returns the epoch's mean
    data loss and accuracy (None when accuracy does not apply)."""
    total, correct, counted, seen = 0.0, 0.0, 0, 0
    for batch in batches:
        targets = [y[i] for i in batch]
        with _collector_paused():
            outputs = [model(X[i]) for i in batch]
            data_loss = loss_fn(outputs, targets)
            objective = data_loss + penalty() if penalty is not None else data_loss
            optimizer.zero_grad()
            objective.backward()
            if max_grad_norm is not None:
                clip_grad_norm(optimizer.params, max_grad_norm)
            optimizer.step()
        seen += len(batch)
        total += data_loss.data * len(batch)
        accuracy = _accuracy(outputs, targets, loss)
        if accuracy is not None:
            correct += accuracy * len(batch)
            counted += len(batch)
        bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)  # the running loss
    return total / seen, (correct / counted if counted else None)


def fit(
    model,
    X,
    y,
    *,
    loss="hinge",
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    max_grad_norm: float | None = None,
    val=None,
    val_split: float | None = None,
    early_stopping: int | None = None,
    restore_best: bool = True,
    scheduler=None,
    callback=None,
    shuffle: bool = True,
    seed=None,
    progress: bool = True,
) -> History:
    """Train ``model`` on samples ``X`` with targets ``y``; return the ``History``.

    - ``loss``: "hinge" (one output; labels 0/1 or -1/+1), "bce" (one output, a
      logit; labels 0/1), "cross_entropy" (one logit per class; int labels), "mse",
      or a function ``loss(outputs, targets) -> Value`` over a batch.
    - ``optimizer``: an optimiser object, by default ``Adam(model, lr=0.01)``. Built
      from the model itself, it skips frozen layers.
    - ``batch_size``: None for full batch; otherwise shuffled mini-batches (seeded
      by ``seed``; ``shuffle=False`` keeps the data order).
    - ``l2``: adds ``l2 * sum(p*p)``, over the parameters the optimiser updates, to
      each batch's loss (micrograd's regularisation; the optimisers' ``weight_decay``
      is the same thing applied in the update).
    - ``max_grad_norm``: clip the gradient to this norm before every step
      (``clip_grad_norm``), against exploding gradients.
    - ``val=(X_val, y_val)``, or ``val_split=0.2`` to hold out a seeded fraction.
    - ``early_stopping=k``: stop when the validation loss has not improved for k
      epochs; with ``restore_best`` the best epoch's weights are loaded back.
    - ``scheduler``: stepped once after every epoch (``LinearLR``, ``StepLR`` ...).
    - ``callback(epoch, history)``: called after every epoch (counted from 1);
      return True to stop.
    - ``progress``: show a tqdm bar with the running loss. When training ends its
      last line shows the trained model's loss and accuracy (what ``evaluate``
      returns; one more pass over the data), while ``History.loss`` holds each
      epoch's mean during the pass.

    The model trains in training mode (dropout on) and is measured in evaluation
    mode; afterwards every module is back in the mode it was in.
    """
    X, y = list(X), list(y)
    _check_data(X, y, "fit")
    X, y, X_val, y_val = _validation(X, y, val, val_split, seed)
    epochs = integer(epochs, "epochs")
    size = len(X) if batch_size is None else integer(batch_size, "batch_size")
    l2 = number(l2, "l2", at_least=0.0)
    if max_grad_norm is not None:
        max_grad_norm = number(max_grad_norm, "max_grad_norm", at_least=0.0)
    if early_stopping is not None:
        early_stopping = integer(early_stopping, "early_stopping")
        if X_val is None:
            raise ValueError("early_stopping needs validation data: pass val=(X, y) or val_split")
    loss_fn = _loss_function(loss)
    if optimizer is None:
        if not isinstance(model, Module):
            raise ValueError("fit: pass an optimizer for a model that is not a Module")
        optimizer = Adam(model, lr=0.01)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be an optimiser object such as Adam(model, lr=0.01) or "
            f"SGD(model, lr=0.1), not {optimizer!r}"
        )

    def penalty() -> Value:  # l2 * sum(p*p) over what the optimiser trains
        return l2 * losses.l2(optimizer.params)

    rng = random.Random(seed)
    order = list(range(len(X)))
    history = History()
    best_loss, best_state, waited = math.inf, None, 0
    with in_mode(model, training=True), _progress_bar(epochs, progress) as bar:
        for epoch in range(1, epochs + 1):
            if shuffle and size < len(X):
                rng.shuffle(order)
            history.lr.append(optimizer.lr)
            batches = [order[start : start + size] for start in range(0, len(X), size)]
            mean_loss, accuracy = _epoch(model, X, y, batches, loss, loss_fn, optimizer,
                                         penalty if l2 else None, max_grad_norm, bar)  # fmt: skip
            history.loss.append(mean_loss)
            history.accuracy.append(accuracy)
            if X_val is not None:
                v = evaluate(model, X_val, y_val, loss=loss)
                history.val_loss.append(v.loss)
                history.val_accuracy.append(v.accuracy)
                if v.loss < best_loss:
                    best_loss, waited, history.best_epoch = v.loss, 0, epoch
                    if early_stopping is not None and restore_best and isinstance(model, Module):
                        best_state = model.state_dict()
                else:
                    waited += 1
            bar.set_postfix(_shown(history), refresh=False)
            bar.update(1)
            if scheduler is not None:
                scheduler.step()
            if callback is not None and callback(epoch, history) is True:
                history.stopped = "callback"
                break
            if early_stopping is not None and waited >= early_stopping:
                history.stopped = f"early stopping: no better validation loss for {waited} epochs"
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        if progress:
            bar.set_postfix(_final(model, X, y, X_val, y_val, loss), refresh=False)
    return history


def _postfix(loss: float, accuracy: float | None, prefix: str = "") -> dict[str, str]:
    shown = {f"{prefix}loss": f"{loss:.4f}"}
    if accuracy is not None:
        shown[f"{prefix}acc"] = f"{accuracy:.3f}"
    return shown


def _shown(history: History) -> dict[str, str]:
    """The bar's numbers after an epoch: its mean training loss and accuracy, and
    the validation loss and accuracy after it."""
    shown = _postfix(history.loss[-1], history.accuracy[-1])
    if history.val_loss:
        shown.update(_postfix(history.val_loss[-1], history.val_accuracy[-1], "val_"))
    return shown


def _final(model, X, y, X_val, y_val, loss) -> dict[str, str]:
    """The bar's numbers when training is over: the trained model's, as ``evaluate``
    gives them, so that they equal any summary printed after the bar."""
    shown = _postfix(*evaluate(model, X, y, loss=loss))
    if X_val is not None:
        shown.update(_postfix(*evaluate(model, X_val, y_val, loss=loss), "val_"))
    return shown
