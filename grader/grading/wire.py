"""What may cross between the student's kernel and the judge, and how it is decoded without pickle.

From the student to the judge only typed data crosses: None, bool, int, float, complex, str, bytes, lists, tuples,
sets and dicts of them, numpy arrays and scalars (no object dtype; object arrays arrive element by element),
pandas Series, DataFrames and Indexes (numpy, categorical, tz-aware and extension columns), timestamps, and
instances of dataclasses the judge itself defines (rebuilt through their own constructor). Everything else arrives
as a handle number for a `Remote` proxy. `decode` builds only those types, so an object of the student's own class
(one that claims to equal everything, say) cannot cross; the bytes are bounded in size, depth and item count.

From the judge to the student, values travel as pickles (cloudpickle for the instructor's own functions and
classes): only the student's kernel loads them, and handles travel back as references to its own objects.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import sys
from collections.abc import Callable

import msgpack
import numpy as np
import pandas as pd

MAX_BYTES = 256 * 1024**2
"""The most one answer may take on the wire."""
MAX_DEPTH = 64
MAX_ITEMS = 5_000_000
NUMERIC_KINDS = set("biufcmM")
TEXT_KINDS = set("SU")
PLAIN = (str, int, float, bool, type(None))
TAGS = frozenset({"l", "t", "s", "fs", "d", "bi", "c", "mod", "h", "dt", "date", "pytd", "nat", "na", "ts", "td",
                  "nd", "ns", "oa", "oav", "cat", "dtz", "ext", "extv", "ri", "mi", "ix", "S", "F", "dc"})
"""Every kind of value the judge accepts; anything else is refused."""


class WireError(ValueError):
    """What the student's kernel sent is not data the judge accepts."""


def unpack(blob: bytes):
    """msgpack to plain lists, dicts, str, bytes and numbers, within the size limit."""
    if len(blob) > MAX_BYTES:
        raise WireError(f"the answer takes {len(blob) / 1024**2:.0f} MB; at most {MAX_BYTES // 1024**2} MB may cross")
    try:
        return msgpack.unpackb(blob, raw=False, strict_map_key=False, use_list=True)
    except Exception as exc:
        raise WireError(f"the answer could not be read ({type(exc).__name__})") from None


def resolve_class(dotted: str, namespace: dict | None = None):
    """The class ``module.qualname`` names, among modules the judge has imported (never importing one)."""
    parts = str(dotted)[:300].split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module, rest = ".".join(parts[:cut]), parts[cut:]
        if module == "__main__":
            obj, rest = (namespace or {}).get(rest[0]), rest[1:]
        elif module in sys.modules:
            obj = sys.modules[module]
        else:
            continue
        for part in rest:
            obj = getattr(obj, part, None) if obj is not None and not part.startswith("__") else None
        return obj if issubclass(type(obj), type) else None  # type(): a proxy cannot pose as a class here
    return None


