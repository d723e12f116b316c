"""``Tape``: a graph recorded once, replayed by compiled straight-line code.

A replay must be indistinguishable from building the graph again from the leaves'
new data and calling backward: the same data, local derivatives and grads bit for
bit, the same errors, and nothing changed when it fails.
"""

from __future__ import annotations

import gc
import math

import pytest
from examples import messy_graph
from hypothesis import event, given, settings
from hypothesis import strategies as st
from strategies import programs

from autograd import Tape, Value, dot, ops, sum_of, topological_order
from autograd.value import apply


def _state(root) -> list[tuple]:
    """Every node's data, local derivatives and grad, bit for bit (repr shows -0.0)."""
    return [(repr(n.data), repr(n.local), repr(n.grad)) for n in topological_order(root)]


def _neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    xw = x * w
    xw.label = "xw"
    n = xw + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return (x, w, b), o


# ---------------------------------------------------------------- replay = rebuild
@settings(max_examples=150)
@given(programs(max_instructions=12), st.data())
def test_a_replay_gives_what_a_rebuilt_graph_gives_bit_for_bit(program, data):
    leaves, root = program.build()
    tape = Tape(root)
    # New data, now and then large enough for an op to overflow.
    any_x = st.floats(-3, 3) | st.sampled_from([0.0, 750.0, -750.0, 1e200, -1e300])
    new = data.draw(st.lists(any_x, min_size=len(leaves), max_size=len(leaves)))
    olds = data.draw(st.lists(st.floats(-2, 2), min_size=len(leaves), max_size=len(leaves)))
    fresh_leaves = [Value(x, label=f"x{i}") for i, x in enumerate(new)]
    try:
        fresh = program.run(_CHAINRULE, fresh_leaves)
    except (ArithmeticError, ValueError):  # the replay must fail as well
        event("the rebuilt graph raises")
        inner = [n for n in topological_order(root) if n.op]
        before = [(n.data, n.local) for n in inner]
        for leaf, x in zip(leaves, new):
            leaf.data = x
        error = _first_error_in_order(root)  # several ops may fail: the tape's order decides
        with pytest.raises(type(error)) as caught:
            tape.forward()
        assert str(caught.value) == str(error)
        assert [(n.data, n.local) for n in inner] == before  # nothing changed
        return
    for leaf, fresh_leaf, x, old in zip(leaves, fresh_leaves, new, olds):
        leaf.data = x
        leaf.grad = fresh_leaf.grad = old  # leaves add to what they had
    assert repr(tape.forward()) == repr(fresh.data)
    tape.backward()
    fresh.backward()
    assert _state(root) == _state(fresh)


_CHAINRULE = __import__("strategies").CHAINRULE


def _first_error_in_order(root):
    """The error that making each node of ``root``'s graph again, in topological order,
    from the leaves' data, raises first (the ops' own: value.apply)."""
    made = {}
    for node in topological_order(root):
        if not node.op:
            made[node] = Value(node.data)
            continue
        try:
            made[node] = apply(ops.BY_NAME[node.op], tuple(made[i] for i in node.inputs))
        except (ArithmeticError, ValueError) as error:
            return error
    raise AssertionError("no op fails")


def test_forward_recomputes_every_value_and_local_derivative_in_place():
    (x, w, b), o = _neuron()
    tape = Tape(o)
    x.data, w.data = -1.0, 0.5
    assert tape.forward() == math.tanh(-1.0 * 0.5 + b.data)
    xw, n = o.inputs[0].inputs[0], o.inputs[0]
    assert (xw.data, xw.local) == (-0.5, (0.5, -1.0))
    assert n.data == -0.5 + b.data
    assert o.local == (1.0 - o.data * o.data,)


def test_backward_has_backwards_semantics_leaves_add_inner_grads_are_replaced():
    (x, w, b), o = _neuron()
    tape = Tape(o)
    tape.backward()
    once = [x.grad, w.grad, b.grad]
    inner = o.inputs[0].grad
    tape.backward()
    assert [x.grad, w.grad, b.grad] == [2 * g for g in once]  # exactly twice
    assert o.inputs[0].grad == inner and o.grad == 1.0
    o.backward()
    assert [x.grad, w.grad, b.grad] == [3 * g for g in once]


def test_a_tape_of_n_ary_nodes_constants_and_shared_inputs_matches_backward():
    leaves, root = messy_graph()
    tape = Tape(root)
    tape.backward()
    by_tape = _state(root)
    for node in topological_order(root):
        node.grad = 0.0
    root.backward()
    assert _state(root) == by_tape
    a, b, c = leaves
    a.data, b.data = 0.1, -0.4
    tape.forward()
    recorded = root.inputs[0]  # messy_graph squares g first where g <= 0
    squared = recorded.op == "*" and recorded.inputs[0] is recorded.inputs[1]
    rebuilt = _rebuild_messy(0.1, -0.4, c.data, squared)
    assert [n.data for n in topological_order(root)] == [n.data for n in topological_order(rebuilt)]


def _rebuild_messy(a, b, c, squared):
    a, b, c = Value(a, label="a"), Value(b, label="b"), Value(c, label="c")
    h = (a * b + c).tanh()
    g = sum_of([h, a.exp() / c, h * h, 3.0]) * (b.sigmoid() + dot([a, b], [c, h]))
    return (g * g).log() if squared else g.log()  # the branch the tape recorded


def test_a_tape_of_a_leaf():
    v = Value(3.0)
    tape = Tape(v)
    assert tape.forward() == 3.0
    tape.backward()
    tape.backward()
    assert v.grad == 2.0


