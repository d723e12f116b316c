"""The ``Value`` contract: construction, attributes, operators, identity, detach and
no_grad. (Each op's numbers are checked in test_ops.py, backward in test_graph.py.)"""

from __future__ import annotations

import asyncio
import math
import threading
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot, dots, no_grad, sum_of


# ---------------------------------------------------------------- construction
@pytest.mark.parametrize(
    ("data", "expected"),
    [(3, 3.0), (-2.5, -2.5), (True, 1.0), (False, 0.0), (Fraction(1, 4), 0.25), (2**60, 2.0**60)],
    ids=["int", "float", "True", "False", "Fraction", "big int"],
)
def test_real_numbers_are_stored_as_float(data, expected):
    v = Value(data)
    assert type(v.data) is float
    assert v.data == expected


def test_numpy_scalars_are_stored_as_float():
    np = pytest.importorskip("numpy")
    scalars = (
        np.float64(1.5),
        np.float32(0.25),
        np.float16(-2.0),
        np.int64(7),
        np.int8(-3),
        np.uint16(9),
    )
    for scalar in scalars:
        v = Value(scalar)
        assert type(v.data) is float
        assert v.data == float(scalar)


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        ("1.0", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        ([1.0], "list"),
        (Value(1.0), "Value"),
    ],
)
def test_non_real_data_raises_type_error_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(data)


def test_a_new_value_is_a_leaf_with_zero_grad():
    v = Value(2.0)
    assert (v.data, v.grad, v.label, v.op, v.inputs) == (2.0, 0.0, "", "", ())
    assert type(v.grad) is float and type(v.inputs) is tuple


def test_label_is_set_by_keyword_or_position():
    assert Value(1.0, label="w").label == "w"
    assert Value(1.0, "w").label == "w"


def test_data_grad_and_label_are_settable():
    v = Value(1.0)
    v.data, v.grad, v.label = 4.0, -0.5, "x"
    assert (v.data, v.grad, v.label) == (4.0, -0.5, "x")


def test_value_has_slots_not_a_dict():
    assert not hasattr(Value(1.0), "__dict__")


# ---------------------------------------------------------------- operators
def test_inputs_are_in_operand_order():
    a, b = Value(1.0), Value(2.0)
    assert (a - b).inputs == (a, b)
    assert (b - a).inputs == (b, a)
    assert (b / a).inputs == (b, a)
    assert (a**b).inputs == (a, b)


def test_an_input_used_twice_is_listed_twice():
    a = Value(3.0)
    assert (a * a).inputs == (a, a)
    assert (a + a).inputs == (a, a)


def test_numbers_on_either_side_become_constant_leaves():
    a = Value(3.0)
    for node, position in ((a * 2, 1), (2 * a, 0), (a - 2, 1), (2 - a, 0), (a / 2, 1), (2 / a, 0)):
        constant = node.inputs[position]
        assert isinstance(constant, Value)
        assert (constant.data, constant.op, constant.inputs) == (2.0, "", ())
        assert node.inputs[1 - position] is a


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (lambda a, b: a + b, 1.0),
        (lambda a, b: a - b, 5.0),
        (lambda a, b: a * b, -6.0),
        (lambda a, b: a / b, -1.5),
        (lambda a, b: -a, -3.0),
        (lambda a, b: abs(b), 2.0),
        (lambda a, b: 2 + a, 5.0),
        (lambda a, b: 2 - a, -1.0),
        (lambda a, b: 2 * b, -4.0),
        (lambda a, b: 3 / b, -1.5),
        (lambda a, b: a**2, 9.0),
        (lambda a, b: 2**a, 8.0),
        (lambda a, b: a**b, 1 / 9),
        (lambda a, b: a ** Fraction(1, 2), math.sqrt(3.0)),
    ],
    ids=[
        "v+w",
        "v-w",
        "v*w",
        "v/w",
        "-v",
        "abs",
        "2+v",
        "2-v",
        "2*w",
        "3/w",
        "v**2",
        "2**v",
        "v**w",
        "v**Fraction",
    ],  # fmt: skip
)
def test_operators_with_values_and_numbers_on_either_side(f, expected):
    out = f(Value(3.0), Value(-2.0))
    assert isinstance(out, Value)
    assert math.isclose(out.data, expected, rel_tol=1e-15)
    assert out.op != "" and out.inputs


