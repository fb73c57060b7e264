"""What crosses from the student's kernel to the judge: typed data only, decoded without pickle, bounded."""
import dataclasses
import sys

import msgpack
import numpy as np
import pandas as pd
import pytest

from grader.grading import wire
from grader.grading.agent import Agent


@dataclasses.dataclass
class Point:
    x: int
    label: str


def roundtrip(value, namespace=None):
    """Encode as the student's agent does, then decode as the judge does."""
    handles = []
    agent = Agent(shell=None)
    blob = agent.pack(agent.enc(value))
    decode = wire.Decoder(lambda n, types, text: handles.append((n, types)) or ("handle", n, types[0]),
                          namespace or {})
    return decode(wire.unpack(blob)), handles


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 2.5, float("inf"), "text", b"\x00\x01", 1 + 2j,
    [1, [2, "x"]], (1, 2), {1, 2}, frozenset({"a"}), {"a": [1.0], 2: None},
    np.arange(6, dtype="int32").reshape(2, 3), np.float32(1.5), np.bool_(True), np.array(["a", "bc"]),
    np.array([1, "a", None], dtype=object),
    pd.Timestamp("2026-03-02 10:00", tz="Europe/Berlin"), pd.Timedelta("3h"),
])
def test_plain_values_cross_unchanged(value):
    got, handles = roundtrip(value)
    assert not handles
    if isinstance(value, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == value.dtype and got.tolist() == value.tolist()
    elif isinstance(value, float) and value != value:
        assert got != got
    else:
        assert type(got) is type(value) and got == value


def test_dataframes_keep_their_dtypes_index_and_names():
    frame = pd.DataFrame({
        "n": [1, 2, 3], "x": [0.5, np.nan, 2.0], "s": ["a", None, "c"],
        "c": pd.Categorical(["u", "v", "u"], categories=["v", "u"], ordered=True),
        "t": pd.date_range("2026-01-01", periods=3, tz="UTC"), "i": pd.array([1, None, 3], dtype="Int64"),
        "b": [True, False, True],
    }, index=pd.Index([10, 20, 30], name="row"))
    got, _ = roundtrip(frame)
    pd.testing.assert_frame_equal(got, frame)
    multi = frame.set_index(["n", "s"])
    pd.testing.assert_frame_equal(roundtrip(multi)[0], multi)
    series = pd.Series([0.1, 0.2], index=["a", "b"], name="score")
    pd.testing.assert_series_equal(roundtrip(series)[0], series)


def test_dataclasses_of_the_release_are_rebuilt_and_others_become_handles():
    got, handles = roundtrip(Point(3, "p"), namespace={"Point": Point})
    assert got == Point(3, "p") and not handles  # the judge's own class, built through its constructor

    @dataclasses.dataclass
    class Own:  # the student's own class: the judge has no such class
        x: int

    got, handles = roundtrip(Own(3))
    assert got[0] == "handle" and handles  # a handle, never an instance


def test_objects_that_pretend_become_handles():
    class Anything(float):
        def __eq__(self, other):
            return True

    class Model:
        pass

    for value in (Anything(1.0), Model(), len, sys):
        got, handles = roundtrip(value)
        assert got[0] == "handle" and handles, value


@pytest.mark.parametrize("tree, why", [
    (["nd", "|O", [1], b"\x00" * 8], "cannot cross"),
    (["nd", "<i8", [2], b"\x00" * 8], "do not match"),
    (["nd", "[('a', '<i4')]", [1], b"\x00" * 4], "numpy dtype"),
    (["pickle", b"cos\nsystem\n"], "unknown kind"),
    (["__reduce__", 1], "unknown kind"),
    (["plain", ["x"]], "unknown kind"),
    (["oav", [1], [object]], "not plain"),
    (["mod"], "module cannot cross"),
    ({"a": 1}, "not in the judge's format"),
    (["bi", "9" * 5000], "too long"),
])
def test_the_decoder_refuses_what_is_not_data(tree, why):
    decode = wire.Decoder(lambda *a: pytest.fail("no handle expected"))
    with pytest.raises(wire.WireError, match=why):
        decode(tree)


def test_depth_and_size_are_bounded():
    deep = 1
    for _ in range(wire.MAX_DEPTH + 5):
        deep = ["l", [deep]]
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.Decoder(lambda *a: None)(deep)
    with pytest.raises(wire.WireError, match="MB may cross"):
        wire.unpack(b"\x00" * (wire.MAX_BYTES + 1))
    with pytest.raises(wire.WireError, match="could not be read"):
        wire.unpack(msgpack.packb([1, 2])[:-1])


def test_class_names_resolve_only_among_modules_already_imported():
    assert wire.resolve_class("pandas.core.frame.DataFrame") is pd.DataFrame
    assert "antigravity" not in sys.modules
    assert wire.resolve_class("antigravity.Anything") is None
    assert "antigravity" not in sys.modules
    assert wire.resolve_class("__main__.Point", {"Point": Point}) is Point
    assert wire.resolve_class("__main__.Point", {"Point": lambda: None}) is None


def test_only_names_a_test_reads_and_does_not_bind_are_asked_of_the_student():
    from grader.grading.judge import names_used

    hidden = ("import math\nfrom scipy import stats\n\n\ndef _reference(log):\n    return stats.norm.sf(log)\n\n\n"
              "_cases = [1, 2]\nfor _c in _cases:\n    _want = _reference(_c)\n"
              "    assert math.isclose(ab_test(_c), _want)\ntry:\n    validate(frame)\nexcept ValueError as _e:\n    pass\n"
              "assert all(f(x) for f, x in zip(tests, [lambda v: v]))\n")
    assert set(names_used(hidden)) == {"ab_test", "validate", "frame", "ValueError", "all", "zip", "tests"}
    assert names_used("%timeit square(2)\nassert square(3) == 9\n") == ["square"]
