"""The graph walk and the chain-rule loop: ``topological_order``, ``backward`` and
``backprop_steps``, on hand-made graphs, on random ones (hypothesis), and at scale."""

from __future__ import annotations

import gc
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from examples import messy_graph
from hypothesis import assume, given, settings
from mpmath import mp, mpf
from strategies import FORM_NAMES, MpmathBackend, example_program, programs

from autograd import Value, backprop_steps, no_grad, ops, topological_order

ROOT = Path(__file__).resolve().parents[1]


def _reachable(root: Value) -> set[int]:
    """Ids of the nodes reachable from root: the test's own walk, for comparison."""
    seen, todo = set(), [root]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen.add(id(node))
            todo.extend(node.inputs)
    return seen


def assert_valid_order(order: list[Value], root: Value) -> None:
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert set(position) == _reachable(root), "not exactly the nodes root depends on"
    assert order[-1] is root
    for i, node in enumerate(order):
        for input in node.inputs:
            assert position[id(input)] < i, "an input comes after a node using it"


# ---------------------------------------------------------------- topological_order
def test_order_of_a_small_graph_is_valid():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    ab = a * b
    root = ab + ab * c
    order = topological_order(root)
    assert isinstance(order, list)
    assert len(order) == 6  # a, b, a*b, c, (a*b)*c, root
    assert_valid_order(order, root)


def test_order_lists_a_node_used_twice_once():
    a = Value(3.0)
    root = a * a
    assert topological_order(root) == [a, root]


def test_order_of_a_leaf_is_the_leaf():
    a = Value(3.0)
    assert topological_order(a) == [a]


def test_order_is_the_same_every_call():
    _, root = messy_graph()
    first = topological_order(root)
    assert topological_order(root) == first
    assert_valid_order(first, root)


def test_order_of_a_subgraph_then_of_the_whole_graph_are_both_valid():
    a, b = Value(1.5), Value(-0.5)
    shared = (a * b).tanh()
    left = shared + a
    root = left * shared + b
    assert_valid_order(topological_order(left), left)
    assert_valid_order(topological_order(root), root)
    assert_valid_order(topological_order(left), left)


@settings(max_examples=200)
@given(programs(max_instructions=16))
def test_order_of_random_graphs_is_valid(program):
    _, root = program.build()
    order = topological_order(root)
    assert_valid_order(order, root)
    assert topological_order(root) == order  # deterministic
    # Walking a part of the graph first changes nothing for the whole graph.
    middle = order[len(order) // 2]
    assert_valid_order(topological_order(middle), middle)
    assert topological_order(root) == order


# ---------------------------------------------------------------- backward
def test_backward_of_a_one_node_graph_gives_one_and_accumulates():
    a = Value(3.0)
    a.backward()
    assert a.grad == 1.0
    a.backward()
    assert a.grad == 2.0


def test_backward_of_a_product():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    assert (a.grad, b.grad, c.grad) == (-2.0, 2.0, 1.0)


def test_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_sum_of_sums_counts_every_path():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)


def test_diamond_graph():
    x = 0.8
    a = Value(x)
    d = a.exp() * a.sin()  # a reaches d along two paths
    d.backward()
    assert math.isclose(a.grad, math.exp(x) * (math.sin(x) + math.cos(x)), rel_tol=1e-14)


def test_stacked_diamonds_double_the_gradient_at_each_level():
    a = Value(1.0)
    x = a
    for _ in range(30):  # x = x + x, 30 times: d/da = 2**30
        x = x + x
    x.backward()
    assert a.grad == 2.0**30


def test_constants_are_leaves_and_receive_gradients():
    x = Value(4.0)
    y = x * 3 + 2
    y.backward()
    product, two = y.inputs
    three = product.inputs[1]
    assert (three.op, three.inputs, three.data) == ("", (), 3.0)
    assert (x.grad, three.grad, two.grad) == (3.0, 4.0, 1.0)


def test_non_leaf_grads_are_reset_on_every_call():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    loss = c * c
    loss.backward()
    loss.backward()
    assert c.grad == 2 * c.data  # this call's ∂loss/∂c, not twice it
    assert a.grad == 2 * (2 * c.data * b.data)  # leaves accumulated


