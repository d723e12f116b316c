"""The ``Value`` contract: construction, attributes, operators, identity, detach and
no_grad. (Each op's numbers are checked in test_ops.py, backward in test_graph.py.)"""

from __future__ import annotations

import asyncio
import math
import threading
from fractions import Fraction

import pytest

from autograd import Value, dot, no_grad, sum_of


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
