"""Inside the judge kernel: the student's names as proxies, and the channel their calls travel on.

The judge is an ordinary IPython kernel outside the student's sandbox that runs the release's set-up cells and the
test cells. Before each test cell the grader binds, in the judge's namespace, the names the cell uses that the
judge does not define itself: each is looked up in the student's kernel and arrives as data (`grader.grading.wire`) or as
a `Remote` proxy. Calling a proxy sends the arguments to the student's kernel, runs the student's function there,
and brings back the result, the student's output, a built-in exception of the same type, and arguments the
function changed in place. No student code runs here.
"""
from __future__ import annotations

import builtins
import sys
import time
import warnings

from jupyter_client import BlockingKernelClient

from grader.grading import wire

TARGET = "mlip-judge"
REFUSED_ATTRIBUTES = ("__", "_repr_", "_ipython_")


class StudentError(RuntimeError):
    """The student's kernel failed, went away, or sent back something the judge does not accept."""


class Remote:
    """A student object the judge holds by number; what it gives back is data or another proxy."""

    __slots__ = ("_channel", "_number", "_types", "_text")

    def __init__(self, channel, number, types, text):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_types", tuple(types))
        object.__setattr__(self, "_text", text)

    @property
    def __class__(self):
        """The judge's own class of the same name (so ``isinstance`` checks read naturally), else Remote."""
        for dotted in self._types:
            if dotted.startswith("builtins."):
                continue
            cls = wire.resolve_class(dotted, self._channel.namespace)
            if cls is not None:
                return cls
        return Remote

    def __getattr__(self, name):
        if name.startswith(REFUSED_ATTRIBUTES):
            raise AttributeError(name)
        return self._channel.request({"op": "getattr", "handle": self._number, "name": name})

    def __setattr__(self, name, value):
        raise TypeError("a test cannot change a student's object in place")

    def __call__(self, *args, **kwargs):
        return self._channel.call(self._number, args, kwargs)

    def __len__(self):
        return self._channel.request({"op": "len", "handle": self._number})

    def __iter__(self):
        return iter(self._channel.request({"op": "iter", "handle": self._number}))

    def __getitem__(self, key):
        return self._channel.request({"op": "getitem", "handle": self._number}, [key])

    def __contains__(self, item):
        return self._channel.request({"op": "contains", "handle": self._number}, [item])

    def __bool__(self):
        return self._channel.request({"op": "bool", "handle": self._number})

    def __str__(self):
        return self._channel.request({"op": "str", "handle": self._number})

    def __repr__(self):
        name = self._types[0] if self._types else "object"
        return f"<student's {name}>"

    def __reduce_ex__(self, protocol):
        raise TypeError("a student's object travels only as a handle")


def _raise(reply: dict):
    names, message = [str(n) for n in reply.get("types") or []], str(reply.get("message", ""))[:2000]
    for dotted in names:
        module, _, name = dotted.rpartition(".")
        cls = getattr(builtins, name, None) if module == "builtins" else wire.resolve_class(dotted)
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                exc = cls(message)
            except Exception:
                continue
            raise exc
    raise StudentError(f"{names[0] if names else 'an error'} in the student's code: {message}")


def _filters() -> list:
    shipped = []
    for action, message, category, module, lineno in warnings.filters:
        shipped.append([action, getattr(message, "pattern", None), f"{category.__module__}.{category.__qualname__}",
                        getattr(module, "pattern", None), int(lineno)])
    return shipped


def _restore(original, changed) -> None:
    """Make ``original`` (the judge's argument) hold what the student's function left in it."""
    import numpy as np
    import pandas as pd

    if type(original) is list and isinstance(changed, list):
        original[:] = changed
    elif type(original) in (dict, set) and isinstance(changed, type(original)):
        original.clear()
        original.update(changed)
    elif isinstance(original, np.ndarray) and isinstance(changed, np.ndarray) and changed.shape == original.shape:
        original[...] = changed
    elif isinstance(original, (pd.DataFrame, pd.Series)) and type(changed) is type(original):
        if not (original.equals(changed) and original.index.equals(changed.index)):
            original._update_inplace(changed)


