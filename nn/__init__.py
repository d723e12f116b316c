"""chainrule's ``nn``: neurons, layers, MLPs, convolutions, recurrent cells (Elman, LSTM,
GRU), dropout, embeddings, losses, optimisers, datasets, a training loop and a bridge to
PyTorch, all on top of ``autograd.Value``.

    >>> from nn import MLP, Adam, evaluate, fit, make_moons
    >>> X, y = make_moons(n=100, noise=0.1, seed=1337)
    >>> model = MLP(2, [16, 1], seed=1337)
    >>> history = fit(model, X, y, loss="hinge", optimizer=Adam(model, lr=0.05), epochs=100,
    ...               progress=False)
    >>> evaluate(model, X, y, loss="hinge").accuracy
    1.0

Where things are, each module importing only those listed after it: ``demo``
(``chainrule train``), ``plot`` (matplotlib, optional), ``train`` (fit), ``optim``
(optimisers, lr schedules, gradient clipping), ``losses``, ``data``, ``export``
(to_torch), ``layers`` (Neuron, Layer, MLP, Conv2d, ...), ``recurrent`` (RNNCell,
LSTMCell, GRUCell, RNN), ``module`` (Module, Sequential), ``state`` (saving and
loading), ``checks`` (argument checks).
"""

from nn.data import (
    make_circles,
    make_digits,
    make_moons,
    make_spiral,
    make_xor,
    standardize,
    train_val_split,
)
from nn.export import load_from_torch, to_torch
from nn.layers import (
    MLP,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    MaxPool2d,
    Neuron,
    ReLU,
    RMSNorm,
    Sigmoid,
    Tanh,
    softmax,
)
from nn.losses import (
    bce_with_logits,
    cross_entropy,
    hinge_loss,
    l2,
    mse_loss,
    triplet_margin_loss,
)
from nn.module import Module, Sequential
from nn.optim import SGD, Adam, LambdaLR, LinearLR, RMSprop, StepLR, clip_grad_norm
from nn.plot import plot_accuracy, plot_decision_boundary, plot_losses
from nn.recurrent import RNN, GRUCell, LSTMCell, RNNCell, unroll
from nn.train import History, evaluate, fit, predict

# fmt: off
__all__ = [
    "Module", "Sequential", "Neuron", "Layer", "MLP",
    "Conv2d", "MaxPool2d", "Flatten", "ReLU", "Tanh", "Sigmoid", "Dropout",
    "Embedding", "RMSNorm", "softmax",
    "RNNCell", "LSTMCell", "GRUCell", "RNN", "unroll",
    "mse_loss", "hinge_loss", "bce_with_logits", "cross_entropy", "l2", "triplet_margin_loss",
    "SGD", "Adam", "RMSprop", "LambdaLR", "StepLR", "LinearLR", "clip_grad_norm",
    "make_moons", "make_circles", "make_spiral", "make_xor", "make_digits",
    "train_val_split", "standardize",
    "fit", "History", "evaluate", "predict",
    "plot_losses", "plot_accuracy", "plot_decision_boundary",
    "to_torch", "load_from_torch",
]
# fmt: on