def test_a_tape_needs_a_value():
    with pytest.raises(TypeError, match="Tape needs a Value, not float"):
        Tape(3.0)


# ---------------------------------------------------------------- errors and edges
@pytest.mark.parametrize(
    ("make", "bad", "error"),
    [
        (lambda a: (a * a - 1.0).log(), 0.5, ValueError),
        (lambda a: 1.0 / (a - 2.0), 2.0, ZeroDivisionError),
        (lambda a: (a * 1e300) * a, 1e10, OverflowError),
        (lambda a: ((a * 1e300) * a).sin(), 1e10, OverflowError),  # the first error wins
        (lambda a: (a * 400.0).exp(), 3.0, OverflowError),
    ],
)
def test_a_replayed_error_is_the_ops_own_and_changes_nothing(make, bad, error):
    a = Value(1.5, label="a")
    root = make(a)
    tape = Tape(root)

    def everything_but_a():
        return [s for n, s in zip(topological_order(root), _state(root)) if n is not a]

    before = everything_but_a()
    with pytest.raises(error) as first_time:
        make(Value(bad, label="a"))
    a.data = bad
    with pytest.raises(error) as replayed:
        tape.forward()
    assert str(replayed.value) == str(first_time.value)
    assert everything_but_a() == before
    if hasattr(replayed.value, "__notes__"):
        assert "replaying a Tape" in replayed.value.__notes__[0]


def test_a_replay_goes_node_by_node_only_for_errors_and_non_finite_values(monkeypatch):
    from autograd import tape as tape_module

    calls = []
    checked = tape_module._checked_forward
    monkeypatch.setattr(tape_module, "_checked_forward", lambda order: calls.append(checked(order)))
    a = Value(-1.0)
    tape = Tape(a.relu() * 3.0)  # a root of 0.0
    assert tape.forward() == 0.0 and calls == []
    a.data = math.inf
    assert tape.forward() == math.inf and len(calls) == 1


def test_non_finite_leaves_replay_as_the_ops_compute_them():
    a, b = Value(1.0), Value(2.0)
    root = a * b + a
    tape = Tape(root)
    a.data = math.inf
    assert tape.forward() == math.inf  # as inf * 2 + inf: no error, an input was inf
    assert root.inputs[0].local == (2.0, math.inf)


def test_zero_times_an_infinite_slope_is_zero_in_a_replayed_backward():
    x = Value(0.0)
    root = (x * x).sqrt()  # sqrt's slope at 0 is +inf; the product's is 0
    tape = Tape(root)
    tape.backward()
    assert x.grad == 0.0
    x.grad = 0.0
    root.backward()
    assert x.grad == 0.0


def test_a_replay_makes_no_node():
    leaves, root = messy_graph()
    tape = Tape(root)
    gc.collect()
    before = sum(1 for obj in gc.get_objects() if type(obj) is Value)
    tape.forward()
    tape.backward()
    after = sum(1 for obj in gc.get_objects() if type(obj) is Value)
    assert after == before


def test_a_tape_does_not_see_a_python_branch_on_data():
    # Recorded with x > 0, the tape keeps x * x; the code below would take -x now.
    x = Value(2.0)
    y = x * x if x.data > 0 else -x
    tape = Tape(y)
    x.data = -3.0
    assert tape.forward() == 9.0


def test_replay_works_inside_no_grad():
    from autograd import no_grad

    (x, w, b), o = _neuron()
    tape = Tape(o)
    x.data = 1.0
    with no_grad():
        assert tape.forward() == math.tanh(-3.0 + b.data)
        tape.backward()
    assert x.grad == o.local[0] * 1.0 * w.data


# ---------------------------------------------------------------- the source
def test_source_is_the_straight_line_code_of_both_passes():
    _, o = _neuron()
    source = Tape(o).source()
    assert source.startswith("def forward(nodes):")
    assert "    xw = x * w\n" in source
    assert "    o = math.tanh(n)\n" in source
    assert "\ndef backward(nodes):" in source
    assert "        x_grad += nodes[2]._local0 * xw_grad\n" in source
    assert "for " not in source and "while " not in source  # straight-line
    compile(source, "tape", "exec")


def test_source_names_nodes_by_label_else_by_position():
    a = Value(1.0, label="a")
    b = Value(2.0, label="class")  # not a Python name
    c = Value(3.0, label="a")  # the name is taken
    root = (a * b + c).exp()
    source = Tape(root).source()
    assert "    a = nodes[0].data\n" in source
    assert "    n1 = nodes[1].data\n" in source
    assert "    n2 = a * n1\n" in source
    assert "    n3 = nodes[3].data\n" in source
    assert "    n4 = n2 + n3\n" in source
    assert "    n5 = _exp(n4)\n" in source


def test_len_and_repr():
    _, o = _neuron()
    tape = Tape(o)
    assert len(tape) == 6
    assert repr(tape).startswith("<Tape of 6 nodes, root Value(")


def test_an_op_without_texts_is_applied_and_replayed_through_its_functions():
    # An op added without its rules as text still works everywhere, only slower.
    from autograd.value import apply

    cube = ops.Op("cube", lambda x: x**3, lambda out, x: (3 * x * x,), "call", "cube", 1)
    ops.BY_NAME["cube"] = cube
    try:
        x = Value(2.0)
        root = apply(cube, (x,)) * 1.0
        assert (root.data, root.inputs[0].local) == (8.0, (12.0,))
        tape = Tape(root)
        x.data = 3.0
        assert tape.forward() == 27.0
        tape.backward()
        assert x.grad == 27.0
    finally:
        del ops.BY_NAME["cube"]