class Decoder:
    """Builds plain values from the student's tagged tree; ``handle(id, types, text)`` makes proxies."""

    def __init__(self, handle: Callable, namespace: dict | None = None):
        self.handle = handle
        self.namespace = namespace or {}
        self.items = 0

    def __call__(self, tree, depth: int = 0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("the answer is nested too deeply or holds too many items")
        if tree is None or type(tree) in (bool, int, float, str, bytes):
            return tree
        if type(tree) is not list or not tree or type(tree[0]) is not str:
            raise WireError("the answer is not in the judge's format")
        tag, args = tree[0], tree[1:]
        method = getattr(self, f"_{tag}", None) if tag in TAGS else None
        if method is None:
            raise WireError(f"the answer holds an unknown kind of value {tag[:20]!r}")
        try:
            return method(depth + 1, *args)
        except WireError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
            raise WireError(f"a {tag[:20]!r} value in the answer is malformed ({exc})"[:300]) from None

    def _items(self, depth, items):
        if type(items) is not list:
            raise WireError("a container in the answer is malformed")
        return [self(v, depth) for v in items]

    def _l(self, depth, items):
        return self._items(depth, items)

    def _t(self, depth, items):
        return tuple(self._items(depth, items))

    def _s(self, depth, items):
        return set(self._items(depth, items))

    def _fs(self, depth, items):
        return frozenset(self._items(depth, items))

    def _d(self, depth, pairs):
        return {self(k, depth): self(v, depth) for k, v in pairs}

    def _bi(self, depth, text):
        if len(text) > 4000:
            raise WireError("an integer in the answer is too long")
        return int(text)

    def _c(self, depth, re, im):
        return complex(float(re), float(im))

    def _mod(self, depth):
        raise WireError("a module cannot cross to the judge")

    def _h(self, depth, number, types, text):
        return self.handle(int(number), [str(t) for t in types][:64], str(text)[:200])

    def _dt(self, depth, text):
        return dt.datetime.fromisoformat(str(text))

    def _date(self, depth, text):
        return dt.date.fromisoformat(str(text))

    def _pytd(self, depth, days, seconds, micro):
        return dt.timedelta(days=int(days), seconds=int(seconds), microseconds=int(micro))

    def _nat(self, depth):
        return pd.NaT

    def _na(self, depth):
        return pd.NA

    def _ts(self, depth, value, tz):
        return pd.Timestamp(int(value), unit="ns", tz=str(tz)[:64] if tz else None)

    def _td(self, depth, value):
        return pd.Timedelta(int(value), unit="ns")

    @staticmethod
    def dtype(text) -> np.dtype:
        """A numpy dtype from its string, refusing object, structured and sub-array dtypes."""
        try:
            dtype = np.dtype(str(text)[:32])
        except TypeError:
            raise WireError(f"unknown numpy dtype {str(text)[:32]!r}") from None
        if dtype.kind not in NUMERIC_KINDS | TEXT_KINDS | {"?"} or dtype.fields or dtype.subdtype:
            raise WireError(f"numpy dtype {dtype} cannot cross")
        return dtype

    def _nd(self, depth, dtype, shape, raw):
        dtype, shape = self.dtype(dtype), tuple(int(n) for n in shape)
        if any(n < 0 for n in shape) or len(shape) > 32 or type(raw) is not bytes:
            raise WireError("an array in the answer is malformed")
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != len(raw):
            raise WireError("an array's bytes do not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()

    def _ns(self, depth, dtype, raw):
        dtype = self.dtype(dtype)
        if type(raw) is not bytes or len(raw) != dtype.itemsize:
            raise WireError("a numpy scalar in the answer is malformed")
        return np.frombuffer(raw, dtype=dtype)[0]

    def _oa(self, depth, shape, items):
        values = self._items(depth, items)
        out = np.empty(len(values), dtype=object)
        out[:] = values if values else out[:0]
        return out.reshape(tuple(int(n) for n in shape))

    def _plain(self, items) -> list:
        if type(items) is not list or not all(type(v) in PLAIN for v in items):
            raise WireError("a column in the answer holds values that are not plain")
        self.items += len(items)
        if self.items > MAX_ITEMS:
            raise WireError("the answer is nested too deeply or holds too many items")
        return items

    def _oav(self, depth, shape, items):
        items = self._plain(items)
        out = np.empty(len(items), dtype=object)
        out[:] = items if items else out[:0]
        return out.reshape(tuple(int(n) for n in shape))

    def _extv(self, depth, dtype, items):
        return self._ext(depth, dtype, None, plain=self._plain(items))

    def _cat(self, depth, codes, categories, ordered):
        return pd.Categorical.from_codes(self(codes, depth), categories=self(categories, depth), ordered=bool(ordered))

    def _dtz(self, depth, values, tz, unit):
        return pd.DatetimeIndex(self(values, depth).astype(f"datetime64[{str(unit)[:2]}]")).tz_localize("UTC") \
            .tz_convert(str(tz)[:64]).array

    def _ext(self, depth, dtype, items, plain=None):
        values = plain if plain is not None else self._items(depth, items)
        try:
            return pd.array(values, dtype=pd.api.types.pandas_dtype(str(dtype)[:40]))
        except (TypeError, ValueError):
            return pd.array(values, dtype=object)

    def _ri(self, depth, start, stop, step, name):
        return pd.RangeIndex(int(start), int(stop), int(step), name=self(name, depth))

    def _mi(self, depth, levels, codes, names):
        return pd.MultiIndex(levels=[self(x, depth) for x in levels], codes=[self(c, depth) for c in codes],
                             names=[self(n, depth) for n in names])

    def _ix(self, depth, values, name):
        return pd.Index(self(values, depth), name=self(name, depth))

    def _S(self, depth, values, index, name):
        return pd.Series(self(values, depth), index=self(index, depth), name=self(name, depth), copy=False)

    def _F(self, depth, columns, labels, index):
        index, labels = self(index, depth), self(labels, depth)
        arrays = [self(c, depth) for c in columns]
        if len(arrays) != len(labels) or any(len(a) != len(index) for a in arrays):
            raise WireError("a DataFrame in the answer has columns of the wrong length")
        frame = pd.DataFrame(dict(enumerate(arrays)), index=index) if arrays else pd.DataFrame(index=index)
        frame.columns = labels
        return frame

    def _dc(self, depth, dotted_module, qualname, fields, fallback):
        cls = resolve_class(f"{dotted_module}.{qualname}", self.namespace)
        if cls is None or not dataclasses.is_dataclass(cls):
            return self(fallback, depth)
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {str(k): self(v, depth) for k, v in fields}
        if set(values) != set(known):
            raise WireError(f"a {qualname} in the answer does not have the fields of the judge's {qualname}")
        obj = cls(**{k: v for k, v in values.items() if known[k].init})
        for k, v in values.items():
            if not known[k].init:
                object.__setattr__(obj, k, v)
        return obj


DATA = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset,
        np.ndarray, np.generic, pd.DataFrame, pd.Series, pd.Index, pd.Timestamp, pd.Timedelta)
"""What the judge sends afresh with every call (an instructor's object of another type is sent once)."""


def dumps(value, reference: Callable) -> bytes:
    """Pickle a judge value for the student's kernel; ``reference(obj)`` names objects the student's kernel
    already holds (its own, by handle, or the instructor's, sent before) instead of sending them again."""
    import cloudpickle

    class Pickler(cloudpickle.CloudPickler):
        def persistent_id(self, obj):
            return reference(obj)

    buf = io.BytesIO()
    Pickler(buf, protocol=5).dump(value)
    return buf.getvalue()