def test_number_to_the_power_of_a_value_differentiates_in_the_exponent():
    x = Value(3.0)
    y = 2**x
    y.backward()
    assert y.data == 8.0
    assert math.isclose(x.grad, 8.0 * math.log(2.0), rel_tol=1e-15)


def test_value_to_the_power_of_a_value_differentiates_in_both():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0
    assert math.isclose(x.grad, 12.0, rel_tol=1e-15)
    assert math.isclose(y.grad, 8.0 * math.log(2.0), rel_tol=1e-15)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"])
def test_methods_return_new_values_recording_the_op(name):
    x = Value(0.5)
    out = getattr(x, name)()
    assert isinstance(out, Value) and out is not x
    assert out.inputs == (x,) and out.op


@pytest.mark.parametrize("other", ["2", None, [1.0], 1j])
def test_operators_with_a_non_number_raise_type_error(other):
    v = Value(1.0)
    for op in (lambda: v + other, lambda: other * v, lambda: v**other, lambda: v / other):
        with pytest.raises(TypeError):
            op()


def test_float_gives_data():
    assert float(Value(2.5)) == 2.5
    assert float(Value(2.0) * 3) == 6.0


def test_repr_is_readable():
    w = Value(2.5, label="w")
    text = repr(w)
    assert text.startswith("Value(") and "2.5" in text and "'w'" in text
    product = w * 2
    product.backward()
    assert "5.0" in repr(product) and "grad" in repr(product)


def test_repr_of_a_deep_node_does_not_walk_the_graph():
    x = Value(1.0)
    for _ in range(5000):  # deeper than the recursion limit
        x = -x
    assert "1.0" in repr(x) and "\n" not in repr(x)


# ---------------------------------------------------------------- identity
def test_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a
    assert a != b
    assert not (a == 1.0)


def test_hash_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b, a}) == 2
    nodes = {a: "a", b: "b"}
    a.data = 5.0  # changing data changes nothing about identity
    assert nodes[a] == "a" and nodes[b] == "b"
    assert hash(a) == hash(a)


# ---------------------------------------------------------------- detach
def test_detach_gives_a_new_leaf_with_the_same_data():
    a = Value(2.0)
    b = (a * 3).tanh()
    d = b.detach()
    assert d is not b
    assert (d.data, d.op, d.inputs, d.grad) == (b.data, "", (), 0.0)


def test_gradient_does_not_flow_through_a_detached_value():
    a = Value(2.0)
    out = a.detach() * a
    out.backward()
    assert a.grad == 2.0  # only through the second operand


# ---------------------------------------------------------------- no_grad
def test_no_grad_results_are_leaves():
    a, b = Value(2.0), Value(3.0)
    with no_grad():
        results = [a * b, a + 1, 2**a, a.tanh(), sum_of([a, b]), dot([a], [b]), -a]
    for r in results:
        assert (r.op, r.inputs) == ("", ())
    assert results[0].data == 6.0


def test_no_grad_stops_gradients():
    a = Value(2.0)
    with no_grad():
        b = a * a
    (b * a).backward()
    assert a.grad == 4.0  # b is a constant leaf here


def test_recording_resumes_after_no_grad_even_after_an_error():
    a = Value(2.0)
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert (a * a).inputs == (a, a)
    with no_grad():
        with no_grad():
            pass
        assert (a * a).op == ""  # the inner block's exit keeps the outer one
    assert (a * a).op != ""


def test_no_grad_in_another_thread_does_not_stop_recording_here():
    a = Value(2.0)
    entered, resume, result = threading.Event(), threading.Event(), []

    def worker():
        with no_grad():
            entered.set()
            resume.wait(timeout=30)  # stays inside no_grad while the main thread works
            result.append(a * a)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(timeout=30)
        here = a * a
    finally:
        resume.set()
        thread.join(timeout=30)
    assert here.inputs == (a, a)
    assert result[0].op == ""


