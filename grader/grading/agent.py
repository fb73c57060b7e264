"""The grading agent that runs INSIDE the student's sandboxed kernel, in ``judge: separate`` mode.

This file is never imported by the grader: its text is executed in the student's kernel before any student code,
in a private namespace. It answers the judge's requests (look up a name, call a function, read an attribute) over a
Jupyter comm and sends back what it finds as typed data (msgpack of plain values, numpy bytes and pandas parts), or
as a handle number for anything that is not data.

Nothing here is trusted. The student's code shares this process and may replace or rewrite every function below;
the judge decodes whatever arrives with its own strict decoder (`grader.grading.wire`), which builds only plain Python,
numpy and pandas values, so a forged answer can be wrong but never more than data.
"""
import dataclasses
import datetime
import itertools
import pickle
import re
import sys
import types
import warnings

import msgpack

TARGET = "mlip-judge"
MAX_BYTES = 256 * 1024**2
MAX_DEPTH = 48
MAX_ITEMS = 2_000_000
PLAIN = (str, int, float, bool, type(None))


class _TooBig(Exception):
    pass


class Agent:
    """Holds the student's objects the judge has a handle on, and serves the judge's requests."""

    def __init__(self, shell):
        self.shell = shell
        self.objects = {}
        self.ids = {}
        self.stash = {}
        """The instructor's objects (a fitted model, a function) sent once and passed by reference after."""
        self.items = 0

    # -- encoding: student values as typed data ------------------------------------------------------------------
    def handle(self, obj):
        key = id(obj)
        if key not in self.ids:
            self.ids[key] = len(self.objects) + 1
            self.objects[self.ids[key]] = obj
        names = []
        for cls in type(obj).__mro__[:-1]:
            names.append(f"{cls.__module__}.{cls.__qualname__}")
        try:
            text = object.__repr__(obj)
        except Exception:
            text = ""
        return ["h", self.ids[key], names, text[:200]]

    def enc(self, x, depth=0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise _TooBig("the value is nested too deeply or holds too many items")
        t = type(x)
        if x is None or t is bool or t is str or t is float or t is bytes:
            return x
        if t is int:
            return x if -2**63 <= x < 2**64 else ["bi", str(x)]
        if t in (list, tuple, set, frozenset):
            tag = {list: "l", tuple: "t", set: "s", frozenset: "fs"}[t]
            return [tag, [self.enc(v, depth + 1) for v in x]]
        if t is dict:
            return ["d", [[self.enc(k, depth + 1), self.enc(v, depth + 1)] for k, v in x.items()]]
        if t is complex:
            return ["c", x.real, x.imag]
        np = sys.modules.get("numpy")
        pd = sys.modules.get("pandas")
        if np is not None:
            if t is np.ndarray:
                return self.array(x, depth)
            if isinstance(x, np.generic) and x.dtype.kind != "O":
                return ["ns", x.dtype.str, x.tobytes()]
        if pd is not None:
            out = self.pandas(x, t, pd, depth)
            if out is not None:
                return out
        if t is datetime.datetime:
            return ["dt", x.isoformat()]
        if t is datetime.date:
            return ["date", x.isoformat()]
        if t is datetime.timedelta:
            return ["pytd", x.days, x.seconds, x.microseconds]
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            fields = [[f.name, self.enc(getattr(x, f.name), depth + 1)] for f in dataclasses.fields(x)]
            return ["dc", t.__module__, t.__qualname__, fields, self.handle(x)]
        return self.handle(x)

    def array(self, a, depth):
        if a.dtype.kind == "O":
            items = a.ravel(order="C").tolist()
            if all(type(v) in PLAIN for v in items):  # strings, numbers, None: msgpack carries them as they are
                self.items += len(items)
                return ["oav", list(a.shape), items]
            return ["oa", list(a.shape), [self.enc(v, depth + 1) for v in items]]
        if a.dtype.fields is not None or a.dtype.subdtype is not None:
            return self.handle(a)
        return ["nd", a.dtype.str, list(a.shape), a.tobytes(order="C")]

    def pandas(self, x, t, pd, depth):
        if t is pd.DataFrame:
            cols = [self.values(x.iloc[:, i].array, pd, depth) for i in range(x.shape[1])]
            return ["F", cols, self.index(x.columns, pd, depth), self.index(x.index, pd, depth)]
        if t is pd.Series:
            return ["S", self.values(x.array, pd, depth), self.index(x.index, pd, depth), self.enc(x.name, depth + 1)]
        if isinstance(x, pd.Index) and t.__module__.startswith("pandas"):
            return self.index(x, pd, depth)
        if x is pd.NaT:
            return ["nat"]
        if x is pd.NA:
            return ["na"]
        if t is pd.Timestamp:
            return ["ts", x.value, str(x.tz) if x.tz is not None else None]
        if t is pd.Timedelta:
            return ["td", x.value]
        return None

    def index(self, ix, pd, depth):
        if type(ix) is pd.RangeIndex:
            return ["ri", ix.start, ix.stop, ix.step, self.enc(ix.name, depth + 1)]
        if type(ix) is pd.MultiIndex:
            return ["mi", [self.index(level, pd, depth + 1) for level in ix.levels],
                    [self.array(c.astype("int64"), depth + 1) for c in ix.codes], [self.enc(n, depth + 1) for n in ix.names]]
        return ["ix", self.values(ix.array, pd, depth), self.enc(ix.name, depth + 1)]

    def values(self, arr, pd, depth):
        np = sys.modules["numpy"]
        dtype = arr.dtype
        if isinstance(dtype, np.dtype) or type(dtype).__name__ == "NumpyEADtype":
            return self.array(np.asarray(arr), depth + 1)
        if isinstance(dtype, pd.CategoricalDtype):
            return ["cat", self.array(np.asarray(arr.codes, dtype="int64"), depth + 1),
                    self.index(dtype.categories, pd, depth + 1), bool(dtype.ordered)]
        if isinstance(dtype, pd.DatetimeTZDtype):
            return ["dtz", self.array(np.asarray(arr.asi8), depth + 1), str(dtype.tz), dtype.unit]
        items = [None if v is pd.NA or v is None or (type(v) is float and v != v) else v
                 for v in np.asarray(arr, dtype=object).tolist()]
        if all(type(v) in PLAIN for v in items):
            self.items += len(items)
            return ["extv", str(dtype), items]
        return ["ext", str(dtype), [self.enc(v, depth + 1) for v in items]]

    def pack(self, doc):
        self.items = 0
        blob = msgpack.packb(doc, use_bin_type=True)
        if len(blob) > MAX_BYTES:
            raise _TooBig(f"the value takes {len(blob) / 1024**2:.0f} MB; at most {MAX_BYTES // 1024**2} MB may cross")
        return blob

    # -- decoding what the judge sends: pickles, with handles back to our own objects ----------------------------
    def load(self, blob):
        agent = self

        class Loader(pickle.Unpickler):
            def persistent_load(self, pid):
                return agent.stash[pid[1]] if pid[0] == "c" else agent.objects[pid[1]]

        import io
        return Loader(io.BytesIO(blob)).load()

    def dump(self, obj):
        agent = self
        import io

        class Dumper(pickle.Pickler):
            def persistent_id(self, o):
                key = agent.ids.get(id(o))
                return ("h", key) if key is not None and agent.objects.get(key) is o else None

        buf = io.BytesIO()
        Dumper(buf, protocol=5).dump(obj)
        return buf.getvalue()

    # -- requests ------------------------------------------------------------------------------------------------
    def error(self, exc):
        names = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__[:-1]]
        try:
            message = str(exc)[:2000]
        except Exception:
            message = ""
        return {"status": "error", "types": names, "message": message}

    def serve(self, request, blobs):
        op = request.get("op")
        try:
            if op == "stash":
                self.stash[int(request["key"])] = self.load(blobs[0])
                return {"status": "ok", "value": None}
            if op == "names":
                found = {}
                for name in request["names"]:
                    if name in self.shell.user_ns:
                        value = self.shell.user_ns[name]
                        found[name] = ["mod"] if isinstance(value, types.ModuleType) else self.enc(value)
                return {"status": "ok", "value": ["d", [[k, v] for k, v in found.items()]]}
            target = self.objects[request["handle"]]
            if op == "getattr":
                return {"status": "ok", "value": self.enc(getattr(target, request["name"]))}
            if op == "call":
                return self.call(target, request, blobs)
            if op == "getitem":
                return {"status": "ok", "value": self.enc(target[self.load(blobs[0])])}
            if op == "len":
                return {"status": "ok", "value": len(target)}
            if op == "iter":
                items = list(itertools.islice(iter(target), MAX_ITEMS + 1))
                return {"status": "ok", "value": self.enc(items)}
            if op == "contains":
                return {"status": "ok", "value": bool(self.load(blobs[0]) in target)}
            if op == "bool":
                return {"status": "ok", "value": bool(target)}
            if op in ("repr", "str"):
                return {"status": "ok", "value": (repr if op == "repr" else str)(target)[:10_000]}
            return {"status": "error", "types": ["builtins.TypeError"], "message": f"unknown request {op!r}"}
        except _TooBig as exc:
            return {"status": "refused", "message": str(exc)}
        except BaseException as exc:  # the student's own error, sent back as data
            return self.error(exc)

    def call(self, target, request, blobs):
        n_args = request["n_args"]
        args = [self.load(b) for b in blobs[:n_args]]
        kwargs = {k: self.load(b) for k, b in zip(request["kwargs"], blobs[n_args:])}
        everything = args + list(kwargs.values())
        before = {i: self.fingerprint(a) for i, a in enumerate(everything) if self.mutable(a)}
        with warnings.catch_warnings():
            self.filters(request.get("filters") or [])
            value = target(*args, **kwargs)
        mutated = [[i, self.enc(everything[i])] for i, print_ in before.items()
                   if print_ is not None and self.fingerprint(everything[i]) != print_]
        return {"status": "ok", "value": self.enc(value), "mutated": mutated}

    def fingerprint(self, x):
        try:
            return self.dump(x)
        except Exception:
            return None

    def mutable(self, x):
        np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
        kinds = (list, dict, set, bytearray) + ((np.ndarray,) if np else ()) + ((pd.DataFrame, pd.Series) if pd else ())
        return isinstance(x, kinds)

    def filters(self, shipped):
        """Put the judge's warning filters (those the test set around this call) before the student's own."""
        own = list(warnings.filters)
        made = []
        for action, message, category, module, lineno in shipped:
            cls = self.resolve(category)
            if not (isinstance(cls, type) and issubclass(cls, Warning)):
                continue
            made.append((action, re.compile(message, re.I) if message else None, cls,
                         re.compile(module) if module else None, lineno))
        warnings.filters[:] = made + [f for f in own if f not in made]
        warnings._filters_mutated()

    def resolve(self, dotted):
        module, _, name = dotted.rpartition(".")
        obj = sys.modules.get(module)
        return getattr(obj, name, None) if obj is not None else None


def start(shell):
    """Register the comm target the judge opens; returns the agent."""
    agent = Agent(shell)

    def opened(comm, msg):
        def on_msg(msg):
            request = msg["content"]["data"]
            reply = agent.serve(request, [bytes(b) for b in msg.get("buffers") or []])
            try:
                blob = agent.pack(reply.pop("value", None))
                mutated = agent.pack(reply.pop("mutated", []))
            except _TooBig as exc:
                reply, blob, mutated = {"status": "refused", "message": str(exc)}, b"", b""
            except Exception as exc:
                reply, blob, mutated = agent.error(exc), b"", b""
            comm.send(reply, buffers=[blob, mutated])

        comm.on_msg(on_msg)

    shell.kernel.comm_manager.register_target(TARGET, opened)
    return agent
