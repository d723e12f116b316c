"""The recorded backward pass (autograd.steps): ``Step``, ``Steps``, ``backprop_steps``
and ``replay``, node names, the notation, and the tables (text and HTML); and the
forward-mode table, ``tangent_table``."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from examples import all_grads, classic, messy_graph
from hypothesis import given, settings
from strategies import programs

from autograd import Step, Steps, Value, backprop_steps, topological_order
from autograd.calculus import tangents
from autograd.steps import forward_table, node_names, replay, tangent_table
from autograd.text import number


def grads(values) -> dict:
    return {name: v.grad for name, v in values.items()}


# ---------------------------------------------------------------- backprop_steps
def test_one_step_per_edge_in_backward_order():
    _, root = messy_graph()
    order = topological_order(root)
    steps = backprop_steps(root)
    edges = [(node, input) for node in reversed(order) for input in node.inputs]
    assert [(s.node, s.input) for s in steps] == edges


def test_steps_of_a_one_node_graph_are_none_and_the_leaf_gets_one():
    a = Value(3.0)
    a.grad = 0.5
    assert list(backprop_steps(a)) == []
    assert a.grad == 1.5


def test_input_used_twice_gets_two_steps():
    a = Value(3.0, label="a")
    b = a * a
    steps = backprop_steps(b)
    assert len(steps) == 2
    assert all(s.node is b and s.input is a and s.local == 3.0 for s in steps)
    assert [s.grad for s in steps] == [3.0, 6.0]
    assert a.grad == 6.0


def test_steps_leave_exactly_the_grads_backward_leaves():
    _, by_backward = messy_graph()
    _, by_steps = messy_graph()
    by_backward.backward()
    backprop_steps(by_steps)
    assert all_grads(by_steps) == all_grads(by_backward)
    by_backward.backward()  # and again, with leaves accumulating
    backprop_steps(by_steps)
    assert all_grads(by_steps) == all_grads(by_backward)


def test_step_fields_are_consistent():
    leaves, root = messy_graph()
    for leaf in leaves:
        leaf.grad = 0.25  # what a leaf had before is added when the pass ends
    steps = backprop_steps(root)
    last = {}
    for step in steps:
        k = [i for i, x in enumerate(step.node.inputs) if x is step.input]
        assert step.local in [step.node.local[i] for i in k]
        assert step.upstream == step.node.grad  # ∂root/∂node, complete by then
        assert step.contribution == step.local * step.upstream
        if id(step.input) in last:  # grad is the running ∂root/∂input
            running = last[id(step.input)] + step.contribution
            assert math.isclose(step.grad, running, rel_tol=1e-15, abs_tol=1e-300)
        else:  # a step's running grad is this pass's: it starts from 0 for leaves too
            assert step.grad == step.contribution
        last[id(step.input)] = step.grad
    assert steps[0].upstream == 1.0 and steps[0].node is root
    for node in topological_order(root)[:-1]:  # each input's last step shows this pass's grad
        assert last[id(node)] == node.grad - (0.25 if node in leaves else 0.0)


def test_zero_upstream_contributes_zero_even_through_an_infinite_slope():
    x = Value(0.0, label="x")
    root = x.sqrt() * 0.0  # sqrt'(0) = inf, and nothing flows back from * 0
    steps = backprop_steps(root)
    assert x.grad == 0.0
    assert all(not math.isnan(s.contribution) for s in steps)
    y = Value(0.0)
    (y.sqrt() * 0.0).backward()
    assert y.grad == 0.0


def test_backprop_steps_of_a_chain_deeper_than_the_recursion_limit():
    depth = 20_000
    x0 = Value(0.5)
    x = x0
    for _ in range(depth):
        x = x.sin()
    steps = backprop_steps(x)
    assert len(steps) == depth
    assert steps[-1].input is x0 and steps[-1].grad == x0.grad
    assert "\n" not in str(steps[-1])


def test_step_prints_as_one_chain_rule_line_with_labels_and_numbers():
    a, b, d = Value(2.0, label="a"), Value(3.0, label="b"), Value(-2.0, label="d")
    c = a * b
    c.label = "c"
    L = c * d
    L.label = "L"
    steps = backprop_steps(L)
    step = next(s for s in steps if s.node is c and s.input is a)
    line = str(step)
    assert "\n" not in line
    assert line == "a.grad += ∂c/∂a × c.grad = 3.0000 × -2.0000 = -6.0000  (a.grad = -6.0000)"


def test_steps_of_unlabelled_nodes_still_print_one_line_each():
    a = Value(1.5)
    for step in backprop_steps((a * a).tanh() + 1):
        line = str(step)
        assert line and "\n" not in line
        assert f"{step.contribution:.4f}" in line


@settings(max_examples=200)
@given(programs(max_instructions=16))
def test_steps_leave_exactly_the_grads_backward_leaves_on_random_graphs(program):
    _, by_backward = program.build()
    _, by_steps = program.build()
    by_backward.backward()
    steps = backprop_steps(by_steps)
    assert all_grads(by_steps) == all_grads(by_backward)
    assert len(steps) == sum(len(n.inputs) for n in topological_order(by_steps))


# ------------------------------------------------------------------ Steps: the table
def test_backprop_steps_returns_steps_a_list_of_step():
    L, _ = classic()
    steps = backprop_steps(L)
    assert type(steps) is Steps and isinstance(steps, list)
    assert len(steps) == 6 and all(isinstance(s, Step) for s in steps)


def test_backprop_steps_still_has_exactly_the_effect_of_backward():
    L1, v1 = classic()
    L2, v2 = classic()
    backprop_steps(L1)
    L2.backward()
    assert grads(v1) == grads(v2)


def test_the_table_has_a_header_and_one_row_per_step():
    L, _ = classic()
    lines = backprop_steps(L).table().splitlines()
    assert lines[0].split() == [
        "#",
        "chain",
        "rule",
        "local",
        "upstream",
        "contribution",
        "running",
        "grad",
    ]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 6
    first = "1 d.grad += ∂L/∂d × L.grad -2.0000 1.0000 -2.0000 -2.0000"
    last = "6 b.grad += ∂e/∂b × e.grad 2.0000 -2.0000 -4.0000 -4.0000"
    assert lines[2].split() == first.split() and lines[7].split() == last.split()


def test_the_table_shows_the_running_grad_of_a_node_that_receives_twice():
    a = Value(3.0, label="a")
    b = Value(4.0, label="b")
    y = a * b + a  # a gets 1 (from +) and then b = 4 (from *)
    y.label = "y"
    rows = [line.split() for line in backprop_steps(y).table().splitlines()[2:]]
    into_a = [row for row in rows if row[1] == "a.grad"]
    assert [row[-1] for row in into_a] == ["1.0000", "5.0000"]


def test_str_of_steps_is_the_table():
    L, _ = classic()
    steps = backprop_steps(L)
    assert str(steps) == steps.table()


def test_a_leaf_root_has_no_steps_and_the_table_says_so():
    assert "no chain-rule steps" in backprop_steps(Value(1.0)).table()


def test_the_table_keeps_one_line_per_step_whatever_the_labels():
    x = Value(2.0, label="two\nlines")
    y = x * x
    table = backprop_steps(y).table()
    assert len(table.splitlines()) == 2 + 2
    assert "two\\nlines.grad += ∂n₁/∂two\\nlines × n₁.grad" in table


def test_the_html_table_is_escaped_with_one_row_per_step():
    x = Value(2.0, label="<script>alert(1)</script>")
    y = x * 3.0
    page = backprop_steps(y)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<tr>") == 1 + 2
    root = ET.fromstring(page)  # well-formed
    assert root.tag == "table"


def test_the_steps_repr_is_their_table():
    L, _ = classic()
    steps = backprop_steps(L)
    assert repr(steps) == steps.table() == str(steps)
    assert "Step(" in repr(steps[0])  # a single step keeps its record repr


# ---------------------------------------------------------------- names
def test_automatic_names_are_n_and_the_position_in_subscript_digits():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    z = x * y + 3.0
    names = node_names(topological_order(z))
    assert list(names.values()) == ["x", "y", "n₂", "n₃", "n₄"]


def test_automatic_names_never_clash_with_a_label():
    # The expression of the issue: a variable called n2 beside an unlabelled node at 2.
    x, y, n2 = Value(1.0, label="x"), Value(2.0, label="y"), Value(3.0, label="n2")
    z = x * y + n2
    names = node_names(topological_order(z))
    assert len(set(names.values())) == len(names) == 5
    # Even a label written with subscripts cannot take an automatic name.
    w = Value(1.0, label="n₁")
    names = node_names(topological_order(w * 2.0))
    assert names[w] == "n₁" and len(set(names.values())) == 3


@given(programs(max_instructions=12))
def test_names_in_random_graphs_are_unique_when_labels_are(program):
    _, root = program.build()
    order = topological_order(root)
    labels = [node.label for node in order if node.label]
    names = node_names(order)
    if len(set(labels)) == len(labels):
        assert len(set(names.values())) == len(order)


# ---------------------------------------------------------------- this pass's numbers
def test_after_a_backward_the_table_shows_this_passs_running_grads():
    L, v = classic()
    L.backward()  # a.grad is 6 now; the next pass makes it 12
    steps = backprop_steps(L)
    into_a = [s for s in steps if s.input is v["a"]]
    assert [s.grad for s in into_a] == [6.0]  # this pass's, not 12
    assert v["a"].grad == 12.0  # and the pass still had backward's effect


def test_replay_records_the_same_steps_and_changes_no_grad():
    L, v = classic()
    L.backward()
    before = {name: node.grad for name, node in v.items()}
    replayed = replay(L)
    assert {name: node.grad for name, node in v.items()} == before
    recorded = backprop_steps(classic()[0])
    assert [str(s) for s in replayed] == [str(s) for s in recorded]


def test_steps_remember_the_graph_as_it_was_recorded():
    L, v = classic()
    steps = replay(L)
    v["a"].data = 100.0  # later changes do not reach the record
    assert steps.order[-1] is L and steps.root is L
    assert steps.data[steps.order.index(v["a"])] == 2.0
    assert steps.names[v["e"]] == "e"
    assert steps.grads()[v["a"]] == 6.0 and steps.grads(0)[L] == 1.0
    assert steps.grads(0)[v["a"]] == 0.0


def test_the_forward_table_writes_each_node_as_its_op_is_written():
    x = Value(2.0, label="x")
    y = (-x + 2 * x).tanh() ** 2
    lines = forward_table(topological_order(y)).splitlines()
    assert [line.split("  ")[-1].strip() for line in lines] == [
        "input",
        "-x",
        "constant",
        "n₂ * x",
        "n₁ + n₃",
        "tanh(n₄)",
        "constant",
        "n₅ ** n₆",
    ]


def test_the_html_table_writes_the_chain_rule_left_aligned():
    # notebooks right-align table cells unless told otherwise
    page = backprop_steps(classic()[0])._repr_html_()
    rows = ET.fromstring(page).iter("tr")
    next(rows)  # the header
    for row in rows:
        cells = list(row)
        assert "text-align:left" in cells[1].get("style")
        assert all("text-align:right" in c.get("style") for c in cells[2:])


# ------------------------------------------------------------------ forward mode: tangent_table
def _neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, x, w


def test_tangent_table_shows_each_nodes_value_and_tangent_in_the_order_computed():
    o, x, _ = _neuron()
    assert tangent_table(o, {x: 1.0}) == "\n".join(
        [
            "node    value  tangent  n.tangent = Σ ∂n/∂x × x.tangent",
            "----  -------  -------  -------------------------------",
            "x      2.0000   1.0000  seed",
            "w     -3.0000   0.0000  input",
            "n₂    -6.0000  -3.0000  ∂n₂/∂x × x.tangent + ∂n₂/∂w × w.tangent"
            " = -3.0000 × 1.0000 + 2.0000 × 0.0000",
            "b      6.8814   0.0000  input",
            "n      0.8814  -3.0000  ∂n/∂n₂ × n₂.tangent + ∂n/∂b × b.tangent"
            " = 1.0000 × -3.0000 + 1.0000 × 0.0000",
            "o      0.7071  -1.5000  ∂o/∂n × n.tangent = 0.5000 × -3.0000",
        ]
    )


def test_the_roots_tangent_is_the_gradient_backward_gives():
    o, x, w = _neuron()
    last = tangent_table(o, {w: 1.0}).splitlines()[-1].split()
    o.backward()
    assert last[:3] == ["o", "0.7071", f"{w.grad:.4f}"]


def test_tangent_table_rows_follow_the_order_names_and_tangents():
    leaves, root = messy_graph()
    order = topological_order(root)
    names = node_names(order)
    values = tangents(order, {leaves[0]: 1.0, leaves[2]: -0.5})
    rows = tangent_table(root, {leaves[0]: 1.0, leaves[2]: -0.5}).splitlines()[2:]
    assert len(rows) == len(order)
    for row, node, t in zip(rows, order, values):
        name, value, tangent, *rule = row.split()
        assert (name, value, tangent) == (names[node], number(node.data), number(t))
        if node.inputs:  # one term per operand, a node used twice included
            assert rule[0].startswith(f"∂{names[node]}/∂")
            assert " ".join(rule).count(".tangent") == len(node.inputs)


def test_tangent_table_tells_seeds_unseeded_inputs_and_constants_apart():
    a, b = Value(3.0, label="a"), Value(1.0, label="b")
    rows = tangent_table(a * a + b * 2.0, {a: 1.0}).splitlines()[2:]
    kinds = {row.split()[0]: row.split()[-1] for row in rows if len(row.split()) == 4}
    assert kinds == {"a": "seed", "b": "input", "n₃": "constant"}
    squared = next(row for row in rows if row.startswith("n₁"))
    assert "∂n₁/∂a × a.tangent + ∂n₁/∂a × a.tangent = 3.0000 × 1.0000 + 3.0000 × 1.0000" in squared


def test_tangent_table_changes_no_grad():
    leaves, root = messy_graph()
    root.backward()
    before = all_grads(root)
    tangent_table(root, {leaves[1]: 1.0})
    assert all_grads(root) == before


def test_tangent_table_needs_a_value_and_leaf_seeds():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(TypeError, match="Value"):
        tangent_table(1.0, {})
    with pytest.raises(ValueError, match="only leaves"):
        tangent_table(y, {y: 1.0})