def test_a_thread_records_while_another_thread_is_inside_no_grad():
    a = Value(2.0)
    entered, computed, result = threading.Event(), threading.Event(), []

    def worker():
        assert entered.wait(timeout=30)
        result.append(a * a)  # the main thread is inside no_grad right now
        computed.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad():
        entered.set()
        assert computed.wait(timeout=30)
        inside = a * a
    thread.join(timeout=30)
    assert inside.op == ""
    assert result[0].inputs == (a, a)


def test_no_grad_in_one_async_task_does_not_affect_another():
    a = Value(2.0)

    async def quiet(entered, resume):
        with no_grad():
            entered.set()
            await resume.wait()
            return a * a

    async def recording(entered, resume):
        await entered.wait()
        result = a * a  # the other task is inside no_grad right now
        resume.set()
        return result

    async def main():
        entered, resume = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(quiet(entered, resume), recording(entered, resume))

    inside, outside = asyncio.run(main())
    assert inside.op == ""
    assert outside.inputs == (a, a)


def test_other_real_number_types_work_on_either_side():
    v = Value(3.0)
    results = [Fraction(1, 2) + v, v * Fraction(1, 2), Fraction(1, 2) ** v, True + v]
    np = pytest.importorskip("numpy")
    results += [np.float64(2) * v, v - np.float32(0.5), np.int64(2) ** v, np.float64(6) / v]
    for r in results:
        assert isinstance(r, Value) and r.op
        assert all(type(x.data) is float for x in r.inputs)


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: 1 / Value(1e-200), OverflowError, ["/", "1e-200"]),
        (lambda: Value(float("inf")).sin(), ValueError, ["sin", "inf"]),
        (lambda: Value(float("-inf")).cos(), ValueError, ["cos", "inf"]),
        (lambda: Value(10**400), OverflowError, ["too large"]),
        (lambda: Value(1.0) + 10**400, OverflowError, ["too large"]),
    ],
)
def test_errors_name_what_went_wrong(make, error, words):
    with pytest.raises(error) as caught:
        make()
    for word in words:
        assert word in str(caught.value)


def test_help_documents_every_method_and_attribute_of_value():
    import inspect
    import pydoc

    public = [name for name in dir(Value) if not name.startswith("_") or name in OPERATORS]
    undocumented = [name for name in public if not inspect.getdoc(getattr(Value, name))]
    assert undocumented == []
    page = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    for attribute in ("data", "grad", "label", "op", "inputs", "local"):
        assert inspect.getdoc(getattr(Value, attribute)) in page, attribute
    assert "# -" not in page  # no section comment shown as if it were a docstring


OPERATORS = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__"]
OPERATORS += ["__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__neg__", "__abs__"]


def test_a_task_started_inside_no_grad_records_nothing_even_after_the_block_ends():
    # The task runs in a copy of the context made inside the block: its ops stay
    # leaves after the block has ended, as a context variable promises.
    a = Value(2.0)

    async def later():
        await asyncio.sleep(0)
        return a * a

    async def main():
        with no_grad():
            task = asyncio.get_running_loop().create_task(later())
        after_the_block = a * a
        return await task, after_the_block

    inside, outside = asyncio.run(main())
    assert inside.op == ""
    assert outside.inputs == (a, a)


def test_once_no_grad_has_ended_ops_no_longer_read_the_context_variable():
    # While no pause is alive anywhere, an op skips the context-variable lookup.
    from autograd import value

    with no_grad():
        assert value._pauses
    assert not value._pauses


# ---------------------------------------------------------------- dots
def _node(v: Value, inputs_as) -> tuple:
    return (repr(v.data), v.op, tuple(map(inputs_as, v.inputs)), repr(v.local))


