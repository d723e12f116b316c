"""A hypothesis strategy for random expression graphs, shared by the property tests.

A ``Program`` is a small straight-line program: a few leaf numbers, then instructions
that each combine earlier results (any earlier result, so subexpressions are shared,
and an instruction may use one result twice, as in ``a*a``). The last step sums every
result nothing else used, so every leaf and instruction reaches the root.

One program runs on several backends, which is what makes it an oracle: chainrule
Values, PyTorch tensors (``TorchBackend``: tests/test_torch_parity.py and
tests/test_calculus.py) and mpmath numbers at high precision. Each instruction form is
written once, with operators and ``K.fn(name, x)`` only, so every backend computes the
same expression.

Domains hold by construction: divisors, log and sqrt operands and powers' bases are
guarded (``b*b + 0.5``, ``sigmoid(a) + 0.5``...). Overflow and huge magnitudes cannot be
ruled out that way (``exp(exp(a*a))``), so the strategy rejects programs whose float
run raises or leaves any |value| above ``MAX_MAGNITUDE``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from operator import add

from hypothesis import assume
from hypothesis import strategies as st

from autograd import Value, dot, sum_of, topological_order

MAX_MAGNITUDE = 1e4

# name -> (number of arguments, kind of number constant, body). ``None`` arity means
# "any number from 1 to 4" (sum), "an even number from 2 to 6" (dot) or one more than
# that (neuron: a bias, then weights and inputs). Forms are
# listed simplest first: hypothesis shrinks towards the start of the list.
_FORMS = {
    "add": (2, None, lambda K, c, a, b: a + b),
    "mul": (2, None, lambda K, c, a, b: a * b),
    "sub": (2, None, lambda K, c, a, b: a - b),
    "neg": (1, None, lambda K, c, a: -a),
    "add_number": (1, "any", lambda K, c, a: a + c),
    "number_add": (1, "any", lambda K, c, a: c + a),
    "sub_number": (1, "any", lambda K, c, a: a - c),
    "number_sub": (1, "any", lambda K, c, a: c - a),
    "mul_number": (1, "any", lambda K, c, a: a * c),
    "number_mul": (1, "any", lambda K, c, a: c * a),
    "div_number": (1, "divisor", lambda K, c, a: a / c),
    "div": (2, None, lambda K, c, a, b: a / (b * b + 0.5)),
    "number_div": (1, "any", lambda K, c, a: c / (a * a + 0.5)),
    "tanh": (1, None, lambda K, c, a: K.fn("tanh", a)),
    "sigmoid": (1, None, lambda K, c, a: K.fn("sigmoid", a)),
    "softplus": (1, None, lambda K, c, a: K.fn("softplus", a)),
    "exp": (1, None, lambda K, c, a: K.fn("exp", a)),
    "log": (1, None, lambda K, c, a: K.fn("log", a * a + 0.1)),
    "sqrt": (1, None, lambda K, c, a: K.fn("sqrt", a * a + 0.01)),
    "sin": (1, None, lambda K, c, a: K.fn("sin", a)),
    "cos": (1, None, lambda K, c, a: K.fn("cos", a)),
    "abs": (1, None, lambda K, c, a: abs(a)),
    "relu": (1, None, lambda K, c, a: K.fn("relu", a)),
    "pow_integer": (1, "integer", lambda K, c, a: a**c),  # any sign of base
    "pow_number": (1, "exponent", lambda K, c, a: (a * a + 0.5) ** c),
    "number_pow": (1, "base", lambda K, c, a: c**a),
    "pow_value": (2, None, lambda K, c, a, b: (K.fn("sigmoid", a) + 0.5) ** b),
    "sum": (None, "any", lambda K, c, *xs: K.sum([*xs, c])),
    "dot": (None, None, lambda K, c, *wx: K.dot(wx[: len(wx) // 2], wx[len(wx) // 2 :])),
    "neuron": (None, None, lambda K, c, b, *wx: K.dot(wx[: len(wx) // 2], wx[len(wx) // 2 :], b)),
}
FORM_NAMES = tuple(_FORMS)
KINK_FORMS = ("abs", "relu")  # not differentiable where their argument is 0

_CONSTANTS = {
    "any": st.floats(-3.0, 3.0, allow_nan=False),
    "divisor": st.floats(0.5, 4.0) | st.floats(-4.0, -0.5),
    "integer": st.sampled_from((2, 0, 1, 3)),  # 2 first: x**0 and x**1 are odd cases
    "exponent": st.floats(-2.5, 2.5, allow_nan=False),
    "base": st.floats(0.25, 4.0),
}


@dataclass(frozen=True)
class Instruction:
    form: str
    args: tuple[int, ...]  # indices into the results so far (leaves come first)
    constant: float | None = None


@dataclass(frozen=True)
class Program:
    leaves: tuple[float, ...]
    body: tuple[Instruction, ...]

    def sinks(self) -> list[int]:
        """Results that no instruction uses: the final sum adds them all."""
        used = {i for ins in self.body for i in ins.args}
        return [i for i in range(len(self.leaves) + len(self.body)) if i not in used]

    def run(self, K, leaves, *, on_kink=None, results=None):
        """Run on backend ``K`` from the given leaf objects; returns the root.

        ``on_kink(x)`` is called with the argument of every abs and relu; a list given
        as ``results`` receives every leaf and instruction result, in program order."""
        results = [] if results is None else results
        results.extend(leaves)
        for ins in self.body:
            arity, _, body = _FORMS[ins.form]
            args = [results[i] for i in ins.args]
            if on_kink is not None and ins.form in KINK_FORMS:
                on_kink(args[0])
            results.append(body(K, ins.constant, *args))
        sinks = [results[i] for i in self.sinks()]
        return sinks[0] if len(sinks) == 1 else K.sum(sinks)

    def build(self):
        """The program as a chainrule graph: ``(leaf Values, root Value)``."""
        leaves = [Value(x, label=f"x{i}") for i, x in enumerate(self.leaves)]
        return leaves, self.run(CHAINRULE, leaves)

    def kink_clearance(self) -> float:
        """The smallest |argument| of any abs or relu (inf when there is none)."""
        seen = [math.inf]
        self.run(
            CHAINRULE, [Value(x) for x in self.leaves], on_kink=lambda a: seen.append(abs(a.data))
        )
        return min(seen)

    def __repr__(self) -> str:  # readable in hypothesis' falsifying examples
        lines = [f"Program(leaves={self.leaves!r}, body=["]
        lines += [f"    {ins.form}{ins.args} c={ins.constant!r}," for ins in self.body]
        return "\n".join(lines) + "\n])"


_EXAMPLE_CONSTANT = {"any": 1.5, "divisor": 2.0, "integer": 2, "exponent": 1.5, "base": 2.0}


def example_program(form: str) -> Program:
    """A one-instruction program using ``form``, for tests that need every form."""
    arity, constant_kind, _ = _FORMS[form]
    if arity is None:
        arity = {"sum": 2, "dot": 2, "neuron": 3}[form]
    constant = _EXAMPLE_CONSTANT[constant_kind] if constant_kind else None
    return Program((0.5, 1.25, 2.0), (Instruction(form, tuple(range(arity)), constant),))


class _Chainrule:
    @staticmethod
    def fn(name, x):
        return getattr(x, name)()

    @staticmethod
    def sum(xs):
        return sum_of(xs)

    @staticmethod
    def dot(ws, xs, bias=None):
        return dot(ws, xs) if bias is None else dot(ws, xs, bias)


CHAINRULE = _Chainrule()


class MpmathBackend:
    """The same program in mpmath numbers (exact leaves, working precision of ``mp``)."""

    def __init__(self, mp):
        self.mp = mp
        self._fns = {
            "exp": mp.exp,
            "log": mp.log,
            "sqrt": mp.sqrt,
            "tanh": mp.tanh,
            "sin": mp.sin,
            "cos": mp.cos,
            "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
            "softplus": lambda x: mp.log(1 + mp.exp(x)),
            "relu": lambda x: x if x > 0 else mp.zero,
        }

    def fn(self, name, x):
        return self._fns[name](x)

    @staticmethod
    def sum(xs):
        return reduce(add, xs)

    @staticmethod
    def dot(ws, xs, bias=None):
        total = reduce(add, [w * x for w, x in zip(ws, xs)])
        return total if bias is None else total + bias


class TorchBackend:
    """The same program on PyTorch float64 tensors (``torch`` passed in: it is optional)."""

    def __init__(self, torch):
        names = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos")
        self._fns = {name: getattr(torch, name) for name in names}
        # torch's softplus returns x itself above its threshold (20), and without the
        # threshold its gradient is inf/inf = NaN from x = 710 on: log(e^x + e^0) is
        # log(1 + e^x) computed stably, as chainrule's softplus is.
        self._fns["softplus"] = lambda x: torch.logaddexp(x, torch.zeros_like(x))

    def fn(self, name, x):
        return self._fns[name](x)

    @staticmethod
    def sum(xs):
        return reduce(add, xs)  # left to right, as Python's sum adds

    @staticmethod
    def dot(ws, xs, bias=None):
        total = reduce(add, [w * x for w, x in zip(ws, xs)])
        return total if bias is None else total + bias


def _all_data(root: Value) -> list[float]:
    return [node.data for node in topological_order(root)]


@st.composite
def programs(draw, *, max_leaves: int = 4, max_instructions: int = 10) -> Program:
    """Random expression graphs that chainrule evaluates without a domain error, every
    value finite and at most ``MAX_MAGNITUDE`` in size."""
    leaves = tuple(
        draw(st.lists(st.floats(-3.0, 3.0, allow_nan=False), min_size=1, max_size=max_leaves))
    )
    body: list[Instruction] = []
    for _ in range(draw(st.integers(1, max_instructions))):
        available = len(leaves) + len(body)
        form = draw(st.sampled_from(FORM_NAMES))
        arity, constant_kind, _ = _FORMS[form]
        if arity is None:
            arity = draw(st.integers(1, 4)) if form == "sum" else 2 * draw(st.integers(1, 3))
            arity += form == "neuron"
        # Any earlier result may be an argument, the same one more than once included.
        args = tuple(draw(st.integers(0, available - 1)) for _ in range(arity))
        constant = draw(_CONSTANTS[constant_kind]) if constant_kind else None
        body.append(Instruction(form, args, constant))
    program = Program(leaves, tuple(body))
    try:
        _, root = program.build()
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    assume(all(abs(x) <= MAX_MAGNITUDE for x in _all_data(root)))
    return program