class Channel:
    """A client of the student's kernel, opened from inside the judge."""

    def __init__(self, connection: dict, namespace: dict):
        connection = dict(connection, key=connection["key"].encode())
        self.namespace = namespace
        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection)
        self.client.start_channels(hb=False)
        self.comm = self.client.session.msg_id
        self.client.shell_channel.send(self.client.session.msg(
            "comm_open", {"comm_id": self.comm, "target_name": TARGET, "data": {}}))
        self.bound: set[str] = set()
        self.stashed: dict[int, int] = {}
        self.kept: list = []
        self.calls, self.seconds = 0, 0.0

    def close(self) -> None:
        """Stop talking to the student's kernel (its attempt is over)."""
        self.client.stop_channels()

    def handle_id(self, obj):
        if type(obj) is Remote and obj._channel is self:
            return ("h", obj._number)
        key = self.stashed.get(id(obj))
        return ("c", key) if key is not None else None

    def _stash(self, values) -> None:
        """Send the instructor's objects among ``values`` (models, functions) once; later calls name them.

        Data (numbers, text, containers, arrays, frames) is sent afresh with every call, so what a test changes
        between calls always arrives as it is now.
        """
        for value in values:
            if id(value) in self.stashed or type(value) is Remote or isinstance(value, wire.DATA):
                continue
            key = len(self.stashed) + 1
            self._send({"op": "stash", "key": key}, [wire.dumps(value, self.handle_id)])
            self.stashed[id(value)] = key
            self.kept.append(value)  # keeps the id from being reused while the attempt lasts

    def request(self, content: dict, values: list | None = None):
        blobs = [wire.dumps(v, self.handle_id) for v in values or []]
        return self._send(content, blobs)

    def call(self, number, args, kwargs):
        self._stash(list(args) + list(kwargs.values()))
        blobs = [wire.dumps(v, self.handle_id) for v in list(args) + list(kwargs.values())]
        content = {"op": "call", "handle": number, "n_args": len(args), "kwargs": list(kwargs),
                   "filters": _filters()}
        return self._send(content, blobs, changed=list(args) + list(kwargs.values()))

    def _send(self, content, blobs, changed=None, raw=False):
        start = time.monotonic()
        msg = self.client.session.msg("comm_msg", {"comm_id": self.comm, "data": content})
        self.client.session.send(self.client.shell_channel.socket, msg, buffers=blobs)
        try:
            reply = self._wait(msg["header"]["msg_id"])
        except KeyboardInterrupt:
            self.client.session.send(self.client.control_channel.socket, self.client.session.msg("interrupt_request", {}))
            raise
        finally:
            self.calls += 1
            self.seconds += time.monotonic() - start
        data, buffers = reply
        if data.get("status") == "refused":
            raise StudentError(f"the student's answer cannot be graded: {str(data.get('message'))[:300]}")
        if data.get("status") != "ok":
            _raise(data)
        tree = wire.unpack(buffers[0]) if buffers and buffers[0] else None
        if raw:
            return tree
        decode = wire.Decoder(self.proxy, self.namespace)
        value = decode(tree)
        for index, tree in (wire.unpack(buffers[1]) if len(buffers) > 1 and buffers[1] else []) if changed else []:
            if 0 <= int(index) < len(changed):
                _restore(changed[int(index)], decode(tree))
        return value

    def _wait(self, msg_id):
        """Relay the student's output for this request until its reply arrives."""
        reply = None
        while True:
            msg = self.client.get_iopub_msg(timeout=None)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                stream = sys.stderr if content.get("name") == "stderr" else sys.stdout
                stream.write(str(content.get("text", "")))
            elif kind == "comm_msg" and content.get("comm_id") == self.comm:
                reply = (content.get("data") or {}, [bytes(b) for b in msg.get("buffers") or []])
            elif kind == "status" and content.get("execution_state") == "idle":
                if reply is None:
                    raise StudentError("the student's kernel did not answer the judge (its grading agent is gone)")
                return reply

    def proxy(self, number, types, text):
        return Remote(self, number, types, text)

    def bind(self, names: list[str]) -> None:
        """Bind in the judge's namespace the names the next test uses that the judge does not define itself."""
        wanted = [n for n in names if (n not in self.namespace or n in self.bound) and not hasattr(builtins, n)]
        for name in self.bound - set(wanted):
            self.namespace.pop(name, None)
        self.bound -= self.bound - set(wanted)
        if not wanted:
            return
        tree = self._send({"op": "names", "names": wanted}, [], raw=True)
        if type(tree) is not list or len(tree) != 2 or tree[0] != "d" or type(tree[1]) is not list:
            raise StudentError("the student's kernel sent a malformed answer to the judge")
        found = {}
        for pair in tree[1][: len(wanted)]:
            if type(pair) is list and len(pair) == 2 and pair[0] in wanted and pair[1] != ["mod"]:
                found[pair[0]] = wire.Decoder(self.proxy, self.namespace)(pair[1])
        for name in wanted:
            if name in found:
                self.namespace[name] = found[name]
                self.bound.add(name)
            elif name in self.bound:
                self.namespace.pop(name, None)
                self.bound.discard(name)


def connect(connection: dict, namespace: dict) -> Channel:
    """Open the channel to the student's kernel from the judge's namespace."""
    return Channel(connection, namespace)


# what the judge kernel looked like before any release cell ran (this module is imported while it warms up)
PRISTINE_FILTERS = list(warnings.filters)
PRISTINE_PATH = list(sys.path)
_current: Channel | None = None


def fresh_start(shell, work: str, connection: dict) -> None:
    """Reset the judge for the next attempt and connect it to that attempt's student kernel.

    The namespace is emptied, warning filters and their once-only registries, ``sys.path`` and open figures go
    back to how they were before any attempt, modules imported from the working folder are forgotten, and the
    kernel moves into ``work`` (the release's data files). Imported libraries stay: that is the point of reuse.
    """
    global _current
    import os

    if _current is not None:
        _current.close()
        _current = None
    shell.reset(new_session=False)
    warnings.filters[:] = PRISTINE_FILTERS
    warnings._filters_mutated()
    sys.path[:] = PRISTINE_PATH
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(work):
            del sys.modules[name]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    os.chdir(work)
    _current = shell.user_ns["__mlip_channel"] = Channel(connection, shell.user_ns)