def _as_leaf(v: Value):  # a leaf as itself, or as its number when it is a constant
    from autograd.value import is_constant

    return ("constant", repr(v.data)) if is_constant(v) else v


_ENTRY = st.floats(-1e3, 1e3) | st.sampled_from([0.0, -0.0, 1, 2.5])


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(0, 5),
    count=st.integers(0, 9),
    with_bias=st.booleans(),
    numbers_at=st.sets(st.integers(0, 20), max_size=3),
    data=st.data(),
)
def test_dots_makes_the_nodes_a_loop_of_dot_makes(rows, count, with_bias, numbers_at, data):
    entries = iter(data.draw(st.lists(_ENTRY, min_size=200, max_size=200)))

    def entry(k):  # a Value, or at a few places a plain number to lift
        x = next(entries)
        return x if k in numbers_at else Value(x)

    W = [[entry(r * count + i) for i in range(count)] for r in range(rows)]
    xs = [entry(20 - i) for i in range(count)]
    bs = [entry(7 + r) for r in range(rows)] if with_bias else None
    made = dots(W, xs, bs)
    lifted = made[0].inputs[count : 2 * count] if made and made[0].op else None
    looped = [dot(w, lifted or xs, b) for w, b in zip(W, bs or [None] * rows)]
    assert [_node(v, _as_leaf) for v in made] == [_node(v, _as_leaf) for v in looped]
    for v in made:  # numbers among the inputs became one constant each, shared
        assert v.inputs[count : 2 * count] == made[0].inputs[count : 2 * count]


def test_dots_backward_gives_the_gradients_of_separate_dots():
    W = [[Value(0.5 * (r - i)) for i in range(4)] for r in range(3)]
    xs, bs = [Value(i - 1.5) for i in range(4)], [Value(0.1 * r) for r in range(3)]
    sum_of(z * z for z in dots(W, xs, bs)).backward()
    first = [p.grad for p in (*xs, *bs, *(w for row in W for w in row))]
    for p in (*xs, *bs, *(w for row in W for w in row)):
        p.grad = 0.0
    sum_of(dot(w, xs, b) ** 2 for w, b in zip(W, bs)).backward()
    assert first == [p.grad for p in (*xs, *bs, *(w for row in W for w in row))]


def test_dots_beyond_the_compiled_sizes_is_still_a_loop_of_dot():
    xs = [Value(i / 300) for i in range(300)]  # 601 inputs per node: dot's general path
    W = [[Value((i * r) % 7 - 3.0) for i in range(300)] for r in range(2)]
    bs = [1.0, Value(2.0)]
    made = dots(W, xs, bs)
    looped = [dot(w, xs, b) for w, b in zip(W, bs)]
    assert [_node(v, _as_leaf) for v in made] == [_node(v, _as_leaf) for v in looped]


def test_dots_under_no_grad_makes_leaves():
    with no_grad():
        made = dots([[Value(1.0), Value(2.0)]] * 2, [Value(3.0), 4.0], [Value(0.5), 1])
    assert [(v.op, v.inputs, v.data) for v in made] == [("", (), 11.5), ("", (), 12.0)]


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda a: dots([[a, a], [a]], [a, a]), ValueError, ["dot", "1 weights", "2 inputs"]),
        (lambda a: dots([[a]], [a], [a, a]), ValueError, ["dots", "1 rows", "2 biases"]),
        (lambda a: dots([[a]], ["x"]), TypeError, ["str"]),
        (lambda a: dots([[a, "w"]], [a, a]), TypeError, ["str"]),
        (lambda a: dots([[a, a]], [a, a], ["b"]), TypeError, ["str"]),
        (lambda a: dots([[a, a]], [Value(1e200), a]), OverflowError, ["dot", "1e+200"]),
    ],
    ids=["row length", "bias count", "input", "weight", "bias", "overflow"],
)
def test_dots_errors_are_dots_own(make, error, words):
    with pytest.raises(error) as caught:
        make(Value(1e200) if error is OverflowError else Value(1.0))
    for word in words:
        assert word in str(caught.value)
