"""nn.state, through Module's methods: state_dict, load_state_dict, save and load.

A state is checked whole before anything changes; files are JSON with floats kept bit
for bit; every malformed state or file is a ValueError that leaves the model as it was.
"""

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import MLP, Neuron


# ---------------------------------------------------------------- state_dict
def test_state_dict_maps_names_to_floats_in_parameter_order():
    mlp = MLP(2, [2, 1], seed=0)
    state = mlp.state_dict()
    assert list(state) == [n for n, _ in mlp.named_parameters()]
    assert all(type(v) is float for v in state.values())


def test_load_state_dict_round_trips_into_another_model():
    a, b = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b([0.3, 0.9])[0].data == a([0.3, 0.9])[0].data


def test_load_state_dict_accepts_ints():
    n = Neuron(1, seed=0)
    n.load_state_dict({"w.0": 2, "b": -1})
    assert n.state_dict() == {"w.0": 2.0, "b": -1.0}


def _bad_states(good):
    first = next(iter(good))
    missing = dict(good)
    del missing[first]
    yield "missing key", missing, "missing"
    yield "extra key", {**good, "layers.9.w": 1.0}, "unexpected"
    wrong = {"string": "0.5", "None": None, "NaN": math.nan, "inf": math.inf, "-inf": -math.inf}
    wrong.update({"bool": True, "list": [0.5], "dict": {"x": 1}})
    for label, bad in wrong.items():
        yield label, {**good, first: bad}, first
    yield "huge int", {**good, first: 10**400}, first
    yield "non-dict", list(good.values()), "dict"
    yield "None state", None, "dict"


def test_every_malformed_state_is_rejected_and_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    good = model.state_dict()
    for label, bad, message in _bad_states(MLP(2, [3, 1], seed=1).state_dict()):
        with pytest.raises(ValueError, match=message):
            model.load_state_dict(bad)
        assert model.state_dict() == good, label


def test_load_state_dict_checks_everything_before_changing_anything():
    model = Neuron(3, seed=0)
    good = model.state_dict()
    bad = {name: 1.0 for name in good}
    bad["b"] = math.nan  # the last entry is bad: the earlier ones must not be applied
    with pytest.raises(ValueError):
        model.load_state_dict(bad)
    assert model.state_dict() == good


# ---------------------------------------------------------------- save / load
def test_save_load_round_trips_floats_exactly(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    tricky = [0.1 + 0.2, 1e-300, 5e-324, -0.0, 1 / 3, 123456789.123456789, 2.0**-1074 * 3, math.pi]
    for p, x in zip(model.parameters(), tricky):
        p.data = x
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(2, [3, 1], seed=1)
    other.load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    assert math.copysign(1.0, other.parameters()[3].data) == -1.0  # -0.0 kept


def test_saved_file_is_readable_json_of_the_state_dict(tmp_path):
    model = Neuron(2, seed=0)
    model.save(str(tmp_path / "n.json"))
    text = (tmp_path / "n.json").read_text()
    assert json.loads(text) == model.state_dict()
    assert list(json.loads(text)) == ["w.0", "w.1", "b"]


def test_save_refuses_non_finite_parameters_and_leaves_no_file(tmp_path):
    model = Neuron(1, seed=0)
    model.b.data = math.nan
    with pytest.raises(ValueError, match="non-finite"):
        model.save(tmp_path / "n.json")
    assert list(tmp_path.iterdir()) == []


def _malformed_files(tmp_path, good: dict):
    text = json.dumps(good)
    cases = {
        "truncated": text[: len(text) // 2],
        "not json": "hello",
        "empty": "",
        "non-dict json": json.dumps(list(good.values())),
        "json null": "null",
        "json string": '"w.0"',
        "missing key": json.dumps(dict(list(good.items())[1:])),
        "extra key": json.dumps({**good, "extra": 1.0}),
        "string value": text.replace(repr(good["b"]), '"0.5"'),
        "NaN literal": text.replace(repr(good["b"]), "NaN"),
        "Infinity literal": text.replace(repr(good["b"]), "-Infinity"),
        "overflowing number": text.replace(repr(good["b"]), "1e999"),
        "huge integer": text.replace(repr(good["b"]), "9" * 400),
        "bool value": text.replace(repr(good["b"]), "true"),
        "duplicate key": text[:-1] + ', "b": 1.0}',
        "deeply nested": "[" * 100000 + "]" * 100000,
    }
    for name, content in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(content)
        yield name, path
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    yield "binary", binary
    yield "missing file", tmp_path / "does-not-exist.json"
    yield "directory", tmp_path


def test_every_malformed_file_is_rejected_and_changes_nothing(tmp_path):
    model = Neuron(2, seed=0)
    model.b.data = 0.125
    good = model.state_dict()
    for name, path in _malformed_files(tmp_path, good):
        with pytest.raises(ValueError):
            model.load(path)
        assert model.state_dict() == good, name


def test_load_error_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"w.0": 1.0}')
    with pytest.raises(ValueError, match=r"m\.json.*missing"):
        Neuron(1, seed=0).load(path)


def test_many_seeded_models_round_trip_through_files(tmp_path):
    rng = random.Random(0)
    for i in range(5):
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
        model = MLP(rng.randint(1, 3), sizes, seed=i)
        for p in model.parameters():
            p.data = rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-300, 0)
        model.save(tmp_path / "m.json")
        fresh = MLP(len(model.layers[0].neurons[0].w), sizes, seed=99)
        fresh.load(tmp_path / "m.json")
        assert fresh.state_dict() == model.state_dict()


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=4, max_size=4))
def test_any_finite_floats_survive_save_and_load_bit_for_bit(tmp_path_factory, xs):
    model = Neuron(3, seed=0)
    for p, x in zip(model.parameters(), xs):
        p.data = x
    path = tmp_path_factory.mktemp("m") / "m.json"
    model.save(path)
    fresh = Neuron(3, seed=1)
    fresh.load(path)
    assert [p.data for p in fresh.parameters()] == xs
    assert [str(p.data) for p in fresh.parameters()] == [str(x) for x in xs]