def test_non_leaf_grad_shows_the_latest_root():
    a = Value(2.0)
    c = a * 5.0
    first, second = c * 2.0, c * 3.0
    first.backward()
    assert c.grad == 2.0
    second.backward()
    assert c.grad == 3.0
    assert a.grad == 10.0 + 15.0  # the leaf gathers both roots' gradients


def test_backward_twice_exactly_doubles_leaf_grads():
    leaves, root = messy_graph()
    root.backward()
    once = [leaf.grad for leaf in leaves]
    root.backward()
    assert [leaf.grad for leaf in leaves] == [2.0 * g for g in once]  # bit for bit
    assert all(g != 0.0 for g in once)


def test_backward_adds_to_a_leaf_grad_set_by_hand():
    a = Value(2.0)
    a.grad = 0.5
    (a * a).backward()
    assert a.grad == 4.5


def test_backward_works_inside_no_grad():
    a = Value(3.0)
    b = a * a
    with no_grad():
        b.backward()
        steps = backprop_steps(b)
    assert a.grad == 12.0 and len(steps) == 2


@settings(max_examples=200)
@given(programs(max_instructions=16))
def test_gradients_of_random_graphs_match_central_differences(program):
    # Central differences evaluated with mpmath at 40 digits: a step of 1e-15 leaves
    # no truncation error worth the name and no rounding error, so the only slack
    # needed is for chainrule's own float rounding. Kinks of abs/relu must be further
    # from the point than the step.
    assume(program.kink_clearance() > 1e-6)
    leaves, root = program.build()
    root.backward()
    scale = max(1.0, *(abs(n.grad) for n in topological_order(root)))
    backend = MpmathBackend(mp)
    with mp.workdps(40):
        point = [mpf(x) for x in program.leaves]
        for i, leaf in enumerate(leaves):
            h = mpf(10) ** -15 * max(1, abs(point[i]))
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            numeric = float((program.run(backend, up) - program.run(backend, down)) / (2 * h))
            close = math.isclose(leaf.grad, numeric, rel_tol=1e-8, abs_tol=1e-10 * scale)
            assert close, (i, leaf.grad, numeric)


def test_random_graphs_can_use_every_op():
    # The property tests reach every op: adding an op means adding a form to them.
    used = set()
    for form in FORM_NAMES:
        _, root = example_program(form).build()
        used |= {node.op for node in topological_order(root)}
    assert {op.name for op in ops.ALL} <= used


# ---------------------------------------------------------------- scale and robustness
def _live_values() -> int:
    # type(obj), not isinstance: isinstance may look up __class__ on any object in
    # the process, and some (torch's lazy modules) warn when touched.
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), Value))


@pytest.mark.slow
def test_million_node_deep_chain_backward_then_freed():
    # x = x0 * c * c * ... * c, a million levels deep, c one shared leaf: no
    # recursion anywhere, and c gathers a million contributions.
    depth = 1_000_000
    gc.collect()
    gc.disable()  # no cycles to find: the collector would only slow the build down
    try:
        before = _live_values()
        x0, c = Value(1.0, label="x0"), Value(1.0000001, label="c")
        x = x0
        for _ in range(depth):
            x = x * c
        x.backward()
        # Each of the million roundings is relative 1e-16: 1e-9 is ample.
        assert math.isclose(x.data, c.data**depth, rel_tol=1e-9)  # ≈ e**0.1
        assert math.isclose(x0.grad, c.data**depth, rel_tol=1e-9)
        assert math.isclose(c.grad, depth * c.data ** (depth - 1), rel_tol=1e-9)
        del x  # a million-deep chain of deallocations: must not crash
        after = _live_values()
    finally:
        gc.enable()
    assert after == before + 2  # only x0 and c are left, freed by reference counting


_DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import random
    from autograd import Value, backprop_steps, dot, sum_of

    rng = random.Random(20240601)
    leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(8)]
    nodes = list(leaves)
    forms = [
        lambda a, b: (a * b).tanh(),
        lambda a, b: (a + b).sin(),
        lambda a, b: a.sigmoid() * b.tanh(),
        lambda a, b: dot([a, b], [b, a]).cos(),
        lambda a, b: sum_of([a, b, a, 0.5]).tanh(),
        lambda a, b: abs(a - b).relu() ** 0.5,
        lambda a, b: (a * a + 1).log() / (b.exp() + 1),
    ]
    for _ in range(400):
        nodes.append(rng.choice(forms)(rng.choice(nodes), rng.choice(nodes)))
    root = sum_of(nodes[-60:])
    root.backward()
    print(repr(root.data), repr([leaf.grad for leaf in leaves]))
    steps = backprop_steps(root)
    print(repr([leaf.grad for leaf in leaves]))
    print(repr([step.contribution for step in steps]))
    print("\\n".join(map(str, steps[-50:])))
    """
)


def test_gradients_are_bit_identical_across_processes_and_hash_seeds():
    outputs = []
    for seed in ("0", "1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _DETERMINISM_SCRIPT],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0].count("\n") > 50
    assert outputs[0] == outputs[1] == outputs[2]


def _unreachable_after_dropping(build) -> tuple[int, int]:
    """Build a graph with the cyclic collector off, drop it, and report how many Values
    outlived the drop and how many unreachable objects the collector then finds.
    Both are 0 when reference counting alone freed everything."""
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        graph = build()
        assert _live_values() > before
        del graph
        survivors = _live_values() - before
        found = gc.collect()  # an explicit collection still runs while disabled
    finally:
        gc.enable()
    return survivors, found


def _trained_graph():
    leaves, root = messy_graph()
    root.backward()
    steps = backprop_steps(root)
    return leaves, root, steps, topological_order(root), root.detach()


def test_graph_is_freed_by_reference_counting_alone():
    assert _unreachable_after_dropping(_trained_graph) == (0, 0)


def test_freed_check_detects_a_reference_cycle():
    # The control for the test above: the same graph with one cycle made by hand
    # (a leaf that refers back to the root) is not freed until collected.
    def with_a_cycle():
        leaves, root, *rest = _trained_graph()
        leaves[0].grad = root
        return leaves, root, rest

    survivors, found = _unreachable_after_dropping(with_a_cycle)
    assert survivors > 0 and found > 0


def test_threads_walking_graphs_that_share_nodes_each_get_a_valid_order():
    import sys
    import threading

    shared = [Value(float(i)) for i in range(50)]  # like one model's parameters
    graphs = []
    for t in range(8):
        v = Value(0.0)
        for i in range(300):
            v = v + shared[(i * (t + 1)) % 50] * shared[i % 50]
        graphs.append(v)
    expected = [len(topological_order(g)) for g in graphs]
    results, errors = [], []

    def walk(g, n):
        try:
            for _ in range(30):
                order = topological_order(g)
                results.append(len(order) == n and len(set(order)) == n)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=walk, args=(g, n)) for g, n in zip(graphs, expected)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race would show
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert len(results) == 8 * 30 and all(results)


def test_deepcopy_and_pickle_of_a_deep_graph_do_not_recurse():
    import copy
    import pickle
    import sys

    v = Value(0.5, label="x")
    for _ in range(3 * sys.getrecursionlimit()):
        v = v * 1.0
    v.backward()
    for clone in (copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        order = topological_order(clone)
        assert len(order) == len(topological_order(v))
        assert order[0].label == "x" and order[0].grad == 1.0
        assert clone is not v and order[0] is not topological_order(v)[0]


def test_copy_keeps_shared_inputs_shared_and_constants_constant():
    import copy

    from autograd.value import is_constant

    a = Value(2.0, label="a")
    b = a * a + 3
    c = copy.deepcopy(b)
    square, three = c.inputs
    assert square.inputs[0] is square.inputs[1] and square.inputs[0] is not a
    assert is_constant(three) and not is_constant(square.inputs[0])
    assert (c.data, c.op, square.local) == (b.data, b.op, b.inputs[0].local)


def test_local_targets_name_the_slots_of_each_layout():
    from autograd.graph import local_targets

    assert local_targets("v", 1) == "(v._local0,)"
    assert local_targets("nodes[3]", 2) == "nodes[3]._local0, nodes[3]._local1"
    assert local_targets("v", 5) == "v._local0"  # one tuple of them all
