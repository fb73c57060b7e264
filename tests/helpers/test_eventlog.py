"""Event log, replay, snapshots and rebuilds: a planted random log, checked against full replays."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import numpy as np
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.eventlog import EventLog, rebuild, replay, take_snapshots


def counting(state, event):
    state[event.key] = state.get(event.key, 0) + event.value
    return state


def upsert(state, event):
    if event.kind == "set":
        state[event.key] = event.value
    else:
        state.pop(event.key, None)
    return state


@pytest.fixture
def log() -> EventLog:
    rng = np.random.default_rng(3)
    log = EventLog()
    for i in range(503):
        key = f"k{rng.integers(20)}"
        if rng.random() < 0.2:
            log.append("delete", key, time=i)
        else:
            log.append("set", key, int(rng.integers(100)), time=i)
    return log


def test_event_log_is_append_only():
    log = EventLog()
    first = log.append("set", "x", 1, time=10)
    assert (first.seq, log.append("set", "y", 2).seq, len(log)) == (0, 1, 2)
    with pytest.raises(TypeError):
        log[0] = first
    with pytest.raises(TypeError):
        del log[0]
    with pytest.raises(FrozenInstanceError):
        log[0].value = 5
    assert not hasattr(log, "pop") and not hasattr(log, "clear")
    assert isinstance(log[0:2], tuple) and [e.key for e in log] == ["x", "y"]
    assert log.to_frame().columns.tolist() == ["seq", "kind", "key", "value", "time"]


def test_replay_leaves_the_start_state_alone():
    log = EventLog()
    for value in (1, 2, 3):
        log.append("add", "x", value)
    start = {"x": 10}
    assert replay(log, counting, start) == {"x": 16} and start == {"x": 10}


def test_snapshots_are_private_copies(log):
    snapshots = take_snapshots(log, upsert, 100)
    assert [s.seq for s in snapshots] == [100, 200, 300, 400, 500]
    for snap in snapshots:
        assert snap.state == replay(log[:snap.seq], upsert)
    before = dict(snapshots[0].state)
    rebuild(log, upsert, upto=150, snapshots=snapshots)  # a rebuild must not modify a snapshot
    assert snapshots[0].state == before


@pytest.mark.parametrize("upto", [0, 1, 99, 100, 101, 250, 499, 500, 503])
def test_rebuild_from_snapshots_equals_full_replay(log, upto):
    snapshots = take_snapshots(log, upsert, 100)
    fast = rebuild(log, upsert, upto=upto, snapshots=snapshots)
    slow = rebuild(log, upsert, upto=upto)
    assert fast.state == slow.state == replay(log[:upto], upsert)
    assert (fast.start, fast.events_applied) == (upto // 100 * 100, upto % 100)
    assert (slow.start, slow.events_applied) == (0, upto)


def test_rebuild_rejects_positions_outside_the_log(log):
    for upto in (-1, len(log) + 1):
        with pytest.raises(InputError, match="between 0 and 503"):
            rebuild(log, upsert, upto=upto)


@pytest.mark.parametrize("every", [0, -3, 1.5])
def test_snapshots_need_a_positive_whole_interval(log, every):
    with pytest.raises(InputError, match="every"):
        take_snapshots(log, upsert, every)
    assert len(take_snapshots(log, upsert, np.int64(250))) == 2
